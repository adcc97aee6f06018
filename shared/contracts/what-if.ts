import './zod-openapi.js';
import { MAX_REPLAY_DAYS } from '../domain/what-if.js';
import { campaignInputSchema } from './campaigns.js';
import * as z from 'zod';
import { idSchema, pageOf, pageQuerySchema } from './common.js';
import { earningRulesBodySchema } from './earning.js';
import { operation } from './operation.js';
import { localDay } from './reports.js';

export const replayStates = ['QUEUED', 'RUNNING', 'DONE', 'FAILED'] as const;

const daysSpanned = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

export const whatIfReplayRequestSchema = z
  .object({
    from: localDay('from').openapi({ description: 'First programme day of the period, YYYY-MM-DD (inclusive).' }),
    to: localDay('to').openapi({ description: `Last programme day, YYYY-MM-DD (inclusive), today at the latest; at most ${MAX_REPLAY_DAYS} days from \`from\`.` }),
    draftRules: earningRulesBodySchema.optional().openapi({
      description: 'An unsaved earning-rules document, whole, as PUT /v1/admin/earning-rules takes it (without expectedVersion): it replaces the rules each purchase earned under.',
    }),
    draftCampaign: campaignInputSchema.optional().openapi({
      description: 'An unsaved campaign, as POST /v1/admin/campaigns takes it: it joins the campaigns each purchase earned with, where it would have run for its member.',
    }),
  })
  .strict()
  .refine((r) => r.from <= r.to, { message: 'to must not be before from', path: ['to'] })
  .refine((r) => r.from > r.to || daysSpanned(r.from, r.to) <= MAX_REPLAY_DAYS, { message: `a replay covers at most ${MAX_REPLAY_DAYS} days`, path: ['to'] })
  .refine((r) => r.draftRules !== undefined || r.draftCampaign !== undefined, { message: 'give draftRules, draftCampaign or both: a replay compares a draft with what was issued', path: ['draftRules'] })
  .openapi('WhatIfReplayRequest');

const dayFiguresSchema = z.object({
  purchases: z.number().int(),
  actualPoints: z.number().int().openapi({ description: 'Points the purchases were credited, as recorded.' }),
  draftPoints: z.number().int().openapi({ description: 'Points they would have been credited under the draft.' }),
  differencePoints: z.number().int().openapi({ description: 'draftPoints - actualPoints.' }),
  actualValueCents: z.number().int(),
  draftValueCents: z.number().int(),
  costCents: z.number().int().openapi({ description: 'draftValueCents - actualValueCents: what the draft would have cost more (negative: less), in CNY cents.' }),
});

const resultSchema = dayFiguresSchema
  .extend({
    pointsPerYuan: z.number().int().openapi({ description: 'The point value in force (earning rules): points worth 1 CNY.' }),
    draftPointsPerYuan: z.number().int().openapi({ description: "The draft's point value (the draft rules', else the one in force)." }),
    liability: z
      .object({
        outstandingPoints: z.number().int().openapi({ description: 'What members own now (available + held), from the points report.' }),
        beforeCents: z.number().int().openapi({ description: 'outstandingPoints at the point value in force.' }),
        afterCents: z.number().int().openapi({ description: "outstandingPoints + differencePoints at the draft's point value." }),
        changeCents: z.number().int(),
      })
      .openapi({ description: 'The outstanding liability, had the draft been in force over the period (no redemption or expiry of the extra points assumed).' }),
    draftCampaign: z
      .object({
        pointsPaid: z.number().int().openapi({ description: 'Points the draft campaign would have paid (after its budget and per-member cap).' }),
        budgetPoints: z.number().int().nullable(),
        budgetLeft: z.number().int().nullable(),
      })
      .nullable(),
    days: z.array(dayFiguresSchema.extend({ day: z.string() })).openapi({ description: 'One row per programme day of the period, oldest first.' }),
  })
  .openapi('WhatIfReplayResult');

export const whatIfReplaySchema = z
  .object({
    replayId: z.string(),
    state: z.enum(replayStates).openapi({ description: 'QUEUED (written, not started), RUNNING, DONE (result set), FAILED (error set).' }),
    from: z.string(),
    to: z.string(),
    timezone: z.string().openapi({ description: 'The programme time zone that defines a day.' }),
    draftRules: earningRulesBodySchema.nullable(),
    draftCampaign: campaignInputSchema.nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    progress: z.object({
      daysDone: z.number().int(),
      days: z.number().int(),
      purchasesReplayed: z.number().int(),
    }),
    result: resultSchema.nullable().openapi({ description: 'Set when DONE.' }),
    error: z.string().nullable().openapi({ description: 'Why the replay FAILED.' }),
  })
  .openapi('WhatIfReplay');

export const whatIfOperations = {
  createWhatIfReplay: operation({
    summary: 'Replay a draft of the earning rules or a draft campaign over the purchases of a past period (operator); runs in the background',
    description:
      'Answers 202 with the replay QUEUED; the work runs from the table stream. Poll GET /v1/admin/what-if-replays/{replayId} until DONE: ' +
      'the purchases of the period, the points they were credited, what the draft would have credited, the difference, its cost in CNY ' +
      'and the change in liability, per day and in all. Purchases are read by the time they were paid (an index per day), never by a scan; ' +
      'purchases recorded before the index existed are not replayed.',
    tags: ['earning'],
    body: whatIfReplayRequestSchema,
    response: whatIfReplaySchema,
    status: 202,
  }),
  listWhatIfReplays: operation({
    summary: 'What-if replays, newest first (operator)',
    tags: ['earning'],
    query: pageQuerySchema,
    response: pageOf(whatIfReplaySchema).openapi('WhatIfReplayPage'),
  }),
  getWhatIfReplay: operation({
    summary: 'One what-if replay: its state, progress and, when DONE, its result (operator)',
    tags: ['earning'],
    params: z.object({ replayId: idSchema }),
    response: whatIfReplaySchema,
    errors: ['NOT_FOUND'],
  }),
};
