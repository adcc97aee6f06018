import { beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { commit } from '../../shared/ledger/ledger.js';
import { capturePayment, runPaymentTimeoutJob } from '../../shared/mall/orders.js';
import { readStock } from '../../shared/mall/stock.js';
import { registerMember, type Tier } from '../../shared/members/service.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin');
});

interface Order {
  orderId: string;
  status: string;
  points: number;
  cashCents: number;
  payBy: string | null;
  history: { status: string }[];
}

/** A registered member with `points` available (and a token). */
async function member(points: number, tier: Tier = 'normal'): Promise<{ memberId: string; token: string }> {
  const memberId = uniqueId('mall');
  await registerMember(memberId, { tier });
  if (points > 0) {
    await commit({ moves: [{ memberId, type: 'EARN', points, bucket: bucketAfterMonths(new Date(), 12), reason: 'test credit' }] });
  }
  return { memberId, token: await api.token('member', memberId) };
}

async function product(body: Record<string, unknown>): Promise<string> {
  const productId = uniqueId('prod');
  const res = await api.call('POST', '/v1/admin/products', {
    token: admin,
    body: { productId, name: 'Test product', type: 'PHYSICAL', zone: `z-${ulid().toLowerCase().slice(-10)}`, pricePoints: 100, ...body },
  });
  if (res.status !== 201) throw new Error(`product not created: ${res.text}`);
  return productId;
}

function order(token: string, body: Record<string, unknown>, key: string = ulid()) {
  return api.call<Order & { code?: string }>('POST', '/v1/orders', { token, body, headers: { 'idempotency-key': key } });
}

describe('redemption under a flash-sale peak', () => {
  it('sells exactly the stock to 1,000 concurrent redemptions by 500 members, and the ledger explains every order', async () => {
    // Prepare: stock 100 over 8 shards; 500 members with points for several units each
    const productId = await product({ name: 'Flash sale shoes', stockShards: 8, initialStock: 100, pricePoints: 300 });
    const members = await Promise.all(Array.from({ length: 500 }, () => member(1000)));

    // Act: every member taps "redeem" twice, all at once
    const responses = await Promise.all(members.flatMap((m) => [order(m.token, { productId }), order(m.token, { productId })]));

    // Assess: exactly 100 orders; the rest sold out
    const accepted = responses.filter((r) => r.status === 201);
    expect(accepted).toHaveLength(100);
    const refused = responses.filter((r) => r.status !== 201);
    expect(new Set(refused.map((r) => `${r.status} ${r.body.code}`))).toEqual(new Set(['409 OUT_OF_STOCK']));
    const stock = await readStock(productId, 8);
    expect(stock.available).toBe(0);
    expect(stock.sold).toBe(100);
    expect(stock.available + stock.sold).toBe(100);

    // Every accepted order has exactly one SPEND entry; no member below zero; ledger = balances
    const orderIds = new Set(accepted.map((r) => r.body.orderId));
    let spendEntries = 0;
    for (const m of members) {
      const { wallet, entries } = await expectLedgerExplainsWallet(m.memberId);
      const spends = entries.filter((e) => e.type === 'SPEND');
      for (const spend of spends) expect(orderIds.has(String(spend.ref))).toBe(true);
      spendEntries += spends.length;
      expect(wallet.available).toBe(1000 - 300 * spends.length);
    }
    expect(spendEntries).toBe(100);

    // A later request is answered from the sold-out flag
    const late = await order(members[0]?.token ?? '', { productId });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('OUT_OF_STOCK');
  }, 120_000);

  it('lets one member fire 50 parallel requests at a limit of 1 and accepts exactly one', async () => {
    const productId = await product({ stockShards: 4, initialStock: 40, limits: { lifetime: 1 } });
    const m = await member(10_000);

    const responses = await Promise.all(Array.from({ length: 50 }, () => order(m.token, { productId })));

    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(Array(49).fill('LIMIT_REACHED'));
    const { wallet } = await expectLedgerExplainsWallet(m.memberId);
    expect(wallet.available).toBe(10_000 - 100);
    expect((await readStock(productId, 4)).available).toBe(39);
  }, 60_000);
});

