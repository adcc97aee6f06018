import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes, type RouteAuth } from '../../lib/routes.js';
import { operations, type OperationId } from '../../shared/contracts/index.js';
import { pagesWithCursor } from '../../shared/contracts/operation.js';
import { addDays } from '../../shared/domain/draws.js';
import { localDate } from '../../shared/domain/programme.js';
import { listOpenAuctions } from '../../shared/auctions/auctions.js';
import { listOpenDraws } from '../../shared/draws/draws.js';
import { ensureSeed } from '../../shared/draws/seeds.js';
import { recordDeadLetter } from '../../shared/events/dead-letters.js';
import { allLedgerEntries } from '../../shared/ledger/reader.js';
import { readOrder, unwind } from '../../shared/mall/orders.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, testPage, uniqueId, type ApiResponse } from '../support/api.js';

/**
 * Every list the API pages: a genuine next page works; anything but the
 * cursor the previous page answered (tampered, forged, another caller's,
 * another list's, another filter's) is 400 INVALID_CURSOR, never a 500.
 */

interface Page {
  readonly items: unknown[];
  readonly nextCursor: string | null;
}

interface ListCase {
  readonly operation: OperationId;
  readonly auth: Extract<RouteAuth, 'member' | 'admin' | 'pos'>;
  /** The list's URL (path and filters, no limit or cursor). */
  readonly url: () => string;
  /** The same list with another filter or path parameter, where it has one. */
  readonly otherFilter?: () => string;
  /** Where the page is in the answer (the auction view nests its bid history). */
  readonly pageOf?: (body: Record<string, unknown>) => Page;
}

let api: TestApi;
let admin: string;
let otherAdmin: string;
let alice: { memberId: string; token: string };
let bob: { memberId: string; token: string };
const fixtures = { zoneA: '', zoneB: '', drawA: '', drawB: '', auctionA: '', auctionB: '', feedA: '', feedB: '', batchA: '', batchB: '' };
/** Two POS tokens of two stores (the offline batches are each store's own). */
let posToken: string;
let otherPosToken: string;

const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const zone = () => `z-${ulid().toLowerCase().slice(-10)}`;

