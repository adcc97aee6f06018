import './zod-openapi.js';
import { campaignStates, isTimeZone } from '../domain/campaigns.js';
import { isMonth, monthsSpanned } from '../domain/months.js';
import { tiers } from '../domain/tiers.js';
import * as z from 'zod';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, localDaySchema, pageOf, pageQuerySchema } from './common.js';
import { operation } from './operation.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time like 00:00 or 23:59');

const scheduleSchema = z
  .object({
    startsAt: z.iso.datetime({ message: 'startsAt must be an ISO-8601 UTC time' }),
    endsAt: z.iso.datetime({ message: 'endsAt must be an ISO-8601 UTC time' }),
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
    recurring: z
      .object({
        daysOfWeek: z.array(z.number().int().min(1).max(7)).min(1).max(7).openapi({ description: 'ISO weekdays: 1 = Monday ... 7 = Sunday.' }),
        from: hhmm,
        to: hhmm,
      })
      .strict()
      .refine((w) => w.from <= w.to, { message: 'from must not be after to', path: ['to'] })
      .nullable()
      .optional()
      .openapi({ description: 'Only on these local days and times, e.g. weekends 00:00-23:59.' }),
  })
  .strict()
  .refine((s) => Date.parse(s.endsAt) > Date.parse(s.startsAt), { message: 'endsAt must be after startsAt', path: ['endsAt'] });

const effectSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('multiplier'), multiplier: z.number().gt(1).max(100).refine((m) => Math.abs(m * 10_000 - Math.round(m * 10_000)) < 1e-6, 'at most 4 decimals') }).strict(),
  z.object({ kind: z.literal('bonus'), points: z.number().int().positive().max(1_000_000), minSpendCents: z.number().int().min(0).optional() }).strict(),
]);

/** The longest spend period: the spend of at most this many monthly counters is summed. */
export const MAX_SPEND_PERIOD_MONTHS = 36;

const monthSchema = z.string().refine(isMonth, 'a month like 2026-03');
const centsBound = z.number().int().positive().max(1_000_000_000_000);

const spendPeriodSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('last-months'),
      months: z.number().int().min(1).max(MAX_SPEND_PERIOD_MONTHS).openapi({
        description: 'The programme-local month of the purchase and the months - 1 before it (3 in March: January, February and March so far).',
      }),
    })
    .strict(),
  z
    .object({ kind: z.literal('months'), from: monthSchema, to: monthSchema })
    .strict()
    .refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] })
    .refine((p) => monthsSpanned(p.from, p.to) <= MAX_SPEND_PERIOD_MONTHS, {
      message: `a period spans at most ${MAX_SPEND_PERIOD_MONTHS} months`,
      path: ['to'],
    })
    .openapi({ description: 'A fixed range of programme-local months, both included.' }),
]);

const spendSchema = z
  .object({
    period: spendPeriodSchema,
    atLeastCents: centsBound.optional().openapi({ description: 'Spent at least this much in the period (cents, net of refunds).' }),
    belowCents: centsBound.optional().openapi({ description: 'Spent less than this in the period (cents, net of refunds).' }),
  })
  .strict()
  .refine((s) => s.atLeastCents !== undefined || s.belowCents !== undefined, { message: 'give atLeastCents, belowCents or both' })
  .refine((s) => s.atLeastCents === undefined || s.belowCents === undefined || s.atLeastCents < s.belowCents, {
    message: 'atLeastCents must be below belowCents',
    path: ['belowCents'],
  })
  .openapi({
    description:
      "Members by spend in a period: POS purchases paid in the period's months (programme time zone) minus their refunds, before the purchase being earned on.",
  });

const audienceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  z.object({ kind: z.literal('tiers'), tiers: z.array(z.enum(tiers)).min(1) }).strict(),
  z
    .object({
      kind: z.literal('segment'),
      tags: z.array(z.string().min(1).max(40)).max(20).optional(),
      registeredFrom: z.iso.datetime().optional(),
      registeredTo: z.iso.datetime().optional(),
      spend: spendSchema.optional(),
    })
    .strict(),
]);

const targetsSchema = z
  .object({ categories: z.array(z.string().min(1).max(40)).max(50).optional(), skus: z.array(idSchema).max(500).optional() })
  .strict();

export const campaignInputSchema = z
  .object({
    name: z.string().trim().min(3).max(120),
    status: z.enum(['ACTIVE', 'PAUSED']).default('ACTIVE'),
    effect: effectSchema,
    schedule: scheduleSchema,
    audience: audienceSchema.default({ kind: 'all' }),
    targets: targetsSchema.default({}),
    budgetPoints: z.number().int().positive().nullable().default(null).openapi({ description: 'Points the campaign may issue in all; it stops atomically when spent.' }),
    perMemberCap: z.number().int().positive().nullable().default(null),
  })
  .strict()
  .openapi('CampaignInput');

