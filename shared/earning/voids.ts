/**
 * Voids of POS purchases (docs/earning.md, Voids): the store that recorded a
 * purchase says, on the same business day, that it was recorded in error. The
 * void undoes it whole in ONE transaction (`commit`): the member's points
 * (pending ones cancelled, available ones taken back only if the balance still
 * covers them all), the growth it added, each campaign's budget, stats and
 * member cap, the daily-cap counters, the first-purchase referral bonus, the
 * purchase-time index keys, with the audit record and the Idempotency-Key's
 * stored answer. What a void cannot undo whole (points spent, a refund made,
 * another day) is refused with 409: the cashier records a refund instead.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { actorAuditWrites, type AuditActor } from '../audit/audit.js';
import { voidRefusal } from '../domain/voids.js';
import { capDay } from '../domain/pos-limits.js';
import { DomainError, InsufficientPointsError } from '../errors.js';
import { storedResponse, type IdempotencySpec } from '../ledger/idempotency.js';
import { commit, InsufficientPendingError, type CommitOutcome, type ExtraWrite, type LedgerMove } from '../ledger/ledger.js';
import { findWallet } from '../ledger/reader.js';
import { DEFAULT_CURRENCY } from '../ledger/wallet-item.js';
import { getMember, type MemberProfile } from '../members/service.js';
import { StaleMemberError, voidGrowthWrite } from '../members/tiers.js';
import { requireOwnStore } from '../stores/pos-store.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { findPendingCredit, pendingCreditTake, StalePendingCreditError } from './pending.js';
import { campaignFigureWrites } from './campaigns.js';
import { getPurchase, type PurchaseRecord } from './pos.js';
import type { CapScope } from './daily-caps.js';

export interface VoidInput {
  /** Why the purchase was recorded in error: kept on the purchase and in the audit record. */
  readonly reason: string;
}

/** Who voids: the POS's store and app client, and the request, for the audit record. */
export interface VoidCaller {
  readonly storeId: string;
  readonly clientId: string;
  readonly route: string;
  readonly path: string;
  readonly requestId: string;
}

/** The answer of a void (stored under the Idempotency-Key and replayed). */
export interface VoidAnswer {
  readonly purchaseId: string;
  readonly memberId: string;
  readonly storeId: string;
  readonly status: 'VOIDED';
  readonly voidedAt: string;
  readonly reason: string;
  readonly amountCents: number;
  readonly pointsVoided: number;
  readonly pointsClawedBack: number;
  readonly referralPointsClawedBack: number;
}

/** Something the void read changed before its transaction: read again and decide again. */
class StaleVoid extends Error {}

/** Attempts of a void whose purchase, member, counters or wallets moved under it. */
const VOID_ATTEMPTS = 20;

function refuse(message: string, extensions: Record<string, unknown> = {}): DomainError {
  return new DomainError('VOID_NOT_ALLOWED', message, extensions);
}

/**
 * A refusal decided on another item (a wallet spent) holds only while the purchase is as the void read it: a void
 * or refund of it that committed meanwhile took those points, and the answer is then that one's (decide again).
 */
async function unlessStale(purchase: PurchaseRecord, refusal: DomainError): Promise<DomainError | StaleVoid> {
  const current = await getPurchase(purchase.purchaseId);
  const unchanged =
    current.voidedAt === purchase.voidedAt &&
    current.refunds.length === purchase.refunds.length &&
    current.refundedCents === purchase.refundedCents &&
    current.reviewStatus === purchase.reviewStatus;
  return unchanged ? refusal : new StaleVoid();
}

/**
 * Voids a purchase recorded in error (see the module comment). Only the store
 * that recorded it may, checked before anything else is read (another store
 * learns nothing, not even a stored answer). The same Idempotency-Key replays
 * the first answer; once voided, another key answers 409 ALREADY_VOIDED.
 */
