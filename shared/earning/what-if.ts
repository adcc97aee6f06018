/**
 * What-if replays: a draft of the earning rules and/or a draft campaign run
 * over the real purchases of a past period, against what those purchases were
 * actually credited (docs/earning.md, What-if replays).
 *
 * The request only writes the replay item (QUEUED). The work runs from the
 * table stream (consumer `what-if-replays`, lib/routes.ts): the INSERT starts
 * it; it reads the period's purchases day by day through the purchase-time
 * index (keys.purchaseTime, a Query per shard and page, never a Scan), in
 * time order, and saves its position and running figures on the item after
 * every page, so a retried or interrupted run goes on where the last saved
 * page ended. One invocation works a bounded time (a segment); an unfinished
 * replay hands over to the next invocation by bumping `segment`, a MODIFY the
 * same consumer picks up. Every save is conditional on the step it read, so
 * two runners of one replay never both count a page.
 */
import { BatchGetCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { monotonicFactory } from 'ulid';
import { auditItems } from '../audit/audit.js';
import type { AudienceMember } from '../domain/campaigns.js';
import type { ApplicableCampaign, PurchaseLine } from '../domain/earning.js';
import { localDate, PROGRAMME_TIMEZONE } from '../domain/programme.js';
import type { Tier } from '../domain/tiers.js';
import {
  addFigures,
  daysOf,
  draftCampaignAt,
  liabilityChange,
  MAX_REPLAY_DAYS,
  mergeShardPages,
  nextDay,
  NO_FIGURES,
  replayPurchase,
  valued,
  type DraftCampaign,
  type ReplayedPurchase,
  type ReplayFigures,
  type ShardPage,
} from '../domain/what-if.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import { DEFAULT_CURRENCY } from '../ledger/wallet-item.js';
import { findMember } from '../members/service.js';
import { logger } from '../observability/powertools.js';
import { newImageOf } from '../streams/records.js';
import { dbCallFailureOf } from '../table/call-failure.js';
import { db, tableName } from '../table/client.js';
import { keys, PURCHASE_TIME_SHARDS } from '../table/keys.js';
import { queryItems, queryPage, type PageRequest } from '../table/paging.js';
import { getCampaign } from './campaigns.js';
import { getEarningRules, getEarningRulesVersion, type EarningRules, type EarningRulesInput } from './rules-store.js';
import { failWork } from '../streams/stalled.js';

export type ReplayState = 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';

export interface ReplayRequest {
  readonly from: string;
  readonly to: string;
  readonly draftRules?: EarningRulesInput | undefined;
  readonly draftCampaign?: DraftCampaign | undefined;
}

/** Where a replay is: the day it works on and, per index shard of that day, the sort key of the last purchase counted. */
interface ReplayPosition {
  readonly day: string;
  readonly after: readonly (string | null)[];
  readonly exhausted: readonly boolean[];
}

interface ReplayItem {
  readonly replayId: string;
  readonly state: ReplayState;
  readonly from: string;
  readonly to: string;
  readonly timezone: string;
  readonly draftRules?: EarningRulesInput;
  readonly draftCampaign?: DraftCampaign;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly error?: string;
  /** Invocations the replay has been handed to so far (bumped to hand over to the next one). */
  readonly segment: number;
  /** Saves so far: each save is conditional on it. */
  readonly step: number;
  readonly position: ReplayPosition;
  readonly daysDone: number;
  readonly totals: ReplayFigures;
  readonly dayFigures: Readonly<Record<string, ReplayFigures>>;
  /** Points the draft campaign has paid so far (its budget). */
  readonly draftCampaignPaid: number;
  readonly result?: ReturnType<typeof replayResult>;
}

/** At most this many invocations work on one replay; a period with more purchases than they cover fails (the run is bounded). */
export const MAX_REPLAY_SEGMENTS = 100;
/** Purchases read per index shard and page: a page's writes (its position and the members the draft campaign paid) fit one transaction of 100 items. */
const MAX_SHARD_PAGE = Math.floor(99 / PURCHASE_TIME_SHARDS);
/** How long the draft campaign's member awards of a replay are kept (the run that needs them is long over by then). */
const MEMBER_AWARD_TTL_SECONDS = 7 * 24 * 3600;
/** Kept between a segment's end and the invocation's timeout: the last page's save and the hand-over. */
const SEGMENT_MARGIN_MS = 15_000;

/** When a segment that starts now must stop, given the time the invocation has left. */
export function segmentStopAt(remainingMs: number, now = Date.now()): number {
  return now + Math.min(tunables().segmentMs, remainingMs - SEGMENT_MARGIN_MS);
}

/** Tunables, read when used (tests make pages and segments small to exercise paging and hand-overs). */
function tunables() {
  const shardPage = Number(process.env.WHAT_IF_SHARD_PAGE ?? MAX_SHARD_PAGE);
  return {
    shardPage: Math.max(1, Math.min(MAX_SHARD_PAGE, Number.isFinite(shardPage) ? Math.floor(shardPage) : MAX_SHARD_PAGE)),
    segmentMs: Number(process.env.WHAT_IF_SEGMENT_MS ?? 40_000),
    segmentPages: Number(process.env.WHAT_IF_SEGMENT_PAGES ?? Number.POSITIVE_INFINITY),
  };
}

const emptyPosition = (day: string): ReplayPosition => ({
  day,
  after: Array.from({ length: PURCHASE_TIME_SHARDS }, () => null),
  exhausted: Array.from({ length: PURCHASE_TIME_SHARDS }, () => false),
});

// --- requests, reads, lists ---------------------------------------------------

/** Replay ids increase within a process even in one millisecond, so the list's order is the order of the requests. */
const nextReplayUlid = monotonicFactory();

/** Writes a replay (QUEUED); the stream consumer does the work. */
export async function createReplay(request: ReplayRequest, operator: string, now = new Date()) {
  const days = daysOf(request.from, request.to).length;
  if (request.from > request.to) throw new ValidationError(`to (${request.to}) must not be before from (${request.from})`);
  if (days > MAX_REPLAY_DAYS) throw new ValidationError(`a replay covers at most ${MAX_REPLAY_DAYS} days; ${request.from}..${request.to} is ${days} days`);
  const today = localDate(now);
  if (request.to > today) throw new ValidationError(`to (${request.to}) is after today (${today}, ${PROGRAMME_TIMEZONE}): a replay runs over purchases already made`);
  if (!request.draftRules && !request.draftCampaign) throw new ValidationError('give draftRules, draftCampaign or both: a replay compares a draft with what was issued');

  const replayId = `wi-${nextReplayUlid(now.getTime()).toLowerCase()}`;
  const item: ReplayItem = {
    replayId,
    state: 'QUEUED',
    from: request.from,
    to: request.to,
    timezone: PROGRAMME_TIMEZONE,
    ...(request.draftRules ? { draftRules: request.draftRules } : {}),
    ...(request.draftCampaign ? { draftCampaign: request.draftCampaign } : {}),
    createdAt: now.toISOString(),
    createdBy: operator,
    updatedAt: now.toISOString(),
    segment: 0,
    step: 0,
    position: emptyPosition(request.from),
    daysDone: 0,
    totals: NO_FIGURES,
    dayFigures: {},
    draftCampaignPaid: 0,
  };
  const drafts = [request.draftRules ? 'draft rules' : undefined, request.draftCampaign ? `draft campaign "${request.draftCampaign.name}"` : undefined].filter(Boolean);
  await db().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName(),
            Item: { ...keys.whatIf.replay(replayId), ...keys.whatIf.listEntry(item.createdAt, replayId), entity: 'WhatIfReplay', ...item },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        ...auditItems({ target: `what-if-replay:${replayId}`, summary: `asked for a what-if replay of ${drafts.join(' and ')} over ${request.from}..${request.to}`, after: request }, now),
      ],
    }),
  );
  return replayView(item);
}

