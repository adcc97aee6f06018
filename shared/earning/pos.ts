import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { allocateToLines, calculateEarning, cashValueCents, type ApplicableCampaign, type BreakdownLine, type EarningResult, type EarningRulesCore, type LineEarning, type PurchaseLine } from '../domain/earning.js';
import { campaignPointsOwed, initialLineState, lineEarningsByAmount, planRefund, pointsOwed, type LineRefundState, type RefundRequest } from '../domain/line-refunds.js';
import { draftCampaignAt, earningWithDrafts, type DraftCampaign } from '../domain/what-if.js';
import { campaignAwardsAfterCut, capDay, purchaseLimitViolation, reviewReason, type PurchaseLimitViolation } from '../domain/pos-limits.js';
import { gcd } from '../domain/numbers.js';
import { localDate } from '../domain/programme.js';
import type { AudienceMember } from '../domain/campaigns.js';
import { DomainError, InsufficientPointsError, NotFoundError, ValidationError } from '../errors.js';
import { fingerprintOf, storedResponse, type IdempotencySpec } from '../ledger/idempotency.js';
import { commit, InsufficientPendingError, type CommitOutcome, type ExtraWrite, type LedgerMove } from '../ledger/ledger.js';
import { DEFAULT_CURRENCY } from '../ledger/wallet-item.js';
import { firstPurchaseReferralWrites } from '../members/referrals.js';
import { paymentCodeConsumption, paymentCodeHash } from '../members/payment-codes.js';
import { getMember, programmeYear, type MemberProfile } from '../members/service.js';
import { purchaseGrowthWrite, refundGrowthWrite, StaleMemberError, upgradeIfEarned } from '../members/tiers.js';
import { logger } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import { requireOwnStore } from '../stores/pos-store.js';
import { keys } from '../table/keys.js';
import { applicableCampaigns, awardWrites, campaignFigureWrites, CampaignLimitError, memberCampaignState } from './campaigns.js';
import { capCounted, DailyCapError, dailyCapWrites, initialAllowance, type CapScope } from './daily-caps.js';
import { findPendingCredit, pendingCreditPut, pendingCreditTake, StalePendingCreditError, vestAtFor, vestingBucket, type PendingCredit } from './pending.js';
import { bucketForPolicy, getEarningRules, type EarningRules } from './rules-store.js';

/** POS ids are natural idempotency keys; their records are kept long enough for late retries and refunds. */
const POS_IDEMPOTENCY_TTL_SECONDS = 90 * 24 * 3600;

function posKey(kind: string, id: string, body: unknown): IdempotencySpec {
  return { scope: `pos:${kind}`, key: id, fingerprint: fingerprintOf(body), ttlSeconds: POS_IDEMPOTENCY_TTL_SECONDS };
}

function alreadyRecorded(what: string, id: string): ExtraWrite['onConditionFailed'] {
  return () => new DomainError('CONFLICT', `${what} ${id} was already recorded with other details`);
}

/** A purchase over a per-purchase limit of the earning rules (posLimits): refused whole, nothing written. */
export class PurchaseLimitError extends DomainError {
  override readonly name = 'PurchaseLimitError';
  constructor(purchaseId: string, violation: PurchaseLimitViolation, kind = 'purchase') {
    const what = violation.limit === 'maxPurchaseAmountCents' ? `amount of ${violation.requested} cents` : `${violation.requested} points`;
    super(
      'PURCHASE_LIMIT_EXCEEDED',
      `${kind} ${purchaseId} is refused: its ${what} is over the programme's limit of ${violation.allowed} per purchase (${violation.limit}); nothing was recorded. ` +
        'Check the amounts the till reported, or ask the programme operator.',
      { ...violation },
    );
  }
}

/**
 * What a purchase would earn at `at` for a member (tier and audience) or an
 * anonymous member of a tier, with the campaigns running then (no writes;
 * budgets and caps are not checked). With drafts, also what it would earn
 * with the draft rules in place of the rules in force and the draft campaign
 * beside the campaigns running then (if it runs then for the member).
 */
