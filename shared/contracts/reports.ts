import { currencySchema, z } from './common.js';
import { operation } from './operation.js';

const MAX_REPORT_DAYS = 92;

/** A programme-local calendar date `YYYY-MM-DD`. */
export const localDay = (what: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${what} must be a date YYYY-MM-DD`)
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), `${what} is not a calendar date`);

const figures = z.object({
  issued: z.number().int().openapi({ description: 'New points: earned (EARN, VEST) and operator credits (ADJUST_CREDIT).' }),
  redeemed: z.number().int().openapi({ description: 'Points spent for good (SPEND + CAPTURE), net of REFUND.' }),
  expired: z.number().int(),
  clawedBack: z.number().int().openapi({ description: 'Points taken back: refund clawbacks (CLAWBACK) and operator debits (ADJUST_DEBIT).' }),
  held: z.number().int().openapi({ description: 'Points put on hold (points+cash orders, bids).' }),
  released: z.number().int().openapi({ description: 'Held points given back.' }),
  pendingEarned: z.number().int().openapi({ description: 'Points earned into the return window (not yet available).' }),
  pendingCancelled: z.number().int().openapi({ description: 'Pending points cancelled by refunds inside the window.' }),
  netChange: z.number().int().openapi({ description: 'Net change of what members own (available + held).' }),
  entries: z.number().int().openapi({ description: 'Ledger entries counted.' }),
  byType: z.record(z.string(), z.number().int()).openapi({ description: 'Points moved per ledger entry type (ADJUST split by direction).' }),
});

export const pointsReportSchema = z
  .object({
    currency: z.string(),
    timezone: z.string().openapi({ description: 'The programme time zone that defines a day.' }),
    from: z.string(),
    to: z.string(),
    unitsPerYuan: z.number().openapi({ description: 'Points value used for liability: how many units are worth 1 CNY.' }),
    totals: figures.openapi({ description: 'The figures summed over the range.' }),
    days: z.array(figures.extend({ day: z.string() })).openapi({ description: 'One row per day of the range, oldest first; days without entries are zeros.' }),
    outstanding: z.object({
      available: z.number().int(),
      held: z.number().int(),
      pending: z.number().int(),
      points: z.number().int().openapi({ description: 'available + held: what members own now.' }),
      liabilityCents: z.number().int().openapi({ description: 'Outstanding points at the points value, in CNY cents (rounded down).' }),
      pendingLiabilityCents: z.number().int().openapi({ description: 'Pending points at the points value (contingent: refunds in the window cancel them).' }),
      countedThrough: z.string().nullable().openapi({ description: 'When the counters last took in ledger entries (they trail the ledger by seconds).' }),
    }),
  })
  .openapi('PointsReport');

export const reportOperations = {
  pointsReport: operation({
    summary: 'Points issued, redeemed, expired per day, and the outstanding liability (operator)',
    description:
      `Days are programme-local (Asia/Shanghai by default). Default range: the 30 days up to today; at most ${MAX_REPORT_DAYS} days. ` +
      'Kept incrementally from the ledger (each entry counted once, via the table stream), so figures trail the ledger by seconds.',
    tags: ['reports'],
    query: z.object({
      currency: currencySchema,
      from: localDay('from').optional().openapi({ description: 'First day, YYYY-MM-DD (inclusive).' }),
      to: localDay('to').optional().openapi({ description: 'Last day, YYYY-MM-DD (inclusive); defaults to today.' }),
    }),
    response: pointsReportSchema,
    errors: ['VALIDATION_FAILED'],
  }),
};
