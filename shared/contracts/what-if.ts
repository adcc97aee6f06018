import { MAX_REPLAY_DAYS } from '../domain/what-if.js';
import { campaignInputSchema } from './campaigns.js';
import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, pageOf, pageQuerySchema } from './common.js';
import { earningRulesBodySchema } from './earning-rules.js';
import { operation } from './operation.js';
import { localDay } from './reports.js';

export const replayStates = ['QUEUED', 'RUNNING', 'DONE', 'FAILED'] as const;

const daysSpanned = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;

export const whatIfReplayRequestSchema = doc(z.strictObject({
  from: doc(localDay('from'), { description: 'First programme day of the period, YYYY-MM-DD (inclusive).' }),
  to: doc(localDay('to'), { description: `Last programme day, YYYY-MM-DD (inclusive), today at the latest; at most ${MAX_REPLAY_DAYS} days from \`from\`.` }),
  draftRules: doc(z.optional(earningRulesBodySchema), {
    description: 'An unsaved earning-rules document, whole, as PUT /v1/admin/earning-rules takes it (without expectedVersion): it replaces the rules each purchase earned under.',
  }),
  draftCampaign: doc(z.optional(campaignInputSchema), {
    description: 'An unsaved campaign, as POST /v1/admin/campaigns takes it: it joins the campaigns each purchase earned with, where it would have run for its member.',
  }),
}).check(z.refine((r) => r.from <= r.to, { message: 'to must not be before from', path: ['to'] }), z.refine((r) => r.from > r.to || daysSpanned(r.from, r.to) <= MAX_REPLAY_DAYS, { message: `a replay covers at most ${MAX_REPLAY_DAYS} days`, path: ['to'] }), z.refine((r) => r.draftRules !== undefined || r.draftCampaign !== undefined, { message: 'give draftRules, draftCampaign or both: a replay compares a draft with what was issued', path: ['draftRules'] })), 'WhatIfReplayRequest');

const dayFiguresSchema = z.object({
  purchases: z.number().check(z.int()),
  actualPoints: doc(z.number().check(z.int()), { description: 'Points the purchases were credited, as recorded.' }),
  draftPoints: doc(z.number().check(z.int()), { description: 'Points they would have been credited under the draft.' }),
  differencePoints: doc(z.number().check(z.int()), { description: 'draftPoints - actualPoints.' }),
  actualValueCents: z.number().check(z.int()),
  draftValueCents: z.number().check(z.int()),
  costCents: doc(z.number().check(z.int()), { description: 'draftValueCents - actualValueCents: what the draft would have cost more (negative: less), in CNY cents.' }),
});

const resultSchema = doc(docExtend(dayFiguresSchema, {
  pointsPerYuan: doc(z.number().check(z.int()), { description: 'The point value in force (earning rules): points worth 1 CNY.' }),
  draftPointsPerYuan: doc(z.number().check(z.int()), { description: "The draft's point value (the draft rules', else the one in force)." }),
  liability: doc(z.object({
    outstandingPoints: doc(z.number().check(z.int()), { description: 'What members own now (available + held), from the points report.' }),
    beforeCents: doc(z.number().check(z.int()), { description: 'outstandingPoints at the point value in force.' }),
    afterCents: doc(z.number().check(z.int()), { description: "outstandingPoints + differencePoints at the draft's point value." }),
    changeCents: z.number().check(z.int()),
  }), { description: 'The outstanding liability, had the draft been in force over the period (no redemption or expiry of the extra points assumed).' }),
  draftCampaign: z.nullable(z.object({
    pointsPaid: doc(z.number().check(z.int()), { description: 'Points the draft campaign would have paid (after its budget and per-member cap).' }),
    budgetPoints: z.nullable(z.number().check(z.int())),
    budgetLeft: z.nullable(z.number().check(z.int())),
  })),
  days: doc(z.array(docExtend(dayFiguresSchema, { day: z.string() })), { description: 'One row per programme day of the period, oldest first.' }),
}), 'WhatIfReplayResult');

export const whatIfReplaySchema = doc(z.object({
  replayId: z.string(),
  state: doc(z.enum(replayStates), { description: 'QUEUED (written, not started), RUNNING, DONE (result set), FAILED (error set).' }),
  from: z.string(),
  to: z.string(),
  timezone: doc(z.string(), { description: 'The programme time zone that defines a day.' }),
  draftRules: z.nullable(earningRulesBodySchema),
  draftCampaign: z.nullable(campaignInputSchema),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  startedAt: z.nullable(z.string()),
  finishedAt: z.nullable(z.string()),
  progress: z.object({
    daysDone: z.number().check(z.int()),
    days: z.number().check(z.int()),
    purchasesReplayed: z.number().check(z.int()),
  }),
  result: doc(z.nullable(resultSchema), { description: 'Set when DONE.' }),
  error: doc(z.nullable(z.string()), { description: 'Why the replay FAILED.' }),
}), 'WhatIfReplay');

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
    response: doc(pageOf(whatIfReplaySchema), 'WhatIfReplayPage'),
  }),
  getWhatIfReplay: operation({
    summary: 'One what-if replay: its state, progress and, when DONE, its result (operator)',
    tags: ['earning'],
    params: z.object({ replayId: idSchema }),
    response: whatIfReplaySchema,
    errors: ['NOT_FOUND'],
  }),
};