export async function previewEarning(input: {
  member: AudienceMember;
  at: Date;
  lines: readonly PurchaseLine[];
  draftRules?: EarningRulesCore | undefined;
  draftCampaign?: DraftCampaign | undefined;
}): Promise<EarningResult & { rulesVersion: number; draft?: EarningResult & { draftCampaignApplies?: boolean } }> {
  const rules = await getEarningRules();
  const campaigns = await applicableCampaigns(input.at, input.member);
  const current = calculateEarning({ rules, tier: input.member.tier, lines: input.lines, campaigns });
  if (!input.draftRules && !input.draftCampaign) return { ...current, rulesVersion: rules.version };
  const extra = input.draftCampaign ? draftCampaignAt(input.draftCampaign, input.at, input.member) : undefined;
  const draft = earningWithDrafts({ rules, tier: input.member.tier, lines: input.lines, campaigns, draftRules: input.draftRules, draftCampaign: extra });
  return {
    ...current,
    rulesVersion: rules.version,
    draft: { ...draft, ...(input.draftCampaign ? { draftCampaignApplies: extra !== undefined } : {}) },
  };
}

export interface PurchaseInput {
  readonly purchaseId: string;
  readonly memberId: string;
  readonly storeId: string;
  readonly paidAt: string;
  readonly lines: readonly PurchaseLine[];
}

/**
 * What an offline batch (shared/earning/purchase-batches.ts) adds to a purchase or refund: writes that join its
 * transaction, made from the answer it stores (the item's result, so it exists exactly when the change does), and
 * for a purchase the day its points count on against the daily caps: its paidAt's day instead of the day it arrives.
 */
export interface BatchedChange {
  readonly resultWrites?: (answer: Readonly<Record<string, unknown>>) => ExtraWrite[];
  readonly capDayOfPaidAt?: boolean;
}

/** Times a purchase re-reads the member that changed under it (tier, growth counters, first purchase). */
const MEMBER_ROUNDS = 30;

/**
 * Records a POS purchase and credits what it earns: the purchase record, the
 * EARN entry, the member's growth counters (and tier upgrade), the
 * first-purchase referral bonus and the idempotency record are one
 * transaction, keyed by purchaseId. The earning rules' posLimits bound it
 * (docs/earning.md, Limits on POS earning): over a per-purchase limit it is
 * refused (PurchaseLimitError, nothing written); the daily caps' counters are
 * part of the transaction and withhold what is beyond them; above a review
 * threshold the points go pending until an operator decides (reviews.ts).
 */
export async function recordPurchase(input: PurchaseInput, now = new Date(), batched: BatchedChange = {}) {
  const paidAt = new Date(input.paidAt);
  for (let round = 0; round < MEMBER_ROUNDS; round += 1) {
    if (round > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** Math.min(round, 6))));
    const member = await getMember(input.memberId);
    if (paidAt.getTime() > now.getTime() + 5 * 60_000) throw new ValidationError('paidAt is in the future; send the time the purchase was paid');
    // First attempt: growth counters and tier decided exactly in the purchase's transaction. After losing a race
    // to another change of this member: counters added blindly, then the tier decided by its own conditional write.
    const exactGrowth = round === 0;
    try {
      const outcome = await earnForPurchase(input, member, paidAt, now, exactGrowth, batched);
      if (!exactGrowth && !outcome.replayed) {
        const rules = await getEarningRules();
        await upgradeIfEarned(input.memberId, programmeYear(paidAt), rules.tiers, now).catch((error: Error) =>
          // The purchase is recorded; the member's next purchase makes the same decision.
          logger.error('tier upgrade after a purchase failed', { error, memberId: input.memberId, purchaseId: input.purchaseId }),
        );
      }
      return outcome;
    } catch (error) {
      // Another purchase, refund or tier change of this member committed first: decide again on what it left.
      if (!(error instanceof StaleMemberError)) throw error;
    }
  }
  throw new DomainError('CONFLICT', `member ${input.memberId} changed too often while purchase ${input.purchaseId} was recorded; retry it with the same purchaseId`);
}

/** The campaign lines of a calculation lowered to what each campaign pays (its budget or the member's cap allowed less). */
function breakdownWithin(earning: EarningResult, awards: ReadonlyMap<string, number>): BreakdownLine[] {
  return earning.breakdown
    .map((line) => {
      const id = line.rule.startsWith('campaign:') ? line.rule.slice('campaign:'.length) : undefined;
      const awarded = id === undefined ? undefined : awards.get(id);
      if (awarded === undefined || awarded >= line.points) return line;
      return { ...line, points: awarded, description: `${line.description} (limited: campaign budget or per-member cap reached)` };
    })
    .filter((line) => line.points !== 0 || line.rule === 'base');
}

/** Attempts of a purchase whose campaign or daily-cap counters moved under it (each retry learns from the counter as stored). */
const COUNTER_ATTEMPTS = 40;

