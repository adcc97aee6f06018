import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  checkSpin,
  drawChangeRefusal,
  drawStatusAt,
  isDrawDay,
  prizeIndexAt,
  publishedOdds,
  seedDaysAhead,
  seedHash,
  spinAllowance,
  spinBlock,
  spinOutcome,
  spinWords,
  totalWeight,
  uniformBelow,
} from '../../shared/domain/draws.js';

/** The demo wheel's prize table (bin/local/seed-draws.ts), in its published order. */
const wheel = [
  { prizeId: 'points-100', weight: 2 },
  { prizeId: 'points-20', weight: 10 },
  { prizeId: 'points-5', weight: 25 },
  { prizeId: 'coffee-coupon', weight: 8 },
  { prizeId: 'tea-set', weight: 1 },
  { prizeId: 'thanks', weight: 54 },
];
const SEED = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';

/** Any unsigned 32-bit integer (fast-check's integers stop at 2^31 - 1). */
const uint32 = fc.tuple(fc.nat({ max: 0xffff }), fc.nat({ max: 0xffff })).map(([high, low]) => high * 0x10000 + low);

function wordsOf(values: number[]): Iterator<number> {
  return values[Symbol.iterator]();
}

describe('spin outcome (the documented procedure)', () => {
  it('matches the worked example of docs/draws.md, which openssl reproduces', () => {
    // Act
    const outcome = spinOutcome(SEED, { drawId: 'd-demo-wheel', memberId: 'm1', day: '2026-11-23', n: 1 }, wheel);

    // Assess: printf 'd-demo-wheel:m1:2026-11-23:1' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<SEED>
    expect(outcome.message).toBe('d-demo-wheel:m1:2026-11-23:1');
    expect(outcome.hmac).toBe('d3a34a44a6662accc0be0f97ca8647b94a91131d5b14064cb06d9af37c084c91');
    // First word 0xd3a34a44 = 3550693956 < 4294967200 (the largest multiple of 100 in 2^32); 3550693956 mod 100 = 56.
    expect(outcome.value).toBe(56);
    expect(outcome.wordsUsed).toBe(1);
    // Cumulative weights 2, 12, 37, 45, 46, 100: 56 falls in the last range.
    expect(outcome.prizeId).toBe('thanks');
    expect(seedHash(SEED)).toBe('630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd');
  });

  it('is deterministic: the same seed and coordinates give the same prize, and each coordinate changes the stream', () => {
    // Prepare
    const spin = { drawId: 'd-1', memberId: 'alice', day: '2026-11-23', n: 4 };

    // Act
    const first = spinOutcome(SEED, spin, wheel);
    const again = spinOutcome(SEED, spin, wheel);
    const variants = [
      spinOutcome(SEED, { ...spin, n: 5 }, wheel),
      spinOutcome(SEED, { ...spin, memberId: 'bob' }, wheel),
      spinOutcome(SEED, { ...spin, day: '2026-11-24' }, wheel),
      spinOutcome(SEED, { ...spin, drawId: 'd-2' }, wheel),
      spinOutcome(randomBytes(32).toString('hex'), spin, wheel),
    ];

    // Assess
    expect(again).toEqual(first);
    for (const variant of variants) expect(variant.hmac).not.toBe(first.hmac);
  });

  it('reads block 0 as eight big-endian 32-bit words, then block 1 from "<message>:1"', () => {
    // Prepare
    const message = 'd-1:alice:2026-11-23:1';
    const key = Buffer.from(SEED, 'hex');
    const block0 = createHmac('sha256', key).update(message).digest();
    const block1 = createHmac('sha256', key).update(`${message}:1`).digest();

    // Act
    const words = spinWords(SEED, message);
    const first16 = Array.from({ length: 16 }, () => words.next().value as number);

    // Assess
    expect(first16).toEqual([...Array.from({ length: 8 }, (_, i) => block0.readUInt32BE(i * 4)), ...Array.from({ length: 8 }, (_, i) => block1.readUInt32BE(i * 4))]);
  });

  it('takes later blocks when every word of block 0 is rejected (found by search with a total weight of 2^31 + 1)', () => {
    // Prepare: with W = 2^31 + 1, limit = W and about half the words are rejected: 1 in 256 spins rejects all 8.
    const prizes = [
      { prizeId: 'big', weight: 2 ** 31 },
      { prizeId: 'one', weight: 1 },
    ];
    const total = 2 ** 31 + 1;
    let found: { n: number; words: number[] } | undefined;
    for (let n = 1; n <= 20_000 && !found; n += 1) {
      const block = spinBlock(SEED, `d-1:alice:2026-11-23:${n}`, 0);
      const words = Array.from({ length: 8 }, (_, i) => block.readUInt32BE(i * 4));
      if (words.every((w) => w >= total)) found = { n, words };
    }
    expect(found).toBeDefined();
    const { n } = found as { n: number };

    // Act
    const outcome = spinOutcome(SEED, { drawId: 'd-1', memberId: 'alice', day: '2026-11-23', n }, prizes);

    // Assess: the first accepted word comes from block 1 (or later), and r is that word mod W.
    const block1 = spinBlock(SEED, `d-1:alice:2026-11-23:${n}:1`, 0);
    expect(block1).toEqual(spinBlock(SEED, `d-1:alice:2026-11-23:${n}`, 1));
    const laterWords = Array.from({ length: 8 }, (_, i) => block1.readUInt32BE(i * 4));
    const accepted = laterWords.findIndex((w) => w < total);
    expect(outcome.wordsUsed).toBe(8 + accepted + 1);
    expect(outcome.value).toBe((laterWords[accepted] as number) % total);
  });
});

