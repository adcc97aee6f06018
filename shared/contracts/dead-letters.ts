import './zod-openapi.js';
import { operation } from './operation.js';
import * as z from 'zod';
import { idSchema, pageOf, pageQuerySchema } from './common.js';

/** Kept here (not imported from shared/events/dead-letters.ts) so every function's contracts stay free of table code. */
const statuses = ['OPEN', 'REDRIVEN', 'DISCARDED'] as const;
const sources = ['outbox', 'fulfilment', 'callbacks', 'other'] as const;

export const deadLetterSchema = z
  .object({
    deadLetterId: z.string(),
    status: z.enum(statuses).openapi({ description: 'OPEN until an operator redrives (REDRIVEN) or discards it (DISCARDED).' }),
    source: z.enum(sources).openapi({
      description: '`outbox`: the bus refused an outbox event; `fulfilment`: an order event its supplier submission failed on; `callbacks`: a supplier or payment callback the state machine failed on; `other`.',
    }),
    target: z.string().openapi({ description: 'Where delivery failed: the event rule (e.g. `supplier-jd-placed`), or `event-bus` for the outbox.' }),
    detailType: z.string().nullable(),
    orderId: z.string().nullable().openapi({ description: 'The order the event names, if any.' }),
    error: z.string(),
    attempts: z.number().int().openapi({ description: 'Delivery attempts before it was given up.' }),
    payload: z.string().openapi({ description: 'The failed message as JSON text (cut at 32,000 characters).' }),
    redrivable: z.boolean().openapi({ description: 'Whether it keeps an event a redrive can put back on the bus.' }),
    failedAt: z.string(),
    recordedAt: z.string(),
    redrivenAt: z.string().optional(),
    redrivenBy: z.string().optional(),
    redriveEventId: z.string().optional().openapi({ description: 'Id of the event the redrive put on the bus (`redrive-<deadLetterId>`).' }),
    discardedAt: z.string().optional(),
    discardedBy: z.string().optional(),
    discardReason: z.string().optional(),
  })
  .openapi('DeadLetter');

export const fulfilmentProblemSchema = z
  .object({
    kind: z.enum(['FAILED', 'STUCK']),
    orderId: z.string(),
    memberId: z.string(),
    productId: z.string(),
    productName: z.string(),
    quantity: z.number().int(),
    supplierId: z.string(),
    sku: z.string(),
    status: z.string().openapi({ description: "The order's status now." }),
    since: z.string().openapi({ description: 'FAILED: when the supplier refused it; STUCK: when it was submitted.' }),
    deadlineAt: z.string().nullable().openapi({ description: 'STUCK: when the first callback was due.' }),
    reason: z.string().openapi({ description: "The last reason on the order's history." }),
    updatedAt: z.string(),
  })
  .openapi('FulfilmentProblem');

const deadLetterParams = z.object({ deadLetterId: idSchema });
const reasonSchema = z.string().trim().min(3, 'give a reason of at least 3 characters').max(500);

export const deadLetterOperations = {
  listDeadLetters: operation({
    summary: 'Dead letters: deliveries that failed for good, newest first, by status (default OPEN) and source (operator)',
    tags: ['dead-letters'],
    query: pageQuerySchema.extend({
      status: z.enum(statuses).default('OPEN'),
      source: z.enum(sources).optional(),
    }),
    response: pageOf(deadLetterSchema).openapi('DeadLetterPage'),
  }),
  getDeadLetter: operation({
    summary: 'One dead letter with its error and payload (operator)',
    tags: ['dead-letters'],
    params: deadLetterParams,
    response: deadLetterSchema,
    errors: ['NOT_FOUND'],
  }),
  redriveDeadLetter: operation({
    summary: 'Put a dead letter\'s event back on the bus through the outbox and mark it REDRIVEN (operator; audited)',
    description:
      'The event gets a new id (`redrive-<deadLetterId>`) and is delivered to every rule matching it, with fresh retries; consumers are idempotent. ' +
      'Redriving a redriven dead letter answers it as it is; a discarded one, or one without an event, is 409.',
    tags: ['dead-letters'],
    params: deadLetterParams,
    body: z.object({ reason: reasonSchema.optional() }).strict().openapi('DeadLetterRedrive'),
    response: deadLetterSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  redriveDeadLetters: operation({
    summary: 'Redrive the open dead letters (of one source), oldest first, up to `limit` (at most 25) per call (operator; audited)',
    description:
      'One transaction per call. Answers how many were redriven, how many open ones were skipped (no event to redrive), and `nextCursor`: call again with it to go on, until it is null.',
    tags: ['dead-letters'],
    query: pageQuerySchema.extend({
      limit: z.coerce.number().int().min(1).max(25).default(25).openapi({ description: 'Most dead letters redriven by this call, 1-25 (default 25).' }),
      source: z.enum(sources).optional(),
    }),
    body: z.object({ reason: reasonSchema }).strict().openapi('DeadLettersRedrive'),
    response: z
      .object({
        redriven: z.number().int(),
        skipped: z.number().int(),
        deadLetterIds: z.array(z.string()),
        nextCursor: z.string().nullable(),
      })
      .openapi('DeadLettersRedriven'),
    errors: ['CONFLICT'],
  }),
  discardDeadLetter: operation({
    summary: 'Close a dead letter without delivering it, with a reason (operator; audited)',
    description: 'Discarding a discarded dead letter answers it as it is; a redriven one is 409.',
    tags: ['dead-letters'],
    params: deadLetterParams,
    body: z.object({ reason: reasonSchema }).strict().openapi('DeadLetterDiscard'),
    response: deadLetterSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  listFulfilmentProblems: operation({
    summary: 'Supplier orders that failed (refused for good) or are stuck (no callback within the supplier\'s deadline), most recent first (operator)',
    description: 'From sparse lists on the orders, one partition per supplier: never a scan. `kind` FAILED (default) or STUCK; `supplier` narrows to one supplier.',
    tags: ['dead-letters'],
    query: pageQuerySchema.extend({
      kind: z.enum(['FAILED', 'STUCK']).default('FAILED'),
      supplier: idSchema.optional(),
    }),
    response: pageOf(fulfilmentProblemSchema).openapi('FulfilmentProblemPage'),
  }),
};
