import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { bucketAfterMonths, expiryAmount, lastDueBucket } from '../domain/fifo.js';
import { outboxWrite, typedEvent } from '../events/outbox.js';
import { commit, StaleWalletError } from '../ledger/ledger.js';
import { walletFromItem } from '../ledger/wallet-item.js';
import { logger } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import { EXPIRY_INDEX_SHARDS, keys } from '../table/keys.js';
import { mapWithConcurrency } from './pool.js';

const INDEX = 'ExpiryDue';
/** How far back the first run looks for unprocessed buckets. */
const FIRST_RUN_LOOKBACK_MONTHS = 12;
const MAX_STALE_RETRIES = 5;
/** Keys per BatchGetItem (the DynamoDB limit). */
const BATCH_GET_LIMIT = 100;
const BATCH_GET_ATTEMPTS = 5;

export interface ExpiryStats {
  bucketsProcessed: number;
  walletsVisited: number;
  walletsExpired: number;
  pointsExpired: number;
  /** 1 when every due bucket was finished, 0 when the run stopped at its deadline. */
  complete: number;
  [key: string]: number;
}

export interface Marker {
  memberId: string;
  currency: string;
  bucket: string;
}

/** Name of the production job-state item (`keys.jobState('expiry')`). */
export const DEFAULT_EXPIRY_STATE = 'expiry';

function nextBucket(bucket: string): string {
  const [y, m] = bucket.split('-').map(Number) as [number, number];
  return bucketAfterMonths(new Date(Date.UTC(y, m - 1, 1)), 1);
}

/** How readWallets keys its answer. */
export function walletId(memberId: string, currency: string): string {
  return `${memberId}#${currency}`;
}

/**
 * The wallets of `markers`, read with BatchGetItem (100 keys a call), keyed by
 * `memberId#currency`; a wallet that does not exist maps to null. Keys still
 * unprocessed after a few attempts are left out: the caller reads those one by one.
 */
async function readWallets(
  markers: readonly Marker[],
  options: { consistent: boolean },
): Promise<Map<string, Record<string, unknown> | null>> {
  const found = new Map<string, Record<string, unknown> | null>();
  const wanted = [...new Map(markers.map((m) => [walletId(m.memberId, m.currency), m])).entries()];
  for (let i = 0; i < wanted.length; i += BATCH_GET_LIMIT) {
    const chunk = wanted.slice(i, i + BATCH_GET_LIMIT);
    let pending: Record<string, unknown>[] = chunk.map(([, m]) => ({ ...keys.member.wallet(m.memberId, m.currency) }));
    for (let attempt = 0; attempt < BATCH_GET_ATTEMPTS && pending.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      const result = await db().send(
        new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: options.consistent } } }),
      );
      for (const item of result.Responses?.[tableName()] ?? []) {
        found.set(walletId(String(item.memberId), String(item.currency)), item);
      }
      pending = result.UnprocessedKeys?.[tableName()]?.Keys ?? [];
    }
    const unprocessed = new Set(pending.map((k) => `${String(k.PK)}|${String(k.SK)}`));
    for (const [id, m] of chunk) {
      const key = keys.member.wallet(m.memberId, m.currency);
      if (!found.has(id) && !unprocessed.has(`${key.PK}|${key.SK}`)) found.set(id, null);
    }
  }
  return found;
}

/**
 * Reads the wallets of `markers` lazily, 100 at a time: the answer for the
 * marker at `index` comes from one BatchGetItem of its block of 100, issued
 * when the first worker reaches that block, so a pool of workers shares it.
 */
export function walletsByBlock(
  markers: readonly Marker[],
  options: { consistent: boolean },
): (index: number) => Promise<Map<string, Record<string, unknown> | null>> {
  const blocks = new Map<number, Promise<Map<string, Record<string, unknown> | null>>>();
  return (index) => {
    const start = index - (index % BATCH_GET_LIMIT);
    let block = blocks.get(start);
    if (!block) {
      block = readWallets(markers.slice(start, start + BATCH_GET_LIMIT), options);
      blocks.set(start, block);
    }
    return block;
  };
}

/**
 * The outbox event id of a wallet's expiry of one bucket. Deterministic: a
 * wallet accepts the expiry of a bucket once, so one id per (wallet, bucket),
 * and a second write of it would fail its condition instead of duplicating.
 */