describe('rejection sampling (uniformBelow)', () => {
  it('rejects only the words at or above the largest multiple of the bound, so each remainder has the same number of words', () => {
    // 2^32 = 3 x 1431655765 + 1: the one word 0xFFFFFFFF would make remainder 0 more likely; it is skipped.
    expect(uniformBelow(wordsOf([0xffffffff, 7]), 3)).toEqual({ value: 1, wordsUsed: 2 });
    expect(uniformBelow(wordsOf([0xfffffffe]), 3)).toEqual({ value: 0xfffffffe % 3, wordsUsed: 1 });
    // A bound that divides 2^32 rejects nothing.
    expect(uniformBelow(wordsOf([0xffffffff]), 256)).toEqual({ value: 255, wordsUsed: 1 });
    expect(uniformBelow(wordsOf([0xffffffff]), 2 ** 32)).toEqual({ value: 0xffffffff, wordsUsed: 1 });
    // 2^31 + 1: limit = 2^31 + 1, so 2^31 is the largest accepted word and 2^31 + 1 the smallest rejected.
    expect(uniformBelow(wordsOf([2 ** 31 + 1, 2 ** 31]), 2 ** 31 + 1)).toEqual({ value: 2 ** 31, wordsUsed: 2 });
  });

  it('maps every word below the limit to word mod bound, uniformly', () => {
    fc.assert(
      fc.property(uint32.map((b) => b + 1), uint32, (bound, word) => {
        const limit = Math.floor(2 ** 32 / bound) * bound;
        // The accepted range holds exactly limit / bound words per remainder.
        expect(limit % bound).toBe(0);
        expect(2 ** 32 - limit).toBeLessThan(bound);
        if (word < limit) expect(uniformBelow(wordsOf([word]), bound)).toEqual({ value: word % bound, wordsUsed: 1 });
        else expect(uniformBelow(wordsOf([word, 0]), bound)).toEqual({ value: 0, wordsUsed: 2 });
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses bounds and words out of range rather than guess', () => {
    expect(() => uniformBelow(wordsOf([1]), 0)).toThrow(/bound/);
    expect(() => uniformBelow(wordsOf([1]), 2 ** 32 + 1)).toThrow(/bound/);
    expect(() => uniformBelow(wordsOf([2 ** 32]), 10)).toThrow(/32-bit/);
    expect(() => uniformBelow(wordsOf([0xffffffff]), 3)).toThrow(/ended/);
  });
});

describe('prize mapping by cumulative weight', () => {
  it('maps r to the first prize whose cumulative weight exceeds it, at every boundary', () => {
    // Cumulative weights 2, 12, 37, 45, 46, 100.
    const at = (r: number) => wheel[prizeIndexAt(r, wheel)]?.prizeId;
    expect([0, 1].map(at)).toEqual(['points-100', 'points-100']);
    expect([2, 11].map(at)).toEqual(['points-20', 'points-20']);
    expect([12, 36].map(at)).toEqual(['points-5', 'points-5']);
    expect([37, 44].map(at)).toEqual(['coffee-coupon', 'coffee-coupon']);
    expect(at(45)).toBe('tea-set');
    expect([46, 99].map(at)).toEqual(['thanks', 'thanks']);
    expect(() => prizeIndexAt(100, wheel)).toThrow(/\[0, 100\)/);
    expect(() => prizeIndexAt(-1, wheel)).toThrow();
  });

  it('gives each prize exactly `weight` of the values in [0, W)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), (weights) => {
        const prizes = weights.map((weight, i) => ({ prizeId: `p${i}`, weight }));
        const counts = new Array<number>(prizes.length).fill(0);
        for (let r = 0; r < totalWeight(prizes); r += 1) counts[prizeIndexAt(r, prizes)] = (counts[prizeIndexAt(r, prizes)] ?? 0) + 1;
        expect(counts).toEqual(weights);
      }),
    );
  });

  it('refuses weights that are not positive integers or sum past 2^32', () => {
    expect(() => totalWeight([])).toThrow(/at least one/);
    expect(() => totalWeight([{ prizeId: 'a', weight: 0 }])).toThrow(/positive integer/);
    expect(() => totalWeight([{ prizeId: 'a', weight: 1.5 }])).toThrow(/positive integer/);
    expect(() => totalWeight([{ prizeId: 'a', weight: 2 ** 32 }, { prizeId: 'b', weight: 1 }])).toThrow(/2\^32/);
  });

  it('publishes odds of weight / sum that add up to 1', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 24 }), (weights) => {
        const odds = publishedOdds(weights.map((weight, i) => ({ prizeId: `p${i}`, weight })));
        expect(odds.reduce((sum, p) => sum + p.odds, 0)).toBeCloseTo(1, 12);
        expect(odds.map((p) => p.prizeId)).toEqual(weights.map((_, i) => `p${i}`));
      }),
    );
    expect(publishedOdds(wheel).map((p) => p.odds)).toEqual([0.02, 0.1, 0.25, 0.08, 0.01, 0.54]);
  });
});

