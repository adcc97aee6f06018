import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { bucketAfterMonths, bucketExpiresAt, lastDueBucket, liveBuckets } from '../domain/fifo.js';
import { inactivityExpiresAt } from '../domain/inactivity.js';
import { shiftMonth } from '../domain/months.js';
import { getEarningRules } from '../earning/rules-store.js';
import { publish, type DomainEvent } from '../events/publisher.js';
import { DEFAULT_CURRENCY, walletFromItem } from '../ledger/wallet-item.js';
import { logger } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { bucketMarkers, walletId, walletsByBlock, type Marker } from './expiry.js';
import { activityPages, activityShards, inactivityMonthsInForce, type ActivityEntry } from './inactivity-expiry.js';
import { mapWithConcurrency } from './pool.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Events per PutEvents call (the EventBridge limit); claims are released per failed call. */
const PUBLISH_BATCH = 10;
/** Markers already reminded carry `remindedAt`; the index query leaves them out. */
const NOT_REMINDED = 'attribute_not_exists(remindedAt)';

export interface ExpiryReminderStats {
  bucketsChecked: number;
  /** Wallets read: markers of the buckets not reminded yet, and wallets found inactive (inactivity policy). */
  walletsVisited: number;
  walletsReminded: number;
  pointsExpiringSoon: number;
  /** Markers (or inactive wallets) skipped because a reminder was already sent (this run or an earlier or concurrent one). */
  alreadyReminded: number;
  /** Months of last activity checked for wallets about to expire by inactivity (0 unless the policy is `inactivity`). */
  inactivityMonthsChecked: number;
  /** Of `walletsReminded`: reminders of an inactivity expiry. */
  inactiveWalletsReminded: number;
  /** 1 when every bucket was finished, 0 when the run stopped at its deadline. */
  complete: number;
  [key: string]: number;
}

/** The buckets whose points expire after `now` and at most `leadDays` later, earliest first. */
export function bucketsExpiringWithin(now: Date, leadDays: number): string[] {
  const last = lastDueBucket(new Date(now.getTime() + leadDays * DAY_MS));
  const buckets: string[] = [];
  // The current month's bucket is the first that has not expired yet.
  for (let months = 0; bucketAfterMonths(now, months) <= last; months += 1) buckets.push(bucketAfterMonths(now, months));
  return buckets;
}

function markerKey(marker: Marker) {
  const { PK, SK } = keys.member.expiryMarker(marker.memberId, marker.currency, marker.bucket);
  return { PK, SK };
}

/** Claims the reminder of one (wallet, bucket) on its expiry marker; false if it was claimed already or the marker is gone. */
async function claim(marker: Marker, run: string, points: number, now: Date): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: markerKey(marker),
        UpdateExpression: 'SET remindedAt = :now, remindedPoints = :points, reminderRun = :run',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(remindedAt)',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':points': points, ':run': run },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** A reminder claimed and waiting to be published, with the way to give the claim back. */
interface ClaimedReminder {
  readonly event: DomainEvent;
  readonly release: () => Promise<void>;
}

