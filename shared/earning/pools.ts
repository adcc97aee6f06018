/**
 * Points pools (docs/earning.md, Pools): a budget for activity points split
 * across activities by weight. `awardFromPool` credits a member and, in the
 * same transaction, takes the points from the activity's share: the pool's
 * counters item is updated with the condition that the activity and the pool
 * stay within their limits, so a pool can never over-issue under any
 * concurrency. An award is all or nothing: when the share cannot cover it,
 * nothing is written and the call answers BUDGET_EXHAUSTED.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { activityShares, type PoolActivityInput, type PoolActivityShare } from '../domain/pools.js';
import { localDate } from '../domain/programme.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import type { IdempotencySpec, StoredResponse } from '../ledger/idempotency.js';
import { commit, type ExtraWrite, type LedgerMove } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { decodeCursor, queryPage } from '../table/paging.js';
import { bucketForPolicy, getEarningRules } from './rules-store.js';

export interface PoolDefinition {
  readonly poolId: string;
  readonly name: string;
  readonly budgetPoints: number;
  readonly activities: readonly PoolActivityShare[];
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface PoolView extends PoolDefinition {
  readonly issued: number;
  readonly left: number;
  readonly awards: number;
  readonly activities: readonly (PoolActivityShare & { readonly issued: number; readonly left: number })[];
}

export interface PoolInput {
  readonly name: string;
  readonly budgetPoints: number;
  readonly activities: readonly PoolActivityInput[];
}

/** Counter attribute of one activity on the pool's counters item. */
function activityAttribute(activity: string): string {
  return `A#${activity}`;
}

/** Pools never change once created, so a definition read once is good for the life of the process. */
const definitions = new Map<string, PoolDefinition>();

function definitionFromItem(item: Record<string, unknown>): PoolDefinition {
  return {
    poolId: String(item.poolId),
    name: String(item.name),
    budgetPoints: Number(item.budgetPoints),
    activities: item.activities as PoolActivityShare[],
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
  };
}

function viewOf(pool: PoolDefinition, counters: Record<string, unknown> | undefined): PoolView {
  const issued = Number(counters?.issued ?? 0);
  return {
    ...pool,
    issued,
    left: pool.budgetPoints - issued,
    awards: Number(counters?.awards ?? 0),
    activities: pool.activities.map((a) => {
      const activityIssued = Number(counters?.[activityAttribute(a.activity)] ?? 0);
      return { ...a, issued: activityIssued, left: a.sharePoints - activityIssued };
    }),
  };
}

/**
 * Creates a pool: the definition (with each activity's share of the budget)
 * and its zeroed counters, in one transaction. `poolId` is generated unless
 * given (the local seed passes a fixed one; creating an existing id is a 409).
 */
export async function createPool(input: PoolInput, operator: string, options: { poolId?: string; now?: Date } = {}): Promise<PoolView> {
  const names = input.activities.map((a) => a.activity);
  if (new Set(names).size !== names.length) throw new ValidationError('each activity may appear only once in a pool');
  const now = options.now ?? new Date();
  const pool: PoolDefinition = {
    poolId: options.poolId ?? `pool-${ulid()}`,
    name: input.name,
    budgetPoints: input.budgetPoints,
    activities: activityShares(input.budgetPoints, input.activities),
    createdAt: now.toISOString(),
    createdBy: operator,
  };
  const counters: Record<string, unknown> = { ...keys.pool.counters(pool.poolId), entity: 'PoolCounters', poolId: pool.poolId, issued: 0, awards: 0 };
  for (const a of pool.activities) counters[activityAttribute(a.activity)] = 0;
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.pool.definition(pool.poolId), ...keys.pool.listEntry(pool.poolId, pool.createdAt), entity: 'Pool', ...pool },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          { Put: { TableName: tableName(), Item: counters, ConditionExpression: 'attribute_not_exists(PK)' } },
        ],
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException') throw new DomainError('CONFLICT', `pool ${pool.poolId} already exists`);
    throw error;
  }
  definitions.set(pool.poolId, pool);
  return viewOf(pool, counters);
}

