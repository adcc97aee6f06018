/**
 * The operators' mall reads (issue 14): the product list with its filters and
 * stock per shard, the coupon template list with issued and used counts, and
 * the flash-sale monitor read from its counters.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { commit } from '../../shared/ledger/ledger.js';
import { backfillAdminLists } from '../../shared/mall/admin-lists-backfill.js';
import { flushRefusals, flushRefusalsAfterRedemption, forgetPendingRefusals, forgetSaleMonitor, minuteOf, recordRefusal } from '../../shared/mall/sale-stats.js';
import { InvocationBudget, outsideInvocationBudget, runWithinBudget } from '../../shared/runtime/deadline.js';
import { readStock } from '../../shared/mall/stock.js';
import { registerMember } from '../../shared/members/service.js';
import { OPERATOR_ROLES } from '../../shared/http/roles.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId, type ApiResponse } from '../support/api.js';

let api: TestApi;
let marketer: string;
let analyst: string;

beforeAll(async () => {
  api = await TestApi.create();
  marketer = await api.operatorToken('marketer', uniqueId('op-marketer'));
  analyst = await api.operatorToken('analyst', uniqueId('op-analyst'));
});

interface Stock {
  available: number;
  sold: number;
  shards: { shard: number; available: number; sold: number }[];
}
interface AdminProduct {
  productId: string;
  type: string;
  zone: string;
  status: string;
  soldOut: boolean;
  soldOutAt: string | null;
  stockShards: number;
  stock: Stock;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
type Refusals = Record<'OUT_OF_STOCK' | 'LIMIT_REACHED' | 'INSUFFICIENT_POINTS' | 'NOT_ON_SALE' | 'FORBIDDEN', number>;
interface Monitor {
  productId: string;
  onSaleNow: boolean;
  ordersCounted: boolean;
  stock: Stock;
  soldOut: boolean;
  soldOutAt: string | null;
  ordersThisMinute: number;
  ordersPerMinute: number;
  orders: number;
  units: number;
  refusals: Refusals;
  minutes: { minute: string; orders: number; units: number; refusals: Refusals }[];
}

function expectProblem(answer: ApiResponse<Record<string, unknown>>, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code });
  expect(answer.headers['content-type']).toContain('application/problem+json');
}

async function member(points: number): Promise<{ memberId: string; token: string }> {
  const memberId = uniqueId('mall-admin');
  await registerMember(memberId, { tier: 'normal' });
  if (points > 0) await commit({ moves: [{ memberId, type: 'EARN', points, bucket: bucketAfterMonths(new Date(), 12), reason: 'test credit' }] });
  return { memberId, token: await api.token('member', memberId) };
}

async function product(body: Record<string, unknown>): Promise<string> {
  const productId = uniqueId('prod-admin');
  const res = await api.call('POST', '/v1/admin/products', { token: marketer, body: { productId, name: 'Admin list product', type: 'PHYSICAL', pricePoints: 100, ...body } });
  if (res.status !== 201) throw new Error(`product not created: ${res.text}`);
  return productId;
}

function order(token: string, productId: string, payment: 'POINTS' | 'POINTS_CASH' = 'POINTS') {
  return api.call<Record<string, unknown>>('POST', '/v1/orders', { token, body: { productId, payment }, headers: { 'idempotency-key': ulid() } });
}

/** Every page of a list (following nextCursor), for the filters in `query`. */
async function listAll<T>(path: string, query: string, token = analyst): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const url = `${path}?limit=100${query ? `&${query}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res: ApiResponse<Page<T>> = await api.call<Page<T>>('GET', url, { token });
    expect(res.status, res.text).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

