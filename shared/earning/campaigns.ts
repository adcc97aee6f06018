import { BatchGetCommand, GetCommand, TransactWriteCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { campaignState, inAudience, isRunning, type AudienceMember, type CampaignDefinition, type CampaignState } from '../domain/campaigns.js';
import type { ApplicableCampaign } from '../domain/earning.js';
import { daysFromTo, hoursOfDays, localDate, localHour, PROGRAMME_TIMEZONE } from '../domain/programme.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import type { ExtraWrite } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { queryAll, queryPageSelecting, type PageRequest } from '../table/paging.js';
import { auditItems, pickFields } from '../audit/audit.js';

export interface Campaign extends CampaignDefinition {
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly createdBy: string;
}

export interface CampaignStats {
  readonly campaignId: string;
  readonly participants: number;
  readonly pointsIssued: number;
  readonly purchases: number;
  readonly salesCents: number;
  readonly budgetPoints: number | null;
  readonly budgetLeft: number | null;
  readonly state: CampaignState;
  /** With `?granularity=`: the figures per programme-local hour or day. */
  readonly series?: {
    readonly granularity: SeriesGranularity;
    readonly timezone: string;
    readonly from: string;
    readonly to: string;
    readonly buckets: readonly CampaignBucket[];
  };
}

const CACHE_TTL_MS = Number(process.env.CONFIG_CACHE_TTL_MS ?? 30_000);
let cache: { campaigns: Campaign[]; until: number } | undefined;

function fromItem(item: Record<string, unknown>): Campaign {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, entity: _e, ...rest } = item;
  return rest as unknown as Campaign;
}

function validateDefinition(def: Omit<CampaignDefinition, 'campaignId'>): void {
  if (Date.parse(def.schedule.endsAt) <= Date.parse(def.schedule.startsAt)) {
    throw new ValidationError('schedule.endsAt must be after schedule.startsAt');
  }
}

export async function createCampaign(
  def: Omit<CampaignDefinition, 'campaignId'>,
  operator: string,
  now = new Date(),
  options: { campaignId?: string } = {},
): Promise<Campaign> {
  validateDefinition(def);
  const campaignId = options.campaignId ?? `c-${ulid()}`;
  const campaign: Campaign = { ...def, campaignId, version: 1, createdAt: now.toISOString(), updatedAt: now.toISOString(), createdBy: operator };
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.campaign.definition(campaign.campaignId), ...keys.campaign.listEntry(campaign.campaignId, campaign.schedule.endsAt), entity: 'Campaign', ...campaign },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.campaign.counters(campaign.campaignId), entity: 'CampaignCounters', campaignId: campaign.campaignId, issued: 0, participants: 0, purchases: 0, salesCents: 0 },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...auditItems({ target: `campaign:${campaignId}`, summary: `created campaign "${campaign.name}"`, after: campaign }, now),
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) {
      throw new DomainError('CONFLICT', `campaign ${campaignId} already exists`);
    }
    throw error;
  }
  cache = undefined;
  return campaign;
}

export async function getCampaign(campaignId: string): Promise<Campaign> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.campaign.definition(campaignId), ConsistentRead: true }));
  if (!result.Item) throw new NotFoundError(`campaign ${campaignId} does not exist`);
  return fromItem(result.Item);
}

/** Changes a campaign (optimistic on its version); changes apply to purchases from now on. */
export async function updateCampaign(
  campaignId: string,
  changes: Partial<Omit<CampaignDefinition, 'campaignId'>>,
  expectedVersion: number,
  now = new Date(),
): Promise<Campaign> {
  const current = await getCampaign(campaignId);
  if (current.version !== expectedVersion) {
    throw new DomainError('CONFLICT', `campaign ${campaignId} is at version ${current.version}, not ${expectedVersion}; reload it`, { currentVersion: current.version });
  }
  const next: Campaign = { ...current, ...changes, version: current.version + 1, updatedAt: now.toISOString() };
  validateDefinition(next);
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.campaign.definition(campaignId), ...keys.campaign.listEntry(campaignId, next.schedule.endsAt), entity: 'Campaign', ...next },
              ConditionExpression: 'version = :v',
              ExpressionAttributeValues: { ':v': expectedVersion },
            },
          },
          ...auditItems({ target: `campaign:${campaignId}`, summary: `changed ${Object.keys(changes).join(', ')} (version ${next.version})`, before: pickFields(current, Object.keys(changes)), after: pickFields(next, Object.keys(changes)) }, now),
        ],
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException') throw new DomainError('CONFLICT', `campaign ${campaignId} changed meanwhile; reload it`);
    throw error;
  }
  cache = undefined;
  return next;
}