async function poolDefinition(poolId: string): Promise<PoolDefinition> {
  const cached = definitions.get(poolId);
  if (cached) return cached;
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.pool.definition(poolId), ConsistentRead: true }));
  if (!result.Item) throw new NotFoundError(`pool ${poolId} does not exist`);
  const pool = definitionFromItem(result.Item);
  definitions.set(poolId, pool);
  return pool;
}

async function poolCounters(poolId: string): Promise<Record<string, unknown> | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.pool.counters(poolId), ConsistentRead: true }));
  return result.Item;
}

/** A pool with what it has issued, in all and per activity, and what is left. */
export async function getPool(poolId: string): Promise<PoolView> {
  const pool = await poolDefinition(poolId);
  return viewOf(pool, await poolCounters(poolId));
}

/** Pools, newest first, each with its counters (operator list). */
export async function listPools(page: { limit: number; cursor?: string | undefined }): Promise<{ items: PoolView[]; nextCursor: string | null }> {
  const partition = keys.pool.listPartition();
  const result = await queryPage(
    { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false },
    { limit: page.limit, start: decodeCursor(page.cursor, { attribute: 'GSI1PK', value: partition }) },
  );
  const pools = result.items.map(definitionFromItem);
  const items = await Promise.all(pools.map(async (pool) => viewOf(pool, await poolCounters(pool.poolId))));
  return { items, nextCursor: result.nextCursor };
}

export interface PoolAward {
  readonly poolId: string;
  /** One of the pool's activities. */
  readonly activity: string;
  readonly memberId: string;
  readonly points: number;
  readonly reason: string;
  /** What the award belongs to (sign-in day, task id ...); stored on the ledger entry. */
  readonly ref: string;
  /** Makes the award exactly-once per key (a repeat replays the first answer). */
  readonly idempotency?: IdempotencySpec | undefined;
  readonly now?: Date;
}

export interface PoolAwardResult {
  readonly poolId: string;
  readonly activity: string;
  readonly memberId: string;
  readonly points: number;
  readonly entryId: string;
  readonly bucket: string;
  readonly at: string;
}

/** What a pool award adds to a transaction: the EARN move and the pool (and daily cap) counter updates. */
export interface PoolAwardParts {
  readonly move: LedgerMove;
  readonly extra: readonly ExtraWrite[];
  readonly bucket: string;
  readonly pool: PoolDefinition;
  readonly activity: PoolActivityShare;
}

/**
 * The writes of a pool award, for callers that commit them together with
 * writes of their own (a task completion, a lucky-draw spin): the EARN move
 * (bucket from the rules' expiry policy), the conditional update of the
 * pool's counters (activity within its share, pool within its budget) and,
 * if the activity has a daily cap, of the member's counter for the
 * programme-local day. Their conditions fail with BUDGET_EXHAUSTED or
 * LIMIT_REACHED (409); requests that can never fit are refused before.
 */
