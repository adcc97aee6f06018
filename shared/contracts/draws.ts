import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema, memberIdParams } from './common.js';
import { operation } from './operation.js';
import { activityName } from './pools.js';
import { DRAW_HISTORY_SHOWN, PRIZE_TABLE_FROZEN_BEFORE_START_MS } from './limits.js';

export { DRAW_HISTORY_SHOWN, PRIZE_TABLE_FROZEN_BEFORE_START_MS };

export const prizeKinds = ['POINTS', 'COUPON', 'GOODS', 'NOTHING'] as const;
/** What a draw is at an instant (every view): PAUSED and ENDED may be an operator's doing (`operatorStatus`). */
export const drawStatuses = ['UPCOMING', 'OPEN', 'PAUSED', 'ENDED'] as const;
/** What an operator sets (PATCH /v1/admin/draws/{drawId}): ENDED is final. */
export const drawOperatorStatuses = ['ACTIVE', 'PAUSED', 'ENDED'] as const;
/** Why a spin got the consolation instead of the prize it drew. */
export const fallbackReasons = ['OUT_OF_STOCK', 'BUDGET_EXHAUSTED', 'LIMIT_REACHED', 'COUPON_UNAVAILABLE'] as const;

/** Most prizes on one wheel (each limited prize is one item of the creating transaction). */
export const MAX_PRIZES = 24;

const isoTime = (what: string) => z.iso.datetime({ message: `${what} must be an ISO-8601 UTC time such as 2026-12-12T12:00:00Z` });

const prizeCommon = {
  prizeId: doc(idSchema, { description: 'Your id for the prize, unique in the draw; spins and the audit trail name it.' }),
  name: z.string().check(z.trim(), z.minLength(1, 'give the prize a name'), z.maxLength(120)),
  weight: doc(z.number().check(z.int('weight must be a whole number (the odds are weight / sum of weights)'), z.positive('weight must be positive'), z.lte(1_000_000)), { description: "Relative weight; the prize's published odds are weight / sum of the weights." }),
  stock: doc(z._default(z.nullable(z.number().check(z.int('stock must be a whole number of prizes'), z.positive('stock must be positive (or null for unlimited)'), z.lte(10_000_000))), null), { description: 'How many of this prize the draw can give in all; null: unlimited. A drawn prize out of stock gives the consolation.' }),
};

const prizeInputSchema = doc(z.discriminatedUnion('kind', [
  z.strictObject({
    ...prizeCommon,
    kind: doc(z.literal('POINTS'), { description: "Points paid from the draw's pool activity." }),
    points: z.number().check(z.int('points must be a whole number'), z.positive('points must be positive'), z.lte(1_000_000)),
  }),
  z.strictObject({
    ...prizeCommon,
    kind: doc(z.literal('COUPON'), { description: 'One coupon of a template, into the member\'s coupon wallet.' }),
    couponTemplateId: idSchema,
  }),
  z.strictObject({
    ...prizeCommon,
    kind: doc(z.literal('GOODS'), { description: 'A PHYSICAL or SUPPLIER product, delivered through an order (0 points).' }),
    productId: idSchema,
  }),
  z.strictObject({ ...prizeCommon, kind: doc(z.literal('NOTHING'), { description: '"Thanks for playing".' }) }),
]), 'DrawPrizeInput');

