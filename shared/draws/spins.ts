/**
 * Spins of lucky draws (docs/draws.md). A spin is ONE ledger `commit`: a
 * statistics shard (condition: its copy of the draw's status is ACTIVE and
 * of its end still ahead, so an operator's pause or end refuses the spin
 * whatever this function's cached copy says), the
 * member's day counter for the draw (condition: it still says n - 1), the
 * cost in points once the free spins are used (SPEND), the prize's stock
 * (condition: some left) when limited, the award (points from the draw's pool
 * activity, a coupon, an order for goods, or nothing), the spin record and the
 * idempotency record. The outcome comes from the day's
 * seed and n (shared/domain/draws.ts); when the drawn prize cannot be given,
 * the same spin (same n) commits the consolation instead and says why.
 */
import { randomInt } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { SPIN_PROCEDURE, addDays, drawStatusAt, isDrawDay, publishedOdds, spinAllowance, spinCost, spinOutcome, type DrawOperatorStatus, type DrawStatus } from '../domain/draws.js';
import { localDate } from '../domain/programme.js';
import { commitPoolAward, PoolShardShortError, type PoolAwardParts } from '../earning/pools.js';
import { ConcurrencyConflictError, DomainError, NotFoundError } from '../errors.js';
import { storedResponse, type IdempotencySpec } from '../ledger/idempotency.js';
import { commit, type CommitOutcome, type ExtraWrite, type LedgerEntry, type LedgerMove } from '../ledger/ledger.js';
import { getProduct } from '../mall/catalogue.js';
import { getCouponTemplate, issueCouponWrites, issueProblem, newCouponIds } from '../mall/coupons.js';
import { prizeOrderWrites } from '../mall/orders.js';
import { db, tableName } from '../table/client.js';
import { DRAW_STATS_SHARDS, keys } from '../table/keys.js';
import { queryPage, type PageRequest } from '../table/paging.js';
import {
  awardedPrizeView,
  consolationOf,
  consolationRule,
  forgetCachedDraw,
  getDraw,
  prizeStockLeft,
  statsAttribute,
  summaryOf,
  type DrawDefinition,
  type DrawPrize,
  type FallbackReason,
} from './draws.js';
import { ensureSeed, findSeed, publishedHash, recentRevealedSeeds, revealedSeeds } from './seeds.js';

export interface SpinRecord {
  readonly spinId: string;
  readonly drawId: string;
  readonly memberId: string;
  readonly day: string;
  readonly n: number;
  readonly prize: ReturnType<typeof awardedPrizeView>;
  readonly drawnPrizeId: string;
  readonly fallbackReason: FallbackReason | null;
  readonly costPoints: number;
  readonly couponId: string | null;
  readonly orderId: string | null;
  readonly seedHash: string;
  readonly entryIds: readonly string[];
  readonly freeSpinsLeft: number;
  readonly spinsLeft: number;
  readonly at: string;
}

/** Tries of one spin when the member's own concurrent spins keep taking its number. */
const MAX_SPIN_ATTEMPTS = 20;
/** Day counters are kept a few days past their day, then DynamoDB deletes them (the spin records stay). */
const DAY_COUNTER_TTL_SECONDS = 3 * 24 * 3600;
/** Revealed seeds shown with a draw (the rest: GET /v1/draws/{drawId}/seeds). */
const RECENT_SEEDS = 7;

/** Another spin of the member took number n first: re-read the counter and spin again. */
class SpinNumberTakenError extends Error {
  constructor() {
    super('a concurrent spin of the same member took this spin number');
  }
}

/** The drawn prize cannot be given: the spin commits the consolation instead. */
class PrizeUnavailableError extends Error {
  constructor(
    readonly reason: FallbackReason,
    /** What the member is told if even the consolation cannot be given. */
    readonly refusal: DomainError,
  ) {
    super(refusal.message);
  }
}

function fallbackReasonOf(error: DomainError): FallbackReason | undefined {
  if (error.code === 'BUDGET_EXHAUSTED' || error.code === 'LIMIT_REACHED' || error.code === 'OUT_OF_STOCK') return error.code;
  return undefined;
}

