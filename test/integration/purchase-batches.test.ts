/**
 * Offline batches of POS purchases and refunds (POST and GET /v1/pos/purchase-batches) through the local gateway,
 * on a table of this file's own (with its stream), so the large batches run through the real stream of DynamoDB
 * Local: only the `purchase-batches` consumer is driven here. Small thresholds come from the environment per test
 * (PURCHASE_BATCH_*), read when used. Default earning rules: 1 point per CNY, category B x2, no return window.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { streamConsumers } from '../../lib/routes.js';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { LocalStreams } from '../../bin/local/streams.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { runStalledWorkJob } from '../../shared/streams/stalled.js';
import { registerMember } from '../../shared/members/service.js';
import { db } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId, type ApiResponse } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

const tableName = `points-mall-purchase-batches-${ulid().toLowerCase()}`;
process.env.TABLE_NAME = tableName;
resetConfigForTests();
const endpoint = inject('dynamodbEndpoint');

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

interface Line {
  sku: string;
  category: string;
  amountCents: number;
  quantity: number;
}
interface Purchase {
  purchaseId: string;
  memberId: string;
  storeId: string;
  paidAt: string;
  lines: Line[];
}
interface Refund {
  purchaseId: string;
  refundId: string;
  amountCents?: number;
  lines?: { sku: string; quantity: number }[];
}
interface Result {
  index: number;
  kind: 'purchase' | 'refund';
  purchaseId: string;
  refundId: string | null;
  status: 'EARNED' | 'REFUNDED' | 'DUPLICATE' | 'REFUSED';
  pointsEarned: number | null;
  pointsClawedBack: number | null;
  problem: { code: string; status: number; detail: string } | null;
}
interface Batch {
  batchId: string;
  state: 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';
  itemCount: number;
  counts: { done: number; earned: number; refunded: number; duplicate: number; refused: number };
  results: Result[];
  nextCursor: string | null;
  error: string | null;
}

const STORE = 'store-batches';
const OTHER_STORE = 'store-batches-other';
let api: TestApi;
let pos: string;
let otherPos: string;
let streams: LocalStreams;
const streamErrors: unknown[] = [];

beforeAll(async () => {
  const client = localClient(endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  api = await TestApi.create();
  pos = await api.registerStore(STORE);
  otherPos = await api.registerStore(OTHER_STORE);
  const consumer = streamConsumers.find((c) => c.name === 'purchase-batches');
  if (!consumer) throw new Error('no purchase-batches consumer');
  streams = new LocalStreams({ endpoint, tableName, consumers: [consumer], onError: (_, error) => streamErrors.push(error) });
});

afterAll(() => streams.stop());

afterEach(() => {
  delete process.env.PURCHASE_BATCH_SYNC_ITEMS;
  delete process.env.PURCHASE_BATCH_SEGMENT_ITEMS;
});

async function member(prefix = 'm-batch'): Promise<string> {
  const memberId = uniqueId(prefix);
  await registerMember(memberId, {});
  return memberId;
}

/** A purchase of one line of category A: 1 point per CNY. */
function purchase(memberId: string, yuan: number, paidAt = ago(HOUR), extra: Partial<Purchase> = {}): Purchase {
  return { purchaseId: uniqueId('p-batch'), memberId, storeId: STORE, paidAt, lines: [{ sku: uniqueId('sku'), category: 'A', amountCents: yuan * 100, quantity: 1 }], ...extra };
}

function send(batchId: string, purchases: readonly Purchase[], refunds: readonly Refund[] = [], token = pos): Promise<ApiResponse<Batch & { code?: string }>> {
  return api.call<Batch & { code?: string }>('POST', '/v1/pos/purchase-batches', { token, body: { batchId, purchases, refunds } });
}

async function read(batchId: string, query = '', token = pos): Promise<ApiResponse<Batch>> {
  return api.call<Batch>('GET', `/v1/pos/purchase-batches/${batchId}${query}`, { token });
}

