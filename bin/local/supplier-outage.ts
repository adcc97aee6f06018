/**
 * Local only: switches a simulated supplier's outage on and off, so a person or a browser test can make JD fail
 * (its orders then land in the dead letters) and recover (then redrive them). Not API routes: they are not in
 * lib/routes.ts and do not exist in the deployed stack.
 *
 *   POST   /local/suppliers/{supplier}/outage   the supplier answers every order 503 from now on
 *   DELETE /local/suppliers/{supplier}/outage   the outage is lifted
 *   GET    /local/suppliers/outages             { "items": ["jd"] }
 */
import { problemOf, problemResponse } from '../../shared/http/problem.js';
import type { ConsoleRequest, ConsoleResponse } from './console.js';
import { simulatedSupplierIds, type SimulatedSupplierId, type SimulatedSuppliers } from './simulated-suppliers.js';

function json(status: number, body: unknown): ConsoleResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

/** The outage routes; `suppliers` is read on each request (the simulators start after the server listens). */
export function supplierOutageRoutes(suppliers: () => SimulatedSuppliers | undefined): (request: ConsoleRequest) => Promise<ConsoleResponse | undefined> {
  return async (request) => {
    const pathname = new URL(request.url, 'http://localhost').pathname;
    const method = request.method.toUpperCase();
    if (pathname === '/local/suppliers/outages' && method === 'GET') return json(200, { items: suppliers()?.outages() ?? [] });
    const match = /^\/local\/suppliers\/([^/]+)\/outage$/.exec(pathname);
    if (!match || (method !== 'POST' && method !== 'DELETE')) return undefined;
    const id = decodeURIComponent(match[1] ?? '');
    const running = suppliers();
    if (!simulatedSupplierIds.includes(id as SimulatedSupplierId) || !running) {
      const answer = problemResponse(problemOf('NOT_FOUND', `no simulated supplier ${JSON.stringify(id)}; there are ${simulatedSupplierIds.join(', ')}`, { instance: pathname }));
      return { status: answer.statusCode ?? 404, headers: answer.headers as Record<string, string>, body: answer.body ?? '' };
    }
    running.setOutage(id as SimulatedSupplierId, method === 'POST');
    return json(200, { supplier: id, outage: method === 'POST', outages: running.outages() });
  };
}
