import { beforeAll, describe, expect, it } from 'vitest';
import { resetConfigForTests } from '../../shared/config/env.js';
import { NEVER_EXPIRES } from '../../shared/domain/fifo.js';
import { pendingCreditTake, vestAtFor, vestingBucket, type PendingCredit } from '../../shared/earning/pending.js';
import type { ExpiryPolicy } from '../../shared/earning/rules-store.js';

const rolling12: ExpiryPolicy = { policy: 'rolling-months', months: 12 };
const yearEnd: ExpiryPolicy = { policy: 'year-end', extraYears: 0 };

describe('the return window', () => {
  it('ends whole days after the purchase was paid', () => {
    // Prepare
    const paidAt = new Date('2026-11-23T09:30:00.000Z');

    // Act
    const vestAt = vestAtFor(paidAt, 14);

    // Assess
    expect(vestAt.toISOString()).toBe('2026-12-07T09:30:00.000Z');
  });
});

describe('vestingBucket', () => {
  it.each<{ name: string; policy: ExpiryPolicy; vestAt: string; now: string; bucket: string }>([
    { name: 'counts validity from the end of the window', policy: rolling12, vestAt: '2026-12-07T09:30:00Z', now: '2026-12-07T10:20:00Z', bucket: '2027-12' },
    { name: 'keeps that bucket when the job runs in the next month', policy: rolling12, vestAt: '2026-12-31T23:30:00Z', now: '2027-01-01T00:20:00Z', bucket: '2027-12' },
    { name: 'clears with the year the window ended in', policy: yearEnd, vestAt: '2026-12-07T09:30:00Z', now: '2026-12-07T10:20:00Z', bucket: '2026-12' },
    { name: 'never credits a year already cleared (late run at the turn of the year)', policy: yearEnd, vestAt: '2026-12-31T23:30:00Z', now: '2027-01-01T00:20:00Z', bucket: '2027-12' },
    { name: 'never credits a bucket already due after an outage', policy: { policy: 'rolling-months', months: 1 }, vestAt: '2026-01-10T00:00:00Z', now: '2026-03-05T00:00:00Z', bucket: '2026-04' },
    { name: 'keeps points that never expire', policy: { policy: 'never' }, vestAt: '2026-12-07T09:30:00Z', now: '2027-06-01T00:00:00Z', bucket: NEVER_EXPIRES },
  ])('$name', ({ policy, vestAt, now, bucket }) => {
    // Act
    const actual = vestingBucket(policy, new Date(vestAt), new Date(now));

    // Assess
    expect(actual).toBe(bucket);
  });
});

describe('pendingCreditTake', () => {
  // Offline: the writes are asserted as built, nothing is sent.
  beforeAll(() => {
    process.env.TABLE_NAME = 'points-mall-offline';
    resetConfigForTests();
  });

  const credit: PendingCredit = {
    memberId: 'm1',
    currency: 'points',
    purchaseId: 'p1',
    storeId: 'store1',
    points: 100,
    originalPoints: 300,
    vestAt: '2026-12-07T09:30:00.000Z',
    expiry: rolling12,
    createdAt: '2026-11-23T09:30:00.000Z',
  };

  it('lowers the credit on condition it still holds what was read', () => {
    // Act
    const write = pendingCreditTake(credit, 40);

    // Assess
    expect(write.item.Update).toMatchObject({
      TableName: 'points-mall-offline',
      Key: { PK: 'MEMBER#m1', SK: 'PENDING#points#2026-12-07T09:30:00.000Z#p1' },
      UpdateExpression: 'SET points = points - :take',
      ConditionExpression: 'points = :expected',
      ExpressionAttributeValues: { ':expected': 100, ':take': 40 },
    });
  });

  it('deletes the credit, and so its vest-due entry, when nothing is left', () => {
    // Act
    const write = pendingCreditTake(credit, 100);

    // Assess
    expect(write.item.Delete).toMatchObject({ ConditionExpression: 'points = :expected', ExpressionAttributeValues: { ':expected': 100 } });
  });

  it.each([0, 101])('refuses to take %i points', (points) => {
    // Act
    const act = () => pendingCreditTake(credit, points);

    // Assess
    expect(act).toThrow(/cannot take/);
  });
});