export async function voidPurchase(
  purchaseId: string,
  input: VoidInput,
  caller: VoidCaller,
  idempotency: IdempotencySpec,
  now = new Date(),
): Promise<CommitOutcome> {
  const first = await getPurchase(purchaseId);
  requireOwnStore(caller.storeId, first.storeId, `void purchase ${purchaseId}`);
  const replay = await storedResponse(idempotency);
  if (replay) return { replayed: true, response: replay };
  for (let attempt = 0; attempt < VOID_ATTEMPTS; attempt += 1) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 10 * 2 ** attempt)));
    const purchase = attempt === 0 ? first : await getPurchase(purchaseId);
    const refusal = voidRefusal(purchase, now);
    if (refusal?.code === 'ALREADY_VOIDED') throw new DomainError('ALREADY_VOIDED', refusal.message, { voidedAt: refusal.voidedAt });
    if (refusal) throw refuse(refusal.message, { reason: refusal.reason });
    try {
      return await commitVoid(purchase, input, caller, idempotency, now);
    } catch (error) {
      // A refund, vest, purchase, campaign award or spend of this member committed first: decide again on what it left.
      const stale =
        error instanceof StaleVoid ||
        error instanceof StaleMemberError ||
        error instanceof StalePendingCreditError ||
        error instanceof InsufficientPendingError ||
        error instanceof InsufficientPointsError;
      if (!stale) throw error;
    }
  }
  throw new DomainError('CONFLICT', `purchase ${purchaseId} kept changing while it was voided; retry with the same Idempotency-Key`);
}

async function commitVoid(purchase: PurchaseRecord, input: VoidInput, caller: VoidCaller, idempotency: IdempotencySpec, now: Date): Promise<CommitOutcome> {
  const { purchaseId, memberId } = purchase;
  const ref = `purchase:${purchaseId}`;
  const points = purchase.pointsEarned;
  const member = await getMember(memberId);
  const moves: LedgerMove[] = [];
  const extra: ExtraWrite[] = [];
  let pointsVoided = 0;
  let pointsClawedBack = 0;

  // The member's points: still pending (return window) they are cancelled; else taken back whole, or not at all.
  const credit = points > 0 && purchase.vestAt !== undefined ? await findPendingCredit({ memberId, currency: DEFAULT_CURRENCY, vestAt: purchase.vestAt, purchaseId }) : undefined;
  if (credit) {
    // No refund was made (refused above), so the credit holds every point the purchase earned.
    if (credit.points !== points) throw new StaleVoid();
    pointsVoided = points;
    moves.push({ memberId, type: 'VOID', points, undoes: 'PEND', reason: `void ${purchaseId}: recorded in error (${input.reason})`, ref });
    extra.push(pendingCreditTake(credit, points));
  } else if (points > 0) {
    const available = (await findWallet(memberId, DEFAULT_CURRENCY))?.available ?? 0;
    if (available < points) {
      throw await unlessStale(
        purchase,
        refuse(
          `member ${memberId} has ${available} points available but purchase ${purchaseId} earned ${points}: some were spent, so it cannot be voided; ` +
            'record a refund instead (it takes back what is there and answers the shortfall)',
          { reason: 'points-spent', pointsEarned: points, available },
        ),
      );
    }
    pointsClawedBack = points;
    // The wallet's own condition (available >= points) holds the check above against a spend committing meanwhile.
    moves.push({ memberId, type: 'CLAWBACK', points, undoes: 'EARN', reason: `void ${purchaseId}: recorded in error (${input.reason})`, ref });
  }

  // The growth the purchase added (and, when it was the first, the referrer's bonus: ./referrals writes the marker).
  extra.push(voidGrowthWrite(member, new Date(purchase.paidAt), purchase.amountCents));
  const referral = await referralTakeBack(purchase, member);
  moves.push(...referral.moves);
  extra.push(...referral.extra);

  extra.push(...(await campaignTakeBackWrites(purchase)));
  extra.push(...(await dailyCapTakeBackWrites(purchase, points)));

  const voidedAt = now.toISOString();
  const answer: VoidAnswer = {
    purchaseId,
    memberId,
    storeId: purchase.storeId,
    status: 'VOIDED',
    voidedAt,
    reason: input.reason,
    amountCents: purchase.amountCents,
    pointsVoided,
    pointsClawedBack,
    referralPointsClawedBack: referral.points,
  };
  extra.push(purchaseVoidWrite(purchase, input, caller.storeId, voidedAt));
  const actor: AuditActor = {
    operatorId: `pos:${caller.clientId}`,
    role: 'pos',
    operation: 'voidPurchase',
    route: caller.route,
    path: caller.path,
    idempotencyKey: idempotency.key,
    requestId: caller.requestId,
  };
  extra.push(
    ...actorAuditWrites(
      actor,
      {
        target: `purchase:${purchaseId}`,
        summary: `store ${caller.storeId} voided purchase ${purchaseId} (recorded in error): ${input.reason}`,
        before: { status: 'RECORDED', amountCents: purchase.amountCents, pointsEarned: points, recordedAt: purchase.recordedAt },
        after: answer,
      },
      now,
    ),
  );
  return commit({ moves, extra, idempotency, response: () => ({ status: 201, body: answer }), now });
}

