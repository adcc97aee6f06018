import { describe, expect, it } from 'vitest';
import {
  bucketAfterMonths,
  bucketExpiresAt,
  expiryAmount,
  isBucketKey,
  lastDueBucket,
  liveBuckets,
  NEVER_EXPIRES,
  type BucketBalance,
} from '../../shared/domain/fifo.js';
import {
  applyMove,
  creditsBucket,
  emptyWallet,
  moveEffect,
  returnsPoints,
  type LedgerEntryType,
  type MoveEffect,
  type WalletState,
} from '../../shared/domain/ledger-moves.js';

/** One step of a worked example: a ledger move, or the expiry job's handling of a due bucket. */
type Step =
  | { readonly move: LedgerEntryType; readonly points: number; readonly bucket?: string }
  | { readonly expire: string };

interface Outcome {
  readonly wallet: WalletState;
  /** What each expiry step removed, in order. */
  readonly expiredAmounts: number[];
}

/** Runs the steps the way the ledger and the expiry job do; a refused move fails the example. */
function run(steps: readonly Step[]): Outcome {
  let wallet = emptyWallet();
  const expiredAmounts: number[] = [];
  for (const step of steps) {
    if ('expire' in step) {
      // As the expiry job does: an EXPIRE move, or only the marker when nothing is left.
      const amount = expiryAmount(wallet, step.expire);
      expiredAmounts.push(amount);
      const next =
        amount === 0 ? { ...wallet, expiredThrough: step.expire } : applyMove(wallet, 'EXPIRE', amount, step.expire);
      if (next === null) throw new Error(`expiry of ${step.expire} refused`);
      wallet = next;
    } else {
      const next = applyMove(wallet, step.move, step.points, step.bucket);
      if (next === null) throw new Error(`${step.move} ${step.points} refused`);
      wallet = next;
    }
  }
  return { wallet, expiredAmounts };
}

interface WorkedExample {
  readonly name: string;
  readonly steps: readonly Step[];
  readonly expired: readonly number[];
  readonly live: readonly BucketBalance[];
  readonly available: number;
}