async function ok<T = Record<string, unknown>>(response: Promise<ApiResponse<T>>, status = 201): Promise<T> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${answer.text}`);
  return answer.body;
}

function post(token: string, path: string, body: unknown, idempotent = false) {
  return api.call('POST', path, { token, body, ...(idempotent ? { headers: { 'idempotency-key': ulid() } } : {}) });
}

function put(token: string, path: string, body: unknown) {
  return api.call('PUT', path, { token, body });
}

async function newDraw(): Promise<string> {
  const drawId = uniqueId('d-cursor');
  await ok(
    post(admin, '/v1/admin/draws', {
      drawId,
      name: 'Cursor wheel',
      startsAt: iso(Date.now() - 3 * 24 * HOUR),
      endsAt: iso(Date.now() + 30 * 24 * HOUR),
      freeSpinsPerDay: 3,
      spinCostPoints: 10,
      maxSpinsPerDay: 5,
      prizes: [
        { prizeId: 'gift', name: 'Gift', kind: 'NOTHING', weight: 1 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
      consolationPrizeId: 'thanks',
    }),
  );
  // Two days already over, so their seeds are revealed.
  const today = localDate(new Date());
  await Promise.all([1, 2].map((back) => ensureSeed(drawId, addDays(today, -back), 'job')));
  return drawId;
}

async function newAuction(lotId: string): Promise<string> {
  const created = await ok(
    post(admin, '/v1/admin/auctions', {
      productId: lotId,
      title: 'Cursor auction',
      startsAt: iso(Date.now() - 60_000),
      endsAt: iso(Date.now() + 2 * HOUR),
      startingPrice: 10,
      minIncrement: 1,
    }),
  );
  return String(created.auctionId);
}

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin', uniqueId('operator'));
  otherAdmin = await api.token('admin', uniqueId('operator'));
  [alice, bob] = await Promise.all([api.newMember('cursor-alice'), api.newMember('cursor-bob')]);

  // Alice's ledger: several credits.
  for (const points of [5000, 700, 30, 1]) {
    await ok(post(admin, `/v1/admin/members/${alice.memberId}/adjustments`, { points, reason: 'cursor test credit' }, true));
  }

  // Two zones of products; coupon products Alice orders twice (two orders, two coupons).
  fixtures.zoneA = zone();
  fixtures.zoneB = zone();
  const couponTemplateId = uniqueId('ct-cursor');
  await ok(
    post(admin, '/v1/admin/coupons', {
      couponTemplateId,
      name: 'Cursor coupon',
      discount: { kind: 'NO_THRESHOLD', amountOffCents: 100 },
      validity: { kind: 'DAYS_AFTER_ISSUE', days: 30 },
    }),
  );
  // A second template: the template list has a next page whatever other files create.
  await ok(
    post(admin, '/v1/admin/coupons', {
      couponTemplateId: uniqueId('ct-cursor-2'),
      name: 'Cursor coupon 2',
      discount: { kind: 'PERCENT_OFF', percent: 10 },
      validity: { kind: 'DAYS_AFTER_ISSUE', days: 30 },
    }),
  );
  const couponProduct = uniqueId('p-cursor-coupon');
  await ok(post(admin, '/v1/admin/products', { productId: couponProduct, name: 'Coupon', type: 'COUPON', couponTemplateId, zone: fixtures.zoneA, pricePoints: 50, initialStock: 10 }));
  for (const i of [1, 2, 3]) {
    await ok(post(admin, '/v1/admin/products', { productId: uniqueId(`p-cursor-${i}`), name: `Product ${i}`, type: 'PHYSICAL', zone: fixtures.zoneA, pricePoints: 100, initialStock: 5 }));
    await ok(post(admin, '/v1/admin/products', { productId: uniqueId(`p-cursor-b${i}`), name: `Product b${i}`, type: 'PHYSICAL', zone: fixtures.zoneB, pricePoints: 100, initialStock: 5 }));
  }
  for (let i = 0; i < 2; i += 1) await ok(post(alice.token, '/v1/orders', { productId: couponProduct }, true));
  // Two JD deliveries that failed for good (listed as the fulfilment lists them), and two dead letters.
  const jdGoods = uniqueId('p-cursor-jd');
  await ok(post(admin, '/v1/admin/products', { productId: jdGoods, name: 'JD goods', type: 'PHYSICAL', zone: fixtures.zoneB, pricePoints: 10, initialStock: 5 }));
  for (let i = 0; i < 2; i += 1) {
    const orderId = String((await ok(post(alice.token, '/v1/orders', { productId: jdGoods }, true))).orderId);
    const order = await readOrder(orderId);
    const at = new Date();
    await unwind(order!, 'FAILED', 'cursor test: jd refused the order', { now: at, listAs: keys.fulfilment.failedEntry('jd', at.toISOString(), orderId) });
    await recordDeadLetter({ source: 'other', target: 'cursor-test', event: null, error: 'cursor test', attempts: 1, payload: { i } });
  }

  // Draws, with Alice's spins and revealed seeds.
  fixtures.drawA = await newDraw();
  fixtures.drawB = await newDraw();
  for (let i = 0; i < 2; i += 1) await ok(post(alice.token, `/v1/draws/${fixtures.drawA}/spins`, undefined, true));

  // Open auctions on one lot; Alice bids on both, and twice on the first (a bid history of two).
  const lotId = uniqueId('lot-cursor');
  await ok(post(admin, '/v1/admin/products', { productId: lotId, name: 'Auction lot', type: 'PHYSICAL', zone: fixtures.zoneB, pricePoints: 2000 }));
  fixtures.auctionA = await newAuction(lotId);
  fixtures.auctionB = await newAuction(lotId);
  await ok(post(alice.token, `/v1/auctions/${fixtures.auctionA}/bids`, { amount: 10 }, true));
  await ok(post(alice.token, `/v1/auctions/${fixtures.auctionA}/bids`, { amount: 20 }, true));
  await ok(post(alice.token, `/v1/auctions/${fixtures.auctionB}/bids`, { amount: 10 }, true));

  // Operators' lists: pools, tasks paid from one, campaigns.
  const pools: string[] = [];
  for (let i = 0; i < 2; i += 1) {
    const pool = await ok(post(admin, '/v1/admin/pools', { name: `Cursor pool ${i}`, budgetPoints: 1000, activities: [{ activity: 'custom', weight: 1 }] }));
    pools.push(String(pool.poolId));
  }
  for (let i = 0; i < 2; i += 1) {
    const task = await ok(
      post(admin, '/v1/admin/tasks', { type: 'CUSTOM', name: `Cursor task ${i}`, points: 1, poolId: pools[0], activity: 'custom', startsAt: '2026-01-01T00:00:00Z', period: 'DAILY' }),
    );
    // Alice completes each task once: her task completions (operators' list).
    await ok(post(alice.token, `/v1/tasks/${String(task.taskId)}/completions`, {}));
    await ok(
      post(admin, '/v1/admin/campaigns', {
        name: `Cursor campaign ${i}`,
        effect: { kind: 'bonus', points: 1 },
        schedule: { startsAt: '2020-01-01T00:00:00Z', endsAt: '2020-01-02T00:00:00Z' },
      }),
    );
  }

  // Two more versions of the earning rules, each the same rules saved again (nothing changes for other files).
  for (let i = 0; i < 2; i += 1) {
    const current = await ok(api.call<Record<string, unknown>>('GET', '/v1/admin/earning-rules', { token: admin }), 200);
    const { version, updatedAt: _at, updatedBy: _by, ...rules } = current;
    await ok(put(admin, '/v1/admin/earning-rules', { ...rules, expectedVersion: version }), 200);
  }

  // Three adjustments waiting for a second operator (threshold lowered for the moment, then put back).
  const settings = await api.call<{ version: number }>('GET', '/v1/admin/settings', { token: admin });
  const limits = { supportMaxPointsPerAdjustment: 10_000, supportMaxPointsPerDay: 50_000 };
  await ok(put(admin, '/v1/admin/settings', { approvalThresholdPoints: 10, ...limits, expectedVersion: settings.body.version }), 200);
  for (let i = 0; i < 3; i += 1) {
    await ok(post(admin, `/v1/admin/members/${alice.memberId}/adjustments`, { points: 100 + i, reason: 'cursor approvals' }), 202);
  }
  await ok(put(admin, '/v1/admin/settings', { approvalThresholdPoints: 10_000_000, ...limits, expectedVersion: settings.body.version + 1 }), 200);

  // Two what-if replays (they stay QUEUED: this table has no stream consumer).
  for (let i = 0; i < 2; i += 1) {
    const day = localDate(new Date(Date.now() - 86_400_000));
    await ok(post(admin, '/v1/admin/what-if-replays', { from: day, to: day, draftCampaign: { name: `Cursor replay ${i}`, effect: { kind: 'bonus', points: 1 }, schedule: { startsAt: '2020-01-01T00:00:00Z', endsAt: '2020-01-02T00:00:00Z' } } }), 202);
  }

  // Two stock feeds of three lines each (products that do not exist: three results each, refused, nothing changed).
  for (const name of ['feedA', 'feedB'] as const) {
    fixtures[name] = uniqueId('feed-cursor');
    const lines = [0, 1, 2].map((i) => ({ productId: uniqueId(`p-cursor-${i}`), mode: 'set', quantity: 1 }));
    await ok(post(admin, '/v1/admin/stock-feeds', { feedId: fixtures[name], lines }));
  }

  // Stores, and two purchases of Alice large enough to wait for an operator's review (above the default amount threshold).
  const storeId = uniqueId('store-cursor');
  const pos = await api.registerStore(storeId);
  posToken = pos;
  otherPosToken = await api.registerStore(uniqueId('store-cursor'));
  for (const name of ['batchA', 'batchB'] as const) {
    fixtures[name] = uniqueId('batch-cursor');
    const purchases = [0, 1, 2].map((i) => ({
      purchaseId: uniqueId('buy-batch'),
      memberId: alice.memberId,
      storeId,
      paidAt: iso(Date.now() - (i + 2) * 60_000),
      lines: [{ sku: 'tea', category: 'A', amountCents: 100, quantity: 1 }],
    }));
    await ok(post(pos, '/v1/pos/purchase-batches', { batchId: fixtures[name], purchases }));
  }
  for (let i = 0; i < 2; i += 1) {
    await ok(
      post(pos, '/v1/pos/purchases', {
        purchaseId: uniqueId('buy-cursor'),
        memberId: alice.memberId,
        storeId,
        paidAt: iso(Date.now() - 60_000),
        lines: [{ sku: 'tv', category: 'A', amountCents: 6_000_000, quantity: 1 }],
      }),
    );
  }
}, 120_000);

const lists: readonly ListCase[] = [
  { operation: 'listMyLedger', auth: 'member', url: () => '/v1/me/ledger' },
  { operation: 'listMyOrders', auth: 'member', url: () => '/v1/me/orders' },
  { operation: 'listMyCoupons', auth: 'member', url: () => '/v1/me/coupons', otherFilter: () => '/v1/me/coupons?status=ACTIVE' },
  { operation: 'listMyDrawSpins', auth: 'member', url: () => `/v1/draws/${fixtures.drawA}/spins`, otherFilter: () => `/v1/draws/${fixtures.drawB}/spins` },
  { operation: 'listDrawSeeds', auth: 'member', url: () => `/v1/draws/${fixtures.drawA}/seeds`, otherFilter: () => `/v1/draws/${fixtures.drawB}/seeds` },
  {
    operation: 'listMallProducts',
    auth: 'member',
    url: () => `/v1/mall/products?zone=${fixtures.zoneA}`,
    otherFilter: () => `/v1/mall/products?zone=${fixtures.zoneB}`,
  },
  { operation: 'listAuctions', auth: 'member', url: () => '/v1/auctions' },
  { operation: 'listMyBids', auth: 'member', url: () => '/v1/me/bids' },
  { operation: 'listDraws', auth: 'member', url: () => '/v1/draws' },
  { operation: 'listAuctionsAdmin', auth: 'admin', url: () => '/v1/admin/auctions' },
  {
    operation: 'listProductsAdmin',
    auth: 'admin',
    url: () => `/v1/admin/products?zone=${fixtures.zoneA}`,
    otherFilter: () => `/v1/admin/products?zone=${fixtures.zoneB}`,
  },
  { operation: 'listCouponTemplates', auth: 'admin', url: () => '/v1/admin/coupons' },
  {
    operation: 'getAuctionAdmin',
    auth: 'admin',
    url: () => `/v1/admin/auctions/${fixtures.auctionA}`,
    otherFilter: () => `/v1/admin/auctions/${fixtures.auctionB}`,
    pageOf: (body) => body.bidHistory as Page,
  },
  {
    operation: 'listAuctionBids',
    auth: 'admin',
    url: () => `/v1/admin/auctions/${fixtures.auctionA}/bids`,
    otherFilter: () => `/v1/admin/auctions/${fixtures.auctionB}/bids`,
  },
  { operation: 'listDrawsAdmin', auth: 'admin', url: () => '/v1/admin/draws', otherFilter: () => '/v1/admin/draws?status=OPEN' },
  {
    operation: 'listDrawSeedsAdmin',
    auth: 'admin',
    url: () => `/v1/admin/draws/${fixtures.drawA}/seeds`,
    otherFilter: () => `/v1/admin/draws/${fixtures.drawB}/seeds`,
  },
  {
    operation: 'listOrdersAdmin',
    auth: 'admin',
    url: () => `/v1/admin/orders?memberId=${alice.memberId}`,
    otherFilter: () => `/v1/admin/orders?memberId=${alice.memberId}&paymentKind=POINTS`,
  },
  { operation: 'listDeadLetters', auth: 'admin', url: () => '/v1/admin/dead-letters?source=other', otherFilter: () => '/v1/admin/dead-letters' },
  {
    operation: 'listFulfilmentProblems',
    auth: 'admin',
    url: () => '/v1/admin/fulfilment/problems?kind=FAILED&supplier=jd',
    otherFilter: () => '/v1/admin/fulfilment/problems?kind=FAILED',
  },
  { operation: 'listTasks', auth: 'admin', url: () => '/v1/admin/tasks' },
  { operation: 'listCampaigns', auth: 'admin', url: () => '/v1/admin/campaigns?state=ended', otherFilter: () => '/v1/admin/campaigns' },
  {
    operation: 'campaignReport',
    auth: 'admin',
    // The two campaigns made above ran on 2020-01-01.
    url: () => '/v1/admin/reports/campaigns?from=2019-12-25&to=2020-01-05',
    otherFilter: () => '/v1/admin/reports/campaigns?from=2019-12-26&to=2020-01-05',
  },
  { operation: 'listPools', auth: 'admin', url: () => '/v1/admin/pools' },
  { operation: 'listStores', auth: 'admin', url: () => '/v1/admin/stores' },
  { operation: 'listPurchaseReviews', auth: 'admin', url: () => '/v1/admin/purchase-reviews' },
  { operation: 'listApprovals', auth: 'admin', url: () => '/v1/admin/approvals', otherFilter: () => '/v1/admin/approvals?status=REJECTED' },
  { operation: 'listEarningRuleVersions', auth: 'admin', url: () => '/v1/admin/earning-rules/versions' },
  { operation: 'listAudit', auth: 'admin', url: () => '/v1/admin/audit', otherFilter: () => '/v1/admin/audit?target=route:none' },
  { operation: 'listWhatIfReplays', auth: 'admin', url: () => '/v1/admin/what-if-replays' },
  {
    operation: 'getStockFeed',
    auth: 'admin',
    url: () => `/v1/admin/stock-feeds/${fixtures.feedA}`,
    otherFilter: () => `/v1/admin/stock-feeds/${fixtures.feedB}`,
    pageOf: (body) => ({ items: body.results, nextCursor: body.nextCursor }) as Page,
  },
  {
    operation: 'getPurchaseBatch',
    auth: 'pos',
    url: () => `/v1/pos/purchase-batches/${fixtures.batchA}`,
    otherFilter: () => `/v1/pos/purchase-batches/${fixtures.batchB}`,
    pageOf: (body) => ({ items: body.results, nextCursor: body.nextCursor }) as Page,
  },
  // The member search without an id prefix merges the tier's shard partitions; its cursor is one sort key.
  { operation: 'searchMembers', auth: 'admin', url: () => '/v1/admin/members', otherFilter: () => '/v1/admin/members?tier=normal' },
  {
    operation: 'listMemberLedger',
    auth: 'admin',
    url: () => `/v1/admin/members/${alice.memberId}/ledger`,
    otherFilter: () => `/v1/admin/members/${bob.memberId}/ledger`,
  },
  {
    operation: 'listMemberOrders',
    auth: 'admin',
    url: () => `/v1/admin/members/${alice.memberId}/orders`,
    otherFilter: () => `/v1/admin/members/${bob.memberId}/orders`,
  },
  {
    operation: 'listMemberCoupons',
    auth: 'admin',
    url: () => `/v1/admin/members/${alice.memberId}/coupons`,
    otherFilter: () => `/v1/admin/members/${alice.memberId}/coupons?status=ACTIVE`,
  },
  {
    operation: 'listMemberTaskCompletions',
    auth: 'admin',
    url: () => `/v1/admin/members/${alice.memberId}/task-completions`,
    otherFilter: () => `/v1/admin/members/${bob.memberId}/task-completions`,
  },
  {
    operation: 'listMemberBids',
    auth: 'admin',
    url: () => `/v1/admin/members/${alice.memberId}/bids`,
    otherFilter: () => `/v1/admin/members/${bob.memberId}/bids`,
  },
  {
    operation: 'listMemberSpins',
    auth: 'admin',
    url: () => `/v1/admin/members/${alice.memberId}/spins`,
    otherFilter: () => `/v1/admin/members/${alice.memberId}/spins?drawId=${fixtures.drawA}`,
  },
];

const ownerOf = (list: ListCase) => (list.auth === 'member' ? alice.token : list.auth === 'pos' ? posToken : admin);
const otherCallerOf = (list: ListCase) => (list.auth === 'member' ? bob.token : list.auth === 'pos' ? otherPosToken : otherAdmin);

function withPage(url: string, page: { limit?: number; cursor?: string }): string {
  const query = [
    ...(page.limit === undefined ? [] : [`limit=${page.limit}`]),
    ...(page.cursor === undefined ? [] : [`cursor=${encodeURIComponent(page.cursor)}`]),
  ].join('&');
  return query ? `${url}${url.includes('?') ? '&' : '?'}${query}` : url;
}

async function getPage(list: ListCase, token: string, url: string, page: { limit?: number; cursor?: string }) {
  const answer = await api.call<Record<string, unknown>>('GET', withPage(url, page), { token });
  return { answer, page: answer.status === 200 ? (list.pageOf ?? ((b) => b as unknown as Page))(answer.body) : undefined };
}

/** A genuine cursor of the list: the first page's nextCursor, with one item a page. */
async function firstCursor(list: ListCase): Promise<{ first: Page; cursor: string }> {
  const { answer, page } = await getPage(list, ownerOf(list), list.url(), { limit: 1 });
  if (!page?.nextCursor) throw new Error(`${list.operation} gave no next page: ${answer.status} ${answer.text}`);
  return { first: page, cursor: page.nextCursor };
}

function expectInvalidCursor(answer: ApiResponse<Record<string, unknown>>): void {
  expect({ status: answer.status, code: answer.body?.code }).toEqual({ status: 400, code: 'INVALID_CURSOR' });
  expect(answer.headers['content-type']).toContain('application/problem+json');
  expect(String(answer.body.detail)).toMatch(/pass nextCursor from the previous page unchanged, or start again without cursor/);
}

function flipBit(cursor: string, bit: number): string {
  const bytes = Buffer.from(cursor, 'base64url');
  bytes[bit >> 3]! ^= 1 << (bit & 7);
  return bytes.toString('base64url');
}

const rawKeys = (keys: Record<string, unknown>) => Buffer.from(JSON.stringify(keys)).toString('base64url');

describe('list cursors', () => {
  it('covers every list the API pages', () => {
    // Prepare
    // Reads only: the one write that answers a cursor (POST /v1/admin/dead-letters/redrive, page after page) has its
    // cursor checks in test/integration/dead-letters.test.ts.
    const paged = routes.filter((r) => r.method === 'GET' && pagesWithCursor(operations[r.operation])).map((r) => r.operation);
    // Assess
    expect(lists.map((l) => l.operation).sort()).toEqual([...paged].sort());
  });

  describe.each(lists.map((list) => [list.operation, list] as const))('%s', (_operation, list) => {
    it('answers the next page for the cursor of the previous one', async () => {
      // Prepare
      const { first, cursor } = await firstCursor(list);
      // Act
      const { answer, page } = await getPage(list, ownerOf(list), list.url(), { limit: 1, cursor });
      // Assess
      expect(answer.status).toBe(200);
      expect(page?.items).toHaveLength(1);
      expect(page?.items[0]).not.toEqual(first.items[0]);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/"PK"|"SK"|GSI1PK|MEMBER#|ZONE#|AUCTION#/);
    });

    it('refuses tampered, truncated, forged and random cursors with 400 INVALID_CURSOR', async () => {
      // Prepare
      const { cursor } = await firstCursor(list);
      const bits = Buffer.from(cursor, 'base64url').length * 8;
      const forged = [
        flipBit(cursor, 0),
        flipBit(cursor, 8 * 5 + 3),
        flipBit(cursor, Math.floor(bits / 2)),
        flipBit(cursor, bits - 1),
        cursor.slice(0, -1),
        cursor.slice(0, cursor.length >> 1),
        `${cursor}AA`,
        rawKeys({ PK: 'PRODUCT#p-tea-set', SK: 'PRODUCT', GSI1PK: 'ZONE#main', GSI1SK: '0001' }),
        rawKeys({ PK: `MEMBER#${alice.memberId}`, SK: 'LEDGER#points#0', GSI1PK: 'x', GSI2PK: 'x' }),
        rawKeys({ sk: 'LEDGER#points#01', balance: 1_000_000 }),
        Buffer.from('{"__proto__":{"PK":"x"},"constructor":{"prototype":{"SK":"y"}}}').toString('base64url'),
        randomBytes(64).toString('base64url'),
        randomBytes(3).toString('base64url'),
        'not-a-cursor',
        'A'.repeat(20_000),
      ];
      // Act
      const answers = [];
      for (const bad of forged) answers.push((await getPage(list, ownerOf(list), list.url(), { cursor: bad })).answer);
      // Assess
      for (const answer of answers) expectInvalidCursor(answer);
    });

    it('refuses a cursor replayed by another caller', async () => {
      // Prepare
      const { cursor } = await firstCursor(list);
      // Act
      const { answer } = await getPage(list, otherCallerOf(list), list.url(), { cursor });
      // Assess
      expectInvalidCursor(answer);
    });

    it('refuses a cursor of another list of the same caller', async () => {
      // Prepare
      const others = lists.filter((l) => l.auth === list.auth && l.operation !== list.operation);
      const cursors = await Promise.all(others.map(async (other) => (await firstCursor(other)).cursor));
      // Act
      const answers = [];
      for (const cursor of cursors) answers.push((await getPage(list, ownerOf(list), list.url(), { cursor })).answer);
      // Assess
      for (const answer of answers) expectInvalidCursor(answer);
    });

    if (list.otherFilter) {
      const otherUrl = list.otherFilter;
      it('refuses a cursor of the same list with another filter', async () => {
        // Prepare
        const { cursor } = await firstCursor(list);
        // Act
        const { answer } = await getPage(list, ownerOf(list), otherUrl(), { cursor });
        // Assess
        expectInvalidCursor(answer);
      });
    }
  });

  it('takes an empty cursor for no cursor', async () => {
    // Act
    const answer = await api.call<Page>('GET', '/v1/me/orders?limit=1&cursor=', { token: alice.token });
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body.items).toHaveLength(1);
  });
});

