import { describe, expect, it } from 'vitest';
import { eventSchemas, type EventType } from '../../shared/contracts/events.js';
import { typedEvent } from '../../shared/events/outbox.js';

/**
 * Backward compatibility: details exactly as version 1 of each event was
 * published. Every later schema of the same version must still accept them
 * (new fields optional); a change that breaks one of these is a new version.
 */
const publishedV1: Record<EventType, Record<string, unknown>> = {
  OrderPlaced: {
    orderId: 'o-01m8466b0bznvvqs2gyev918fp',
    memberId: 'm-gold',
    productId: 'p-headphones',
    productType: 'SUPPLIER',
    quantity: 1,
    payment: 'POINTS',
    points: 12000,
    cashCents: 0,
    status: 'PLACED',
    supplier: { supplierId: 'jd', sku: '100012043978' },
  },
  OrderStatusChanged: {
    orderId: 'o-01m8466b0bznvvqs2gyev918fp',
    memberId: 'm-gold',
    productId: 'p-headphones',
    from: 'ACCEPTED',
    to: 'SHIPPED',
    reason: 'jd: SHIPPED, tracking JD0042',
    supplier: { supplierId: 'jd', sku: '100012043978' },
    trackingNo: 'JD0042',
  },
  CashRefundRequested: { orderId: 'o-1', memberId: 'm-1', paymentId: 'pay-1', amountCents: 990, reason: 'order o-1 is EXPIRED; the payment must be refunded' },
  AuctionWon: {
    auctionId: 'a-demo-headphones',
    productId: 'p-headphones',
    memberId: 'm-gold',
    price: 5200,
    orderId: 'o-01m8466b0bznvvqs2gyev918fq',
    bids: 14,
    endedAt: '2026-05-08T12:00:00.000Z',
  },
  AuctionCancelled: {
    auctionId: 'a-demo-tea-set',
    productId: 'p-tea-set',
    phase: 'OPEN',
    reason: 'the lot was damaged in the warehouse',
    cancelledBy: 'operator-1',
    cancelledAt: '2026-05-03T09:30:00.000Z',
    bids: 3,
    price: 600,
    released: { memberId: 'm-gold', points: 900 },
  },
  // The expiry jobs put these two on the bus themselves before they moved to the outbox, with `version` inside the detail.
  PointsExpired: { version: 1, memberId: 'm-gold', currency: 'points', bucket: '2026-01', points: 70, at: '2026-02-01T00:05:00.000Z' },
  PointsExpiringSoon: { version: 1, memberId: 'm-gold', currency: 'points', bucket: '2026-02', points: 70, expiresAt: '2026-03-01T00:00:00.000Z' },
  SupplierCallbackReceived: { sender: 'jd', messageId: 'msg-1', orderId: 'o-1', status: 'SHIPPED', trackingNo: 'JD0042' },
  PaymentCallbackReceived: { sender: 'wechatpay', paymentId: 'pay-1', orderId: 'o-1', status: 'SUCCEEDED', amountCents: 990 },
};

/** The other shape version 1 of these events was published in: an expiry by inactivity. */
const publishedV1Inactivity: [EventType, Record<string, unknown>][] = [
  [
    'PointsExpired',
    { version: 1, memberId: 'm-gold', currency: 'points', bucket: null, points: 80, at: '2026-08-01T00:20:00.000Z', cause: 'inactivity', lastActiveMonth: '2025-07' },
  ],
  [
    'PointsExpiringSoon',
    { version: 1, memberId: 'm-gold', currency: 'points', bucket: null, points: 80, expiresAt: '2026-08-01T00:00:00.000Z', cause: 'inactivity', lastActiveMonth: '2025-07' },
  ],
];

describe('event schemas', () => {
  it.each(Object.entries(publishedV1))('still accept %s as version 1 published it', (type, detail) => {
    const schema = eventSchemas[type as EventType];
    expect(schema.version).toBe(1);
    expect(schema.detail.safeParse(detail).success).toBe(true);
  });

  it.each(publishedV1Inactivity)('still accept %s of an inactivity expiry as version 1 published it', (type, detail) => {
    expect(eventSchemas[type].detail.safeParse(detail).success).toBe(true);
  });

  it('keeps the detail fields of the expiry events when written to the outbox', () => {
    // Act
    const expired = typedEvent('PointsExpired', { memberId: 'm-1', currency: 'points', bucket: null, points: 80, at: '2026-08-01T00:20:00.000Z', cause: 'inactivity', lastActiveMonth: '2025-07' });

    // Assess: the outbox adds the version (and eventId, occurredAt) when it publishes
    expect(expired).toEqual({
      detailType: 'PointsExpired',
      version: 1,
      detail: { memberId: 'm-1', currency: 'points', bucket: null, points: 80, at: '2026-08-01T00:20:00.000Z', cause: 'inactivity', lastActiveMonth: '2025-07' },
    });
    expect(() => typedEvent('PointsExpiringSoon', { memberId: 'm-1', currency: 'points', bucket: '2026-02', points: 1.5, expiresAt: '2026-03-01T00:00:00.000Z' })).toThrow();
  });

  it('has a published sample for every event type', () => {
    expect(Object.keys(publishedV1).sort()).toEqual(Object.keys(eventSchemas).sort());
  });

  it('refuses to write an event whose detail breaks its schema', () => {
    expect(() => typedEvent('OrderStatusChanged', { orderId: 'o-1' } as never)).toThrow();
  });
});
