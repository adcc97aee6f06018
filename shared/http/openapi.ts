import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { routes, type RouteSpec } from '../../lib/routes.js';
import * as z from 'zod';
import { problemSchema } from '../contracts/common.js';
import { operations } from '../contracts/index.js';
import type { Operation } from '../contracts/operation.js';
import { RETRY_AFTER_SECONDS, statusOfCode } from './problem.js';
import { operatorRule } from './roles.js';

const securityOf: Record<RouteSpec['auth'], { [scheme: string]: string[] }[]> = {
  public: [],
  member: [{ memberJwt: [] }],
  admin: [{ adminJwt: [] }],
  pos: [{ posJwt: ['pos'] }],
};

/** The OpenAPI 3.1 document, generated from the route table and the zod contracts that validate requests. */
export function openApiDocument(): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.register('Problem', problemSchema);
  for (const scheme of ['memberJwt', 'adminJwt', 'posJwt']) {
    registry.registerComponent('securitySchemes', scheme, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  }
  const problem = { content: { 'application/problem+json': { schema: problemSchema } } };
  const retryAfterHeader = {
    'Retry-After': { description: 'Seconds to wait before retrying (a write answered OUTCOME_UNKNOWN: with the same Idempotency-Key)', schema: { type: 'integer' } },
  };
  for (const route of routes) {
    const op = operations[route.operation] as Operation;
    // Operator writes take an optional key too: the handler claims it in the audited transaction (shared/audit).
    const idempotency = op.idempotency ?? (route.auth === 'admin' && operatorRule(route.operation)?.access === 'write' ? 'optional' : undefined);
    // Every route can meet an outage of the table: 503 UNAVAILABLE or OUTCOME_UNKNOWN, with Retry-After.
    const errorStatuses = new Set<number>([400, 500, 503]);
    if (route.auth !== 'public') [401, 403].forEach((s) => errorStatuses.add(s));
    if (idempotency) errorStatuses.add(422);
    for (const code of op.errors ?? []) errorStatuses.add(statusOfCode[code]);
    const responses: Record<string, unknown> = {
      [String(op.status ?? 200)]: {
        description: op.summary,
        content: { [op.contentType ?? 'application/json']: { schema: op.response } },
      },
    };
    for (const status of [...errorStatuses].sort()) {
      const retryAfter = RETRY_AFTER_SECONDS[status] === undefined ? {} : { headers: retryAfterHeader };
      responses[String(status)] = { description: `Error (${status}), application/problem+json`, ...problem, ...retryAfter };
    }
    registry.registerPath({
      method: route.method.toLowerCase() as 'get',
      path: route.path,
      operationId: route.operation,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [...op.tags],
      security: securityOf[route.auth],
      request: {
        ...(op.params ? { params: op.params } : {}),
        ...(op.query ? { query: op.query } : {}),
        ...(idempotency
          ? {
              headers: z.object({
                'Idempotency-Key':
                  idempotency === 'required'
                    ? z.string().min(8).max(128)
                    : z.string().min(8).max(128).optional(),
              }),
            }
          : {}),
        ...(op.body ? { body: { content: { 'application/json': { schema: op.body } }, required: true } } : {}),
        ...(op.signedBody ? { body: { content: { 'application/json': { schema: op.signedBody } }, required: true } } : {}),
      },
      responses: responses as never,
    });
  }
  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Points mall and gamification API',
      version: '1.0.0',
      description:
        'Earn, hold and burn loyalty points. Errors are application/problem+json with a stable `code`. ' +
        'Mutating member, POS and operator calls accept an Idempotency-Key header.',
    },
    servers: [{ url: '/' }],
  }) as unknown as Record<string, unknown>;
}