/** A campaign as operators' lists show it: with what it has issued against its budget, and its state now. */
export interface CampaignListItem extends Campaign {
  readonly state: CampaignState;
  /** Points issued so far (the budget used). */
  readonly budgetUsed: number;
  /** Whether it pays purchases at this instant (inside its recurring window, if any). */
  readonly activeNow: boolean;
}

/** The counters items of some campaigns (points issued, participants ...), by campaign id; eventually consistent. */
async function countersOf(campaignIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < campaignIds.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = campaignIds.slice(i, i + 100).map((id) => ({ ...keys.campaign.counters(id) }));
    for (let attempt = 0; pending && pending.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(500, 20 * 2 ** attempt)));
      const result: BatchGetCommandOutput = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending } } }));
      for (const item of result.Responses?.[tableName()] ?? []) found.set(String(item.campaignId), item);
      pending = result.UnprocessedKeys?.[tableName()]?.Keys;
    }
  }
  return found;
}

/** Campaign items as read from the list index, with their budget used and state at `now` (one BatchGetItem of their counters). */
export async function listItemsOf(items: readonly Record<string, unknown>[], now: Date): Promise<CampaignListItem[]> {
  const campaigns = items.map(fromItem);
  const counters = await countersOf(campaigns.map((c) => c.campaignId));
  return campaigns.map((campaign) => {
    const issued = Number(counters.get(campaign.campaignId)?.issued ?? 0);
    return { ...campaign, state: campaignState(campaign, issued, now), budgetUsed: issued, activeNow: isRunning(campaign, now) };
  });
}

/** Campaigns read at most to fill one filtered page (the campaigns not yet ended are few; this only bounds a pathological page). */
const MAX_CAMPAIGNS_READ_PER_PAGE = 500;

/**
 * Campaigns by end time, latest first (operator list), each with its budget
 * used and its state now. A state filter reads: `ended`, the campaigns ending
 * before now (a key condition, so pages are full); any other state, the
 * campaigns not yet ended (`GSI1SK > now`, few) with their counters, keeping
 * those in the state: pages may then come short, and the cursor continues
 * after the last campaign read, so no campaign is listed twice or skipped
 * unless it changes state between pages.
 */
export async function listCampaigns(page: PageRequest, filter: { state?: CampaignState | undefined } = {}, now = new Date()) {
  const partition = keys.campaign.listPartition();
  const where = { attribute: 'GSI1PK', value: partition };
  const nowKey = now.toISOString();
  if (filter.state === undefined || filter.state === 'ended') {
    const ended = filter.state === 'ended';
    return queryPageSelecting(
      {
        IndexName: 'GSI1',
        KeyConditionExpression: ended ? 'GSI1PK = :pk AND GSI1SK < :now' : 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': partition, ...(ended ? { ':now': nowKey } : {}) },
        ScanIndexForward: false,
      },
      page,
      where,
      { pick: async (items) => items, finish: (picked) => listItemsOf(picked, now) },
    );
  }
  const state = filter.state;
  return queryPageSelecting(
    {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK > :now',
      ExpressionAttributeValues: { ':pk': partition, ':now': nowKey },
      ScanIndexForward: false,
    },
    page,
    where,
    {
      pick: async (items) => (await listItemsOf(items, now)).map((c) => (c.state === state ? c : undefined)),
      finish: async (picked) => picked,
    },
    { maxItemsRead: MAX_CAMPAIGNS_READ_PER_PAGE, beyond: { attribute: 'GSI1SK', value: nowKey } },
  );
}

