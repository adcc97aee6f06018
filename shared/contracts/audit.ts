import './zod-openapi.js';
import { operation } from './operation.js';
import * as z from 'zod';
import { pageOf, pageQuerySchema } from './common.js';

/** `<type>:<id>`, e.g. `campaign:c-01H...`, `member:m-gold`, `earning-rules:current`. */
export const auditTargetSchema = z
  .string()
  .min(3)
  .max(200)
  .regex(/^[a-z][a-z0-9-]*:[^\s]+$/, 'a target is "<type>:<id>", e.g. "campaign:c-1" or "member:m-gold"')
  .openapi({ description: 'The object changed, `<type>:<id>` (e.g. `campaign:c-1`, `member:m-gold`, `product:p-1`).' });

export const auditRecordSchema = z
  .object({
    auditId: z.string().openapi({ description: 'ULID: sorts by time.' }),
    at: z.string(),
    operatorId: z.string(),
    role: z.string().openapi({ description: 'The role that admitted the change: admin, marketer, support or analyst.' }),
    operation: z.string().openapi({ description: 'API operation id, e.g. `updateCampaign`.' }),
    route: z.string().openapi({ description: 'Route template, e.g. `PATCH /v1/admin/campaigns/{campaignId}`.' }),
    path: z.string(),
    target: z.string(),
    summary: z.string().optional(),
    before: z.string().optional().openapi({ description: 'JSON of the object (or the fields changed) before; cut at 4,000 characters.' }),
    after: z.string().optional().openapi({ description: 'JSON of the object (or the fields changed) after; cut at 4,000 characters.' }),
    idempotencyKey: z.string().optional(),
    requestId: z.string(),
  })
  .openapi('AuditRecord');

const isoInstant = z.iso.datetime({ offset: true });

export const auditOperations = {
  listAudit: operation({
    summary: 'The audit log of operator changes, newest first (operator)',
    description:
      'Every operator write is recorded in the transaction that makes it: who (operator and role), when, the route, the target, before and after, and the Idempotency-Key. Filter by `target` (one object\'s trail), `operatorId`, and a time range `from`/`to` (ISO 8601, inclusive).',
    tags: ['audit'],
    query: pageQuerySchema
      .extend({
        target: auditTargetSchema.optional(),
        operatorId: z
          .string()
          .min(1)
          .max(128)
          .regex(/^[A-Za-z0-9._:@+-]+$/, 'an operator id (the token subject)')
          .optional(),
        from: isoInstant.optional(),
        to: isoInstant.optional(),
      })
      .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), {
        message: 'from must not be after to',
        path: ['from'],
      }),
    response: pageOf(auditRecordSchema).openapi('AuditPage'),
  }),
};