export function pointsExpiredEventId(memberId: string, currency: string, bucket: string): string {
  return `points-expired-${bucket}-${currency}-${memberId}`;
}

/**
 * Expires one wallet's bucket: one transaction (wallet, ledger entry, marker
 * delete, and the `PointsExpired` outbox event), retried if the wallet moved. `prefetched` is the wallet as a batch
 * read found it (null: no wallet); without it, and on every retry, the wallet
 * is read on its own.
 */
async function expireMarker(marker: Marker, now: Date, prefetched?: Record<string, unknown> | null): Promise<number> {
  const markerKey = keys.member.expiryMarker(marker.memberId, marker.currency, marker.bucket);
  const deleteMarker = { Delete: { TableName: tableName(), Key: { PK: markerKey.PK, SK: markerKey.SK } } };
  for (let attempt = 0; attempt < MAX_STALE_RETRIES; attempt += 1) {
    const read =
      attempt === 0 && prefetched !== undefined
        ? { Item: prefetched ?? undefined }
        : await db().send(
            new GetCommand({
              TableName: tableName(),
              Key: keys.member.wallet(marker.memberId, marker.currency),
              ConsistentRead: true,
            }),
          );
    if (!read.Item) {
      await db().send(new DeleteCommand({ TableName: tableName(), Key: deleteMarker.Delete.Key }));
      return 0;
    }
    const wallet = walletFromItem(read.Item);
    if (wallet.expiredThrough !== undefined && wallet.expiredThrough >= marker.bucket) {
      await db().send(new DeleteCommand({ TableName: tableName(), Key: deleteMarker.Delete.Key }));
      return 0;
    }
    const amount = expiryAmount(wallet, marker.bucket);
    try {
      if (amount === 0) {
        // Nothing left in the bucket: just record that it is gone, so returned points never land in it.
        await db().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: keys.member.wallet(marker.memberId, marker.currency),
            UpdateExpression: 'SET expiredThrough = :b',
            ConditionExpression:
              'debited = :d AND expired = :x AND (attribute_not_exists(expiredThrough) OR expiredThrough < :b)',
            ExpressionAttributeValues: { ':b': marker.bucket, ':d': wallet.debited, ':x': wallet.expired },
          }),
        );
        await db().send(new DeleteCommand({ TableName: tableName(), Key: deleteMarker.Delete.Key }));
        return 0;
      }
      await commit({
        moves: [
          {
            memberId: marker.memberId,
            currency: marker.currency,
            type: 'EXPIRE',
            points: amount,
            bucket: marker.bucket,
            reason: `points of ${marker.bucket} expired`,
            expect: { debited: wallet.debited, expired: wallet.expired },
          },
        ],
        extra: [
          { item: deleteMarker },
          {
            // The id is taken only by this expiry: taken means it committed already, which the re-read shows.
            ...outboxWrite(
              typedEvent('PointsExpired', { memberId: marker.memberId, currency: marker.currency, bucket: marker.bucket, points: amount, at: now.toISOString() }),
              now,
              pointsExpiredEventId(marker.memberId, marker.currency, marker.bucket),
            ),
            onConditionFailed: () => new StaleWalletError(marker.memberId),
          },
        ],
        now,
      });
      return amount;
    } catch (error) {
      const stale =
        error instanceof StaleWalletError || (error instanceof Error && error.name === 'ConditionalCheckFailedException');
      if (!stale) throw error;
    }
  }
  throw new Error(`wallet ${marker.memberId}/${marker.currency} kept changing while expiring ${marker.bucket}`);
}

async function markersOf(bucket: string, shard: number, filterExpression: string | undefined) {
  const markers: Marker[] = [];
  let filteredOut = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: INDEX,
        KeyConditionExpression: 'EXPPK = :pk',
        ExpressionAttributeValues: { ':pk': keys.expiry.partition(bucket, shard) },
        ...(filterExpression ? { FilterExpression: filterExpression } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      markers.push({ memberId: String(item.memberId), currency: String(item.currency), bucket: String(item.bucket) });
    }
    filteredOut += (page.ScannedCount ?? 0) - (page.Count ?? 0);
    start = page.LastEvaluatedKey;
  } while (start);
  return { markers, filteredOut };
}

