/**
 * FIFO-by-expiry arithmetic over the counters kept on a wallet item.
 *
 * A wallet never stores lots. It stores the points earned per expiry bucket
 * plus two cumulative counters: `debited` (spent + held, net of releases and
 * refunds) and `expired`. Consumption is always a prefix of the buckets in
 * expiry order, so what any bucket still holds follows from the counters:
 *
 *   cumulative(k) = sum of earned in buckets <= k
 *   left(k)       = max(0, cumulative(k) - debited - expired)   (all buckets before k expired)
 *
 * That is what lets a spend be a blind conditional decrement of `available`
 * and lets the expiry job compute a bucket's amount from one item read.
 *
 * Policy for points coming back (release, refund): they return at the
 * consumption frontier, i.e. to the latest bucket they could have come from;
 * if that bucket has already expired they land in the earliest live bucket
 * (they are never expired retroactively). docs/ledger.md has worked examples.
 */

/** Bucket key of points that never expire; sorts after every dated bucket. */
export const NEVER_EXPIRES = '9999-12';

export interface WalletCounters {
  /** Points earned per expiry bucket (`YYYY-MM`, the month at whose end they expire). */
  readonly buckets: Readonly<Record<string, number>>;
  readonly debited: number;
  readonly expired: number;
  /** Latest bucket already expired (buckets <= it are gone), if any. */
  readonly expiredThrough?: string | undefined;
}

export interface BucketBalance {
  readonly bucket: string;
  readonly points: number;
}

function sortedBuckets(buckets: Readonly<Record<string, number>>): string[] {
  return Object.keys(buckets).sort();
}

/** Points the expiry of `bucket` removes now, assuming every earlier bucket is due too. */
export function expiryAmount(wallet: WalletCounters, bucket: string): number {
  if (wallet.expiredThrough !== undefined && bucket <= wallet.expiredThrough) return 0;
  let cumulative = 0;
  for (const key of sortedBuckets(wallet.buckets)) {
    if (key > bucket) break;
    cumulative += wallet.buckets[key] ?? 0;
  }
  return Math.max(0, cumulative - wallet.debited - wallet.expired);
}

/**
 * What each live (not yet expired) bucket still holds, earliest first; buckets
 * holding nothing are omitted. The sum equals the wallet's available points.
 */
export function liveBuckets(wallet: WalletCounters): BucketBalance[] {
  const live = sortedBuckets(wallet.buckets).filter(
    (b) => wallet.expiredThrough === undefined || b > wallet.expiredThrough,
  );
  let free = 0;
  for (const b of sortedBuckets(wallet.buckets)) free += wallet.buckets[b] ?? 0;
  free -= wallet.debited + wallet.expired;
  if (free <= 0 || live.length === 0) return [];
  // Fill from the latest bucket backwards: consumption is a prefix, so the
  // latest buckets are the full ones; the earliest live bucket takes the rest.
  const result: BucketBalance[] = [];
  for (let i = live.length - 1; i >= 0 && free > 0; i -= 1) {
    const bucket = live[i] as string;
    const points = i === 0 ? free : Math.min(wallet.buckets[bucket] ?? 0, free);
    if (points > 0) result.push({ bucket, points });
    free -= points;
  }
  return result.reverse();
}

/** Instant (exclusive) at which a bucket's points expire: the first moment of the following month, UTC. */
export function bucketExpiresAt(bucket: string): string | null {
  if (bucket === NEVER_EXPIRES) return null;
  const [y, m] = bucket.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 1)).toISOString();
}

/** The bucket whose end is at or after `at` plus `months` (rounded up to month end), UTC. */
export function bucketAfterMonths(at: Date, months: number): string {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Buckets whose expiry instant is at or before `now`: every bucket up to the previous month. */
export function lastDueBucket(now: Date): string {
  return bucketAfterMonths(now, -1);
}

/** Validates a bucket key (`YYYY-MM`). */
export function isBucketKey(value: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}
