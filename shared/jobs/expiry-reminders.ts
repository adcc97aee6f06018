import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { bucketAfterMonths, bucketExpiresAt, lastDueBucket, liveBuckets } from '../domain/fifo.js';
import { inactivityExpiresAt } from '../domain/inactivity.js';
import { shiftMonth } from '../domain/months.js';
import { getEarningRules } from '../earning/rules-store.js';
import { outboxWrite, typedEvent, type OutboxEvent } from '../events/outbox.js';
import { DEFAULT_CURRENCY, walletFromItem } from '../ledger/wallet-item.js';
import { logger } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import { keys, type ItemKey } from '../table/keys.js';
import { bucketMarkers, walletId, walletsByBlock, type Marker } from './expiry.js';
import { activityPages, activityShards, inactivityMonthsInForce, type ActivityEntry } from './inactivity-expiry.js';
import { mapWithConcurrency } from './pool.js';

const DAY_MS = 24 * 60 * 60 * 1000;
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

/** Attempts of a claim that lost a transaction conflict to a concurrent run (the next attempt sees its claim). */
const CLAIM_ATTEMPTS = 4;

/**
 * Claims one reminder and writes its `PointsExpiringSoon` to the outbox in one
 * transaction: the conditional `claim` update (which also records the event id
 * under `eventIdAttribute`) and the outbox put. Answers the event id, or
 * undefined when the claim's condition failed (reminded already, or no longer
 * due); nothing is written then.
 */