async function earnForPurchase(input: PurchaseInput, member: MemberProfile, paidAt: Date, now: Date, exactGrowth: boolean, batched: BatchedChange) {
  const rules = await getEarningRules();
  const campaigns = await applicableCampaigns(paidAt, member);
  const earning = calculateEarning({ rules, tier: member.tier, lines: input.lines, campaigns });
  const amountCents = input.lines.reduce((sum, l) => sum + l.amountCents, 0);
  const violation = purchaseLimitViolation(rules.posLimits, { amountCents, points: earning.points });
  if (violation) {
    // A retry of a purchase recorded under earlier, wider limits still answers as the first time.
    const replay = await storedResponse(posKey('purchase', input.purchaseId, input));
    if (replay) return { replayed: true as const, response: replay };
    throw new PurchaseLimitError(input.purchaseId, violation);
  }
  const applied = Object.entries(earning.campaignPoints).filter(([, points]) => points > 0);
  const existing = await memberCampaignState(input.memberId, applied.map(([id]) => id));
  // What each campaign pays; lowered when its budget or the member's cap allows less.
  const awards = new Map(applied);
  // What the daily caps still allow; counters only grow, so each refusal's figure only ever lowers it.
  let { allowance, scope: cappedBy }: { allowance: number; scope: CapScope } = initialAllowance(rules.posLimits);
  const day = capDay(batched.capDayOfPaidAt ? paidAt : now);

  for (let attempt = 0; attempt < COUNTER_ATTEMPTS; attempt += 1) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(100, 2 * 2 ** Math.min(attempt, 6))));
    const limited = breakdownWithin(earning, awards);
    const before = limited.reduce((sum, line) => sum + line.points, 0);
    const withheld = Math.max(0, before - allowance);
    const breakdown =
      withheld > 0
        ? [...limited, { rule: 'cap:daily', description: `the ${cappedBy}'s daily POS earning cap is reached: ${withheld} points withheld`, points: -withheld }]
        : limited;
    // Campaigns pay only for points the member gets: a cut comes off campaign points first.
    const paidAwards = campaignAwardsAfterCut(awards, withheld);
    const campaignWrites: ExtraWrite[] = [];
    try {
      for (const [campaignId, points] of paidAwards) {
        if (points > 0) campaignWrites.push(...(await awardWrites({ campaignId, points, salesCents: amountCents, at: paidAt }, input.memberId, existing, now)));
      }
      return await commitPurchase(input, {
        member,
        exactGrowth,
        rules,
        breakdown,
        withheld,
        awards: paidAwards,
        campaigns,
        amountCents,
        paidAt,
        day,
        campaignWrites,
        batched,
        now,
      });
    } catch (error) {
      if (error instanceof DailyCapError) {
        if (error.allowed < allowance) {
          allowance = error.allowed;
          cappedBy = error.scope;
        }
        continue;
      }
      if (!(error instanceof CampaignLimitError)) throw error;
      awards.set(error.campaignId, Math.min(awards.get(error.campaignId) ?? 0, error.allowed));
      if (error.memberItemExists) {
        const fresh = await memberCampaignState(input.memberId, [error.campaignId]);
        existing.set(error.campaignId, fresh.get(error.campaignId) ?? 0);
      }
    }
  }
  throw new DomainError('CONFLICT', `purchase ${input.purchaseId} met too many concurrent campaign or daily-cap updates; retry it with the same purchaseId`);
}