export async function poolAwardParts(award: Omit<PoolAward, 'idempotency'>): Promise<PoolAwardParts> {
  if (!Number.isSafeInteger(award.points) || award.points <= 0) throw new ValidationError(`points must be a positive whole number, got ${award.points}`);
  const now = award.now ?? new Date();
  const pool = await poolDefinition(award.poolId);
  const activity = pool.activities.find((a) => a.activity === award.activity);
  if (!activity) {
    throw new ValidationError(`pool ${pool.poolId} has no activity ${award.activity}; its activities: ${pool.activities.map((a) => a.activity).join(', ')}`);
  }
  const exhausted = (current: Record<string, unknown> | undefined) => {
    const issued = Number(current?.[activityAttribute(activity.activity)] ?? 0);
    const left = Math.max(0, Math.min(activity.sharePoints - issued, pool.budgetPoints - Number(current?.issued ?? 0)));
    return new DomainError('BUDGET_EXHAUSTED', `pool ${pool.poolId} has ${left} points left for ${activity.activity}; ${award.points} requested`, {
      poolId: pool.poolId,
      activity: activity.activity,
      left,
      requested: award.points,
    });
  };
  if (award.points > activity.sharePoints) throw exhausted(undefined);
  const cap = activity.dailyCapPerMember;
  if (cap !== null && award.points > cap) {
    throw new DomainError('LIMIT_REACHED', `${award.points} points exceed the daily cap of ${cap} per member for ${activity.activity}`, { cap });
  }

  const day = localDate(now);
  const extra: ExtraWrite[] = [
    {
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.pool.counters(pool.poolId),
          UpdateExpression: 'ADD issued :p, awards :one, #activity :p',
          // issued + points <= limit, written as issued <= limit - points (no arithmetic in conditions).
          ConditionExpression: 'attribute_exists(PK) AND #activity <= :activityLimit AND issued <= :budgetLimit',
          ExpressionAttributeNames: { '#activity': activityAttribute(activity.activity) },
          ExpressionAttributeValues: {
            ':p': award.points,
            ':one': 1,
            ':activityLimit': activity.sharePoints - award.points,
            ':budgetLimit': pool.budgetPoints - award.points,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: exhausted,
    },
  ];
  if (cap !== null) {
    extra.push({
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.member.poolDailyCap(award.memberId, pool.poolId, activity.activity, day),
          UpdateExpression: 'ADD issued :p SET entity = :entity, poolId = :pool, activity = :activity, #day = :day, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(issued) OR issued <= :capLimit',
          ExpressionAttributeNames: { '#day': 'day', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':p': award.points,
            ':entity': 'PoolDailyCap',
            ':pool': pool.poolId,
            ':activity': activity.activity,
            ':day': day,
            // Kept two days past the local day, then DynamoDB deletes it.
            ':ttl': Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + 3 * 24 * 3600,
            ':capLimit': cap - award.points,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: (current) =>
        new DomainError('LIMIT_REACHED', `the daily cap of ${cap} points for ${activity.activity} is reached (${Number(current?.issued ?? 0)} today)`, {
          cap,
          issuedToday: Number(current?.issued ?? 0),
        }),
    });
  }
  const bucket = bucketForPolicy((await getEarningRules()).expiry, now);
  return {
    move: { memberId: award.memberId, type: 'EARN', points: award.points, bucket, reason: award.reason, ref: award.ref },
    extra,
    bucket,
    pool,
    activity,
  };
}

/**
 * Credits `points` to a member from one activity of a pool (see
 * `poolAwardParts`) in one commit. All or nothing: BUDGET_EXHAUSTED or
 * LIMIT_REACHED (409) when a limit would be passed, and nothing is written.
 */
export async function awardFromPool(award: PoolAward): Promise<{ replayed: boolean; response: StoredResponse & { body: PoolAwardResult } }> {
  const now = award.now ?? new Date();
  const parts = await poolAwardParts({ ...award, now });
  const outcome = await commit({
    moves: [parts.move],
    extra: parts.extra,
    ...(award.idempotency ? { idempotency: award.idempotency } : {}),
    response: (entries) => ({
      status: 201,
      body: {
        poolId: parts.pool.poolId,
        activity: parts.activity.activity,
        memberId: award.memberId,
        points: award.points,
        entryId: entries[0]?.id ?? '',
        bucket: parts.bucket,
        at: now.toISOString(),
      } satisfies PoolAwardResult,
    }),
    now,
  });
  if (!outcome.response) throw new Error('pool award committed without a response');
  return { replayed: outcome.replayed, response: outcome.response as StoredResponse & { body: PoolAwardResult } };
}
