import { campaignStates, isTimeZone } from '../domain/campaigns.js';
import { isMonth, monthsSpanned } from '../domain/months.js';
import { tiers } from '../domain/tiers.js';
import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, localDaySchema, pageOf, pageQuerySchema } from './common.js';
import { operation } from './operation.js';

const hhmm = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time like 00:00 or 23:59'));

const scheduleSchema = z.strictObject({
  startsAt: z.iso.datetime({ message: 'startsAt must be an ISO-8601 UTC time' }),
  endsAt: z.iso.datetime({ message: 'endsAt must be an ISO-8601 UTC time' }),
  timezone: z._default(z.string().check(z.refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai')), 'Asia/Shanghai'),
  recurring: doc(z._default(z.nullable(z.strictObject({
    daysOfWeek: doc(z.array(z.number().check(z.int(), z.gte(1), z.lte(7))).check(z.minLength(1), z.maxLength(7)), { description: 'ISO weekdays: 1 = Monday ... 7 = Sunday.' }),
    from: hhmm,
    to: hhmm,
  }).check(z.refine((w) => w.from <= w.to, { message: 'from must not be after to', path: ['to'] }))), null), { description: 'Only on these local days and times, e.g. weekends 00:00-23:59; null (the default) for every day and hour.' }),
}).check(z.refine((s) => Date.parse(s.endsAt) > Date.parse(s.startsAt), { message: 'endsAt must be after startsAt', path: ['endsAt'] }));

const effectSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('multiplier'), multiplier: z.number().check(z.gt(1), z.lte(100), z.refine((m) => Math.abs(m * 10_000 - Math.round(m * 10_000)) < 1e-6, 'at most 4 decimals')) }),
  z.strictObject({ kind: z.literal('bonus'), points: z.number().check(z.int(), z.positive(), z.lte(1_000_000)), minSpendCents: z.optional(z.number().check(z.int(), z.gte(0))) }),
]);

/** The longest spend period: the spend of at most this many monthly counters is summed. */
export const MAX_SPEND_PERIOD_MONTHS = 36;

const monthSchema = z.string().check(z.refine(isMonth, 'a month like 2026-03'));
const centsBound = z.number().check(z.int(), z.positive(), z.lte(1_000_000_000_000));

const spendPeriodSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('last-months'),
    months: doc(z.number().check(z.int(), z.gte(1), z.lte(MAX_SPEND_PERIOD_MONTHS)), {
      description: 'The programme-local month of the purchase and the months - 1 before it (3 in March: January, February and March so far).',
    }),
  }),
  doc(z.strictObject({ kind: z.literal('months'), from: monthSchema, to: monthSchema }).check(z.refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] }), z.refine((p) => monthsSpanned(p.from, p.to) <= MAX_SPEND_PERIOD_MONTHS, {
    message: `a period spans at most ${MAX_SPEND_PERIOD_MONTHS} months`,
    path: ['to'],
  })), { description: 'A fixed range of programme-local months, both included.' }),
]);

const spendSchema = doc(z.strictObject({
  period: spendPeriodSchema,
  atLeastCents: doc(z.optional(centsBound), { description: 'Spent at least this much in the period (cents, net of refunds).' }),
  belowCents: doc(z.optional(centsBound), { description: 'Spent less than this in the period (cents, net of refunds).' }),
}).check(z.refine((s) => s.atLeastCents !== undefined || s.belowCents !== undefined, { message: 'give atLeastCents, belowCents or both' }), z.refine((s) => s.atLeastCents === undefined || s.belowCents === undefined || s.atLeastCents < s.belowCents, {
  message: 'atLeastCents must be below belowCents',
  path: ['belowCents'],
})), {
  description:
    "Members by spend in a period: POS purchases paid in the period's months (programme time zone) minus their refunds, before the purchase being earned on.",
});

const audienceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('tiers'), tiers: z.array(z.enum(tiers)).check(z.minLength(1)) }),
  z.strictObject({
    kind: z.literal('segment'),
    tags: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(40))).check(z.maxLength(20))),
    registeredFrom: z.optional(z.iso.datetime()),
    registeredTo: z.optional(z.iso.datetime()),
    spend: z.optional(spendSchema),
  }),
]);

const targetsSchema = z.strictObject({ categories: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(40))).check(z.maxLength(50))), skus: z.optional(z.array(idSchema).check(z.maxLength(500))) });