describe('refusals change nothing', () => {
  it.each([
    ['INSUFFICIENT_POINTS', 409, {}, 50, 'normal'],
    ['NOT_ON_SALE', 409, { saleStartsAt: '2099-01-01T00:00:00Z' }, 1000, 'normal'],
    ['NOT_ON_SALE', 409, { saleEndsAt: '2020-01-01T00:00:00Z', saleStartsAt: '2019-01-01T00:00:00Z' }, 1000, 'normal'],
    ['FORBIDDEN', 403, { visibleToTiers: ['gold', 'diamond'] }, 1000, 'silver'],
    ['OUT_OF_STOCK', 409, { initialStock: 0 }, 1000, 'normal'],
  ] as const)('answers %s (%i) and leaves points, stock and orders alone', async (code, status, fields, points, tier) => {
    const productId = await product({ initialStock: 5, ...fields });
    const m = await member(points, tier);

    const res = await order(m.token, { productId });

    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect((await getWallet(m.memberId, 'points')).available).toBe(points);
    expect((await allLedgerEntries(m.memberId, 'points')).filter((e) => e.type !== 'EARN')).toEqual([]);
    expect((await readStock(productId, 1)).sold).toBe(0);
    const mine = await api.call<{ items: unknown[] }>('GET', '/v1/me/orders', { token: m.token });
    expect(mine.body.items).toEqual([]);
  });

  it('answers LIMIT_REACHED on the second unit of a 1-per-day product', async () => {
    const productId = await product({ initialStock: 5, limits: { perDay: 1 } });
    const m = await member(1000);
    expect((await order(m.token, { productId })).status).toBe(201);
    const second = await order(m.token, { productId });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('LIMIT_REACHED');
    expect((await getWallet(m.memberId, 'points')).available).toBe(900);
  });

  it('requires an Idempotency-Key and replays the first answer for a retry', async () => {
    const productId = await product({ initialStock: 5 });
    const m = await member(1000);
    const missing = await api.call('POST', '/v1/orders', { token: m.token, body: { productId } });
    expect(missing.status).toBe(400);

    const key = ulid();
    const first = await order(m.token, { productId }, key);
    const retry = await order(m.token, { productId }, key);
    expect(retry.status).toBe(201);
    expect(retry.body.orderId).toBe(first.body.orderId);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const other = await order(m.token, { productId, quantity: 2 }, key);
    expect(other.status).toBe(422);
    expect((await getWallet(m.memberId, 'points')).available).toBe(900);
  });
});

