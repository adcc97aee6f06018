import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketAfterMonths, expiryAmount, lastDueBucket, liveBuckets, NEVER_EXPIRES, type BucketBalance } from '../../shared/domain/fifo.js';
import {
  activityMonth,
  applyInactivityExpiry,
  countsAsActivity,
  inactivityExpiresAt,
  lastDueActivityMonth,
} from '../../shared/domain/inactivity.js';
import { applyMove, emptyWallet, ledgerEntryTypes, type WalletState } from '../../shared/domain/ledger-moves.js';
import { shiftMonth } from '../../shared/domain/months.js';
import { commit } from '../../shared/ledger/ledger.js';

describe('inactivity months', () => {
  it.each([
    ['the last minute of the 12th inactive month', '2027-03-31T23:59:59Z', '2026-02'],
    ['the first instant after it', '2027-04-01T00:00:00Z', '2026-03'],
  ])('makes a wallet last active in March 2026 due 12 months later: %s', (_, now, lastDue) => {
    expect(lastDueActivityMonth(new Date(now), 12)).toBe(lastDue);
    expect(inactivityExpiresAt('2026-03', 12)).toBe('2027-04-01T00:00:00.000Z');
  });

  it('is due exactly from the instant it expires, for any month and policy', () => {
    const property = fc.property(
      fc.integer({ min: 0, max: 600 }),
      fc.integer({ min: 1, max: 120 }),
      fc.integer({ min: -40 * 24 * 3600, max: 40 * 24 * 3600 }),
      (monthIndex, months, offsetSeconds) => {
        const month = shiftMonth('2000-01', monthIndex);
        const expiresAt = Date.parse(inactivityExpiresAt(month, months));
        const now = new Date(expiresAt + offsetSeconds * 1000);
        expect(month <= lastDueActivityMonth(now, months)).toBe(now.getTime() >= expiresAt);
      },
    );
    fc.assert(property, { numRuns: 500 });
  });

  it('records activity in UTC months, like expiry buckets', () => {
    expect(activityMonth('2026-03-31T23:59:59.999Z')).toBe('2026-03');
    expect(activityMonth(new Date('2026-04-01T00:00:00Z'))).toBe('2026-04');
  });

  it('counts every ledger move as activity except EXPIRE', () => {
    expect(ledgerEntryTypes.filter((t) => !countsAsActivity(t))).toEqual(['EXPIRE']);
  });

  it.each([
    ['on a move other than EXPIRE', { type: 'SPEND' as const, points: 5, inactiveSince: '2026-01' }],
    ['with a bucket', { type: 'EXPIRE' as const, points: 5, bucket: '2026-01', inactiveSince: '2026-01', expect: { debited: 0, expired: 0 } }],
    ['that is not a month', { type: 'EXPIRE' as const, points: 5, inactiveSince: '2026-1', expect: { debited: 0, expired: 0 } }],
  ])('refuses an inactivity expiry %s before writing anything', async (_, move) => {
    await expect(commit({ moves: [{ memberId: 'm1', reason: 'test', ...move }] })).rejects.toThrow(/inactiveSince/);
  });

  it('requires a bucket on an EXPIRE that is not for inactivity', async () => {
    await expect(commit({ moves: [{ memberId: 'm1', type: 'EXPIRE', points: 5, reason: 'test', expect: { debited: 0, expired: 0 } }] })).rejects.toThrow(/needs a bucket/);
  });
});

// ---------------------------------------------------------------------------
// FIFO: the counters after inactivity expiries agree with a lot-by-lot model.
// ---------------------------------------------------------------------------

/**
 * Lots per expiry bucket, earliest first: consumption takes the earliest,
 * returns go back to the latest lot with room (else the earliest), a dated
 * expiry removes the lots up to a bucket, an inactivity expiry empties every
 * lot but keeps them (points can come back into them).
 */
class Lots {
  lots: { bucket: string; capacity: number; holds: number }[] = [];
  held = 0;
  spent = 0;
  expired = 0;

  get available(): number {
    return this.lots.reduce((sum, lot) => sum + lot.holds, 0);
  }

  credit(bucket: string, points: number): void {
    const lot = this.lot(bucket);
    lot.capacity += points;
    lot.holds += points;
  }

  consume(points: number): void {
    let left = points;
    for (const lot of this.lots) {
      const take = Math.min(lot.holds, left);
      lot.holds -= take;
      left -= take;
    }
  }

  giveBack(points: number, fallback: string): void {
    this.lot(fallback);
    let left = points;
    for (let i = this.lots.length - 1; i >= 0 && left > 0; i -= 1) {
      const lot = this.lots[i] as Lots['lots'][number];
      const take = Math.min(lot.capacity - lot.holds, left);
      lot.holds += take;
      left -= take;
    }
    if (left > 0) (this.lots[0] as Lots['lots'][number]).holds += left;
  }

  expireThrough(bucket: string): number {
    const amount = this.lots.filter((l) => l.bucket <= bucket).reduce((sum, l) => sum + l.holds, 0);
    this.lots = this.lots.filter((l) => l.bucket > bucket);
    this.expired += amount;
    return amount;
  }

  expireAll(): number {
    const amount = this.available;
    for (const lot of this.lots) lot.holds = 0;
    this.expired += amount;
    return amount;
  }

