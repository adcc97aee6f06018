import { operation } from './operation.js';
import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, pageOf, pageQuerySchema } from './common.js';

/** Kept here (not imported from shared/events/dead-letters.ts) so every function's contracts stay free of table code. */
const statuses = ['OPEN', 'REDRIVEN', 'DISCARDED'] as const;
const sources = ['outbox', 'fulfilment', 'callbacks', 'other'] as const;

export const deadLetterSchema = doc(z.object({
  deadLetterId: z.string(),
  status: doc(z.enum(statuses), { description: 'OPEN until an operator redrives (REDRIVEN) or discards it (DISCARDED).' }),
  source: doc(z.enum(sources), {
    description: '`outbox`: the bus refused an outbox event; `fulfilment`: an order event its supplier submission failed on; `callbacks`: a supplier or payment callback the state machine failed on; `other`.',
  }),
  target: doc(z.string(), { description: 'Where delivery failed: the event rule (e.g. `supplier-jd-placed`), or `event-bus` for the outbox.' }),
  detailType: z.nullable(z.string()),
  orderId: doc(z.nullable(z.string()), { description: 'The order the event names, if any.' }),
  error: z.string(),
  attempts: doc(z.number().check(z.int()), { description: 'Delivery attempts before it was given up.' }),
  payload: doc(z.string(), { description: 'The failed message as JSON text (cut at 32,000 characters).' }),
  redrivable: doc(z.boolean(), { description: 'Whether it keeps an event a redrive can put back on the bus.' }),
  failedAt: z.string(),
  recordedAt: z.string(),
  redrivenAt: z.optional(z.string()),
  redrivenBy: z.optional(z.string()),
  redriveEventId: doc(z.optional(z.string()), { description: 'Id of the event the redrive put on the bus (`redrive-<deadLetterId>`).' }),
  discardedAt: z.optional(z.string()),
  discardedBy: z.optional(z.string()),
  discardReason: z.optional(z.string()),
}), 'DeadLetter');

export const fulfilmentProblemSchema = doc(z.object({
  kind: z.enum(['FAILED', 'STUCK']),
  orderId: z.string(),
  memberId: z.string(),
  productId: z.string(),
  productName: z.string(),
  quantity: z.number().check(z.int()),
  supplierId: z.string(),
  sku: z.string(),
  status: doc(z.string(), { description: "The order's status now." }),
  since: doc(z.string(), { description: 'FAILED: when the supplier refused it; STUCK: when it was submitted.' }),
  deadlineAt: doc(z.nullable(z.string()), { description: 'STUCK: when the first callback was due.' }),
  reason: doc(z.string(), { description: "The last reason on the order's history." }),
  updatedAt: z.string(),
}), 'FulfilmentProblem');

const deadLetterParams = z.object({ deadLetterId: idSchema });
const reasonSchema = z.string().check(z.trim(), z.minLength(3, 'give a reason of at least 3 characters'), z.maxLength(500));

export const deadLetterOperations = {
  listDeadLetters: operation({
    summary: 'Dead letters: deliveries that failed for good, newest first, by status (default OPEN) and source (operator)',
    tags: ['dead-letters'],
    query: docExtend(pageQuerySchema, {
      status: z._default(z.enum(statuses), 'OPEN'),
      source: z.optional(z.enum(sources)),
    }),
    response: doc(pageOf(deadLetterSchema), 'DeadLetterPage'),
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
    body: doc(z.strictObject({ reason: z.optional(reasonSchema) }), 'DeadLetterRedrive'),
    response: deadLetterSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  redriveDeadLetters: operation({
    summary: 'Redrive the open dead letters (of one source), oldest first, up to `limit` (at most 25) per call (operator; audited)',
    description:
      'One transaction per call. Answers how many were redriven, how many open ones were skipped (no event to redrive), and `nextCursor`: call again with it to go on, until it is null.',
    tags: ['dead-letters'],
    query: docExtend(pageQuerySchema, {
      limit: doc(z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(25)), 25), { description: 'Most dead letters redriven by this call, 1-25 (default 25).' }),
      source: z.optional(z.enum(sources)),
    }),
    body: doc(z.strictObject({ reason: reasonSchema }), 'DeadLettersRedrive'),
    response: doc(z.object({
      redriven: z.number().check(z.int()),
      skipped: z.number().check(z.int()),
      deadLetterIds: z.array(z.string()),
      nextCursor: z.nullable(z.string()),
    }), 'DeadLettersRedriven'),
    errors: ['CONFLICT'],
  }),
  discardDeadLetter: operation({
    summary: 'Close a dead letter without delivering it, with a reason (operator; audited)',
    description: 'Discarding a discarded dead letter answers it as it is; a redriven one is 409.',
    tags: ['dead-letters'],
    params: deadLetterParams,
    body: doc(z.strictObject({ reason: reasonSchema }), 'DeadLetterDiscard'),
    response: deadLetterSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  listFulfilmentProblems: operation({
    summary: 'Supplier orders that failed (refused for good) or are stuck (no callback within the supplier\'s deadline), most recent first (operator)',
    description: 'From sparse lists on the orders, one partition per supplier: never a scan. `kind` FAILED (default) or STUCK; `supplier` narrows to one supplier.',
    tags: ['dead-letters'],
    query: docExtend(pageQuerySchema, {
      kind: z._default(z.enum(['FAILED', 'STUCK']), 'FAILED'),
      supplier: z.optional(idSchema),
    }),
    response: doc(pageOf(fulfilmentProblemSchema), 'FulfilmentProblemPage'),
  }),
};