describe('GET /v1/admin/products', () => {
  const zone = `adm-${ulid().toLowerCase().slice(-10)}`;
  const hourAgo = new Date(Date.now() - 3600_000).toISOString();
  const inAnHour = new Date(Date.now() + 3600_000).toISOString();
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ids.physical = await product({ zone, stockShards: 4, initialStock: 10, saleStartsAt: hourAgo, saleEndsAt: inAnHour });
    ids.supplier = await product({ zone, type: 'SUPPLIER', supplier: { supplierId: 'jd', sku: 'SKU-1' }, initialStock: 3, saleStartsAt: inAnHour });
    ids.virtual = await product({ zone, type: 'VIRTUAL', status: 'INACTIVE' });
  });

  it("lists a zone's products in its order, each with its stock as a total and per shard", async () => {
    const items = await listAll<AdminProduct>('/v1/admin/products', `zone=${zone}`);
    expect(items.map((p) => p.productId).sort()).toEqual(Object.values(ids).sort());
    const physical = items.find((p) => p.productId === ids.physical);
    expect(physical?.stock).toEqual({
      productId: ids.physical,
      available: 10,
      sold: 0,
      shards: [
        { shard: 0, available: 3, sold: 0 },
        { shard: 1, available: 3, sold: 0 },
        { shard: 2, available: 2, sold: 0 },
        { shard: 3, available: 2, sold: 0 },
      ],
    });
  });

  it('filters by type, status and on sale now', async () => {
    expect((await listAll<AdminProduct>('/v1/admin/products', `zone=${zone}&type=SUPPLIER`)).map((p) => p.productId)).toEqual([ids.supplier]);
    expect((await listAll<AdminProduct>('/v1/admin/products', `zone=${zone}&status=INACTIVE`)).map((p) => p.productId)).toEqual([ids.virtual]);
    expect((await listAll<AdminProduct>('/v1/admin/products', `zone=${zone}&onSaleNow=true`)).map((p) => p.productId)).toEqual([ids.physical]);
    const notOnSale = await listAll<AdminProduct>('/v1/admin/products', `zone=${zone}&onSaleNow=false`);
    expect(notOnSale.map((p) => p.productId).sort()).toEqual([ids.supplier, ids.virtual].sort());
  });

  it('lists every product newest first without a zone (the GSI2 list), with the type filter', async () => {
    const virtual = await listAll<AdminProduct>('/v1/admin/products', 'type=VIRTUAL');
    expect(virtual.every((p) => p.type === 'VIRTUAL')).toBe(true);
    expect(virtual.some((p) => p.productId === ids.virtual)).toBe(true);
    const first = await api.call<Page<AdminProduct>>('GET', '/v1/admin/products?limit=5', { token: analyst });
    expect(first.status).toBe(200);
    expect(first.body.items.length).toBeGreaterThan(0);
  });

  it('flashSale=true lists the flash-sale zone only', async () => {
    const flash = await product({ zone: 'flash-sale', stockShards: 2, initialStock: 4 });
    const items = await listAll<AdminProduct>('/v1/admin/products', 'flashSale=true');
    expect(items.every((p) => p.zone === 'flash-sale')).toBe(true);
    expect(items.some((p) => p.productId === flash)).toBe(true);
    const others = await listAll<AdminProduct>('/v1/admin/products', `zone=${zone}&flashSale=false`);
    expect(others).toHaveLength(3);
  });

  it('pages with sealed cursors; a forged cursor or a bad filter is a 400 naming the field', async () => {
    const first = await api.call<Page<AdminProduct>>('GET', `/v1/admin/products?zone=${zone}&limit=2`, { token: analyst });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await api.call<Page<AdminProduct>>('GET', `/v1/admin/products?zone=${zone}&limit=2&cursor=${encodeURIComponent(String(first.body.nextCursor))}`, {
      token: analyst,
    });
    expect(second.body.items.map((p) => p.productId)).toHaveLength(1);
    expectProblem(await api.call('GET', `/v1/admin/products?cursor=not-a-cursor`, { token: analyst }), 400, 'INVALID_CURSOR');
    // A cursor of one filter on another is refused too.
    expectProblem(
      await api.call('GET', `/v1/admin/products?zone=main&limit=2&cursor=${encodeURIComponent(String(first.body.nextCursor))}`, { token: analyst }),
      400,
      'INVALID_CURSOR',
    );
    const badType = await api.call<{ code: string; errors: { path: string }[] }>('GET', '/v1/admin/products?type=GADGET', { token: analyst });
    expect(badType.status).toBe(400);
    expect(badType.body.errors.map((e) => e.path)).toContain('query.type');
    const badBool = await api.call<{ errors: { path: string }[] }>('GET', '/v1/admin/products?onSaleNow=yes', { token: analyst });
    expect(badBool.status).toBe(400);
    expect(badBool.body.errors.map((e) => e.path)).toContain('query.onSaleNow');
  });

  it('is read by every operator role and refused to members', async () => {
    for (const role of OPERATOR_ROLES) {
      const res = await api.call('GET', `/v1/admin/products?zone=${zone}`, { token: await api.operatorToken(role) });
      expect(res.status, role).toBe(200);
    }
    const m = await member(0);
    expect((await api.call('GET', '/v1/admin/products', { token: m.token })).status).toBe(403);
    expect((await api.call('GET', '/v1/admin/products')).status).toBe(401);
  });
});