const workedExamples: readonly WorkedExample[] = [
  {
    name: 'a spend reaching into February leaves nothing in January to expire',
    steps: [
      { move: 'EARN', points: 100, bucket: '2025-01' },
      { move: 'EARN', points: 50, bucket: '2025-02' },
      { move: 'SPEND', points: 120 },
      { expire: '2025-01' },
    ],
    expired: [0],
    live: [{ bucket: '2025-02', points: 30 }],
    available: 30,
  },
  {
    name: 'an untouched bucket expires whole',
    steps: [{ move: 'EARN', points: 100, bucket: '2025-01' }, { expire: '2025-01' }],
    expired: [100],
    live: [],
    available: 0,
  },
  {
    name: 'a spend is taken from the earliest bucket first',
    steps: [
      { move: 'EARN', points: 100, bucket: '2025-01' },
      { move: 'EARN', points: 50, bucket: '2025-02' },
      { move: 'SPEND', points: 30 },
      { expire: '2025-01' },
      { expire: '2025-02' },
    ],
    expired: [70, 50],
    live: [],
    available: 0,
  },
  {
    name: 'credits to the same bucket merge',
    steps: [
      { move: 'EARN', points: 40, bucket: '2025-03' },
      { move: 'ADJUST', points: 60, bucket: '2025-03' },
      { move: 'SPEND', points: 30 },
    ],
    expired: [],
    live: [{ bucket: '2025-03', points: 70 }],
    available: 70,
  },
  {
    name: 'a refund after its bucket expired lands in the earliest live bucket',
    steps: [
      { move: 'EARN', points: 100, bucket: '2025-01' },
      { move: 'EARN', points: 50, bucket: '2025-03' },
      { move: 'SPEND', points: 120 },
      { expire: '2025-01' },
      // March is refilled to its 50 first, the other 80 go to March too (earliest live).
      { move: 'REFUND', points: 100, bucket: '2025-04' },
      { expire: '2025-03' },
    ],
    expired: [0, 130],
    live: [],
    available: 0,
  },
  {
    name: 'a refund with no live bucket left lands in its own fallback bucket',
    steps: [
      { move: 'EARN', points: 100, bucket: '2025-01' },
      { move: 'SPEND', points: 100 },
      { expire: '2025-01' },
      { move: 'REFUND', points: 40, bucket: '2025-05' },
    ],
    expired: [0],
    live: [{ bucket: '2025-05', points: 40 }],
    available: 40,
  },
  {
    name: 'a release refills the latest consumed bucket first',
    steps: [
      { move: 'EARN', points: 100, bucket: '2025-01' },
      { move: 'EARN', points: 100, bucket: '2025-02' },
      { move: 'HOLD', points: 150 },
      { move: 'RELEASE', points: 30, bucket: '2025-03' },
      { expire: '2025-01' },
    ],
    expired: [0],
    live: [{ bucket: '2025-02', points: 80 }],
    available: 80,
  },
  {
    name: 'a capture leaves the buckets as the hold left them',
    steps: [
      { move: 'EARN', points: 100, bucket: '2025-01' },
      { move: 'HOLD', points: 40 },
      { move: 'CAPTURE', points: 40 },
    ],
    expired: [],
    live: [{ bucket: '2025-01', points: 60 }],
    available: 60,
  },
  {
    name: 'expiring a later bucket takes the earlier due ones with it',
    steps: [
      { move: 'EARN', points: 100, bucket: '2025-01' },
      { move: 'EARN', points: 50, bucket: '2025-02' },
      { move: 'SPEND', points: 20 },
      { expire: '2025-02' },
    ],
    expired: [130],
    live: [],
    available: 0,
  },
  {
    name: 'a spend takes dated points before never-expiring ones',
    steps: [
      { move: 'EARN', points: 100, bucket: NEVER_EXPIRES },
      { move: 'EARN', points: 50, bucket: '2025-01' },
      { move: 'SPEND', points: 30 },
      { expire: '2025-01' },
    ],
    expired: [20],
    live: [{ bucket: NEVER_EXPIRES, points: 100 }],
    available: 100,
  },
  {
    name: 'a bucket already expired expires nothing again',
    steps: [
      { move: 'EARN', points: 100, bucket: '2025-01' },
      { move: 'EARN', points: 10, bucket: '2025-02' },
      { expire: '2025-01' },
      { expire: '2025-01' },
    ],
    expired: [100, 0],
    live: [{ bucket: '2025-02', points: 10 }],
    available: 10,
  },
  {
    name: 'a negative adjustment and a clawback consume like a spend',
    steps: [
      { move: 'EARN', points: 100, bucket: '2025-01' },
      { move: 'EARN', points: 100, bucket: '2025-02' },
      { move: 'ADJUST', points: -80 },
      { move: 'CLAWBACK', points: 50 },
      { expire: '2025-01' },
    ],
    expired: [0],
    live: [{ bucket: '2025-02', points: 70 }],
    available: 70,
  },
  {
    name: 'pending points stay out of FIFO until they vest into their own bucket',
    steps: [
      { move: 'EARN', points: 100, bucket: '2025-01' },
      { move: 'PEND', points: 80 },
      { move: 'SPEND', points: 60 },
      { move: 'VEST', points: 80, bucket: '2025-06' },
      { expire: '2025-01' },
    ],
    expired: [40],
    live: [{ bucket: '2025-06', points: 80 }],
    available: 80,
  },
  {
    name: 'a void cancels pending points without touching a bucket',
    steps: [
      { move: 'EARN', points: 50, bucket: '2025-01' },
      { move: 'PEND', points: 100 },
      { move: 'VOID', points: 30 },
      { move: 'VEST', points: 70, bucket: '2025-03' },
      { expire: '2025-01' },
    ],
    expired: [50],
    live: [{ bucket: '2025-03', points: 70 }],
    available: 70,
  },
];

describe('FIFO worked examples', () => {
  for (const example of workedExamples) {
    it(example.name, () => {
      // Prepare
      const { steps } = example;

      // Act
      const { wallet, expiredAmounts } = run(steps);

      // Assess
      expect(expiredAmounts).toEqual(example.expired);
      expect(liveBuckets(wallet)).toEqual(example.live);
      expect(wallet.available).toBe(example.available);
    });
  }

  it('reports no live buckets for an empty wallet', () => {
    // Prepare
    const wallet = emptyWallet();

    // Act
    const live = liveBuckets(wallet);

    // Assess
    expect(live).toEqual([]);
  });
});