async function allResults(batchId: string, limit = 25): Promise<Result[]> {
  const results: Result[] = [];
  let cursor: string | null = null;
  do {
    const page: ApiResponse<Batch> = await read(batchId, `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status, page.text).toBe(200);
    results.push(...page.body.results);
    cursor = page.body.nextCursor;
  } while (cursor);
  return results;
}

async function drained(): Promise<void> {
  await streams.drain();
  expect(streamErrors).toEqual([]);
}

async function purchaseRecorded(purchaseId: string): Promise<boolean> {
  return (await db().send(new GetCommand({ TableName: tableName, Key: keys.purchase(purchaseId), ConsistentRead: true }))).Item !== undefined;
}

const batchId = () => uniqueId('batch');

describe('small offline batches, applied at once', () => {
  it('applies purchases and refunds item by item, refusing the bad ones on their line', async () => {
    // Prepare: one member; a purchase of 100 CNY A, one of 50 CNY A + 40 CNY B (130 points)
    const m = await member();
    const p1 = purchase(m, 100, ago(2 * HOUR));
    const skuA = uniqueId('sku-a');
    const skuB = uniqueId('sku-b');
    const p4 = purchase(m, 0, ago(3 * HOUR), { lines: [{ sku: skuA, category: 'A', amountCents: 5_000, quantity: 1 }, { sku: skuB, category: 'B', amountCents: 4_000, quantity: 1 }] });
    const unknownMember = purchase(uniqueId('nobody'), 10);
    const tooOld = purchase(m, 10, ago(10 * DAY));
    const future = purchase(m, 10, new Date(Date.now() + HOUR).toISOString());
    const id = batchId();

    // Act
    const res = await send(id, [p1, unknownMember, tooOld, p4, future], [
      { purchaseId: p1.purchaseId, refundId: 'r-amount', amountCents: 5_000 },
      { purchaseId: p4.purchaseId, refundId: 'r-line', lines: [{ sku: skuB, quantity: 1 }] },
      { purchaseId: uniqueId('p-never'), refundId: 'r-unknown', amountCents: 100 },
    ]);

    // Assess
    expect(res.status, res.text).toBe(201);
    expect(res.body.state).toBe('DONE');
    expect(res.body.results.map((r) => [r.kind, r.index, r.status])).toEqual([
      ['purchase', 0, 'EARNED'],
      ['purchase', 1, 'REFUSED'],
      ['purchase', 2, 'REFUSED'],
      ['purchase', 3, 'EARNED'],
      ['purchase', 4, 'REFUSED'],
      ['refund', 0, 'REFUNDED'],
      ['refund', 1, 'REFUNDED'],
      ['refund', 2, 'REFUSED'],
    ]);
    const [r1, rUnknown, rOld, r4, rFuture, f1, f2, fUnknown] = res.body.results as [Result, Result, Result, Result, Result, Result, Result, Result];
    expect(r1.pointsEarned).toBe(100);
    expect(r4.pointsEarned).toBe(130);
    expect(rUnknown.problem).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(rOld.problem).toMatchObject({ code: 'PURCHASE_LIMIT_EXCEEDED', status: 422 });
    expect(rOld.problem?.detail).toContain('maxPurchaseAgeDays');
    expect(rFuture.problem).toMatchObject({ status: 400 });
    expect(f1).toMatchObject({ purchaseId: p1.purchaseId, refundId: 'r-amount', pointsClawedBack: 50 });
    expect(f2).toMatchObject({ purchaseId: p4.purchaseId, refundId: 'r-line', pointsClawedBack: 80 });
    expect(fUnknown.problem).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(res.body.counts).toEqual({ done: 8, earned: 2, refunded: 2, duplicate: 0, refused: 4 });
    // Read back: the counts kept with the batch say the same as its results
    expect((await read(id)).body.counts).toEqual({ done: 8, earned: 2, refunded: 2, duplicate: 0, refused: 4 });
    const { wallet, entries } = await expectLedgerExplainsWallet(m);
    expect(wallet.available).toBe(100 + 130 - 50 - 80);
    expect(entries.filter((e) => e.type === 'EARN').map((e) => e.points).sort()).toEqual([100, 130]);
    expect(await purchaseRecorded(tooOld.purchaseId)).toBe(false);
    expect(await purchaseRecorded(future.purchaseId)).toBe(false);
    // One audit record for the batch, naming the POS client
    const audit = await api.call<{ items: { role: string; operation: string; summary: string }[] }>('GET', `/v1/admin/audit?target=${encodeURIComponent(`purchase-batch:${STORE}:${id}`)}`, { token: await api.token('admin') });
    expect(audit.status, audit.text).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ role: 'pos', operation: 'submitPurchaseBatch' });
  });

  it('gives a purchase paid while a campaign ran the campaign\'s points, though it arrives after the campaign ended', async () => {
    // Prepare: double points on one sku from 3 days ago to 1 day ago (ended now)
    const sku = uniqueId('sku-camp');
    const admin = await api.token('admin');
    const campaign = await api.call('POST', '/v1/admin/campaigns', {
      token: admin,
      body: { name: 'offline campaign', targets: { skus: [sku] }, effect: { kind: 'multiplier', multiplier: 2 }, schedule: { startsAt: ago(3 * DAY), endsAt: ago(DAY) } },
    });
    expect(campaign.status, campaign.text).toBe(201);
    const m = await member('m-camp');
    const line = (amountCents: number): Line[] => [{ sku, category: 'A', amountCents, quantity: 1 }];
    const during = purchase(m, 0, ago(2 * DAY), { lines: line(10_000) });
    const before = purchase(m, 0, ago(4 * DAY), { lines: line(10_000) });

    // Act
    const res = await send(batchId(), [during, before]);

    // Assess: 100 CNY earns 100, doubled while the campaign ran
    expect(res.status, res.text).toBe(201);
    expect(res.body.results.map((r) => r.pointsEarned)).toEqual([200, 100]);
    const { wallet } = await expectLedgerExplainsWallet(m);
    expect(wallet.available).toBe(300);
  });
});

describe('idempotency', () => {
  it('answers a resent batch as before and changes nothing; items recorded before are DUPLICATE; another body is 409', async () => {
    // Prepare: a purchase and a refund of it sent live
    const m = await member('m-idem');
    const live = purchase(m, 30);
    expect((await api.call('POST', '/v1/pos/purchases', { token: pos, body: live })).status).toBe(201);
    expect((await api.call('POST', `/v1/pos/purchases/${live.purchaseId}/refunds`, { token: pos, body: { refundId: 'live-r', amountCents: 1_000 } })).status).toBe(201);
    const a1 = purchase(m, 40);
    const b1 = purchase(m, 50);
    const idA = batchId();

    // Act
    const first = await send(idA, [live, a1], [{ purchaseId: live.purchaseId, refundId: 'live-r', amountCents: 1_000 }]);
    const again = await send(idA, [live, a1], [{ purchaseId: live.purchaseId, refundId: 'live-r', amountCents: 1_000 }]);
    const other = await send(batchId(), [a1, b1]);
    const otherBody = await send(idA, [a1]);

    // Assess
    expect(first.status, first.text).toBe(201);
    expect(first.body.results.map((r) => r.status)).toEqual(['DUPLICATE', 'EARNED', 'DUPLICATE']);
    expect(first.body.results[0]?.pointsEarned).toBe(30);
    expect(first.body.results[2]?.pointsClawedBack).toBe(10);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await read(idA)).body.counts).toEqual({ done: 3, earned: 1, refunded: 0, duplicate: 2, refused: 0 });
    expect(other.body.results.map((r) => r.status)).toEqual(['DUPLICATE', 'EARNED']);
    expect(otherBody.status).toBe(409);
    expect(otherBody.body.code).toBe('CONFLICT');
    const { wallet, entries } = await expectLedgerExplainsWallet(m);
    expect(wallet.available).toBe(30 - 10 + 40 + 50);
    expect(entries.filter((e) => e.type === 'EARN')).toHaveLength(3);
  });

  it('applies each purchase once when the same batch is sent twice at once', async () => {
    // Prepare
    const m = await member('m-race');
    const purchases = [10, 20, 30, 40, 50].map((yuan, i) => purchase(m, yuan, ago((i + 1) * HOUR)));
    const id = batchId();

    // Act
    const answers = await Promise.all([send(id, purchases), send(id, purchases)]);

    // Assess: both answered (one took the batch, the other answered it as it stood); each purchase earned once
    for (const answer of answers) expect([201, 202], answer.text).toContain(answer.status);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(1);
    await drained();
    const final = await read(id);
    expect(final.body.state).toBe('DONE');
    expect(final.body.counts).toMatchObject({ done: 5, earned: 5 });
    const { wallet, entries } = await expectLedgerExplainsWallet(m);
    expect(wallet.available).toBe(150);
    expect(entries.filter((e) => e.type === 'EARN')).toHaveLength(5);
  });
});

describe('store binding', () => {
  it('refuses a batch with another store\'s purchase whole, and hides a batch from other stores', async () => {
    // Prepare
    const m = await member('m-store');
    const own = purchase(m, 10);
    const foreign = purchase(m, 20, ago(HOUR), { storeId: OTHER_STORE });
    const id = batchId();

    // Act
    const refused = await send(id, [own, foreign]);
    const fine = await send(id, [own]);
    const peek = await read(id, '', otherPos);
    const foreignRefund = await send(batchId(), [], [{ purchaseId: own.purchaseId, refundId: 'r-foreign', amountCents: 100 }], otherPos);

    // Assess
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect(fine.status, fine.text).toBe(201);
    expect(peek.status).toBe(404);
    expect(foreignRefund.status, foreignRefund.text).toBe(201);
    expect(foreignRefund.body.results[0]).toMatchObject({ status: 'REFUSED', problem: { code: 'FORBIDDEN', status: 403 } });
    expect(await purchaseRecorded(foreign.purchaseId)).toBe(false);
    const { wallet } = await expectLedgerExplainsWallet(m);
    expect(wallet.available).toBe(10);
  });
});

describe('large offline batches, from the stream', () => {
  it('queues a batch of 120 items (202, Location), applies it in segments, and pages its results', async () => {
    // Prepare: 100 purchases of 4 members, 20 refunds of some of them; 40 items a segment
    process.env.PURCHASE_BATCH_SYNC_ITEMS = '50';
    process.env.PURCHASE_BATCH_SEGMENT_ITEMS = '40';
    const members = await Promise.all([1, 2, 3, 4].map(() => member('m-large')));
    const purchases = Array.from({ length: 100 }, (_, i) => purchase(members[i % 4] as string, 1 + (i % 7), ago((100 - i) * 60_000 + HOUR)));
    const refunds = purchases.slice(0, 20).map((p, i) => ({ purchaseId: p.purchaseId, refundId: `r-large-${i}`, amountCents: 100 }));
    const id = batchId();

    // Act
    const res = await send(id, purchases, refunds);
    await drained();

    // Assess
    expect(res.status, res.text).toBe(202);
    expect(res.headers.location).toBe(`/v1/pos/purchase-batches/${id}`);
    expect(res.body.results).toEqual([]);
    const page = await read(id);
    expect(page.body).toMatchObject({ state: 'DONE', itemCount: 120, counts: { done: 120, earned: 100, refunded: 20, duplicate: 0, refused: 0 } });
    const results = await allResults(id);
    expect(results).toHaveLength(120);
    expect(results.map((r) => `${r.kind}:${r.index}`)).toEqual([...purchases.map((_, i) => `purchase:${i}`), ...refunds.map((_, i) => `refund:${i}`)]);
    let total = 0;
    for (const m of members) total += (await expectLedgerExplainsWallet(m)).wallet.available;
    const earned = purchases.reduce((sum, p) => sum + (p.lines[0] as Line).amountCents / 100, 0);
    expect(total).toBe(earned - 20);
    // The resend answers the batch as it stands (202: it was queued), and changes nothing
    const again = await send(id, purchases, refunds);
    expect(again.status).toBe(202);
    expect(again.body.state).toBe('DONE');
    // 120 items at 40 a segment: handed over twice
    const item = await db().send(new GetCommand({ TableName: tableName, Key: keys.purchaseBatch.batch(STORE, id), ConsistentRead: true }));
    expect(item.Item?.segment).toBe(2);
    // Kept 90 days (the POS idempotency window), its parts expiring before the item a resend finds
    const created = Math.floor(Date.parse(String(item.Item?.createdAt)) / 1000);
    const result = await db().send(new GetCommand({ TableName: tableName, Key: keys.purchaseBatch.result(STORE, id, 0), ConsistentRead: true }));
    const counts = await db().send(new GetCommand({ TableName: tableName, Key: keys.purchaseBatch.counts(STORE, id), ConsistentRead: true }));
    expect(result.Item?.ttl).toBe(created + 90 * 86_400);
    expect(counts.Item?.ttl).toBe(created + 90 * 86_400);
    expect(item.Item?.ttl).toBe(created + 93 * 86_400);
  });
});

describe('hand-over from the request', () => {
  it('answers 202 when the request stops before the end, and the stream finishes the batch', async () => {
    // Prepare: the request may apply one item only
    process.env.PURCHASE_BATCH_SEGMENT_ITEMS = '1';
    const m = await member('m-handover');
    const purchases = [1, 2, 3].map((yuan, i) => purchase(m, yuan, ago((i + 1) * HOUR)));
    const id = batchId();

    // Act
    const res = await send(id, purchases);
    await drained();
    const again = await send(id, purchases);

    // Assess: answered as handed over (202), done by the stream; a resend answers as the first time (202)
    expect(res.status, res.text).toBe(202);
    expect(res.body.state).toBe('RUNNING');
    expect(res.headers.location).toBe(`/v1/pos/purchase-batches/${id}`);
    expect(again.status).toBe(202);
    expect((await read(id)).body).toMatchObject({ state: 'DONE', counts: { done: 3, earned: 3 } });
    const { wallet } = await expectLedgerExplainsWallet(m);
    expect(wallet.available).toBe(6);
  });

  it('hands a batch whose request crashed to the stream by the stalled-work job, applying nothing twice', async () => {
    // Prepare: a small batch applied in its request (off the in-request list once done); then its item as a request
    // that crashed after applying its items would leave it: RUNNING, its time passed, still listed
    const m = await member('m-stalled');
    const purchases = [2, 3].map((yuan, i) => purchase(m, yuan, ago((i + 1) * HOUR)));
    const id = batchId();
    expect((await send(id, purchases)).status).toBe(201);
    const head = keys.purchaseBatch.batch(STORE, id);
    const headItem = async () => (await db().send(new GetCommand({ TableName: tableName, Key: head, ConsistentRead: true }))).Item;
    expect((await headItem())?.GSI2PK).toBeUndefined();
    const past = new Date(Date.now() - 1_000).toISOString();
    const listed = keys.inRequest.entry(past, head);
    await db().send(
      new UpdateCommand({
        TableName: tableName,
        Key: head,
        UpdateExpression: 'SET #state = :running, #segment = :zero, requestUntil = :past, GSI2PK = :g2pk, GSI2SK = :g2sk REMOVE finishedAt',
        ExpressionAttributeNames: { '#state': 'state', '#segment': 'segment' },
        ExpressionAttributeValues: { ':running': 'RUNNING', ':zero': 0, ':past': past, ':g2pk': listed.GSI2PK, ':g2sk': listed.GSI2SK },
      }),
    );

    // Act
    const job = await runStalledWorkJob({ now: new Date() });
    await drained();

    // Assess: handed over and finished by the stream; the items applied once
    expect(job.handedOver).toBeGreaterThanOrEqual(1);
    expect((await read(id)).body).toMatchObject({ state: 'DONE', counts: { done: 2, earned: 2 } });
    expect(await headItem()).toMatchObject({ segment: 1, answer: 202 });
    expect((await headItem())?.GSI2PK).toBeUndefined();
    const { wallet } = await expectLedgerExplainsWallet(m);
    expect(wallet.available).toBe(5);
  });

  it('marks a batch FAILED when its run meets an internal error: the results so far stand, a resend applies nothing more', async () => {
    // Prepare: the request applies one item and hands over; then the stored items lose one (a fault no client can cause)
    process.env.PURCHASE_BATCH_SEGMENT_ITEMS = '1';
    const m = await member('m-failed');
    const purchases = [1, 2, 3].map((yuan, i) => purchase(m, yuan, ago((i + 1) * HOUR)));
    const id = batchId();
    const res = await send(id, purchases);
    expect(res.status, res.text).toBe(202);
    const chunk = keys.purchaseBatch.chunk(STORE, id, 0);
    const stored = (await db().send(new GetCommand({ TableName: tableName, Key: chunk, ConsistentRead: true }))).Item;
    const items = JSON.parse(String(stored?.items)) as unknown[];
    await db().send(new PutCommand({ TableName: tableName, Item: { ...stored, items: JSON.stringify(items.slice(0, -1)) } }));

    // Act
    await drained();
    const read1 = await read(id);
    const again = await send(id, purchases);

    // Assess: FAILED with a reason a POS developer can act on; the first item's result and points stand, nothing else
    expect(read1.body).toMatchObject({ state: 'FAILED', counts: { done: 1, earned: 1 }, finishedAt: expect.any(String) });
    expect(read1.body.error).toContain('send the remaining items as a new batch');
    expect(again.status).toBe(202);
    expect(again.body.state).toBe('FAILED');
    const { wallet } = await expectLedgerExplainsWallet(m);
    expect(wallet.available).toBe(3);
  });
});

describe('bad input', () => {
  it('refuses malformed batches with 400 and keeps nothing', async () => {
    // Prepare
    const m = await member('m-bad');
    const ok = purchase(m, 10);
    const id = batchId();
    const many = Array.from({ length: 501 }, () => purchase(m, 1));

    // Act
    const answers = await Promise.all([
      send(id, many),
      send(id, []),
      send(id, [ok, { ...purchase(m, 5), purchaseId: ok.purchaseId }]),
      api.call('POST', '/v1/pos/purchase-batches', { token: pos, rawBody: `{"batchId":"${id}","purchases":[${JSON.stringify(ok)}],"__proto__":{"admin":true}}`, headers: { 'content-type': 'application/json' } }),
      api.call('POST', '/v1/pos/purchase-batches', { token: pos, body: { batchId: id, purchases: [ok], constructor: { x: 1 } } }),
      api.call('POST', '/v1/pos/purchase-batches', { token: pos, body: { batchId: id, purchases: [{ ...ok, extra: 1 }] } }),
      send(id, [ok], [{ purchaseId: ok.purchaseId, refundId: 'r', amountCents: 10, lines: [{ sku: 'x', quantity: 1 }] }]),
    ]);

    // Assess
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 400));
    expect((await read(id)).status).toBe(404);
    expect(await purchaseRecorded(ok.purchaseId)).toBe(false);
  });
});

describe('daily caps', () => {
  const admin = () => api.token('admin');

  async function useMemberCap(dailyPointsPerMember: number | null) {
    const token = await admin();
    const current = await api.call<Record<string, unknown> & { version: number; posLimits: Record<string, unknown> }>('GET', '/v1/admin/earning-rules', { token });
    const { version, updatedAt: _u, updatedBy: _b, ...rules } = current.body;
    const saved = await api.call('PUT', '/v1/admin/earning-rules', { token, body: { ...rules, posLimits: { ...current.body.posLimits, dailyPointsPerMember }, expectedVersion: version } });
    if (saved.status !== 200) throw new Error(`rules not saved: ${saved.text}`);
  }

  afterEach(() => useMemberCap(2_000_000));

  it('counts a batch purchase on the day of its paidAt, not the day it arrives', async () => {
    // Prepare: a cap of 100 points a member a day, reached today by a live purchase
    await useMemberCap(100);
    const m = await member('m-capday');
    expect((await api.call('POST', '/v1/pos/purchases', { token: pos, body: purchase(m, 100, new Date().toISOString()) })).status).toBe(201);
    const yesterday = purchase(m, 100, ago(25 * HOUR));
    const today = purchase(m, 50, ago(1000));

    // Act
    const res = await send(batchId(), [yesterday, today]);

    // Assess: yesterday's purchase has yesterday's cap to itself; today's is withheld whole
    expect(res.status, res.text).toBe(201);
    expect(res.body.results.map((r) => [r.pointsEarned, (r as Result & { pointsWithheld: number }).pointsWithheld])).toEqual([
      [100, 0],
      [0, 50],
    ]);
    const { wallet } = await expectLedgerExplainsWallet(m);
    expect(wallet.available).toBe(200);
  });
});