export const drawInputSchema = doc(z.strictObject({
  drawId: doc(z.optional(idSchema), { description: 'Your id for the draw; generated (`d-...`) when left out.' }),
  name: z.string().check(z.trim(), z.minLength(3, 'give the draw a name of at least 3 characters'), z.maxLength(120)),
  description: z._default(z.string().check(z.maxLength(2000)), ''),
  startsAt: isoTime('startsAt'),
  endsAt: isoTime('endsAt'),
  freeSpinsPerDay: doc(z.number().check(z.int('freeSpinsPerDay must be a whole number'), z.gte(0), z.lte(100)), { description: 'Spins each member gets free per programme-local day (Asia/Shanghai).' }),
  spinCostPoints: doc(z.number().check(z.int('spinCostPoints must be a whole number of points'), z.positive('spinCostPoints must be positive'), z.lte(1_000_000)), { description: 'Points one spin costs once the day\'s free spins are used.' }),
  maxSpinsPerDay: doc(z.number().check(z.int('maxSpinsPerDay must be a whole number'), z.positive('maxSpinsPerDay must be positive'), z.lte(1000)), { description: 'Spins one member may make per day, free and paid together.' }),
  poolId: doc(z._default(z.nullable(idSchema), null), { description: 'The points pool that pays POINTS prizes (required when there are any).' }),
  activity: doc(z._default(z.nullable(activityName), null), { description: 'The pool activity POINTS prizes are paid from, e.g. `games`.' }),
  prizes: doc(z.array(prizeInputSchema).check(z.minLength(2, 'a draw has at least 2 prizes (one may be the consolation)'), z.maxLength(MAX_PRIZES, `a draw has at most ${MAX_PRIZES} prizes`)), { description: 'In the order the odds are published and the outcome is mapped (cumulative weights).' }),
  consolationPrizeId: doc(idSchema, {
    description: 'The prize given instead when the drawn one cannot be (out of stock, pool exhausted, coupon not issued): a NOTHING or POINTS prize with unlimited stock.',
  }),
}).check(z.superRefine((draw, ctx) => {
  if (Date.parse(draw.endsAt) <= Date.parse(draw.startsAt)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'endsAt must be after startsAt' });
  if (draw.maxSpinsPerDay < draw.freeSpinsPerDay) {
    ctx.addIssue({ code: 'custom', path: ['maxSpinsPerDay'], message: 'maxSpinsPerDay counts free and paid spins, so it cannot be below freeSpinsPerDay' });
  }
  checkPrizeTable(draw, ctx);
})), 'DrawInput');

/** The checks of a prize table on its own (at creation, and when an upcoming draw's prizes are replaced). */
function checkPrizeTable(
  table: {
    readonly prizes: readonly { readonly prizeId: string; readonly kind: (typeof prizeKinds)[number]; readonly stock: number | null }[];
    readonly consolationPrizeId: string;
    readonly poolId: string | null;
    readonly activity: string | null;
  },
  ctx: z.core.$RefinementCtx,
): void {
  const seen = new Set<string>();
  table.prizes.forEach((prize, i) => {
    if (seen.has(prize.prizeId)) ctx.addIssue({ code: 'custom', path: ['prizes', i, 'prizeId'], message: `prizeId ${prize.prizeId} appears twice` });
    seen.add(prize.prizeId);
  });
  const consolation = table.prizes.find((p) => p.prizeId === table.consolationPrizeId);
  if (!consolation) {
    ctx.addIssue({ code: 'custom', path: ['consolationPrizeId'], message: 'consolationPrizeId must be the prizeId of one of the prizes' });
  } else if (consolation.stock !== null || !(consolation.kind === 'NOTHING' || consolation.kind === 'POINTS')) {
    ctx.addIssue({ code: 'custom', path: ['consolationPrizeId'], message: 'the consolation must be a NOTHING or POINTS prize with unlimited stock (stock null)' });
  }
  const paysPoints = table.prizes.some((p) => p.kind === 'POINTS');
  if (paysPoints && table.poolId === null) ctx.addIssue({ code: 'custom', path: ['poolId'], message: 'POINTS prizes are paid from a pool: give poolId and activity' });
  if (paysPoints && table.activity === null) ctx.addIssue({ code: 'custom', path: ['activity'], message: 'POINTS prizes are paid from a pool activity: give activity (e.g. "games")' });
  if ((table.poolId === null) !== (table.activity === null)) {
    ctx.addIssue({ code: 'custom', path: [table.poolId === null ? 'poolId' : 'activity'], message: 'give poolId and activity together' });
  }
}


export const drawPrizeTableSchema = doc(z.strictObject({
  expectedVersion: z.number().check(z.int('expectedVersion must be a whole number'), z.gte(1, 'expectedVersion is the version you read (1 or more)'), z.lte(MAX_VERSION, MAX_VERSION_MESSAGE)),
  prizes: doc(z.array(prizeInputSchema).check(z.minLength(2, 'a draw has at least 2 prizes (one may be the consolation)'), z.maxLength(MAX_PRIZES, `a draw has at most ${MAX_PRIZES} prizes`)), { description: 'The whole prize table, in the order the odds are published (replaces the one stored).' }),
  consolationPrizeId: idSchema,
  poolId: doc(z._default(z.nullable(idSchema), null), { description: 'The points pool that pays POINTS prizes (required when there are any).' }),
  activity: z._default(z.nullable(activityName), null),
}).check(z.superRefine((table, ctx) => checkPrizeTable(table, ctx))), 'DrawPrizeTable');