describe('applyMove conditions', () => {
  const funded = run([
    { move: 'EARN', points: 100, bucket: '2025-01' },
    { move: 'HOLD', points: 30 },
    { move: 'SPEND', points: 20 },
  ]).wallet;

  it.each<{ name: string; type: LedgerEntryType; points: number; bucket?: string }>([
    { name: 'a spend beyond available', type: 'SPEND', points: 51 },
    { name: 'a hold beyond available', type: 'HOLD', points: 51 },
    { name: 'a clawback beyond available', type: 'CLAWBACK', points: 51 },
    { name: 'a negative adjustment beyond available', type: 'ADJUST', points: -51 },
    { name: 'a capture beyond held', type: 'CAPTURE', points: 31 },
    { name: 'a release beyond held', type: 'RELEASE', points: 31, bucket: '2025-02' },
    { name: 'a refund beyond what was spent', type: 'REFUND', points: 21, bucket: '2025-02' },
    { name: 'a refund of held points', type: 'REFUND', points: 50, bucket: '2025-02' },
    { name: 'an expiry beyond available', type: 'EXPIRE', points: 51, bucket: '2025-01' },
  ])('refuses $name', ({ type, points, bucket }) => {
    // Prepare
    const wallet = funded;

    // Act
    const next = applyMove(wallet, type, points, bucket);

    // Assess
    expect(next).toBeNull();
  });

  it.each<{ name: string; type: LedgerEntryType; points: number; bucket?: string }>([
    { name: 'a spend of all available', type: 'SPEND', points: 50 },
    { name: 'a capture of all held', type: 'CAPTURE', points: 30 },
    { name: 'a release of all held', type: 'RELEASE', points: 30, bucket: '2025-02' },
    { name: 'a refund of all that was spent', type: 'REFUND', points: 20, bucket: '2025-02' },
  ])('accepts $name', ({ type, points, bucket }) => {
    // Prepare
    const wallet = funded;

    // Act
    const next = applyMove(wallet, type, points, bucket);

    // Assess
    expect(next).not.toBeNull();
  });

  it.each<{ name: string; type: LedgerEntryType; points: number; bucket?: string; accepted: boolean }>([
    { name: 'a spend of pending points', type: 'SPEND', points: 51, accepted: false },
    { name: 'a vest beyond pending', type: 'VEST', points: 41, bucket: '2025-02', accepted: false },
    { name: 'a void beyond pending', type: 'VOID', points: 41, accepted: false },
    { name: 'a vest of all pending', type: 'VEST', points: 40, bucket: '2025-02', accepted: true },
    { name: 'a void of all pending', type: 'VOID', points: 40, accepted: true },
  ])('with 50 available and 40 pending, judges $name (accepted: $accepted)', ({ type, points, bucket, accepted }) => {
    // Prepare
    const wallet = applyMove(funded, 'PEND', 40);

    // Act
    const next = wallet && applyMove(wallet, type, points, bucket);

    // Assess
    expect(wallet).toMatchObject({ available: 50, pending: 40 });
    expect(next !== null).toBe(accepted);
  });

  it('vests pending points exactly as an earn credits them', () => {
    // Prepare
    const pending = applyMove(funded, 'PEND', 40);
    const earned = applyMove(funded, 'EARN', 40, '2025-02');

    // Act
    const vested = pending && applyMove(pending, 'VEST', 40, '2025-02');

    // Assess
    expect(vested).toEqual(earned);
  });

  it('registers the fallback bucket of a return with nothing credited to it', () => {
    // Prepare
    const wallet = funded;

    // Act
    const next = applyMove(wallet, 'REFUND', 10, '2025-06');

    // Assess
    expect(next?.buckets).toEqual({ '2025-01': 100, '2025-06': 0 });
  });

  it('records the expired bucket on an expiry', () => {
    // Prepare
    const wallet = funded;

    // Act
    const next = applyMove(wallet, 'EXPIRE', 50, '2025-01');

    // Assess
    expect(next).toMatchObject({ available: 0, expired: 50, expiredThrough: '2025-01' });
  });

  it('throws on an expiry without its bucket', () => {
    // Prepare
    const wallet = funded;

    // Act
    const act = () => applyMove(wallet, 'EXPIRE', 10);

    // Assess
    expect(act).toThrow(/bucket/);
  });

  it('leaves the wallet it is given untouched', () => {
    // Prepare
    const wallet = funded;
    const before = structuredClone(wallet);

    // Act
    applyMove(wallet, 'EARN', 10, '2025-02');

    // Assess
    expect(wallet).toEqual(before);
  });
});