describe('GET /v1/admin/coupons', () => {
  it('lists templates newest first with issued and used counts kept by the issuing orders', async () => {
    const older = uniqueId('ct-list');
    const newer = uniqueId('ct-list');
    for (const [couponTemplateId, discount] of [
      [older, { kind: 'AMOUNT_OFF', amountOffCents: 500, thresholdCents: 5000 }],
      [newer, { kind: 'PERCENT_OFF', percent: 10 }],
    ] as const) {
      const res = await api.call('POST', '/v1/admin/coupons', {
        token: marketer,
        body: { couponTemplateId, name: `Template ${couponTemplateId}`, discount, validity: { kind: 'DAYS_AFTER_ISSUE', days: 30 } },
      });
      expect(res.status, res.text).toBe(201);
    }
    const productId = await product({ zone: `cp-${ulid().toLowerCase().slice(-10)}`, type: 'COUPON', couponTemplateId: newer, initialStock: 5, pricePoints: 10 });
    const m = await member(100);
    expect((await order(m.token, productId)).status).toBe(201);
    expect((await order(m.token, productId)).status).toBe(201);

    const items = await listAll<{ couponTemplateId: string; issued: number; used: number; discount: { kind: string } }>('/v1/admin/coupons', '');
    const newerAt = items.findIndex((t) => t.couponTemplateId === newer);
    const olderAt = items.findIndex((t) => t.couponTemplateId === older);
    expect(newerAt).toBeGreaterThanOrEqual(0);
    expect(olderAt).toBeGreaterThan(newerAt);
    expect(items[newerAt]).toMatchObject({ issued: 2, used: 0, discount: { kind: 'PERCENT_OFF' } });
    expect(items[olderAt]).toMatchObject({ issued: 0, used: 0, discount: { kind: 'AMOUNT_OFF' } });
  });

  it('is read by every operator role, refused to members, and a forged cursor is a 400', async () => {
    for (const role of OPERATOR_ROLES) expect((await api.call('GET', '/v1/admin/coupons?limit=1', { token: await api.operatorToken(role) })).status).toBe(200);
    const m = await member(0);
    expect((await api.call('GET', '/v1/admin/coupons', { token: m.token })).status).toBe(403);
    expectProblem(await api.call('GET', '/v1/admin/coupons?cursor=forged', { token: analyst }), 400, 'INVALID_CURSOR');
  });
});

