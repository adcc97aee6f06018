/**
 * Pending points (docs/earning.md, Pending points): what a POS purchase earns
 * while its return window runs. The purchase's commit writes a PEND entry
 * (wallet `pending` +p) and one PendingCredit item; the hourly vest job turns
 * the credit into a VEST (pending -p, available +p, bucket credit) and deletes
 * the item; a refund inside the window VOIDs its share and lowers the item.
 *
 * The item is the one source of truth for "still pending": every write that
 * changes it is conditional on the points it was read with, so a refund and
 * the vest job racing for the same credit serialise on it, whichever wins.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { lastDueBucket } from '../domain/fifo.js';
import { commit, InsufficientPendingError, type ExtraWrite } from '../ledger/ledger.js';
import { getWallet } from '../ledger/reader.js';
import { walletView, type PendingCreditView, type WalletView } from '../ledger/wallet-item.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { bucketForPolicy, type ExpiryPolicy } from './rules-store.js';

const DAY_MS = 86_400_000;

/** How many pending credits the points view lists (the soonest first). */
export const PENDING_CREDITS_SHOWN = 20;

/** Re-reads of a credit that changed while it was being vested (a refund voided part of it meanwhile). */
const MAX_VEST_ATTEMPTS = 10;

/** The points of one purchase that wait for its return window to end. */
export interface PendingCredit {
  readonly memberId: string;
  readonly currency: string;
  readonly purchaseId: string;
  readonly storeId: string;
  /** Still pending: the purchase's points minus what refunds inside the window cancelled. Always > 0 while the item exists. */
  readonly points: number;
  /** What the purchase put pending. */
  readonly originalPoints: number;
  /** When the points become available (ISO-8601 UTC): paidAt + the return window. */
  readonly vestAt: string;
  /** The expiry policy of the rules the purchase was earned under; it dates the bucket at vesting. */
  readonly expiry: ExpiryPolicy;
  readonly createdAt: string;
  /**
   * The purchase waits for an operator's review (docs/earning.md, Purchases under review): the credit is not in
   * the vest-due index, so no vest run can make it available; approval lists it there or vests it.
   */
  readonly underReview?: boolean;
}

/** Thrown when a pending credit no longer holds the points it was read with (vested, voided or changed meanwhile). */
export class StalePendingCreditError extends Error {
  override readonly name = 'StalePendingCreditError';
}

/** End of the return window of a purchase paid at `paidAt`. */
export function vestAtFor(paidAt: Date, windowDays: number): Date {
  return new Date(paidAt.getTime() + windowDays * DAY_MS);
}

/**
 * The expiry bucket pending points go into when they become available: the
 * policy applied to the end of the return window, so their validity counts
 * from the day they can be used. Never a bucket already due at `now` (a late
 * vest run, or a year-end policy at the turn of the year): then the bucket of
 * `now`, because points must not arrive in a bucket the expiry job may have
 * finished.
 */
export function vestingBucket(policy: ExpiryPolicy, vestAt: Date, now: Date): string {
  const bucket = bucketForPolicy(policy, vestAt);
  return bucket <= lastDueBucket(now) ? bucketForPolicy(policy, now) : bucket;
}

function creditKey(credit: Pick<PendingCredit, 'memberId' | 'currency' | 'vestAt' | 'purchaseId'>) {
  return keys.member.pendingCredit(credit.memberId, credit.currency, credit.vestAt, credit.purchaseId);
}

/** Decodes a stored PendingCredit (from the table or from GSI2, which projects every attribute). */
export function pendingCreditFromItem(item: Record<string, unknown>): PendingCredit {
  return {
    memberId: String(item.memberId),
    currency: String(item.currency),
    purchaseId: String(item.purchaseId),
    storeId: String(item.storeId),
    points: Number(item.points),
    originalPoints: Number(item.originalPoints),
    vestAt: String(item.vestAt),
    expiry: item.expiry as ExpiryPolicy,
    createdAt: String(item.createdAt),
    ...(item.underReview === true ? { underReview: true } : {}),
  };
}