export const campaignInputSchema = doc(z.strictObject({
  name: z.string().check(z.trim(), z.minLength(3), z.maxLength(120)),
  status: z._default(z.enum(['ACTIVE', 'PAUSED']), 'ACTIVE'),
  effect: effectSchema,
  schedule: scheduleSchema,
  audience: z._default(audienceSchema, { kind: 'all' }),
  targets: z._default(targetsSchema, {}),
  budgetPoints: doc(z._default(z.nullable(z.number().check(z.int(), z.positive())), null), { description: 'Points the campaign may issue in all; it stops atomically when spent.' }),
  perMemberCap: z._default(z.nullable(z.number().check(z.int(), z.positive())), null),
}), 'CampaignInput');

export const campaignSchema = doc(z.object({
  campaignId: z.string(),
  name: z.string(),
  status: z.enum(['ACTIVE', 'PAUSED']),
  effect: effectSchema,
  schedule: z.object({ startsAt: z.string(), endsAt: z.string(), timezone: z.string(), recurring: z.optional(z.nullable(z.object({ daysOfWeek: z.array(z.number()), from: z.string(), to: z.string() }))) }),
  audience: audienceSchema,
  targets: targetsSchema,
  budgetPoints: z.nullable(z.number().check(z.int())),
  perMemberCap: z.nullable(z.number().check(z.int())),
  version: z.number().check(z.int()),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
}), 'Campaign');

const campaignParams = z.object({ campaignId: idSchema });

const stateSchema = doc(z.enum(campaignStates), {
  description:
    'What the campaign is now (first that applies): `ended` (at or after endsAt), `budget-exhausted` (its budget all issued), `paused` (status PAUSED), `scheduled` (before startsAt), else `running` (its window has begun; `activeNow` says whether it pays this instant).',
});

export const campaignListItemSchema = doc(docExtend(campaignSchema, {
  state: stateSchema,
  budgetUsed: doc(z.number().check(z.int()), { description: 'Points issued so far, against budgetPoints (from the campaign counters).' }),
  activeNow: doc(z.boolean(), { description: 'Whether it pays purchases paid at this instant (ACTIVE, inside startsAt..endsAt and its recurring window).' }),
}), 'CampaignListItem');

const campaignBucketSchema = z.object({
  bucket: doc(z.string(), { description: 'Programme-local hour `YYYY-MM-DDTHH` or day `YYYY-MM-DD` (of the purchases\' paidAt).' }),
  participants: doc(z.number().check(z.int()), { description: 'Members whose first award from the campaign fell in this bucket.' }),
  pointsIssued: z.number().check(z.int()),
  purchases: z.number().check(z.int()),
  salesCents: z.number().check(z.int()),
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
    query: docExtend(pageQuerySchema, { state: z.optional(stateSchema) }),
    response: doc(pageOf(campaignListItemSchema), 'CampaignPage'),
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
    body: doc(z.strictObject({
      expectedVersion: z.number().check(z.int(), z.gte(1), z.lte(MAX_VERSION, MAX_VERSION_MESSAGE)),
      name: z.optional(z.string().check(z.trim(), z.minLength(3), z.maxLength(120))),
      status: z.optional(z.enum(['ACTIVE', 'PAUSED'])),
      effect: z.optional(effectSchema),
      schedule: z.optional(scheduleSchema),
      audience: z.optional(audienceSchema),
      targets: z.optional(targetsSchema),
      budgetPoints: z.optional(z.nullable(z.number().check(z.int(), z.positive()))),
      perMemberCap: z.optional(z.nullable(z.number().check(z.int(), z.positive()))),
    }), 'CampaignUpdate'),
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
      granularity: doc(z.optional(z.enum(['hour', 'day'])), { description: 'Adds `series`, per programme-local hour or day.' }),
      from: doc(z.optional(localDaySchema('from')), { description: 'First programme-local day of the series (inclusive).' }),
      to: doc(z.optional(localDaySchema('to')), { description: 'Last programme-local day of the series (inclusive).' }),
    }),
    response: doc(z.object({
      campaignId: z.string(),
      participants: z.number().check(z.int()),
      pointsIssued: z.number().check(z.int()),
      purchases: z.number().check(z.int()),
      salesCents: z.number().check(z.int()),
      budgetPoints: z.nullable(z.number().check(z.int())),
      budgetLeft: z.nullable(z.number().check(z.int())),
      state: stateSchema,
      series: z.optional(z.object({
        granularity: z.enum(['hour', 'day']),
        timezone: doc(z.string(), { description: 'The programme time zone the buckets are in.' }),
        from: z.string(),
        to: z.string(),
        buckets: doc(z.array(campaignBucketSchema), { description: 'Every hour or day of the range, oldest first; zeros where the campaign paid nothing.' }),
      })),
    }), 'CampaignStats'),
    errors: ['NOT_FOUND', 'VALIDATION_FAILED'],
  }),
};
