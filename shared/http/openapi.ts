import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { routes, type RouteSpec } from '../../lib/routes.js';
import * as z from '../zod.js';
import type { ZodObject, ZodType } from 'zod';
import { problemSchema } from '../contracts/common.js';
import { doc, documentation } from '../contracts/doc.js';
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

/** A route's security requirements: its auth kind's, or, for an operator route that admits a machine client, either. */
function securityOfRoute(route: RouteSpec): { [scheme: string]: string[] }[] {
  return route.clientScope ? [...securityOf[route.auth], { [`${route.clientScope}Jwt`]: [route.clientScope] }] : securityOf[route.auth];
}

/**
 * zod-to-openapi 9 walks schemas by `def.type`, which zod/mini and classic zod share, but reads a few members only
 * classic schemas have: `meta()` (the documentation shared/contracts/doc.ts registers), `unwrap()` of a nullable,
 * `openapi(refId)` (OpenAPIRegistry.register), and the `format`, `minLength`, `maxLength`, `keyType` and
 * `valueType` getters. The generator alone gets them (no function bundles this module), on the prototypes of
 * zod/mini's schema classes, so schemas built before this module loaded have them too.
 */
type MiniSchema = z.ZodMiniType & { _zod: { def: Record<string, unknown> } };

/**
 * What classic zod's `format`, `minLength` and `maxLength` getters read off a schema's checks (zod's own
 * aggregateChecks, which it does not export): the last format, the tightest lengths. A format schema
 * (`z.iso.datetime()`) is its own first check.
 */
function checkSummary(schema: z.core.$ZodType): { format: string | null; minimum: number | null; maximum: number | null } {
  const own = schema._zod.def.checks ?? [];
  const checks: readonly z.core.$ZodCheck[] = schema._zod.traits.has('$ZodCheck') ? [schema as unknown as z.core.$ZodCheck, ...own] : own;
  let format: string | null = null;
  let minimum: number | null = null;
  let maximum: number | null = null;
  for (const check of checks) {
    const def = check._zod.def as { check: string; format?: string; minimum?: number; maximum?: number; length?: number };
    if ((def.check === 'string_format' || def.check === 'number_format') && def.format) format = def.format;
    const min = def.check === 'min_length' ? def.minimum : def.check === 'length_equals' ? def.length : undefined;
    const max = def.check === 'max_length' ? def.maximum : def.check === 'length_equals' ? def.length : undefined;
    if (min !== undefined) minimum = Math.max(minimum ?? min, min);
    if (max !== undefined) maximum = Math.min(maximum ?? max, max);
  }
  return { format, minimum, maximum };
}

const generatorMembers: Record<string, PropertyDescriptor> = {
  meta: {
    value(this: MiniSchema) {
      return documentation(this);
    },
  },
  unwrap: {
    value(this: MiniSchema) {
      return this._zod.def.innerType;
    },
  },
  openapi: {
    value(this: MiniSchema, refId: string) {
      return doc(this, refId);
    },
  },
  format: {
    get(this: MiniSchema) {
      return checkSummary(this).format;
    },
  },
  minLength: {
    get(this: MiniSchema) {
      return checkSummary(this).minimum;
    },
  },
  maxLength: {
    get(this: MiniSchema) {
      return checkSummary(this).maximum;
    },
  },
  keyType: {
    get(this: MiniSchema) {
      return this._zod.def.keyType;
    },
  },
  valueType: {
    get(this: MiniSchema) {
      return this._zod.def.valueType;
    },
  },
};
for (const value of Object.values(z)) {
  if (typeof value !== 'function' || !value.name.startsWith('ZodMini') || !('init' in value)) continue;
  const proto = value.prototype as object;
  for (const [name, member] of Object.entries(generatorMembers)) {
    if (!(name in proto)) Object.defineProperty(proto, name, { ...member, configurable: true });
  }
}

/** zod-to-openapi's signatures name classic schemas; the zod/mini ones it is given work (above). */
const forGenerator = <T extends ZodType = ZodType>(schema: z.core.$ZodType) => schema as unknown as T;

/** The OpenAPI 3.1 document, generated from the route table and the zod contracts that validate requests. */
export function openApiDocument(): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.register('Problem', forGenerator(problemSchema));
  for (const scheme of ['memberJwt', 'adminJwt', 'posJwt', 'inventoryJwt']) {
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
    const responses: Record<string, unknown> = {};
    for (const status of [op.status ?? 200, ...(op.otherStatuses ?? [])]) {
      responses[String(status)] = { description: op.summary, content: { [op.contentType ?? 'application/json']: { schema: op.response } } };
    }
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
      security: securityOfRoute(route),
      request: {
        ...(op.params ? { params: forGenerator<ZodObject>(op.params) } : {}),
        ...(op.query ? { query: forGenerator<ZodObject>(op.query) } : {}),
        ...(idempotency
          ? {
              headers: forGenerator<ZodObject>(
                z.object({
                  'Idempotency-Key':
                    idempotency === 'required'
                      ? z.string().check(z.minLength(8), z.maxLength(128))
                      : z.optional(z.string().check(z.minLength(8), z.maxLength(128))),
                }),
              ),
            }
          : {}),
        ...(op.body ? { body: { content: { 'application/json': { schema: forGenerator(op.body) } }, required: true } } : {}),
        ...(op.signedBody ? { body: { content: { 'application/json': { schema: forGenerator(op.signedBody) } }, required: true } } : {}),
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
