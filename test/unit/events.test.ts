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
  SupplierCallbackReceived: { sender: 'jd', messageId: 'msg-1', orderId: 'o-1', status: 'SHIPPED', trackingNo: 'JD0042' },
  PaymentCallbackReceived: { sender: 'wechatpay', paymentId: 'pay-1', orderId: 'o-1', status: 'SUCCEEDED', amountCents: 990 },
};

describe('event schemas', () => {
  it.each(Object.entries(publishedV1))('still accept %s as version 1 published it', (type, detail) => {
    const schema = eventSchemas[type as EventType];
    expect(schema.version).toBe(1);
    expect(schema.detail.safeParse(detail).success).toBe(true);
  });

  it('has a published sample for every event type', () => {
    expect(Object.keys(publishedV1).sort()).toEqual(Object.keys(eventSchemas).sort());
  });

  it('refuses to write an event whose detail breaks its schema', () => {
    expect(() => typedEvent('OrderStatusChanged', { orderId: 'o-1' } as never)).toThrow();
  });
});