describe('orders', () => {
  it('shows an order to its owner and operators only, and cancels it with points, stock and limit back', async () => {
    const productId = await product({ initialStock: 3, limits: { lifetime: 1 } });
    const m = await member(1000);
    const stranger = await member(0);
    const placed = await order(m.token, { productId });
    expect(placed.status).toBe(201);
    const { orderId } = placed.body;

    expect((await api.call('GET', `/v1/orders/${orderId}`, { token: m.token })).status).toBe(200);
    expect((await api.call('GET', `/v1/admin/orders/${orderId}`, { token: admin })).status).toBe(200);
    expect((await api.call('GET', `/v1/orders/${orderId}`, { token: admin })).status).toBe(403);
    expect((await api.call('GET', `/v1/orders/${orderId}`, { token: stranger.token })).status).toBe(404);
    expect((await api.call('POST', `/v1/orders/${orderId}/cancel`, { token: stranger.token })).status).toBe(404);

    const cancelled = await api.call<Order>('POST', `/v1/orders/${orderId}/cancel`, { token: m.token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    expect(cancelled.body.history.map((h) => h.status)).toEqual(['PLACED', 'CANCELLED']);
    const again = await api.call<Order>('POST', `/v1/orders/${orderId}/cancel`, { token: m.token });
    expect(again.body.status).toBe('CANCELLED');

    const { wallet, entries } = await expectLedgerExplainsWallet(m.memberId);
    expect(wallet.available).toBe(1000);
    expect(entries.filter((e) => e.type === 'REFUND')).toHaveLength(1);
    expect((await readStock(productId, 1)).available).toBe(3);
    // The limit unit came back: the member may redeem it again.
    expect((await order(m.token, { productId })).status).toBe(201);
    const list = await api.call<{ items: Order[] }>('GET', '/v1/me/orders', { token: m.token });
    expect(list.body.items.map((o) => o.status)).toEqual(['PLACED', 'CANCELLED']);
  });
});

describe('operators on orders', () => {
  it('cancels a member\'s order through the admin route, named in its history, and refuses the member route to the operator', async () => {
    // Prepare
    const productId = await product({ initialStock: 2 });
    const m = await member(500);
    const placed = await order(m.token, { productId });
    const operator = await api.token('admin', 'operator-orders');

    // Act
    const viaMemberRoute = await api.call('POST', `/v1/orders/${placed.body.orderId}/cancel`, { token: operator });
    const cancelled = await api.call<Order>('POST', `/v1/admin/orders/${placed.body.orderId}/cancel`, {
      token: operator,
      headers: { 'idempotency-key': `cancel-${placed.body.orderId}` },
    });

    // Assess
    expect(viaMemberRoute.status).toBe(403);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    const { wallet, entries } = await expectLedgerExplainsWallet(m.memberId);
    expect(wallet.available).toBe(500);
    expect(entries.filter((e) => e.type === 'REFUND')).toHaveLength(1);
    expect((cancelled.body.history as { reason?: string }[]).at(-1)?.reason).toBe('cancelled by operator operator-orders');
  });
});

describe('points plus cash', () => {
  it('holds points until paid, releases unpaid orders after payBy, and never captures a late payment', async () => {
    const productId = await product({ initialStock: 2, pricePoints: 5000, pointsCash: { points: 2000, cashCents: 990 } });
    const m = await member(5000);

    const unpaid = await order(m.token, { productId, payment: 'POINTS_CASH' });
    expect(unpaid.status).toBe(201);
    expect(unpaid.body).toMatchObject({ status: 'PENDING_PAYMENT', points: 2000, cashCents: 990 });
    const wallet = await getWallet(m.memberId, 'points');
    expect(wallet).toMatchObject({ available: 3000, held: 2000 });

    const paid = await order(m.token, { productId, payment: 'POINTS_CASH' });
    expect(await capturePayment(paid.body.orderId, { paymentId: 'pay-1', amountCents: 990 })).toMatchObject({ outcome: 'CAPTURED' });
    expect(await capturePayment(paid.body.orderId, { paymentId: 'pay-1', amountCents: 990 })).toMatchObject({ outcome: 'ALREADY_CAPTURED' });

    // Before payBy nothing is released; after it, the sweeper releases the unpaid order (twice is harmless)
    const before = await runPaymentTimeoutJob({ now: new Date() });
    expect(before.ordersReleased).toBe(0);
    const after = new Date(Date.parse(unpaid.body.payBy ?? '') + 1000);
    const swept = await Promise.all([runPaymentTimeoutJob({ now: after }), runPaymentTimeoutJob({ now: after })]);
    expect(swept.reduce((n, s) => n + (s.ordersReleased ?? 0), 0)).toBeGreaterThanOrEqual(1);
    const released = await api.call<Order>('GET', `/v1/orders/${unpaid.body.orderId}`, { token: m.token });
    expect(released.body.status).toBe('EXPIRED');

    // A payment arriving now is refused: the cash must be refunded, the points are not captured
    expect(await capturePayment(unpaid.body.orderId, { paymentId: 'pay-late', amountCents: 990 }, after)).toMatchObject({ outcome: 'REFUND_REQUIRED' });
    const { wallet: finalWallet, entries } = await expectLedgerExplainsWallet(m.memberId);
    expect(finalWallet).toMatchObject({ available: 3000, held: 0 });
    expect(entries.filter((e) => e.type === 'CAPTURE')).toHaveLength(1);
    expect(entries.filter((e) => e.type === 'RELEASE')).toHaveLength(1);
    expect((await readStock(productId, 1)).available).toBe(1);
  });
});

describe('catalogue', () => {
  it('lists a zone in order for the tiers that may see each product, and rebalances stock', async () => {
    const zone = `zone-${ulid().toLowerCase().slice(-8)}`;
    const everyone = await product({ zone, sortOrder: 2, name: 'For everyone' });
    const goldOnly = await product({ zone, sortOrder: 1, name: 'Gold club', visibleToTiers: ['gold', 'diamond'], stockShards: 4, initialStock: 10 });
    const normal = await member(0);
    const gold = await member(1000, 'gold');

    const seenByNormal = await api.call<{ items: { productId: string }[] }>('GET', `/v1/mall/products?zone=${zone}`, { token: normal.token });
    expect(seenByNormal.body.items.map((p) => p.productId)).toEqual([everyone]);
    const seenByGold = await api.call<{ items: { productId: string }[] }>('GET', `/v1/mall/products?zone=${zone}&limit=1`, { token: gold.token });
    expect(seenByGold.body.items.map((p) => p.productId)).toEqual([goldOnly]);
    expect((await api.call('GET', `/v1/mall/products/${goldOnly}`, { token: normal.token })).status).toBe(404);

    expect((await order(gold.token, { productId: goldOnly, quantity: 3 })).status).toBe(201);
    const rebalanced = await api.call<{ available: number; sold: number; shards: { available: number }[] }>(
      'POST',
      `/v1/admin/products/${goldOnly}/stock/rebalance`,
      { token: admin, body: { shards: 2 } },
    );
    expect(rebalanced.status).toBe(200);
    expect(rebalanced.body.available).toBe(7);
    expect(rebalanced.body.shards.slice(0, 2).map((s) => s.available)).toEqual([4, 3]);
    const restocked = await api.call<{ available: number }>('PUT', `/v1/admin/products/${goldOnly}/stock`, { token: admin, body: { mode: 'add', quantity: 5 } });
    expect(restocked.body.available).toBe(12);
  });
});