/**
 * The purchase marked voided and taken out of the purchase-time index (what-if replays no longer count it), on
 * condition it is still as the void read it: not voided, not refunded, not held for review.
 */
function purchaseVoidWrite(purchase: PurchaseRecord, input: VoidInput, storeId: string, voidedAt: string): ExtraWrite {
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.purchase(purchase.purchaseId),
        UpdateExpression: 'SET voidedAt = :at, voidReason = :reason, voidedBy = :store, #status = :voided REMOVE GSI1PK, GSI1SK',
        ConditionExpression:
          'attribute_exists(PK) AND attribute_not_exists(voidedAt) AND size(refunds) = :zero AND refundedCents = :zero AND ' +
          '(attribute_not_exists(reviewStatus) OR reviewStatus = :approved)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':at': voidedAt, ':reason': input.reason, ':store': storeId, ':voided': 'VOIDED', ':zero': 0, ':approved': 'APPROVED' },
      },
    },
    onConditionFailed: () => new StaleVoid(),
  };
}

/**
 * The first-purchase referral bonus, when this purchase paid it and is the member's only purchase: taken back
 * from the referrer whole (CLAWBACK undoing the EARN) and the member's FIRST_PURCHASE marker deleted, so their
 * real first purchase pays it. Refused (409) if the referrer no longer has it. When the member has purchases
 * besides this one, the bonus stays: one of those is a first purchase too (the marker stays with it).
 */
async function referralTakeBack(purchase: PurchaseRecord, member: MemberProfile): Promise<{ moves: LedgerMove[]; extra: ExtraWrite[]; points: number }> {
  const none = { moves: [], extra: [], points: 0 };
  if (member.purchaseCount !== 1) return none;
  const marker = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.firstPurchase(member.memberId), ConsistentRead: true }))).Item;
  if (!marker || marker.purchaseId !== purchase.purchaseId) return none;
  const referrerId = String(marker.referrerId);
  const points = Number(marker.referrerPoints ?? 0);
  const remove: ExtraWrite = {
    item: {
      Delete: {
        TableName: tableName(),
        Key: keys.member.firstPurchase(member.memberId),
        ConditionExpression: 'purchaseId = :id',
        ExpressionAttributeValues: { ':id': purchase.purchaseId },
      },
    },
    onConditionFailed: () => new StaleVoid(),
  };
  if (points <= 0) return { moves: [], extra: [remove], points: 0 };
  const available = (await findWallet(referrerId, DEFAULT_CURRENCY))?.available ?? 0;
  if (available < points) {
    throw await unlessStale(
      purchase,
      refuse(
        `purchase ${purchase.purchaseId} was the first purchase of member ${member.memberId} and paid referrer ${referrerId} a ${points}-point bonus ` +
          'that the referrer has since spent, so it cannot be voided; record a refund instead',
        { reason: 'referral-bonus-spent' },
      ),
    );
  }
  return {
    moves: [
      {
        memberId: referrerId,
        type: 'CLAWBACK',
        points,
        undoes: 'EARN',
        reason: `void ${purchase.purchaseId}: the first purchase of ${member.memberId} was recorded in error`,
        ref: `referral-first-purchase:${member.memberId}`,
      },
    ],
    extra: [remove],
    points,
  };
}