describe('verification', () => {
  it('accepts the revealed seed against its hash and flags a seed or a drawn prize that does not match', () => {
    // Prepare
    const spin = { drawId: 'd-demo-wheel', memberId: 'm1', day: '2026-11-23', n: 2 };
    const published = seedHash(SEED);

    // Act
    const honest = checkSpin({ seed: SEED, publishedSeedHash: published, spin, prizes: wheel, drawnPrizeId: 'coffee-coupon' });
    const otherSeed = checkSpin({ seed: randomBytes(32).toString('hex'), publishedSeedHash: published, spin, prizes: wheel, drawnPrizeId: 'coffee-coupon' });
    const otherPrize = checkSpin({ seed: SEED, publishedSeedHash: published, spin, prizes: wheel, drawnPrizeId: 'tea-set' });

    // Assess
    expect(honest).toMatchObject({ seedMatchesHash: true, drawnPrizeMatches: true, outcome: { prizeId: 'coffee-coupon', value: 41 } });
    expect(otherSeed.seedMatchesHash).toBe(false);
    expect(otherPrize.drawnPrizeMatches).toBe(false);
  });

  it('refuses a seed that is not 32 bytes of hex and a spin number below 1', () => {
    expect(() => seedHash('abc')).toThrow(/64/);
    expect(() => seedHash(SEED.toUpperCase())).toThrow(/lower-case/);
    expect(() => spinOutcome(SEED, { drawId: 'd', memberId: 'm', day: '2026-11-23', n: 0 }, wheel)).toThrow(/from 1/);
    expect(() => spinOutcome(SEED, { drawId: 'd', memberId: 'm', day: '23/11/2026', n: 1 }, wheel)).toThrow(/YYYY-MM-DD/);
  });
});

