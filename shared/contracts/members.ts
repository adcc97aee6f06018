import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { currencySchema, ledgerLineSchema, memberIdParams, pageOf, pageQuerySchema, paymentCodeSchema } from './common.js';
import { operation } from './operation.js';
import { paidTiers, tiers } from '../domain/tiers.js';
import { MEMBER_ID_PARTITION_CHARS } from '../table/keys.js';

export const tierSchema = doc(z.enum(['normal', 'silver', 'gold', 'diamond']), 'Tier');

export const memberSchema = doc(z.object({
  memberId: z.string(),
  tier: tierSchema,
  growth: doc(z.number().check(z.int()), {
    description: 'Growth value that drives the tier: whole CNY spent (plus any per-purchase growth) this and last calendar year (Asia/Shanghai).',
  }),
  referralCode: doc(z.string(), { description: 'Code others register with to name this member as referrer.' }),
  referredBy: doc(z.nullable(z.string()), { description: 'Referral code given at registration, if any.' }),
  birthday: z.nullable(z.string()),
  tags: z.array(z.string()),
  status: doc(z.enum(['ACTIVE', 'BLOCKED', 'ERASED']), { description: 'ERASED: personal data erased (birthday, tags, referral codes); points and history stay.' }),
  registeredAt: z.string(),
}), 'Member');

export const walletSchema = doc(z.object({
  currency: z.string(),
  available: z.number().check(z.int()),
  held: doc(z.number().check(z.int()), { description: 'Reserved by pending orders and open bids.' }),
  pending: doc(z.number().check(z.int()), {
    description: 'Earned by purchases whose return window has not ended: not spendable yet; a refund inside the window cancels them.',
  }),
  pendingCredits: doc(z.array(
    z.object({
      points: z.number().check(z.int()),
      availableAt: doc(z.string(), { description: 'When these points become available (the hourly vest job credits them shortly after).' }),
      ref: doc(z.string(), { description: 'What earned them, e.g. `purchase:<purchaseId>`.' }),
      underReview: doc(z.optional(z.boolean()), {
        description: 'The purchase waits for an operator to review it; availableAt is then only the earliest the points could become available.',
      }),
    }),
  ), { description: 'The soonest pending credits, at most 20; `pending` is the total.' }),
  lifetimeEarned: z.number().check(z.int()),
  expired: z.number().check(z.int()),
  expiring: z.array(
    z.object({
      expiresAt: doc(z.nullable(z.string()), { description: 'When these points expire; null = never.' }),
      points: z.number().check(z.int()),
      bucket: z.string(),
    }),
  ),
}), 'Points');

/** The `{memberId}` of the operator routes on one member. */
export const ledgerPageSchema = doc(pageOf(ledgerLineSchema), 'LedgerPage');

const memberStatusSchema = z.enum(['ACTIVE', 'BLOCKED', 'ERASED']);

const registrationBound = (what: string) =>
  z.optional(z.iso
    .datetime({ offset: true, message: `${what} must be an ISO-8601 time with Z or an offset, e.g. 2026-03-01T00:00:00+08:00` }));

export const memberSearchQuerySchema = docExtend(pageQuerySchema, {
  idPrefix: doc(z.optional(z.string().check(z.regex(new RegExp(`^[A-Za-z0-9._:-]{${MEMBER_ID_PARTITION_CHARS},64}$`), `idPrefix is the first ${MEMBER_ID_PARTITION_CHARS} to 64 characters of a member id (letters, digits, dot, underscore, colon, hyphen; case-sensitive)`))), { description: `Members whose id starts with this (at least ${MEMBER_ID_PARTITION_CHARS} characters), by id. Not combined with the other filters.` }),
  tier: doc(z.optional(z.enum(tiers, { message: `tier must be one of ${tiers.join(', ')}` })), { description: 'Members of this tier only.' }),
  registeredFrom: doc(registrationBound('registeredFrom'), { description: 'Registered at or after this time (inclusive).' }),
  registeredTo: doc(registrationBound('registeredTo'), { description: 'Registered before this time (exclusive).' }),
}).check(z.superRefine((query, ctx) => {
  if (query.idPrefix !== undefined && (query.tier !== undefined || query.registeredFrom !== undefined || query.registeredTo !== undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['idPrefix'],
      message:
        'idPrefix searches by id alone and cannot be combined with tier, registeredFrom or registeredTo (no index serves both): ' +
        'search by id prefix, or by tier and registration time, and narrow the other way in the answer',
    });
  }
  if (query.registeredFrom !== undefined && query.registeredTo !== undefined && Date.parse(query.registeredFrom) >= Date.parse(query.registeredTo)) {
    ctx.addIssue({ code: 'custom', path: ['registeredTo'], message: 'registeredTo must be after registeredFrom' });
  }
}));

