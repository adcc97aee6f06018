import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import { getEarningRules } from '../../shared/earning/rules-store.js';
import { backfillMemberIndexes } from '../../shared/members/backfill.js';
import { eraseMember } from '../../shared/members/erasure.js';
import { programmeYear, registerMember, type Tier } from '../../shared/members/service.js';
import { reviewMemberTier } from '../../shared/members/tiers.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId, type ApiResponse } from '../support/api.js';

/**
 * The operators' member API (docs/api.md, Members for operators): the search
 * by id prefix and by tier and registration time, the member detail, and the
 * per-member lists. Search results are kept apart from other files' members
 * (one shared table) by ids that start with this run's tag and by
 * registration times in a window of the past no other file uses.
 */

interface Page<T = Record<string, unknown>> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

interface Hit {
  readonly memberId: string;
  readonly tier: Tier;
  readonly status: string;
  readonly registeredAt: string;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** This run's members: ids start with `am<tag>-` (its own id-prefix partition), registered in a window of 2001-2010. */
const tag = ulid().slice(-8).toLowerCase();
const base = Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 3000) * DAY;
const at = (hours: number) => new Date(base + hours * HOUR);
const iso = (hours: number) => at(hours).toISOString();
const windowFrom = iso(-1);
const windowTo = iso(1000);

let api: TestApi;
let admin: string;
let pos: string;
/** Registered at base + 0 .. 5 hours: normal, normal, silver, gold, normal, silver. */
const searchMembers: { memberId: string; tier: Tier; hours: number }[] = [];

async function register(memberId: string, tier: Tier, hours: number, input: { referralCode?: string } = {}) {
  const { member } = await registerMember(memberId, { tier, ...input }, at(hours));
  return member;
}

function get<T = Record<string, unknown>>(url: string, token = admin): Promise<ApiResponse<T>> {
  return api.call<T>('GET', url, { token });
}

async function ok<T = Record<string, unknown>>(response: Promise<ApiResponse<T>>, status = 200): Promise<T> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${answer.text}`);
  return answer.body;
}

/** Every item of a list, following its cursors `limit` at a time. */
async function pageThrough<T>(url: string, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const separator = url.includes('?') ? '&' : '?';
    const page: Page<T> = await ok(get<Page<T>>(`${url}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
    items.push(...page.items);
    pages += 1;
    cursor = page.nextCursor;
  } while (cursor && pages < 100);
  return { items, pages };
}

const idsOf = (hits: readonly Hit[]) => hits.map((h) => h.memberId);

function expectProblem(answer: ApiResponse<Record<string, unknown>>, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code });
  expect(answer.headers['content-type']).toContain('application/problem+json');
}

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin', uniqueId('operator'));
  pos = await api.registerStore('store1');
  const tiers: Tier[] = ['normal', 'normal', 'silver', 'gold', 'normal', 'silver'];
  for (const [hours, tier] of tiers.entries()) {
    const memberId = `am${tag}-${hours}-${ulid().toLowerCase()}`;
    await register(memberId, tier, hours);
    searchMembers.push({ memberId, tier, hours });
  }
}, 60_000);

describe('member search by id prefix', () => {
  it('finds the members whose id starts with the prefix, by id', async () => {
    // Act
    const page = await ok(get<Page<Hit>>(`/v1/admin/members?idPrefix=am${tag}-`));
    const one = await ok(get<Page<Hit>>(`/v1/admin/members?idPrefix=${searchMembers[3]!.memberId.slice(0, 20)}`));
    // Assess
    expect(idsOf(page.items)).toEqual(searchMembers.map((m) => m.memberId).sort());
    expect(page.items[0]).toEqual({ memberId: searchMembers[0]!.memberId, tier: 'normal', status: 'ACTIVE', registeredAt: iso(0) });
    expect(idsOf(one.items)).toEqual([searchMembers[3]!.memberId]);
    expect(page.nextCursor).toBeNull();
  });

  it('pages through the matches with cursors', async () => {
    // Act
    const { items, pages } = await pageThrough<Hit>(`/v1/admin/members?idPrefix=am${tag}-`, 2);
    // Assess
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(idsOf(items)).toEqual(searchMembers.map((m) => m.memberId).sort());
  });

  it('finds nothing for a prefix no member has', async () => {
    // Act
    const page = await ok(get<Page<Hit>>(`/v1/admin/members?idPrefix=am${tag}-zz`));
    // Assess
    expect(page).toEqual({ items: [], nextCursor: null });
  });
});

