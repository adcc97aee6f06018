import { isTimeZone } from '../domain/campaigns.js';
import { tiers } from '../domain/tiers.js';
import { idSchema, pageOf, pageQuerySchema, z } from './common.js';
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

const audienceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  z.object({ kind: z.literal('tiers'), tiers: z.array(z.enum(tiers)).min(1) }).strict(),
  z
    .object({
      kind: z.literal('segment'),
      tags: z.array(z.string().min(1).max(40)).max(20).optional(),
      registeredFrom: z.iso.datetime().optional(),
      registeredTo: z.iso.datetime().optional(),
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

export const campaignOperations = {
  createCampaign: operation({
    summary: 'Launch a campaign: double points or a fixed bonus, timed, targeted, with a budget (operator)',
    tags: ['campaigns'],
    body: campaignInputSchema,
    response: campaignSchema,
    status: 201,
  }),
  listCampaigns: operation({
    summary: 'Campaigns, latest ending first (operator)',
    tags: ['campaigns'],
    query: pageQuerySchema,
    response: pageOf(campaignSchema).openapi('CampaignPage'),
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
        expectedVersion: z.number().int().min(1),
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
    summary: 'What a campaign did: participants, points issued, purchases and sales, budget left (operator)',
    tags: ['campaigns'],
    params: campaignParams,
    response: z
      .object({
        campaignId: z.string(),
        participants: z.number().int(),
        pointsIssued: z.number().int(),
        purchases: z.number().int(),
        salesCents: z.number().int(),
        budgetPoints: z.number().int().nullable(),
        budgetLeft: z.number().int().nullable(),
      })
      .openapi('CampaignStats'),
    errors: ['NOT_FOUND'],
  }),
};