  balances(): BucketBalance[] {
    return this.lots.filter((l) => l.holds > 0).map((l) => ({ bucket: l.bucket, points: l.holds }));
  }

  private lot(bucket: string) {
    let lot = this.lots.find((l) => l.bucket === bucket);
    if (!lot) {
      lot = { bucket, capacity: 0, holds: 0 };
      this.lots.push(lot);
      this.lots.sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
    }
    return lot;
  }
}

type Op = 'EARN' | 'SPEND' | 'HOLD' | 'RELEASE' | 'REFUND' | 'EXPIRE-BUCKET' | 'EXPIRE-INACTIVE';

const scenarioArb = fc.record({
  /** Credits go into rolling buckets (months ahead) until this step, into no date from then on. */
  switchAt: fc.integer({ min: 0, max: 40 }),
  rollingMonths: fc.constantFrom(1, 3, 12),
  steps: fc.array(
    fc.record({
      advance: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 }) }),
      op: fc.constantFrom<Op>('EARN', 'EARN', 'SPEND', 'HOLD', 'RELEASE', 'REFUND', 'EXPIRE-BUCKET', 'EXPIRE-INACTIVE'),
      n: fc.integer({ min: 1, max: 100 }),
    }),
    { minLength: 1, maxLength: 40 },
  ),
});

describe('inactivity expiry and the FIFO counters', () => {
  it('leave every bucket balance, later dated expiry and return where the lots say', () => {
    const property = fc.property(scenarioArb, ({ switchAt, rollingMonths, steps }) => {
      let wallet: WalletState = emptyWallet();
      const lots = new Lots();
      let now = new Date(Date.UTC(2025, 0, 15, 12));
      steps.forEach((step, i) => {
        now = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + step.advance, 15, 12));
        const creditBucket = i < switchAt ? bucketAfterMonths(now, rollingMonths) : NEVER_EXPIRES;
        const apply = (next: WalletState | null) => {
          expect(next, `step ${i}: ${step.op} accepted`).not.toBeNull();
          wallet = next as WalletState;
        };
        switch (step.op) {
          case 'EARN':
            apply(applyMove(wallet, 'EARN', step.n, creditBucket));
            lots.credit(creditBucket, step.n);
            break;
          case 'SPEND':
          case 'HOLD': {
            const points = Math.min(step.n, lots.available);
            if (points === 0) break;
            apply(applyMove(wallet, step.op, points));
            lots.consume(points);
            if (step.op === 'HOLD') lots.held += points;
            else lots.spent += points;
            break;
          }
          case 'RELEASE':
          case 'REFUND': {
            const points = Math.min(step.n, step.op === 'RELEASE' ? lots.held : lots.spent);
            if (points === 0) break;
            apply(applyMove(wallet, step.op, points, creditBucket));
            if (step.op === 'RELEASE') lots.held -= points;
            else lots.spent -= points;
            lots.giveBack(points, creditBucket);
            break;
          }
          case 'EXPIRE-BUCKET': {
            // What the bucket job does for the earliest due bucket the wallet holds.
            const bucket = lots.lots.map((l) => l.bucket).find((b) => b <= lastDueBucket(now));
            if (bucket === undefined) break;
            const amount = expiryAmount(wallet, bucket);
            expect(amount, `step ${i}: expiry of ${bucket}`).toBe(lots.expireThrough(bucket));
            wallet = amount === 0 ? { ...wallet, expiredThrough: bucket } : (applyMove(wallet, 'EXPIRE', amount, bucket) as WalletState);
            break;
          }
          case 'EXPIRE-INACTIVE': {
            const before = wallet.available;
            wallet = applyInactivityExpiry(wallet);
            expect(before - wallet.available, `step ${i}: inactivity expiry`).toBe(lots.expireAll());
            break;
          }
        }
        expect(wallet.available, `step ${i}: available`).toBe(lots.available);
        expect(liveBuckets(wallet), `step ${i}: live buckets`).toEqual(lots.balances());
        expect(wallet.expired, `step ${i}: expired`).toBe(lots.expired);
        expect(wallet.debited, `step ${i}: debited`).toBe(lots.held + lots.spent);
      });
    });
    fc.assert(property, { numRuns: 400 });
  });

  it('removes every available point, leaves held points and closes no bucket', () => {
    // Prepare: 100 points of 2026-06 and 50 without a date; 30 held
    let wallet = applyMove(emptyWallet(), 'EARN', 100, '2026-06') as WalletState;
    wallet = applyMove(wallet, 'EARN', 50, NEVER_EXPIRES) as WalletState;
    wallet = applyMove(wallet, 'HOLD', 30) as WalletState;

    // Act
    const expired = applyInactivityExpiry(wallet);
    const released = applyMove(expired, 'RELEASE', 30, NEVER_EXPIRES) as WalletState;

    // Assess: the released points come back into the latest bucket they fit
    expect(expired).toMatchObject({ available: 0, held: 30, expired: 120, debited: 30 });
    expect(expired.expiredThrough).toBeUndefined();
    expect(liveBuckets(expired)).toEqual([]);
    expect(liveBuckets(released)).toEqual([{ bucket: NEVER_EXPIRES, points: 30 }]);
    expect(expiryAmount(released, '2026-06')).toBe(0);
  });
});
