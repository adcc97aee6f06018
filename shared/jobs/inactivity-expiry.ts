/**
 * The inactivity expiry job (docs/ledger.md, The inactivity expiry job): under
 * the `inactivity` expiry policy, every available point of a wallet expires
 * once it has had no earning or spending for N whole months.
 *
 * Wallets are found without a Scan: every ledger move but EXPIRE sets the
 * wallet's LastActivity index keys `ACTIVITY#<currency>#<shard>` /
 * `<YYYY-MM>#<memberId>` (month of last activity), so the wallets due are the
 * entries sorting below the first month not due, on 16 shard partitions.
 * Each one is expired by one transaction conditional on its `activeMonth`
 * being still the one read, and leaves the index; a wallet active again in
 * between keeps its points. A run that stops early (deadline, crash) leaves
 * exactly the wallets not yet handled for the next run, and a repeated run
 * finds nothing to do.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { inactivityExpiryAmount, lastDueActivityMonth } from '../domain/inactivity.js';
import { shiftMonth } from '../domain/months.js';
import { getEarningRules } from '../earning/rules-store.js';
import { outboxWrite, typedEvent } from '../events/outbox.js';
import { commit, StaleWalletError } from '../ledger/ledger.js';
import { DEFAULT_CURRENCY, walletFromItem } from '../ledger/wallet-item.js';
import { logger } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import { ACTIVITY_INDEX_SHARDS, keys, memberIdFromPk } from '../table/keys.js';
import { walletId, walletsByBlock } from './expiry.js';
import { mapWithConcurrency } from './pool.js';

const INDEX = 'LastActivity';
const MAX_STALE_RETRIES = 5;
/** Shard partitions queried at once; each runs `concurrency` wallets at a time. */
const SHARDS_AT_ONCE = 4;

/** One LastActivity index entry: a wallet and its month of last activity as the index shows it. */
export interface ActivityEntry {
  readonly memberId: string;
  readonly currency: string;
  readonly month: string;
}

export interface InactivityExpiryStats {
  /** N of the policy the run applied; 0 when the expiry policy is not `inactivity` (the run did nothing). */
  inactivityMonths: number;
  walletsVisited: number;
  walletsExpired: number;
  pointsExpired: number;
  /** Due wallets with no available points: they left the index, nothing to expire. */
  walletsWithoutPoints: number;
  /** Entries whose wallet was active again (or already handled by another run): kept. */
  walletsSkipped: number;
  /** 1 when every due wallet was handled, 0 when the run stopped at its deadline. */
  complete: number;
  [key: string]: number;
}

/** N months of the `inactivity` expiry policy in force, or undefined under another policy. */
export async function inactivityMonthsInForce(): Promise<number | undefined> {
  const policy = (await getEarningRules({ fresh: true })).expiry;
  return policy.policy === 'inactivity' ? policy.months : undefined;
}

function entryOf(item: Record<string, unknown>): ActivityEntry {
  return {
    memberId: memberIdFromPk(String(item.PK)),
    currency: String(item.SK).slice(keys.member.walletPrefix().length),
    month: String(item.ACTSK).slice(0, 'YYYY-MM'.length),
  };
}

/**
 * The LastActivity entries of one shard partition, a page at a time: those
 * last active before `before`, or those last active in `month`.
 */
export async function* activityPages(
  currency: string,
  shard: number,
  range: { readonly before: string } | { readonly month: string },
): AsyncGenerator<ActivityEntry[]> {
  const before = 'before' in range;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: INDEX,
        KeyConditionExpression: before ? 'ACTPK = :pk AND ACTSK < :bound' : 'ACTPK = :pk AND begins_with(ACTSK, :bound)',
        ExpressionAttributeValues: {
          ':pk': keys.activity.partition(currency, shard),
          ':bound': before ? keys.activity.activeBefore(range.before) : keys.activity.month(range.month),
        },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    yield (page.Items ?? []).map(entryOf);
    start = page.LastEvaluatedKey;
  } while (start);
}

/** The shard partitions of the LastActivity index, for one currency. */
export function activityShards(): number[] {
  return Array.from({ length: ACTIVITY_INDEX_SHARDS }, (_, i) => i);
}

export type InactivityOutcome =
  | { readonly kind: 'expired'; readonly points: number; readonly lastActiveMonth: string }
  | { readonly kind: 'without-points' }
  | { readonly kind: 'skipped' };

/**
 * The outbox event id of a wallet's inactivity expiry. Deterministic: the
 * expiry takes the wallet out of the index, and any later move sets a later
 * `activeMonth`, so a wallet expires once per month of last activity.
 */
export function inactivityExpiredEventId(memberId: string, currency: string, lastActiveMonth: string): string {
  return `points-expired-inactive-${lastActiveMonth}-${currency}-${memberId}`;
}

/**
 * Expires the available points of one wallet found in the index, if it is
 * still inactive: its `activeMonth` (the wallet item, not the eventually
 * consistent index) must be at or before `lastDue`. One transaction (with the
 * `PointsExpired` outbox event, `cause: "inactivity"`, `bucket: null`), the
 * EXPIRE conditional on the `activeMonth`, `debited` and `expired` read, so
 * any move in between (which sets `activeMonth` to its own month) makes it
 * re-read and decide again. A due wallet without available points only
 * leaves the index. `prefetched` is the wallet as a batch read found it (null:
 * no wallet); without it, and on every retry, the wallet is read on its own.
 */
