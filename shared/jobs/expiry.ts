import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { bucketAfterMonths, expiryAmount, lastDueBucket } from '../domain/fifo.js';
import { publish, type DomainEvent } from '../events/publisher.js';
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

export interface ExpiryStats {
  bucketsProcessed: number;
  walletsVisited: number;
  walletsExpired: number;
  pointsExpired: number;
  /** 1 when every due bucket was finished, 0 when the run stopped at its deadline. */
  complete: number;
  [key: string]: number;
}

interface Marker {
  memberId: string;
  currency: string;
  bucket: string;
}

const jobStateKey = { PK: 'JOB#expiry', SK: 'STATE' };

function nextBucket(bucket: string): string {
  const [y, m] = bucket.split('-').map(Number) as [number, number];
  return bucketAfterMonths(new Date(Date.UTC(y, m - 1, 1)), 1);
}

/** Expires one wallet's bucket: one transaction (wallet, ledger entry, marker delete), retried if the wallet moved. */
async function expireMarker(marker: Marker, now: Date): Promise<number> {
  const markerKey = keys.member.expiryMarker(marker.memberId, marker.currency, marker.bucket);
  const deleteMarker = { Delete: { TableName: tableName(), Key: { PK: markerKey.PK, SK: markerKey.SK } } };
  for (let attempt = 0; attempt < MAX_STALE_RETRIES; attempt += 1) {
    const read = await db().send(
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
        extra: [{ item: deleteMarker }],
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

async function markersOf(bucket: string, shard: number): Promise<Marker[]> {
  const out: Marker[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: INDEX,
        KeyConditionExpression: 'EXPPK = :pk',
        ExpressionAttributeValues: { ':pk': keys.expiry.partition(bucket, shard) },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      out.push({ memberId: String(item.memberId), currency: String(item.currency), bucket: String(item.bucket) });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/**
 * The daily expiry job. It walks the due buckets the job has not completed,
 * finds the wallets holding each through the sparse ExpiryDue index (never a
 * Scan), and expires each with one transaction. Re-running it, running it
 * twice at once, or resuming after a crash is safe: a wallet accepts the
 * expiry of a bucket once (`expiredThrough`), and markers are deleted as they
 * are done.
 */
export async function runExpiryJob(
  options: { now?: Date; concurrency?: number; /** Epoch ms after which no new wallet is started; the next run resumes. */ deadline?: number } = {},
): Promise<ExpiryStats> {
  const now = options.now ?? new Date();
  const due = lastDueBucket(now);
  const state = await db().send(new GetCommand({ TableName: tableName(), Key: jobStateKey, ConsistentRead: true }));
  const completed = state.Item?.completedThrough as string | undefined;
  let bucket = completed ? nextBucket(completed) : bucketAfterMonths(now, -FIRST_RUN_LOOKBACK_MONTHS);
  const stats: ExpiryStats = { bucketsProcessed: 0, walletsVisited: 0, walletsExpired: 0, pointsExpired: 0, complete: 1 };
  const outOfTime = () => options.deadline !== undefined && Date.now() > options.deadline;

  while (bucket <= due) {
    const shards = Array.from({ length: EXPIRY_INDEX_SHARDS }, (_, i) => i);
    const markers = (await mapWithConcurrency(shards, EXPIRY_INDEX_SHARDS, (shard) => markersOf(bucket, shard))).flat();
    const events: DomainEvent[] = [];
    await mapWithConcurrency(markers, options.concurrency ?? 16, async (marker) => {
      if (outOfTime()) return;
      const points = await expireMarker(marker, now);
      stats.walletsVisited += 1;
      if (points > 0) {
        stats.walletsExpired += 1;
        stats.pointsExpired += points;
        events.push({
          detailType: 'PointsExpired',
          detail: { version: 1, memberId: marker.memberId, currency: marker.currency, bucket: marker.bucket, points, at: now.toISOString() },
        });
      }
    });
    await publish(events);
    if (outOfTime()) {
      // Markers not reached are still in the index; the next run picks them up.
      stats.complete = 0;
      logger.warn('expiry stopped at its deadline; the next run resumes', { bucket });
      break;
    }
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...jobStateKey, entity: 'JobState', completedThrough: bucket, updatedAt: new Date().toISOString() },
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