describe('member search by tier and registration time', () => {
  it('lists the members of a tier registered in the range, newest first', async () => {
    // Act
    const normal = await ok(get<Page<Hit>>(`/v1/admin/members?tier=normal&registeredFrom=${windowFrom}&registeredTo=${windowTo}`));
    const silver = await ok(get<Page<Hit>>(`/v1/admin/members?tier=silver&registeredFrom=${windowFrom}&registeredTo=${windowTo}`));
    // Assess
    const expected = (tier: Tier) => searchMembers.filter((m) => m.tier === tier).sort((a, b) => b.hours - a.hours).map((m) => m.memberId);
    expect(idsOf(normal.items)).toEqual(expected('normal'));
    expect(idsOf(silver.items)).toEqual(expected('silver'));
    expect(silver.items.every((h) => h.tier === 'silver' && h.status === 'ACTIVE')).toBe(true);
    expect([normal.nextCursor, silver.nextCursor]).toEqual([null, null]);
  });

  it('lists every tier in the range, newest first, when no tier is given', async () => {
    // Act
    const all = await ok(get<Page<Hit>>(`/v1/admin/members?registeredFrom=${windowFrom}&registeredTo=${windowTo}&limit=100`));
    // Assess
    expect(idsOf(all.items)).toEqual([...searchMembers].sort((a, b) => b.hours - a.hours).map((m) => m.memberId));
  });

  it('takes registeredFrom as inclusive and registeredTo as exclusive, with offsets', async () => {
    // Prepare: hour 1 (01:00 UTC, the window starts at midnight) written with a +08:00 offset
    const fromWithOffset = `${iso(1).slice(0, 10)}T09:00:00+08:00`;
    // Act: hours 1 to 3, 4 excluded
    const range = await ok(get<Page<Hit>>(`/v1/admin/members?registeredFrom=${encodeURIComponent(fromWithOffset)}&registeredTo=${iso(4)}`));
    // Assess
    expect(new Date(fromWithOffset).toISOString()).toBe(iso(1));
    expect(idsOf(range.items)).toEqual([3, 2, 1].map((h) => searchMembers[h]!.memberId));
  });

  it('combines tier and range, and pages through a merged list one member at a time', async () => {
    // Act
    const { items, pages } = await pageThrough<Hit>(`/v1/admin/members?registeredFrom=${windowFrom}&registeredTo=${windowTo}`, 1);
    const normalFromHour1 = await pageThrough<Hit>(`/v1/admin/members?tier=normal&registeredFrom=${iso(1)}&registeredTo=${windowTo}`, 1);
    // Assess: no member twice, none missing
    expect(idsOf(items)).toEqual([...searchMembers].sort((a, b) => b.hours - a.hours).map((m) => m.memberId));
    expect(pages).toBeGreaterThanOrEqual(searchMembers.length);
    expect(idsOf(normalFromHour1.items)).toEqual([4, 1].map((h) => searchMembers[h]!.memberId));
  });

  it('lists members newest first with no filter at all', async () => {
    // Prepare: a member registered now is the newest (or among the newest) of all
    const { memberId } = await api.newMember(`am${tag}-new`);
    // Act
    const page = await ok(get<Page<Hit>>('/v1/admin/members?limit=100'));
    // Assess
    expect(idsOf(page.items)).toContain(memberId);
    const times = page.items.map((h) => h.registeredAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('moves a member between tier results when a purchase upgrades the tier', async () => {
    // Prepare
    const memberId = `am${tag}-up-${ulid().toLowerCase()}`;
    await register(memberId, 'normal', 100);
    const inTier = async (tier: Tier) => idsOf((await ok(get<Page<Hit>>(`/v1/admin/members?tier=${tier}&registeredFrom=${iso(100)}&registeredTo=${iso(101)}`))).items);
    const before = { normal: await inTier('normal'), silver: await inTier('silver') };
    // Act: 1,000 CNY of purchases reaches silver (default rules)
    await ok(
      api.call('POST', '/v1/pos/purchases', {
        token: pos,
        body: { purchaseId: uniqueId('am-buy'), memberId, storeId: 'store1', paidAt: new Date().toISOString(), lines: [{ sku: 'tv', category: 'A', amountCents: 100_000, quantity: 1 }] },
      }),
      201,
    );
    const after = { normal: await inTier('normal'), silver: await inTier('silver') };
    // Assess
    expect(before).toEqual({ normal: [memberId], silver: [] });
    expect(after).toEqual({ normal: [], silver: [memberId] });
  });

  it('moves a member between tier results when the tier review lowers the tier, and shows an erasure', async () => {
    // Prepare: gold since a past year, no growth
    const memberId = `am${tag}-down-${ulid().toLowerCase()}`;
    await register(memberId, 'gold', 200);
    const rules = (await getEarningRules()).tiers;
    const search = async (tier: Tier) => (await ok(get<Page<Hit>>(`/v1/admin/members?tier=${tier}&registeredFrom=${iso(200)}&registeredTo=${iso(201)}`))).items;
    // Act
    const outcome = await reviewMemberTier(memberId, programmeYear(new Date()), rules, new Date());
    const afterReview = { gold: await search('gold'), normal: await search('normal') };
    await eraseMember(memberId, { kind: 'operator', operatorId: 'am-test' });
    const afterErasure = await search('normal');
    // Assess
    expect(outcome).toBe('downgraded');
    expect(afterReview.gold).toEqual([]);
    expect(afterReview.normal).toEqual([expect.objectContaining({ memberId, tier: 'normal', status: 'ACTIVE' })]);
    expect(afterErasure).toEqual([expect.objectContaining({ memberId, tier: 'normal', status: 'ERASED' })]);
  });

  it('moves a member between tier results when the member buys the next tier', async () => {
    // Prepare: a silver member with the gold price (1,000 points by default)
    const memberId = `am${tag}-buy-${ulid().toLowerCase()}`;
    await register(memberId, 'silver', 300);
    await ok(api.call('POST', `/v1/admin/members/${memberId}/adjustments`, { token: admin, body: { points: 1000, reason: 'tier money' } }), 201);
    // Act
    await ok(
      api.call('POST', '/v1/me/tier-upgrades', { token: await api.token('member', memberId), headers: { 'idempotency-key': ulid() }, body: { tier: 'gold' } }),
      201,
    );
    const gold = await ok(get<Page<Hit>>(`/v1/admin/members?tier=gold&registeredFrom=${iso(300)}&registeredTo=${iso(301)}`));
    const silver = await ok(get<Page<Hit>>(`/v1/admin/members?tier=silver&registeredFrom=${iso(300)}&registeredTo=${iso(301)}`));
    // Assess
    expect(idsOf(gold.items)).toEqual([memberId]);
    expect(silver.items).toEqual([]);
  });
});

describe('member search after an operator changes the tier', () => {
  it('moves the member between tier results, up and back down to normal', async () => {
    // Prepare
    const memberId = `am${tag}-op-${ulid().toLowerCase()}`;
    await register(memberId, 'normal', 600);
    const tiersOf = async () =>
      (await ok(get<Page<Hit>>(`/v1/admin/members?registeredFrom=${iso(600)}&registeredTo=${iso(601)}`))).items.map((h) => [h.memberId, h.tier]);
    const change = (tier: Tier, expectedTier: Tier) =>
      ok(api.call('POST', `/v1/admin/members/${memberId}/tier`, { token: admin, body: { tier, expectedTier, reason: 'member page test' } }));
    // Act
    await change('gold', 'normal');
    const up = await tiersOf();
    const gold = idsOf((await ok(get<Page<Hit>>(`/v1/admin/members?tier=gold&registeredFrom=${iso(600)}&registeredTo=${iso(601)}`))).items);
    await change('normal', 'gold');
    const down = await tiersOf();
    // Assess
    expect(up).toEqual([[memberId, 'gold']]);
    expect(gold).toEqual([memberId]);
    expect(down).toEqual([[memberId, 'normal']]);
  });
});

describe('members registered before the search existed', () => {
  async function dropSearchEntry(memberId: string) {
    await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.member.search(memberId) }));
  }
  const found = async (memberId: string) => idsOf((await ok(get<Page<Hit>>(`/v1/admin/members?idPrefix=${memberId}`))).items).includes(memberId);

  it('are found after registering again', async () => {
    // Prepare
    const memberId = `am${tag}-old-${ulid().toLowerCase()}`;
    await register(memberId, 'gold', 400);
    await dropSearchEntry(memberId);
    const before = await found(memberId);
    // Act
    await registerMember(memberId, {});
    // Assess
    expect(before).toBe(false);
    expect(await found(memberId)).toBe(true);
  });

  it('are found after the backfill, which writes nothing the second time', async () => {
    // Prepare
    const memberId = `am${tag}-old-${ulid().toLowerCase()}`;
    await register(memberId, 'silver', 401);
    await dropSearchEntry(memberId);
    // Act
    const first = await backfillMemberIndexes();
    const second = await backfillMemberIndexes();
    // Assess
    expect(first.searchEntriesWritten).toBeGreaterThanOrEqual(1);
    expect(second.searchEntriesWritten).toBe(0);
    const hits = (await ok(get<Page<Hit>>(`/v1/admin/members?tier=silver&registeredFrom=${iso(401)}&registeredTo=${iso(402)}`))).items;
    expect(hits).toEqual([{ memberId, tier: 'silver', status: 'ACTIVE', registeredAt: iso(401) }]);
  }, 60_000);
});

