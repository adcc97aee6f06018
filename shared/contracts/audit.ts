import { operation } from './operation.js';
import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { pageOf, pageQuerySchema } from './common.js';

/** `<type>:<id>`, e.g. `campaign:c-01H...`, `member:m-gold`, `earning-rules:current`. */
export const auditTargetSchema = doc(z.string().check(z.minLength(3), z.maxLength(200), z.regex(/^[a-z][a-z0-9-]*:[^\s]+$/, 'a target is "<type>:<id>", e.g. "campaign:c-1" or "member:m-gold"')), { description: 'The object changed, `<type>:<id>` (e.g. `campaign:c-1`, `member:m-gold`, `product:p-1`).' });

export const auditRecordSchema = doc(z.object({
  auditId: doc(z.string(), { description: 'ULID: sorts by time.' }),
  at: z.string(),
  operatorId: z.string(),
  role: doc(z.string(), { description: 'The role that admitted the change: admin, marketer, support or analyst; `inventory` for the inventory system\'s client (operatorId is then its client id); `pos` for a POS void of a purchase (operatorId `pos:<app client>`) or a POS client\'s offline batch of purchases (operatorId its client id).' }),
  operation: doc(z.string(), { description: 'API operation id, e.g. `updateCampaign`.' }),
  route: doc(z.string(), { description: 'Route template, e.g. `PATCH /v1/admin/campaigns/{campaignId}`.' }),
  path: z.string(),
  target: z.string(),
  summary: z.optional(z.string()),
  before: doc(z.optional(z.string()), { description: 'JSON of the object (or the fields changed) before; cut at 4,000 characters.' }),
  after: doc(z.optional(z.string()), { description: 'JSON of the object (or the fields changed) after; cut at 4,000 characters.' }),
  idempotencyKey: z.optional(z.string()),
  requestId: z.string(),
}), 'AuditRecord');

const isoInstant = z.iso.datetime({ offset: true });

export const auditOperations = {
  listAudit: operation({
    summary: 'The audit log of operator changes, newest first (operator)',
    description:
      'Every operator write is recorded in the transaction that makes it: who (operator and role), when, the route, the target, before and after, and the Idempotency-Key. Filter by `target` (one object\'s trail), `operatorId`, and a time range `from`/`to` (ISO 8601, inclusive).',
    tags: ['audit'],
    query: docExtend(pageQuerySchema, {
      target: z.optional(auditTargetSchema),
      operatorId: z.optional(z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9._:@+-]+$/, 'an operator id (the token subject)'))),
      from: z.optional(isoInstant),
      to: z.optional(isoInstant),
    }).check(z.refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), {
      message: 'from must not be after to',
      path: ['from'],
    })),
    response: doc(pageOf(auditRecordSchema), 'AuditPage'),
  }),
};
