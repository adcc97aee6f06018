import * as z from '../zod.js';
import { doc } from './doc.js';
import { operation } from './operation.js';

export const systemOperations = {
  health: operation({
    summary: 'Liveness: the function runs (no database call)',
    description: 'Always 200 while the function can run; it does not touch the table. For the table, see GET /v1/health/ready.',
    tags: ['system'],
    response: doc(z.object({ status: z.literal('ok'), time: z.string() }), 'Health'),
  }),
  healthReady: operation({
    summary: 'Readiness: the table answers',
    description:
      'Reads one fixed key of the table (a GetItem with a short timeout). 200 when the table answered; ' +
      '503 UNAVAILABLE problem+json with Retry-After when it cannot be reached, is throttled or too slow.',
    tags: ['system'],
    response: doc(z.object({
      status: z.literal('ready'),
      time: z.string(),
      /** Milliseconds the table took to answer. */
      tableLatencyMs: z.number().check(z.int(), z.nonnegative()),
    }), 'Readiness'),
    errors: ['UNAVAILABLE'],
  }),
  openapi: operation({
    summary: 'This OpenAPI document',
    tags: ['system'],
    response: z.record(z.string(), z.unknown()),
    rawResponse: true,
  }),
  apiDocs: operation({
    summary: 'The API reference, rendered in a browser',
    description:
      'An HTML page that renders GET /v1/openapi.json with Swagger UI. Its styles and scripts come from the ' +
      "project's own assets (swagger-ui-dist, served at /docs-assets/ locally and from the console distribution " +
      'on AWS), never from a CDN; the page has no inline script, and its Content-Security-Policy allows scripts ' +
      'from the assets base only.',
    tags: ['system'],
    response: z.string(),
    rawResponse: true,
    contentType: 'text/html; charset=utf-8',
  }),
  fallback: operation({
    summary: 'Answers unknown routes (404) and wrong methods (405) as problem+json',
    tags: ['system'],
    response: z.never(),
  }),
};