function itemOf(raw: Record<string, unknown>): ReplayItem {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g1s, entity: _e, ...rest } = raw;
  return rest as unknown as ReplayItem;
}

async function readReplay(replayId: string): Promise<ReplayItem | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.whatIf.replay(replayId), ConsistentRead: true }));
  return result.Item ? itemOf(result.Item) : undefined;
}

export async function getReplay(replayId: string) {
  const item = await readReplay(replayId);
  if (!item) throw new NotFoundError(`what-if replay ${replayId} does not exist`);
  return replayView(item);
}

/** Replays, newest first. */
export async function listReplays(page: PageRequest) {
  const partition = keys.whatIf.listPartition();
  const result = await queryPage(
    { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false },
    page,
    { attribute: 'GSI1PK', value: partition },
  );
  return { items: result.items.map((raw) => replayView(itemOf(raw))), nextCursor: result.nextCursor };
}

function replayView(item: ReplayItem) {
  return {
    replayId: item.replayId,
    state: item.state,
    from: item.from,
    to: item.to,
    timezone: item.timezone,
    draftRules: item.draftRules ?? null,
    draftCampaign: item.draftCampaign ?? null,
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    updatedAt: item.updatedAt,
    startedAt: item.startedAt ?? null,
    finishedAt: item.finishedAt ?? null,
    progress: { daysDone: item.daysDone, days: daysOf(item.from, item.to).length, purchasesReplayed: item.totals.purchases },
    result: item.state === 'DONE' ? (item.result ?? null) : null,
    error: item.error ?? null,
  };
}