async function commitPurchase(
  input: PurchaseInput,
  ctx: {
    member: MemberProfile;
    exactGrowth: boolean;
    rules: EarningRules;
    /** The lines of what the purchase earns, campaign limits and the daily cap applied; they add up to the points. */
    breakdown: readonly BreakdownLine[];
    /** Points the daily caps withheld (part of the breakdown as its `cap:daily` line). */
    withheld: number;
    /** What each campaign pays. */
    awards: ReadonlyMap<string, number>;
    /** The campaigns that applied to the purchase (running, audience), whatever they paid: what a what-if replay recomputes with. */
    campaigns: readonly ApplicableCampaign[];
    amountCents: number;
    paidAt: Date;
    /** The programme day the daily caps count this purchase on. */
    day: string;
    campaignWrites: ExtraWrite[];
    batched: BatchedChange;
    now: Date;
  },
) {
  const { member, rules, breakdown, awards, amountCents, paidAt, now } = ctx;
  const points = breakdown.reduce((sum, line) => sum + line.points, 0);
  // What each line earned, kept so a refund of some lines takes back exactly what those lines earned.
  const lineEarnings = allocateToLines({ rules, tier: member.tier, lines: input.lines, campaigns: ctx.campaigns, breakdown, campaignPaid: Object.fromEntries(awards) });
  // Above a review threshold the points wait for an operator (docs/earning.md, Purchases under review): pending like
  // a return window's, but listed for review instead of for the vest job.
  const underReview = reviewReason(rules.posLimits, { amountCents, points });
  // The return window (docs/earning.md, Pending points): the points stay pending until it ends. A purchase reported
  // after its window ended earns at once, into the bucket its points would have vested into.
  const windowDays = rules.returnWindowDays;
  const vestAt = vestAtFor(paidAt, windowDays);
  const windowRunning = windowDays > 0 && vestAt.getTime() > now.getTime();
  const pending: PendingCredit | undefined =
    points > 0 && (windowRunning || underReview !== undefined)
      ? {
          memberId: input.memberId,
          currency: DEFAULT_CURRENCY,
          purchaseId: input.purchaseId,
          storeId: input.storeId,
          points,
          originalPoints: points,
          vestAt: vestAt.toISOString(),
          expiry: rules.expiry,
          createdAt: now.toISOString(),
          ...(underReview === undefined ? {} : { underReview: true }),
        }
      : undefined;
  const body = {
    purchaseId: input.purchaseId,
    memberId: input.memberId,
    pointsEarned: points,
    pointsPending: pending ? points : 0,
    // Under review nobody knows when (or whether) the points become available.
    availableAt: pending && !underReview ? pending.vestAt : null,
    breakdown,
    rulesVersion: rules.version,
    status: underReview ? ('PENDING_REVIEW' as const) : ('RECORDED' as const),
    ...(underReview ? { reviewReason: underReview } : {}),
    pointsWithheld: ctx.withheld,
  };
  const ref = `purchase:${input.purchaseId}`;
  const moves: LedgerMove[] = [];
  if (pending) {
    const why = underReview ? `pending review (${underReview})` : `pending until ${pending.vestAt} (return window)`;
    moves.push({ memberId: input.memberId, type: 'PEND', points, reason: `purchase at ${input.storeId}, ${why}`, ref });
  } else if (points > 0) {
    const bucket = windowDays > 0 ? vestingBucket(rules.expiry, vestAt, now) : bucketForPolicy(rules.expiry, paidAt);
    moves.push({ memberId: input.memberId, type: 'EARN', points, bucket, reason: `purchase at ${input.storeId}`, ref });
  }
  // Member hooks (docs/earning.md): growth counters and tier upgrade; the first-purchase referral bonus.
  const growth = purchaseGrowthWrite(member, { paidAt, amountCents, rules: rules.tiers, now, exact: ctx.exactGrowth });
  const referral = firstPurchaseReferralWrites(member, input.purchaseId, rules, now);
  const counted = capCounted(rules.posLimits, ctx.day, points);
  return commit({
    moves: [...moves, ...referral.moves],
    extra: [
      ...ctx.campaignWrites,
      {
        item: {
          Put: {
            TableName: tableName(),
            Item: {
              ...keys.purchase(input.purchaseId),
              // The purchase-time index (what-if replays read a period's purchases by day, never by a scan).
              ...keys.purchaseTime.entry(localDate(paidAt), paidAt.toISOString(), input.purchaseId),
              entity: 'Purchase',
              purchaseId: input.purchaseId,
              memberId: input.memberId,
              storeId: input.storeId,
              paidAt: input.paidAt,
              amountCents,
              lines: input.lines,
              pointsEarned: points,
              breakdown,
              ...(ctx.withheld > 0 ? { pointsWithheld: ctx.withheld, capDay: ctx.day } : {}),
              // The daily-cap counters its points went into (a void lowers exactly these).
              capCounted: counted,
              campaignPoints: Object.fromEntries(awards),
              campaignIds: ctx.campaigns.map((c) => c.campaignId),
              lineEarnings,
              // The tier the purchase earned at (before an upgrade it causes): a replay earns at the same tier.
              tier: member.tier,
              rulesVersion: rules.version,
              ...(growth.upgradeTo ? { tierBefore: member.tier, upgradedTo: growth.upgradeTo } : {}),
              // Where the pending credit lives (its key); the credit itself says how much is still pending.
              ...(pending ? { pointsPending: points, vestAt: pending.vestAt } : {}),
              // Listed for operators until decided (the decision removes the index keys).
              ...(underReview
                ? { reviewStatus: 'PENDING', reviewReason: underReview, ...keys.purchaseReview.pendingEntry(now.toISOString(), input.purchaseId) }
                : {}),
              refundedCents: 0,
              clawedBack: 0,
              pendingCancelled: 0,
              refunds: [],
              recordedAt: now.toISOString(),
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        onConditionFailed: alreadyRecorded('purchase', input.purchaseId),
      },
      ...growth.writes,
      ...dailyCapWrites(rules.posLimits, { memberId: input.memberId, storeId: input.storeId, day: ctx.day, points }, now),
      ...referral.extra,
      ...(pending ? [pendingCreditPut(pending, alreadyRecorded('purchase', input.purchaseId))] : []),
      ...(ctx.batched.resultWrites?.(body) ?? []),
    ],
    idempotency: posKey('purchase', input.purchaseId, input),
    response: () => ({ status: 201, body }),
    now,
  });
}

/** A stored POS purchase, as refunds and voids (./voids.ts) read it. */
export interface PurchaseRecord {
  readonly purchaseId: string;
  readonly memberId: string;
  /** The store that recorded the purchase: the only one that may refund it. */
  readonly storeId: string;
  readonly paidAt: string;
  readonly amountCents: number;
  readonly lines: readonly PurchaseLine[];
  readonly pointsEarned: number;
  /** What each campaign paid for the purchase. */
  readonly campaignPoints?: Readonly<Record<string, number>>;
  /** What each line earned (purchases recorded before refunds by line have none: shared by amount then). */
  readonly lineEarnings?: readonly LineEarning[];
  /** How much of each line came back (absent until the first refund by line or amount since refunds by line). */
  readonly lineRefunds?: readonly LineRefundState[];
  /** Each campaign's points given back to its budget by refunds so far. */
  readonly campaignReturned?: Readonly<Record<string, number>>;
  readonly refundedCents: number;
  readonly clawedBack: number;
  readonly refunds: readonly { readonly pointsClawedBack: number; readonly pendingPointsCancelled?: number; readonly shortfallPoints: number }[];
  /** Set when the purchase's points went pending: the end of its return window (part of the pending credit's key). */
  readonly vestAt?: string;
  /** Set when the purchase was held for review (docs/earning.md, Purchases under review). */
  readonly reviewStatus?: 'PENDING' | 'APPROVED' | 'REJECTED';
  /** When the purchase was recorded: its business day, for voids. */
  readonly recordedAt: string;
  /**
   * The daily-cap counters (day and scopes) its points were added to (no scope when no cap was configured or
   * nothing was credited); absent on purchases recorded before it was kept.
   */
  readonly capCounted?: { readonly day: string; readonly scopes: readonly CapScope[] };
  /** Set when the purchase was voided (./voids.ts): it counts as never having happened. */
  readonly voidedAt?: string;
}

/** The stored purchase, read consistently; 404 if it was never recorded. */
export async function getPurchase(purchaseId: string): Promise<PurchaseRecord> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.purchase(purchaseId), ConsistentRead: true }));
  if (!result.Item) throw new NotFoundError(`purchase ${purchaseId} was never recorded`);
  return result.Item as unknown as PurchaseRecord;
}

