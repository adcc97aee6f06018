/**
 * One product's stock over 256 shards (docs/flash-sale.md, "What 50,000/s
 * needs in the code"): more shards than one transaction holds, so creating,
 * rebalancing and restocking go in chunks. Each test checks the rule the
 * chunks keep: no unit created or lost, whatever runs between them.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ulid } from 'ulid';
import { listAudit } from '../../shared/audit/audit.js';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { commit } from '../../shared/ledger/ledger.js';
import { forgetSaleMonitor } from '../../shared/mall/sale-stats.js';
import { readStock } from '../../shared/mall/stock.js';
import { registerMember } from '../../shared/members/service.js';
import { tagDbCallFailure } from '../../shared/table/call-failure.js';
import { db, dbCallCounts, resetDbCallCounts } from '../../shared/table/client.js';
import { TestApi, testPage, uniqueId, type ApiResponse } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

const SHARDS = 256;
const PRICE = 100;

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin');
});

afterEach(() => {
  vi.restoreAllMocks();
});

interface Stock {
  readonly available: number;
  readonly sold: number;
  readonly shards: readonly { shard: number; available: number; sold: number }[];
}

async function member(points: number): Promise<{ memberId: string; token: string }> {
  const memberId = uniqueId('s256');
  await registerMember(memberId, { tier: 'normal' });
  await commit({ moves: [{ memberId, type: 'EARN', points, bucket: bucketAfterMonths(new Date(), 12), reason: 'test credit' }] });
  return { memberId, token: await api.token('member', memberId) };
}

function createProduct(productId: string, stock: number, key = ulid()) {
  return api.call<{ productId: string; stockShards: number; code?: string }>('POST', '/v1/admin/products', {
    token: admin,
    headers: { 'idempotency-key': key },
    body: { productId, name: '256-shard sneakers', type: 'PHYSICAL', zone: 'flash-sale', pricePoints: PRICE, stockShards: SHARDS, initialStock: stock },
  });
}

/**
 * A redemption as the app sends it: a 503 (the orders function's 1.5 s deadline, reached on this loaded machine when
 * the end of a sale walks many nearly empty shards) is sent again with the same Idempotency-Key, which answers the
 * order once if it was placed.
 */
async function order(token: string, productId: string) {
  const key = ulid();
  for (let attempt = 0; ; attempt += 1) {
    const res = await api.call<{ orderId: string; code?: string }>('POST', '/v1/orders', { token, body: { productId }, headers: { 'idempotency-key': key } });
    if (res.status !== 503 || attempt >= 10) return res;
    await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
  }
}

function rebalance(productId: string, shards: number, key = ulid()) {
  return api.call<Stock & { code?: string }>('POST', `/v1/admin/products/${productId}/stock/rebalance`, {
    token: admin,
    headers: { 'idempotency-key': key },
    body: { shards },
  });
}

function setStock(productId: string, mode: 'set' | 'add', quantity: number, key = ulid()) {
  return api.call<Stock & { code?: string }>('PUT', `/v1/admin/products/${productId}/stock`, {
    token: admin,
    headers: { 'idempotency-key': key },
    body: { mode, quantity },
  });
}

async function productOf(productId: string) {
  const res = await api.call<{ stockShards: number; saleStatsShards?: number; soldOut: boolean; stock: Stock }>('GET', `/v1/admin/products/${productId}`, { token: admin });
  expect(res.status).toBe(200);
  return res.body;
}

async function auditSummaries(productId: string): Promise<string[]> {
  const { items } = await listAudit({ target: `product:${productId}` }, testPage(50));
  return items.map((r) => r.summary ?? '').reverse();
}

/** Every shard item the product may have (the most it ever had), consistently read. */
function allShards(productId: string): Promise<Stock> {
  return readStock(productId, SHARDS);
}

/** The shards even: the units spread so that no two shards differ by more than one. */
function expectEven(stock: Stock, shards: number): void {
  const units = stock.shards.filter((s) => s.shard < shards).map((s) => s.available);
  expect(units).toHaveLength(shards);
  expect(Math.max(...units) - Math.min(...units)).toBeLessThanOrEqual(1);
}

/**
 * Fails the `nth` TransactWriteItems from now on as a table cut off at that moment would (connection refused: not
 * applied); every other call goes to DynamoDB Local. A fault DynamoDB Local cannot produce on demand between two
 * chunks of one request.
 */
