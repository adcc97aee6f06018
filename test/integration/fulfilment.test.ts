/**
 * Supplier and payment callbacks end to end, as locally deployed: signed
 * webhook -> outbox -> table stream -> outbox publisher -> bus rules ->
 * fulfilment function -> order transitions (and their own events). On a
 * table of this file's own, with the real DynamoDB Local stream.
 */
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ulid } from 'ulid';
import { LocalBus } from '../../bin/local/bus.js';
import { inMemoryDevKeys } from '../../bin/local/dev-keys.js';
import { LocalGateway } from '../../bin/local/gateway.js';
import { createLocalHttpServer, type LocalHttpServer } from '../../bin/local/http-server.js';
import { localPaymentCredentials, startSimulatedPayments, type SimulatedPayments } from '../../bin/local/simulated-payments.js';
import { localSupplierCredentials, startSimulatedSuppliers, type SimulatedSuppliers } from '../../bin/local/simulated-suppliers.js';
import { loadOrCreateSenderKeys } from '../../bin/local/webhook-keys.js';
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

// The senders' dev key pairs, as npm start makes them: the simulated suppliers sign with them too.
const senderKeys = loadOrCreateSenderKeys(mkdtempSync(join(tmpdir(), 'pm-senders-')));
process.env.WEBHOOK_SENDERS = senderKeys.config;
process.env.SUPPLIER_CREDENTIALS = JSON.stringify(localSupplierCredentials);
process.env.PAYMENT_CREDENTIALS = JSON.stringify(localPaymentCredentials);
const privateKey = (sender: string) => createPrivateKey(readFileSync(senderKeys.privateKeys[sender] ?? '', 'utf8'));
const jd = { privateKey: privateKey('suppliers/jd') };
const wechat = { privateKey: privateKey('payments/wechatpay') };

let server: LocalHttpServer;
let suppliers: SimulatedSuppliers | undefined;
// Cash refunds (CashRefundRequested) go to the simulated payment providers' refund APIs.
let payments: SimulatedPayments | undefined;

/** (Re)starts the simulated suppliers with a delay before each callback; a long delay keeps them quiet during a test. */
async function simulateSuppliers(delayMs: number): Promise<void> {
  await suppliers?.stop();
  const port = (server.address() as AddressInfo).port;
  suppliers = await startSimulatedSuppliers({ webhookBaseUrl: `http://127.0.0.1:${port}`, senderPrivateKeys: senderKeys.privateKeys, delayMs });
  process.env.SUPPLIER_ENDPOINTS = JSON.stringify(Object.fromEntries(Object.entries(suppliers.endpoints).map(([id, baseUrl]) => [id, { baseUrl }])));
}

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
  server = createLocalHttpServer(new LocalGateway(await inMemoryDevKeys()), { logRequests: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await simulateSuppliers(10 * 60_000);
  payments = await startSimulatedPayments({
    webhookBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    senderPrivateKeys: senderKeys.privateKeys,
    delayMs: 10,
  });
  process.env.PAYMENT_ENDPOINTS = JSON.stringify(Object.fromEntries(Object.entries(payments.endpoints).map(([id, baseUrl]) => [id, { baseUrl }])));
});

afterAll(async () => {
  streams.stop();
  await suppliers?.stop();
  await payments?.stop();
  await new Promise((resolve) => server.close(resolve));
});