// --- the stream consumer ----------------------------------------------------------

/**
 * The replays a batch of stream records asks to work on: a new replay
 * (INSERT), or one handed over by the invocation before (MODIFY that bumped
 * `segment`). Progress saves are MODIFYs too; they ask nothing.
 */
export function replaysToRun(records: readonly DynamoDBRecord[]): { replayId: string; record: DynamoDBRecord }[] {
  const wanted = new Map<string, DynamoDBRecord>();
  for (const record of records) {
    const image = newImageOf(record);
    if (!image || image.entity !== 'WhatIfReplay') continue;
    const state = image.state as ReplayState;
    if (state !== 'QUEUED' && state !== 'RUNNING') continue;
    const oldSegment = record.dynamodb?.OldImage?.segment?.N;
    const handedOver = record.eventName === 'MODIFY' && oldSegment !== undefined && Number(oldSegment) !== Number(image.segment);
    if (record.eventName === 'INSERT' || handedOver) wanted.set(String(image.replayId), record);
  }
  return [...wanted].map(([replayId, record]) => ({ replayId, record }));
}

export type SegmentOutcome = 'DONE' | 'FAILED' | 'HANDED_OVER' | 'NOTHING_TO_DO' | 'LOST_RACE';

/** The save of a step failed its condition: another runner saved first. */
class LostRaceError extends Error {}

/**
 * Works on a replay until it is done or `stopAt` (epoch ms) comes, saving
 * after every page; then hands over (bumps `segment`) if not done. Throws on
 * a DynamoDB failure (the stream retries the record; the run resumes at the
 * last save); a failure of the data or the code marks the replay FAILED.
 */
export async function runReplaySegment(replayId: string, options: { stopAt: number }): Promise<SegmentOutcome> {
  const item = await readReplay(replayId);
  if (!item || item.state === 'DONE' || item.state === 'FAILED') return 'NOTHING_TO_DO';
  const runner = new ReplayRunner(item);
  try {
    return await runner.run(options.stopAt);
  } catch (error) {
    if (error instanceof LostRaceError) return 'LOST_RACE';
    // The table failed us (throttled, unreachable): the record is retried and resumes at the last save.
    if (dbCallFailureOf(error) !== undefined) throw error;
    logger.error('what-if replay failed', { replayId, error: error as Error });
    await runner.fail(error instanceof DomainError ? error.message : 'the replay met an internal error; start it again, or report it with its replayId');
    return 'FAILED';
  }
}

/** Reads what a replay needs besides purchases, once per invocation: rules versions, campaign definitions, members. */
class ReplayContext {
  private readonly rules = new Map<number, EarningRules>();
  private readonly campaigns = new Map<string, ApplicableCampaign | null>();
  private readonly members = new Map<string, AudienceMember>();
  private current: EarningRules | undefined;

  async currentRules(): Promise<EarningRules> {
    this.current ??= await getEarningRules({ fresh: true });
    return this.current;
  }

  /** The rules a purchase earned under (the saved version; the rules in force if that copy is missing). */
  async rulesOf(version: number): Promise<EarningRules> {
    let rules = this.rules.get(version);
    if (!rules) {
      rules = (await getEarningRulesVersion(version)) ?? (await this.currentRules());
      this.rules.set(version, rules);
    }
    return rules;
  }

  /** The campaigns that applied to a purchase, as defined now (a campaign deleted since is left out). */
  async campaignsOf(ids: readonly string[]): Promise<ApplicableCampaign[]> {
    const out: ApplicableCampaign[] = [];
    for (const id of ids) {
      if (!this.campaigns.has(id)) {
        const campaign = await getCampaign(id).catch((error: unknown) => {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        });
        this.campaigns.set(id, campaign ? { campaignId: campaign.campaignId, name: campaign.name, effect: campaign.effect, targets: campaign.targets } : null);
      }
      const found = this.campaigns.get(id);
      if (found) out.push(found);
    }
    return out;
  }

