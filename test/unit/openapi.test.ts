import { describe, expect, it } from 'vitest';
import { routes, type RouteSpec } from '../../lib/routes.js';
import { operations } from '../../shared/contracts/index.js';
import { openApiDocument } from '../../shared/http/openapi.js';

describe('OpenAPI document', () => {
  const document = openApiDocument() as { openapi: string; paths: Record<string, Record<string, { operationId: string; security: unknown[] }>> };

  it('lists every route of the route table with its operation id', () => {
    for (const route of routes) {
      const entry = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(entry, `${route.method} ${route.path}`).toBeDefined();
      expect(entry?.operationId).toBe(route.operation);
    }
  });

  it('lists nothing the route table does not have', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('gives every route a contract and marks protected routes with a security requirement', () => {
    for (const route of routes) {
      expect(operations[route.operation]).toBeDefined();
      const entry = document.paths[route.path]?.[route.method.toLowerCase()];
      // A route that admits a machine client besides operators (the stock feeds) lists both: either one may call.
      expect(entry?.security.length).toBe(route.auth === 'public' ? 0 : (route as RouteSpec).clientScope ? 2 : 1);
    }
  });

  it('is OpenAPI 3.1', () => {
    expect(document.openapi).toBe('3.1.0');
  });
});
