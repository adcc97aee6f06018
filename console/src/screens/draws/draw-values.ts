import type { Dayjs } from 'dayjs';
import type { components } from '../../api/schema';
import { fromProgrammeInput, programmeTime } from '../../format';

export type DrawAdmin = components['schemas']['DrawAdmin'];
export type DrawSummary = components['schemas']['DrawAdminSummary'];
export type DrawInput = components['schemas']['DrawInput'];
export type DrawStatus = DrawSummary['status'];
export type PrizeKind = DrawAdmin['prizes'][number]['kind'];

export const DRAW_STATUSES: readonly DrawStatus[] = ['OPEN', 'UPCOMING', 'PAUSED', 'ENDED'];
export const PRIZE_KINDS: readonly PrizeKind[] = ['POINTS', 'COUPON', 'GOODS', 'NOTHING'];

/**
 * Odds are edited as percentages with two decimals; the API takes integer weights, so a percentage is sent as
 * hundredths of a percent (12.5 % → weight 1250) and the weights of a valid form add up to 10,000.
 */
export const PERCENT_SCALE = 100;
export const FULL_WEIGHT = 100 * PERCENT_SCALE;

export interface PrizeFormValues {
  prizeId?: string;
  name?: string;
  kind?: PrizeKind;
  points?: number | null;
  couponTemplateId?: string;
  productId?: string;
  /** Percentage, up to two decimals. */
  percent?: number | null;
  /** Empty: unlimited. */
  stock?: number | null;
}

export interface DrawFormValues {
  drawId?: string;
  name: string;
  description?: string;
  startsAt?: Dayjs | null;
  endsAt?: Dayjs | null;
  freeSpinsPerDay: number;
  spinCostPoints: number;
  maxSpinsPerDay: number;
  poolId?: string;
  activity?: string;
  prizes: PrizeFormValues[];
  consolationPrizeId?: string;
}

/** A percentage as the weight the API takes (hundredths of a percent). */
export function weightOfPercent(percent: number): number {
  return Math.round(percent * PERCENT_SCALE);
}

/** The sum of the prizes' percentages, exact to the hundredth (as the weights they become). */
export function totalPercent(prizes: readonly (PrizeFormValues | undefined)[]): number {
  return prizes.reduce((sum, p) => sum + weightOfPercent(p?.percent ?? 0), 0) / PERCENT_SCALE;
}

/** Whether the percentages add up to exactly 100 %. */
export function oddsComplete(prizes: readonly (PrizeFormValues | undefined)[]): boolean {
  return prizes.reduce((sum, p) => sum + weightOfPercent(p?.percent ?? 0), 0) === FULL_WEIGHT;
}

/**
 * Weights as percentages with two decimals that add up to exactly 100: each rounded down, the hundredths left over
 * given to the largest remainders (so 1:1:1 shows as 33.34, 33.33, 33.33).
 */
export function percentsOfWeights(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (w * FULL_WEIGHT) / total);
  const floors = exact.map(Math.floor);
  let left = FULL_WEIGHT - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, rest: e - Math.floor(e) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    left -= 1;
  }
  return floors.map((f) => f / PERCENT_SCALE);
}

/**
 * What one spin pays out in points on average: the POINTS prizes' points weighted by their odds (a limited prize
 * out of stock gives the consolation instead, so this is the figure while stock lasts). Coupons and goods cost the
 * programme something else and are not counted.
 */
export function expectedPointsPerSpin(prizes: readonly (PrizeFormValues | undefined)[]): number {
  const total = prizes.reduce((sum, p) => sum + weightOfPercent(p?.percent ?? 0), 0);
  if (total === 0) return 0;
  return prizes.reduce((sum, p) => (p?.kind === 'POINTS' ? sum + (weightOfPercent(p.percent ?? 0) / total) * (p.points ?? 0) : sum), 0);
}

/** The same from a draw as stored (its weights). */
export function expectedPointsOfDraw(draw: Pick<DrawAdmin, 'prizes' | 'totalWeight'>): number {
  return draw.prizes.reduce((sum, p) => (p.kind === 'POINTS' && p.points !== null ? sum + (p.weight / draw.totalWeight) * p.points : sum), 0);
}

