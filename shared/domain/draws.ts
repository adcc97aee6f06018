/**
 * Lucky draws: published odds and provably fair spins (docs/draws.md). Pure:
 * no clock, no randomness of its own, no AWS. The server seed is made
 * elsewhere (node:crypto randomBytes); given the seed, a spin's outcome is a
 * function of the draw, the member, the day and the member's spin number that
 * day, so anyone holding the revealed seed can re-compute it.
 *
 * The procedure, step by step:
 *  1. message = `${drawId}:${memberId}:${day}:${n}` (UTF-8), day = programme-local `YYYY-MM-DD`, n = 1, 2, 3 ...
 *  2. block 0 = HMAC-SHA256(key = the seed's 32 bytes, message); block k >= 1 (rarely needed) = HMAC-SHA256(seed, `${message}:${k}`).
 *  3. Each block is read as eight unsigned 32-bit big-endian words, block 0 first.
 *  4. W = the sum of the prize weights; limit = floor(2^32 / W) * W. The first word below `limit`
 *     is kept and r = word mod W (the words at or above `limit` are rejected, so r is uniform in [0, W)).
 *  5. The prize is the first one, in the published order, whose cumulative weight exceeds r.
 */
import { createHash, createHmac } from 'node:crypto';
import { localDate } from './programme.js';

/** The procedure in one paragraph, as GET /v1/draws/{drawId} publishes it. */
export const SPIN_PROCEDURE =
  'message = "<drawId>:<memberId>:<day>:<n>" (n = your spin number that day, from 1); ' +
  'block k = HMAC-SHA256(key = the day\'s 32-byte seed, message for k = 0, "<message>:<k>" after); ' +
  'read the blocks as unsigned 32-bit big-endian words; W = sum of the weights; keep the first word below floor(2^32 / W) * W; ' +
  'r = word mod W; the prize is the first, in the published order, whose cumulative weight exceeds r. ' +
  'The seed is revealed after its day; SHA-256 of it is the hash published before. Re-compute with npm run verify-spin (docs/draws.md).';

/** Bytes of a server seed. */
export const SEED_BYTES = 32;
/** A seed as stored and revealed: 64 lower-case hex characters. */
export const SEED_PATTERN = /^[0-9a-f]{64}$/;
/** One word is 32 bits, so a weight total up to 2^32 can be drawn without bias. */
const WORD_RANGE = 2 ** 32;
const WORDS_PER_BLOCK = 8;
/** Largest sum of weights a draw may have (the word range). */
export const MAX_TOTAL_WEIGHT = WORD_RANGE;
/**
 * Words tried before giving up. Each word is rejected with probability below
 * 1/2, so reaching this is a 2^-1024 event: it means a broken input, not bad luck.
 */
const MAX_WORDS = 1024;

export interface WeightedPrize {
  readonly prizeId: string;
  /** Positive integer; the prize's chance is weight / sum of weights. */
  readonly weight: number;
}

export interface SpinCoordinates {
  readonly drawId: string;
  readonly memberId: string;
  /** Programme-local day, `YYYY-MM-DD`. */
  readonly day: string;
  /** The member's spin number that day, from 1. */
  readonly n: number;
}

export interface SpinOutcome {
  readonly prizeId: string;
  /** Index of the prize in the published order. */
  readonly index: number;
  /** r: the uniform number in [0, totalWeight) the prize was read from. */
  readonly value: number;
  readonly totalWeight: number;
  readonly message: string;
  /** Block 0, hex: HMAC-SHA256(seed, message). */
  readonly hmac: string;
  /** Words read (rejected ones included), 1 unless a word was rejected. */
  readonly wordsUsed: number;
}

/** SHA-256 of the seed's bytes, hex: what is published before the seed's day. */
export function seedHash(seedHex: string): string {
  return createHash('sha256').update(seedBytes(seedHex)).digest('hex');
}

function seedBytes(seedHex: string): Buffer {
  if (!SEED_PATTERN.test(seedHex)) throw new Error(`a seed is ${SEED_BYTES} bytes as 64 lower-case hex characters`);
  return Buffer.from(seedHex, 'hex');
}

