import { describe, expect, it } from 'vitest';
import { voidBusinessDay, voidRefusal, type VoidablePurchase } from '../../shared/domain/voids.js';
import { countersOf, figuresOf, type CountableEntry } from '../../shared/reports/points-report.js';

/** Recorded at 23:30 on 2026-03-10 in Asia/Shanghai (15:30 UTC). */
const purchase: VoidablePurchase = { purchaseId: 'p-1', recordedAt: '2026-03-10T15:30:00Z', refundedCents: 0, refunds: [] };

describe('when a purchase may be voided', () => {
  it('allows a purchase not refunded nor under review, on the programme day it was recorded', () => {
    // Act: 15 minutes later, still 2026-03-10 in Shanghai
    const refusal = voidRefusal(purchase, new Date('2026-03-10T15:45:00Z'));

    // Assess
    expect(refusal).toBeUndefined();
    expect(voidBusinessDay(purchase.recordedAt)).toBe('2026-03-10');
  });

  it('refuses it past programme-local midnight, though it is the same UTC day', () => {
    // Act: 00:05 on 2026-03-11 in Shanghai, 16:05 UTC on 2026-03-10
    const refusal = voidRefusal(purchase, new Date('2026-03-10T16:05:00Z'));

    // Assess
    expect(refusal).toMatchObject({ code: 'VOID_NOT_ALLOWED', reason: 'other-day' });
    expect(refusal?.message).toContain('record a refund instead');
  });

  it('refuses a purchase already voided, refunded (even by 0 cents), held for review or rejected, in that order', () => {
    const now = new Date('2026-03-10T15:45:00Z');

    // Act
    const voided = voidRefusal({ ...purchase, voidedAt: '2026-03-10T15:40:00Z', refunds: [{}] }, now);
    const refunded = voidRefusal({ ...purchase, refunds: [{}], reviewStatus: 'PENDING' }, now);
    const underReview = voidRefusal({ ...purchase, reviewStatus: 'PENDING' }, now);
    const rejected = voidRefusal({ ...purchase, reviewStatus: 'REJECTED' }, now);
    const approved = voidRefusal({ ...purchase, reviewStatus: 'APPROVED' }, now);

    // Assess
    expect(voided).toMatchObject({ code: 'ALREADY_VOIDED', voidedAt: '2026-03-10T15:40:00Z' });
    expect(refunded).toMatchObject({ code: 'VOID_NOT_ALLOWED', reason: 'refunded' });
    expect(underReview).toMatchObject({ code: 'VOID_NOT_ALLOWED', reason: 'under-review' });
    expect(rejected).toMatchObject({ code: 'VOID_NOT_ALLOWED', reason: 'rejected' });
    expect(approved).toBeUndefined();
  });
});

describe('reports of voided purchases', () => {
  const entry = (type: string, points: number, pendingDelta: number, undoes?: string): CountableEntry => ({
    id: `${type}-${points}`,
    memberId: 'm-1',
    currency: 'points',
    type,
    points,
    pendingDelta,
    ...(undoes ? { undoes } : {}),
    at: '2026-03-10T15:30:00Z',
  });

  it('counts an EARN and the CLAWBACK that undoes it, and a PEND and the VOID that undoes it, as nothing', () => {
    // Act
    const counters = countersOf([entry('EARN', 120, 0), entry('CLAWBACK', -120, 0, 'EARN'), entry('PEND', 0, 80), entry('VOID', 0, -80, 'PEND')]);
    const figures = figuresOf(counters);

    // Assess
    expect(Object.values(counters).filter((v) => v !== 0)).toEqual([]);
    expect(figures).toMatchObject({ issued: 0, clawedBack: 0, pendingEarned: 0, pendingCancelled: 0, netChange: 0, entries: 0, byType: {} });
  });

  it('still counts a CLAWBACK of a refund as points clawed back', () => {
    // Act
    const figures = figuresOf(countersOf([entry('EARN', 120, 0), entry('CLAWBACK', -50, 0)]));

    // Assess
    expect(figures).toMatchObject({ issued: 120, clawedBack: 50, entries: 2, netChange: 70 });
  });

  it('leaves out of byType a type whose entries were all undone on stored day items', () => {
    // Act: a day item after a purchase and its void, counted in two stream batches
    const figures = figuresOf({ pts_EARN: 0, entries: 0, netAvailable: 0 });

    // Assess
    expect(figures.byType).toEqual({});
  });
});
