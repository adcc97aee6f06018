/**
 * The expiry forecast: how many points expire with each bucket (`YYYY-MM`),
 * summed over every wallet of a currency, without reading a wallet.
 *
 * Ledger entries do not say which buckets a spend, hold, clawback or expiry
 * took points from (a spend is a blind decrement; FIFO is implied by the
 * wallet's counters, shared/domain/fifo.ts). The wallet item does: what each
 * live bucket holds is `liveBuckets(wallet)`, the same figure a member sees as
 * `expiring`. The table stream carries every wallet change with its old and
 * new image, so the `points-report` consumer adds `liveBuckets(new) −
 * liveBuckets(old)` per bucket to one counter item per (currency, bucket),
 * exactly once per change (a marker per stream record). The sum over all
 * wallets of their live buckets is therefore kept exactly, whatever moved the
 * points (earning, vesting, spending, holds and their release, refunds,
 * clawbacks, both kinds of expiry), and in whatever order the changes are
 * counted.
 *
 * Reading is one Query of a currency's bucket items (one per month that ever
 * held points: a few dozen), never a scan of members.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { cashValueCents } from '../domain/earning.js';
import { bucketExpiresAt, liveBuckets, NEVER_EXPIRES } from '../domain/fifo.js';
import { shiftMonth, utcMonth } from '../domain/months.js';
import { walletFromItem } from '../ledger/wallet-item.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import type { Countable } from './counting.js';
import { unitsPerYuan } from './points-report.js';

function imageOf(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  // Lambda's record type and the SDK's AttributeValue describe the same JSON.
  return image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
}

/** Points per live bucket of a stored wallet item (none for a missing image). */
function liveOf(item: Record<string, unknown> | undefined): Map<string, number> {
  const live = new Map<string, number>();
  if (!item) return live;
  for (const { bucket, points } of liveBuckets(walletFromItem(item))) live.set(bucket, points);
  return live;
}

/** What a wallet change moves between buckets: `new − old` per bucket, zeros left out. */
export function bucketDeltas(oldItem: Record<string, unknown> | undefined, newItem: Record<string, unknown> | undefined): Map<string, number> {
  const before = liveOf(oldItem);
  const after = liveOf(newItem);
  const deltas = new Map<string, number>();
  for (const bucket of new Set([...before.keys(), ...after.keys()])) {
    const delta = (after.get(bucket) ?? 0) - (before.get(bucket) ?? 0);
    if (delta !== 0) deltas.set(bucket, delta);
  }
  return deltas;
}

/**
 * What one wallet change (a stream record of a Wallet item) adds to the
 * forecast, or nothing when it moves no points between buckets (a PEND, a
 * capture of held points, an expiry that found the bucket empty ...).
 */
export function walletChangeCountable(record: DynamoDBRecord, now: Date): Countable | undefined {
  const oldItem = imageOf(record.dynamodb?.OldImage as Record<string, unknown> | undefined);
  const newItem = imageOf(record.dynamodb?.NewImage as Record<string, unknown> | undefined);
  const currency = String((newItem ?? oldItem)?.currency ?? '');
  if (!record.eventID || !currency) return undefined;
  const deltas = bucketDeltas(oldItem, newItem);
  if (deltas.size === 0) return undefined;
  const updatedAt = now.toISOString();
  return {
    marker: keys.report.countedChange(record.eventID),
    deltas: [...deltas].map(([bucket, points]) => ({
      key: keys.report.expiryBucket(currency, bucket),
      counters: { points },
      set: { entity: 'ExpiryForecastBucket', currency, bucket, updatedAt },
    })),
  };
}

/** Months the forecast lists, the current one first. */
export const FORECAST_MONTHS = 12;

export interface ExpiryForecast {
  readonly currency: string;
  /** The points value used for `valueCents`: how many units are worth 1 CNY. */
  readonly unitsPerYuan: number;
  /** The buckets listed: the current UTC month and the 11 after it, with their points' value now (CNY cents, rounded down). */
  readonly months: readonly { readonly bucket: string; readonly expiresAt: string; readonly points: number; readonly valueCents: number }[];
  /** Points in buckets already past their expiry that the expiry job has not removed yet. */
  readonly overdue: number;
  /** Points in dated buckets after the last month listed. */
  readonly later: number;
  readonly neverExpires: number;
  /** Every live point: overdue + months + later + neverExpires. */
  readonly total: number;
  /** When the counters last took in a wallet change, or null. */
  readonly countedThrough: string | null;
}

/** Points due to expire per bucket month, from the forecast counters (one Query; eventually consistent). */
export async function expiryForecast(currency: string, now = new Date()): Promise<ExpiryForecast> {
  const perUnit = await unitsPerYuan(currency);
  const prefix = keys.report.expiryPrefix();
  const stored = new Map<string, number>();
  let countedThrough: string | null = null;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.report.expiryBucket(currency, '').PK, ':prefix': prefix },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      stored.set(String(item.bucket), Number(item.points ?? 0));
      if (typeof item.updatedAt === 'string' && (countedThrough === null || item.updatedAt > countedThrough)) countedThrough = item.updatedAt;
    }
    start = page.LastEvaluatedKey;
  } while (start);

  const first = utcMonth(now);
  const last = shiftMonth(first, FORECAST_MONTHS - 1);
  const months = Array.from({ length: FORECAST_MONTHS }, (_, i) => {
    const bucket = shiftMonth(first, i);
    const points = stored.get(bucket) ?? 0;
    return { bucket, expiresAt: bucketExpiresAt(bucket) as string, points, valueCents: cashValueCents(Math.max(0, points), perUnit) };
  });
  let overdue = 0;
  let later = 0;
  for (const [bucket, points] of stored) {
    if (bucket < first) overdue += points;
    else if (bucket > last && bucket !== NEVER_EXPIRES) later += points;
  }
  const neverExpires = stored.get(NEVER_EXPIRES) ?? 0;
  const total = overdue + later + neverExpires + months.reduce((sum, m) => sum + m.points, 0);
  return { currency, unitsPerYuan: perUnit, months, overdue, later, neverExpires, total, countedThrough };
}