/** The campaigns in state `running` now, latest ending first, with their budget used (the dashboard). At most `max`. */
export async function runningCampaigns(now: Date, max: number): Promise<{ campaigns: CampaignListItem[]; more: boolean }> {
  const items = await queryAll({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK > :now',
    ExpressionAttributeValues: { ':pk': keys.campaign.listPartition(), ':now': now.toISOString() },
    ScanIndexForward: false,
  });
  const running = (await listItemsOf(items, now)).filter((c) => c.state === 'running');
  return { campaigns: running.slice(0, max), more: running.length > max };
}

/** Campaigns not yet ended (cached briefly in the function: edits apply within the cache time). */
async function openCampaigns(now: Date): Promise<Campaign[]> {
  if (cache && cache.until > Date.now()) return cache.campaigns;
  const items = await queryAll({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK > :now',
    ExpressionAttributeValues: { ':pk': keys.campaign.listPartition(), ':now': now.toISOString() },
  });
  const campaigns = items.map(fromItem);
  cache = { campaigns, until: Date.now() + CACHE_TTL_MS };
  return campaigns;
}

/** Campaigns running at `at` whose audience includes the member, as the calculator takes them. */
export async function applicableCampaigns(at: Date, member: AudienceMember): Promise<ApplicableCampaign[]> {
  // Cached campaigns may include ones that have ended since: isRunning re-checks at `at`.
  const open = await openCampaigns(new Date(Math.min(at.getTime(), Date.now())));
  return open
    .filter((c) => isRunning(c, at) && inAudience(c.audience, member, at))
    .map((c) => ({ campaignId: c.campaignId, name: c.name, effect: c.effect, targets: c.targets }));
}

/** The longest range of an hourly series, in days, and of a daily one. */
export const MAX_HOURLY_SERIES_DAYS = 31;
export const MAX_DAILY_SERIES_DAYS = 366;

export type SeriesGranularity = 'hour' | 'day';

/** One bucket of a campaign's series: what it paid in that programme-local hour or day. */
export interface CampaignBucket {
  /** `YYYY-MM-DDTHH` (hour) or `YYYY-MM-DD` (day), programme-local. */
  readonly bucket: string;
  /** Members whose first award from the campaign fell in this bucket. */
  readonly participants: number;
  readonly pointsIssued: number;
  readonly purchases: number;
  readonly salesCents: number;
}

export interface CampaignSeriesQuery {
  readonly granularity: SeriesGranularity;
  /** Programme-local dates, both included; defaults: the campaign's first day, and its last day or today, whichever is earlier. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/** The range a series covers: the query's, or the campaign's days so far; refused beyond the granularity's maximum. */
export function seriesRange(campaign: Pick<CampaignDefinition, 'schedule'>, query: CampaignSeriesQuery, now: Date): { from: string; to: string } {
  const first = localDate(new Date(campaign.schedule.startsAt));
  const last = localDate(new Date(Math.min(now.getTime(), Date.parse(campaign.schedule.endsAt) - 1)));
  const from = query.from ?? (query.to !== undefined && query.to < first ? query.to : first);
  const to = query.to ?? (last < from ? from : last);
  if (from > to) throw new ValidationError(`from (${from}) must not be after to (${to})`);
  const max = query.granularity === 'hour' ? MAX_HOURLY_SERIES_DAYS : MAX_DAILY_SERIES_DAYS;
  const days = daysFromTo(from, to).length;
  if (days > max) {
    throw new ValidationError(`a ${query.granularity === 'hour' ? 'hourly' : 'daily'} series covers at most ${max} days; ${from}..${to} is ${days} days`);
  }
  return { from, to };
}

/**
 * A campaign's figures per programme-local hour or day over local days
 * `from` to `to`, every bucket listed (zeros where it paid nothing): one
 * Query of its hour items (at most 24 a day), summed into days for `day`.
 */
export async function campaignSeries(campaignId: string, range: { from: string; to: string }, granularity: SeriesGranularity): Promise<CampaignBucket[]> {
  const prefix = keys.campaign.hourPrefix();
  const stored = await queryAll({
    // Consistent, like the counters the stats answer beside it.
    ConsistentRead: true,
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': keys.campaign.hourStats(campaignId, '').PK,
      ':from': `${prefix}${range.from}T00`,
      ':to': `${prefix}${range.to}T23`,
    },
  });
  const sums = new Map<string, { participants: number; pointsIssued: number; purchases: number; salesCents: number }>();
  for (const item of stored) {
    const hour = String(item.hour);
    const bucket = granularity === 'hour' ? hour : hour.slice(0, 10);
    const sum = sums.get(bucket) ?? { participants: 0, pointsIssued: 0, purchases: 0, salesCents: 0 };
    sum.participants += Number(item.participants ?? 0);
    sum.pointsIssued += Number(item.issued ?? 0);
    sum.purchases += Number(item.purchases ?? 0);
    sum.salesCents += Number(item.salesCents ?? 0);
    sums.set(bucket, sum);
  }
  const buckets = granularity === 'hour' ? hoursOfDays(range.from, range.to) : daysFromTo(range.from, range.to);
  return buckets.map((bucket) => ({ bucket, ...(sums.get(bucket) ?? { participants: 0, pointsIssued: 0, purchases: 0, salesCents: 0 }) }));
}