interface RefundOutcome {
  readonly clawedBack: number;
  readonly voided: number;
  readonly shortfall: number;
}

/** One purchase line a refund returned, as answered: units, cents and the points that came back with it. */
interface RefundedLine {
  readonly sku: string;
  readonly quantity: number;
  readonly amountCents: number;
  readonly points: number;
}

/** What a refund changes on the purchase record. */
interface RefundChange {
  readonly refundId: string;
  readonly amountCents: number;
  readonly lines: readonly RefundedLine[];
  readonly lineRefunds: readonly LineRefundState[];
  readonly campaignReturned: Readonly<Record<string, number>>;
}

/** The purchase record's update of a refund, on condition that no other refund applied since it was read. */
function purchaseRefundWrite(purchase: PurchaseRecord, change: RefundChange, outcome: RefundOutcome, now: Date): ExtraWrite {
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.purchase(purchase.purchaseId),
        UpdateExpression:
          'SET refundedCents = refundedCents + :amount, clawedBack = clawedBack + :take, ' +
          'pendingCancelled = if_not_exists(pendingCancelled, :zero) + :voided, refunds = list_append(refunds, :refund), ' +
          'lineRefunds = :lines, campaignReturned = :campaigns',
        // Refunds of one purchase apply one at a time: each computes from the state it read (a refund of 0 cents,
        // a free line returned, still counts: the number of refunds is the condition). A void (./voids.ts) in
        // between also fails it.
        ConditionExpression: 'size(refunds) = :count AND attribute_not_exists(voidedAt)',
        ExpressionAttributeValues: {
          ':amount': change.amountCents,
          ':take': outcome.clawedBack,
          ':voided': outcome.voided,
          ':zero': 0,
          ':count': purchase.refunds.length,
          ':lines': change.lineRefunds,
          ':campaigns': change.campaignReturned,
          ':refund': [
            {
              refundId: change.refundId,
              amountCents: change.amountCents,
              lines: change.lines,
              pointsClawedBack: outcome.clawedBack,
              pendingPointsCancelled: outcome.voided,
              shortfallPoints: outcome.shortfall,
              at: now.toISOString(),
            },
          ],
        },
      },
    },
    onConditionFailed: () => new StaleRefund(),
  };
}

