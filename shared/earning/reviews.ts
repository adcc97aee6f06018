/**
 * Purchases under review (docs/earning.md, Purchases under review): a POS
 * purchase above a review threshold of the earning rules is recorded with its
 * points pending (a PEND entry and a PendingCredit marked `underReview`, kept
 * out of the vest-due index) and listed here until an operator decides.
 *
 * A decision is one transaction: the purchase's review status (condition:
 * still PENDING, so of two decisions one wins and each purchase is decided
 * once), the ledger move and the credit's write (conditional on the points
 * read, so a concurrent refund makes the decision re-read), and an immutable
 * audit record naming the operator and the ledger entries.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DomainError, NotFoundError } from '../errors.js';
import { commit, InsufficientPendingError, type ExtraWrite, type LedgerEntry, type LedgerMove } from '../ledger/ledger.js';
import { DEFAULT_CURRENCY } from '../ledger/wallet-item.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { queryPage, type PageRequest } from '../table/paging.js';
import { findPendingCredit, pendingCreditTake, StalePendingCreditError, vestingBucket, type PendingCredit } from './pending.js';
import { auditWrites, nothingChanged } from '../audit/audit.js';

export type ReviewStatus = 'PENDING' | 'APPROVED' | 'REJECTED';
export type ReviewDecision = 'APPROVED' | 'REJECTED';

/** A reviewed purchase as operators see it. */
export interface PurchaseReviewView {
  readonly purchaseId: string;
  readonly memberId: string;
  readonly storeId: string;
  readonly paidAt: string;
  readonly recordedAt: string;
  readonly amountCents: number;
  readonly refundedCents: number;
  readonly pointsEarned: number;
  readonly reviewStatus: ReviewStatus;
  readonly reviewReason: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly decisionReason?: string;
  readonly pointsReleased?: number;
  readonly pointsVoided?: number;
}

/** Re-reads of a review whose purchase, credit or wallet changed while it was decided (a refund, another decision). */
const DECISION_ATTEMPTS = 20;

function viewOf(item: Record<string, unknown>): PurchaseReviewView {
  const optional = (name: string) => (item[name] === undefined ? {} : { [name]: item[name] });
  return {
    purchaseId: String(item.purchaseId),
    memberId: String(item.memberId),
    storeId: String(item.storeId),
    paidAt: String(item.paidAt),
    recordedAt: String(item.recordedAt),
    amountCents: Number(item.amountCents),
    refundedCents: Number(item.refundedCents ?? 0),
    pointsEarned: Number(item.pointsEarned),
    reviewStatus: item.reviewStatus as ReviewStatus,
    reviewReason: String(item.reviewReason ?? ''),
    ...optional('decidedBy'),
    ...optional('decidedAt'),
    ...optional('decisionReason'),
    ...optional('pointsReleased'),
    ...optional('pointsVoided'),
  };
}

/** Purchases waiting for review, oldest first (one sparse GSI2 partition: reviews are rare by design). */
export async function listPurchaseReviews(page: PageRequest): Promise<{ items: PurchaseReviewView[]; nextCursor: string | null }> {
  const partition = keys.purchaseReview.pendingPartition();
  const result = await queryPage(
    { IndexName: 'GSI2', KeyConditionExpression: 'GSI2PK = :pk', ExpressionAttributeValues: { ':pk': partition } },
    page,
    { attribute: 'GSI2PK', value: partition },
  );
  // The index lags its table: a review decided a moment ago may still be listed, with its new status.
  return { items: result.items.map(viewOf), nextCursor: result.nextCursor };
}

async function readPurchase(purchaseId: string): Promise<Record<string, unknown>> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.purchase(purchaseId), ConsistentRead: true }));
  if (!result.Item) throw new NotFoundError(`purchase ${purchaseId} was never recorded`);
  if (result.Item.reviewStatus === undefined) throw new NotFoundError(`purchase ${purchaseId} was not held for review`);
  return result.Item;
}

/** The purchase's decision changed since it was read (another operator decided): re-read and answer that. */
class DecidedMeanwhile extends Error {}

/** The answer to a decision on a purchase already decided: the same decision again is a replay, the other one a conflict. */
function alreadyDecided(purchase: Record<string, unknown>, decision: ReviewDecision): PurchaseReviewView {
  const view = viewOf(purchase);
  if (view.reviewStatus === decision) {
    // The same decision again: answered as it stands, nothing changed or recorded.
    nothingChanged();
    return view;
  }
  throw new DomainError('CONFLICT', `purchase ${view.purchaseId} was already ${view.reviewStatus.toLowerCase()} by ${view.decidedBy ?? 'an operator'} at ${view.decidedAt ?? 'an earlier time'}`, {
    reviewStatus: view.reviewStatus,
    decidedBy: view.decidedBy,
  });
}

