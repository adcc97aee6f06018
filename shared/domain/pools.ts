/**
 * Points pools: a budget for activity points (sign-in, sharing, tasks, games)
 * split across activities by weight. Pure.
 */
import { emptyRecord } from './own-keys.js';

export interface PoolActivityInput {
  /** Activity name, e.g. `sign-in`, `share`, `games`. */
  readonly activity: string;
  /** Relative weight (e.g. 50, 30, 20 for 50% / 30% / 20%). */
  readonly weight: number;
  /** Points one member may get from this activity per programme-local day (null = no cap). */
  readonly dailyCapPerMember?: number | null | undefined;
}

export interface PoolActivityShare {
  readonly activity: string;
  readonly weight: number;
  /** The activity's share of the budget in points. */
  readonly sharePoints: number;
  readonly dailyCapPerMember: number | null;
}

/**
 * Splits `budget` over the activities in proportion to their weights, in
 * whole points, by the largest-remainder method: each activity gets the floor
 * of its exact share, and the points left by rounding go one each to the
 * activities with the largest remainders (ties: the earlier activity). The
 * shares always sum to the budget exactly.
 */
export function activityShares(budget: number, activities: readonly PoolActivityInput[]): PoolActivityShare[] {
  if (!Number.isSafeInteger(budget) || budget < 0) throw new Error(`budget must be a non-negative integer, got ${budget}`);
  if (activities.length === 0) throw new Error('a pool needs at least one activity');
  const total = activities.reduce((sum, a) => sum + a.weight, 0);
  if (!activities.every((a) => Number.isSafeInteger(a.weight) && a.weight > 0)) throw new Error('weights must be positive integers');
  // Exact integer arithmetic: share = budget * weight / total, remainder in units of 1/total.
  const exact = activities.map((a, index) => {
    const numerator = BigInt(budget) * BigInt(a.weight);
    return { index, floor: Number(numerator / BigInt(total)), remainder: Number(numerator % BigInt(total)) };
  });
  let left = budget - exact.reduce((sum, e) => sum + e.floor, 0);
  const extra = new Array<number>(activities.length).fill(0);
  for (const e of [...exact].sort((a, b) => b.remainder - a.remainder || a.index - b.index)) {
    if (left === 0) break;
    extra[e.index] = 1;
    left -= 1;
  }
  return activities.map((a, i) => ({
    activity: a.activity,
    weight: a.weight,
    sharePoints: (exact[i]?.floor ?? 0) + (extra[i] ?? 0),
    dailyCapPerMember: a.dailyCapPerMember ?? null,
  }));
}

/** One counter shard's slice of a pool: of the budget and of each activity's share. */
export interface PoolShardSlice {
  readonly budgetPoints: number;
  /** Activity name -> the shard's slice of that activity's share. */
  readonly shares: Readonly<Record<string, number>>;
}

/**
 * Splits a pool's activity shares over `shards` counter shards, in whole
 * points: each activity's share by the largest-remainder method over equal
 * weights (every shard gets the floor, the points left go one each to
 * consecutive shards), the run of extra points continuing where the previous
 * activity's stopped so no shard collects every activity's extra point. A
 * shard's budget slice is the sum of its activity slices. So every
 * activity's slices sum to its share, the budget slices sum to the budget
 * (the shares do), and budget slices differ by at most one point.
 */
export function shardSlices(shares: readonly PoolActivityShare[], shards: number): PoolShardSlice[] {
  if (!Number.isSafeInteger(shards) || shards < 1) throw new Error(`a pool needs at least one counter shard, got ${shards}`);
  // No prototype on shares: activity names are the operator's (`constructor` is a valid one), and a lookup of an
  // activity a slice lacks must read undefined, not an Object.prototype member.
  const slices = Array.from({ length: shards }, () => ({ budgetPoints: 0, shares: emptyRecord<number>() }));
  let next = 0;
  for (const a of shares) {
    const floor = Math.floor(a.sharePoints / shards);
    const extra = a.sharePoints - floor * shards;
    slices.forEach((slice) => {
      slice.shares[a.activity] = floor;
    });
    for (let i = 0; i < extra; i += 1) {
      const slice = slices[(next + i) % shards] as { budgetPoints: number; shares: Record<string, number> };
      slice.shares[a.activity] = floor + 1;
    }
    next = (next + extra) % shards;
  }
  for (const slice of slices) slice.budgetPoints = Object.values(slice.shares).reduce((sum, points) => sum + points, 0);
  return slices;
}