/**
 * A campaign's points that came back with a refund, given back: to its budget (and its stats' hour of the
 * purchase) and to the member's per-member cap. Unconditional: it only lowers counters the purchase raised.
 */
function campaignGiveBackWrites(campaignId: string, memberId: string, points: number, paidAt: Date): ExtraWrite[] {
  return [
    ...campaignFigureWrites(campaignId, paidAt, { issued: -points, returnedPoints: points }),
    { item: { Update: { TableName: tableName(), Key: keys.campaign.member(campaignId, memberId), UpdateExpression: 'ADD issued :back', ExpressionAttributeValues: { ':back': -points } } } },
  ];
}

/** A refund asked for: by amount (spread over the lines in proportion) or by the lines returned (the contract allows one). */
export interface RefundInput {
  readonly refundId: string;
  readonly amountCents?: number | undefined;
  readonly lines?: readonly { readonly sku: string; readonly quantity: number }[] | undefined;
}

/**
 * What a refund returns on a purchase as it stands: the lines and cents, the points owed back (what those lines
 * earned, base, multipliers and campaigns, the floor of each line's share so far, less what earlier refunds took)
 * and each campaign's points coming back. Refused as the client's mistake (unknown sku) or as a conflict with the
 * refunds already made (more units or cents than are left).
 */
function refundOf(purchase: PurchaseRecord, input: RefundInput) {
  if (purchase.voidedAt !== undefined) {
    throw new DomainError('ALREADY_VOIDED', `purchase ${purchase.purchaseId} was voided at ${purchase.voidedAt}: there is nothing left to refund`, { voidedAt: purchase.voidedAt });
  }
  const earnings = purchase.lineEarnings ?? lineEarningsByAmount(purchase.lines, purchase.pointsEarned, purchase.campaignPoints ?? {});
  const state = purchase.lineRefunds ?? initialLineState(purchase.lines, purchase.refundedCents);
  const request: RefundRequest = input.lines ? { lines: input.lines } : { amountCents: input.amountCents ?? 0 };
  const plan = planRefund(purchase.lines, state, request);
  if (!plan.ok) {
    const what = `purchase ${purchase.purchaseId}: ${plan.message}`;
    if (plan.reason === 'sku') throw new ValidationError(`${what}; name the skus the till recorded on it`, plan.details);
    if (plan.reason === 'quantity') throw new DomainError('ALREADY_REFUNDED', `${what} (earlier refunds returned the rest); nothing was refunded`, plan.details);
    throw new ValidationError(`${what}; nothing was refunded`, plan.details);
  }
  const owedBefore = purchase.refunds.reduce((sum, r) => sum + r.pointsClawedBack + (r.pendingPointsCancelled ?? 0) + r.shortfallPoints, 0);
  const before = pointsOwed(purchase.lines, earnings, state);
  const after = pointsOwed(purchase.lines, earnings, plan.next);
  const owed = Math.max(0, after.reduce((a, b) => a + b, 0) - owedBefore);
  const returned = { ...purchase.campaignReturned };
  const campaignsBack: [string, number][] = [];
  for (const [campaignId, total] of Object.entries(campaignPointsOwed(purchase.lines, earnings, plan.next))) {
    const back = total - (returned[campaignId] ?? 0);
    if (back <= 0) continue;
    campaignsBack.push([campaignId, back]);
    returned[campaignId] = total;
  }
  const lines: RefundedLine[] = plan.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, amountCents: l.amountCents, points: after[l.index]! - before[l.index]! }));
  return {
    owed,
    campaignsBack,
    change: { refundId: input.refundId, amountCents: plan.amountCents, lines, lineRefunds: plan.next, campaignReturned: returned } satisfies RefundChange,
  };
}

