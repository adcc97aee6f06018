import { randomInt } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { bucketAfterMonths, NEVER_EXPIRES } from '../domain/fifo.js';
import { currencies, currencySpec } from '../domain/currencies.js';
import { gcd } from '../domain/numbers.js';
import { growthCountersOf, growthIn, type GrowthCounters, type Tier, type TierRules } from '../domain/tiers.js';
import { localDate } from '../domain/programme.js';

export type { Tier };
import { NotFoundError, ValidationError } from '../errors.js';
import { commit, type ExtraWrite, type LedgerEntry } from '../ledger/ledger.js';
import type { IdempotencySpec, StoredResponse } from '../ledger/idempotency.js';
import { DEFAULT_CURRENCY, newWalletItem } from '../ledger/wallet-item.js';
import { bucketForPolicy, getEarningRules } from '../earning/rules-store.js';
import { settleReferral } from './referrals.js';
import { ensureSearchEntry, searchEntryWrite } from './search.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { auditWrites } from '../audit/audit.js';


export interface MemberProfile {
  readonly memberId: string;
  readonly tier: Tier;
  /** Growth in the current window (this and last programme-local year), under the rules in force. */
  readonly growth: number;
  readonly referralCode: string;
  readonly referredBy: string | null;
  readonly referrerId: string | null;
  readonly birthday: string | null;
  tags: string[];
  /** ERASED: the member's personal data was erased (shared/members/erasure.ts); the account's points and history stay. */
  readonly status: 'ACTIVE' | 'BLOCKED' | 'ERASED';
  readonly registeredAt: string;
  /** Internal (not in the API): POS purchases ever recorded. */
  readonly purchaseCount: number;
  /** Internal: bumped by every change of the growth counters; tier decisions are conditional on it. */
  readonly growthVersion: number;
  /** Internal: spend and purchases per programme-local year. */
  readonly growthCounters: GrowthCounters;
}

/** The programme-local calendar year (`YYYY`) of an instant. */
export function programmeYear(at: Date): string {
  return localDate(at).slice(0, 4);
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newReferralCode(): string {
  let code = '';
  for (let i = 0; i < 8; i += 1) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

export function profileFromItem(item: Record<string, unknown>, tierRules: TierRules, now: Date = new Date()): MemberProfile {
  const growthCounters = growthCountersOf(item);
  return {
    memberId: String(item.memberId),
    tier: (item.tier as Tier) ?? 'normal',
    growth: growthIn(growthCounters, programmeYear(now), tierRules.growthPerPurchase),
    referralCode: String(item.referralCode),
    referredBy: (item.referredBy as string | undefined) ?? null,
    referrerId: (item.referrerId as string | undefined) ?? null,
    birthday: (item.birthday as string | undefined) ?? null,
    tags: (item.tags as string[] | undefined) ?? [],
    status: (item.status as MemberProfile['status']) ?? 'ACTIVE',
    registeredAt: String(item.registeredAt),
    purchaseCount: Number(item.purchaseCount ?? 0),
    growthVersion: Number(item.growthVersion ?? 0),
    growthCounters,
  };
}

/** The profile without its internal fields (what answers and stored replays carry). */
export function publicProfile(member: MemberProfile): Omit<MemberProfile, 'purchaseCount' | 'growthVersion' | 'growthCounters'> {
  const { purchaseCount: _count, growthVersion: _version, growthCounters: _counters, ...rest } = member;
  return rest;
}

export async function findMember(memberId: string): Promise<MemberProfile | undefined> {
  const result = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.member.profile(memberId), ConsistentRead: true }),
  );
  return result.Item ? profileFromItem(result.Item, (await getEarningRules()).tiers) : undefined;
}

export async function getMember(memberId: string): Promise<MemberProfile> {
  const member = await findMember(memberId);
  if (!member) throw new NotFoundError(`member ${memberId} is not registered (members register with POST /v1/me/register)`);
  return member;
}

/**
 * 404 unless the member is registered: the operator routes on one member
 * check it before listing, so an unknown id is a 404, not an empty list.
 */
export async function requireMember(memberId: string): Promise<void> {
  const result = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.member.profile(memberId), ProjectionExpression: 'PK', ConsistentRead: true }),
  );
  if (!result.Item) throw new NotFoundError(`member ${memberId} is not registered`);
}