/** Fields of a draw that never change: what the published odds, the committed seeds and every verification rest on. */
const FIXED_FIELDS = ['drawId', 'startsAt', 'freeSpinsPerDay', 'spinCostPoints', 'maxSpinsPerDay', 'poolId', 'activity', 'prizes', 'consolationPrizeId'];

export const drawPatchSchema = doc(z.strictObject(
  {
    expectedVersion: doc(z.number().check(z.int('expectedVersion must be a whole number'), z.gte(1, 'expectedVersion is the version you read (1 or more)'), z.lte(MAX_VERSION, MAX_VERSION_MESSAGE)), { description: 'The `version` you read; refused with 409 CONFLICT if the draw changed since.' }),
    status: doc(z.optional(z.enum(drawOperatorStatuses, { error: 'status must be ACTIVE, PAUSED or ENDED' })), { description: 'PAUSED stops spins at once in every instance; ACTIVE resumes; ENDED is final.' }),
    name: z.optional(z.string().check(z.trim(), z.minLength(3, 'give the draw a name of at least 3 characters'), z.maxLength(120))),
    description: z.optional(z.string().check(z.maxLength(2000))),
    endsAt: doc(z.optional(isoTime('endsAt')), { description: 'A new end, after startsAt and in the future; earlier or later. Seeds stay secret until their day has ended either way.' }),
    stockTopUps: doc(z.optional(z.array(
      doc(z.strictObject({
        prizeId: idSchema,
        add: doc(z.number().check(z.int('add must be a whole number of prizes'), z.gte(-10_000_000), z.lte(10_000_000), z.refine((n) => n !== 0, 'add must not be 0')), { description: 'Units added to the prize\'s stock; negative takes back units not yet awarded (never below what was awarded).' }),
      }), 'DrawStockTopUp'),
    ).check(z.minLength(1, 'give at least one top-up, or leave stockTopUps out'), z.maxLength(MAX_PRIZES))), { description: 'Changes of limited prizes\' stock (not of unlimited ones).' }),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `${issue.keys.join(', ')} cannot be changed: ${issue.keys.some((k) => FIXED_FIELDS.includes(k)) ? 'a draw\'s prizes, weights, window start, spin rules and pool are fixed at creation (the published odds and the committed seeds rest on them); create another draw (an upcoming draw\'s prizes and weights: PUT /v1/admin/draws/{drawId}/prizes)' : 'unknown field'}. A change takes expectedVersion, status, name, description, endsAt, stockTopUps`
        : undefined,
  },
).check(z.superRefine((patch, ctx) => {
  if (Object.keys(patch).length < 2) ctx.addIssue({ code: 'custom', path: [], message: 'change at least one of status, name, description, endsAt, stockTopUps' });
  const seen = new Set<string>();
  patch.stockTopUps?.forEach((topUp, i) => {
    if (seen.has(topUp.prizeId)) ctx.addIssue({ code: 'custom', path: ['stockTopUps', i, 'prizeId'], message: `prizeId ${topUp.prizeId} appears twice; give one top-up per prize` });
    seen.add(topUp.prizeId);
  });
})), 'DrawPatch');

const prizeViewFields = {
  prizeId: z.string(),
  name: z.string(),
  kind: z.enum(prizeKinds),
  points: doc(z.nullable(z.number().check(z.int())), { description: 'POINTS prizes: the points paid.' }),
  couponTemplateId: z.nullable(z.string()),
  productId: z.nullable(z.string()),
};

/** A prize as a spin awards it. */
export const awardedPrizeSchema = doc(z.object(prizeViewFields), 'DrawPrize');

const publishedPrizeSchema = doc(z.object({
  ...prizeViewFields,
  weight: z.number().check(z.int()),
  odds: doc(z.number(), { description: 'weight / totalWeight: the chance this prize is drawn.' }),
  limited: doc(z.boolean(), { description: 'Whether the prize has a limited stock.' }),
  outOfStock: doc(z.boolean(), { description: 'A limited prize with none left: drawing it gives the consolation.' }),
}), 'PublishedDrawPrize');