export const memberSearchHitSchema = doc(z.object({
  memberId: z.string(),
  tier: tierSchema,
  status: memberStatusSchema,
  registeredAt: z.string(),
}), 'MemberSearchHit');

export const tierProgressSchema = doc(z.object({
  tier: tierSchema,
  tierSince: doc(z.nullable(z.string()), { description: 'When the current tier was granted (null: the tier given at registration, or normal since then).' }),
  tierReviewedAt: doc(z.nullable(z.string()), { description: 'When the yearly tier review last confirmed or lowered the tier (null: never).' }),
  growth: z.number().check(z.int()),
  growthWindow: doc(z.object({ fromYear: z.string(), toYear: z.string() }), { description: 'The programme-local calendar years whose spend makes up `growth` (last year and this year).' }),
  nextTier: doc(z.nullable(z.object({
    tier: tierSchema,
    growthThreshold: doc(z.number().check(z.int()), { description: 'Growth that earns it (earning rules, tiers.thresholds).' }),
    growthNeeded: doc(z.number().check(z.int()), { description: 'Growth still missing: max(0, growthThreshold - growth).' }),
    upgradePrice: doc(z.nullable(z.number().check(z.int())), { description: 'Points that buy it from the current tier (POST /v1/me/tier-upgrades); null: not for sale.' }),
  })), { description: 'The tier directly above; null for the top tier.' }),
}), 'TierProgress');

export const memberReferralsSchema = doc(z.object({
  referredBy: doc(z.nullable(z.string()), { description: 'The referral code given at registration (null: none, or erased).' }),
  referrerId: doc(z.nullable(z.string()), { description: 'The member who referred this one (kept after an erasure: it holds no personal data).' }),
  referredCount: doc(z.number().check(z.int()), { description: 'Members who registered with this member\'s code and were rewarded.' }),
  referralPointsEarned: doc(z.number().check(z.int()), { description: 'Points this member earned for those referrals.' }),
}), 'MemberReferrals');

export const registerBodySchema = doc(z.strictObject({
  referralCode: z.optional(z.string().check(z.regex(/^[A-Z0-9]{6,12}$/, 'a referral code is 6-12 upper-case letters or digits'))),
  birthday: z.optional(z.iso.date({ message: 'birthday must be a date like 1990-04-23' })),
}), 'RegisterRequest');

/** An adjustment above the approval threshold, waiting for a second operator (shared/members/approvals.ts). */
export const approvalSchema = doc(z.object({
  approvalId: z.string(),
  kind: z.literal('ADJUSTMENT'),
  status: z.enum(['PENDING', 'APPROVED', 'REJECTED']),
  memberId: z.string(),
  points: z.number().check(z.int()),
  currency: z.string(),
  reason: z.string(),
  requestedBy: z.string(),
  requestedRole: z.string(),
  createdAt: z.string(),
  decidedBy: z.optional(z.string()),
  decidedAt: z.optional(z.string()),
  decisionReason: z.optional(z.string()),
  entryId: doc(z.optional(z.string()), { description: 'The ledger entry the approval wrote.' }),
}), 'ApprovalRequest');

export const adjustmentBodySchema = doc(z.strictObject({
  points: doc(z.number().check(z.int('points must be a whole number'), z.refine((p) => p !== 0, 'points must not be 0'), z.refine((p) => Math.abs(p) <= 100_000_000, 'points must be within ±100,000,000')), { description: 'Positive to credit, negative to debit.' }),
  reason: z.string().check(z.trim(), z.minLength(3, 'give a reason of at least 3 characters'), z.maxLength(500)),
  currency: currencySchema,
}), 'AdjustmentRequest');