/** The put of a new pending credit, in the purchase's transaction (once per purchase). */
export function pendingCreditPut(credit: PendingCredit, onConditionFailed: ExtraWrite['onConditionFailed']): ExtraWrite {
  return {
    item: {
      Put: {
        TableName: tableName(),
        Item: {
          ...creditKey(credit),
          // Under review the credit stays out of the vest-due index until an operator approves it.
          ...(credit.underReview ? {} : keys.member.vestEntry(credit.memberId, credit.vestAt, credit.purchaseId)),
          entity: 'PendingCredit',
          ...credit,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    ...(onConditionFailed ? { onConditionFailed } : {}),
  };
}

/**
 * Takes `points` off a credit that held `credit.points` when read: lowers it,
 * or deletes it (and so its vest-due index entry) when nothing is left. The
 * condition on the points read makes a concurrent vest or refund fail this
 * write instead of both succeeding.
 */
export function pendingCreditTake(credit: PendingCredit, points: number, options: { notUnderReview?: boolean } = {}): ExtraWrite {
  if (points <= 0 || points > credit.points) throw new Error(`cannot take ${points} of the ${credit.points} pending points of purchase ${credit.purchaseId}`);
  const Key = creditKey(credit);
  const onConditionFailed = () => new StalePendingCreditError(`pending points of purchase ${credit.purchaseId} changed meanwhile`);
  // Vesting must never take a credit an operator has not approved, whatever an index or a read said.
  const condition = options.notUnderReview ? 'points = :expected AND attribute_not_exists(underReview)' : 'points = :expected';
  if (points === credit.points) {
    return {
      item: {
        Delete: { TableName: tableName(), Key, ConditionExpression: condition, ExpressionAttributeValues: { ':expected': credit.points } },
      },
      onConditionFailed,
    };
  }
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key,
        UpdateExpression: 'SET points = points - :take',
        ConditionExpression: condition,
        ExpressionAttributeValues: { ':expected': credit.points, ':take': points },
      },
    },
    onConditionFailed,
  };
}

/** One pending credit, read consistently; undefined once it has vested or been cancelled whole. */
export async function findPendingCredit(
  ref: Pick<PendingCredit, 'memberId' | 'currency' | 'vestAt' | 'purchaseId'>,
): Promise<PendingCredit | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: creditKey(ref), ConsistentRead: true }));
  return result.Item ? pendingCreditFromItem(result.Item) : undefined;
}

/** A wallet's soonest pending credits (one Query on the member's partition; the sort key orders them by vestAt). */
export async function listPendingCredits(memberId: string, currency: string, limit = PENDING_CREDITS_SHOWN): Promise<PendingCreditView[]> {
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.member.profile(memberId).PK, ':prefix': keys.member.pendingPrefix(currency) },
      ConsistentRead: true,
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => {
    const credit = pendingCreditFromItem(item);
    return { points: credit.points, availableAt: credit.vestAt, ref: `purchase:${credit.purchaseId}`, ...(credit.underReview ? { underReview: true } : {}) };
  });
}

/** A wallet as `GET /v1/me/points` shows it: the counters, and when the soonest pending points become available. */
export async function pointsView(memberId: string, currency: string): Promise<WalletView> {
  const [wallet, pendingCredits] = await Promise.all([getWallet(memberId, currency), listPendingCredits(memberId, currency)]);
  return walletView(wallet, pendingCredits);
}

/**
 * Makes a due credit available: one transaction of the VEST move (pending -p,
 * available +p, lifetimeEarned, bucket and expiry marker, exactly as an EARN)
 * and the delete of the credit on condition it still holds p. If a refund
 * changed it meanwhile, the credit is re-read and what is left is vested;
 * if it is gone (vested by a concurrent run, or cancelled whole), nothing
 * happens. Answers the points this call vested.
 */
export async function vestPendingCredit(found: PendingCredit, now: Date): Promise<number> {
  let credit: PendingCredit | undefined = found;
  for (let attempt = 0; attempt < MAX_VEST_ATTEMPTS; attempt += 1) {
    // Gone, or back under review (never listed as due then): nothing to vest.
    if (!credit || credit.underReview) return 0;
    try {
      await commit({
        moves: [
          {
            memberId: credit.memberId,
            currency: credit.currency,
            type: 'VEST',
            points: credit.points,
            bucket: vestingBucket(credit.expiry, new Date(credit.vestAt), now),
            reason: `purchase at ${credit.storeId}: return window over, points available`,
            ref: `purchase:${credit.purchaseId}`,
          },
        ],
        extra: [pendingCreditTake(credit, credit.points, { notUnderReview: true })],
        now,
      });
      return credit.points;
    } catch (error) {
      // The credit, or the wallet's pending points, went down since the credit was read: a refund voided part of it,
      // or another run vested it. (The wallet's condition can fail before the credit's is looked at.)
      if (!(error instanceof StalePendingCreditError || error instanceof InsufficientPendingError)) throw error;
    }
    credit = await findPendingCredit(credit);
  }
  throw new Error(`pending points of purchase ${found.purchaseId} kept changing while they were vested`);
}