describe('member search input', () => {
  it.each([
    ['a one-character prefix', '/v1/admin/members?idPrefix=a'],
    ['a prefix with a space', '/v1/admin/members?idPrefix=ab%20c'],
    ['a prefix with a tier', '/v1/admin/members?idPrefix=ab&tier=gold'],
    ['a prefix with a range', `/v1/admin/members?idPrefix=ab&registeredFrom=${windowFrom}`],
    ['an unknown tier', '/v1/admin/members?tier=platinum'],
    ['a date without a time', '/v1/admin/members?registeredFrom=2026-01-01'],
    ['a time that is not one', '/v1/admin/members?registeredTo=yesterday'],
    ['an empty range', `/v1/admin/members?registeredFrom=${iso(2)}&registeredTo=${iso(2)}`],
    ['a reversed range', `/v1/admin/members?registeredFrom=${iso(3)}&registeredTo=${iso(2)}`],
    ['a limit of 0', '/v1/admin/members?limit=0'],
    ['a limit of 101', '/v1/admin/members?limit=101'],
  ])('refuses %s with 400', async (_what, url) => {
    // Act
    const answer = await get(url);
    // Assess
    expectProblem(answer, 400, 'VALIDATION_FAILED');
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(/^query\./) })]));
  });

  it('says what to do when id prefix and tier are combined', async () => {
    // Act
    const answer = await get('/v1/admin/members?idPrefix=ab&tier=gold');
    // Assess
    expect(answer.body.errors).toEqual([expect.objectContaining({ path: 'query.idPrefix', message: expect.stringMatching(/cannot be combined.*search by id prefix, or by tier/) })]);
  });

  it('refuses a cursor of the merged list that was tampered with, or used with other filters', async () => {
    // Prepare
    const first = await ok(get<Page<Hit>>(`/v1/admin/members?registeredFrom=${windowFrom}&registeredTo=${windowTo}&limit=1`));
    const cursor = first.nextCursor!;
    const flipped = Buffer.from(cursor, 'base64url');
    flipped[20]! ^= 1;
    // Act
    const tampered = await get(`/v1/admin/members?registeredFrom=${windowFrom}&registeredTo=${windowTo}&cursor=${flipped.toString('base64url')}`);
    const otherFilter = await get(`/v1/admin/members?tier=gold&registeredFrom=${windowFrom}&registeredTo=${windowTo}&cursor=${cursor}`);
    // Assess
    expectProblem(tampered, 400, 'INVALID_CURSOR');
    expectProblem(otherFilter, 400, 'INVALID_CURSOR');
  });
});

