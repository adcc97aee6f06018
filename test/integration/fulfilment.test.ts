/**
 * Supplier and payment callbacks end to end, as locally deployed: signed
 * webhook -> outbox -> table stream -> outbox publisher -> bus rules ->
 * fulfilment function -> order transitions (and their own events). On a
 * table of this file's own, with the real DynamoDB Local stream.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ulid } from 'ulid';
import { LocalBus } from '../../bin/local/bus.js';
import { LocalStreams } from '../../bin/local/streams.js';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { useLocalEventSink, type DomainEvent } from '../../shared/events/publisher.js';
import { commit } from '../../shared/ledger/ledger.js';
import { createProduct, type ProductInput } from '../../shared/mall/catalogue.js';
import { placeOrder, readOrder } from '../../shared/mall/orders.js';
import { readStock } from '../../shared/mall/stock.js';
import { registerMember } from '../../shared/members/service.js';
import { sign } from '../../shared/webhooks/signature.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

const tableName = `points-mall-fulfil-${ulid().toLowerCase()}`;
process.env.TABLE_NAME = tableName;
resetConfigForTests();
const endpoint = inject('dynamodbEndpoint');

const jd = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wechat = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
process.env.WEBHOOK_SENDERS = JSON.stringify({ suppliers: { jd: pem(jd.publicKey) }, payments: { wechatpay: pem(wechat.publicKey) } });

let api: TestApi;
let streams: LocalStreams;
let bus: LocalBus;
const published: DomainEvent[] = [];
const streamErrors: unknown[] = [];

beforeAll(async () => {
  const client = localClient(endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  api = await TestApi.create();
  bus = new LocalBus();
  useLocalEventSink(async (events) => {
    published.push(...events);
    await bus.publish(events);
  });
  streams = new LocalStreams({ endpoint, tableName, onError: (_, error) => streamErrors.push(error) });
});

afterAll(() => streams.stop());

/** Runs the asynchronous part (stream, bus, consumers and the events they write) until nothing moves. */
async function settle(): Promise<void> {
  for (let round = 0; round < 10; round += 1) {
    const read = await streams.drain();
    await bus.drain();
    if (read === 0) return;
  }
}

async function webhook(kind: 'suppliers' | 'payments', sender: string, key: KeyObject, body: Record<string, unknown>) {
  const text = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomUUID();
  return api.call('POST', `/v1/webhooks/${kind}/${sender}`, {
    rawBody: text,
    headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-nonce': nonce, 'x-signature': sign(key, timestamp, nonce, text) },
  });
}

async function supplierOrder(fields: Partial<ProductInput> = {}) {
  const memberId = uniqueId('ful');
  await registerMember(memberId, {});
  await commit({ moves: [{ memberId, type: 'EARN', points: 20_000, bucket: '2031-01', reason: 'test' }] });
  const product = await createProduct({
    productId: uniqueId('p'),
    name: 'Headphones (JD)',
    description: '',
    type: 'SUPPLIER',
    zone: 'main',
    pricePoints: 5000,
    pointsCash: { points: 2000, cashCents: 990 },
    visibleToTiers: null,
    limits: { perDay: null, lifetime: null },
    saleStartsAt: null,
    saleEndsAt: null,
    supplier: { supplierId: 'jd', sku: '100012043978' },
    couponTemplateId: null,
    status: 'ACTIVE',
    sortOrder: 1,
    stockShards: 2,
    initialStock: 10,
    ...fields,
  });
  return { memberId, productId: product.productId };
}

async function order(memberId: string, productId: string, payment: 'POINTS' | 'POINTS_CASH' = 'POINTS') {
  const outcome = await placeOrder({ memberId, productId, quantity: 1, payment, idempotency: { scope: 'test', key: ulid(), fingerprint: 'f' } });
  if (outcome.replayed) throw new Error('unexpected replay');
  return (outcome.response?.body as { orderId: string }).orderId;
}