function failTransaction(nth: number): void {
  const client = db();
  const send = client.send.bind(client);
  let seen = 0;
  vi.spyOn(client, 'send').mockImplementation((async (command: unknown, options?: unknown) => {
    if (command instanceof TransactWriteCommand) {
      seen += 1;
      if (seen === nth) {
        const cut = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
        tagDbCallFailure(cut, { operation: 'TransactWriteItems', write: true, mayHaveApplied: false });
        throw cut;
      }
    }
    return (send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
  }) as typeof client.send);
}

describe('a product with 256 stock shards', () => {
  it('is created in chunks, sells out under concurrent redemptions without oversell, and restocks (set and add)', async () => {
    // Prepare: 300 units over 256 shards (1 or 2 each); 170 members with points for 3 units each
    const productId = uniqueId('p256');
    const created = await createProduct(productId, 300);
    expect(created.status).toBe(201);
    expect(created.body.stockShards).toBe(SHARDS);
    const fresh = await allShards(productId);
    expect({ available: fresh.available, sold: fresh.sold, shards: fresh.shards.length }).toEqual({ available: 300, sold: 0, shards: SHARDS });
    expectEven(fresh, SHARDS);
    expect(await auditSummaries(productId)).toEqual([`created product "256-shard sneakers" (PHYSICAL) with stock 300 over ${SHARDS} shards`]);
    const members = await Promise.all(Array.from({ length: 170 }, () => member(3 * PRICE)));

    // Act: every member taps "redeem" twice, all at once (340 requests for 300 units)
    const answers = await Promise.all(members.flatMap((m) => [order(m.token, productId), order(m.token, productId)]));

    // Assess: exactly the stock sold, every shard empty, the rest refused as sold out; the ledger explains each order
    const outcomes: Record<string, number> = {};
    for (const a of answers) {
      const outcome = a.status === 201 ? '201' : `${a.status} ${a.body.code}`;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    const after = await allShards(productId);
    expect({ outcomes, available: after.available }).toEqual({ outcomes: { '201': 300, '409 OUT_OF_STOCK': 40 }, available: 0 });
    const accepted = answers.filter((a) => a.status === 201);
    expect({ available: after.available, sold: after.sold }).toEqual({ available: 0, sold: 300 });
    expect(after.shards.filter((s) => s.available !== 0)).toEqual([]);
    const orderIds = new Set(accepted.map((a) => a.body.orderId));
    let spent = 0;
    for (const m of members) {
      const { wallet, entries } = await expectLedgerExplainsWallet(m.memberId);
      const spends = entries.filter((e) => e.type === 'SPEND');
      for (const spend of spends) expect(orderIds.has(String(spend.ref))).toBe(true);
      expect(wallet.available).toBe(3 * PRICE - PRICE * spends.length);
      spent += spends.length;
    }
    expect(spent).toBe(300);
    expect((await productOf(productId)).soldOut).toBe(true);

    // The sale monitor reads its 256 partitions: one Query per shard and the shards in BatchGets of 100
    forgetSaleMonitor();
    resetDbCallCounts();
    const monitor = await api.call<{ orders: number; units: number; stock: Stock }>('GET', `/v1/admin/products/${productId}/sale-monitor`, { token: admin });
    const calls = dbCallCounts().byOperation;
    expect(monitor.status).toBe(200);
    expect({ orders: monitor.body.orders, units: monitor.body.units, left: monitor.body.stock.available, shards: monitor.body.stock.shards.length }).toEqual({
      orders: 300,
      units: 300,
      left: 0,
      shards: SHARDS,
    });
    expect({ queries: calls.Query, batchGets: calls.BatchGetItem }).toEqual({ queries: SHARDS, batchGets: 3 });

    // Act / Assess: restock. A set above what is left, an add, a set below: each even over the 256 shards, sold-out cleared
    const set = await setStock(productId, 'set', 1000);
    expect(set.status).toBe(200);
    expect(set.body.available).toBe(1000);
    expectEven(set.body, SHARDS);
    expect((await productOf(productId)).soldOut).toBe(false);
    const added = await setStock(productId, 'add', 280);
    expect(added.body.available).toBe(1280);
    expectEven(added.body, SHARDS);
    const lowered = await setStock(productId, 'set', 100);
    expect(lowered.body.available).toBe(100);
    expectEven(lowered.body, SHARDS);
    const final = await allShards(productId);
    expect({ available: final.available, sold: final.sold }).toEqual({ available: 100, sold: 300 });
    expect((await auditSummaries(productId)).slice(1)).toEqual([
      `set stock to 1000 over ${SHARDS} shards`,
      `added 280 to stock over ${SHARDS} shards`,
      `set stock to 100 over ${SHARDS} shards`,
    ]);
    // The one-transaction ceiling of 64 is gone: more is refused by the contract only above 256.
    const tooMany = await api.call<{ code: string }>('POST', '/v1/admin/products', {
      token: admin,
      body: { productId: uniqueId('p257'), name: 'Too many', type: 'PHYSICAL', pricePoints: PRICE, stockShards: SHARDS + 1 },
    });
    expect(tooMany.status).toBe(400);
  }, 240_000);

  it('rebalances 256 -> 64 -> 256 while redemptions run, and no unit is created or lost', async () => {
    // Prepare: 600 units over 256 shards; 150 members who can each afford one unit
    const productId = uniqueId('p256-rebalance');
    expect((await createProduct(productId, 600)).status).toBe(201);
    const members = await Promise.all(Array.from({ length: 150 }, () => member(PRICE)));

    // Act: the members redeem while an operator rebalances to 64 shards and back (a 409 is retried, as the console does)
    const rebalanceUntilDone = async (shards: number): Promise<ApiResponse<Stock & { code?: string }>> => {
      for (let attempt = 0; ; attempt += 1) {
        const res = await rebalance(productId, shards);
        if (res.status !== 409 || attempt >= 20) return res;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const answeredAt: number[] = [];
    const sales = Promise.all(
      members.map(async (m) => {
        const res = await order(m.token, productId);
        answeredAt.push(Date.now());
        return res;
      }),
    );
    const started = Date.now();
    const down = await rebalanceUntilDone(64);
    const up = await rebalanceUntilDone(SHARDS);
    const finished = Date.now();
    const answers = await sales;
    // The rebalances ran while orders were being answered, and orders were still left after them.
    expect(answeredAt.filter((t) => t >= started && t <= finished).length).toBeGreaterThan(0);

    // Assess: both rebalances went through; units sold + units left = 600, on the product's own shards only
    expect([down.status, up.status]).toEqual([200, 200]);
    const accepted = answers.filter((a) => a.status === 201).length;
    expect(answers.filter((a) => a.status !== 201)).toEqual([]);
    expect(accepted).toBe(150);
    const stock = await allShards(productId);
    expect({ available: stock.available, sold: stock.sold }).toEqual({ available: 600 - accepted, sold: accepted });
    const product = await productOf(productId);
    expect(product.stockShards).toBe(SHARDS);
    expect(product.stock.available).toBe(600 - accepted);
    for (const m of members) {
      const { wallet } = await expectLedgerExplainsWallet(m.memberId);
      expect(wallet.available).toBe(0);
    }
    // Quiet now: a rebalance evens every shard.
    const even = await rebalance(productId, SHARDS);
    expect(even.status).toBe(200);
    expectEven(even.body, SHARDS);
    expect(even.body.available).toBe(600 - accepted);
  }, 240_000);

  it('leaves the stock conserved when the table fails between chunks, and a retry completes', async () => {
    // Creation: the second shard chunk fails. No product is visible, and the same request again creates it whole.
    const productId = uniqueId('p256-fault');
    const key = ulid();
    failTransaction(2);
    const cut = await createProduct(productId, 512, key);
    vi.restoreAllMocks();
    expect({ status: cut.status, code: cut.body.code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
    expect((await api.call('GET', `/v1/admin/products/${productId}`, { token: admin })).status).toBe(404);
    const retried = await createProduct(productId, 512, key);
    expect(retried.status).toBe(201);
    expect((await allShards(productId)).available).toBe(512);
    expect(await auditSummaries(productId)).toHaveLength(1);

    // Rebalance to 64: a move chunk fails. The total and the shard count are as they were, with no record.
    failTransaction(2);
    const cutRebalance = await rebalance(productId, 64, key.replace(/.$/, 'R'));
    vi.restoreAllMocks();
    expect(cutRebalance.status).toBe(503);
    expect((await allShards(productId)).available).toBe(512);
    expect((await productOf(productId)).stockShards).toBe(SHARDS);
    expect(await auditSummaries(productId)).toHaveLength(1);
    const done = await rebalance(productId, 64, key.replace(/.$/, 'R'));
    expect(done.status).toBe(200);
    expectEven(done.body, 64);
    expect(done.body.available).toBe(512);
    expect((await allShards(productId)).shards.filter((s) => s.shard >= 64 && s.available !== 0)).toEqual([]);

    // Back to 256 (the count first, then the moves): a move fails after the change committed with its record. The
    // answer is the change; the stock is right but uneven, and the next rebalance evens it.
    failTransaction(2);
    const cutGrow = await rebalance(productId, SHARDS);
    vi.restoreAllMocks();
    expect(cutGrow.status).toBe(200);
    expect(cutGrow.body.available).toBe(512);
    expect(cutGrow.body.shards.filter((s) => s.available === 0).length).toBeGreaterThan(0);
    expect((await productOf(productId)).stockShards).toBe(SHARDS);
    expect(await auditSummaries(productId)).toHaveLength(3);
    const evened = await rebalance(productId, SHARDS);
    expect(evened.status).toBe(200);
    expectEven(evened.body, SHARDS);
    expect(evened.body.available).toBe(512);

    // A set below what is left: a gathering move fails. Nothing taken; the same request again sets it.
    failTransaction(1);
    const cutSet = await setStock(productId, 'set', 100, key.replace(/.$/, 'S'));
    vi.restoreAllMocks();
    expect(cutSet.status).toBe(503);
    expect((await allShards(productId)).available).toBe(512);
    const setDone = await setStock(productId, 'set', 100, key.replace(/.$/, 'S'));
    expect(setDone.status).toBe(200);
    expect(setDone.body.available).toBe(100);
    expectEven(setDone.body, SHARDS);
  }, 240_000);
});
