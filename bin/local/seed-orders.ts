/**
 * Demo orders, so the console's Orders screen has something to list and open on a fresh start: a coupon and a
 * code delivered at once (FULFILLED: refundable), goods placed (PLACED: cancellable), and a points+cash order
 * waiting for its cash part (released as EXPIRED by the payment-timeouts job after 15 minutes). Placed through the
 * redemption itself (the same item, index entries and events as a member's order), once per key: a restart
 * answers the stored orders.
 */
import { fingerprintOf } from '../../shared/ledger/idempotency.js';
import { placeOrder } from '../../shared/mall/orders.js';

const SEED_IDEMPOTENCY_TTL_SECONDS = 100 * 365 * 24 * 3600;

const demoOrders = [
  { key: 'order:m-gold:coffee-coupon', memberId: 'm-gold', productId: 'p-coffee-coupon', payment: 'POINTS' },
  { key: 'order:m-diamond:phone-topup', memberId: 'm-diamond', productId: 'p-phone-topup', payment: 'POINTS' },
  { key: 'order:m-silver:tea-set', memberId: 'm-silver', productId: 'p-tea-set', payment: 'POINTS' },
  { key: 'order:m-diamond:headphones', memberId: 'm-diamond', productId: 'p-headphones', payment: 'POINTS_CASH' },
] as const;

export async function seedOrders(now: Date): Promise<void> {
  for (const order of demoOrders) {
    await placeOrder({
      memberId: order.memberId,
      productId: order.productId,
      quantity: 1,
      payment: order.payment,
      idempotency: { scope: 'seed', key: order.key, fingerprint: fingerprintOf(order.key), ttlSeconds: SEED_IDEMPOTENCY_TTL_SECONDS },
      now,
    });
  }
}