export async function expireInactiveWallet(
  entry: ActivityEntry,
  options: { readonly now: Date; readonly lastDue: string; readonly months: number },
  prefetched?: Record<string, unknown> | null,
): Promise<InactivityOutcome> {
  const key = keys.member.wallet(entry.memberId, entry.currency);
  for (let attempt = 0; attempt < MAX_STALE_RETRIES; attempt += 1) {
    const item =
      attempt === 0 && prefetched !== undefined
        ? (prefetched ?? undefined)
        : (await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;
    const month = typeof item?.activeMonth === 'string' ? item.activeMonth : undefined;
    if (!item || month === undefined || month > options.lastDue) return { kind: 'skipped' };
    const wallet = walletFromItem(item);
    const amount = inactivityExpiryAmount(wallet);
    try {
      if (amount === 0) {
        await db().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: key,
            UpdateExpression: 'REMOVE activeMonth, ACTPK, ACTSK',
            ConditionExpression: 'activeMonth = :month AND available = :zero',
            ExpressionAttributeValues: { ':month': month, ':zero': 0 },
          }),
        );
        return { kind: 'without-points' };
      }
      await commit({
        moves: [
          {
            memberId: entry.memberId,
            currency: entry.currency,
            type: 'EXPIRE',
            points: amount,
            inactiveSince: month,
            reason: `points expired after ${options.months} months without earning or spending (last active ${month})`,
            expect: { debited: wallet.debited, expired: wallet.expired },
          },
        ],
        extra: [
          {
            ...outboxWrite(
              typedEvent('PointsExpired', {
                memberId: entry.memberId,
                currency: entry.currency,
                bucket: null,
                points: amount,
                at: options.now.toISOString(),
                cause: 'inactivity',
                lastActiveMonth: month,
              }),
              options.now,
              inactivityExpiredEventId(entry.memberId, entry.currency, month),
            ),
            // Taken only by this expiry: it committed already, which the re-read shows (the wallet left the index).
            onConditionFailed: () => new StaleWalletError(entry.memberId),
          },
        ],
        now: options.now,
      });
      return { kind: 'expired', points: amount, lastActiveMonth: month };
    } catch (error) {
      const stale = error instanceof StaleWalletError || (error instanceof Error && error.name === 'ConditionalCheckFailedException');
      if (!stale) throw error;
    }
  }
  throw new Error(`wallet ${entry.memberId}/${entry.currency} kept changing while its inactivity expiry was decided`);
}

/**
 * The inactivity expiry job. Under the `inactivity` expiry policy (or with
 * `months` given) it expires the wallets of the programme currency last
 * active in a month that is due at `now`; each expiry writes its
 * `PointsExpired` (`cause: "inactivity"`, `bucket: null`) to the outbox in the
 * same transaction. Under any other policy it
 * does nothing.
 */
export async function runInactivityExpiryJob(
  options: {
    now?: Date;
    /** Months of inactivity; default: the earning rules' policy. Tests pass it instead of changing the shared rules. */
    months?: number;
    /** Epoch ms after which no new wallet is started; the next run resumes. */
    deadline?: number;
    /** Wallets handled at once per shard partition (default 4; 4 partitions at once). */
    concurrency?: number;
  } = {},
): Promise<InactivityExpiryStats> {
  const now = options.now ?? new Date();
  const months = options.months ?? (await inactivityMonthsInForce());
  const stats: InactivityExpiryStats = {
    inactivityMonths: months ?? 0,
    walletsVisited: 0,
    walletsExpired: 0,
    pointsExpired: 0,
    walletsWithoutPoints: 0,
    walletsSkipped: 0,
    complete: 1,
  };
  if (months === undefined) return stats;
  const lastDue = lastDueActivityMonth(now, months);
  const outOfTime = () => options.deadline !== undefined && Date.now() > options.deadline;

  await mapWithConcurrency(activityShards(), SHARDS_AT_ONCE, async (shard) => {
    for await (const entries of activityPages(DEFAULT_CURRENCY, shard, { before: shiftMonth(lastDue, 1) })) {
      const walletsNear = walletsByBlock(
        entries.map((e) => ({ memberId: e.memberId, currency: e.currency, bucket: e.month })),
        { consistent: true },
      );
      await mapWithConcurrency(entries, options.concurrency ?? 4, async (entry, index) => {
        if (outOfTime()) return;
        const wallets = await walletsNear(index);
        const outcome = await expireInactiveWallet(entry, { now, lastDue, months }, wallets.get(walletId(entry.memberId, entry.currency)));
        stats.walletsVisited += 1;
        if (outcome.kind === 'skipped') stats.walletsSkipped += 1;
        else if (outcome.kind === 'without-points') stats.walletsWithoutPoints += 1;
        else {
          stats.walletsExpired += 1;
          stats.pointsExpired += outcome.points;
        }
      });
      if (outOfTime()) {
        // Entries not reached are still in the index; the next run picks them up.
        stats.complete = 0;
        return;
      }
    }
  });
  if (stats.complete === 0) logger.warn('inactivity expiry stopped at its deadline; the next run resumes', { lastDue });
  logger.info('inactivity expiry done', { lastDue, months, ...stats });
  return stats;
}