/** Settles until the order reaches `status` (callbacks of the simulated suppliers arrive over HTTP meanwhile). */
async function until(orderId: string, status: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await readOrder(orderId))?.status !== status) {
    if (Date.now() > deadline) throw new Error(`order ${orderId} did not reach ${status}; it is ${(await readOrder(orderId))?.status}`);
    await settle();
    await new Promise((r) => setTimeout(r, 50));
  }
}

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
  it('takes a supplier order from PLACED to DELIVERED with the simulated supplier, publishing each change', async () => {
    await simulateSuppliers(30);
    try {
      const { memberId, productId } = await supplierOrder();
      const orderId = await order(memberId, productId);

      await until(orderId, 'DELIVERED');

      // The callbacks travel webhook -> outbox -> stream -> bus independently, so a later status may overtake an
      // earlier one; the rank rule then records the skipped ones as implied. The order never goes backwards.
      const final = await readOrder(orderId);
      const statuses = final?.history.map((h) => h.status) ?? [];
      expect(statuses.slice(0, 2)).toEqual(['PLACED', 'SUBMITTED']);
      expect(statuses.at(-1)).toBe('DELIVERED');
      const ranks = statuses.map((s) => ['PLACED', 'SUBMITTED', 'ACCEPTED', 'SHIPPED', 'DELIVERED'].indexOf(s));
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(final?.history.map((h) => h.reason).join(' ')).toMatch(/tracking|implied/);
      expect(published.filter((e) => e.detail.orderId === orderId).map((e) => `${e.detailType}${e.detail.to ? `:${String(e.detail.to)}` : ''}`)).toEqual(
        expect.arrayContaining(['OrderPlaced', 'OrderStatusChanged:SUBMITTED', 'OrderStatusChanged:DELIVERED']),
      );
      expect(bus.deadLetters).toEqual([]);
      expect(streamErrors).toEqual([]);
    } finally {
      await simulateSuppliers(10 * 60_000);
    }
  });

  it('ends an order the supplier rejects as REJECTED, giving the points back', async () => {
    await simulateSuppliers(30);
    try {
      const { memberId, productId } = await supplierOrder({ supplier: { supplierId: 'jd', sku: 'REJECT-out-of-range' } });
      const orderId = await order(memberId, productId);
      await until(orderId, 'REJECTED');
      const { wallet } = await expectLedgerExplainsWallet(memberId);
      expect(wallet.available).toBe(20_000);
    } finally {
      await simulateSuppliers(10 * 60_000);
    }
  });

  it('returns the points of a REJECTED order exactly once when the callback arrives 5 times at once', async () => {
    const { memberId, productId } = await supplierOrder();
    const orderId = await order(memberId, productId);
    await until(orderId, 'SUBMITTED');
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
    await until(orderId, 'SUBMITTED');
    await webhook('suppliers', 'jd', jd.privateKey, { messageId: uniqueId('m'), orderId, status: 'SHIPPED', trackingNo: 'JD7' });
    await settle();
    await webhook('suppliers', 'jd', jd.privateKey, { messageId: uniqueId('m'), orderId, status: 'ACCEPTED' });
    await webhook('suppliers', 'jd', jd.privateKey, { messageId: uniqueId('m'), orderId, status: 'REJECTED' });
    await settle();

    const final = await readOrder(orderId);
    expect(final?.status).toBe('SHIPPED');
    expect(final?.trackingNo).toBe('JD7');
    const shown = await api.call<{ trackingNo?: string; history: unknown[] }>('GET', `/v1/orders/${orderId}`, { token: await api.token('member', memberId) });
    expect(shown.body.trackingNo).toBe('JD7');
    expect(final?.history.map((h) => h.status)).toEqual(['PLACED', 'SUBMITTED', 'SHIPPED']);
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

    // Paid, then handed to the supplier.
    await until(paid, 'SUBMITTED');
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(entries.filter((e) => e.type === 'CAPTURE')).toHaveLength(1);
    expect(wallet).toMatchObject({ available: 18_000, held: 0 });
    expect(published.filter((e) => e.detailType === 'CashRefundRequested' && e.detail.orderId === released)).toHaveLength(1);
  });

  it('lands a supplier order in the dead letters while the supplier is down, and a redrive completes it', async () => {
    // Nothing listens on port 9: every submission fails as unreachable, the bus retries, then dead-letters it.
    process.env.SUPPLIER_ENDPOINTS = JSON.stringify({ jd: { baseUrl: 'http://127.0.0.1:9' }, tmall: { baseUrl: 'http://127.0.0.1:9' } });
    const { memberId, productId } = await supplierOrder();
    const orderId = await order(memberId, productId);
    await settle();
    expect(bus.deadLetters.filter((d) => d.event.detail.orderId === orderId).map((d) => d.rule)).toEqual(['supplier-jd-placed']);
    expect((await readOrder(orderId))?.status).toBe('PLACED');

    // The supplier is back: the redrive delivers the event again and the order goes on.
    await simulateSuppliers(10 * 60_000);
    expect(await bus.redrive()).toBe(1);
    await until(orderId, 'SUBMITTED');
    expect(bus.deadLetters).toEqual([]);
  });
});