/**
 * A (partial) refund of a purchase, by the lines returned or by an amount:
 * takes back what the refunded lines earned (a refund by amount is spread
 * over the lines in proportion to what is left on each), never more than was
 * earned, and a purchase refunded in full gives back exactly what it earned.
 * The campaigns' points that come back return to their budgets. While the
 * purchase's points are still pending (inside its return window) they are
 * cancelled from them and the available balance is not touched. After the
 * window they are clawed back; if the member has spent the points, what is
 * available is taken and the rest answered as a shortfall whose cash value
 * the cashier withholds (the documented policy).
 */
export async function refundPurchase(purchaseId: string, input: RefundInput, callerStoreId: string, now = new Date(), batched: BatchedChange = {}): Promise<CommitOutcome> {
  // Before the replay: another store learns nothing of this purchase's refunds, not even a stored answer.
  const first = await getPurchase(purchaseId);
  requireOwnStore(callerStoreId, first.storeId, `refund purchase ${purchaseId}`);
  const idempotency = posKey(`refund:${purchaseId}`, input.refundId, input);
  // A retried refund answers as the first time, even once the purchase is fully refunded.
  const replay = await storedResponse(idempotency);
  if (replay) return { replayed: true, response: replay };
  const rules = await getEarningRules();
  for (let attempt = 0; attempt < 25; attempt += 1) {
    // Another refund of this purchase, or the vest job, won the race: back off a little, re-read, recompute.
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 10 * 2 ** attempt)));
    // The first attempt works on the read the store check made; a retry reads what the winner left.
    const purchase = attempt === 0 ? first : await getPurchase(purchaseId);
    const { owed: share, campaignsBack, change } = refundOf(purchase, input);
    // A rejected review voided every point the purchase had left: nothing remains to take back, nor to give back.
    const rejected = purchase.reviewStatus === 'REJECTED';
    const owed = rejected ? 0 : share;
    const giveBack = rejected ? [] : campaignsBack.flatMap(([campaignId, points]) => campaignGiveBackWrites(campaignId, purchase.memberId, points, new Date(purchase.paidAt)));
    const refundedCents = purchase.refundedCents + change.amountCents;
    // Refunded spend no longer counts towards the tier (the tier itself changes at the next review), in or after the window.
    const growth = refundGrowthWrite(purchase.memberId, new Date(purchase.paidAt), change.amountCents);
    const ref = `purchase:${purchaseId}`;
    const answer = (outcome: RefundOutcome) => () => ({ status: 201, body: refundBody(purchaseId, change, outcome, rules, refundedCents) });
    const batchedWrites = (outcome: RefundOutcome) => batched.resultWrites?.(refundBody(purchaseId, change, outcome, rules, refundedCents)) ?? [];

    const credit =
      owed > 0 && purchase.vestAt !== undefined
        ? await findPendingCredit({ memberId: purchase.memberId, currency: DEFAULT_CURRENCY, vestAt: purchase.vestAt, purchaseId })
        : undefined;
    if (credit) {
      // Inside the window: cancel from the pending points. The shares of all refunds add up to at most what the
      // purchase earned, and all of it went pending, so the credit always covers the share.
      if (owed > credit.points) throw new Error(`refund of purchase ${purchaseId} owes ${owed} points but only ${credit.points} are pending`);
      const outcome: RefundOutcome = { clawedBack: 0, voided: owed, shortfall: 0 };
      try {
        return await commit({
          moves: [{ memberId: purchase.memberId, type: 'VOID', points: owed, reason: `refund ${input.refundId} inside the return window: pending points cancelled`, ref }],
          extra: [purchaseRefundWrite(purchase, change, outcome, now), pendingCreditTake(credit, owed), growth, ...giveBack, ...batchedWrites(outcome)],
          idempotency,
          response: answer(outcome),
          now,
        });
      } catch (error) {
        // The credit vested or another refund changed it (the wallet's pending condition may be the one that
        // noticed): decide again on what is there now.
        if (error instanceof StaleRefund || error instanceof StalePendingCreditError || error instanceof InsufficientPendingError) continue;
        throw error;
      }
    }

    let take = owed;
    for (;;) {
      const outcome: RefundOutcome = { clawedBack: take, voided: 0, shortfall: owed - take };
      try {
        return await commit({
          moves: take > 0 ? [{ memberId: purchase.memberId, type: 'CLAWBACK', points: take, reason: `refund ${input.refundId}`, ref }] : [],
          extra: [purchaseRefundWrite(purchase, change, outcome, now), growth, ...giveBack, ...batchedWrites(outcome)],
          idempotency,
          response: answer(outcome),
          now,
        });
      } catch (error) {
        if (error instanceof InsufficientPointsError && take > 0) {
          // Points already spent: take what is there, report the rest.
          const available = Number(error.extensions.available ?? 0);
          take = Math.max(0, Math.min(available, take - 1));
          continue;
        }
        if (error instanceof StaleRefund) break;
        throw error;
      }
    }
  }
  throw new DomainError('CONFLICT', `purchase ${purchaseId} is being refunded concurrently; retry with the same refundId`);
}