describe('moveEffect', () => {
  const zero: MoveEffect = { available: 0, held: 0, pending: 0, debited: 0, spent: 0, expired: 0, lifetimeEarned: 0, bucketCredit: 0 };

  it.each<{ type: LedgerEntryType; points: number; effect: Partial<MoveEffect> }>([
    { type: 'EARN', points: 10, effect: { available: 10, lifetimeEarned: 10, bucketCredit: 10 } },
    { type: 'ADJUST', points: 10, effect: { available: 10, lifetimeEarned: 10, bucketCredit: 10 } },
    { type: 'ADJUST', points: -10, effect: { available: -10, debited: 10, spent: 10 } },
    { type: 'SPEND', points: 10, effect: { available: -10, debited: 10, spent: 10 } },
    { type: 'CLAWBACK', points: 10, effect: { available: -10, debited: 10, spent: 10 } },
    { type: 'HOLD', points: 10, effect: { available: -10, held: 10, debited: 10 } },
    { type: 'RELEASE', points: 10, effect: { available: 10, held: -10, debited: -10 } },
    { type: 'CAPTURE', points: 10, effect: { held: -10, spent: 10 } },
    { type: 'REFUND', points: 10, effect: { available: 10, debited: -10, spent: -10 } },
    { type: 'EXPIRE', points: 10, effect: { available: -10, expired: 10 } },
    { type: 'PEND', points: 10, effect: { pending: 10 } },
    { type: 'VEST', points: 10, effect: { pending: -10, available: 10, lifetimeEarned: 10, bucketCredit: 10 } },
    { type: 'VOID', points: 10, effect: { pending: -10 } },
  ])('gives $type of $points its counter deltas', ({ type, points, effect }) => {
    // Prepare
    const expected = { ...zero, ...effect };

    // Act
    const actual = moveEffect(type, points);

    // Assess
    expect(actual).toEqual(expected);
  });

  it.each<{ type: LedgerEntryType; points: number; credits: boolean; returns: boolean }>([
    { type: 'EARN', points: 10, credits: true, returns: false },
    { type: 'ADJUST', points: 10, credits: true, returns: false },
    { type: 'ADJUST', points: -10, credits: false, returns: false },
    { type: 'SPEND', points: 10, credits: false, returns: false },
    { type: 'HOLD', points: 10, credits: false, returns: false },
    { type: 'CAPTURE', points: 10, credits: false, returns: false },
    { type: 'RELEASE', points: 10, credits: false, returns: true },
    { type: 'REFUND', points: 10, credits: false, returns: true },
    { type: 'CLAWBACK', points: 10, credits: false, returns: false },
    { type: 'EXPIRE', points: 10, credits: false, returns: false },
    { type: 'PEND', points: 10, credits: false, returns: false },
    { type: 'VEST', points: 10, credits: true, returns: false },
    { type: 'VOID', points: 10, credits: false, returns: false },
  ])('classes $type of $points as credit $credits and return $returns', ({ type, points, credits, returns }) => {
    // Prepare
    const move = { type, points };

    // Act
    const classes = { credits: creditsBucket(move.type, move.points), returns: returnsPoints(move.type) };

    // Assess
    expect(classes).toEqual({ credits, returns });
  });
});