describe('GET /v1/admin/products/{productId}/sale-monitor', () => {
  it('shows the stock fall, the orders per minute and, once sold out, the sold-out time and the refusals by reason', async () => {
    const productId = await product({
      zone: `fs-${ulid().toLowerCase().slice(-10)}`,
      stockShards: 2,
      initialStock: 3,
      pricePoints: 100,
      pointsCash: { points: 50, cashCents: 990 },
      limits: { perDay: null, lifetime: 1 },
      saleStartsAt: new Date(Date.now() - 60_000).toISOString(),
      saleEndsAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    const buyers = await Promise.all([member(500), member(500), member(500)]);
    const late = await member(500);
    const poor = await member(10);

    // Act: one buyer orders twice (limit), a poor member once, then the stock sells out and a late member is refused
    expect((await order(buyers[0]!.token, productId, 'POINTS_CASH')).status).toBe(201);
    expect((await order(buyers[0]!.token, productId)).body.code).toBe('LIMIT_REACHED');
    expect((await order(poor.token, productId)).body.code).toBe('INSUFFICIENT_POINTS');
    forgetSaleMonitor();
    const midway = await api.call<Monitor>('GET', `/v1/admin/products/${productId}/sale-monitor`, { token: analyst });
    expect(midway.status, midway.text).toBe(200);
    expect(midway.body.stock.available).toBe(2);
    expect(midway.body.soldOut).toBe(false);

    expect((await order(buyers[1]!.token, productId)).status).toBe(201);
    expect((await order(buyers[2]!.token, productId)).status).toBe(201);
    expect((await order(late.token, productId)).body.code).toBe('OUT_OF_STOCK');
    expect((await order(late.token, productId)).body.code).toBe('OUT_OF_STOCK');
    await flushRefusals({ force: true });
    forgetSaleMonitor();

    // Assess
    const res = await api.call<Monitor>('GET', `/v1/admin/products/${productId}/sale-monitor?minutes=5`, { token: analyst });
    expect(res.status, res.text).toBe(200);
    const monitor = res.body;
    expect(monitor.onSaleNow).toBe(true);
    expect(monitor.stock.available).toBe(0);
    expect(monitor.stock.sold).toBe(3);
    expect(monitor.soldOut).toBe(true);
    expect(Date.parse(String(monitor.soldOutAt))).toBeGreaterThan(Date.now() - 120_000);
    expect(monitor.orders).toBe(3);
    expect(monitor.units).toBe(3);
    expect(monitor.refusals).toEqual({ OUT_OF_STOCK: 2, LIMIT_REACHED: 1, INSUFFICIENT_POINTS: 1, NOT_ON_SALE: 0, FORBIDDEN: 0 });
    expect(monitor.minutes).toHaveLength(5);
    expect(monitor.minutes.at(-1)?.minute).toBe(minuteOf(new Date(Date.parse(monitor.minutes.at(-1)!.minute + ':00Z'))));
    expect(monitor.minutes.reduce((sum, m) => sum + m.orders, 0)).toBe(3);
    expect(monitor.ordersThisMinute + monitor.ordersPerMinute).toBe(3);

    // The order counters sit on the stock shards' own partitions: each shard's count is what it sold
    const stock = await readStock(productId, 2);
    for (const shard of stock.shards) {
      const items = await db().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.product.saleStatsPartition(productId, shard.shard) },
        }),
      );
      const orders = (items.Items ?? []).filter((i) => i.entity === 'SaleMinute').reduce((sum, i) => sum + Number(i.orders), 0);
      expect(orders).toBe(shard.sold);
    }
  });

  it('counts NOT_ON_SALE refusals of a sale not yet open; an unknown product is 404 and never counted', async () => {
    const productId = await product({ zone: `fs-${ulid().toLowerCase().slice(-10)}`, initialStock: 5, saleStartsAt: new Date(Date.now() + 3600_000).toISOString() });
    const m = await member(500);
    expect((await order(m.token, productId)).body.code).toBe('NOT_ON_SALE');
    const unknown = uniqueId('no-such-product');
    expect((await order(m.token, unknown)).status).toBe(404);
    await flushRefusals({ force: true });
    forgetSaleMonitor();
    const monitor = await api.call<Monitor>('GET', `/v1/admin/products/${productId}/sale-monitor`, { token: analyst });
    expect(monitor.body.onSaleNow).toBe(false);
    expect(monitor.body.ordersCounted).toBe(true);
    expect(monitor.body.refusals.NOT_ON_SALE).toBe(1);
    expect(monitor.body.minutes).toHaveLength(30);
    expectProblem(await api.call('GET', `/v1/admin/products/${unknown}/sale-monitor`, { token: analyst }), 404, 'NOT_FOUND');
    const noStats = await db().send(
      new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.product.saleStatsPartition(unknown, 0) } }),
    );
    expect(noStats.Items ?? []).toHaveLength(0);
  });

  it("counts the orders of flash sales only: an everyday product's redemptions write no sale counter", async () => {
    const productId = await product({ zone: `ev-${ulid().toLowerCase().slice(-10)}`, initialStock: 2 });
    const m = await member(500);
    expect((await order(m.token, productId)).status).toBe(201);
    forgetSaleMonitor();
    const monitor = await api.call<Monitor>('GET', `/v1/admin/products/${productId}/sale-monitor`, { token: analyst });
    expect(monitor.body).toMatchObject({ ordersCounted: false, orders: 0 });
    expect(monitor.body.stock.sold).toBe(1);
    const stats = await db().send(
      new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': keys.product.saleStatsPartition(productId, 0) } }),
    );
    expect(stats.Items ?? []).toHaveLength(0);
  });

  it('keeps the counts of the minutes before a rebalance to fewer shards', async () => {
    const productId = await product({ zone: 'flash-sale', stockShards: 4, initialStock: 8 });
    const buyers = await Promise.all(Array.from({ length: 6 }, () => member(500)));
    for (const b of buyers) expect((await order(b.token, productId)).status).toBe(201);
    const rebalanced = await api.call<Stock>('POST', `/v1/admin/products/${productId}/stock/rebalance`, { token: marketer, body: { shards: 1 } });
    expect(rebalanced.status, rebalanced.text).toBe(200);
    expect(rebalanced.body.shards).toHaveLength(1);
    forgetSaleMonitor();
    const monitor = await api.call<Monitor>('GET', `/v1/admin/products/${productId}/sale-monitor?minutes=5`, { token: analyst });
    expect(monitor.body.orders).toBe(6);
    expect(monitor.body.stock.available).toBe(2);
  });

  it('buffers refusals in the function instance: written when 5 s have passed or their minute is over, not per refusal', async () => {
    const productId = await product({ zone: 'flash-sale', initialStock: 1 });
    forgetPendingRefusals();
    const now = new Date();
    recordRefusal(productId, 'LIMIT_REACHED', now);
    expect(await flushRefusals({ now, force: true })).toBe(1);
    recordRefusal(productId, 'OUT_OF_STOCK', now);
    recordRefusal(productId, 'OUT_OF_STOCK', now);
    // Not due: the last flush was just now and the minute is not over
    expect(await flushRefusals({ now })).toBe(0);
    // Due 5 s later: one write for the product's minute, both refusals in it
    expect(await flushRefusals({ now: new Date(now.getTime() + 5_000) })).toBe(1);
    forgetSaleMonitor();
    const monitor = await api.call<Monitor>('GET', `/v1/admin/products/${productId}/sale-monitor?minutes=2`, { token: analyst });
    expect(monitor.body.refusals).toMatchObject({ OUT_OF_STOCK: 2, LIMIT_REACHED: 1 });
  });

  it("never makes the refusal counts the request's write: skipped near the deadline, untracked otherwise", async () => {
    const productId = await product({ zone: 'flash-sale', initialStock: 1 });
    forgetPendingRefusals();
    recordRefusal(productId, 'NOT_ON_SALE');
    // 100 ms left: the flush waits for a later invocation
    const late = new InvocationBudget(Date.now() + 100);
    await runWithinBudget(late, () => flushRefusalsAfterRedemption());
    expect(late.mayHaveWritten).toBe(false);
    // Written outside an invocation's budget: the invocation has written nothing
    const roomy = new InvocationBudget(Date.now() + 10_000);
    const written = await runWithinBudget(roomy, () => outsideInvocationBudget(() => flushRefusals({ force: true })));
    expect(written).toBe(1);
    expect(roomy.mayHaveWritten).toBe(false);
  });

  it('refuses a window out of range (400 naming minutes) and members (403)', async () => {
    const productId = await product({ zone: `fs-${ulid().toLowerCase().slice(-10)}`, initialStock: 1 });
    const bad = await api.call<{ errors: { path: string }[] }>('GET', `/v1/admin/products/${productId}/sale-monitor?minutes=0`, { token: analyst });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path)).toContain('query.minutes');
    const m = await member(0);
    expect((await api.call('GET', `/v1/admin/products/${productId}/sale-monitor`, { token: m.token })).status).toBe(403);
    for (const role of OPERATOR_ROLES) {
      expect((await api.call('GET', `/v1/admin/products/${productId}/sale-monitor`, { token: await api.operatorToken(role) })).status).toBe(200);
    }
  });
});