/** What the decision does to the purchase's pending points: the move, the credit's write, and the points released or voided. */
function creditPart(decision: ReviewDecision, credit: PendingCredit | undefined, operator: string, now: Date) {
  const none = { moves: [] as LedgerMove[], writes: [] as ExtraWrite[], released: 0, voided: 0 };
  if (!credit) return none; // refunded whole while under review: nothing left to release or void
  const ref = `purchase:${credit.purchaseId}`;
  if (decision === 'REJECTED') {
    return {
      moves: [{ memberId: credit.memberId, currency: credit.currency, type: 'VOID' as const, points: credit.points, reason: `purchase at ${credit.storeId}: rejected in review by ${operator}`, ref }],
      writes: [pendingCreditTake(credit, credit.points)],
      released: 0,
      voided: credit.points,
    };
  }
  if (new Date(credit.vestAt).getTime() > now.getTime()) {
    // Approved inside the return window: the points keep waiting for the window, now listed for the vest job.
    return {
      ...none,
      writes: [
        {
          item: {
            Update: {
              TableName: tableName(),
              Key: keys.member.pendingCredit(credit.memberId, credit.currency, credit.vestAt, credit.purchaseId),
              UpdateExpression: 'SET GSI2PK = :pk, GSI2SK = :sk REMOVE underReview',
              ConditionExpression: 'attribute_exists(PK) AND underReview = :yes',
              ExpressionAttributeValues: { ...keyValues(keys.member.vestEntry(credit.memberId, credit.vestAt, credit.purchaseId)), ':yes': true },
            },
          },
          onConditionFailed: () => new StalePendingCreditError(`pending points of purchase ${credit.purchaseId} changed meanwhile`),
        },
      ],
    };
  }
  // Approved after the window (or with none): available now, their validity counted from now, as a vest's.
  return {
    moves: [
      {
        memberId: credit.memberId,
        currency: credit.currency,
        type: 'VEST' as const,
        points: credit.points,
        bucket: vestingBucket(credit.expiry, now, now),
        reason: `purchase at ${credit.storeId}: approved in review by ${operator}, points available`,
        ref,
      },
    ],
    writes: [pendingCreditTake(credit, credit.points)],
    released: credit.points,
    voided: 0,
  };
}

function keyValues(entry: { GSI2PK: string; GSI2SK: string }) {
  return { ':pk': entry.GSI2PK, ':sk': entry.GSI2SK };
}

/**
 * Approves or rejects a purchase held for review, once: a repeat of the same
 * decision answers it again and changes nothing; the other decision after it
 * is a 409. `operator` is the caller's subject, kept with the decision.
 */
export async function decidePurchaseReview(
  purchaseId: string,
  decision: ReviewDecision,
  input: { operator: string; reason?: string | undefined },
  now = new Date(),
): Promise<PurchaseReviewView> {
  for (let attempt = 0; attempt < DECISION_ATTEMPTS; attempt += 1) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 10 * 2 ** attempt)));
    const purchase = await readPurchase(purchaseId);
    if (purchase.reviewStatus !== 'PENDING') return alreadyDecided(purchase, decision);
    const memberId = String(purchase.memberId);
    const credit =
      purchase.vestAt === undefined ? undefined : await findPendingCredit({ memberId, currency: DEFAULT_CURRENCY, vestAt: String(purchase.vestAt), purchaseId });
    const part = creditPart(decision, credit, input.operator, now);
    const decided = {
      reviewStatus: decision,
      decidedBy: input.operator,
      decidedAt: now.toISOString(),
      ...(input.reason ? { decisionReason: input.reason } : {}),
      ...(decision === 'APPROVED' ? { pointsReleased: part.released } : { pointsVoided: part.voided }),
    };
    const purchaseWrite: ExtraWrite = {
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.purchase(purchaseId),
          UpdateExpression: `SET ${Object.keys(decided).map((k) => `${k} = :${k}`).join(', ')} REMOVE GSI2PK, GSI2SK`,
          ConditionExpression: 'reviewStatus = :pending',
          ExpressionAttributeValues: { ...Object.fromEntries(Object.entries(decided).map(([k, v]) => [`:${k}`, v])), ':pending': 'PENDING' },
        },
      },
      onConditionFailed: () => new DecidedMeanwhile(),
    };
    const audit = (entries: readonly LedgerEntry[]): ExtraWrite[] => [
      {
        item: {
          Put: {
            TableName: tableName(),
            Item: {
              ...keys.purchaseReview.decision(purchaseId),
              entity: 'PurchaseReviewDecision',
              purchaseId,
              memberId,
              storeId: purchase.storeId,
              ...decided,
              ledgerEntryIds: entries.map((e) => e.id),
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        onConditionFailed: () => new DecidedMeanwhile(),
      },
    ];
    try {
      const record = auditWrites(
        {
          target: `purchase:${purchaseId}`,
          summary: `${decision === 'APPROVED' ? 'approved' : 'rejected'} purchase held for review${input.reason ? `: ${input.reason}` : ''}`,
          before: { reviewStatus: 'PENDING' },
          after: decided,
        },
        now,
      );
      await commit({ moves: part.moves, extra: [purchaseWrite, ...part.writes, ...record], extraOf: audit, now });
      return viewOf({ ...purchase, ...decided });
    } catch (error) {
      // Another decision won, or a refund (or the other decision) changed the pending points: decide on what is there now.
      if (error instanceof DecidedMeanwhile || error instanceof StalePendingCreditError || error instanceof InsufficientPendingError) continue;
      throw error;
    }
  }
  throw new DomainError('CONFLICT', `purchase ${purchaseId} kept changing while it was reviewed; try again`);
}
