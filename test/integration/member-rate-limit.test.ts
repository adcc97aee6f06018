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
const VARIABLE = limitVariable('placeOrder');
let before: string | undefined;
let api: TestApi;
let admin: string;

beforeAll(async () => {
  before = process.env[VARIABLE];
  process.env[VARIABLE] = String(LIMIT);
  api = await TestApi.create();
  admin = await api.token('admin');
});

afterAll(() => {
  if (before === undefined) delete process.env[VARIABLE];
  else process.env[VARIABLE] = before;
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

async function idempotencyRecord(memberId: string, key: string) {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: keys.idempotency(`${memberId}:placeOrder`, key), ConsistentRead: true }))).Item;
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