  /** The member a draft campaign's audience is decided on: tier as of the purchase; tags, registration and spend as they are now. */
  async audienceMember(memberId: string, tier: Tier, needsProfile: boolean): Promise<AudienceMember> {
    if (!needsProfile) return { tier, tags: [], registeredAt: '', growthCounters: { monthlySpendCents: {} } };
    let member = this.members.get(memberId);
    if (!member) {
      const profile = await findMember(memberId);
      member = profile ?? { tier, tags: [], registeredAt: '', growthCounters: { monthlySpendCents: {} } };
      this.members.set(memberId, member);
    }
    return { ...member, tier };
  }
}

function purchaseOf(raw: Record<string, unknown>): ReplayedPurchase & { readonly sortKey: string } {
  const campaignPoints = (raw.campaignPoints as Record<string, number> | undefined) ?? {};
  return {
    sortKey: String(raw.GSI1SK),
    purchaseId: String(raw.purchaseId),
    memberId: String(raw.memberId),
    paidAt: String(raw.paidAt),
    tier: ((raw.tier as Tier | undefined) ?? 'normal') as Tier,
    lines: (raw.lines as PurchaseLine[] | undefined) ?? [],
    pointsEarned: Number(raw.pointsEarned ?? 0),
    rulesVersion: Number(raw.rulesVersion ?? 0),
    campaignIds: (raw.campaignIds as string[] | undefined) ?? Object.keys(campaignPoints),
  };
}

class ReplayRunner {
  private readonly context = new ReplayContext();
  /** What the draft campaign has paid each member in this replay (read from the replay's member items when first met). */
  private readonly memberAwards = new Map<string, number>();
  private item: ReplayItem;

  constructor(item: ReplayItem) {
    this.item = item;
  }

  async run(stopAt: number): Promise<SegmentOutcome> {
    const { segmentPages } = tunables();
    let pages = 0;
    while (this.item.position.day <= this.item.to) {
      if (Date.now() >= stopAt || pages >= segmentPages) return this.handOver();
      await this.step();
      pages += 1;
    }
    await this.finish();
    return 'DONE';
  }

  /** Reads one page of every shard of the current day, counts what is safe to count, and saves; an empty day moves on to the next. */
  private async step(): Promise<void> {
    const { shardPage } = tunables();
    const { position } = this.item;
    const pages: (ShardPage<Record<string, unknown>> | undefined)[] = await Promise.all(
      position.after.map(async (after, shard) => {
        if (position.exhausted[shard]) return undefined;
        const partition = keys.purchaseTime.partition(position.day, shard);
        const { items, lastKey } = await queryItems(
          {
            IndexName: 'GSI1',
            KeyConditionExpression: after === null ? 'GSI1PK = :pk' : 'GSI1PK = :pk AND GSI1SK > :after',
            ExpressionAttributeValues: { ':pk': partition, ...(after === null ? {} : { ':after': after }) },
          },
          { limit: shardPage },
        );
        return { items, more: lastKey !== undefined };
      }),
    );
    const merged = mergeShardPages(pages, (raw) => String(raw.GSI1SK));
    const purchases = merged.taken.map(purchaseOf);
    const counted = await this.count(purchases);

    const dayDone = merged.exhausted.every(Boolean);
    const nextPosition: ReplayPosition = dayDone
      ? emptyPosition(nextDay(position.day))
      : { day: position.day, after: position.after.map((after, s) => merged.lastTaken[s] ?? after), exhausted: merged.exhausted };
    const dayFigures = purchases.length > 0 ? { ...this.item.dayFigures, [position.day]: addFigures(this.item.dayFigures[position.day] ?? NO_FIGURES, counted.figures) } : this.item.dayFigures;
    await this.save(
      {
        position: nextPosition,
        daysDone: this.item.daysDone + (dayDone ? 1 : 0),
        totals: addFigures(this.item.totals, counted.figures),
        dayFigures,
        draftCampaignPaid: this.item.draftCampaignPaid + counted.draftCampaignPaid,
      },
      counted.memberAwards,
    );
  }