/** An award's conditional write whose failure means "give the consolation" rather than "refuse the spin". */
function prizeWrite(write: ExtraWrite, reason?: FallbackReason): ExtraWrite {
  return {
    item: write.item,
    onConditionFailed: (current) => {
      const original = write.onConditionFailed?.(current);
      // One counter shard of the pool is short: commitPoolAward tries another before the consolation is considered.
      if (original instanceof PoolShardShortError) return original;
      const refusal = original instanceof DomainError ? original : new DomainError('CONFLICT', 'the prize could not be given; spin again');
      return new PrizeUnavailableError(reason ?? fallbackReasonOf(refusal) ?? 'OUT_OF_STOCK', refusal);
    },
  };
}

/** Spins a member has made of a draw on a day. */
async function spinsOn(memberId: string, drawId: string, day: string): Promise<number> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.drawDay(memberId, drawId, day), ConsistentRead: true }));
  return Number(result.Item?.spins ?? 0);
}

interface SpinPlan {
  readonly draw: DrawDefinition;
  readonly memberId: string;
  readonly day: string;
  readonly n: number;
  readonly spinId: string;
  readonly costPoints: number;
  readonly drawn: DrawPrize;
  readonly seedHash: string;
  readonly idempotency: IdempotencySpec;
  readonly now: Date;
}

/** The day counter moves from n - 1 to n: two spins can never share a number, nor skip one. */
function counterWrite(plan: SpinPlan): ExtraWrite {
  const day = plan.day;
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.member.drawDay(plan.memberId, plan.draw.drawId, day),
        UpdateExpression:
          'SET spins = :n, entity = :entity, drawId = :drawId, #day = :day, lastSpinId = :spinId, #ttl = :ttl ADD paidSpins :paid, costPoints :cost',
        ConditionExpression: plan.n === 1 ? 'attribute_not_exists(spins)' : 'spins = :previous',
        ExpressionAttributeNames: { '#day': 'day', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':n': plan.n,
          ':entity': 'DrawDay',
          ':drawId': plan.draw.drawId,
          ':day': day,
          ':spinId': plan.spinId,
          ':ttl': Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + DAY_COUNTER_TTL_SECONDS,
          ':paid': plan.costPoints > 0 ? 1 : 0,
          ':cost': plan.costPoints,
          ...(plan.n === 1 ? {} : { ':previous': plan.n - 1 }),
        },
      },
    },
    onConditionFailed: () => new SpinNumberTakenError(),
  };
}

/** Free spins touch no wallet, so the member's registration is checked on the profile. */
function memberCheck(memberId: string): ExtraWrite {
  return {
    item: { ConditionCheck: { TableName: tableName(), Key: keys.member.profile(memberId), ConditionExpression: 'attribute_exists(PK)' } },
    onConditionFailed: () => new NotFoundError(`member ${memberId} is not registered; register first (POST /v1/me/register)`),
  };
}

function stockWrite(draw: DrawDefinition, prize: DrawPrize): ExtraWrite {
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.draw.prizeStock(draw.drawId, prize.prizeId),
        UpdateExpression: 'ADD #left :minusOne, awarded :one',
        ConditionExpression: '#left > :zero',
        ExpressionAttributeNames: { '#left': 'left' },
        ExpressionAttributeValues: { ':minusOne': -1, ':one': 1, ':zero': 0 },
      },
    },
    onConditionFailed: () =>
      new PrizeUnavailableError('OUT_OF_STOCK', new DomainError('OUT_OF_STOCK', `prize ${prize.prizeId} of draw ${draw.drawId} is out of stock`)),
  };
}

/** The refusal of a spin on a draw that is not open, saying why. */
function drawClosed(draw: { drawId: string; startsAt: string; endsAt: string; operatorStatus: DrawOperatorStatus }, status: DrawStatus): DomainError {
  const detail =
    status === 'UPCOMING'
      ? `draw ${draw.drawId} opens at ${draw.startsAt}`
      : status === 'PAUSED'
        ? `draw ${draw.drawId} is paused by an operator; spins resume when it is resumed`
        : draw.operatorStatus === 'ENDED'
          ? `draw ${draw.drawId} was ended by an operator`
          : `draw ${draw.drawId} ended at ${draw.endsAt}`;
  return new DomainError('DRAW_CLOSED', detail, { drawStatus: status, operatorStatus: draw.operatorStatus, startsAt: draw.startsAt, endsAt: draw.endsAt });
}

