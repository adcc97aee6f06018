/**
 * The operator reads of the games (issue 14): every draw with a status filter, a draw's seeds, an auction's bid
 * history. On a table of this file's own, so the list of every draw holds only this file's draws.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { addOpenDrawsToOperatorList } from '../../shared/draws/draws.js';
import { commit } from '../../shared/ledger/ledger.js';
import { getWallet } from '../../shared/ledger/reader.js';
import { createProduct } from '../../shared/mall/catalogue.js';
import { registerMember } from '../../shared/members/service.js';
import { OPERATOR_ROLES, type OperatorRole } from '../../shared/http/roles.js';
import { db } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';

const tableName = `points-mall-games-admin-${ulid().toLowerCase()}`;
process.env.TABLE_NAME = tableName;
resetConfigForTests();

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

let api: TestApi;
const operators = {} as Record<OperatorRole, string>;
let productId: string;

beforeAll(async () => {
  const client = localClient(inject('dynamodbEndpoint'));
  await ensureTable(client, tableName, { stream: false });
  client.destroy();
  api = await TestApi.create();
  for (const role of OPERATOR_ROLES) operators[role] = await api.operatorToken(role, uniqueId(`op-${role}`));
  productId = uniqueId('lot');
  await createProduct({
    productId,
    name: 'Headphones (auction lot)',
    description: '',
    type: 'PHYSICAL',
    zone: 'main',
    pricePoints: 2000,
    pointsCash: null,
    visibleToTiers: null,
    limits: { perDay: null, lifetime: null },
    saleStartsAt: null,
    saleEndsAt: null,
    supplier: null,
    couponTemplateId: null,
    status: 'ACTIVE',
    sortOrder: 1000,
    stockShards: 1,
    initialStock: 0,
  });
});

interface DrawSummary {
  drawId: string;
  name: string;
  status: string;
  operatorStatus: string;
  version: number;
  prizeCount: number;
  totalWeight: number;
  createdAt: string;
  createdBy: string;
}

async function newDraw(fields: Record<string, unknown> = {}): Promise<string> {
  const drawId = uniqueId('d');
  const res = await api.call('POST', '/v1/admin/draws', {
    token: operators.marketer,
    body: {
      drawId,
      name: `Wheel ${drawId}`,
      startsAt: iso(Date.now() - HOUR),
      endsAt: iso(Date.now() + 48 * HOUR),
      freeSpinsPerDay: 3,
      spinCostPoints: 10,
      maxSpinsPerDay: 5,
      consolationPrizeId: 'thanks',
      prizes: [
        { prizeId: 'nothing', name: 'Nothing', kind: 'NOTHING', weight: 30 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 70 },
      ],
      ...fields,
    },
  });
  if (res.status !== 201) throw new Error(`draw not created: ${res.status} ${res.text}`);
  return drawId;
}

async function changeDraw(drawId: string, body: Record<string, unknown>): Promise<void> {
  const current = await api.call<{ version: number }>('GET', `/v1/admin/draws/${drawId}`, { token: operators.admin });
  const res = await api.call('PATCH', `/v1/admin/draws/${drawId}`, { token: operators.admin, body: { expectedVersion: current.body.version, ...body } });
  if (res.status !== 200) throw new Error(`draw not changed: ${res.status} ${res.text}`);
}

async function listAll(path: string, token: string, limit = 2): Promise<DrawSummary[]> {
  const all: DrawSummary[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res: { status: number; body: { items: DrawSummary[]; nextCursor: string | null }; text: string } = await api.call('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status, res.text).toBe(200);
    all.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return all;
}

describe('GET /v1/admin/draws: every draw, newest first, by status now', () => {
  it('lists open, upcoming, paused and ended draws (ended by an operator or by time), each once across pages, and filters by status', async () => {
    // Prepare: one draw in each status
    const open = await newDraw();
    const upcoming = await newDraw({ startsAt: iso(Date.now() + 24 * HOUR) });
    const paused = await newDraw();
    await changeDraw(paused, { status: 'PAUSED' });
    const endedByOperator = await newDraw();
    await changeDraw(endedByOperator, { status: 'ENDED' });
    const endedByTime = await newDraw({ endsAt: iso(Date.now() + 1500) });
    await new Promise((resolve) => setTimeout(resolve, 1600));

    // Act
    const all = await listAll('/v1/admin/draws', operators.analyst);
    const byStatus = async (status: string) => (await listAll(`/v1/admin/draws?status=${status}`, operators.support, 1)).map((d) => d.drawId);

    // Assess: newest first, each once, with the status now and what the operator set
    expect(all.map((d) => d.drawId)).toEqual([endedByTime, endedByOperator, paused, upcoming, open]);
    const view = Object.fromEntries(all.map((d) => [d.drawId, d]));
    expect(view[open]).toMatchObject({ status: 'OPEN', operatorStatus: 'ACTIVE', version: 1, prizeCount: 2, totalWeight: 100 });
    expect(view[upcoming]).toMatchObject({ status: 'UPCOMING', operatorStatus: 'ACTIVE' });
    expect(view[paused]).toMatchObject({ status: 'PAUSED', operatorStatus: 'PAUSED', version: 2 });
    expect(view[endedByOperator]).toMatchObject({ status: 'ENDED', operatorStatus: 'ENDED' });
    expect(view[endedByTime]).toMatchObject({ status: 'ENDED', operatorStatus: 'ACTIVE' });
    expect(view[open]?.createdBy).toMatch(/^op-marketer-/);
    expect(await byStatus('ENDED')).toEqual([endedByTime, endedByOperator]);
    expect(await byStatus('PAUSED')).toEqual([paused]);
    expect(await byStatus('UPCOMING')).toEqual([upcoming]);
    expect(await byStatus('OPEN')).toEqual([open]);
  }, 60_000);

  it('refuses a status it does not know, a forged cursor, and a member token; admits every operator role', async () => {
    const bad = await api.call<{ errors?: { path: string }[] }>('GET', '/v1/admin/draws?status=RUNNING', { token: operators.admin });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('status');
    const forged = await api.call('GET', '/v1/admin/draws?cursor=not-a-cursor', { token: operators.admin });
    expect(forged.status).toBe(400);
    const member = await api.call('GET', '/v1/admin/draws', { token: await api.token('member', 'm-games-admin') });
    expect(member.status).toBe(403);
    for (const role of OPERATOR_ROLES) expect((await api.call('GET', '/v1/admin/draws?limit=1', { token: operators[role] })).status).toBe(200);
  });

  it('puts a draw stored before the list existed on it (not ended ones), once', async () => {
    const drawId = await newDraw();
    await db().send(new UpdateCommand({ TableName: tableName, Key: keys.draw.definition(drawId), UpdateExpression: 'REMOVE GSI2PK, GSI2SK' }));
    expect((await listAll('/v1/admin/draws', operators.admin, 50)).map((d) => d.drawId)).not.toContain(drawId);

    expect(await addOpenDrawsToOperatorList()).toBeGreaterThanOrEqual(1);
    expect(await addOpenDrawsToOperatorList()).toBe(0);

    expect((await listAll('/v1/admin/draws', operators.admin, 50)).map((d) => d.drawId)).toContain(drawId);
    const item = await db().send(new GetCommand({ TableName: tableName, Key: keys.draw.definition(drawId) }));
    expect(item.Item?.GSI2PK).toBe(keys.draw.adminPartition());
  });
});

describe('PUT /v1/admin/draws/{drawId}/prizes: an upcoming draw\'s prizes and odds', () => {
  interface Admin {
    version: number;
    totalWeight: number;
    consolationPrizeId: string;
    prizes: { prizeId: string; weight: number; odds: number; stock: number | null; stockLeft: number | null }[];
    history: { version: number; by: string; changes: Record<string, { from: string; to: string }> }[];
  }
  const upcoming = () => newDraw({ startsAt: iso(Date.now() + 2 * HOUR), prizes: [
    { prizeId: 'mug', name: 'Mug', kind: 'NOTHING', weight: 10, stock: 5 },
    { prizeId: 'pen', name: 'Pen', kind: 'NOTHING', weight: 20, stock: 3 },
    { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 70 },
  ] });

  it('replaces the table before the draw opens: weights, stock rebuilt (removed, changed, new), a change record, an audit record', async () => {
    // Prepare
    const drawId = await upcoming();
    const table = {
      expectedVersion: 1,
      prizes: [
        { prizeId: 'mug', name: 'Mug', kind: 'NOTHING', weight: 1500, stock: 8 },
        { prizeId: 'cap', name: 'Cap', kind: 'NOTHING', weight: 3000, stock: 2 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 5500 },
      ],
      consolationPrizeId: 'thanks',
    };

    // Act
    const res = await api.call<Admin>('PUT', `/v1/admin/draws/${drawId}/prizes`, { token: operators.marketer, body: table, headers: { 'idempotency-key': ulid() } });

    // Assess
    expect(res.status, res.text).toBe(200);
    expect(res.body.version).toBe(2);
    expect(res.body.totalWeight).toBe(10_000);
    expect(res.body.prizes.map((p) => [p.prizeId, p.weight, p.odds, p.stock, p.stockLeft])).toEqual([
      ['mug', 1500, 0.15, 8, 8],
      ['cap', 3000, 0.3, 2, 2],
      ['thanks', 5500, 0.55, null, null],
    ]);
    expect(res.body.history[0]?.changes.prizes).toEqual({ from: 'mug 10/5, pen 20/3, thanks 70; consolation thanks', to: 'mug 1500/8, cap 3000/2, thanks 5500; consolation thanks' });
    expect(res.body.history[0]?.by).toMatch(/^op-marketer-/);
    const pen = await db().send(new GetCommand({ TableName: tableName, Key: keys.draw.prizeStock(drawId, 'pen') }));
    expect(pen.Item).toBeUndefined();
    const member = await api.call<{ prizes: { prizeId: string; odds: number }[] }>('GET', `/v1/draws/${drawId}`, { token: await api.token('member', 'm-games-admin') });
    expect(member.status, member.text).toBe(200);
    expect(member.body.prizes.map((p) => p.odds)).toEqual([0.15, 0.3, 0.55]);
    const audit = await api.call<{ items: { operation: string; summary: string }[] }>('GET', `/v1/admin/audit?target=${encodeURIComponent(`draw:${drawId}`)}`, { token: operators.admin });
    expect(audit.body.items.map((r) => r.operation)).toEqual(['replaceDrawPrizes', 'createDraw']);

    // The same table again changes nothing (no version, no record)
    const again = await api.call<Admin>('PUT', `/v1/admin/draws/${drawId}/prizes`, { token: operators.admin, body: { ...table, expectedVersion: 2 } });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);
  });

  it('refuses an open draw, one opening within a minute, an ended one, a stale version, a bad table (400 on the field), and analysts', async () => {
    const put = (drawId: string, body: Record<string, unknown>, token = operators.admin) => api.call<{ code?: string; errors?: { path: string }[]; currentVersion?: number }>('PUT', `/v1/admin/draws/${drawId}/prizes`, { token, body });
    const table = { prizes: [{ prizeId: 'a', name: 'A', kind: 'NOTHING', weight: 1 }, { prizeId: 'thanks', name: 'Thanks', kind: 'NOTHING', weight: 1 }], consolationPrizeId: 'thanks' };

    const open = await newDraw();
    expect((await put(open, { expectedVersion: 1, ...table })).body.code).toBe('CONFLICT');
    const soon = await newDraw({ startsAt: iso(Date.now() + 30_000) });
    expect((await put(soon, { expectedVersion: 1, ...table })).status).toBe(409);
    const ended = await upcoming();
    await changeDraw(ended, { status: 'ENDED' });
    expect((await put(ended, { expectedVersion: 2, ...table })).status).toBe(409);

    const drawId = await upcoming();
    const stale = await put(drawId, { expectedVersion: 4, ...table });
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(1);
    const badConsolation = await put(drawId, { expectedVersion: 1, ...table, consolationPrizeId: 'a', prizes: [{ ...table.prizes[0], stock: 3 }, table.prizes[1]] });
    expect(badConsolation.status).toBe(400);
    expect(JSON.stringify(badConsolation.body.errors)).toContain('consolationPrizeId');
    const zeroWeight = await put(drawId, { expectedVersion: 1, ...table, prizes: [{ ...table.prizes[0], weight: 0 }, table.prizes[1]] });
    expect(zeroWeight.status).toBe(400);
    expect(JSON.stringify(zeroWeight.body.errors)).toContain('prizes.0.weight');
    expect((await put(drawId, { expectedVersion: 1, ...table }, operators.analyst)).status).toBe(403);
    expect((await put(drawId, { expectedVersion: 1, ...table }, operators.support)).status).toBe(403);
    expect((await put(uniqueId('d-none'), { expectedVersion: 1, ...table })).status).toBe(404);
  });
});

describe('GET /v1/admin/draws/{drawId}/seeds', () => {
  it("answers today's and tomorrow's hashes (never a seed still in use) to every operator role; 404 for an unknown draw", async () => {
    const drawId = await newDraw();
    for (const role of OPERATOR_ROLES) {
      const res = await api.call<{ drawId: string; today: { seedHash: string } | null; tomorrow: { seedHash: string } | null; items: unknown[] }>(
        'GET',
        `/v1/admin/draws/${drawId}/seeds`,
        { token: operators[role] },
      );
      expect(res.status).toBe(200);
      expect(res.body.drawId).toBe(drawId);
      expect(res.body.today?.seedHash).toMatch(/^[0-9a-f]{64}$/);
      expect(res.body.tomorrow?.seedHash).toMatch(/^[0-9a-f]{64}$/);
      expect(res.body.items).toEqual([]);
      expect(JSON.stringify(res.body)).not.toContain('"seed":');
    }
    expect((await api.call('GET', `/v1/admin/draws/${uniqueId('d-none')}/seeds`, { token: operators.admin })).status).toBe(404);
    expect((await api.call('GET', `/v1/admin/draws/${drawId}/seeds`, { token: await api.token('member', 'm-games-admin') })).status).toBe(403);
  });
});

describe('GET /v1/admin/auctions/{auctionId}/bids', () => {
  async function bidder(points: number): Promise<{ memberId: string; token: string }> {
    const memberId = uniqueId('bidder');
    await registerMember(memberId, {});
    await commit({ moves: [{ memberId, type: 'EARN', points, bucket: bucketAfterMonths(new Date(), 12), reason: 'test credit' }] });
    return { memberId, token: await api.token('member', memberId) };
  }

  it('pages the bids newest first with bidder, maximum, hold and release; the cancel releases the last hold, audited', async () => {
    // Prepare: an open auction, three bidders
    const created = await api.call<{ auctionId: string }>('POST', '/v1/admin/auctions', {
      token: operators.marketer,
      body: { productId, title: 'Headphones auction', startsAt: iso(Date.now() - 1000), endsAt: iso(Date.now() + 2 * HOUR), startingPrice: 100, minIncrement: 10 },
    });
    expect(created.status, created.text).toBe(201);
    const auctionId = created.body.auctionId;
    const [a, b, c] = [await bidder(1000), await bidder(1000), await bidder(1000)];
    const bid = (who: { token: string }, body: Record<string, unknown>) =>
      api.call('POST', `/v1/auctions/${auctionId}/bids`, { token: who.token, body, headers: { 'idempotency-key': ulid() } });
    expect((await bid(a, { amount: 100, maxAmount: 150 })).status).toBe(201);
    expect((await bid(b, { amount: 200 })).status).toBe(201);
    expect((await bid(c, { amount: 300, maxAmount: 400 })).status).toBe(201);

    // Act
    interface Bid { seq: number; memberId: string; amount: number; maxAmount: number; held: number; released: { memberId: string; points: number } | null; outcome: string }
    const first = await api.call<{ items: Bid[]; nextCursor: string | null }>('GET', `/v1/admin/auctions/${auctionId}/bids?limit=2`, { token: operators.analyst });
    const second = await api.call<{ items: Bid[]; nextCursor: string | null }>(
      'GET',
      `/v1/admin/auctions/${auctionId}/bids?limit=2&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`,
      { token: operators.analyst },
    );

    // Assess: newest first, across two pages
    expect(first.status).toBe(200);
    expect(first.body.items.map((x) => x.seq)).toEqual([3, 2]);
    expect(second.body.items.map((x) => x.seq)).toEqual([1]);
    expect(second.body.nextCursor).toBeNull();
    expect(first.body.items[0]).toMatchObject({ memberId: c.memberId, amount: 300, maxAmount: 400, held: 400, released: { memberId: b.memberId, points: 200 } });
    expect(first.body.items[1]).toMatchObject({ memberId: b.memberId, amount: 200, released: { memberId: a.memberId, points: 150 } });
    expect(second.body.items[0]).toMatchObject({ memberId: a.memberId, amount: 100, maxAmount: 150, held: 150, released: null });
    expect((await getWallet(c.memberId, 'points')).held).toBe(400);

    // Cancel (a marketer): every hold released, the audit record names the auction
    const cancelled = await api.call<{ status: string }>('POST', `/v1/admin/auctions/${auctionId}/cancel`, { token: operators.marketer, body: { reason: 'lot damaged' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    for (const who of [a, b, c]) {
      const wallet = await getWallet(who.memberId, 'points');
      expect({ available: wallet.available, held: wallet.held }).toEqual({ available: 1000, held: 0 });
    }
    const audit = await api.call<{ items: { target: string; operation: string; operatorId: string }[] }>('GET', `/v1/admin/audit?target=${encodeURIComponent(`auction:${auctionId}`)}`, {
      token: operators.admin,
    });
    expect(audit.status, audit.text).toBe(200);
    expect(audit.body.items.map((r) => r.operation)).toEqual(['cancelAuction', 'createAuction']);
    // The history keeps the bids after the cancel
    const after = await api.call<{ items: Bid[] }>('GET', `/v1/admin/auctions/${auctionId}/bids`, { token: operators.support });
    expect(after.body.items.map((x) => x.seq)).toEqual([3, 2, 1]);
  }, 60_000);

  it('404 for an unknown auction, 400 for a forged cursor, 403 for a member', async () => {
    expect((await api.call('GET', `/v1/admin/auctions/${uniqueId('a-none')}/bids`, { token: operators.admin })).status).toBe(404);
    const created = await api.call<{ auctionId: string }>('POST', '/v1/admin/auctions', {
      token: operators.admin,
      body: { productId, title: 'Another auction', startsAt: iso(Date.now() + HOUR), endsAt: iso(Date.now() + 2 * HOUR), startingPrice: 100, minIncrement: 10 },
    });
    const path = `/v1/admin/auctions/${created.body.auctionId}/bids`;
    expect((await api.call<{ items: unknown[] }>('GET', path, { token: operators.analyst })).body.items).toEqual([]);
    expect((await api.call('GET', `${path}?cursor=forged`, { token: operators.admin })).status).toBe(400);
    expect((await api.call('GET', path, { token: await api.token('member', 'm-games-admin') })).status).toBe(403);
  });
});