  /** Replays purchases in time order; the draft campaign's budget and per-member cap are spent as they go. */
  private async count(purchases: readonly ReplayedPurchase[]) {
    const { draftRules, draftCampaign } = this.item;
    const cap = draftCampaign?.perMemberCap ?? null;
    const budget = draftCampaign?.budgetPoints ?? null;
    if (cap !== null) await this.loadMemberAwards(purchases.map((p) => p.memberId));
    let figures = NO_FIGURES;
    let paidHere = 0;
    const awarded = new Map<string, number>();
    for (const purchase of purchases) {
      const at = new Date(purchase.paidAt);
      const rulesThen = await this.context.rulesOf(purchase.rulesVersion);
      const campaignsThen = await this.context.campaignsOf(purchase.campaignIds);
      const member = draftCampaign ? await this.context.audienceMember(purchase.memberId, purchase.tier, draftCampaign.audience.kind === 'segment') : undefined;
      const extra = draftCampaign && member ? draftCampaignAt(draftCampaign, at, member) : undefined;
      const budgetLeft = budget === null ? null : budget - this.item.draftCampaignPaid - paidHere;
      const capLeft = cap === null ? null : cap - (this.memberAwards.get(purchase.memberId) ?? 0);
      const allowance = budgetLeft === null ? capLeft : capLeft === null ? budgetLeft : Math.min(budgetLeft, capLeft);
      const replay = replayPurchase({ purchase, rulesThen, campaignsThen, draftRules, draftCampaign: extra, draftCampaignAllowance: allowance });
      figures = addFigures(figures, { purchases: 1, actualPoints: replay.actualPoints, draftPoints: replay.draftPoints });
      if (replay.draftCampaignPoints > 0) {
        paidHere += replay.draftCampaignPoints;
        if (cap !== null) {
          this.memberAwards.set(purchase.memberId, (this.memberAwards.get(purchase.memberId) ?? 0) + replay.draftCampaignPoints);
          awarded.set(purchase.memberId, (awarded.get(purchase.memberId) ?? 0) + replay.draftCampaignPoints);
        }
      }
    }
    return { figures, draftCampaignPaid: paidHere, memberAwards: awarded };
  }