describe('bucket dates', () => {
  it.each([
    { at: '2025-01-15T12:00:00.000Z', months: 1, bucket: '2025-02' },
    { at: '2025-01-31T23:59:59.999Z', months: 1, bucket: '2025-02' },
    { at: '2025-11-15T00:00:00.000Z', months: 1, bucket: '2025-12' },
    { at: '2025-12-01T00:00:00.000Z', months: 0, bucket: '2025-12' },
    { at: '2025-12-31T23:59:59.999Z', months: 1, bucket: '2026-01' },
    { at: '2025-12-15T00:00:00.000Z', months: 13, bucket: '2027-01' },
    { at: '2025-01-15T00:00:00.000Z', months: 12, bucket: '2026-01' },
    { at: '2024-02-29T00:00:00.000Z', months: 12, bucket: '2025-02' },
    { at: '2025-01-15T00:00:00.000Z', months: -1, bucket: '2024-12' },
    // 23:30 on 31 December in New York is already January in UTC.
    { at: '2025-12-31T23:30:00.000-05:00', months: 0, bucket: '2026-01' },
  ])('puts $at plus $months months in bucket $bucket', ({ at, months, bucket }) => {
    // Prepare
    const date = new Date(at);

    // Act
    const actual = bucketAfterMonths(date, months);

    // Assess
    expect(actual).toBe(bucket);
  });

  it.each([
    { now: '2025-03-15T12:00:00.000Z', due: '2025-02' },
    { now: '2026-01-01T00:00:00.000Z', due: '2025-12' },
    { now: '2025-12-31T23:59:59.999Z', due: '2025-11' },
    { now: '2025-01-01T00:00:00.000Z', due: '2024-12' },
  ])('makes every bucket through $due due at $now', ({ now, due }) => {
    // Prepare
    const date = new Date(now);

    // Act
    const actual = lastDueBucket(date);

    // Assess
    expect(actual).toBe(due);
  });

  it.each([
    { bucket: '2025-01', expiresAt: '2025-02-01T00:00:00.000Z' },
    { bucket: '2024-02', expiresAt: '2024-03-01T00:00:00.000Z' },
    { bucket: '2025-12', expiresAt: '2026-01-01T00:00:00.000Z' },
    { bucket: NEVER_EXPIRES, expiresAt: null },
  ])('expires bucket $bucket at $expiresAt', ({ bucket, expiresAt }) => {
    // Prepare
    const key = bucket;

    // Act
    const actual = bucketExpiresAt(key);

    // Assess
    expect(actual).toBe(expiresAt);
  });

  it.each(['2024-02', '2025-01', '2025-11', '2025-12'])(
    'makes bucket %s due exactly at its expiry instant and not a millisecond before',
    (bucket) => {
      // Prepare
      const expiresAt = new Date(bucketExpiresAt(bucket) as string);
      const justBefore = new Date(expiresAt.getTime() - 1);

      // Act
      const dueAt = lastDueBucket(expiresAt);
      const dueJustBefore = lastDueBucket(justBefore);

      // Assess
      expect(dueAt).toBe(bucket);
      expect(dueJustBefore < bucket).toBe(true);
    },
  );

  it('sorts the never-expiring bucket after every dated bucket', () => {
    // Prepare
    const buckets = [NEVER_EXPIRES, '2099-12', '2025-01'];

    // Act
    const sorted = [...buckets].sort();

    // Assess
    expect(sorted).toEqual(['2025-01', '2099-12', NEVER_EXPIRES]);
  });

  it.each([
    { value: '2025-01', valid: true },
    { value: '2025-09', valid: true },
    { value: '2025-10', valid: true },
    { value: '2025-12', valid: true },
    { value: NEVER_EXPIRES, valid: true },
    { value: '2025-00', valid: false },
    { value: '2025-13', valid: false },
    { value: '2025-1', valid: false },
    { value: '25-01', valid: false },
    { value: '2025-01-01', valid: false },
    { value: '2025/01', valid: false },
    { value: ' 2025-01', valid: false },
    { value: '2025-01\n', valid: false },
    { value: '', valid: false },
  ])('judges $value a bucket key: $valid', ({ value, valid }) => {
    // Prepare
    const candidate = value;

    // Act
    const actual = isBucketKey(candidate);

    // Assess
    expect(actual).toBe(valid);
  });
});