/** Creates any wallet a member lacks (a currency added after they registered). */
async function ensureWallets(memberId: string, now: Date): Promise<void> {
  await Promise.all(
    currencies.map((c) =>
      db()
        .send(
          new PutCommand({
            TableName: tableName(),
            Item: newWalletItem(memberId, c.code, now),
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        )
        .catch((error: Error) => {
          if (error.name !== 'ConditionalCheckFailedException') throw error;
        }),
    ),
  );
}

export interface RegistrationInput {
  readonly referralCode?: string | undefined;
  readonly birthday?: string | undefined;
  readonly tier?: Tier;
  readonly tags?: readonly string[];
}

/**
 * Registers a member with one wallet per currency, in one transaction. A
 * second call for the same member changes nothing and answers the existing
 * profile (`created: false`).
 */
export async function registerMember(
  memberId: string,
  input: RegistrationInput,
  now: Date = new Date(),
): Promise<{ member: MemberProfile; created: boolean }> {
  const existing = await findMember(memberId);
  if (existing) {
    // A member registered before wallets of a newer currency, or before search entries, existed gets them now.
    await Promise.all([ensureWallets(memberId, now), ensureSearchEntry(existing)]);
    // A reward the first call could not finish (crash, contention) is settled now; never twice.
    if (existing.referrerId) await settleReferral(existing, now);
    return { member: existing, created: false };
  }

  let referrerId: string | null = null;
  if (input.referralCode) {
    const owner = await db().send(
      new GetCommand({ TableName: tableName(), Key: keys.referralCode(input.referralCode), ConsistentRead: true }),
    );
    if (!owner.Item) throw new ValidationError(`referral code ${input.referralCode} does not exist; check it or leave it out`);
    referrerId = String(owner.Item.memberId);
  }

  for (let attempt = 0; attempt < 5; attempt += 1) {
    const referralCode = newReferralCode();
    const tier = input.tier ?? 'normal';
    const profile = {
      ...keys.member.profile(memberId),
      // Sparse index entries: the birthdays job finds members by month-day, the tier review finds tiered members.
      ...(input.birthday ? keys.member.birthdayEntry(memberId, input.birthday.slice(5)) : {}),
      ...(tier === 'normal' ? {} : { ...keys.member.tierReviewEntry(memberId, programmeYear(now)), tierSince: now.toISOString() }),
      entity: 'Member',
      memberId,
      tier,
      purchaseCount: 0,
      growthVersion: 0,
      referralCode,
      ...(input.referralCode ? { referredBy: input.referralCode, referrerId } : {}),
      ...(input.birthday ? { birthday: input.birthday } : {}),
      tags: [...(input.tags ?? [])],
      status: 'ACTIVE',
      registeredAt: now.toISOString(),
    };
    try {
      await db().send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName(), Item: profile, ConditionExpression: 'attribute_not_exists(PK)' } },
            {
              Put: {
                TableName: tableName(),
                Item: { ...keys.referralCode(referralCode), entity: 'ReferralCode', code: referralCode, memberId },
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            ...currencies.map((c) => ({
              Put: {
                TableName: tableName(),
                Item: newWalletItem(memberId, c.code, now),
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            })),
            searchEntryWrite({ memberId, tier, status: 'ACTIVE', registeredAt: profile.registeredAt }, { tier: true, status: true }).item,
          ],
        }),
      );
      const member = profileFromItem(profile, (await getEarningRules()).tiers, now);
      if (member.referrerId) await settleReferral(member, now);
      return { member, created: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [profileReason, codeReason] = error.CancellationReasons ?? [];
      if (profileReason?.Code === 'ConditionalCheckFailed' || profileReason?.Code === 'TransactionConflict') {
        // Registered concurrently by a parallel call: answer what it stored.
        return { member: await getMember(memberId), created: false };
      }
      if (codeReason?.Code === 'ConditionalCheckFailed') continue; // referral code collision: draw another
      throw error;
    }
  }
  throw new Error('could not allocate a unique referral code');
}

/**
 * Expiry bucket for points credited now in a currency: the brand's own points
 * follow the operator's expiry policy (earning rules), partner currencies their spec.
 */
