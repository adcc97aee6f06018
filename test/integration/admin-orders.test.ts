/**
 * The operators' orders: the list with its filters (GSI3 by month, the
 * member's list), one order's page (callbacks verified and refused, events,
 * cash refunds), and the refund of a delivered or failed order, end to end as
 * locally deployed: signed webhooks -> outbox -> stream -> bus -> fulfilment
 * (suppliers and the payment providers' refund APIs, simulated). On a table
 * of this file's own, with the real DynamoDB Local stream.
 */
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalBus } from '../../bin/local/bus.js';
import { inMemoryDevKeys } from '../../bin/local/dev-keys.js';
import { LocalGateway } from '../../bin/local/gateway.js';
import { createLocalHttpServer, type LocalHttpServer } from '../../bin/local/http-server.js';
import { localPaymentCredentials, startSimulatedPayments, type SimulatedPayments } from '../../bin/local/simulated-payments.js';
import { localSupplierCredentials, startSimulatedSuppliers, type SimulatedSuppliers } from '../../bin/local/simulated-suppliers.js';
import { LocalStreams } from '../../bin/local/streams.js';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { loadOrCreateSenderKeys } from '../../bin/local/webhook-keys.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { useLocalEventSink } from '../../shared/events/publisher.js';
import { commit } from '../../shared/ledger/ledger.js';
import { createProduct, type ProductInput } from '../../shared/mall/catalogue.js';
import { monthsBetween } from '../../shared/mall/order-admin.js';
import { readOrder, unwind } from '../../shared/mall/orders.js';
import { keys } from '../../shared/table/keys.js';
import { registerMember } from '../../shared/members/service.js';
import { sign } from '../../shared/webhooks/signature.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

const tableName = `points-mall-orders-${ulid().toLowerCase()}`;
process.env.TABLE_NAME = tableName;
resetConfigForTests();
const endpoint = inject('dynamodbEndpoint');

const senderKeys = loadOrCreateSenderKeys(mkdtempSync(join(tmpdir(), 'pm-senders-')));
process.env.WEBHOOK_SENDERS = senderKeys.config;
process.env.SUPPLIER_CREDENTIALS = JSON.stringify(localSupplierCredentials);
process.env.PAYMENT_CREDENTIALS = JSON.stringify(localPaymentCredentials);
const privateKey = (sender: string) => createPrivateKey(readFileSync(senderKeys.privateKeys[sender] ?? '', 'utf8'));
const jdKey = privateKey('suppliers/jd');
const wechatKey = privateKey('payments/wechatpay');

let api: TestApi;
let server: LocalHttpServer;
let suppliers: SimulatedSuppliers;
let payments: SimulatedPayments;
let streams: LocalStreams;
let bus: LocalBus;
let admin: string;
let support: string;
let marketer: string;
let analyst: string;

const endpointsOf = (urls: Record<string, string>) => JSON.stringify(Object.fromEntries(Object.entries(urls).map(([id, baseUrl]) => [id, { baseUrl }])));

