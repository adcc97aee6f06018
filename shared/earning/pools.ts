/**
 * Points pools (docs/earning.md, Pools): a budget for activity points split
 * across activities by weight. The pool's counters are spread over K counter
 * shards, each its own item holding its slice of the budget and of every
 * activity's share. An award credits a member and, in the same transaction,
 * takes the points from ONE shard, on the condition that the shard's slices
 * cover them; a shard that cannot sends the award to the next. The slices sum
 * to the budget and to each share, so a pool can never over-issue under any
 * concurrency, while awards spread over K items instead of queueing on one.
 * An award is all or nothing: when no shard can cover it, nothing is written
 * and the call answers BUDGET_EXHAUSTED.
 */
import { BatchGetCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { activityShares, shardSlices, type PoolActivityInput, type PoolActivityShare, type PoolShardSlice } from '../domain/pools.js';
import { localDate } from '../domain/programme.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import type { IdempotencySpec, StoredResponse } from '../ledger/idempotency.js';
import { commit, type ExtraWrite, type LedgerMove } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { queryPage, type PageRequest } from '../table/paging.js';
import { bucketForPolicy, getEarningRules } from './rules-store.js';
import { auditItems } from '../audit/audit.js';

export interface PoolDefinition {
  readonly poolId: string;
  readonly name: string;
  readonly budgetPoints: number;
  readonly activities: readonly PoolActivityShare[];
  /** Counter shards the pool's counters are spread over; fixed at creation (1 for pools made before sharding). */
  readonly counterShards: number;
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
  /** Counter shards (default: `defaultCounterShards(budgetPoints)`). */
  readonly counterShards?: number | undefined;
}

/** Counter shards of a pool unless its creator says otherwise. */
export const DEFAULT_COUNTER_SHARDS = 8;
/** Most counter shards a pool may have (its creation writes them all in one transaction). */
export const MAX_COUNTER_SHARDS = 32;
/** Points of budget per shard below which the default uses fewer shards. */
const MIN_POINTS_PER_SHARD = 10_000;

/**
 * The default shard count: 8, fewer for a small budget (one per 10,000
 * points, at least one), since a shard's slice must stay large against the
 * awards for the points stranded on shards near exhaustion to be negligible.
 */
export function defaultCounterShards(budgetPoints: number): number {
  return Math.max(1, Math.min(DEFAULT_COUNTER_SHARDS, Math.floor(budgetPoints / MIN_POINTS_PER_SHARD)));
}

/** Counter attribute of one activity on a counters shard: what the shard has issued for it. */
function activityAttribute(activity: string): string {
  return `A#${activity}`;
}

/** Attribute of one activity's slice of the share on a counters shard. */
function sliceAttribute(activity: string): string {
  return `S#${activity}`;
}

/** Pools never change once created, so a definition read once is good for the life of the process. */
const definitions = new Map<string, PoolDefinition>();
const slicesOfPool = new Map<string, PoolShardSlice[]>();

function definitionFromItem(item: Record<string, unknown>): PoolDefinition {
  return {
    poolId: String(item.poolId),
    name: String(item.name),
    budgetPoints: Number(item.budgetPoints),
    activities: item.activities as PoolActivityShare[],
    // A pool stored before sharding has one shard: its original counters item.
    counterShards: Number(item.counterShards ?? 1),
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
  };
}

/** Each shard's slice of the budget and of the activities' shares (computed from the definition, never stored apart from it). */
function slicesOf(pool: PoolDefinition): PoolShardSlice[] {
  let slices = slicesOfPool.get(pool.poolId);
  if (!slices) {
    slices = shardSlices(pool.activities, pool.counterShards);
    slicesOfPool.set(pool.poolId, slices);
  }
  return slices;
}

/** The pool with its shards summed. */
function viewOf(pool: PoolDefinition, shards: readonly Record<string, unknown>[]): PoolView {
  const total = (attribute: string) => shards.reduce((sum, item) => sum + Number(item[attribute] ?? 0), 0);
  const issued = total('issued');
  return {
    ...pool,
    issued,
    left: pool.budgetPoints - issued,
    awards: total('awards'),
    activities: pool.activities.map((a) => {
      const activityIssued = total(activityAttribute(a.activity));
      return { ...a, issued: activityIssued, left: a.sharePoints - activityIssued };
    }),
  };
}

/**
 * Creates a pool: the definition (with each activity's share of the budget)
 * and its zeroed counter shards, in one transaction. `poolId` is generated
 * unless given (the local seed passes a fixed one; creating an existing id is
 * a 409).
 */
export async function createPool(input: PoolInput, operator: string, options: { poolId?: string; now?: Date } = {}): Promise<PoolView> {
  const names = input.activities.map((a) => a.activity);
  if (new Set(names).size !== names.length) throw new ValidationError('each activity may appear only once in a pool');
  const counterShards = input.counterShards ?? defaultCounterShards(input.budgetPoints);
  if (!Number.isSafeInteger(counterShards) || counterShards < 1 || counterShards > MAX_COUNTER_SHARDS) {
    throw new ValidationError(`counterShards must be a whole number from 1 to ${MAX_COUNTER_SHARDS}, got ${counterShards}`);
  }
  const now = options.now ?? new Date();
  const pool: PoolDefinition = {
    poolId: options.poolId ?? `pool-${ulid()}`,
    name: input.name,
    budgetPoints: input.budgetPoints,
    activities: activityShares(input.budgetPoints, input.activities),
    counterShards,
    createdAt: now.toISOString(),
    createdBy: operator,
  };
  const shards = shardSlices(pool.activities, counterShards).map((slice, shard) => {
    const item: Record<string, unknown> = {
      ...keys.pool.counterShard(pool.poolId, shard),
      entity: 'PoolCounters',
      poolId: pool.poolId,
      shard,
      budgetPoints: slice.budgetPoints,
      issued: 0,
      awards: 0,
    };
    for (const a of pool.activities) {
      item[activityAttribute(a.activity)] = 0;
      item[sliceAttribute(a.activity)] = slice.shares[a.activity] ?? 0;
    }
    return item;
  });
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
          ...shards.map((item) => ({ Put: { TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(PK)' } })),
          ...auditItems({ target: `pool:${pool.poolId}`, summary: `created pool "${pool.name}"`, after: pool }),
        ],
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException') throw new DomainError('CONFLICT', `pool ${pool.poolId} already exists`);
    throw error;
  }
  definitions.set(pool.poolId, pool);
  return viewOf(pool, shards);
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

/**
 * Every counter shard of a pool (one BatchGetItem), strongly consistent
 * unless `consistent: false` (half the cost; may lag a moment, so it may show
 * a shard as having issued less than it has, never more).
 */
async function readShards(pool: PoolDefinition, options: { consistent?: boolean } = {}): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let keysLeft = Array.from({ length: pool.counterShards }, (_, shard) => ({ ...keys.pool.counterShard(pool.poolId, shard) }) as Record<string, unknown>);
  for (let attempt = 0; keysLeft.length > 0; attempt += 1) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 6)));
    const result = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: keysLeft, ConsistentRead: options.consistent ?? true } } }));
    items.push(...(result.Responses?.[tableName()] ?? []));
    keysLeft = (result.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
  }
  return items;
}

