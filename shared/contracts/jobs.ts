import * as z from '../zod.js';
import { doc } from './doc.js';
import { operation } from './operation.js';

export const jobNames = ['expiry', 'tier-review', 'birthdays', 'expiry-reminders', 'payment-timeouts', 'vest-pending', 'inactivity-expiry', 'auction-settlement', 'draw-seeds', 'flash-sale-stock', 'stalled-work'] as const;

export const jobResultSchema = doc(z.object({
  job: z.enum(jobNames),
  startedAt: z.string(),
  finishedAt: z.string(),
  stats: z.record(z.string(), z.number()),
}), 'JobResult');

export const jobOperations = {
  runJob: operation({
    summary: 'Run a scheduled job now (operator)',
    tags: ['admin'],
    params: z.object({ job: z.enum(jobNames) }),
    query: z.object({
      at: doc(z.optional(z.iso
        .datetime({ message: 'at must be an ISO-8601 UTC time' }).check(z.refine((at) => Date.parse(at) <= Date.now() + 60_000, 'at must not be in the future: a job run ahead of time would expire points early or vest pending points before their return window ends'))), { description: 'Run as of this past time (catching up); defaults to now.' }),
    }),
    response: jobResultSchema,
  }),
};