describe('the operator list backfill', () => {
  it('gives a product, a template, an order and a draw stored before the lists their entries, once', async () => {
    const productId = await product({ zone: `bf-${ulid().toLowerCase().slice(-10)}`, initialStock: 1 });
    const buyer = await member(500);
    const placed = await order(buyer.token, productId);
    expect(placed.status, placed.text).toBe(201);
    const orderId = String(placed.body.orderId);
    const drawId = uniqueId('d-bf');
    const hour = 3600_000;
    const drawBody = {
      drawId,
      name: 'Backfilled wheel',
      startsAt: new Date(Date.now() + hour).toISOString(),
      endsAt: new Date(Date.now() + 48 * hour).toISOString(),
      freeSpinsPerDay: 1,
      spinCostPoints: 10,
      maxSpinsPerDay: 2,
      prizes: [
        { prizeId: 'gift', name: 'Gift', kind: 'NOTHING', weight: 1 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
      consolationPrizeId: 'thanks',
    };
    expect((await api.call('POST', '/v1/admin/draws', { token: marketer, body: drawBody })).status).toBe(201);
    const couponTemplateId = uniqueId('ct-bf');
    expect(
      (
        await api.call('POST', '/v1/admin/coupons', {
          token: marketer,
          body: { couponTemplateId, name: 'Backfilled', discount: { kind: 'NO_THRESHOLD', amountOffCents: 100 }, validity: { kind: 'DAYS_AFTER_ISSUE', days: 1 } },
        })
      ).status,
    ).toBe(201);
    // As stored before the lists existed: no list keys
    await db().send(new UpdateCommand({ TableName: tableName(), Key: keys.product.item(productId), UpdateExpression: 'REMOVE GSI2PK, GSI2SK' }));
    await db().send(new UpdateCommand({ TableName: tableName(), Key: keys.couponTemplate.item(couponTemplateId), UpdateExpression: 'REMOVE GSI1PK, GSI1SK' }));
    await db().send(new UpdateCommand({ TableName: tableName(), Key: keys.order.item(orderId), UpdateExpression: 'REMOVE GSI3PK, GSI3SK' }));
    await db().send(new UpdateCommand({ TableName: tableName(), Key: keys.draw.definition(drawId), UpdateExpression: 'REMOVE GSI2PK, GSI2SK' }));

    const stats = await backfillAdminLists({ segments: 2 });

    expect(stats.productsIndexed).toBeGreaterThanOrEqual(1);
    expect(stats.templatesIndexed).toBeGreaterThanOrEqual(1);
    const item = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.product.item(productId) }))).Item;
    expect(item?.GSI2PK).toBe('PRODUCTS');
    expect(item?.GSI2SK).toBe(`${String(item?.createdAt)}#${productId}`);
    const template = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.couponTemplate.item(couponTemplateId) }))).Item;
    expect(template?.GSI1SK).toBe(`${String(template?.createdAt)}#${couponTemplateId}`);
    const orderItem = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.order.item(orderId) }))).Item;
    expect(orderItem).toMatchObject(keys.order.listEntry(orderId, String(orderItem?.createdAt)));
    const drawItem = (await db().send(new GetCommand({ TableName: tableName(), Key: keys.draw.definition(drawId) }))).Item;
    expect(drawItem).toMatchObject(keys.draw.adminEntry(drawId, String(drawItem?.createdAt)));
    expect(stats.ordersIndexed).toBeGreaterThanOrEqual(1);
    expect(stats.drawsIndexed).toBeGreaterThanOrEqual(1);
    const again = await backfillAdminLists({ segments: 2 });
    expect(again).toMatchObject({ productsIndexed: 0, templatesIndexed: 0, ordersIndexed: 0, drawsIndexed: 0 });
  });
});
