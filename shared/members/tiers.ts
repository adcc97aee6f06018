/**
 * Tier changes on the member profile (docs/earning.md, Tiers):
 *
 * - `purchaseGrowthWrite`: the profile update a POS purchase adds to its own
 *   transaction: growth counters of the purchase's year (and its month's
 *   spend, for campaign audiences), and the upgrade when
 *   the purchase crosses a threshold. In exact mode (a purchase's first
 *   attempt) it is conditional on the tier and the growth version read, so
 *   the decision is made on exact counters. A purchase that loses that race
 *   retries in blind mode: the counters are added unconditionally and
 *   `upgradeIfEarned` then makes the upgrade decision as its own conditional
 *   write, so a busy member costs one extra round, never a cascade. Either
 *   way no upgrade is missed and none downgrades.
 * - `refundGrowthWrite`: a refund takes its amount off the growth of the
 *   purchase's year and the spend of its month (the tier itself only changes
 *   at the next review).
 * - `buyTierUpgrade`: POST /v1/me/tier-upgrades: a SPEND and the tier change
 *   in one commit, conditional on the tier the price is for.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { auditItems, nothingChanged } from '../audit/audit.js';
import { DomainError } from '../errors.js';
import { programmeMonth } from '../domain/months.js';
import {
  growthIn,
  growthPurchasesAttribute,
  growthSpendAttribute,
  lowerTier,
  monthlySpendAttribute,
  tierBelow,
  tierForGrowth,
  tierRank,
  type Tier,
  type TierRules,
} from '../domain/tiers.js';
import { getEarningRules } from '../earning/rules-store.js';
import { storedResponse, type IdempotencySpec } from '../ledger/idempotency.js';
import { commit, type CommitOutcome, type ExtraWrite } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { searchEntryWrite } from './search.js';
import { getMember, profileFromItem, programmeYear, publicProfile, type MemberProfile } from './service.js';

/** The member changed between the read and the write: re-read and decide again. */
export class StaleMemberError extends Error {
  constructor(readonly memberId: string) {
    super(`member ${memberId} changed concurrently`);
  }
}

/** Condition that the growth counters are as read (absent and 0 both mean never changed). */
function growthVersionCondition(version: number): { expression: string; values: Record<string, number> } {
  return version === 0
    ? { expression: '(attribute_not_exists(growthVersion) OR growthVersion = :gv)', values: { ':gv': 0 } }
    : { expression: 'growthVersion = :gv', values: { ':gv': version } };
}

/** The profile attributes that grant `tier` now (tier, since when, tier-review list entry for `year`). */
function grantTier(memberId: string, tier: Tier, year: string, now: Date) {
  const entry = keys.member.tierReviewEntry(memberId, year);
  return {
    sets: ['tier = :newTier', 'tierSince = :now', 'GSI2PK = :reviewPk', 'GSI2SK = :reviewSk'],
    values: { ':newTier': tier, ':now': now.toISOString(), ':reviewPk': entry.GSI2PK, ':reviewSk': entry.GSI2SK },
  };
}

/**
 * A conditional update of the profile; with a tier change, in one transaction
 * with the member's search entry (./search.ts), so the search follows the
 * tier. Answers false when the profile's condition failed, or the
 * transaction met a concurrent one: the caller re-reads and decides again.
 */
async function updateProfile(
  update: { readonly UpdateExpression: string; readonly ConditionExpression: string; readonly ExpressionAttributeValues: Record<string, unknown> },
  memberId: string,
  newTier?: { member: MemberProfile; tier: Tier },
): Promise<boolean> {
  const profileUpdate = { TableName: tableName(), Key: keys.member.profile(memberId), ...update };
  try {
    if (!newTier) {
      await db().send(new UpdateCommand(profileUpdate));
    } else {
      const search = searchEntryWrite({ ...newTier.member, tier: newTier.tier }, { tier: true });
      await db().send(new TransactWriteCommand({ TransactItems: [{ Update: profileUpdate }, search.item] }));
    }
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []).map((r) => r.Code) : [];
    if (reasons.some((code) => code === 'ConditionalCheckFailed' || code === 'TransactionConflict')) return false;
    throw error;
  }
}

/**
 * The profile update of a purchase: adds the amount and one purchase to the
 * counters of the programme-local year of `paidAt`, and upgrades the tier
 * when the growth after the purchase (window ending in that year) reaches a
 * higher tier. The purchase earns at the tier the member had before it.
 */