/** The HMAC message of a spin (step 1). */
export function spinMessage(spin: SpinCoordinates): string {
  if (!Number.isSafeInteger(spin.n) || spin.n < 1) throw new Error(`the spin number n counts from 1, got ${spin.n}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(spin.day)) throw new Error(`day is a programme-local date YYYY-MM-DD, got ${spin.day}`);
  return `${spin.drawId}:${spin.memberId}:${spin.day}:${spin.n}`;
}

/** Block k of a spin's random stream (step 2). */
export function spinBlock(seedHex: string, message: string, k: number): Buffer {
  return createHmac('sha256', seedBytes(seedHex))
    .update(k === 0 ? message : `${message}:${k}`, 'utf8')
    .digest();
}

/** The 32-bit words of a spin's random stream, block after block (step 3). */
export function* spinWords(seedHex: string, message: string): Generator<number, never> {
  for (let k = 0; ; k += 1) {
    const block = spinBlock(seedHex, message, k);
    for (let i = 0; i < WORDS_PER_BLOCK; i += 1) yield block.readUInt32BE(i * 4);
  }
}

/**
 * A number uniform in [0, bound) from 32-bit words by rejection sampling
 * (step 4): words at or above the largest multiple of `bound` that fits in
 * 2^32 are skipped, so every remainder is equally likely (a plain modulo would
 * favour the small remainders whenever 2^32 is not a multiple of `bound`).
 */
export function uniformBelow(words: Iterator<number>, bound: number): { value: number; wordsUsed: number } {
  if (!Number.isSafeInteger(bound) || bound < 1 || bound > WORD_RANGE) throw new Error(`bound must be an integer in [1, 2^32], got ${bound}`);
  const limit = Math.floor(WORD_RANGE / bound) * bound;
  for (let used = 1; used <= MAX_WORDS; used += 1) {
    const next = words.next();
    if (next.done) throw new Error('the word stream ended before a word was accepted');
    const word = next.value;
    if (!Number.isInteger(word) || word < 0 || word >= WORD_RANGE) throw new Error(`words are unsigned 32-bit integers, got ${word}`);
    if (word < limit) return { value: word % bound, wordsUsed: used };
  }
  throw new Error(`no word accepted in ${MAX_WORDS} tries`);
}

/** Sum of the weights, checked: positive integers whose total a 32-bit word can cover. */
export function totalWeight(prizes: readonly WeightedPrize[]): number {
  if (prizes.length === 0) throw new Error('a draw needs at least one prize');
  let total = 0;
  for (const prize of prizes) {
    if (!Number.isSafeInteger(prize.weight) || prize.weight < 1) throw new Error(`prize ${prize.prizeId} needs a positive integer weight, got ${prize.weight}`);
    total += prize.weight;
  }
  if (total > MAX_TOTAL_WEIGHT) throw new Error(`the weights sum to ${total}; at most 2^32`);
  return total;
}

/** The prize index for r in [0, W): the first prize whose cumulative weight exceeds r (step 5). */
export function prizeIndexAt(value: number, prizes: readonly WeightedPrize[]): number {
  const total = totalWeight(prizes);
  if (!Number.isSafeInteger(value) || value < 0 || value >= total) throw new Error(`r must be an integer in [0, ${total}), got ${value}`);
  let cumulative = 0;
  for (const [index, prize] of prizes.entries()) {
    cumulative += prize.weight;
    if (value < cumulative) return index;
  }
  // Unreachable: value < total = the last cumulative weight.
  throw new Error('value beyond the cumulative weights');
}

/** The chance of each prize, in the published order: weight / sum of weights. */
export function publishedOdds<P extends WeightedPrize>(prizes: readonly P[]): (P & { readonly odds: number })[] {
  const total = totalWeight(prizes);
  return prizes.map((prize) => ({ ...prize, odds: prize.weight / total }));
}

/** The outcome of one spin, from the day's seed (steps 1-5). */
export function spinOutcome(seedHex: string, spin: SpinCoordinates, prizes: readonly WeightedPrize[]): SpinOutcome {
  const total = totalWeight(prizes);
  const message = spinMessage(spin);
  const { value, wordsUsed } = uniformBelow(spinWords(seedHex, message), total);
  const index = prizeIndexAt(value, prizes);
  return {
    prizeId: (prizes[index] as WeightedPrize).prizeId,
    index,
    value,
    totalWeight: total,
    message,
    hmac: spinBlock(seedHex, message, 0).toString('hex'),
    wordsUsed,
  };
}

export interface SpinCheck {
  /** Whether SHA-256 of the revealed seed is the hash published before the day. */
  readonly seedMatchesHash: boolean;
  readonly seedHash: string;
  readonly outcome: SpinOutcome;
  /** Whether the re-computed prize is the one the spin record says was drawn. */
  readonly drawnPrizeMatches: boolean;
}

/**
 * What a member checks once a day's seed is revealed: the seed hashes to the
 * hash published before, and the spin re-computed from it draws the prize the
 * spin record says (the awarded prize may be the consolation when the drawn one
 * was out of stock; the record says why).
 */
export function checkSpin(input: {
  readonly seed: string;
  readonly publishedSeedHash: string;
  readonly spin: SpinCoordinates;
  readonly prizes: readonly WeightedPrize[];
  readonly drawnPrizeId: string;
}): SpinCheck {
  const hash = seedHash(input.seed);
  const outcome = spinOutcome(input.seed, input.spin, input.prizes);
  return {
    seedMatchesHash: hash === input.publishedSeedHash.toLowerCase(),
    seedHash: hash,
    outcome,
    drawnPrizeMatches: outcome.prizeId === input.drawnPrizeId,
  };
}

/** Spins left for a member who has spun `spinsToday` times: free ones, all, and what the next costs. */
export function spinAllowance(
  draw: { readonly freeSpinsPerDay: number; readonly maxSpinsPerDay: number; readonly spinCostPoints: number },
  spinsToday: number,
): { freeSpinsLeft: number; spinsLeft: number; nextSpinCostPoints: number | null } {
  const spinsLeft = Math.max(0, draw.maxSpinsPerDay - spinsToday);
  const freeSpinsLeft = Math.min(spinsLeft, Math.max(0, draw.freeSpinsPerDay - spinsToday));
  return { freeSpinsLeft, spinsLeft, nextSpinCostPoints: spinsLeft === 0 ? null : spinCost(draw, spinsToday + 1) };
}

/** What spin number n of a day costs: nothing while free spins last, then the draw's price. */
export function spinCost(draw: { readonly freeSpinsPerDay: number; readonly spinCostPoints: number }, n: number): number {
  return n > draw.freeSpinsPerDay ? draw.spinCostPoints : 0;
}

/** The calendar day `days` after `day` (both `YYYY-MM-DD`), by the calendar, not by 24-hour steps. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** What an operator sets: ACTIVE (spins run in the window), PAUSED (spins refused until resumed), ENDED (final). */
export type DrawOperatorStatus = 'ACTIVE' | 'PAUSED' | 'ENDED';
/** What a draw is at an instant, as every view shows it. */
export type DrawStatus = 'UPCOMING' | 'OPEN' | 'PAUSED' | 'ENDED';

interface DrawWindow {
  readonly startsAt: string;
  readonly endsAt: string;
  /** Absent: ACTIVE (draws stored before operators could change them). */
  readonly operatorStatus?: DrawOperatorStatus;
}

/**
 * The status of a draw at `now`: ENDED once the operator ended it or from
 * `endsAt`; PAUSED while the operator has paused it (even before it starts,
 * so members see it will not open); otherwise UPCOMING before `startsAt` and
 * OPEN in [startsAt, endsAt). Spins are taken only while OPEN.
 */
export function drawStatusAt(draw: DrawWindow, now: Date): DrawStatus {
  if (draw.operatorStatus === 'ENDED' || now.getTime() >= Date.parse(draw.endsAt)) return 'ENDED';
  if (draw.operatorStatus === 'PAUSED') return 'PAUSED';
  return now.getTime() < Date.parse(draw.startsAt) ? 'UPCOMING' : 'OPEN';
}

/** Whether spins can happen on a programme-local day: the draw's window overlaps it (so the day needs a seed). */
export function isDrawDay(draw: { readonly startsAt: string; readonly endsAt: string }, day: string): boolean {
  return localDate(new Date(draw.startsAt)) <= day && day <= localDate(new Date(Date.parse(draw.endsAt) - 1));
}

/** The days whose seeds are made ahead of their spins: today and tomorrow, those the draw's window covers. */
export function seedDaysAhead(draw: { readonly startsAt: string; readonly endsAt: string }, today: string): string[] {
  return [today, addDays(today, 1)].filter((day) => isDrawDay(draw, day));
}

/** Why an operator's change cannot be made; `conflict`: the draw's state forbids it (409), `invalid`: the request (400). */
export type DrawChangeRefusal = { readonly kind: 'conflict' | 'invalid'; readonly message: string };

/**
 * Checks an operator's change of a draw's status or end against the draw as
 * it is at `now`. An ended draw (ENDED by an operator, or past its
 * `endsAt`) is final: nothing changes any more. A new `endsAt` must be after
 * `startsAt` and in the future (to end a draw now, set status ENDED); it may
 * move either way, because seeds are made per day and revealed only after
 * their day, whatever the draw's end.
 */
export function drawChangeRefusal(
  draw: DrawWindow & { readonly drawId: string },
  change: { readonly status?: DrawOperatorStatus | undefined; readonly endsAt?: string | undefined },
  now: Date,
): DrawChangeRefusal | undefined {
  if (draw.operatorStatus === 'ENDED') return { kind: 'conflict', message: `draw ${draw.drawId} was ended by an operator; an ended draw is final (create another)` };
  if (now.getTime() >= Date.parse(draw.endsAt)) return { kind: 'conflict', message: `draw ${draw.drawId} ended at ${draw.endsAt}; an ended draw is final (create another)` };
  if (change.endsAt !== undefined) {
    const endsAt = Date.parse(change.endsAt);
    if (endsAt <= Date.parse(draw.startsAt)) return { kind: 'invalid', message: `body.endsAt: endsAt must be after the draw's startsAt ${draw.startsAt}` };
    if (endsAt <= now.getTime()) return { kind: 'invalid', message: 'body.endsAt: endsAt must be in the future; to end the draw now, set status ENDED' };
  }
  return undefined;
}