/** A pool with what it has issued, in all and per activity (its shards summed), and what is left. */
export async function getPool(poolId: string): Promise<PoolView> {
  const pool = await poolDefinition(poolId);
  return viewOf(pool, await readShards(pool));
}

/** Pools, newest first, each with its counters (operator list). */
export async function listPools(page: PageRequest): Promise<{ items: PoolView[]; nextCursor: string | null }> {
  const partition = keys.pool.listPartition();
  const result = await queryPage(
    { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false },
    page,
    { attribute: 'GSI1PK', value: partition },
  );
  const pools = result.items.map(definitionFromItem);
  const items = await Promise.all(pools.map(async (pool) => viewOf(pool, await readShards(pool))));
  return { items, nextCursor: result.nextCursor };
}

/**
 * What this function has seen each shard issue: pool id -> shard -> counter
 * attribute -> highest value seen. Counters only ever grow, so a value seen
 * once is a lower bound for good, and a shard seen unable to cover an award
 * can never cover it later: awards skip such shards without a write.
 */
const seenIssued = new Map<string, Map<number, Map<string, number>>>();

function remember(poolId: string, shard: number, item: Record<string, unknown> | undefined): void {
  if (!item) return;
  const shards = seenIssued.get(poolId) ?? new Map<number, Map<string, number>>();
  const seen = shards.get(shard) ?? new Map<string, number>();
  for (const [attribute, value] of Object.entries(item)) {
    if ((attribute === 'issued' || attribute.startsWith('A#')) && typeof value === 'number') seen.set(attribute, Math.max(value, seen.get(attribute) ?? 0));
  }
  shards.set(shard, seen);
  seenIssued.set(poolId, shards);
}