export const exchangeBodySchema = doc(z.strictObject({
  from: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,31}$/, 'a currency code such as "partner-miles"')),
  to: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,31}$/, 'a currency code such as "points"')),
  amount: z.number().check(z.int('amount must be a whole number'), z.positive('amount must be positive'), z.lte(100_000_000)),
}).check(z.refine((b) => b.from !== b.to, { message: 'from and to must be different currencies', path: ['to'] })), 'ExchangeRequest');

export const exchangeResultSchema = doc(z.object({
  from: z.object({ currency: z.string(), points: z.number().check(z.int()), entryId: z.string() }),
  to: z.object({ currency: z.string(), points: z.number().check(z.int()), entryId: z.string() }),
  rate: doc(z.string(), { description: 'Units of `to` per unit of `from`, as a fraction.' }),
}), 'ExchangeResult');

/** A checkout payment code as the member's app shows it and the POS scans it: 18 digits. */
export const paymentCodeResultSchema = doc(z.object({
  code: paymentCodeSchema,
  expiresAt: doc(z.string(), { description: 'The code is refused from this time on (about 60 s after issue).' }),
}), 'PaymentCode');

export const tierUpgradeBodySchema = doc(z.strictObject({
  tier: doc(z.enum(paidTiers, { message: `tier must be one of ${paidTiers.join(', ')}` }), { description: 'The tier to buy: the one directly above yours.' }),
}), 'TierUpgradeRequest');

export const erasureReceiptSchema = doc(z.object({
  memberId: z.string(),
  status: z.literal('ERASED'),
  erasedAt: z.string(),
  erasedBy: doc(z.string(), { description: '`member`, or `operator:<sub>` when an operator erased it.' }),
  erased: doc(z.array(z.string()), { description: 'The personal fields removed.' }),
}), 'ErasureReceipt');