function refundBody(purchaseId: string, change: RefundChange, outcome: RefundOutcome, rules: EarningRules, refundedCents: number) {
  return {
    purchaseId,
    refundId: change.refundId,
    amountCents: change.amountCents,
    lines: change.lines,
    pointsClawedBack: outcome.clawedBack,
    pendingPointsCancelled: outcome.voided,
    shortfallPoints: outcome.shortfall,
    shortfallCents: cashValueCents(outcome.shortfall, rules.pointsPerYuan),
    refundedCents,
  };
}

class StaleRefund extends Error {}

/** Stored value topped up earns points at the top-up rate; recorded with the store of the POS that reported it. */
export async function recordTopUp(input: { topUpId: string; memberId: string; amountCents: number; storeId: string }, now = new Date()) {
  await getMember(input.memberId);
  const rules = await getEarningRules();
  const points = Math.floor((input.amountCents * Math.round(rules.topUpRatePerYuan * 10_000)) / 1_000_000);
  // A top-up creates points like a purchase: the same per-purchase limits bound what one report can create.
  const violation = purchaseLimitViolation(rules.posLimits, { amountCents: input.amountCents, points });
  if (violation) {
    const replay = await storedResponse(posKey('topup', input.topUpId, input));
    if (replay) return { replayed: true as const, response: replay };
    throw new PurchaseLimitError(input.topUpId, violation, 'top-up');
  }
  const body = { topUpId: input.topUpId, memberId: input.memberId, pointsEarned: points };
  return commit({
    moves: points > 0 ? [{ memberId: input.memberId, type: 'EARN', points, bucket: bucketForPolicy(rules.expiry, now), reason: 'stored-value top-up', ref: `topup:${input.topUpId}` }] : [],
    extra: [
      {
        item: {
          Put: {
            TableName: tableName(),
            Item: { ...keys.topUp(input.topUpId), entity: 'TopUp', ...input, pointsEarned: points, at: now.toISOString() },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        onConditionFailed: alreadyRecorded('top-up', input.topUpId),
      },
    ],
    idempotency: posKey('topup', input.topUpId, input),
    response: () => ({ status: 201, body }),
    now,
  });
}

/**
 * Points as cash at checkout: spends them and answers their value at the
 * programme's points value. The member's payment code (shown by the app,
 * scanned at the till) is consumed in the same transaction as the SPEND.
 */
export async function redeemAtCheckout(
  input: { redemptionId: string; memberId: string; points: number; paymentCode: string; storeId: string },
  now = new Date(),
) {
  const rules: EarningRules = await getEarningRules();
  if ((input.points * 100) % rules.pointsPerYuan !== 0) {
    const step = rules.pointsPerYuan / gcd(rules.pointsPerYuan, 100);
    throw new ValidationError(`points must be a multiple of ${step} to be worth whole cents (${rules.pointsPerYuan} points = 1 CNY)`);
  }
  const valueCents = cashValueCents(input.points, rules.pointsPerYuan);
  const body = { redemptionId: input.redemptionId, memberId: input.memberId, points: input.points, valueCents };
  // The record keeps the code's hash (which code paid), never the code.
  const { paymentCode, ...recorded } = input;
  return commit({
    moves: [{ memberId: input.memberId, type: 'SPEND', points: input.points, reason: `points as cash at checkout at ${input.storeId}`, ref: `redemption:${input.redemptionId}` }],
    extra: [
      paymentCodeConsumption({ code: paymentCode, memberId: input.memberId, redemptionId: input.redemptionId, storeId: input.storeId }, now),
      {
        item: {
          Put: {
            TableName: tableName(),
            Item: { ...keys.redemption(input.redemptionId), entity: 'Redemption', ...recorded, paymentCodeHash: paymentCodeHash(paymentCode), valueCents, at: now.toISOString() },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        onConditionFailed: alreadyRecorded('redemption', input.redemptionId),
      },
    ],
    idempotency: posKey('redemption', input.redemptionId, input),
    response: () => ({ status: 201, body }),
    now,
  });
}