describe('ledger balances across pages', () => {
  it('gives every line on every page the balance the entries explain', async () => {
    // Prepare: the truth, from the entries, oldest first
    const entries = await allLedgerEntries(alice.memberId, 'points');
    let running = 0;
    const truth = entries.map((e) => ({ id: e.id, balanceAfter: (running += e.points) })).reverse();
    // Act: one line a page
    const lines: { id: string; balanceAfter: number }[] = [];
    let cursor: string | undefined;
    do {
      const answer = await api.call<{ items: { id: string; balanceAfter: number }[]; nextCursor: string | null }>(
        'GET',
        withPage('/v1/me/ledger', { limit: 1, ...(cursor ? { cursor } : {}) }),
        { token: alice.token },
      );
      expect(answer.status).toBe(200);
      lines.push(...answer.body.items.map(({ id, balanceAfter }) => ({ id, balanceAfter })));
      cursor = answer.body.nextCursor ?? undefined;
    } while (cursor);
    // Assess
    expect(truth.length).toBeGreaterThanOrEqual(4);
    expect(lines).toEqual(truth);
  });

  it('cannot be told a balance: the old cursor with a forged balance is refused', async () => {
    // Prepare
    const first = await api.call<{ items: { id: string }[]; nextCursor: string }>('GET', '/v1/me/ledger?limit=1', { token: alice.token });
    const entries = await allLedgerEntries(alice.memberId, 'points');
    const next = entries.at(-2)!;
    // Act
    const forged = await api.call<Record<string, unknown>>('GET', `/v1/me/ledger?cursor=${rawKeys({ sk: `LEDGER#points#${next.id}`, balance: 1_000_000 })}`, {
      token: alice.token,
    });
    const genuine = await api.call<{ items: { balanceAfter: number }[] }>('GET', `/v1/me/ledger?limit=1&cursor=${first.body.nextCursor}`, { token: alice.token });
    // Assess
    expectInvalidCursor(forged);
    expect(genuine.body.items[0]?.balanceAfter).toBe(entries.slice(0, -1).reduce((sum, e) => sum + e.points, 0));
  });
});