describe('order fulfilment through the bus', () => {
  it('moves a supplier order from PLACED to DELIVERED on signed callbacks, and publishes each change', async () => {
    const { memberId, productId } = await supplierOrder();
    const orderId = await order(memberId, productId);
    for (const status of ['ACCEPTED', 'SHIPPED', 'DELIVERED']) {
      const res = await webhook('suppliers', 'jd', jd.privateKey, { messageId: uniqueId('m'), orderId, status, ...(status === 'SHIPPED' ? { trackingNo: 'JD0042' } : {}) });
      expect(res.status).toBe(202);
      await settle();
    }

    const final = await readOrder(orderId);
    expect(final?.status).toBe('DELIVERED');
    expect(final?.history.map((h) => h.status)).toEqual(['PLACED', 'ACCEPTED', 'SHIPPED', 'DELIVERED']);
    expect(published.filter((e) => e.detail.orderId === orderId).map((e) => `${e.detailType}${e.detail.to ? `:${String(e.detail.to)}` : ''}`)).toEqual(
      expect.arrayContaining(['OrderPlaced', 'SupplierCallbackReceived', 'OrderStatusChanged:ACCEPTED', 'OrderStatusChanged:SHIPPED', 'OrderStatusChanged:DELIVERED']),
    );
    expect(bus.deadLetters).toEqual([]);
    expect(streamErrors).toEqual([]);
  });

  it('returns the points of a REJECTED order exactly once when the callback arrives 5 times at once', async () => {
    const { memberId, productId } = await supplierOrder();
    const orderId = await order(memberId, productId);
    const rejected = { messageId: uniqueId('m'), orderId, status: 'REJECTED' };

    // The supplier retries its message 5 times (new nonces, same messageId), all at once.
    const answers = await Promise.all(Array.from({ length: 5 }, () => webhook('suppliers', 'jd', jd.privateKey, rejected)));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    await settle();

    expect((await readOrder(orderId))?.status).toBe('REJECTED');
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(entries.filter((e) => e.type === 'REFUND')).toHaveLength(1);
    expect(wallet.available).toBe(20_000);
    expect((await readStock(productId, 2)).available).toBe(10);
  });

  it('applies SHIPPED before ACCEPTED (ACCEPTED implied), ignores the late ACCEPTED, and parks a REJECTED after shipping', async () => {
    const { memberId, productId } = await supplierOrder();
    const orderId = await order(memberId, productId);
    await webhook('suppliers', 'jd', jd.privateKey, { messageId: uniqueId('m'), orderId, status: 'SHIPPED', trackingNo: 'JD7' });
    await settle();
    await webhook('suppliers', 'jd', jd.privateKey, { messageId: uniqueId('m'), orderId, status: 'ACCEPTED' });
    await webhook('suppliers', 'jd', jd.privateKey, { messageId: uniqueId('m'), orderId, status: 'REJECTED' });
    await settle();

    const final = await readOrder(orderId);
    expect(final?.status).toBe('SHIPPED');
    expect(final?.history.at(-1)?.reason).toContain('ACCEPTED implied');
    const { entries } = await expectLedgerExplainsWallet(memberId);
    expect(entries.filter((e) => e.type === 'REFUND')).toEqual([]);
  });

  it('captures a points+cash order on a payment callback once, and asks for a cash refund of a payment for a released order', async () => {
    const { memberId, productId } = await supplierOrder();
    const paid = await order(memberId, productId, 'POINTS_CASH');
    const released = await order(memberId, productId, 'POINTS_CASH');
    await api.call('POST', `/v1/orders/${released}/cancel`, { token: await api.token('member', memberId) });

    const payment = { paymentId: uniqueId('pay'), orderId: paid, status: 'SUCCEEDED', amountCents: 990 };
    await webhook('payments', 'wechatpay', wechat.privateKey, payment);
    await webhook('payments', 'wechatpay', wechat.privateKey, payment);
    await webhook('payments', 'wechatpay', wechat.privateKey, { paymentId: uniqueId('pay'), orderId: released, status: 'SUCCEEDED', amountCents: 990 });
    await settle();

    expect((await readOrder(paid))?.status).toBe('PAID');
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(entries.filter((e) => e.type === 'CAPTURE')).toHaveLength(1);
    expect(wallet).toMatchObject({ available: 18_000, held: 0 });
    expect(published.filter((e) => e.detailType === 'CashRefundRequested' && e.detail.orderId === released)).toHaveLength(1);
  });
});