beforeAll(async () => {
  const client = localClient(endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  api = await TestApi.create();
  bus = new LocalBus();
  useLocalEventSink(async (events) => bus.publish(events));
  streams = new LocalStreams({ endpoint, tableName });
  server = createLocalHttpServer(new LocalGateway(await inMemoryDevKeys()), { logRequests: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  suppliers = await startSimulatedSuppliers({ webhookBaseUrl: base, senderPrivateKeys: senderKeys.privateKeys, delayMs: 30 });
  payments = await startSimulatedPayments({ webhookBaseUrl: base, senderPrivateKeys: senderKeys.privateKeys, delayMs: 30 });
  process.env.SUPPLIER_ENDPOINTS = endpointsOf(suppliers.endpoints);
  process.env.PAYMENT_ENDPOINTS = endpointsOf(payments.endpoints);
  [admin, support, marketer, analyst] = await Promise.all([
    api.operatorToken('admin'),
    api.operatorToken('support'),
    api.operatorToken('marketer'),
    api.operatorToken('analyst'),
  ]);
});

afterAll(async () => {
  streams.stop();
  await suppliers.stop();
  await payments.stop();
  await new Promise((resolve) => server.close(resolve));
});

async function settle(): Promise<void> {
  for (let round = 0; round < 10; round += 1) {
    const read = await streams.drain();
    await bus.drain();
    if (read === 0) return;
  }
}

/** Settles until `check` holds (the simulated partners call back over HTTP meanwhile). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await settle();
    await new Promise((r) => setTimeout(r, 50));
  }
}

const statusIs = (orderId: string, status: string) => until(`${orderId} ${status}`, async () => (await readOrder(orderId))?.status === status);

async function webhook(kind: 'suppliers' | 'payments', sender: string, key: KeyObject, body: Record<string, unknown>, tamper = false) {
  const text = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomUUID();
  const signature = sign(key, timestamp, nonce, text);
  return api.call('POST', `/v1/webhooks/${kind}/${sender}`, {
    rawBody: tamper ? text.replace('}', ',"x":1}') : text,
    headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-nonce': nonce, 'x-signature': signature },
  });
}

async function product(fields: Partial<ProductInput> = {}): Promise<string> {
  const created = await createProduct({
    productId: uniqueId('p-ord'),
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
    initialStock: 20,
    ...fields,
  });
  return created.productId;
}

async function member(): Promise<{ memberId: string; token: string }> {
  const memberId = uniqueId('m-ord');
  await registerMember(memberId, {});
  await commit({ moves: [{ memberId, type: 'EARN', points: 20_000, bucket: '2031-01', reason: 'test' }] });
  return { memberId, token: await api.token('member', memberId) };
}

async function order(token: string, productId: string, payment: 'POINTS' | 'POINTS_CASH' = 'POINTS'): Promise<string> {
  const placed = await api.call<{ orderId: string }>('POST', '/v1/orders', { token, body: { productId, payment }, headers: { 'idempotency-key': ulid() } });
  if (placed.status !== 201) throw new Error(`order refused: ${placed.status} ${placed.text}`);
  return placed.body.orderId;
}

interface Page {
  items: { orderId: string; status: string; payment: string; memberId: string; productId: string }[];
  nextCursor: string | null;
}

async function list(query: string, token = analyst): Promise<Page> {
  const answer = await api.call<Page>('GET', `/v1/admin/orders?${query}`, { token });
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

/** Every order of a filtered list, page after page. */
async function listAll(query: string): Promise<Page['items']> {
  const all: Page['items'] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await list(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

interface Detail {
  status: string;
  history: { status: string; reason: string }[];
  callbacks: { kind: string; sender: string; verified: boolean; problem: string | null; status: string | null; outcome: string | null; refundId: string | null }[];
  cashRefunds: { refundId: string; state: string; amountCents: number; provider: string | null }[];
  events: { detailType: string; detail: Record<string, unknown> }[];
  refundable: boolean;
  cancellable: boolean;
}

const detail = async (orderId: string, token = analyst) => (await api.call<Detail>('GET', `/v1/admin/orders/${orderId}`, { token })).body;

/** A points+cash order paid through WeChat Pay and delivered by the simulated JD. */
async function deliveredCashOrder(): Promise<{ memberId: string; orderId: string; paymentId: string }> {
  const { memberId, token } = await member();
  const productId = await product();
  const orderId = await order(token, productId, 'POINTS_CASH');
  const paymentId = uniqueId('pay');
  expect((await webhook('payments', 'wechatpay', wechatKey, { paymentId, orderId, status: 'SUCCEEDED', amountCents: 990 })).status).toBe(202);
  await statusIs(orderId, 'DELIVERED');
  return { memberId, orderId, paymentId };
}

describe('GET /v1/admin/orders', () => {
  it('lists every order newest first, filtered by member, payment kind, product, status and time, page by page', async () => {
    const start = new Date().toISOString();
    const alice = await member();
    const bob = await member();
    const mug = await product({ type: 'PHYSICAL', supplier: null, name: 'Mug' });
    const headphones = await product();
    const first = await order(alice.token, mug);
    const second = await order(bob.token, mug, 'POINTS_CASH');
    const third = await order(alice.token, headphones, 'POINTS_CASH');
    await api.call('POST', `/v1/orders/${first}/cancel`, { token: alice.token });
    const end = new Date(Date.now() + 1000).toISOString();
    const range = `from=${start}&to=${end}`;

    expect((await listAll(range)).map((o) => o.orderId)).toEqual([third, second, first]);
    expect((await listAll(`${range}&limit=1`)).map((o) => o.orderId)).toEqual([third, second, first]);
    expect((await listAll(`memberId=${alice.memberId}`)).map((o) => o.orderId)).toEqual([third, first]);
    expect((await listAll(`${range}&paymentKind=POINTS_CASH`)).map((o) => o.orderId)).toEqual([third, second]);
    expect((await listAll(`${range}&productId=${mug}`)).map((o) => o.orderId)).toEqual([second, first]);
    expect((await listAll(`${range}&status=CANCELLED`)).map((o) => o.orderId)).toEqual([first]);
    expect((await listAll(`${range}&supplierId=jd`)).map((o) => o.orderId)).toEqual([third]);
    expect((await listAll(`memberId=${alice.memberId}&paymentKind=POINTS&limit=1`)).map((o) => o.orderId)).toEqual([first]);
    // The default range (the last 90 days) has them too, newest first.
    expect((await list('limit=100')).items.map((o) => o.orderId).filter((id) => [first, second, third].includes(id))).toEqual([third, second, first]);
  });

  it('answers 400 on a bad filter or a forged cursor, and lets every operator role read it', async () => {
    const bad = await api.call<{ errors?: { path: string }[] }>('GET', '/v1/admin/orders?paymentKind=CASH', { token: analyst });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('paymentKind');
    const backwards = await api.call('GET', '/v1/admin/orders?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', { token: analyst });
    expect(backwards.status).toBe(400);
    expect((await api.call('GET', '/v1/admin/orders?cursor=forged', { token: analyst })).status).toBe(400);
    for (const token of [admin, support, marketer, analyst]) expect((await api.call('GET', '/v1/admin/orders?limit=1', { token })).status).toBe(200);
    expect((await api.call('GET', '/v1/admin/orders', { token: (await member()).token })).status).toBe(403);
  });

  it('walks the months of a range newest first', () => {
    expect(monthsBetween('2025-11-20T00:00:00.000Z', '2026-02-03T00:00:00.000Z')).toEqual(['2026-02', '2026-01', '2025-12', '2025-11']);
  });
});

describe('GET /v1/admin/orders/{orderId}', () => {
  it("shows a supplier order's states, the JD callbacks it received (verified and refused) and the events it produced", async () => {
    const { token } = await member();
    const orderId = await order(token, await product());
    await statusIs(orderId, 'DELIVERED');
    // Someone posts a message about it with a signature that does not match its body: refused, and not kept (anyone can
    // send that); JD signs a message it should not have sent (an unknown status): refused, and kept on the order.
    expect((await webhook('suppliers', 'jd', jdKey, { messageId: uniqueId('m'), orderId, status: 'REJECTED' }, true)).status).toBe(401);
    expect((await webhook('suppliers', 'jd', jdKey, { messageId: uniqueId('m'), orderId, status: 'LOST' })).status).toBe(400);
    await until('callback outcomes', async () => (await detail(orderId)).callbacks.filter((c) => c.verified && c.outcome !== null).length === 3);

    const page = await detail(orderId);
    expect(page.history.map((h) => h.status)[0]).toBe('PLACED');
    expect(page.history.at(-1)?.status).toBe('DELIVERED');
    const verified = page.callbacks.filter((c) => c.verified);
    expect(verified.map((c) => c.status).sort()).toEqual(['ACCEPTED', 'DELIVERED', 'SHIPPED']);
    expect(verified.every((c) => c.kind === 'SUPPLIER' && c.sender === 'jd' && ['applied', 'late'].includes(c.outcome ?? ''))).toBe(true);
    expect(page.callbacks.filter((c) => !c.verified)).toEqual([expect.objectContaining({ kind: 'SUPPLIER', problem: 'invalid-body', status: 'LOST', outcome: null })]);
    const types = page.events.map((e) => `${e.detailType}${e.detail.to ? `:${String(e.detail.to)}` : ''}`);
    expect(types).toEqual(expect.arrayContaining(['OrderPlaced', 'OrderStatusChanged:SUBMITTED', 'OrderStatusChanged:DELIVERED', 'SupplierCallbackReceived']));
    expect(page).toMatchObject({ refundable: true, cancellable: false });
    expect((await api.call('GET', `/v1/admin/orders/${uniqueId('o-none')}`, { token: analyst })).status).toBe(404);
  });
});

describe('POST /v1/admin/orders/{orderId}/refund', () => {
  it('refunds a delivered points+cash order once: points back through the ledger, the cash asked back and settled by the provider', async () => {
    const { memberId, orderId, paymentId } = await deliveredCashOrder();
    const key = ulid();
    const call = (idempotencyKey: string) =>
      api.call<{ status: string }>('POST', `/v1/admin/orders/${orderId}/refund`, { token: support, body: { reason: 'arrived broken' }, headers: { 'idempotency-key': idempotencyKey } });

    // A double submit of the dialog (one key) refunds once and answers the same.
    const [one, two] = await Promise.all([call(key), call(key)]);
    expect([one.status, two.status].sort()).toEqual([200, 200].sort());
    const replay = await call(key);
    expect(replay.status).toBe(200);
    expect(replay.body.status).toBe('REFUNDED');
    // Another dialog (another key) finds it refunded.
    const again = await call(ulid());
    expect(again.status).toBe(409);

    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(entries.filter((e) => e.type === 'REFUND')).toEqual([expect.objectContaining({ points: 2000, ref: orderId })]);
    expect(wallet).toMatchObject({ available: 20_000, held: 0 });

    await until('cash refund DONE', async () => (await detail(orderId)).cashRefunds[0]?.state === 'DONE');
    const page = await detail(orderId);
    expect(page.status).toBe('REFUNDED');
    expect(page.history.at(-1)).toMatchObject({ status: 'REFUNDED', reason: 'refunded by operator op-support: arrived broken' });
    expect(page.cashRefunds).toEqual([expect.objectContaining({ refundId: `cash-refund-${orderId}`, state: 'DONE', amountCents: 990, provider: 'wechatpay' })]);
    expect(payments.refunds.wechatpay.get(`cash-refund-${orderId}`)).toMatchObject({ paymentId, amountCents: 990 });
    expect(page.callbacks.find((c) => c.kind === 'REFUND')).toMatchObject({ verified: true, refundId: `cash-refund-${orderId}`, outcome: 'applied' });
    expect(page.events.filter((e) => e.detailType === 'CashRefundRequested')).toHaveLength(1);
    expect(page).toMatchObject({ refundable: false, cancellable: false });

    // Audited: one record, naming the support operator, the order and the key.
    const audit = await api.call<{ items: { operation: string; operatorId: string; role: string; idempotencyKey?: string; summary?: string }[] }>(
      'GET',
      `/v1/admin/audit?target=${encodeURIComponent(`order:${orderId}`)}`,
      { token: admin },
    );
    expect(audit.body.items).toEqual([
      expect.objectContaining({ operation: 'refundOrderAdmin', operatorId: 'op-support', role: 'support', idempotencyKey: key, summary: expect.stringContaining('2000 points') }),
    ]);
    expect(bus.deadLetters).toEqual([]);
  });

  it('refuses a marketer (403), an order not yet fulfilled (409), a missing key and an empty reason, changing nothing', async () => {
    const { memberId, token } = await member();
    const placed = await order(token, await product({ type: 'PHYSICAL', supplier: null }));
    const refund = (orderId: string, who: string, body: unknown = { reason: 'test' }, headers: Record<string, string> = { 'idempotency-key': ulid() }) =>
      api.call('POST', `/v1/admin/orders/${orderId}/refund`, { token: who, body, headers });
    expect((await refund(placed, marketer)).status).toBe(403);
    expect((await refund(placed, analyst)).status).toBe(403);
    expect((await refund(placed, admin)).status).toBe(409);
    expect((await refund(placed, admin, { reason: 'test' }, {})).status).toBe(400);
    const empty = await refund(placed, admin, { reason: '' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('reason');
    expect((await refund(uniqueId('o-none'), admin)).status).toBe(404);
    expect((await readOrder(placed))?.status).toBe('PLACED');
    const { entries } = await expectLedgerExplainsWallet(memberId);
    expect(entries.filter((e) => e.type === 'REFUND')).toEqual([]);
  });

  it('closes a FAILED order without giving its points back a second time, and refuses a REJECTED one', async () => {
    const { memberId, token } = await member();
    const orderId = await order(token, await product({ type: 'PHYSICAL', supplier: null }));
    // As the fulfilment does when a supplier refuses an order for good: points, stock and limits back.
    const placed = await readOrder(orderId);
    await unwind(placed!, 'FAILED', 'jd refused the order: sku discontinued', { now: new Date(), listAs: keys.fulfilment.failedEntry('jd', new Date().toISOString(), orderId) });
    const failedIds = async () =>
      (await api.call<{ items: { orderId: string }[] }>('GET', '/v1/admin/fulfilment/problems?kind=FAILED&supplier=jd&limit=100', { token: admin })).body.items.map((p) => p.orderId);
    expect(await failedIds()).toContain(orderId);
    const refunded = await api.call<{ status: string }>('POST', `/v1/admin/orders/${orderId}/refund`, {
      token: admin,
      body: { reason: 'closing the failed order' },
      headers: { 'idempotency-key': ulid() },
    });
    expect(refunded.status, refunded.text).toBe(200);
    expect(refunded.body.status).toBe('REFUNDED');
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(entries.filter((e) => e.type === 'REFUND')).toHaveLength(1);
    expect(wallet.available).toBe(20_000);
    // Closed: no longer a failed delivery for an operator to look at.
    expect(await failedIds()).not.toContain(orderId);

    const rejected = await order(token, await product({ supplier: { supplierId: 'jd', sku: 'REJECT-me' } }));
    await statusIs(rejected, 'REJECTED');
    expect((await api.call('POST', `/v1/admin/orders/${rejected}/refund`, { token: admin, body: { reason: 'x' }, headers: { 'idempotency-key': ulid() } })).status).toBe(409);
  });
});
