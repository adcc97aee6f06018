import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { forgetMemberRates, limitVariable } from '../../shared/http/member-rate-limit.js';
import { commit } from '../../shared/ledger/ledger.js';
import { getWallet } from '../../shared/ledger/reader.js';
import { readStock } from '../../shared/mall/stock.js';
import { registerMember } from '../../shared/members/service.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';

const LIMIT = 3;
const VARIABLES = ['placeOrder', 'placeBid', 'spinDraw'].map(limitVariable);
const before = new Map<string, string | undefined>();
let api: TestApi;
let admin: string;

beforeAll(async () => {
  for (const variable of VARIABLES) {
    before.set(variable, process.env[variable]);
    process.env[variable] = String(LIMIT);
  }
  api = await TestApi.create();
  admin = await api.token('admin');
});

afterAll(() => {
  for (const variable of VARIABLES) {
    const value = before.get(variable);
    if (value === undefined) delete process.env[variable];
    else process.env[variable] = value;
  }
});

beforeEach(() => forgetMemberRates());

async function member(points: number): Promise<{ memberId: string; token: string }> {
  const memberId = uniqueId('rate');
  await registerMember(memberId, {});
  await commit({ moves: [{ memberId, type: 'EARN', points, bucket: bucketAfterMonths(new Date(), 12), reason: 'test credit' }] });
  return { memberId, token: await api.token('member', memberId) };
}

async function product(initialStock: number): Promise<string> {
  const productId = uniqueId('rate-prod');
  const res = await api.call('POST', '/v1/admin/products', {
    token: admin,
    body: { productId, name: 'Rate-limited sneakers', type: 'PHYSICAL', zone: `z-${ulid().toLowerCase().slice(-10)}`, pricePoints: 100, stockShards: 2, initialStock },
  });
  if (res.status !== 201) throw new Error(`product not created: ${res.text}`);
  return productId;
}

function order(token: string, productId: string, key = ulid()) {
  return api.call<{ code?: string; detail?: string; orderId?: string }>('POST', '/v1/orders', { token, body: { productId }, headers: { 'idempotency-key': key } });
}

/** Waits for the start of a second, so a burst falls in one window. */
async function startOfSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
}

async function idempotencyRecord(memberId: string, key: string, operation = 'placeOrder') {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: keys.idempotency(`${memberId}:${operation}`, key), ConsistentRead: true }))).Item;
}

function expectThrottled(res: { status: number; headers: Record<string, string | undefined>; body: { code?: string; detail?: string } }, operation: string): void {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(res.headers['retry-after']).toBe('1');
  expect(res.body.code).toBe('THROTTLED');
  expect(res.body.detail).toContain(`more than ${LIMIT} ${operation} requests in one second`);
}

type RateCounter = ReturnType<typeof keys.rateLimit.window>;

/** Other instances have already counted the limit's worth of the member's `operation` requests this second. */
async function countedElsewhere(memberId: string, operation: string): Promise<{ second: number; counter: RateCounter }> {
  await startOfSecond();
  const second = Math.floor(Date.now() / 1000);
  const counter = keys.rateLimit.window(memberId, operation, second);
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...counter, entity: 'RateWindow', requests: LIMIT, ttl: second + 120 } }));
  return { second, counter };
}

async function counterOf(counter: RateCounter) {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: counter, ConsistentRead: true }))).Item;
}

