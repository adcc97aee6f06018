import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_STOCK_SHARDS } from '../../shared/contracts/mall.js';
import { chunkMoves, evenSplit, planMoves, TRANSACTION_ITEMS, type ShardMove } from '../../shared/mall/stock.js';

/** A deterministic pseudo-random sequence (the shards' units in each case). */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function applied(current: readonly number[], moves: readonly ShardMove[]): number[] {
  const units = [...current];
  for (const move of moves) {
    units[move.from] = (units[move.from] ?? 0) - move.units;
    units[move.to] = (units[move.to] ?? 0) + move.units;
  }
  return units;
}

describe('stock moves of a chunked rebalance or restock', () => {
  it.each([
    ['256 uneven shards evened out', 256, 256],
    ['256 shards onto 64 (the rest emptied)', 256, 64],
    ['64 shards onto 256 (the added ones filled)', 64, 256],
    ['1 shard onto 256', 1, 256],
    ['256 shards onto 1', 256, 1],
  ])('%s: every chunk is net zero on at most 100 shards, and together they reach the target', (_name, from, to) => {
    // Prepare: units left on the `from` shards as a sale leaves them (uneven), none on the others
    const random = sequence(from * 1000 + to);
    const count = Math.max(from, to);
    const current = Array.from({ length: count }, (_, shard) => (shard < from ? Math.floor(random() * 40) : 0));
    const total = current.reduce((a, b) => a + b, 0);
    const desired = [...evenSplit(total, to), ...new Array<number>(count - to).fill(0)];

    // Act
    const moves = planMoves(current, desired);
    const chunks = chunkMoves(moves);

    // Assess: each chunk conserves the units and fits a transaction; applied in order they give the target
    const units = [...current];
    for (const chunk of chunks) {
      expect(chunk.size).toBeLessThanOrEqual(TRANSACTION_ITEMS);
      expect([...chunk.values()].reduce((a, b) => a + b, 0)).toBe(0);
      for (const [shard, delta] of chunk) {
        units[shard] = (units[shard] ?? 0) + delta;
        // A source never gives more than it holds at that point (its condition would fail on a quiet shard).
        expect(units[shard]).toBeGreaterThanOrEqual(0);
      }
    }
    expect(units).toEqual(desired);
    expect(applied(current, moves)).toEqual(desired);
    // No shard both gives and takes: the moves are as few as the surplus and deficit shards allow.
    const takers = new Set(moves.map((m) => m.to));
    expect(moves.filter((m) => takers.has(m.from))).toEqual([]);
    expect(moves.length).toBeLessThan(count);
  });

  it('plans nothing for shards already even', () => {
    expect(planMoves([3, 3, 2], [3, 3, 2])).toEqual([]);
    expect(chunkMoves([])).toEqual([]);
  });

  it('refuses a target that would create or lose units', () => {
    expect(() => planMoves([3, 3], [3, 2])).toThrow(/same shards and units/);
    expect(() => planMoves([3, 3], [3, 3, 0])).toThrow(/same shards and units/);
  });

  it('keeps the console\'s shard ceiling equal to the API\'s', () => {
    // The console is built apart from the API (its own tsconfig): its copy of the constant is read as text.
    const consoleValues = readFileSync(new URL('../../console/src/screens/products/product-values.ts', import.meta.url), 'utf8');
    expect(MAX_STOCK_SHARDS).toBe(256);
    expect(consoleValues.match(/export const MAX_SHARDS = (\d+);/)?.[1]).toBe(String(MAX_STOCK_SHARDS));
  });
});