export async function campaignStats(campaignId: string, series?: CampaignSeriesQuery, now = new Date()): Promise<CampaignStats> {
  const campaign = await getCampaign(campaignId);
  // Validated before any other read: a refused range costs one read.
  const range = series ? seriesRange(campaign, series, now) : undefined;
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.campaign.counters(campaignId), ConsistentRead: true }));
  const c = result.Item ?? {};
  const issued = Number(c.issued ?? 0);
  return {
    campaignId,
    participants: Number(c.participants ?? 0),
    pointsIssued: issued,
    purchases: Number(c.purchases ?? 0),
    salesCents: Number(c.salesCents ?? 0),
    budgetPoints: campaign.budgetPoints,
    budgetLeft: campaign.budgetPoints === null ? null : Math.max(0, campaign.budgetPoints - issued),
    state: campaignState(campaign, issued, now),
    ...(series && range
      ? { series: { granularity: series.granularity, timezone: PROGRAMME_TIMEZONE, from: range.from, to: range.to, buckets: await campaignSeries(campaignId, range, series.granularity) } }
      : {}),
  };
}

/** Raised by an award's condition: the budget or the member's cap allows only `allowed` more points. */
export class CampaignLimitError extends Error {
  constructor(
    readonly campaignId: string,
    readonly allowed: number,
    /** The member's campaign item exists after all (it was created concurrently). */
    readonly memberItemExists = false,
  ) {
    super(`campaign ${campaignId} allows only ${allowed} more points`);
  }
}

export interface CampaignAward {
  readonly campaignId: string;
  readonly points: number;
  readonly salesCents: number;
  /** When the purchase was paid: the programme-local hour of the campaign's time series it counts in. */
  readonly at: Date;
}

/** Whether the member already has points from each campaign (decides create vs update of their item). */
export async function memberCampaignState(memberId: string, campaignIds: readonly string[]): Promise<Map<string, number>> {
  const state = new Map<string, number>();
  await Promise.all(
    campaignIds.map(async (id) => {
      const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.campaign.member(id, memberId), ConsistentRead: true }));
      if (result.Item) state.set(id, Number(result.Item.issued ?? 0));
    }),
  );
  return state;
}

/** How a purchase's refund or void moves a campaign's figures (negative: taken back). */
export interface CampaignFigureChange {
  readonly issued: number;
  readonly returnedPoints?: number;
  readonly purchases?: number;
  readonly salesCents?: number;
  readonly participants?: number;
}

/**
 * A change to a campaign's figures by one purchase, in its counters and in the programme-local hour of the
 * purchase's `paidAt` (the stats' time series), without condition: taking back never exceeds a budget. Refunds
 * give points back (`returnedPoints`); a void also undoes the purchase, its sales and, when it was the member's
 * only one, the participant.
 */