/** Points a shard can still give an activity as far as this function knows (an upper bound: never less than it really can). */
function shardLeft(pool: PoolDefinition, shard: number, activity: string): number {
  const slice = slicesOf(pool)[shard];
  if (!slice) return 0;
  const seen = seenIssued.get(pool.poolId)?.get(shard);
  const budgetLeft = slice.budgetPoints - (seen?.get('issued') ?? 0);
  const activityLeft = (slice.shares[activity] ?? 0) - (seen?.get(activityAttribute(activity)) ?? 0);
  return Math.max(0, Math.min(budgetLeft, activityLeft));
}

/**
 * The condition of an award's pool write failed: this shard cannot cover it
 * (another may). `commitPoolAward` catches it and tries the next shard. A
 * caller that wraps the `onConditionFailed` of the award's writes must let
 * this error through unchanged.
 */
export class PoolShardShortError extends Error {
  constructor(
    readonly poolId: string,
    readonly shard: number,
    readonly current: Record<string, unknown> | undefined,
  ) {
    super(`counter shard ${shard} of pool ${poolId} cannot cover the award`);
  }
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

/** What a pool award adds to a transaction: the EARN move and the pool shard (and daily cap) counter updates. */
export interface PoolAwardParts {
  readonly move: LedgerMove;
  readonly extra: readonly ExtraWrite[];
  readonly bucket: string;
  readonly pool: PoolDefinition;
  readonly activity: PoolActivityShare;
  /** The counter shard the points are taken from. */
  readonly shard: number;
}

/** BUDGET_EXHAUSTED for an award no shard can cover, with what is left of the activity (in all, and at most in one shard). */
function exhausted(pool: PoolDefinition, activity: PoolActivityShare, points: number): DomainError {
  const lefts = Array.from({ length: pool.counterShards }, (_, shard) => shardLeft(pool, shard, activity.activity));
  const left = lefts.reduce((sum, l) => sum + l, 0);
  const inOneShard = Math.max(0, ...lefts);
  const detail =
    left >= points
      ? `pool ${pool.poolId} has ${left} points left for ${activity.activity}, spread over its ${pool.counterShards} counter shards with at most ${inOneShard} in one; ${points} requested, award at most ${inOneShard}`
      : `pool ${pool.poolId} has ${left} points left for ${activity.activity}; ${points} requested`;
  return new DomainError('BUDGET_EXHAUSTED', detail, { poolId: pool.poolId, activity: activity.activity, left, requested: points });
}

/**
 * Runs `run`, the caller's commit of a pool award together with writes of its
 * own (a task completion, a lucky-draw spin, `awardFromPool`), with the parts
 * of the award taken from one counter shard: the EARN move (bucket from the
 * rules' expiry policy), the daily cap counter of the member for the
 * programme-local day if the activity has a cap, and the conditional update
 * of the shard (the activity within its slice of the share, the shard within
 * its slice of the budget). The first shard is picked at random; when its
 * condition fails (`PoolShardShortError`), `run` is called again with the
 * parts of another shard that may cover the award, until one commits.
 *
 * Answers `run`'s result, or throws: BUDGET_EXHAUSTED (409) only when no
 * shard of the pool can cover the award, LIMIT_REACHED (409) when the daily
 * cap is reached, and any other error of `run` unchanged (it is not retried
 * on another shard). Requests that can never fit are refused before `run`.
 */
export async function commitPoolAward<T>(award: Omit<PoolAward, 'idempotency'>, run: (parts: PoolAwardParts) => Promise<T>): Promise<T> {
  if (!Number.isSafeInteger(award.points) || award.points <= 0) throw new ValidationError(`points must be a positive whole number, got ${award.points}`);
  const now = award.now ?? new Date();
  const pool = await poolDefinition(award.poolId);
  const activity = pool.activities.find((a) => a.activity === award.activity);
  if (!activity) {
    throw new ValidationError(`pool ${pool.poolId} has no activity ${award.activity}; its activities: ${pool.activities.map((a) => a.activity).join(', ')}`);
  }
  if (award.points > activity.sharePoints) throw exhausted(pool, activity, award.points);
  const cap = activity.dailyCapPerMember;
  if (cap !== null && award.points > cap) {
    throw new DomainError('LIMIT_REACHED', `${award.points} points exceed the daily cap of ${cap} per member for ${activity.activity}`, { cap });
  }

  const day = localDate(now);
  // The cap first: when the member's cap is reached too, LIMIT_REACHED is the failure reported, and no other shard is tried.
  const capWrites: ExtraWrite[] =
    cap === null
      ? []
      : [
          {
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
          },
        ];
  const bucket = bucketForPolicy((await getEarningRules()).expiry, now);
  const move: LedgerMove = { memberId: award.memberId, type: 'EARN', points: award.points, bucket, reason: award.reason, ref: award.ref };

  const partsOn = (shard: number): PoolAwardParts => {
    const slice = slicesOf(pool)[shard] as PoolShardSlice;
    const shardWrite: ExtraWrite = {
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.pool.counterShard(pool.poolId, shard),
          UpdateExpression: 'ADD issued :p, awards :one, #activity :p',
          // issued + points <= slice, written as issued <= slice - points (no arithmetic in conditions).
          ConditionExpression: 'attribute_exists(PK) AND #activity <= :activityLimit AND issued <= :budgetLimit',
          ExpressionAttributeNames: { '#activity': activityAttribute(activity.activity) },
          ExpressionAttributeValues: {
            ':p': award.points,
            ':one': 1,
            ':activityLimit': (slice.shares[activity.activity] ?? 0) - award.points,
            ':budgetLimit': slice.budgetPoints - award.points,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: (current) => new PoolShardShortError(pool.poolId, shard, current),
    };
    return { move, extra: [...capWrites, shardWrite], bucket, pool, activity, shard };
  };

  const tried = new Set<number>();
  /** Shards that may cover the award, from a random one round the ring; skips those tried or seen short. */
  const candidates = (): number[] => {
    const start = Math.floor(Math.random() * pool.counterShards);
    return Array.from({ length: pool.counterShards }, (_, i) => (start + i) % pool.counterShards).filter(
      (shard) => !tried.has(shard) && shardLeft(pool, shard, activity.activity) >= award.points,
    );
  };
  const attempt = async (shard: number): Promise<{ value: T } | undefined> => {
    tried.add(shard);
    try {
      return { value: await run(partsOn(shard)) };
    } catch (error) {
      if (!(error instanceof PoolShardShortError) || error.poolId !== pool.poolId) throw error;
      remember(pool.poolId, error.shard, error.current);
      return undefined;
    }
  };

  // First a random shard not known to be short: until the pool runs low, nearly every award ends here.
  const [first] = candidates();
  if (first === undefined) throw exhausted(pool, activity, award.points);
  const outcome = await attempt(first);
  if (outcome) return outcome.value;
  // That shard was short: one cheap read of every shard says which may still cover the award, instead of
  // a failed transaction per shard. A lagging read shows less issued, never more, so it skips no shard that could.
  if (pool.counterShards > 1) {
    const shards = await readShards(pool, { consistent: false });
    for (const item of shards) remember(pool.poolId, Number(item.shard ?? 0), item);
  }
  for (const shard of candidates()) {
    const next = await attempt(shard);
    if (next) return next.value;
  }
  throw exhausted(pool, activity, award.points);
}

/**
 * Credits `points` to a member from one activity of a pool (see
 * `commitPoolAward`) in one commit. All or nothing: BUDGET_EXHAUSTED or
 * LIMIT_REACHED (409) when a limit would be passed, and nothing is written.
 */
export async function awardFromPool(award: PoolAward): Promise<{ replayed: boolean; response: StoredResponse & { body: PoolAwardResult } }> {
  const now = award.now ?? new Date();
  const outcome = await commitPoolAward({ ...award, now }, (parts) =>
    commit({
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
    }),
  );
  if (!outcome.response) throw new Error('pool award committed without a response');
  return { replayed: outcome.replayed, response: outcome.response as StoredResponse & { body: PoolAwardResult } };
}