export async function creditBucket(currency: string, now: Date): Promise<string> {
  const spec = currencySpec(currency);
  if (!spec) throw new ValidationError(`unknown currency ${currency}; known: ${currencies.map((c) => c.code).join(', ')}`);
  if (currency === DEFAULT_CURRENCY) return bucketForPolicy((await getEarningRules()).expiry, now);
  return spec.expiryMonths === null ? NEVER_EXPIRES : bucketAfterMonths(now, spec.expiryMonths);
}

export interface AdjustmentInput {
  readonly points: number;
  readonly reason: string;
  readonly currency: string;
  readonly operator: string;
}

/** An operator's credit or debit, one ledger entry; a debit never takes the balance below zero. */
export async function adjustPoints(
  memberId: string,
  input: AdjustmentInput,
  options: { idempotency?: IdempotencySpec | undefined; now?: Date; extra?: readonly ExtraWrite[]; response: (entry: LedgerEntry) => StoredResponse },
) {
  const now = options.now ?? new Date();
  const bucket = input.points > 0 ? await creditBucket(input.currency, now) : undefined;
  if (input.points < 0 && !currencySpec(input.currency)) throw new ValidationError(`unknown currency ${input.currency}`);
  return commit({
    moves: [
      {
        memberId,
        currency: input.currency,
        type: 'ADJUST',
        points: input.points,
        ...(bucket ? { bucket } : {}),
        reason: input.reason,
        ref: `operator:${input.operator}`,
      },
    ],
    extra: [...(options.extra ?? []), ...auditWrites({ target: `member:${memberId}`, summary: `adjusted ${input.points > 0 ? '+' : ''}${input.points} ${input.currency}: ${input.reason}`, after: { points: input.points, currency: input.currency, reason: input.reason } }, now)],
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    response: (entries) => options.response(entries[0] as LedgerEntry),
    now,
  });
}

export interface ExchangeQuote {
  readonly debit: number;
  readonly credit: number;
  readonly rate: string;
}

/** What exchanging `amount` of one currency into another debits and credits; refuses inexact conversions. */
export function quoteExchange(from: string, to: string, amount: number): ExchangeQuote {
  const source = currencySpec(from);
  const target = currencySpec(to);
  const known = currencies.map((c) => c.code).join(', ');
  if (!source) throw new ValidationError(`unknown currency ${from}; known: ${known}`);
  if (!target) throw new ValidationError(`unknown currency ${to}; known: ${known}`);
  if (!source.exchangeableInto.includes(to)) {
    throw new ValidationError(
      `${from} cannot be exchanged into ${to}` +
        (source.exchangeableInto.length ? `; it exchanges into ${source.exchangeableInto.join(', ')}` : '; it is not exchangeable'),
    );
  }
  const value = amount * source.pointsPerUnit;
  if (value % target.pointsPerUnit !== 0) {
    const step = target.pointsPerUnit / gcd(source.pointsPerUnit, target.pointsPerUnit);
    throw new ValidationError(`amount must be a multiple of ${step} ${from} to convert into whole ${to}`);
  }
  const divisor = gcd(source.pointsPerUnit, target.pointsPerUnit);
  return {
    debit: amount,
    credit: value / target.pointsPerUnit,
    rate: `${source.pointsPerUnit / divisor}/${target.pointsPerUnit / divisor}`,
  };
}

/** Exchanges between two wallets of a member: one transaction, one ledger entry in each wallet. */
export async function exchangePoints(
  memberId: string,
  input: { from: string; to: string; amount: number },
  options: { idempotency: IdempotencySpec; now?: Date },
) {
  const now = options.now ?? new Date();
  const quote = quoteExchange(input.from, input.to, input.amount);
  return commit({
    moves: [
      { memberId, currency: input.from, type: 'SPEND', points: quote.debit, reason: `exchanged into ${input.to}`, ref: 'exchange' },
      {
        memberId,
        currency: input.to,
        type: 'EARN',
        points: quote.credit,
        bucket: await creditBucket(input.to, now),
        reason: `exchanged from ${input.from}`,
        ref: 'exchange',
      },
    ],
    idempotency: options.idempotency,
    response: (entries) => ({
      status: 201,
      body: {
        from: { currency: input.from, points: -quote.debit, entryId: entries[0]?.id },
        to: { currency: input.to, points: quote.credit, entryId: entries[1]?.id },
        rate: quote.rate,
      },
    }),
    now,
  });
}