export function campaignFigureWrites(campaignId: string, paidAt: Date, change: CampaignFigureChange): ExtraWrite[] {
  const fields = Object.entries(change).filter(([, value]) => value !== undefined) as [string, number][];
  const update = {
    UpdateExpression: `ADD ${fields.map(([name]) => `${name} :${name}`).join(', ')}`,
    ExpressionAttributeValues: Object.fromEntries(fields.map(([name, value]) => [`:${name}`, value])),
  };
  return [
    { item: { Update: { TableName: tableName(), Key: keys.campaign.counters(campaignId), ...update } } },
    { item: { Update: { TableName: tableName(), Key: keys.campaign.hourStats(campaignId, localHour(paidAt)), ...update } } },
  ];
}

/**
 * The writes that pay an award from a campaign, for the purchase's
 * transaction: the campaign counters (condition: within budget) and the
 * member's campaign item (condition: within the per-member cap; created on
 * the first award, which also counts a participant).
 */
export async function awardWrites(award: CampaignAward, memberId: string, existing: Map<string, number>, now: Date): Promise<ExtraWrite[]> {
  const campaign = (await openCampaigns(now)).find((c) => c.campaignId === award.campaignId) ?? (await getCampaign(award.campaignId));
  const isNew = !existing.has(award.campaignId);
  const budget = campaign.budgetPoints;
  const cap = campaign.perMemberCap;
  const counters: ExtraWrite = {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.campaign.counters(award.campaignId),
        UpdateExpression: 'ADD issued :p, purchases :one, salesCents :sales, participants :newcomer',
        ...(budget === null ? {} : { ConditionExpression: 'issued <= :limit' }),
        ExpressionAttributeValues: {
          ':p': award.points,
          ':one': 1,
          ':sales': award.salesCents,
          ':newcomer': isNew ? 1 : 0,
          ...(budget === null ? {} : { ':limit': budget - award.points }),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) => new CampaignLimitError(award.campaignId, Math.max(0, (budget ?? 0) - Number(current?.issued ?? 0))),
  };
  // The same figures once more, in the purchase's programme-local hour (the stats' time series): no condition,
  // so it never refuses an award the counters above accept.
  const hour = localHour(award.at);
  const hourly: ExtraWrite = {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.campaign.hourStats(award.campaignId, hour),
        UpdateExpression: 'ADD issued :p, purchases :one, salesCents :sales, participants :newcomer SET entity = :entity, campaignId = :id, #hour = :hour',
        ExpressionAttributeNames: { '#hour': 'hour' },
        ExpressionAttributeValues: {
          ':p': award.points,
          ':one': 1,
          ':sales': award.salesCents,
          ':newcomer': isNew ? 1 : 0,
          ':entity': 'CampaignHour',
          ':id': award.campaignId,
          ':hour': hour,
        },
      },
    },
  };
  const memberKey = keys.campaign.member(award.campaignId, memberId);
  const member: ExtraWrite = isNew
    ? {
        item: {
          Put: {
            TableName: tableName(),
            Item: { ...memberKey, entity: 'CampaignMember', campaignId: award.campaignId, memberId, issued: award.points, purchases: 1, firstAt: now.toISOString() },
            ConditionExpression: 'attribute_not_exists(PK)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        onConditionFailed: (current) =>
          new CampaignLimitError(award.campaignId, cap === null ? award.points : Math.max(0, cap - Number(current?.issued ?? 0)), true),
      }
    : {
        item: {
          Update: {
            TableName: tableName(),
            Key: memberKey,
            UpdateExpression: 'ADD issued :p, purchases :one',
            ...(cap === null ? {} : { ConditionExpression: 'issued <= :limit' }),
            ExpressionAttributeValues: { ':p': award.points, ':one': 1, ...(cap === null ? {} : { ':limit': cap - award.points }) },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        onConditionFailed: (current) => new CampaignLimitError(award.campaignId, Math.max(0, (cap ?? 0) - Number(current?.issued ?? 0))),
      };
  if (cap !== null && award.points > cap - (existing.get(award.campaignId) ?? 0)) {
    throw new CampaignLimitError(award.campaignId, Math.max(0, cap - (existing.get(award.campaignId) ?? 0)));
  }
  return [counters, hourly, member];
}