  private async loadMemberAwards(memberIds: readonly string[]): Promise<void> {
    let missing = [...new Set(memberIds)].filter((m) => !this.memberAwards.has(m)).map((m) => keys.whatIf.memberAward(this.item.replayId, m));
    for (const m of new Set(memberIds)) if (!this.memberAwards.has(m)) this.memberAwards.set(m, 0);
    while (missing.length > 0) {
      const result = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: missing, ConsistentRead: true } } }));
      for (const got of result.Responses?.[tableName()] ?? []) this.memberAwards.set(String(got.memberId), Number(got.issued ?? 0));
      missing = (result.UnprocessedKeys?.[tableName()]?.Keys ?? []) as typeof missing;
    }
  }

  /** Saves a step, conditional on the step read; the draft campaign's member awards in the same transaction. */
  private async save(changes: Pick<ReplayItem, 'position' | 'daysDone' | 'totals' | 'dayFigures' | 'draftCampaignPaid'>, memberAwards: ReadonlyMap<string, number>): Promise<void> {
    const now = new Date().toISOString();
    const next: ReplayItem = {
      ...this.item,
      ...changes,
      state: 'RUNNING',
      step: this.item.step + 1,
      updatedAt: now,
      startedAt: this.item.startedAt ?? now,
    };
    const update = {
      TableName: tableName(),
      Key: keys.whatIf.replay(this.item.replayId),
      UpdateExpression:
        'SET #state = :state, #step = :next, updatedAt = :now, startedAt = :started, #position = :position, daysDone = :daysDone, #totals = :totals, dayFigures = :dayFigures, draftCampaignPaid = :paid',
      ConditionExpression: '#step = :step',
      ExpressionAttributeNames: { '#state': 'state', '#step': 'step', '#position': 'position', '#totals': 'totals' },
      ExpressionAttributeValues: {
        ':state': next.state,
        ':next': next.step,
        ':step': this.item.step,
        ':now': now,
        ':started': next.startedAt,
        ':position': next.position,
        ':daysDone': next.daysDone,
        ':totals': next.totals,
        ':dayFigures': next.dayFigures,
        ':paid': next.draftCampaignPaid,
      },
    };
    await this.conditional(async () => {
      if (memberAwards.size === 0) {
        await db().send(new UpdateCommand(update));
        return;
      }
      await db().send(
        new TransactWriteCommand({
          TransactItems: [
            { Update: update },
            ...[...memberAwards].map(([memberId, points]) => ({
              Update: {
                TableName: tableName(),
                Key: keys.whatIf.memberAward(this.item.replayId, memberId),
                // Needed only while the replay runs (a run is bounded to well under a day); DynamoDB removes it later.
                UpdateExpression: 'SET entity = :entity, memberId = :member, #ttl = :ttl ADD issued :points',
                ExpressionAttributeNames: { '#ttl': 'ttl' },
                ExpressionAttributeValues: { ':entity': 'WhatIfMemberAward', ':member': memberId, ':ttl': Math.floor(Date.now() / 1000) + MEMBER_AWARD_TTL_SECONDS, ':points': points },
              },
            })),
          ],
        }),
      );
    });
    this.item = next;
  }

  /** Runs a write whose condition is the step read; a failed condition means another runner went on. */
  private async conditional(write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      const name = (error as Error).name;
      const lost =
        name === 'ConditionalCheckFailedException' ||
        (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed'));
      if (lost) throw new LostRaceError(`replay ${this.item.replayId} was saved by another runner`);
      throw error;
    }
  }

  /** Ends this invocation's share: the next one is asked for by the MODIFY of `segment` (or the replay fails past the bound). */
  private async handOver(): Promise<SegmentOutcome> {
    if (this.item.segment + 1 >= MAX_REPLAY_SEGMENTS) {
      await this.fail(`the period holds more purchases than one replay covers (${MAX_REPLAY_SEGMENTS} runs); replay a shorter period`);
      return 'FAILED';
    }
    const now = new Date().toISOString();
    await this.conditional(async () => {
      await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.whatIf.replay(this.item.replayId),
          UpdateExpression: 'SET #state = :running, #segment = :segment, #step = :next, updatedAt = :now, startedAt = if_not_exists(startedAt, :now)',
          ConditionExpression: '#step = :step',
          ExpressionAttributeNames: { '#state': 'state', '#segment': 'segment', '#step': 'step' },
          ExpressionAttributeValues: { ':running': 'RUNNING', ':segment': this.item.segment + 1, ':next': this.item.step + 1, ':step': this.item.step, ':now': now },
        }),
      );
    });
    return 'HANDED_OVER';
  }

  private async finish(): Promise<void> {
    const current = await this.context.currentRules();
    const total = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.report.total(DEFAULT_CURRENCY) }))).Item ?? {};
    // What members own now, as the points report counts it (available + held; pending points are not owed yet).
    const outstandingPoints = Number(total.netAvailable ?? 0) + Number(total.netHeld ?? 0);
    const result = replayResult(this.item, { pointsPerYuan: current.pointsPerYuan, outstandingPoints });
    const now = new Date().toISOString();
    await this.conditional(async () => {
      await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.whatIf.replay(this.item.replayId),
          UpdateExpression: 'SET #state = :done, #result = :result, #step = :next, updatedAt = :now, finishedAt = :now, startedAt = if_not_exists(startedAt, :now)',
          ConditionExpression: '#step = :step',
          ExpressionAttributeNames: { '#state': 'state', '#result': 'result', '#step': 'step' },
          ExpressionAttributeValues: { ':done': 'DONE', ':result': result, ':next': this.item.step + 1, ':step': this.item.step, ':now': now },
        }),
      );
    });
  }

  /** Marks the replay FAILED with a reason (unless another runner finished it meanwhile). */
  async fail(reason: string): Promise<void> {
    await failWork(keys.whatIf.replay(this.item.replayId), reason);
  }

}

/** The result of a finished replay: the period's figures, valued, per day and in all, and the liability. */
export function replayResult(item: Pick<ReplayItem, 'from' | 'to' | 'totals' | 'dayFigures' | 'draftRules' | 'draftCampaign' | 'draftCampaignPaid'>, value: { pointsPerYuan: number; outstandingPoints: number }) {
  const money = { pointsPerYuan: value.pointsPerYuan, draftPointsPerYuan: item.draftRules?.pointsPerYuan ?? value.pointsPerYuan };
  const totals = valued(item.totals, money);
  const budget = item.draftCampaign?.budgetPoints ?? null;
  return {
    ...totals,
    ...money,
    liability: liabilityChange({ outstandingPoints: value.outstandingPoints, differencePoints: totals.differencePoints, ...money }),
    draftCampaign: item.draftCampaign
      ? { pointsPaid: item.draftCampaignPaid, budgetPoints: budget, budgetLeft: budget === null ? null : Math.max(0, budget - item.draftCampaignPaid) }
      : null,
    days: daysOf(item.from, item.to).map((day) => ({ day, ...valued(item.dayFigures[day] ?? NO_FIGURES, money) })),
  };
}