/**
 * Each campaign's figures the purchase added, taken back as if it never happened: budget used, purchases and
 * sales (counters and the hour of its paidAt), the member's cap, and the participant when this purchase made the
 * member one (their campaign item is then deleted, so their next award counts them again). Conditional on the
 * member's campaign purchases as read (a concurrent award fails it: decide again).
 */
async function campaignTakeBackWrites(purchase: PurchaseRecord): Promise<ExtraWrite[]> {
  const writes: ExtraWrite[] = [];
  const paidAt = new Date(purchase.paidAt);
  for (const [campaignId, points] of Object.entries(purchase.campaignPoints ?? {})) {
    if (points <= 0) continue;
    const memberKey = keys.campaign.member(campaignId, purchase.memberId);
    const item = (await db().send(new GetCommand({ TableName: tableName(), Key: memberKey, ConsistentRead: true }))).Item;
    // Items written before campaign members counted purchases: only the points go back (participants unknown).
    const counted = item?.purchases !== undefined;
    const purchases = Number(item?.purchases ?? 0);
    const newcomer = purchases === 1 ? 1 : 0;
    writes.push(...campaignFigureWrites(campaignId, paidAt, { issued: -points, purchases: -1, salesCents: -purchase.amountCents, participants: -newcomer }));
    if (!item) continue;
    if (!counted) {
      writes.push({ item: { Update: { TableName: tableName(), Key: memberKey, UpdateExpression: 'ADD issued :back', ConditionExpression: 'attribute_exists(PK)', ExpressionAttributeValues: { ':back': -points } } } });
      continue;
    }
    writes.push(
      newcomer
        ? {
            item: { Delete: { TableName: tableName(), Key: memberKey, ConditionExpression: 'purchases = :one', ExpressionAttributeValues: { ':one': 1 } } },
            onConditionFailed: () => new StaleVoid(),
          }
        : {
            item: {
              Update: {
                TableName: tableName(),
                Key: memberKey,
                UpdateExpression: 'ADD issued :back, purchases :minusOne',
                ConditionExpression: 'purchases = :seen',
                ExpressionAttributeValues: { ':back': -points, ':minusOne': -1, ':seen': purchases },
              },
            },
            onConditionFailed: () => new StaleVoid(),
          },
    );
  }
  return writes;
}

function capCounterKey(purchase: PurchaseRecord, scope: CapScope, day: string) {
  return scope === 'member' ? keys.posEarningDay.member(purchase.memberId, day) : keys.posEarningDay.store(purchase.storeId, day);
}

/**
 * The daily-cap counters the purchase's points went into, lowered by what it credited: the member and the store
 * may earn those points again that day. The purchase names them (`capCounted`: the day, paidAt's for a batch
 * item, and the caps configured when it was recorded), so a cap switched on or off since changes nothing here.
 * A purchase recorded before it kept them: the counters of its business day that exist.
 */
async function dailyCapTakeBackWrites(purchase: PurchaseRecord, points: number): Promise<ExtraWrite[]> {
  if (points <= 0) return [];
  let counters: { PK: string; SK: string }[];
  if (purchase.capCounted) {
    const { day, scopes } = purchase.capCounted;
    counters = scopes.map((scope) => capCounterKey(purchase, scope, day));
  } else {
    const day = capDay(new Date(purchase.recordedAt));
    counters = [];
    for (const scope of ['member', 'store'] as const) {
      const key = capCounterKey(purchase, scope, day);
      if ((await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item) counters.push(key);
    }
  }
  const writes: ExtraWrite[] = [];
  for (const key of counters) {
    writes.push({
      item: {
        Update: {
          TableName: tableName(),
          Key: key,
          UpdateExpression: 'ADD points :back, purchases :minusOne',
          ConditionExpression: 'attribute_exists(PK) AND points >= :points',
          ExpressionAttributeValues: { ':back': -points, ':minusOne': -1, ':points': points },
        },
      },
      onConditionFailed: () => new StaleVoid(),
    });
  }
  return writes;
}