/** Gives a claim back (its event was not published), so the next run reminds again. */
async function release(marker: Marker, run: string): Promise<void> {
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: markerKey(marker),
        UpdateExpression: 'REMOVE remindedAt, remindedPoints, reminderRun',
        ConditionExpression: 'reminderRun = :run',
        ExpressionAttributeValues: { ':run': run },
      }),
    )
    .catch((error: Error) => {
      // The marker is gone (expired meanwhile) or belongs to another run: nothing to give back.
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
}

/**
 * Claims the inactivity reminder of a wallet last active in `month`, on the
 * wallet item itself (no index write: the LastActivity index projects keys
 * only); false if it was claimed already or the wallet was active since.
 */
async function claimInactive(entry: ActivityEntry, run: string, points: number, now: Date): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.member.wallet(entry.memberId, entry.currency),
        UpdateExpression: 'SET inactivityRemindedFor = :month, inactivityRemindedAt = :now, inactivityRemindedPoints = :points, inactivityReminderRun = :run',
        ConditionExpression: 'activeMonth = :month AND (attribute_not_exists(inactivityRemindedFor) OR inactivityRemindedFor <> :month)',
        ExpressionAttributeValues: { ':month': entry.month, ':now': now.toISOString(), ':points': points, ':run': run },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/** Gives an inactivity reminder claim back (its event was not published). */
async function releaseInactive(entry: ActivityEntry, run: string): Promise<void> {
  await db()
    .send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.member.wallet(entry.memberId, entry.currency),
        UpdateExpression: 'REMOVE inactivityRemindedFor, inactivityRemindedAt, inactivityRemindedPoints, inactivityReminderRun',
        ConditionExpression: 'inactivityReminderRun = :run',
        ExpressionAttributeValues: { ':run': run },
      }),
    )
    .catch((error: Error) => {
      // Claimed again by a later run, or the wallet is gone: nothing to give back.
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
}

/** Publishes the claimed reminders 10 at a time; a batch that fails gives its claims back and the error is raised. */
async function publishClaimed(claimed: readonly ClaimedReminder[]): Promise<void> {
  for (let i = 0; i < claimed.length; i += PUBLISH_BATCH) {
    const batch = claimed.slice(i, i + PUBLISH_BATCH);
    try {
      await publish(batch.map((c) => c.event));
    } catch (error) {
      const unpublished = claimed.slice(i);
      await mapWithConcurrency(unpublished, 8, (c) => c.release());
      logger.error('expiry reminders not published; their claims were given back', { count: unpublished.length });
      throw error;
    }
  }
}

/**
 * The daily expiry-reminder job. For each bucket whose points expire within
 * `leadDays` (after `now`), it finds the wallets holding it through the sparse
 * ExpiryDue index (never a Scan; markers already reminded are filtered out),
 * reads those wallets 100 at a time, and for every wallet that still has
 * points in the bucket publishes one `PointsExpiringSoon` event:
 * `{ version: 1, memberId, currency, bucket, points, expiresAt }`.
 *
 * Once per (wallet, bucket): before publishing, the run claims the reminder on
 * the wallet's expiry marker with a conditional write (`remindedAt`), so a
 * re-run or a concurrent run skips it. A wallet with nothing left in the
 * bucket is not claimed and is looked at again on the next run (points can
 * come back to a bucket). An EARN into the same bucket rewrites the marker
 * and so allows one more reminder, with the new amount. If publishing fails,
 * the claims of the unpublished events are given back and the next run sends them.
 *
 * Under the `inactivity` expiry policy it then reminds, with the same lead
 * time, the wallets whose points expire by inactivity within it
 * (`remindInactiveWallets`).
 *
 * Wallets are read eventually consistently: the amount is a notice, the
 * expiry job computes the real one.
 */
export async function runExpiryReminderJob(
  options: {
    now?: Date;
    /** Days ahead to look: buckets expiring after `now` and at most this much later (default: the earning rules' `reminderDays`). */
    leadDays?: number;
    /** Epoch ms after which no new wallet is started; the next run picks up the rest. */
    deadline?: number;
    /** Wallets handled at once (default 16). */
    concurrency?: number;
    /** Months of the inactivity policy; default: the earning rules' policy (none unless it is `inactivity`). */
    inactivityMonths?: number;
  } = {},
): Promise<ExpiryReminderStats> {
  const now = options.now ?? new Date();
  const leadDays = options.leadDays ?? (await getEarningRules()).reminderDays;
  const run = randomUUID();
  const stats: ExpiryReminderStats = {
    bucketsChecked: 0,
    walletsVisited: 0,
    walletsReminded: 0,
    pointsExpiringSoon: 0,
    alreadyReminded: 0,
    inactivityMonthsChecked: 0,
    inactiveWalletsReminded: 0,
    complete: 1,
  };
  const outOfTime = () => options.deadline !== undefined && Date.now() > options.deadline;

  for (const bucket of bucketsExpiringWithin(now, leadDays)) {
    if (outOfTime()) {
      stats.complete = 0;
      break;
    }
    const expiresAt = bucketExpiresAt(bucket);
    const { markers, filteredOut } = await bucketMarkers(bucket, NOT_REMINDED);
    stats.alreadyReminded += filteredOut;
    const walletsNear = walletsByBlock(markers, { consistent: false });
    const claimed: ClaimedReminder[] = [];
    await mapWithConcurrency(markers, options.concurrency ?? 16, async (marker, index) => {
      if (outOfTime()) return;
      const item = (await walletsNear(index)).get(walletId(marker.memberId, marker.currency));
      stats.walletsVisited += 1;
      if (!item) return; // no wallet (or unread this time): the next run looks again
      const points = liveBuckets(walletFromItem(item)).find((b) => b.bucket === bucket)?.points ?? 0;
      if (points <= 0) return;
      if (!(await claim(marker, run, points, now))) {
        stats.alreadyReminded += 1;
        return;
      }
      claimed.push({
        event: {
          detailType: 'PointsExpiringSoon',
          detail: { version: 1, memberId: marker.memberId, currency: marker.currency, bucket, points, expiresAt },
        },
        release: () => release(marker, run),
      });
    });
    await publishClaimed(claimed);
    stats.walletsReminded += claimed.length;
    stats.pointsExpiringSoon += claimed.reduce((sum, c) => sum + Number(c.event.detail.points), 0);
    if (outOfTime()) {
      stats.complete = 0;
      logger.warn('expiry reminders stopped at their deadline; the next run picks up the rest', { bucket });
      break;
    }
    stats.bucketsChecked += 1;
    logger.info('expiry reminders bucket done', { bucket, markers: markers.length, reminded: claimed.length });
  }
  const inactivityMonths = options.inactivityMonths ?? (await inactivityMonthsInForce());
  if (stats.complete === 1 && inactivityMonths !== undefined) {
    await remindInactiveWallets({ now, leadDays, months: inactivityMonths, run, stats, outOfTime, concurrency: options.concurrency ?? 16 });
  }
  return stats;
}

/**
 * Inactivity reminders: a wallet last active in month M loses its points when
 * month M + months ends, so the wallets to remind are those last active in
 * M = B - months for every bucket B the dated reminders look at (expiring
 * within the lead time). They are the LastActivity entries of M (one
 * `begins_with` query per shard partition), read 100 at a time. Each wallet
 * still last active in M with available points gets one `PointsExpiringSoon`
 * `{ version: 1, memberId, currency, bucket: null, points, expiresAt,
 * cause: "inactivity", lastActiveMonth }`, claimed once per (wallet, M) on the
 * wallet item (`inactivityRemindedFor`); any activity moves the wallet to a
 * later month, so a wallet that becomes inactive again is reminded again.
 */
async function remindInactiveWallets(ctx: {
  readonly now: Date;
  readonly leadDays: number;
  readonly months: number;
  readonly run: string;
  readonly stats: ExpiryReminderStats;
  readonly outOfTime: () => boolean;
  readonly concurrency: number;
}): Promise<void> {
  const { now, months, run, stats, outOfTime } = ctx;
  for (const bucket of bucketsExpiringWithin(now, ctx.leadDays)) {
    const month = shiftMonth(bucket, -months);
    const expiresAt = inactivityExpiresAt(month, months);
    const claimed: ClaimedReminder[] = [];
    await mapWithConcurrency(activityShards(), 4, async (shard) => {
      for await (const entries of activityPages(DEFAULT_CURRENCY, shard, { month })) {
        const walletsNear = walletsByBlock(
          entries.map((e) => ({ memberId: e.memberId, currency: e.currency, bucket: e.month })),
          { consistent: false },
        );
        await mapWithConcurrency(entries, Math.max(1, Math.floor(ctx.concurrency / 4)), async (entry, index) => {
          if (outOfTime()) return;
          const item = (await walletsNear(index)).get(walletId(entry.memberId, entry.currency));
          stats.walletsVisited += 1;
          // The index lags the wallet: only a wallet still last active in M is about to expire.
          if (!item || item.activeMonth !== month) return;
          if (item.inactivityRemindedFor === month) {
            stats.alreadyReminded += 1;
            return;
          }
          const points = walletFromItem(item).available;
          if (points <= 0) return;
          if (!(await claimInactive(entry, run, points, now))) {
            stats.alreadyReminded += 1;
            return;
          }
          claimed.push({
            event: {
              detailType: 'PointsExpiringSoon',
              detail: { version: 1, memberId: entry.memberId, currency: entry.currency, bucket: null, points, expiresAt, cause: 'inactivity', lastActiveMonth: month },
            },
            release: () => releaseInactive(entry, run),
          });
        });
        if (outOfTime()) return;
      }
    });
    await publishClaimed(claimed);
    stats.walletsReminded += claimed.length;
    stats.inactiveWalletsReminded += claimed.length;
    stats.pointsExpiringSoon += claimed.reduce((sum, c) => sum + Number(c.event.detail.points), 0);
    if (outOfTime()) {
      stats.complete = 0;
      logger.warn('inactivity reminders stopped at their deadline; the next run picks up the rest', { month });
      return;
    }
    stats.inactivityMonthsChecked += 1;
    logger.info('inactivity reminders month done', { month, reminded: claimed.length });
  }
}