describe('per-member request rate on POST /v1/orders', () => {
  it('answers 429 THROTTLED with Retry-After beyond the limit, writes nothing for it, spares other members and resets each second', async () => {
    // Prepare
    const productId = await product(50);
    const script = await member(10_000);
    const other = await member(10_000);
    const burstKeys = Array.from({ length: LIMIT + 3 }, () => ulid());

    // Act: one member's burst and another member's order, in one second
    await startOfSecond();
    const burst = await Promise.all(burstKeys.map((key) => order(script.token, productId, key)));
    const bystander = await order(other.token, productId);

    // Assess: the limit's worth accepted, the rest refused with a problem+json 429 that says why and when to retry
    const accepted = burst.filter((r) => r.status === 201);
    const throttled = burst.filter((r) => r.status === 429);
    expect(accepted).toHaveLength(LIMIT);
    expect(throttled).toHaveLength(3);
    for (const res of throttled) {
      expect(res.headers['content-type']).toBe('application/problem+json');
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body.code).toBe('THROTTLED');
      expect(res.body.detail).toContain(`more than ${LIMIT} placeOrder requests in one second`);
    }
    expect(bystander.status).toBe(201);
    // Nothing written for a throttled request: no order, no points, no stock, no idempotency record
    expect((await getWallet(script.memberId, 'points')).available).toBe(10_000 - 100 * LIMIT);
    expect((await readStock(productId, 2)).sold).toBe(LIMIT + 1);
    const throttledKeys = burstKeys.filter((_, i) => burst[i]?.status === 429);
    for (const key of throttledKeys) expect(await idempotencyRecord(script.memberId, key)).toBeUndefined();

    // The next second the member may order again, and a throttled request sent again with its key is done once
    await startOfSecond();
    const again = await order(script.token, productId, throttledKeys[0]);
    expect(again.status).toBe(201);
    expect((await getWallet(script.memberId, 'points')).available).toBe(10_000 - 100 * (LIMIT + 1));
  });

  it('counts a member this instance has seen lately across instances, refusing at the shared count without writing', async () => {
    // Prepare: the member is "hot" here (two requests within the window), and other instances have already counted
    // the limit's worth of this member's requests in the current second.
    const productId = await product(50);
    const m = await member(10_000);
    expect((await order(m.token, productId)).status).toBe(201);
    await startOfSecond();
    const second = Math.floor(Date.now() / 1000);
    const counter = keys.rateLimit.window(m.memberId, 'placeOrder', second);
    await db().send(new PutCommand({ TableName: tableName(), Item: { ...counter, entity: 'RateWindow', requests: LIMIT, ttl: second + 120 } }));

    // Act
    const refused = await order(m.token, productId);

    // Assess: 429 from the shared count, the counter not raised, nothing spent
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('THROTTLED');
    expect(refused.headers['retry-after']).toBe('1');
    const stored = (await db().send(new GetCommand({ TableName: tableName(), Key: counter, ConsistentRead: true }))).Item;
    if (Math.floor(Date.now() / 1000) === second) expect(stored?.requests).toBe(LIMIT);
    expect((await getWallet(m.memberId, 'points')).available).toBe(10_000 - 100);
  });

  it('refuses a sold-out product to a hot member without counting it in the table', async () => {
    // Prepare: one unit, sold; the member then comes back twice (hot on this instance)
    const productId = await product(1);
    const buyer = await member(10_000);
    expect((await order(buyer.token, productId)).status).toBe(201);
    const m = await member(10_000);
    expect((await order(m.token, productId)).body.code).toBe('OUT_OF_STOCK');
    await startOfSecond();
    const second = Math.floor(Date.now() / 1000);

    // Act
    const refused = await order(m.token, productId);

    // Assess: refused from memory: no per-member counter was written for it
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('OUT_OF_STOCK');
    const counter = await db().send(new GetCommand({ TableName: tableName(), Key: keys.rateLimit.window(m.memberId, 'placeOrder', second), ConsistentRead: true }));
    expect(counter.Item).toBeUndefined();
  });
});

async function openDraw(): Promise<string> {
  const drawId = uniqueId('rate-draw');
  const res = await api.call('POST', '/v1/admin/draws', {
    token: admin,
    body: {
      drawId,
      name: 'Rate-limited wheel',
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 86_400_000).toISOString(),
      freeSpinsPerDay: 20,
      spinCostPoints: 10,
      maxSpinsPerDay: 20,
      consolationPrizeId: 'thanks',
      prizes: [
        { prizeId: 'nothing', name: 'Nothing', kind: 'NOTHING', weight: 1 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
    },
  });
  if (res.status !== 201) throw new Error(`draw not created: ${res.text}`);
  return drawId;
}

function spin(token: string, drawId: string, key = ulid()) {
  return api.call<{ code?: string; detail?: string; spinId?: string }>('POST', `/v1/draws/${drawId}/spins`, { token, headers: { 'idempotency-key': key } });
}

async function spinsOf(token: string, drawId: string): Promise<number> {
  const res = await api.call<{ items: unknown[] }>('GET', `/v1/draws/${drawId}/spins?limit=100`, { token });
  expect(res.status).toBe(200);
  return res.body.items.length;
}

describe('per-member request rate on POST /v1/draws/{drawId}/spins', () => {
  it('answers 429 THROTTLED beyond the limit in one instance, spins nothing for it, and spares other members', async () => {
    // Prepare
    const drawId = await openDraw();
    const script = await member(1_000);
    const other = await member(1_000);
    const burstKeys = Array.from({ length: LIMIT + 3 }, () => ulid());

    // Act
    await startOfSecond();
    const burst = await Promise.all(burstKeys.map((key) => spin(script.token, drawId, key)));
    const bystander = await spin(other.token, drawId);

    // Assess: the limit's worth spun, the rest refused and not written (no spin, no idempotency record)
    expect(burst.filter((r) => r.status === 201)).toHaveLength(LIMIT);
    const throttled = burst.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(3);
    for (const res of throttled) expectThrottled(res, 'spinDraw');
    expect(bystander.status).toBe(201);
    expect(await spinsOf(script.token, drawId)).toBe(LIMIT);
    for (const key of burstKeys.filter((_, i) => burst[i]?.status === 429)) expect(await idempotencyRecord(script.memberId, key, 'spinDraw')).toBeUndefined();
  });

  it('refuses a hot member at the count across instances without writing, and never counts a replay', async () => {
    // Prepare: one spin accepted (the member is then hot here), its key kept for a replay
    const drawId = await openDraw();
    const m = await member(1_000);
    const key = ulid();
    expect((await spin(m.token, drawId, key)).status).toBe(201);
    const { second, counter } = await countedElsewhere(m.memberId, 'spinDraw');

    // Act
    const replay = await spin(m.token, drawId, key);
    const refused = await spin(m.token, drawId);

    // Assess: the replay answers the first spin without counting; the new spin is refused by the shared count
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expectThrottled(refused, 'spinDraw');
    if (Math.floor(Date.now() / 1000) === second) expect((await counterOf(counter))?.requests).toBe(LIMIT);
    expect(await spinsOf(m.token, drawId)).toBe(1);
  });
});

async function openAuction(): Promise<string> {
  const productId = uniqueId('rate-lot');
  const lot = await api.call('POST', '/v1/admin/products', {
    token: admin,
    body: { productId, name: 'Rate-limited lot', type: 'PHYSICAL', zone: `z-${ulid().toLowerCase().slice(-10)}`, pricePoints: 100, stockShards: 1, initialStock: 1 },
  });
  if (lot.status !== 201) throw new Error(`lot not created: ${lot.text}`);
  const now = Date.now();
  const created = await api.call<{ auctionId: string }>('POST', '/v1/admin/auctions', {
    token: admin,
    body: { productId, title: 'Rate-limited auction', startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 3_600_000).toISOString(), startingPrice: 100, minIncrement: 10 },
  });
  if (created.status !== 201) throw new Error(`auction not created: ${created.text}`);
  return created.body.auctionId;
}

