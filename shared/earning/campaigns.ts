import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { inAudience, isRunning, type AudienceMember, type CampaignDefinition } from '../domain/campaigns.js';
import type { ApplicableCampaign } from '../domain/earning.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import type { ExtraWrite } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { queryAll, queryPage, type PageRequest } from '../table/paging.js';
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

/** Campaigns by end time, latest first (operator list). */
export async function listCampaigns(page: PageRequest) {
  const partition = keys.campaign.listPartition();
  const result = await queryPage(
    { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false },
    page,
    { attribute: 'GSI1PK', value: partition },
  );
  return { items: result.items.map(fromItem), nextCursor: result.nextCursor };
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

export async function campaignStats(campaignId: string): Promise<CampaignStats> {
  const campaign = await getCampaign(campaignId);
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
  return [counters, member];
}