/**
 * Adds the spin to one statistics shard, chosen at random so concurrent spins
 * rarely meet on one item. The shard holds a copy of the draw's operator
 * status and end (written with every change of either, in the change's
 * transaction): the spin is conditional on it, so a pause or an end refuses
 * it even when this function's copy of the draw is older. Shards that never
 * saw a change have no copy: the draw is then as created, ACTIVE.
 */
function statsWrite(plan: SpinPlan, prize: DrawPrize, fallbackReason: FallbackReason | null): ExtraWrite {
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.draw.statsShard(plan.draw.drawId, randomInt(DRAW_STATS_SHARDS)),
        UpdateExpression:
          'ADD spins :one, paidSpins :paid, costPoints :cost, pointsAwarded :points, fallbacks :fallback, #drawn :one, #awarded :one SET entity = :entity, drawId = :drawId',
        ConditionExpression: '(attribute_not_exists(operatorStatus) OR operatorStatus = :active) AND (attribute_not_exists(endsAt) OR endsAt > :now)',
        ExpressionAttributeNames: { '#drawn': statsAttribute.drawn(plan.drawn.prizeId), '#awarded': statsAttribute.awarded(prize.prizeId) },
        ExpressionAttributeValues: {
          ':one': 1,
          ':paid': plan.costPoints > 0 ? 1 : 0,
          ':cost': plan.costPoints,
          ':points': prize.kind === 'POINTS' ? (prize.points ?? 0) : 0,
          ':fallback': fallbackReason === null ? 0 : 1,
          ':entity': 'DrawStats',
          ':drawId': plan.draw.drawId,
          ':active': 'ACTIVE',
          ':now': plan.now.toISOString(),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (shard) => {
      const stored = {
        ...plan.draw,
        operatorStatus: (shard?.operatorStatus as DrawOperatorStatus | undefined) ?? plan.draw.operatorStatus,
        endsAt: (shard?.endsAt as string | undefined) ?? plan.draw.endsAt,
      };
      return drawClosed(stored, drawStatusAt(stored, plan.now));
    },
  };
}

/** The award's part of the spin: ledger moves and writes, and the coupon or order it creates (`pool`: a POINTS prize's parts). */
async function awardParts(
  plan: SpinPlan,
  prize: DrawPrize,
  pool: PoolAwardParts | undefined,
): Promise<{ moves: LedgerMove[]; extra: ExtraWrite[]; couponId: string | null; orderId: string | null }> {
  const { draw, memberId, now } = plan;
  switch (prize.kind) {
    case 'POINTS': {
      if (!pool) throw new Error(`draw ${draw.drawId} pays points without a pool award`);
      return { moves: [pool.move], extra: pool.extra.map((w) => prizeWrite(w)), couponId: null, orderId: null };
    }
    case 'COUPON': {
      const template = await getCouponTemplate(prize.couponTemplateId as string);
      const problem = issueProblem(template, now);
      if (problem) throw new PrizeUnavailableError('COUPON_UNAVAILABLE', new DomainError('OUT_OF_STOCK', problem));
      const [couponId] = newCouponIds(1) as [string];
      // The coupon's orderId names what issued it: here the spin.
      const writes = issueCouponWrites(template, memberId, [couponId], plan.spinId, now).map((w) => prizeWrite(w, 'COUPON_UNAVAILABLE'));
      return { moves: [], extra: writes, couponId, orderId: null };
    }
    case 'GOODS': {
      const product = await getProduct(prize.productId as string);
      const order = prizeOrderWrites(product, { memberId, points: 0, source: { kind: 'DRAW', id: plan.spinId }, reason: `won in lucky draw ${draw.name}` }, now);
      return { moves: [], extra: order.writes, couponId: null, orderId: order.orderId };
    }
    case 'NOTHING':
      return { moves: [], extra: [], couponId: null, orderId: null };
  }
}