const drawSettings = {
  drawId: z.string(),
  name: z.string(),
  description: z.string(),
  status: z.enum(drawStatuses),
  startsAt: z.string(),
  endsAt: z.string(),
  freeSpinsPerDay: z.number().check(z.int()),
  spinCostPoints: z.number().check(z.int()),
  maxSpinsPerDay: z.number().check(z.int()),
  consolationPrizeId: z.string(),
  totalWeight: doc(z.number().check(z.int()), { description: 'Sum of the prize weights.' }),
};

export const drawSummarySchema = doc(z.object({ ...drawSettings }), 'DrawSummary');

const hashPublishedAt = doc(z.string(), { description: 'When the seed was stored: its hash could be read from then on.' });
const seedHashSchema = z.object({ day: z.string(), seedHash: doc(z.string(), { description: "SHA-256 of the day's seed, hex." }), hashPublishedAt });
const revealedSeedSchema = doc(z.object({
  day: z.string(),
  seed: doc(z.string(), { description: 'The 32-byte server seed, hex; revealed once its day has ended.' }),
  seedHash: z.string(),
  hashPublishedAt,
}), 'RevealedDrawSeed');

export const drawSchema = doc(z.object({
  ...drawSettings,
  prizes: z.array(publishedPrizeSchema),
  consolation: doc(z.string(), { description: 'The consolation rule, in words.' }),
  me: z.object({
    day: doc(z.string(), { description: 'Today, programme-local (Asia/Shanghai).' }),
    spinsToday: z.number().check(z.int()),
    freeSpinsLeft: z.number().check(z.int()),
    spinsLeft: doc(z.number().check(z.int()), { description: 'Free and paid spins left today.' }),
    nextSpinCostPoints: doc(z.nullable(z.number().check(z.int())), { description: 'What the next spin costs (0 while free); null: no spins left.' }),
  }),
  fairness: z.object({
    today: doc(z.nullable(seedHashSchema), { description: "Hash of today's seed, published before the day's spins; null when the draw takes no spins today." }),
    nextSpinNumber: doc(z.number().check(z.int()), { description: 'n of your next spin today.' }),
    procedure: doc(z.string(), { description: 'How a spin is computed from the seed (docs/draws.md; npm run verify-spin).' }),
    revealed: doc(z.array(revealedSeedSchema), { description: 'Seeds of the most recent ended days (all of them: GET /v1/draws/{drawId}/seeds).' }),
  }),
}), 'Draw');

const drawChangeSchema = doc(z.object({
  version: doc(z.number().check(z.int()), { description: 'The version this change made.' }),
  at: z.string(),
  by: doc(z.string(), { description: 'The operator (token subject).' }),
  changes: doc(z.record(z.string(), z.object({ from: z.string(), to: z.string() })), { description: 'Each field changed (status, name, description, endsAt), from and to.' }),
  stockTopUps: z.array(
    doc(z.object({ prizeId: z.string(), add: z.number().check(z.int()), stockBefore: z.number().check(z.int()), stockAfter: z.number().check(z.int()) }), 'DrawStockChange'),
  ),
}), 'DrawChange');

export const drawAdminSchema = doc(z.object({
  ...drawSettings,
  operatorStatus: doc(z.enum(drawOperatorStatuses), { description: 'What the operator set; `status` is what the draw is now.' }),
  version: doc(z.number().check(z.int()), { description: 'Send it as expectedVersion to change the draw.' }),
  poolId: z.nullable(z.string()),
  activity: z.nullable(z.string()),
  prizes: z.array(
    z.object({
      ...prizeViewFields,
      weight: z.number().check(z.int()),
      odds: z.number(),
      stock: doc(z.nullable(z.number().check(z.int())), { description: 'Stock in all: what the prize started with plus the top-ups (= awarded + stockLeft); null: unlimited.' }),
      stockAdded: doc(z.nullable(z.number().check(z.int())), { description: 'Units added by top-ups (net); null: unlimited.' }),
      stockLeft: z.nullable(z.number().check(z.int())),
      drawn: doc(z.number().check(z.int()), { description: 'Spins that drew this prize.' }),
      awarded: doc(z.number().check(z.int()), { description: 'Spins that got it (the consolation counts the fallbacks too).' }),
      fellBack: doc(z.number().check(z.int()), { description: 'Spins that drew it but got the consolation.' }),
    }),
  ),
  totals: z.object({
    spins: z.number().check(z.int()),
    paidSpins: z.number().check(z.int()),
    costPoints: doc(z.number().check(z.int()), { description: 'Points members paid for spins.' }),
    pointsAwarded: doc(z.number().check(z.int()), { description: 'Points paid out as POINTS prizes (from the pool).' }),
    fallbacks: z.number().check(z.int()),
  }),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  history: doc(z.array(drawChangeSchema), { description: `Operators' changes, newest first (the latest ${DRAW_HISTORY_SHOWN}); version 1 is the creation above.` }),
}), 'DrawAdmin');