async function claimWithEvent(
  claim: { readonly key: ItemKey; readonly update: string; readonly condition: string; readonly values: Record<string, unknown> },
  eventIdAttribute: string,
  event: OutboxEvent,
  now: Date,
): Promise<string | undefined> {
  const eventId = ulid();
  for (let attempt = 1; ; attempt += 1) {
    try {
      await db().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName(),
                Key: claim.key,
                UpdateExpression: `${claim.update}, ${eventIdAttribute} = :eventId`,
                ConditionExpression: claim.condition,
                ExpressionAttributeValues: { ...claim.values, ':eventId': eventId },
              },
            },
            outboxWrite(event, now, eventId).item,
          ],
        }),
      );
      return eventId;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const claimReason = error.CancellationReasons?.[0]?.Code;
      if (claimReason === 'ConditionalCheckFailed') return undefined;
      // A concurrent run's claim of the same reminder in flight: look again once it has settled.
      if (claimReason !== 'TransactionConflict' || attempt >= CLAIM_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/**
 * Claims the reminder of one (wallet, bucket) on its expiry marker, with its
 * event (`reminderEventId` on the marker names it); false if it was claimed
 * already or the marker is gone.
 */
async function claim(marker: Marker, run: string, points: number, expiresAt: string, now: Date): Promise<boolean> {
  const eventId = await claimWithEvent(
    {
      key: markerKey(marker),
      update: 'SET remindedAt = :now, remindedPoints = :points, reminderRun = :run',
      condition: 'attribute_exists(PK) AND attribute_not_exists(remindedAt)',
      values: { ':now': now.toISOString(), ':points': points, ':run': run },
    },
    'reminderEventId',
    typedEvent('PointsExpiringSoon', { memberId: marker.memberId, currency: marker.currency, bucket: marker.bucket, points, expiresAt }),
    now,
  );
  return eventId !== undefined;
}

/**
 * Claims the inactivity reminder of a wallet last active in `month`, with its
 * event, on the wallet item itself (`inactivityReminderEventId` names the
 * event; no index write: the LastActivity index projects keys only); false if
 * it was claimed already or the wallet was active since.
 */
async function claimInactive(entry: ActivityEntry, run: string, points: number, expiresAt: string, now: Date): Promise<boolean> {
  const eventId = await claimWithEvent(
    {
      key: keys.member.wallet(entry.memberId, entry.currency),
      update: 'SET inactivityRemindedFor = :month, inactivityRemindedAt = :now, inactivityRemindedPoints = :points, inactivityReminderRun = :run',
      condition: 'activeMonth = :month AND (attribute_not_exists(inactivityRemindedFor) OR inactivityRemindedFor <> :month)',
      values: { ':month': entry.month, ':now': now.toISOString(), ':points': points, ':run': run },
    },
    'inactivityReminderEventId',
    typedEvent('PointsExpiringSoon', {
      memberId: entry.memberId,
      currency: entry.currency,
      bucket: null,
      points,
      expiresAt,
      cause: 'inactivity',
      lastActiveMonth: entry.month,
    }),
    now,
  );
  return eventId !== undefined;
}

/**
 * The daily expiry-reminder job. For each bucket whose points expire within
 * `leadDays` (after `now`), it finds the wallets holding it through the sparse
 * ExpiryDue index (never a Scan; markers already reminded are filtered out),
 * reads those wallets 100 at a time, and for every wallet that still has
 * points in the bucket writes one `PointsExpiringSoon` event to the outbox:
 * `{ memberId, currency, bucket, points, expiresAt }`.
 *
 * Once per (wallet, bucket): the run claims the reminder on the wallet's
 * expiry marker with a conditional write (`remindedAt`) in one transaction
 * with the event's outbox item, so a re-run or a concurrent run skips it, and
 * a claim exists exactly when its event does. A wallet with nothing left in
 * the bucket is not claimed and is looked at again on the next run (points can
 * come back to a bucket). An EARN into the same bucket rewrites the marker
 * and so allows one more reminder, with the new amount.
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
    if (expiresAt === null) continue; // never: the buckets listed are dated ones
    const { markers, filteredOut } = await bucketMarkers(bucket, NOT_REMINDED);
    stats.alreadyReminded += filteredOut;
    const walletsNear = walletsByBlock(markers, { consistent: false });
    let reminded = 0;
    await mapWithConcurrency(markers, options.concurrency ?? 16, async (marker, index) => {
      if (outOfTime()) return;
      const item = (await walletsNear(index)).get(walletId(marker.memberId, marker.currency));
      stats.walletsVisited += 1;
      if (!item) return; // no wallet (or unread this time): the next run looks again
      const points = liveBuckets(walletFromItem(item)).find((b) => b.bucket === bucket)?.points ?? 0;
      if (points <= 0) return;
      if (!(await claim(marker, run, points, expiresAt, now))) {
        stats.alreadyReminded += 1;
        return;
      }
      reminded += 1;
      stats.walletsReminded += 1;
      stats.pointsExpiringSoon += points;
    });
    if (outOfTime()) {
      stats.complete = 0;
      logger.warn('expiry reminders stopped at their deadline; the next run picks up the rest', { bucket });
      break;
    }
    stats.bucketsChecked += 1;
    logger.info('expiry reminders bucket done', { bucket, markers: markers.length, reminded });
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
 * `{ memberId, currency, bucket: null, points, expiresAt, cause: "inactivity",
 * lastActiveMonth }` in the outbox, claimed once per (wallet, M) on the wallet
 * item (`inactivityRemindedFor`) in the same transaction; any activity moves the wallet to a
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
    let reminded = 0;
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
          if (!(await claimInactive(entry, run, points, expiresAt, now))) {
            stats.alreadyReminded += 1;
            return;
          }
          reminded += 1;
          stats.walletsReminded += 1;
          stats.inactiveWalletsReminded += 1;
          stats.pointsExpiringSoon += points;
        });
        if (outOfTime()) return;
      }
    });
    if (outOfTime()) {
      stats.complete = 0;
      logger.warn('inactivity reminders stopped at their deadline; the next run picks up the rest', { month });
      return;
    }
    stats.inactivityMonthsChecked += 1;
    logger.info('inactivity reminders month done', { month, reminded });
  }
}