function bid(token: string, auctionId: string, amount: number, key = ulid()) {
  return api.call<{ code?: string; detail?: string; outcome?: string }>('POST', `/v1/auctions/${auctionId}/bids`, { token, body: { amount }, headers: { 'idempotency-key': key } });
}

async function bidsOf(token: string, auctionId: string): Promise<number> {
  const res = await api.call<{ items: { auctionId: string }[] }>('GET', '/v1/me/bids?limit=100', { token });
  expect(res.status).toBe(200);
  return res.body.items.filter((b) => b.auctionId === auctionId).length;
}

describe('per-member request rate on POST /v1/auctions/{auctionId}/bids', () => {
  it('answers 429 THROTTLED beyond the limit in one instance and writes nothing for it', async () => {
    // Prepare
    const auctionId = await openAuction();
    const script = await member(100_000);
    const burstKeys = Array.from({ length: LIMIT + 3 }, () => ulid());

    // Act: rising bids, all in one second
    await startOfSecond();
    const burst = await Promise.all(burstKeys.map((key, i) => bid(script.token, auctionId, 100 + 100 * i, key)));

    // Assess: the first LIMIT went through (accepted, or refused by the auction's own rules); the rest are 429, unwritten
    const throttled = burst.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(3);
    for (const res of throttled) expectThrottled(res, 'placeBid');
    expect(burst.filter((r) => r.status !== 429).every((r) => r.status === 201 || r.status === 409)).toBe(true);
    for (const key of burstKeys.filter((_, i) => burst[i]?.status === 429)) expect(await idempotencyRecord(script.memberId, key, 'placeBid')).toBeUndefined();
    expect(await bidsOf(script.token, auctionId)).toBe(burst.filter((r) => r.status === 201).length);
  });

  it('refuses a hot member at the count across instances without writing, and never counts a bid too low', async () => {
    // Prepare: a leading bid (the member is then hot here)
    const auctionId = await openAuction();
    const m = await member(100_000);
    expect((await bid(m.token, auctionId, 200)).status).toBe(201);
    const { second, counter } = await countedElsewhere(m.memberId, 'placeBid');

    // Act
    const tooLow = await bid(m.token, auctionId, 100);
    const refused = await bid(m.token, auctionId, 500);

    // Assess: a bid too low is refused by the auction before any count; a real raise by the shared count
    expect(tooLow.status).toBe(409);
    expect(tooLow.body.code).toBe('BID_TOO_LOW');
    expectThrottled(refused, 'placeBid');
    if (Math.floor(Date.now() / 1000) === second) expect((await counterOf(counter))?.requests).toBe(LIMIT);
    expect(await bidsOf(m.token, auctionId)).toBe(1);
    expect((await getWallet(m.memberId, 'points')).held).toBe(200);
  });
});