describe('member detail and per-member lists', () => {
  /** Two members with a bit of everything: ledger, orders and coupons, task completions, bids, spins; Bea referred by Al. */
  const fx = { al: '', bea: '', alToken: '', beaToken: '', alCode: '', taskA: '', taskB: '', drawA: '', drawB: '', auction: '' };

  async function post(token: string, path: string, body?: unknown) {
    return ok(api.call('POST', path, { token, body, headers: { 'idempotency-key': ulid() } }), 201);
  }

  async function newDraw(): Promise<string> {
    const drawId = uniqueId('d-am');
    await post(admin, '/v1/admin/draws', {
      drawId,
      name: 'Member page wheel',
      startsAt: new Date(Date.now() - DAY).toISOString(),
      endsAt: new Date(Date.now() + 30 * DAY).toISOString(),
      freeSpinsPerDay: 3,
      spinCostPoints: 10,
      maxSpinsPerDay: 5,
      prizes: [
        { prizeId: 'gift', name: 'Gift', kind: 'NOTHING', weight: 1 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
      consolationPrizeId: 'thanks',
    });
    return drawId;
  }

  beforeAll(async () => {
    const al = await api.newMember(`am${tag}-al`);
    fx.al = al.memberId;
    fx.alToken = al.token;
    fx.alCode = String((await ok(get<{ referralCode: string }>('/v1/me', al.token))).referralCode);
    fx.bea = `am${tag}-bea-${ulid()}`;
    fx.beaToken = await api.token('member', fx.bea);
    await ok(api.call('POST', '/v1/me/register', { token: fx.beaToken, body: { referralCode: fx.alCode } }), 201);

    for (const memberId of [fx.al, fx.bea]) {
      await post(admin, `/v1/admin/members/${memberId}/adjustments`, { points: 5000, reason: 'member page test' });
      await post(admin, `/v1/admin/members/${memberId}/adjustments`, { points: 20, reason: 'member page miles', currency: 'partner-miles' });
    }

    // A coupon product: each order makes an order and a coupon.
    const couponTemplateId = uniqueId('ct-am');
    await post(admin, '/v1/admin/coupons', {
      couponTemplateId,
      name: 'Member page coupon',
      discount: { kind: 'NO_THRESHOLD', amountOffCents: 100 },
      validity: { kind: 'DAYS_AFTER_ISSUE', days: 30 },
    });
    const productId = uniqueId('p-am-coupon');
    await post(admin, '/v1/admin/products', { productId, name: 'Coupon', type: 'COUPON', couponTemplateId, zone: `z-am-${ulid().toLowerCase().slice(-10)}`, pricePoints: 50, initialStock: 10 });

    // Two tasks paid from one pool.
    const pool = await post(admin, '/v1/admin/pools', { name: 'Member page pool', budgetPoints: 1000, activities: [{ activity: 'custom', weight: 1 }] });
    for (const key of ['taskA', 'taskB'] as const) {
      const task = await post(admin, '/v1/admin/tasks', {
        type: 'CUSTOM',
        name: `Member page ${key}`,
        points: 1,
        poolId: pool.poolId,
        activity: 'custom',
        startsAt: '2026-01-01T00:00:00Z',
        period: 'DAILY',
      });
      fx[key] = String(task.taskId);
    }

    // An auction and two draws.
    const lotId = uniqueId('lot-am');
    await post(admin, '/v1/admin/products', { productId: lotId, name: 'Auction lot', type: 'PHYSICAL', zone: `z-am-${ulid().toLowerCase().slice(-10)}`, pricePoints: 2000 });
    const auction = await post(admin, '/v1/admin/auctions', {
      productId: lotId,
      title: 'Member page auction',
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 2 * HOUR).toISOString(),
      startingPrice: 10,
      minIncrement: 1,
    });
    fx.auction = String(auction.auctionId);
    fx.drawA = await newDraw();
    fx.drawB = await newDraw();

    // Al: two orders (two coupons), both tasks, two bids, a spin on each draw. Bea: one of each.
    for (const [token, times] of [
      [fx.alToken, 2],
      [fx.beaToken, 1],
    ] as const) {
      for (let i = 0; i < times; i += 1) await post(token, '/v1/orders', { productId });
      for (const taskId of times === 2 ? [fx.taskA, fx.taskB] : [fx.taskA]) await post(token, `/v1/tasks/${taskId}/completions`, {});
      for (const drawId of times === 2 ? [fx.drawA, fx.drawB] : [fx.drawA]) await post(token, `/v1/draws/${drawId}/spins`);
    }
    await post(fx.alToken, `/v1/auctions/${fx.auction}/bids`, { amount: 10 });
    await post(fx.beaToken, `/v1/auctions/${fx.auction}/bids`, { amount: 11 });
    await post(fx.alToken, `/v1/auctions/${fx.auction}/bids`, { amount: 12 });
  }, 120_000);

  it('answers the profile, every wallet, tier progress and referrals', async () => {
    // Act
    const al = await ok(get(`/v1/admin/members/${fx.al}`));
    const bea = await ok(get(`/v1/admin/members/${fx.bea}`));
    // Assess: what it answered before is still there
    expect(al).toMatchObject({ memberId: fx.al, tier: 'normal', status: 'ACTIVE', referralCode: fx.alCode, points: { currency: 'points' } });
    expect((al.wallets as { currency: string }[]).map((w) => w.currency)).toEqual(['points', 'partner-miles']);
    expect(al.wallets).toEqual([
      expect.objectContaining({ currency: 'points', available: al.points && (al.points as { available: number }).available, held: expect.any(Number), pending: 0 }),
      expect.objectContaining({ currency: 'partner-miles', available: 20, held: 0, pending: 0 }),
    ]);
    expect((al.points as { held: number }).held).toBe(12);
    expect(al.tierProgress).toEqual({
      tier: 'normal',
      tierSince: null,
      tierReviewedAt: null,
      growth: 0,
      growthWindow: { fromYear: String(Number(programmeYear(new Date())) - 1), toYear: programmeYear(new Date()) },
      nextTier: { tier: 'silver', growthThreshold: 1000, growthNeeded: 1000, upgradePrice: 500 },
    });
    expect(al.referrals).toEqual({ referredBy: null, referrerId: null, referredCount: 1, referralPointsEarned: expect.any(Number) });
    expect(bea.referrals).toEqual({ referredBy: fx.alCode, referrerId: fx.al, referredCount: 0, referralPointsEarned: 0 });
    expect(al).toMatchObject({ erasedAt: null, erasedBy: null });
  });

  it('answers the next tier of a diamond member as none, and a tier granted since', async () => {
    // Prepare
    const memberId = `am${tag}-top-${ulid().toLowerCase()}`;
    await register(memberId, 'diamond', 500);
    // Act
    const detail = await ok(get(`/v1/admin/members/${memberId}`));
    // Assess
    expect(detail.tierProgress).toMatchObject({ tier: 'diamond', tierSince: iso(500), nextTier: null });
  });

  it("lists the member's ledger with the balance after each entry, as the member's own ledger does", async () => {
    // Act
    const mine = await ok(get<Page>('/v1/me/ledger?limit=100', fx.alToken));
    const operators = await pageThrough<Record<string, unknown>>(`/v1/admin/members/${fx.al}/ledger`, 2);
    const miles = await ok(get<Page>(`/v1/admin/members/${fx.al}/ledger?currency=partner-miles`));
    // Assess
    expect(operators.items).toEqual(mine.items);
    expect(operators.items.length).toBeGreaterThanOrEqual(4);
    expect(miles.items).toEqual([expect.objectContaining({ currency: 'partner-miles', points: 20, balanceAfter: 20 })]);
  });

  it.each([
    ['orders', 2, 1, (item: Record<string, unknown>) => item.memberId],
    ['coupons', 2, 1, undefined],
    ['task-completions', 2, 1, (item: Record<string, unknown>) => item.memberId],
    ['bids', 2, 1, undefined],
    ['spins', 2, 1, (item: Record<string, unknown>) => item.memberId],
  ] as const)("lists only the member's own %s, newest first", async (list, alCount, beaCount, ownerOf) => {
    // Act
    const al = await pageThrough<Record<string, unknown>>(`/v1/admin/members/${fx.al}/${list}`, 1);
    const bea = await ok(get<Page>(`/v1/admin/members/${fx.bea}/${list}`));
    // Assess
    expect(al.items).toHaveLength(alCount);
    expect(bea.items).toHaveLength(beaCount);
    if (ownerOf) {
      expect(al.items.map(ownerOf)).toEqual(al.items.map(() => fx.al));
      expect(bea.items.map(ownerOf)).toEqual([fx.bea]);
    }
    const times = al.items.map((i) => String(i.at ?? i.createdAt ?? i.issuedAt ?? i.completedAt));
    expect(times.every((t) => t !== 'undefined')).toBe(true);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('answers bids as the member sees them', async () => {
    // Act
    const mine = await ok(get<Page>('/v1/me/bids', fx.alToken));
    const operators = await ok(get<Page>(`/v1/admin/members/${fx.al}/bids`));
    // Assess
    expect(operators.items).toEqual(mine.items);
    expect(operators.items.map((b) => b.amount)).toEqual([12, 10]);
  });

  it('narrows spins to a draw and task completions to a task', async () => {
    // Act
    const spins = await ok(get<Page>(`/v1/admin/members/${fx.al}/spins?drawId=${fx.drawB}`));
    const mySpins = await ok(get<Page>(`/v1/draws/${fx.drawB}/spins`, fx.alToken));
    const completions = await ok(get<Page>(`/v1/admin/members/${fx.al}/task-completions?taskId=${fx.taskB}`));
    const unknownDraw = await get(`/v1/admin/members/${fx.al}/spins?drawId=d-none-${tag}`);
    // Assess
    expect(spins.items).toEqual(mySpins.items);
    expect(spins.items.map((s) => s.drawId)).toEqual([fx.drawB]);
    expect(completions.items).toEqual([expect.objectContaining({ taskId: fx.taskB, memberId: fx.al, type: 'CUSTOM', totalPoints: 1, ref: expect.stringContaining(fx.taskB) })]);
    expectProblem(unknownDraw, 404, 'NOT_FOUND');
  });

  it('narrows coupons by status', async () => {
    // Act
    const active = await ok(get<Page>(`/v1/admin/members/${fx.al}/coupons?status=ACTIVE`));
    const used = await ok(get<Page>(`/v1/admin/members/${fx.al}/coupons?status=USED`));
    const orders = await ok(get<Page>(`/v1/admin/members/${fx.al}/orders`));
    // Assess: Al's two coupons, from Al's orders
    expect(active.items).toHaveLength(2);
    expect(active.items.map((c) => c.orderId).sort()).toEqual(orders.items.map((o) => o.orderId).sort());
    expect(used.items).toEqual([]);
  });

  it('lists spins and task completions made before their index entry existed once the backfill ran', async () => {
    // Prepare: Bea's spin and completion as written before this change (no GSI1 keys)
    const spinKey = keys.member.spin(fx.bea, fx.drawA, String((await ok(get<Page>(`/v1/admin/members/${fx.bea}/spins`))).items[0]!.day), 1);
    const completion = (await ok(get<Page>(`/v1/admin/members/${fx.bea}/task-completions`))).items[0]!;
    const completionKey = keys.member.taskCompletion(fx.bea, fx.taskA, String(completion.period), Number(completion.slot));
    for (const Key of [spinKey, completionKey]) {
      await db().send(new UpdateCommand({ TableName: tableName(), Key, UpdateExpression: 'REMOVE GSI1PK, GSI1SK', ConditionExpression: 'attribute_exists(PK)' }));
    }
    const before = {
      spins: (await ok(get<Page>(`/v1/admin/members/${fx.bea}/spins`))).items,
      completions: (await ok(get<Page>(`/v1/admin/members/${fx.bea}/task-completions`))).items,
      oneDraw: (await ok(get<Page>(`/v1/admin/members/${fx.bea}/spins?drawId=${fx.drawA}`))).items,
    };
    // Act
    const stats = await backfillMemberIndexes();
    // Assess
    expect(before.spins).toEqual([]);
    expect(before.completions).toEqual([]);
    expect(before.oneDraw).toHaveLength(1);
    expect(stats).toMatchObject({ spinsIndexed: expect.any(Number), taskCompletionsIndexed: expect.any(Number) });
    expect(stats.spinsIndexed).toBeGreaterThanOrEqual(1);
    expect(stats.taskCompletionsIndexed).toBeGreaterThanOrEqual(1);
    expect((await ok(get<Page>(`/v1/admin/members/${fx.bea}/spins`))).items).toEqual(before.oneDraw);
    expect((await ok(get<Page>(`/v1/admin/members/${fx.bea}/task-completions`))).items).toEqual([completion]);
    const stored = await db().send(new GetCommand({ TableName: tableName(), Key: spinKey, ConsistentRead: true }));
    expect(stored.Item?.GSI1PK).toBe(keys.member.spinsPartition(fx.bea));
  }, 60_000);

  it('answers an erased member with what remains', async () => {
    // Prepare
    const { memberId, token } = await api.newMember(`am${tag}-gone`);
    await post(admin, `/v1/admin/members/${memberId}/adjustments`, { points: 300, reason: 'before erasure' });
    await ok(api.call('DELETE', '/v1/me', { token }));
    // Act
    const detail = await ok(get(`/v1/admin/members/${memberId}`));
    const ledger = await ok(get<Page>(`/v1/admin/members/${memberId}/ledger`));
    const orders = await ok(get<Page>(`/v1/admin/members/${memberId}/orders`));
    const found = await ok(get<Page<Hit>>(`/v1/admin/members?idPrefix=${memberId}`));
    // Assess
    expect(detail).toMatchObject({ status: 'ERASED', birthday: null, tags: [], referredBy: null, erasedBy: 'member', erasedAt: expect.any(String) });
    expect(detail.points).toMatchObject({ available: 300 });
    expect(ledger.items).toEqual([expect.objectContaining({ type: 'ADJUST', points: 300, balanceAfter: 300 })]);
    expect(orders.items).toEqual([]);
    expect(found.items).toEqual([expect.objectContaining({ memberId, status: 'ERASED' })]);
  });

  const perMember = ['', '/ledger', '/orders', '/coupons', '/task-completions', '/bids', '/spins'];

  it.each(perMember)('answers 404 for an unknown member on %s', async (suffix) => {
    // Act
    const answer = await get(`/v1/admin/members/am-nobody-${tag}${suffix}`);
    // Assess
    expectProblem(answer, 404, 'NOT_FOUND');
    expect(String(answer.body.detail)).toContain(`am-nobody-${tag}`);
  });

  it.each(['', ...perMember.slice(1).map((s) => `{id}${s}`), '{id}'])('refuses member and POS tokens on /v1/admin/members/%s with 403', async (suffix) => {
    // Prepare
    const url = `/v1/admin/members${suffix ? `/${suffix.replace('{id}', fx.al)}` : ''}`;
    // Act
    const member = await get(url, fx.alToken);
    const till = await get(url, pos);
    const none = await api.call<Record<string, unknown>>('GET', url);
    // Assess
    expectProblem(member, 403, 'FORBIDDEN');
    expectProblem(till, 403, 'FORBIDDEN');
    expectProblem(none, 401, 'UNAUTHORIZED');
  });

  it.each([
    ['a member id with a space', '/v1/admin/members/am%20x/orders'],
    ['an unknown currency form', '/v1/admin/members/{id}/ledger?currency=POINTS'],
    ['an unknown coupon status', '/v1/admin/members/{id}/coupons?status=LOST'],
    ['a bad draw id', '/v1/admin/members/{id}/spins?drawId=a%2Fb'],
    ['a bad task id', '/v1/admin/members/{id}/task-completions?taskId=%24x'],
    ['a limit of 0', '/v1/admin/members/{id}/bids?limit=0'],
  ])('refuses %s with 400', async (_what, url) => {
    // Act
    const answer = await get(url.replace('{id}', fx.al));
    // Assess
    expectProblem(answer, 400, 'VALIDATION_FAILED');
  });
});