/**
 * Commits spin n with `prize` (the drawn one, or the consolation with the
 * reason it replaced the drawn one). A POINTS prize is paid from one counter
 * shard of the draw's pool (commitPoolAward tries the shards); only a pool
 * that cannot pay it at all (BUDGET_EXHAUSTED, LIMIT_REACHED) makes it a
 * PrizeUnavailableError.
 */
async function commitSpin(plan: SpinPlan, prize: DrawPrize, fallbackReason: FallbackReason | null): Promise<CommitOutcome> {
  if (prize.kind !== 'POINTS') return commitSpinWith(plan, prize, fallbackReason, undefined);
  const { draw } = plan;
  if (draw.poolId === null || draw.activity === null || prize.points === null) throw new Error(`draw ${draw.drawId} pays points without a pool activity`);
  const award = {
    poolId: draw.poolId,
    activity: draw.activity,
    memberId: plan.memberId,
    points: prize.points,
    reason: `lucky draw ${draw.name}: ${prize.name}`,
    ref: plan.spinId,
    now: plan.now,
  };
  try {
    return await commitPoolAward(award, (parts) => commitSpinWith(plan, prize, fallbackReason, parts));
  } catch (error) {
    // Refused by the pool as a whole (no shard can cover the points, or they can never fit): the same as a condition failing.
    if (error instanceof DomainError && (error.code === 'BUDGET_EXHAUSTED' || error.code === 'LIMIT_REACHED')) throw new PrizeUnavailableError(error.code, error);
    throw error;
  }
}

