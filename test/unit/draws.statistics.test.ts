import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { spinOutcome } from '../../shared/domain/draws.js';

/**
 * A goodness-of-fit test of the draw: 100,000 spins through the same pure
 * function the service uses (no DynamoDB), with fresh random seeds and
 * members, against the published weights.
 *
 * Pearson's chi-square with k = 6 prizes has k - 1 = 5 degrees of freedom;
 * the critical value at p = 0.001 is 20.515 (chi-square table, upper 0.1%).
 * A fair draw stays under it in 999 runs of 1,000, so this test fails by
 * chance about once in a thousand runs; a real bias of the size checked
 * below fails it every time.
 */
const SPINS = 100_000;
const DEGREES_OF_FREEDOM = 5;
const CRITICAL_VALUE_P001_DF5 = 20.515;

const prizes = [
  { prizeId: 'points-100', weight: 2 },
  { prizeId: 'points-20', weight: 10 },
  { prizeId: 'points-5', weight: 25 },
  { prizeId: 'coffee-coupon', weight: 8 },
  { prizeId: 'tea-set', weight: 1 },
  { prizeId: 'thanks', weight: 54 },
];

/** Pearson's statistic: sum over prizes of (observed - expected)^2 / expected, expected = N x weight / W. */
function chiSquare(observed: readonly number[], weights: readonly number[]): number {
  const n = observed.reduce((sum, o) => sum + o, 0);
  const total = weights.reduce((sum, w) => sum + w, 0);
  return observed.reduce((sum, o, i) => {
    const expected = (n * (weights[i] as number)) / total;
    return sum + (o - expected) ** 2 / expected;
  }, 0);
}

describe('draw statistics', () => {
  const counts = new Array<number>(prizes.length).fill(0);

  beforeAll(() => {
    // Prepare: 100 random seeds (days) x 100 random members x 10 spins each.
    for (let day = 0; day < SPINS / 1000; day += 1) {
      const seed = randomBytes(32).toString('hex');
      for (let member = 0; member < 100; member += 1) {
        const memberId = randomUUID();
        for (let n = 1; n <= 10; n += 1) {
          const { index } = spinOutcome(seed, { drawId: 'd-stats', memberId, day: '2026-11-23', n }, prizes);
          counts[index] = (counts[index] ?? 0) + 1;
        }
      }
    }
  });

  it(`draws each prize as often as its weight says over ${SPINS.toLocaleString('en')} spins (chi-square, ${DEGREES_OF_FREEDOM} degrees of freedom, p = 0.001)`, () => {
    // Act
    const statistic = chiSquare(counts, prizes.map((p) => p.weight));

    // Assess
    expect(counts.reduce((sum, c) => sum + c, 0)).toBe(SPINS);
    expect(prizes.length - 1).toBe(DEGREES_OF_FREEDOM);
    expect(statistic, `chi-square ${statistic.toFixed(2)} for counts ${counts.join(', ')}`).toBeLessThan(CRITICAL_VALUE_P001_DF5);
  });

  it('has the power to see a prize one point of weight off (the same counts fail against 26 / 53 instead of 25 / 54)', () => {
    // Act: if the draw paid out by these weights instead, would the test above notice? Expected shift: 1,000 spins.
    const skewed = prizes.map((p) => (p.prizeId === 'points-5' ? 26 : p.prizeId === 'thanks' ? 53 : p.weight));
    const statistic = chiSquare(counts, skewed);

    // Assess
    expect(statistic).toBeGreaterThan(CRITICAL_VALUE_P001_DF5);
  });
});