export const spinSchema = doc(z.object({
  spinId: z.string(),
  drawId: z.string(),
  memberId: z.string(),
  day: doc(z.string(), { description: 'Programme-local day of the spin; its seed is revealed after this day.' }),
  n: doc(z.number().check(z.int()), { description: "The member's spin number that day (1, 2, 3 ...): part of the HMAC message." }),
  prize: doc(awardedPrizeSchema, { description: 'What the member got.' }),
  drawnPrizeId: doc(z.string(), { description: 'The prize the seed drew (what a verification re-computes).' }),
  fallbackReason: doc(z.nullable(z.enum(fallbackReasons)), { description: 'Why the consolation was given instead of the drawn prize; null: the drawn prize was given.' }),
  costPoints: doc(z.number().check(z.int()), { description: 'Points the spin cost (0: a free spin).' }),
  couponId: z.nullable(z.string()),
  orderId: doc(z.nullable(z.string()), { description: 'GOODS prizes: the order that delivers them.' }),
  seedHash: z.string(),
  entryIds: doc(z.array(z.string()), { description: 'Ledger entries of the spin (the cost paid, the points won).' }),
  freeSpinsLeft: z.number().check(z.int()),
  spinsLeft: z.number().check(z.int()),
  at: z.string(),
}), 'Spin');

export const drawAdminSummarySchema = doc(z.object({
  ...drawSettings,
  operatorStatus: doc(z.enum(drawOperatorStatuses), { description: 'What the operator set; `status` is what the draw is now.' }),
  version: z.number().check(z.int()),
  prizeCount: z.number().check(z.int()),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
}), 'DrawAdminSummary');

const drawSeedPageSchema = doc(z.object({
  drawId: z.string(),
  today: z.nullable(seedHashSchema),
  tomorrow: doc(z.nullable(seedHashSchema), { description: "Tomorrow's hash, once the daily job has made the seed." }),
  items: z.array(revealedSeedSchema),
  nextCursor: z.nullable(z.string()),
}), 'DrawSeedPage');

const drawParams = z.object({ drawId: idSchema });
const spinPageSchema = doc(pageOf(spinSchema), 'SpinPage');