describe('lists whose bounds move with time', () => {
  it('continues a list of open auctions after the auction its cursor stopped at has ended', async () => {
    // Prepare: a first page stopping at the auction that ends first
    const now = new Date();
    const first = await listOpenAuctions(alice.memberId, testPage(1), now);
    const stoppedAt = first.items[0]!;
    // Act: read on once that auction has ended
    const later = new Date(new Date(stoppedAt.endsAt).getTime() + 1);
    const next = await listOpenAuctions(alice.memberId, testPage(1, first.nextCursor ?? undefined), later);
    // Assess
    expect(next.items.length).toBeGreaterThan(0);
    expect(next.items.every((a) => a.auctionId !== stoppedAt.auctionId && new Date(a.endsAt) > later)).toBe(true);
  });

  it('continues a list of open draws after the draw its cursor stopped at has ended', async () => {
    // Prepare: a first page stopping at the draw that ends first
    const now = new Date();
    const first = await listOpenDraws(testPage(1), now);
    const stoppedAt = first.items[0]!;
    // Act: read on once that draw has ended
    const later = new Date(new Date(stoppedAt.endsAt).getTime() + 1);
    const next = await listOpenDraws(testPage(1, first.nextCursor ?? undefined), later);
    // Assess
    expect(next.items.length).toBeGreaterThan(0);
    expect(next.items.every((d) => d.drawId !== stoppedAt.drawId && new Date(d.endsAt) > later)).toBe(true);
  });
});