export const memberOperations = {
  registerMember: operation({
    summary: 'Register the calling member (idempotent: a second call answers the existing profile)',
    tags: ['members'],
    body: registerBodySchema,
    description: 'Registering is idempotent by itself (one profile per token subject): a repeat answers 200 with the stored profile and ignores the new body.',
    response: memberSchema,
    status: 201,
    errors: ['VALIDATION_FAILED'],
  }),
  getMe: operation({
    summary: "The calling member's profile",
    tags: ['members'],
    response: memberSchema,
    errors: ['NOT_FOUND'],
  }),
  getMyPoints: operation({
    summary: 'Available, held, pending and lifetime points, when pending points become available, and what expires when',
    tags: ['members'],
    query: z.object({ currency: currencySchema }),
    response: walletSchema,
    errors: ['NOT_FOUND'],
  }),
  listMyLedger: operation({
    summary: "The calling member's ledger, newest first",
    tags: ['members'],
    query: docExtend(pageQuerySchema, { currency: currencySchema }),
    response: ledgerPageSchema,
    errors: ['NOT_FOUND'],
  }),
  exchangePoints: operation({
    summary: 'Exchange points between two of my currencies at the configured rate (one transaction)',
    description:
      'Each currency has a value in brand points (`pointsPerUnit`). The amount must convert to a whole number of the target currency.',
    tags: ['members'],
    body: exchangeBodySchema,
    response: exchangeResultSchema,
    status: 201,
    idempotency: 'required',
    errors: ['INSUFFICIENT_POINTS', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_REQUIRED', 'NOT_FOUND'],
  }),
  buyTierUpgrade: operation({
    summary: 'Buy the next tier with points (e.g. silver to gold for 1,000 points)',
    description:
      'One transaction spends the price and changes the tier, on condition that you still have the tier the price is for. ' +
      'Prices are per target tier in the earning rules (`tiers.upgradePrices`); upgrades go one tier at a time. ' +
      '409 `CONFLICT` when the tier is not the next one up or is not for sale, 409 `INSUFFICIENT_POINTS` when the points do not cover the price; nothing changes then.',
    tags: ['members'],
    body: tierUpgradeBodySchema,
    response: memberSchema,
    status: 201,
    idempotency: 'required',
    errors: ['CONFLICT', 'INSUFFICIENT_POINTS', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_REQUIRED', 'NOT_FOUND'],
  }),
  eraseMe: operation({
    summary: 'Erase my personal data (birthday, tags, referral codes); my points and history stay',
    description:
      'Once: a repeat answers the first receipt. The account stays usable under its pseudonymous id; the wallets, ledger, orders and game records carry no personal field and stay, so balances and reports are unchanged.',
    tags: ['members'],
    response: erasureReceiptSchema,
    errors: ['NOT_FOUND'],
  }),
  eraseMember: operation({
    summary: "Erase a member's personal data (operator; the erasure record names the operator)",
    tags: ['admin'],
    params: memberIdParams,
    response: erasureReceiptSchema,
    errors: ['NOT_FOUND'],
  }),
  issuePaymentCode: operation({
    summary: 'A single-use payment code that lets a POS spend my points at the till (valid about 60 s)',
    description:
      'The app shows the code as a barcode or QR code; the cashier scans it and the POS sends it with POST /v1/pos/redemptions. ' +
      'A code works once, for this member only, until `expiresAt`. At most 5 codes issued within one validity period are live ' +
      'at a time: beyond that 429 PAYMENT_CODE_LIMIT, with `retryAfterSeconds`.',
    tags: ['members'],
    response: paymentCodeResultSchema,
    status: 201,
    errors: ['NOT_FOUND', 'FORBIDDEN', 'PAYMENT_CODE_LIMIT'],
  }),
  searchMembers: operation({
    summary: 'Find members by id prefix, or by tier and registration time (operator)',
    description:
      'Two ways to search, each one index read (never a scan): `idPrefix` (at least ' +
      `${MEMBER_ID_PARTITION_CHARS} characters) lists the members whose id starts with it, by id, and takes no other filter; ` +
      'otherwise `tier` and `registeredFrom`/`registeredTo`, each optional and combinable, list members newest registered first ' +
      '(no filter at all: every member). A combination no index serves is 400 with what to do.',
    tags: ['admin'],
    query: memberSearchQuerySchema,
    response: doc(pageOf(memberSearchHitSchema), 'MemberSearchPage'),
    errors: ['VALIDATION_FAILED'],
  }),
  getMember: operation({
    summary: 'Everything about one member: profile, every wallet, tier and growth, referrals (operator)',
    description:
      '`points` is the `points` wallet (as GET /v1/me/points answers it); `wallets` has every currency\'s. ' +
      'An erased member (status ERASED) answers what remains: no birthday, tags or referral codes; points, tier and history stay.',
    tags: ['admin'],
    params: memberIdParams,
    response: doc(docExtend(memberSchema, {
      points: walletSchema,
      wallets: doc(z.array(walletSchema), { description: 'One per currency the member holds, in the programme\'s order (`points` first).' }),
      tierProgress: tierProgressSchema,
      referrals: memberReferralsSchema,
      erasedAt: z.nullable(z.string()),
      erasedBy: doc(z.nullable(z.string()), { description: '`member`, or `operator:<sub>`.' }),
    }), 'MemberWithPoints'),
    errors: ['NOT_FOUND'],
  }),
  listMemberLedger: operation({
    summary: "A member's ledger with the balance after each entry, newest first (operator)",
    description: 'The same list as GET /v1/me/ledger answers the member, for the member in the path.',
    tags: ['admin'],
    params: memberIdParams,
    query: docExtend(pageQuerySchema, { currency: currencySchema }),
    response: ledgerPageSchema,
    errors: ['NOT_FOUND'],
  }),
  adjustMemberPoints: operation({
    summary: "Credit or debit a member's points with a reason (operator; audited)",
    description:
      'Above the programme\'s approval threshold (GET /v1/admin/settings, default 10,000,000 points) the adjustment is not applied: ' +
      'the answer is 202 with an approval request (schema ApprovalRequest) that another operator approves or rejects under /v1/admin/approvals. ' +
      'A support operator may adjust at most `supportMaxPointsPerAdjustment` at once (403 beyond) and `supportMaxPointsPerDay` a day (409 LIMIT_REACHED beyond).',
    tags: ['admin'],
    params: memberIdParams,
    body: adjustmentBodySchema,
    response: z.union([doc(z.object({ entry: z.omit(ledgerLineSchema, { balanceAfter: true }) }), 'AdjustmentResult'), approvalSchema]),
    status: 201,
    idempotency: 'optional',
    errors: ['INSUFFICIENT_POINTS', 'IDEMPOTENCY_KEY_REUSED', 'FORBIDDEN', 'LIMIT_REACHED'],
  }),
};