describe('spins of a day and the draw window', () => {
  const draw = { freeSpinsPerDay: 3, maxSpinsPerDay: 5, spinCostPoints: 10 };

  it('counts free spins first, then paid ones, up to the daily cap', () => {
    expect(spinAllowance(draw, 0)).toEqual({ freeSpinsLeft: 3, spinsLeft: 5, nextSpinCostPoints: 0 });
    expect(spinAllowance(draw, 2)).toEqual({ freeSpinsLeft: 1, spinsLeft: 3, nextSpinCostPoints: 0 });
    expect(spinAllowance(draw, 3)).toEqual({ freeSpinsLeft: 0, spinsLeft: 2, nextSpinCostPoints: 10 });
    expect(spinAllowance(draw, 5)).toEqual({ freeSpinsLeft: 0, spinsLeft: 0, nextSpinCostPoints: null });
    expect(spinAllowance({ ...draw, maxSpinsPerDay: 2 }, 0)).toEqual({ freeSpinsLeft: 2, spinsLeft: 2, nextSpinCostPoints: 0 });
  });

  it('opens at startsAt and closes at endsAt, and covers the programme-local days in between', () => {
    // 2026-11-23T16:00Z is midnight in Shanghai (UTC+8): the draw covers 23 to 25 November, local.
    const window = { startsAt: '2026-11-23T02:00:00.000Z', endsAt: '2026-11-25T16:00:00.000Z' };
    expect(drawStatusAt(window, new Date('2026-11-23T01:59:59Z'))).toBe('UPCOMING');
    expect(drawStatusAt(window, new Date('2026-11-23T02:00:00Z'))).toBe('OPEN');
    expect(drawStatusAt(window, new Date('2026-11-25T16:00:00Z'))).toBe('ENDED');
    expect(['2026-11-22', '2026-11-23', '2026-11-25', '2026-11-26'].map((d) => isDrawDay(window, d))).toEqual([false, true, true, false]);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });

  it("puts an operator's pause and end before the window: PAUSED even before the start, ENDED for good", () => {
    // Prepare
    const window = { startsAt: '2026-11-23T02:00:00.000Z', endsAt: '2026-11-25T16:00:00.000Z' };
    const before = new Date('2026-11-23T01:00:00Z');
    const during = new Date('2026-11-24T00:00:00Z');
    const after = new Date('2026-11-26T00:00:00Z');

    // Act
    const statuses = (['ACTIVE', 'PAUSED', 'ENDED'] as const).map((operatorStatus) =>
      [before, during, after].map((now) => drawStatusAt({ ...window, operatorStatus }, now)),
    );

    // Assess
    expect(statuses).toEqual([
      ['UPCOMING', 'OPEN', 'ENDED'],
      ['PAUSED', 'PAUSED', 'ENDED'],
      ['ENDED', 'ENDED', 'ENDED'],
    ]);
  });

  it('refuses changes of an ended draw (409) and an end that is not after the start or not in the future (400)', () => {
    // Prepare
    const draw = { drawId: 'd1', startsAt: '2026-11-23T02:00:00.000Z', endsAt: '2026-11-25T16:00:00.000Z', operatorStatus: 'ACTIVE' as const };
    const now = new Date('2026-11-24T00:00:00Z');

    // Act
    const answers = [
      drawChangeRefusal(draw, { status: 'PAUSED', endsAt: '2026-11-24T12:00:00.000Z' }, now),
      drawChangeRefusal({ ...draw, operatorStatus: 'PAUSED' }, { status: 'ACTIVE', endsAt: '2026-12-31T00:00:00.000Z' }, now),
      drawChangeRefusal({ ...draw, operatorStatus: 'ENDED' }, { status: 'ACTIVE' }, now),
      drawChangeRefusal(draw, { status: 'PAUSED' }, new Date('2026-11-25T16:00:00Z')),
      drawChangeRefusal(draw, { endsAt: '2026-11-23T02:00:00.000Z' }, new Date('2026-11-22T00:00:00Z')),
      drawChangeRefusal(draw, { endsAt: '2026-11-23T23:59:59.000Z' }, now),
    ];

    // Assess
    expect(answers.map((a) => a?.kind)).toEqual([undefined, undefined, 'conflict', 'conflict', 'invalid', 'invalid']);
    expect(answers[2]?.message).toContain('final');
    expect(answers[5]?.message).toContain('set status ENDED');
  });

  it("makes seeds ahead only for the days the window covers, so a shortened draw gets none past its new end", () => {
    // Prepare: local days (UTC+8); the draw ends at local midnight between the 24th and the 25th
    const draw = { startsAt: '2026-11-22T16:00:00.000Z', endsAt: '2026-11-24T16:00:00.000Z' };

    // Act
    const days = ['2026-11-22', '2026-11-23', '2026-11-24', '2026-11-25'].map((today) => seedDaysAhead(draw, today));

    // Assess
    expect(days).toEqual([['2026-11-23'], ['2026-11-23', '2026-11-24'], ['2026-11-24'], []]);
  });
});