/** One commit of spin n with `prize` (`pool`: a POINTS prize's parts, from one counter shard). */
async function commitSpinWith(plan: SpinPlan, prize: DrawPrize, fallbackReason: FallbackReason | null, pool: PoolAwardParts | undefined): Promise<CommitOutcome> {
  const { draw, memberId, day, n } = plan;
  // The status first: a closed draw refuses the spin whatever else failed. Then the counter: when a concurrent
  // spin took n, that is the failure reported (the spin is re-drawn with n + 1).
  const extra: ExtraWrite[] = [statsWrite(plan, prize, fallbackReason), counterWrite(plan), memberCheck(memberId)];
  const moves: LedgerMove[] = [];
  if (plan.costPoints > 0) {
    moves.push({ memberId, type: 'SPEND', points: plan.costPoints, reason: `lucky draw ${draw.name}: spin ${n} of ${day}`, ref: plan.spinId });
  }
  if (prize.stock !== null) extra.push(stockWrite(draw, prize));
  const award = await awardParts(plan, prize, pool);
  moves.push(...award.moves);
  extra.push(...award.extra);
  const allowance = spinAllowance(draw, n);
  const record = (entries: readonly LedgerEntry[]): SpinRecord => ({
    spinId: plan.spinId,
    drawId: draw.drawId,
    memberId,
    day,
    n,
    prize: awardedPrizeView(prize),
    drawnPrizeId: plan.drawn.prizeId,
    fallbackReason,
    costPoints: plan.costPoints,
    couponId: award.couponId,
    orderId: award.orderId,
    seedHash: plan.seedHash,
    entryIds: entries.map((e) => e.id),
    freeSpinsLeft: allowance.freeSpinsLeft,
    spinsLeft: allowance.spinsLeft,
    at: plan.now.toISOString(),
  });
  return commit({
    moves,
    extra,
    extraOf: (entries) => [
      {
        item: {
          Put: {
            TableName: tableName(),
            Item: {
              ...keys.member.spin(memberId, draw.drawId, day, n),
              // The member's spins of every draw by time (operators: GET /v1/admin/members/{memberId}/spins).
              ...keys.member.spinEntry(memberId, plan.now.toISOString(), draw.drawId, day, n),
              entity: 'Spin',
              ...record(entries),
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        onConditionFailed: () => new SpinNumberTakenError(),
      },
    ],
    idempotency: plan.idempotency,
    response: (entries) => ({ status: 201, body: record(entries) }),
    now: plan.now,
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface SpinInput {
  readonly drawId: string;
  readonly memberId: string;
  readonly idempotency: IdempotencySpec;
  /** The time of the spin (tests); the day and its seed follow from it. */
  readonly now?: Date;
  /**
   * Called once before the spin's first write, after the replay and a closed draw are answered: the member's rate
   * count across instances (shared/http/member-rate-limit.ts).
   */
  readonly beforeWrite?: () => Promise<void>;
}

/**
 * Spins a draw for a member: the next spin number of the day, its outcome
 * from the day's seed, and one commit of everything it changes. Refuses with
 * DRAW_CLOSED outside the draw's window or while it is paused or ended (the
 * commit itself is conditional on the stored status), NO_SPINS_LEFT at the daily cap,
 * INSUFFICIENT_POINTS for a paid spin the member cannot pay; when the drawn
 * prize cannot be given the consolation is, and only when even that cannot
 * (a POINTS consolation whose pool is exhausted) is the spin refused (409
 * BUDGET_EXHAUSTED or LIMIT_REACHED), with nothing written.
 */
export async function spinDraw(input: SpinInput): Promise<CommitOutcome> {
  const now = input.now ?? new Date();
  // A retry of an accepted spin answers it, even once the spins of the day are used up.
  const stored = await storedResponse(input.idempotency);
  if (stored) return { replayed: true, response: stored };

  let draw = await getDraw(input.drawId);
  let status = drawStatusAt(draw, now);
  // A copy saying paused or ended may predate a resume or a later end: confirm on a fresh read before refusing.
  if (status === 'PAUSED' || status === 'ENDED') {
    draw = await getDraw(input.drawId, { fresh: true });
    status = drawStatusAt(draw, now);
  }
  if (status !== 'OPEN') throw drawClosed(draw, status);
  await input.beforeWrite?.();
  try {
    return await spinOpenDraw(draw, input, now);
  } catch (error) {
    // The stored status refused the spin: this function's copy is out of date.
    if (error instanceof DomainError && error.code === 'DRAW_CLOSED') forgetCachedDraw(draw.drawId);
    throw error;
  }
}

async function spinOpenDraw(draw: DrawDefinition, input: SpinInput, now: Date): Promise<CommitOutcome> {
  const day = localDate(now);
  const seed = await ensureSeed(draw.drawId, day, 'spin');
  const consolation = consolationOf(draw);

  for (let attempt = 1; attempt <= MAX_SPIN_ATTEMPTS; attempt += 1) {
    const spinsToday = await spinsOn(input.memberId, draw.drawId, day);
    const n = spinsToday + 1;
    if (n > draw.maxSpinsPerDay) {
      throw new DomainError('NO_SPINS_LEFT', `all ${draw.maxSpinsPerDay} spins of draw ${draw.drawId} are used today (${day}); spins start again tomorrow`, {
        maxSpinsPerDay: draw.maxSpinsPerDay,
        spinsToday,
        day,
      });
    }
    const outcome = spinOutcome(seed.seed, { drawId: draw.drawId, memberId: input.memberId, day, n }, draw.prizes);
    const plan: SpinPlan = {
      draw,
      memberId: input.memberId,
      day,
      n,
      spinId: `sp-${ulid().toLowerCase()}`,
      costPoints: spinCost(draw, n),
      drawn: draw.prizes[outcome.index] as DrawPrize,
      seedHash: seed.seedHash,
      idempotency: input.idempotency,
      now,
    };
    try {
      try {
        return await commitSpin(plan, plan.drawn, null);
      } catch (error) {
        if (!(error instanceof PrizeUnavailableError)) throw error;
        if (plan.drawn.prizeId === consolation.prizeId) throw error.refusal;
        try {
          return await commitSpin(plan, consolation, error.reason);
        } catch (second) {
          // Even the consolation cannot be given (a POINTS consolation's pool is exhausted): refuse, nothing written.
          if (second instanceof PrizeUnavailableError) throw second.refusal;
          throw second;
        }
      }
    } catch (error) {
      if (!(error instanceof SpinNumberTakenError)) throw error;
      // The member's own concurrent spin took n: re-read the counter (and spread the retries out a little).
      if (attempt > 2) await sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
    }
  }
  throw new ConcurrencyConflictError('your spin count of this draw');
}

/**
 * Today's seed, whose hash is published before the day's spins: made now if
 * neither the job nor a spin has made it, while the draw may still take
 * spins today. An ended draw makes none, but still shows the hash of the seed
 * its spins of today used (the seed itself stays secret until the day ends).
 */
function todaysSeed(draw: DrawDefinition, day: string, status: DrawStatus) {
  return status !== 'ENDED' && isDrawDay(draw, day) ? ensureSeed(draw.drawId, day, 'read') : findSeed(draw.drawId, day);
}

/** A draw as a member sees it: published odds, their spins left today, and the fairness data. */
export async function drawForMember(drawId: string, memberId: string, now = new Date()) {
  const draw = await getDraw(drawId);
  const day = localDate(now);
  const status = drawStatusAt(draw, now);
  const seedToday = todaysSeed(draw, day, status);
  const [spinsToday, stockLeft, today, revealed] = await Promise.all([
    spinsOn(memberId, draw.drawId, day),
    prizeStockLeft(draw),
    seedToday,
    recentRevealedSeeds(draw.drawId, day, RECENT_SEEDS),
  ]);
  const allowance = status === 'OPEN' ? spinAllowance(draw, spinsToday) : { freeSpinsLeft: 0, spinsLeft: 0, nextSpinCostPoints: null };
  return {
    ...summaryOf(draw, now),
    prizes: publishedOdds(draw.prizes).map((p) => ({
      ...awardedPrizeView(p),
      weight: p.weight,
      odds: p.odds,
      limited: p.stock !== null,
      outOfStock: p.stock !== null && (stockLeft.get(p.prizeId) ?? 0) <= 0,
    })),
    consolation: consolationRule(draw),
    me: { day, spinsToday, ...allowance },
    fairness: { today: publishedHash(today), nextSpinNumber: spinsToday + 1, procedure: SPIN_PROCEDURE, revealed },
  };
}

/** A draw's revealed seeds, newest first, with the hashes of today's and tomorrow's seeds. */
export async function drawSeeds(drawId: string, page: PageRequest, now = new Date()) {
  const draw = await getDraw(drawId);
  const day = localDate(now);
  const status = drawStatusAt(draw, now);
  const [today, tomorrow, revealed] = await Promise.all([
    todaysSeed(draw, day, status),
    findSeed(draw.drawId, addDays(day, 1)),
    revealedSeeds(draw.drawId, day, page),
  ]);
  return { drawId: draw.drawId, today: publishedHash(today), tomorrow: publishedHash(tomorrow), ...revealed };
}

/** A member's spins of a draw, newest first. */
export async function listMemberSpins(memberId: string, drawId: string, page: PageRequest) {
  await getDraw(drawId);
  const { PK } = keys.member.profile(memberId);
  const result = await queryPage(
    {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': PK, ':prefix': keys.member.spinPrefix(drawId) },
      ScanIndexForward: false,
    },
    page,
    { attribute: 'PK', value: PK },
  );
  return { items: result.items.map(spinFromItem), nextCursor: result.nextCursor };
}

/**
 * A member's spins of every draw, newest first (GSI1 `MEMBER-SPINS#<memberId>`), or of one draw
 * (`listMemberSpins`): for operators. Spins made before the index entry existed are listed once the
 * backfill (shared/members/backfill.ts) has given them theirs; the list of one draw has them all.
 */
export async function listMemberSpinsOfAllDraws(memberId: string, page: PageRequest) {
  const partition = keys.member.spinsPartition(memberId);
  const result = await queryPage(
    { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false },
    page,
    { attribute: 'GSI1PK', value: partition },
  );
  return { items: result.items.map(spinFromItem), nextCursor: result.nextCursor };
}

function spinFromItem(item: Record<string, unknown>): SpinRecord {
  const { PK: _pk, SK: _sk, GSI1PK: _gsiPk, GSI1SK: _gsiSk, entity: _entity, ...rest } = item;
  return rest as unknown as SpinRecord;
}