export function purchaseGrowthWrite(
  member: MemberProfile,
  purchase: {
    readonly paidAt: Date;
    readonly amountCents: number;
    readonly rules: TierRules;
    readonly now: Date;
    /** false: blind counter update, no tier decision (the caller runs `upgradeIfEarned` after the commit). */
    readonly exact: boolean;
  },
): { writes: ExtraWrite[]; upgradeTo: Tier | undefined } {
  const year = programmeYear(purchase.paidAt);
  // The month's spend feeds campaign audiences by spend in a period (docs/earning.md, Campaign audiences).
  const names = {
    '#spend': growthSpendAttribute(year),
    '#purchases': growthPurchasesAttribute(year),
    '#monthSpend': monthlySpendAttribute(programmeMonth(purchase.paidAt)),
  };
  if (!purchase.exact) {
    return {
      upgradeTo: undefined,
      writes: [
        {
          item: {
            Update: {
              TableName: tableName(),
              Key: keys.member.profile(member.memberId),
              UpdateExpression: 'ADD #spend :cents, #monthSpend :cents, #purchases :one, purchaseCount :one, growthVersion :one',
              ConditionExpression: 'attribute_exists(PK)',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ':cents': purchase.amountCents, ':one': 1 },
            },
          },
        },
      ],
    };
  }
  const counters = member.growthCounters;
  const after = {
    ...counters,
    spendCents: { ...counters.spendCents, [year]: (counters.spendCents[year] ?? 0) + purchase.amountCents },
    purchases: { ...counters.purchases, [year]: (counters.purchases[year] ?? 0) + 1 },
  };
  const earned = tierForGrowth(growthIn(after, year, purchase.rules.growthPerPurchase), purchase.rules.thresholds);
  const upgradeTo = tierRank(earned) > tierRank(member.tier) ? earned : undefined;
  const grant = upgradeTo ? grantTier(member.memberId, upgradeTo, year, purchase.now) : { sets: [], values: {} };
  const version = growthVersionCondition(member.growthVersion);
  const profileWrite: ExtraWrite = {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.member.profile(member.memberId),
        UpdateExpression: `ADD #spend :cents, #monthSpend :cents, #purchases :one, purchaseCount :one, growthVersion :one${grant.sets.length ? ` SET ${grant.sets.join(', ')}` : ''}`,
        ConditionExpression: `attribute_exists(PK) AND tier = :readTier AND ${version.expression}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':cents': purchase.amountCents, ':one': 1, ':readTier': member.tier, ...version.values, ...grant.values },
      },
    },
    onConditionFailed: () => new StaleMemberError(member.memberId),
  };
  // The search entry follows the tier in the same transaction (unconditional: the profile's condition guards both).
  return { upgradeTo, writes: upgradeTo ? [profileWrite, searchEntryWrite({ ...member, tier: upgradeTo }, { tier: true })] : [profileWrite] };
}

/**
 * Upgrades the member if their growth in the window ending in `year` reaches
 * a higher tier: a conditional update on the tier and growth version read,
 * re-read and re-decided if either moved. Answers the new tier, if any.
 */
export async function upgradeIfEarned(memberId: string, year: string, rules: TierRules, now: Date): Promise<Tier | undefined> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const read = await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.profile(memberId), ConsistentRead: true }));
    if (!read.Item) return undefined;
    const member = profileFromItem(read.Item, rules, now);
    const earned = tierForGrowth(growthIn(member.growthCounters, year, rules.growthPerPurchase), rules.thresholds);
    if (tierRank(earned) <= tierRank(member.tier)) return undefined;
    const grant = grantTier(memberId, earned, year, now);
    const version = growthVersionCondition(member.growthVersion);
    const applied = await updateProfile(
      {
        UpdateExpression: `SET ${grant.sets.join(', ')}`,
        ConditionExpression: `tier = :readTier AND ${version.expression}`,
        ExpressionAttributeValues: { ':readTier': member.tier, ...version.values, ...grant.values },
      },
      memberId,
      { member, tier: earned },
    );
    if (applied) return earned;
  }
  throw new Error(`member ${memberId} kept changing while its tier upgrade was decided`);
}

/**
 * The profile update of a refund: the refunded amount leaves the spend of the
 * purchase's year (growth) and month (spend audiences); blind, never fails.
 */
export function refundGrowthWrite(memberId: string, paidAt: Date, refundCents: number): ExtraWrite {
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.member.profile(memberId),
        UpdateExpression: 'ADD #spend :minus, #monthSpend :minus, growthVersion :one',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#spend': growthSpendAttribute(programmeYear(paidAt)), '#monthSpend': monthlySpendAttribute(programmeMonth(paidAt)) },
        ExpressionAttributeValues: { ':minus': -refundCents, ':one': 1 },
      },
    },
  };
}

/**
 * The profile update of a void (shared/earning/voids.ts): the purchase never
 * happened, so its amount leaves the spend of its year and month and it stops
 * counting as a purchase (growth and `purchaseCount`). The tier stays: like a
 * refund, the next tier review decides. Conditional on `purchaseCount` as read,
 * which says whether the voided purchase was the member's first (its
 * first-purchase referral bonus is taken back in the same transaction); a
 * purchase recorded meanwhile fails it (StaleMemberError: decide again).
 */
export function voidGrowthWrite(member: Pick<MemberProfile, 'memberId' | 'purchaseCount'>, paidAt: Date, amountCents: number): ExtraWrite {
  const year = programmeYear(paidAt);
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.member.profile(member.memberId),
        UpdateExpression: 'ADD #spend :minus, #monthSpend :minus, #purchases :minusOne, purchaseCount :minusOne, growthVersion :one',
        ConditionExpression: 'attribute_exists(PK) AND purchaseCount = :seen',
        ExpressionAttributeNames: {
          '#spend': growthSpendAttribute(year),
          '#monthSpend': monthlySpendAttribute(programmeMonth(paidAt)),
          '#purchases': growthPurchasesAttribute(year),
        },
        ExpressionAttributeValues: { ':minus': -amountCents, ':minusOne': -1, ':one': 1, ':seen': member.purchaseCount },
      },
    },
    onConditionFailed: () => new StaleMemberError(member.memberId),
  };
}

/**
 * The member buys the next tier with points: one commit with the SPEND and
 * the tier change, conditional on the member still having the tier the price
 * is for. Upgrades go one tier at a time. A repeated Idempotency-Key replays
 * the first answer (checked before the tier checks, which the first call
 * changed).
 */
export async function buyTierUpgrade(
  memberId: string,
  target: Tier,
  options: { idempotency: IdempotencySpec; now?: Date },
): Promise<CommitOutcome> {
  const replay = await storedResponse(options.idempotency);
  if (replay) return { replayed: true, response: replay };
  const now = options.now ?? new Date();
  const member = await getMember(memberId);
  const rules = (await getEarningRules()).tiers;
  if (tierRank(target) <= tierRank(member.tier)) {
    throw new DomainError('CONFLICT', `you are already ${member.tier}; ${target} is not an upgrade`, { tier: member.tier });
  }
  const from = tierBelow(target) as Tier;
  if (member.tier !== from) {
    throw new DomainError('CONFLICT', `upgrades go one tier at a time: ${target} is sold to ${from} members; you are ${member.tier}`, { tier: member.tier });
  }
  const price = rules.upgradePrices[target as keyof TierRules['upgradePrices']];
  if (price === null || price === undefined) {
    throw new DomainError('CONFLICT', `${target} cannot be bought with points; it is earned by spending`, { tier: member.tier });
  }
  const grant = grantTier(memberId, target, programmeYear(now), now);
  const upgraded = publicProfile({ ...member, tier: target });
  return commit({
    moves: [{ memberId, type: 'SPEND', points: price, reason: `tier upgrade: ${from} to ${target}`, ref: `tier-upgrade:${target}` }],
    extra: [
      {
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.member.profile(memberId),
            UpdateExpression: `SET ${grant.sets.join(', ')}`,
            ConditionExpression: 'attribute_exists(PK) AND tier = :from',
            ExpressionAttributeValues: { ':from': from, ...grant.values },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        onConditionFailed: (current) =>
          new DomainError('CONFLICT', `your tier changed to ${String(current?.tier ?? 'unknown')} meanwhile; ${target} is sold to ${from} members`, {
            tier: current?.tier,
          }),
      },
      searchEntryWrite({ ...member, tier: target }, { tier: true }),
    ],
    idempotency: options.idempotency,
    response: () => ({ status: 201, body: upgraded }),
    now,
  });
}

export type ReviewOutcome = 'kept' | 'downgraded' | 'skipped';

/**
 * The yearly review of one member on the tier-review list (GSI2), as of
 * `now`: the tier becomes the lower of the current tier and the tier the
 * growth in the window ending in `year` reaches; never higher. A member still
 * above normal stays on the list with `year` as the year last confirmed (so
 * this year's runs skip them); a member downgraded to normal leaves the list.
 * Conditional on the tier, growth version and list entry read, so a
 * concurrent purchase or upgrade makes it re-read and decide again; a member
 * already reviewed for `year` is skipped.
 */
export async function reviewMemberTier(memberId: string, year: string, rules: TierRules, now: Date): Promise<ReviewOutcome> {
  const due = keys.tierReview.dueBefore(year);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const read = await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.profile(memberId), ConsistentRead: true }));
    const item = read.Item;
    const listed = typeof item?.GSI2SK === 'string' ? item.GSI2SK : undefined;
    // The index is eventually consistent: the profile decides whether the review is still due.
    if (!item || listed === undefined || listed >= due) return 'skipped';
    const member = profileFromItem(item, rules, now);
    const target = lowerTier(member.tier, tierForGrowth(growthIn(member.growthCounters, year, rules.growthPerPurchase), rules.thresholds));
    const version = growthVersionCondition(member.growthVersion);
    const entry = keys.member.tierReviewEntry(memberId, year);
    const sets = ['tierReviewedAt = :now'];
    const values: Record<string, unknown> = { ':now': now.toISOString(), ':readTier': member.tier, ':listed': listed, ...version.values };
    if (target !== member.tier) {
      sets.push('tier = :tier', 'tierSince = :now');
      values[':tier'] = target;
    }
    if (target !== 'normal') {
      sets.push('GSI2SK = :sk');
      values[':sk'] = entry.GSI2SK;
    }
    const applied = await updateProfile(
      {
        UpdateExpression: `SET ${sets.join(', ')}${target === 'normal' ? ' REMOVE GSI2PK, GSI2SK' : ''}`,
        ConditionExpression: `tier = :readTier AND GSI2SK = :listed AND ${version.expression}`,
        ExpressionAttributeValues: values,
      },
      memberId,
      target === member.tier ? undefined : { member, tier: target },
    );
    if (applied) return target === member.tier ? 'kept' : 'downgraded';
  }
  throw new Error(`member ${memberId} kept changing during the tier review`);
}

/**
 * An operator sets a member's tier (a goodwill upgrade, a correction): on
 * condition that the tier is still the one the operator saw, audited in the
 * same transaction. The new tier counts from now for the yearly review, as a
 * bought or earned one does; normal leaves the review list.
 */
export async function setTierByOperator(memberId: string, input: { tier: Tier; expectedTier: Tier; reason: string }, now = new Date()) {
  const member = await getMember(memberId);
  if (member.tier !== input.expectedTier) {
    throw new DomainError('CONFLICT', `the member is ${member.tier} now, not ${input.expectedTier}; reload the member and decide again`, { tier: member.tier });
  }
  if (member.tier === input.tier) {
    // Already that tier: nothing changes, nothing is recorded.
    nothingChanged();
    return publicProfile(member);
  }
  const grant = grantTier(memberId, input.tier, programmeYear(now), now);
  const sets = input.tier === 'normal' ? grant.sets.filter((s) => !s.startsWith('GSI2')) : grant.sets;
  const values = input.tier === 'normal' ? { ':newTier': input.tier, ':now': now.toISOString() } : grant.values;
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: tableName(),
              Key: keys.member.profile(memberId),
              UpdateExpression: `SET ${sets.join(', ')}${input.tier === 'normal' ? ' REMOVE GSI2PK, GSI2SK' : ''}`,
              ConditionExpression: 'attribute_exists(PK) AND tier = :from',
              ExpressionAttributeValues: { ':from': input.expectedTier, ...values },
            },
          },
          // The operators' search by tier follows the change (./search.ts).
          searchEntryWrite({ ...member, tier: input.tier }, { tier: true }).item,
          ...auditItems({ target: `member:${memberId}`, summary: `changed tier ${member.tier} → ${input.tier}: ${input.reason}`, before: { tier: member.tier }, after: { tier: input.tier } }, now),
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      throw new DomainError('CONFLICT', 'the member changed meanwhile; reload the member and decide again');
    }
    throw error;
  }
  return publicProfile({ ...member, tier: input.tier });
}