export const drawOperations = {
  createDraw: operation({
    summary: 'Create a lucky draw: prizes with weights and stock, free spins, spin cost, daily cap (operator)',
    description:
      'The spin rules never change, and the prizes and their weights are fixed from a minute before the draw opens (PUT .../prizes replaces ' +
      'them until then): the published odds are a promise (an operator may pause, ' +
      'resume or end the draw, rename it, move its end and top up stock: PATCH). Prize stock, the pool activity, coupon templates ' +
      'and products are checked now (404 for one that does not exist, 400 for one that cannot serve as a prize).',
    tags: ['draws'],
    body: drawInputSchema,
    response: drawAdminSchema,
    status: 201,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  getDrawAdmin: operation({
    summary: 'A lucky draw with its stock left, and what was drawn and awarded per prize (operator)',
    tags: ['draws'],
    params: drawParams,
    response: drawAdminSchema,
    errors: ['NOT_FOUND'],
  }),
  updateDraw: operation({
    summary: 'Pause, resume or end a lucky draw, rename it, move its end, top up prize stock (operator)',
    description:
      'Optimistic: send the version you read (409 CONFLICT if it changed). PAUSED and ENDED stop spins at once in every function ' +
      'instance (each spin\'s transaction is conditional on the status); ENDED is final. Prizes, weights and the spin rules never change.',
    tags: ['draws'],
    params: drawParams,
    body: drawPatchSchema,
    response: drawAdminSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  listDraws: operation({
    summary: 'Lucky draws not yet ended, the soonest ending first',
    tags: ['draws'],
    query: pageQuerySchema,
    response: doc(pageOf(drawSummarySchema), 'DrawPage'),
  }),
  getDraw: operation({
    summary: "A lucky draw: prizes with their published odds, my spins left today, and the seed hashes and revealed seeds",
    description: "Publishes the hash of today's server seed before any of today's spins (creating the seed if the daily job has not).",
    tags: ['draws'],
    params: drawParams,
    response: drawSchema,
    errors: ['NOT_FOUND'],
  }),
  spinDraw: operation({
    summary: 'Spin: one transaction takes the spin (free, or its cost in points), the prize and its stock, and records the spin',
    description:
      'The outcome is HMAC-SHA256 of the day\'s server seed over `drawId:memberId:day:n` (docs/draws.md). A drawn prize that cannot be ' +
      'given (out of stock, pool exhausted, coupon not issued) gives the consolation instead, in the same spin.',
    tags: ['draws'],
    params: drawParams,
    response: spinSchema,
    status: 201,
    idempotency: 'required',
    errors: ['NO_SPINS_LEFT', 'INSUFFICIENT_POINTS', 'DRAW_CLOSED', 'BUDGET_EXHAUSTED', 'LIMIT_REACHED', 'NOT_FOUND', 'CONFLICT', 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED', 'THROTTLED'],
  }),
  listMyDrawSpins: operation({
    summary: 'My spins of a draw, newest first: the audit trail (drawn prize, awarded prize, why it fell back, cost, ledger entries)',
    tags: ['draws'],
    params: drawParams,
    query: pageQuerySchema,
    response: spinPageSchema,
    errors: ['NOT_FOUND'],
  }),
  listMemberSpins: operation({
    summary: "A member's spins of every draw (or of one), newest first (operator)",
    description:
      'With `drawId`, the same list as GET /v1/draws/{drawId}/spins answers the member (404 for an unknown draw); without it, the spins of every draw.',
    tags: ['admin'],
    params: memberIdParams,
    query: docExtend(pageQuerySchema, { drawId: doc(z.optional(idSchema), { description: 'Only the spins of this draw.' }) }),
    response: spinPageSchema,
    errors: ['NOT_FOUND'],
  }),
  listDrawSeeds: operation({
    summary: "A draw's revealed seeds (days that have ended), newest first, and the hashes of today's and tomorrow's seeds",
    tags: ['draws'],
    params: drawParams,
    query: pageQuerySchema,
    response: drawSeedPageSchema,
    errors: ['NOT_FOUND'],
  }),
  replaceDrawPrizes: operation({
    summary: "Replace an upcoming draw's prizes and odds, before it opens (operator)",
    description:
      'Only while nobody can have spun: until a minute before `startsAt` (409 CONFLICT after that, or once ended), optimistic on ' +
      '`expectedVersion`. The prize table is checked as at creation (pool activity, coupon templates, products); the stock items are ' +
      'rebuilt in the same transaction, with a change record and an audit record. Once the draw opens, its prizes and odds never change.',
    tags: ['draws'],
    params: drawParams,
    body: drawPrizeTableSchema,
    response: drawAdminSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  listDrawsAdmin: operation({
    summary: 'Every lucky draw, ended ones included, newest first, filterable by its status now (operator)',
    description:
      'Each draw with its settings, `status` now and `operatorStatus`; `?status=` keeps those in that status at the time of the call ' +
      '(filtered after reading: a page may come short, follow `nextCursor`). The stock, statistics and changes of one draw: GET /v1/admin/draws/{drawId}.',
    tags: ['draws'],
    query: docExtend(pageQuerySchema, { status: doc(z.optional(z.enum(drawStatuses)), { description: 'Only draws in this status now.' }) }),
    response: doc(pageOf(drawAdminSummarySchema), 'DrawAdminPage'),
  }),
  listDrawSeedsAdmin: operation({
    summary: "A draw's published seeds for operators: the hashes of today's and tomorrow's seeds and the revealed seeds of ended days, newest first (operator)",
    description: 'The same answer as GET /v1/draws/{drawId}/seeds gives members: a seed is revealed only after its day, to operators too.',
    tags: ['draws'],
    params: drawParams,
    query: pageQuerySchema,
    response: drawSeedPageSchema,
    errors: ['NOT_FOUND'],
  }),
};