/** A new draw's starting values: from the next hour for a week, 3 free spins then 10 points, two prizes. */
export function newDrawValues(now: Dayjs = programmeTime(new Date().toISOString())): DrawFormValues {
  const start = now.add(1, 'hour').startOf('hour');
  return {
    name: '',
    description: '',
    startsAt: start,
    endsAt: start.add(7, 'day'),
    freeSpinsPerDay: 3,
    spinCostPoints: 10,
    maxSpinsPerDay: 10,
    poolId: 'pool-demo',
    activity: 'games',
    prizes: [
      { prizeId: 'p10', name: '10 points', kind: 'POINTS', points: 10, percent: 20, stock: null },
      { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', percent: 80, stock: null },
    ],
    consolationPrizeId: 'thanks',
  };
}

/**
 * A draw's values for the dialog: the same prizes with their odds as percentages and the same spin rules; for a new
 * draw copied from it, a new window from the next hour as long as the original's (an open draw's wheel never
 * changes: to change its odds, an operator creates the next draw from it and ends it); `sameWindow` for editing an
 * upcoming draw's own prizes.
 */
export function valuesFromDraw(draw: DrawAdmin, now: Dayjs = programmeTime(new Date().toISOString()), sameWindow = false): DrawFormValues {
  const percents = percentsOfWeights(draw.prizes.map((p) => p.weight));
  const start = now.add(1, 'hour').startOf('hour');
  const length = Math.max(3_600_000, Date.parse(draw.endsAt) - Date.parse(draw.startsAt));
  return {
    name: draw.name,
    description: draw.description,
    startsAt: sameWindow ? programmeTime(draw.startsAt) : start,
    endsAt: sameWindow ? programmeTime(draw.endsAt) : start.add(length, 'millisecond'),
    freeSpinsPerDay: draw.freeSpinsPerDay,
    spinCostPoints: draw.spinCostPoints,
    maxSpinsPerDay: draw.maxSpinsPerDay,
    poolId: draw.poolId ?? '',
    activity: draw.activity ?? '',
    prizes: draw.prizes.map((p, i) => ({
      prizeId: p.prizeId,
      name: p.name,
      kind: p.kind,
      points: p.points,
      couponTemplateId: p.couponTemplateId ?? '',
      productId: p.productId ?? '',
      percent: percents[i] ?? 0,
      stock: p.stock,
    })),
    consolationPrizeId: draw.consolationPrizeId,
  };
}

/** The API's body for the form's values (call only when the odds add up to 100 %). */
export function drawInputOf(values: DrawFormValues): DrawInput {
  const poolId = values.poolId?.trim() ? values.poolId.trim() : null;
  const activity = values.activity?.trim() ? values.activity.trim() : null;
  const prizes = values.prizes.map((p): DrawInput['prizes'][number] => {
    const common = { prizeId: (p.prizeId ?? '').trim(), name: (p.name ?? '').trim(), weight: weightOfPercent(p.percent ?? 0), stock: p.stock ?? null };
    switch (p.kind) {
      case 'POINTS':
        return { ...common, kind: 'POINTS', points: p.points ?? 0 };
      case 'COUPON':
        return { ...common, kind: 'COUPON', couponTemplateId: (p.couponTemplateId ?? '').trim() };
      case 'GOODS':
        return { ...common, kind: 'GOODS', productId: (p.productId ?? '').trim() };
      default:
        return { ...common, kind: 'NOTHING' };
    }
  });
  return {
    ...(values.drawId?.trim() ? { drawId: values.drawId.trim() } : {}),
    name: values.name.trim(),
    description: values.description?.trim() ?? '',
    startsAt: values.startsAt ? fromProgrammeInput(values.startsAt) : '',
    endsAt: values.endsAt ? fromProgrammeInput(values.endsAt) : '',
    freeSpinsPerDay: values.freeSpinsPerDay,
    spinCostPoints: values.spinCostPoints,
    maxSpinsPerDay: values.maxSpinsPerDay,
    poolId,
    activity,
    prizes,
    consolationPrizeId: values.consolationPrizeId ?? '',
  };
}

/** A prize's share of the spins so far (0 without spins). */
export function drawnShare(drawn: number, spins: number): number {
  return spins > 0 ? drawn / spins : 0;
}
