import { z } from './common.js';
import { operation } from './operation.js';

export const systemOperations = {
  health: operation({
    summary: 'Liveness and table reachability',
    tags: ['system'],
    response: z.object({ status: z.literal('ok'), time: z.string() }).openapi('Health'),
  }),
  openapi: operation({
    summary: 'This OpenAPI document',
    tags: ['system'],
    response: z.record(z.string(), z.unknown()),
    rawResponse: true,
  }),
  fallback: operation({
    summary: 'Answers unknown routes (404) and wrong methods (405) as problem+json',
    tags: ['system'],
    response: z.never(),
  }),
};