/**
 * Every expiry marker of one bucket, from the sparse ExpiryDue index: its
 * EXPIRY_INDEX_SHARDS partitions queried in parallel, every page (never a
 * Scan). `filterExpression` (on marker attributes) drops markers after the
 * read; `filteredOut` says how many.
 */
export async function bucketMarkers(
  bucket: string,
  filterExpression?: string,
): Promise<{ markers: Marker[]; filteredOut: number }> {
  const shards = Array.from({ length: EXPIRY_INDEX_SHARDS }, (_, i) => i);
  const pages = await mapWithConcurrency(shards, EXPIRY_INDEX_SHARDS, (shard) => markersOf(bucket, shard, filterExpression));
  return {
    markers: pages.flatMap((p) => p.markers),
    filteredOut: pages.reduce((sum, p) => sum + p.filteredOut, 0),
  };
}

/**
 * The daily expiry job. It walks the due buckets the job has not completed,
 * finds the wallets holding each through the sparse ExpiryDue index (never a
 * Scan), reads those wallets 100 at a time (BatchGetItem, strongly
 * consistent) and expires each with one transaction, which also writes the
 * wallet's `PointsExpired` event to the outbox: per expiring wallet about one
 * call, whatever the number of members. Re-running it, running it
 * twice at once, or resuming after a crash is safe: a wallet accepts the
 * expiry of a bucket once (`expiredThrough`), and markers are deleted as they
 * are done.
 */
export async function runExpiryJob(
  options: {
    now?: Date;
    /** Wallets expired at once (default 16). */
    concurrency?: number;
    /** Epoch ms after which no new wallet is started; the next run resumes. */
    deadline?: number;
    /**
     * Name of the job-state item that records progress (`keys.jobState(stateKey)`, default `expiry`).
     * Only tests and benchmarks pass another: a run with its own state item neither skips
     * buckets the shared state marks done nor advances that state, so it can work on a
     * bucket range of its own (as of `now`, the first run looks back 12 months) while
     * other tests use the shared one. Markers are shared whatever the state item.
     */
    stateKey?: string;
  } = {},
): Promise<ExpiryStats> {
  const now = options.now ?? new Date();
  const due = lastDueBucket(now);
  const stateKey = keys.jobState(options.stateKey ?? DEFAULT_EXPIRY_STATE);
  const state = await db().send(new GetCommand({ TableName: tableName(), Key: stateKey, ConsistentRead: true }));
  const completed = state.Item?.completedThrough as string | undefined;
  let bucket = completed ? nextBucket(completed) : bucketAfterMonths(now, -FIRST_RUN_LOOKBACK_MONTHS);
  const stats: ExpiryStats = { bucketsProcessed: 0, walletsVisited: 0, walletsExpired: 0, pointsExpired: 0, complete: 1 };
  const outOfTime = () => options.deadline !== undefined && Date.now() > options.deadline;

  while (bucket <= due) {
    const { markers } = await bucketMarkers(bucket);
    const walletsNear = walletsByBlock(markers, { consistent: true });
    await mapWithConcurrency(markers, options.concurrency ?? 16, async (marker, index) => {
      if (outOfTime()) return;
      const wallets = await walletsNear(index);
      const points = await expireMarker(marker, now, wallets.get(walletId(marker.memberId, marker.currency)));
      stats.walletsVisited += 1;
      if (points > 0) {
        stats.walletsExpired += 1;
        stats.pointsExpired += points;
      }
    });
    if (outOfTime()) {
      // Markers not reached are still in the index; the next run picks them up.
      stats.complete = 0;
      logger.warn('expiry stopped at its deadline; the next run resumes', { bucket });
      break;
    }
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...stateKey, entity: 'JobState', completedThrough: bucket, updatedAt: new Date().toISOString() },
        ConditionExpression: 'attribute_not_exists(completedThrough) OR completedThrough < :b',
        ExpressionAttributeValues: { ':b': bucket },
      }),
    ).catch((error: Error) => {
      // A concurrent run already recorded this bucket or a later one.
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
    logger.info('expiry bucket done', { bucket, markers: markers.length });
    stats.bucketsProcessed += 1;
    bucket = nextBucket(bucket);
  }
  return stats;
}