export const campaignSchema = z
  .object({
    campaignId: z.string(),
    name: z.string(),
    status: z.enum(['ACTIVE', 'PAUSED']),
    effect: effectSchema,
    schedule: z.object({ startsAt: z.string(), endsAt: z.string(), timezone: z.string(), recurring: z.object({ daysOfWeek: z.array(z.number()), from: z.string(), to: z.string() }).nullable().optional() }),
    audience: audienceSchema,
    targets: targetsSchema,
    budgetPoints: z.number().int().nullable(),
    perMemberCap: z.number().int().nullable(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('Campaign');

const campaignParams = z.object({ campaignId: idSchema });

const stateSchema = z.enum(campaignStates).openapi({
  description:
    'What the campaign is now (first that applies): `ended` (at or after endsAt), `budget-exhausted` (its budget all issued), `paused` (status PAUSED), `scheduled` (before startsAt), else `running` (its window has begun; `activeNow` says whether it pays this instant).',
});

export const campaignListItemSchema = campaignSchema
  .extend({
    state: stateSchema,
    budgetUsed: z.number().int().openapi({ description: 'Points issued so far, against budgetPoints (from the campaign counters).' }),
    activeNow: z.boolean().openapi({ description: 'Whether it pays purchases paid at this instant (ACTIVE, inside startsAt..endsAt and its recurring window).' }),
  })
  .openapi('CampaignListItem');

const campaignBucketSchema = z.object({
  bucket: z.string().openapi({ description: 'Programme-local hour `YYYY-MM-DDTHH` or day `YYYY-MM-DD` (of the purchases\' paidAt).' }),
  participants: z.number().int().openapi({ description: 'Members whose first award from the campaign fell in this bucket.' }),
  pointsIssued: z.number().int(),
  purchases: z.number().int(),
  salesCents: z.number().int(),
});

export const campaignOperations = {
  createCampaign: operation({
    summary: 'Launch a campaign: double points or a fixed bonus, timed, targeted, with a budget (operator)',
    tags: ['campaigns'],
    body: campaignInputSchema,
    response: campaignSchema,
    status: 201,
  }),
  listCampaigns: operation({
    summary: 'Campaigns, latest ending first, with budget used and state now; filterable by state (operator)',
    description:
      'With `state`, pages may hold fewer than `limit` items (the state is computed from each campaign\'s counters, not by the index); keep following `nextCursor` until it is null.',
    tags: ['campaigns'],
    query: pageQuerySchema.extend({ state: stateSchema.optional() }),
    response: pageOf(campaignListItemSchema).openapi('CampaignPage'),
  }),
  getCampaign: operation({
    summary: 'One campaign (operator)',
    tags: ['campaigns'],
    params: campaignParams,
    response: campaignSchema,
    errors: ['NOT_FOUND'],
  }),
  updateCampaign: operation({
    summary: 'Change a campaign (pause, extend, budget ...); applies to purchases from now on (operator)',
    tags: ['campaigns'],
    params: campaignParams,
    body: z
      .object({
        expectedVersion: z.number().int().min(1).max(MAX_VERSION, MAX_VERSION_MESSAGE),
        name: z.string().trim().min(3).max(120).optional(),
        status: z.enum(['ACTIVE', 'PAUSED']).optional(),
        effect: effectSchema.optional(),
        schedule: scheduleSchema.optional(),
        audience: audienceSchema.optional(),
        targets: targetsSchema.optional(),
        budgetPoints: z.number().int().positive().nullable().optional(),
        perMemberCap: z.number().int().positive().nullable().optional(),
      })
      .strict()
      .openapi('CampaignUpdate'),
    response: campaignSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  campaignStats: operation({
    summary: 'What a campaign did: participants, points issued, purchases and sales, budget left; optionally per hour or day (operator)',
    description:
      'With `granularity`, `series` gives the figures per programme-local hour or day of the purchases\' paidAt over `from`..`to` ' +
      '(default: the campaign\'s first day to its last day or today); an hourly series covers at most 31 days, a daily one 366.',
    tags: ['campaigns'],
    params: campaignParams,
    query: z.object({
      granularity: z.enum(['hour', 'day']).optional().openapi({ description: 'Adds `series`, per programme-local hour or day.' }),
      from: localDaySchema('from').optional().openapi({ description: 'First programme-local day of the series (inclusive).' }),
      to: localDaySchema('to').optional().openapi({ description: 'Last programme-local day of the series (inclusive).' }),
    }),
    response: z
      .object({
        campaignId: z.string(),
        participants: z.number().int(),
        pointsIssued: z.number().int(),
        purchases: z.number().int(),
        salesCents: z.number().int(),
        budgetPoints: z.number().int().nullable(),
        budgetLeft: z.number().int().nullable(),
        state: stateSchema,
        series: z
          .object({
            granularity: z.enum(['hour', 'day']),
            timezone: z.string().openapi({ description: 'The programme time zone the buckets are in.' }),
            from: z.string(),
            to: z.string(),
            buckets: z.array(campaignBucketSchema).openapi({ description: 'Every hour or day of the range, oldest first; zeros where the campaign paid nothing.' }),
          })
          .optional(),
      })
      .openapi('CampaignStats'),
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
  }),
};
