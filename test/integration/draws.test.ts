import { execFile } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { addDays, checkSpin, seedHash } from '../../shared/domain/draws.js';
import { bucketAfterMonths } from '../../shared/domain/fifo.js';
import { localDate } from '../../shared/domain/programme.js';
import { createPool, getPool } from '../../shared/earning/pools.js';
import { allOpenDraws } from '../../shared/draws/draws.js';
import { findSeed } from '../../shared/draws/seeds.js';
import { drawSeeds } from '../../shared/draws/spins.js';
import { runDrawSeedsJob } from '../../shared/jobs/draw-seeds.js';
import { commit } from '../../shared/ledger/ledger.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { registerMember } from '../../shared/members/service.js';
import { db, tableName } from '../../shared/table/client.js';
import { DRAW_STATS_SHARDS, keys } from '../../shared/table/keys.js';
import { TestApi, testPage, uniqueId, type ApiResponse } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin');
});

interface Spin {
  spinId: string;
  drawId: string;
  memberId: string;
  day: string;
  n: number;
  prize: { prizeId: string; kind: string; points: number | null };
  drawnPrizeId: string;
  fallbackReason: string | null;
  costPoints: number;
  couponId: string | null;
  orderId: string | null;
  seedHash: string;
  entryIds: string[];
  freeSpinsLeft: number;
  spinsLeft: number;
}

interface DrawView {
  prizes: { prizeId: string; weight: number; odds: number; limited: boolean; outOfStock: boolean }[];
  me: { day: string; spinsToday: number; freeSpinsLeft: number; spinsLeft: number; nextSpinCostPoints: number | null };
  fairness: { today: { day: string; seedHash: string } | null; nextSpinNumber: number; revealed: { day: string; seed: string }[] };
}

interface AdminView {
  status: string;
  operatorStatus: string;
  version: number;
  name: string;
  endsAt: string;
  updatedBy: string;
  prizes: { prizeId: string; stock: number | null; stockAdded: number | null; stockLeft: number | null; drawn: number; awarded: number; fellBack: number }[];
  totals: { spins: number; paidSpins: number; costPoints: number; pointsAwarded: number; fallbacks: number };
  history: { version: number; at: string; by: string; changes: Record<string, { from: string; to: string }>; stockTopUps: { prizeId: string; add: number; stockBefore: number; stockAfter: number }[] }[];
}

const hour = 3_600_000;

/** Two NOTHING prizes, "thanks" the consolation: for draws whose prizes do not matter. */
const twoNothings = {
  prizes: [
    { prizeId: 'nothing', name: 'Nothing', kind: 'NOTHING', weight: 1 },
    { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
  ],
};

/** A pool with one `games` activity for the draw's points prizes (counter shards: the default unless given). */
async function gamesPool(budgetPoints: number, dailyCapPerMember: number | null = null, counterShards?: number): Promise<string> {
  const poolId = uniqueId('pool-draw');
  await createPool({ name: 'Draw test pool', budgetPoints, counterShards, activities: [{ activity: 'games', weight: 1, dailyCapPerMember }] }, 'test', {
    poolId,
  });
  return poolId;
}

/** Creates a draw through the operator API; the prizes default to a points prize and the "thanks" consolation. */
async function newDraw(fields: Record<string, unknown>): Promise<string> {
  const drawId = uniqueId('d');
  const res = await api.call('POST', '/v1/admin/draws', {
    token: admin,
    body: {
      drawId,
      name: 'Test wheel',
      startsAt: new Date(Date.now() - hour).toISOString(),
      endsAt: new Date(Date.now() + 48 * hour).toISOString(),
      freeSpinsPerDay: 3,
      spinCostPoints: 10,
      maxSpinsPerDay: 5,
      consolationPrizeId: 'thanks',
      ...fields,
    },
  });
  if (res.status !== 201) throw new Error(`draw not created: ${res.status} ${res.text}`);
  return drawId;
}

async function member(points = 0): Promise<{ memberId: string; token: string }> {
  const memberId = uniqueId('spinner');
  await registerMember(memberId, {});
  if (points > 0) await commit({ moves: [{ memberId, type: 'EARN', points, bucket: bucketAfterMonths(new Date(), 12), reason: 'test credit' }] });
  return { memberId, token: await api.token('member', memberId) };
}

function spin(drawId: string, token: string, key: string): Promise<ApiResponse<Spin & { code?: string }>> {
  return api.call<Spin & { code?: string }>('POST', `/v1/draws/${drawId}/spins`, { token, headers: { 'idempotency-key': key } });
}

/** A spin as a real client makes it: a 409 CONFLICT (contention beyond the retry budget) is retried with the same key. */
async function spinRetrying(drawId: string, token: string, key: string): Promise<ApiResponse<Spin & { code?: string }>> {
  for (let attempt = 0; ; attempt += 1) {
    const res = await spin(drawId, token, key);
    if (!(res.status === 409 && res.body.code === 'CONFLICT') || attempt >= 20) return res;
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
  }
}

async function mySpins(drawId: string, token: string): Promise<Spin[]> {
  const res = await api.call<{ items: Spin[] }>('GET', `/v1/draws/${drawId}/spins?limit=100`, { token });
  expect(res.status).toBe(200);
  return res.body.items;
}

describe('lucky draws', () => {
  it("publishes the prizes with odds that sum to 1, my spins left, and the hash of today's seed", async () => {
    // Prepare
    const poolId = await gamesPool(1000);
    const drawId = await newDraw({
      poolId,
      activity: 'games',
      prizes: [
        { prizeId: 'pts', name: '5 points', kind: 'POINTS', points: 5, weight: 3 },
        { prizeId: 'gift', name: 'Gift', kind: 'NOTHING', weight: 1, stock: 2 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 4 },
      ],
      consolationPrizeId: 'thanks',
    });
    const { token } = await member();

    // Act
    const res = await api.call<DrawView>('GET', `/v1/draws/${drawId}`, { token });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body.prizes.map((p) => [p.prizeId, p.odds, p.limited, p.outOfStock])).toEqual([
      ['pts', 3 / 8, false, false],
      ['gift', 1 / 8, true, false],
      ['thanks', 4 / 8, false, false],
    ]);
    expect(res.body.prizes.reduce((sum, p) => sum + p.odds, 0)).toBeCloseTo(1, 12);
    expect(res.body.me).toEqual({ day: localDate(new Date()), spinsToday: 0, freeSpinsLeft: 3, spinsLeft: 5, nextSpinCostPoints: 0 });
    const stored = await findSeed(drawId, localDate(new Date()));
    expect(res.body.fairness.today?.seedHash).toBe(seedHash(stored?.seed as string));
    expect(res.body.fairness).toMatchObject({ nextSpinNumber: 1, revealed: [] });
    // The seed itself is nowhere in the answer while its day runs.
    expect(JSON.stringify(res.body)).not.toContain(stored?.seed as string);
  });

  it('gives the free spins, then charges the paid ones, then answers NO_SPINS_LEFT at the cap, and replays a repeated key', async () => {
    // Prepare: 3 free spins, then 10 points a spin, 5 a day; prizes of 1 point or nothing.
    const poolId = await gamesPool(1000);
    const drawId = await newDraw({
      poolId,
      activity: 'games',
      prizes: [
        { prizeId: 'pt', name: '1 point', kind: 'POINTS', points: 1, weight: 1 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
    });
    const { memberId, token } = await member(25);

    // Act
    const spins: ApiResponse<Spin & { code?: string }>[] = [];
    for (let i = 1; i <= 6; i += 1) spins.push(await spin(drawId, token, `spin-${memberId}-${i}`));
    const before = await getWallet(memberId, 'points');
    const replay = await spin(drawId, token, `spin-${memberId}-1`);
    const view = await api.call<DrawView>('GET', `/v1/draws/${drawId}`, { token });

    // Assess: n 1-3 free, 4-5 cost 10 each, 6 refused
    expect(spins.slice(0, 5).map((s) => [s.status, s.body.n, s.body.costPoints, s.body.freeSpinsLeft, s.body.spinsLeft])).toEqual([
      [201, 1, 0, 2, 4],
      [201, 2, 0, 1, 3],
      [201, 3, 0, 0, 2],
      [201, 4, 10, 0, 1],
      [201, 5, 10, 0, 0],
    ]);
    expect(spins[5]?.status).toBe(409);
    expect(spins[5]?.headers['content-type']).toBe('application/problem+json');
    expect(spins[5]?.body).toMatchObject({ code: 'NO_SPINS_LEFT', maxSpinsPerDay: 5, spinsToday: 5 });
    const won = spins.slice(0, 5).reduce((sum, s) => sum + (s.body.prize.points ?? 0), 0);
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(25 - 20 + won);
    expect(entries.filter((e) => e.type === 'SPEND').map((e) => e.points)).toEqual([-10, -10]);
    // Each spin records its ledger entries: the paid ones their SPEND, the winning ones their EARN.
    for (const s of spins.slice(0, 5)) {
      const own = entries.filter((e) => e.ref === s.body.spinId).map((e) => e.id);
      expect(s.body.entryIds.sort()).toEqual(own.sort());
      expect(own).toHaveLength((s.body.costPoints > 0 ? 1 : 0) + (s.body.prize.kind === 'POINTS' ? 1 : 0));
    }
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(spins[0]?.body);
    expect(await getWallet(memberId, 'points')).toEqual(before);
    expect(view.body.me).toMatchObject({ spinsToday: 5, freeSpinsLeft: 0, spinsLeft: 0, nextSpinCostPoints: null });
    expect((await mySpins(drawId, token)).map((s) => s.n)).toEqual([5, 4, 3, 2, 1]);
  });

  it('refuses a paid spin the member cannot pay, and the spin is not used up', async () => {
    // Prepare: 5 points, a spin costs 10 after 1 free one.
    const drawId = await newDraw({
      freeSpinsPerDay: 1,
      prizes: [
        { prizeId: 'nothing', name: 'Nothing', kind: 'NOTHING', weight: 1 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
    });
    const { memberId, token } = await member(5);
    await spin(drawId, token, `free-${memberId}`);

    // Act
    const refused = await spin(drawId, token, `paid-${memberId}`);
    const view = await api.call<DrawView>('GET', `/v1/draws/${drawId}`, { token });

    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'INSUFFICIENT_POINTS', requested: 10, available: 5 });
    expect(view.body.me).toMatchObject({ spinsToday: 1, nextSpinCostPoints: 10 });
    expect((await getWallet(memberId, 'points')).available).toBe(5);
    expect(await mySpins(drawId, token)).toHaveLength(1);
  });

  it('numbers concurrent spins of one member 1, 2, 3 ... without gaps and stops at the cap', async () => {
    // Prepare
    const drawId = await newDraw({
      freeSpinsPerDay: 5,
      prizes: [
        { prizeId: 'nothing', name: 'Nothing', kind: 'NOTHING', weight: 1 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
    });
    const { memberId, token } = await member();

    // Act: 8 taps at once, each its own request
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => spinRetrying(drawId, token, `tap-${memberId}-${i}`)));

    // Assess
    expect(results.filter((r) => r.status === 201).map((r) => r.body.n).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(results.filter((r) => r.status !== 201).map((r) => r.body.code)).toEqual(['NO_SPINS_LEFT', 'NO_SPINS_LEFT', 'NO_SPINS_LEFT']);
    expect((await mySpins(drawId, token)).map((s) => s.n)).toEqual([5, 4, 3, 2, 1]);
  });

  it('awards a prize with stock 5 exactly 5 times under 200 concurrent spins; every other spin gets the consolation', async () => {
    // Prepare: 50 points with stock 5 drawn 95% of the time; 200 members, one free spin each.
    const poolId = await gamesPool(100_000);
    const drawId = await newDraw({
      poolId,
      activity: 'games',
      prizes: [
        { prizeId: 'jackpot', name: '50 points', kind: 'POINTS', points: 50, weight: 95, stock: 5 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 5 },
      ],
    });
    const members = await Promise.all(Array.from({ length: 200 }, () => member()));

    // Act: everyone at once, retrying a CONFLICT with the same key as real clients do
    const results = await Promise.all(members.map((m) => spinRetrying(drawId, m.token, `jackpot-${m.memberId}`)));

    // Assess
    expect(results.map((r) => r.status)).toEqual(members.map(() => 201));
    const spins = results.map((r) => r.body);
    const winners = spins.filter((s) => s.prize.prizeId === 'jackpot');
    expect(winners).toHaveLength(5);
    expect(spins.filter((s) => s.prize.prizeId === 'thanks')).toHaveLength(195);
    const fellBack = spins.filter((s) => s.fallbackReason !== null);
    expect(fellBack.every((s) => s.drawnPrizeId === 'jackpot' && s.fallbackReason === 'OUT_OF_STOCK' && s.prize.prizeId === 'thanks')).toBe(true);
    const drawnJackpot = spins.filter((s) => s.drawnPrizeId === 'jackpot').length;
    expect(fellBack).toHaveLength(drawnJackpot - 5);
    // Ledger sums = balances for every member; the winners hold 50 points, the others none.
    for (const m of members) {
      const { wallet } = await expectLedgerExplainsWallet(m.memberId);
      expect(wallet.available).toBe(winners.some((w) => w.memberId === m.memberId) ? 50 : 0);
    }
    expect((await getPool(poolId)).issued).toBe(250);
    const stats = await api.call<AdminView>('GET', `/v1/admin/draws/${drawId}`, { token: admin });
    expect(stats.body.prizes).toEqual([
      expect.objectContaining({ prizeId: 'jackpot', stock: 5, stockLeft: 0, drawn: drawnJackpot, awarded: 5, fellBack: drawnJackpot - 5 }),
      expect.objectContaining({ prizeId: 'thanks', stock: null, stockLeft: null, drawn: 200 - drawnJackpot, awarded: 195, fellBack: 0 }),
    ]);
    expect(stats.body.totals).toEqual({ spins: 200, paidSpins: 0, costPoints: 0, pointsAwarded: 250, fallbacks: drawnJackpot - 5 });
    const view = await api.call<DrawView>('GET', `/v1/draws/${drawId}`, { token: members[0]?.token as string });
    expect(view.body.prizes[0]).toMatchObject({ prizeId: 'jackpot', outOfStock: true });
  });

  it('pays a points prize from another counter shard when its own is short; the consolation only once no shard can pay it', async () => {
    // Prepare: 60 points over 2 shards of 30, a prize of 20 drawn 999,999 times in 1,000,000
    const shardedPool = await gamesPool(60, null, 2);
    const drawId = await newDraw({
      poolId: shardedPool,
      activity: 'games',
      prizes: [
        { prizeId: 'pts', name: '20 points', kind: 'POINTS', points: 20, weight: 999_999 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
    });
    const { memberId, token } = await member();

    // Act: the first 20 leaves 10 on its shard, the second must come from the other; then 10 is left on each
    const spins = [];
    for (let i = 1; i <= 3; i += 1) spins.push((await spin(drawId, token, `shards-${memberId}-${i}`)).body);

    // Assess
    expect(spins.map((s) => [s.prize.prizeId, s.fallbackReason])).toEqual([
      ['pts', null],
      ['pts', null],
      ['thanks', 'BUDGET_EXHAUSTED'],
    ]);
    expect(await getPool(shardedPool)).toMatchObject({ counterShards: 2, issued: 40, left: 20, awards: 2 });
    expect((await expectLedgerExplainsWallet(memberId)).wallet.available).toBe(40);
  });

  it('falls back to the consolation when the pool is exhausted or the daily cap reached, and refuses when even the consolation cannot be paid', async () => {
    // Prepare: the points prize is drawn 999,999 times in 1,000,000.
    const prizes = (points: number) => [
      { prizeId: 'pts', name: `${points} points`, kind: 'POINTS', points, weight: 999_999 },
      { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
    ];
    const smallPool = await gamesPool(100);
    const exhausting = await newDraw({ poolId: smallPool, activity: 'games', prizes: prizes(40) });
    const cappedPool = await gamesPool(10_000, 50);
    const capped = await newDraw({ poolId: cappedPool, activity: 'games', prizes: prizes(40) });
    const tinyPool = await gamesPool(5);
    const pointsConsolation = await newDraw({
      poolId: tinyPool,
      activity: 'games',
      prizes: [
        { prizeId: 'five', name: '5 points', kind: 'POINTS', points: 5, weight: 1 },
        { prizeId: 'thanks', name: 'Consolation: 5 points', kind: 'POINTS', points: 5, weight: 1 },
      ],
    });
    const { memberId, token } = await member();

    // Act
    const fromPool = [];
    for (let i = 1; i <= 3; i += 1) fromPool.push((await spin(exhausting, token, `pool-${memberId}-${i}`)).body);
    const fromCap = [];
    for (let i = 1; i <= 2; i += 1) fromCap.push((await spin(capped, token, `cap-${memberId}-${i}`)).body);
    const paid = await spin(pointsConsolation, token, `cons-${memberId}-1`);
    const walletBefore = await getWallet(memberId, 'points');
    const refused = await spin(pointsConsolation, token, `cons-${memberId}-2`);

    // Assess: 40 + 40 fit in 100, the third 40 does not
    expect(fromPool.map((s) => [s.drawnPrizeId, s.prize.prizeId, s.fallbackReason])).toEqual([
      ['pts', 'pts', null],
      ['pts', 'pts', null],
      ['pts', 'thanks', 'BUDGET_EXHAUSTED'],
    ]);
    expect((await getPool(smallPool)).issued).toBe(80);
    // 40 a day fits the cap of 50, a second 40 does not
    expect(fromCap.map((s) => [s.prize.prizeId, s.fallbackReason])).toEqual([
      ['pts', null],
      ['thanks', 'LIMIT_REACHED'],
    ]);
    // The pool pays the first 5 points; then neither the prize nor the consolation can be paid: 409, nothing written
    expect(paid.status).toBe(201);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'BUDGET_EXHAUSTED' });
    expect(await getWallet(memberId, 'points')).toEqual(walletBefore);
    expect(await mySpins(pointsConsolation, token)).toHaveLength(1);
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(80 + 40 + 5);
  });

  it('delivers a coupon prize to the coupon wallet and a goods prize through an order', async () => {
    // Prepare
    const couponTemplateId = uniqueId('ct-draw');
    await api.call('POST', '/v1/admin/coupons', {
      token: admin,
      body: { couponTemplateId, name: '5 off', discount: { kind: 'NO_THRESHOLD', amountOffCents: 500 }, validity: { kind: 'DAYS_AFTER_ISSUE', days: 7 } },
    });
    const productId = uniqueId('p-draw');
    await api.call('POST', '/v1/admin/products', { token: admin, body: { productId, name: 'Tea set', type: 'PHYSICAL', pricePoints: 2000 } });
    const couponDraw = await newDraw({
      prizes: [
        { prizeId: 'coupon', name: '5 off', kind: 'COUPON', couponTemplateId, weight: 999_999 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
    });
    const goodsDraw = await newDraw({
      prizes: [
        { prizeId: 'tea', name: 'Tea set', kind: 'GOODS', productId, weight: 999_999, stock: 10 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
    });
    const { memberId, token } = await member();

    // Act
    const couponSpin = (await spin(couponDraw, token, `coupon-${memberId}`)).body;
    const goodsSpin = (await spin(goodsDraw, token, `goods-${memberId}`)).body;
    const coupons = await api.call<{ items: { couponId: string; couponTemplateId: string; orderId: string }[] }>('GET', '/v1/me/coupons', { token });
    const order = await api.call<Record<string, unknown>>('GET', `/v1/orders/${goodsSpin.orderId}`, { token });

    // Assess
    expect(couponSpin.prize.prizeId).toBe('coupon');
    expect(coupons.body.items).toEqual([expect.objectContaining({ couponId: couponSpin.couponId, couponTemplateId, orderId: couponSpin.spinId })]);
    expect(goodsSpin.prize.prizeId).toBe('tea');
    expect(order.body).toMatchObject({ memberId, productId, status: 'PLACED', points: 0, source: { kind: 'DRAW', id: goodsSpin.spinId } });
    expect(await allLedgerEntries(memberId, 'points')).toEqual([]);
  });

  it("re-computes a spin from the day's seed once it is revealed, by the documented procedure and by npm run verify-spin", async () => {
    // Prepare: spins today
    const poolId = await gamesPool(10_000);
    const drawId = await newDraw({
      poolId,
      activity: 'games',
      prizes: [
        { prizeId: 'p10', name: '10 points', kind: 'POINTS', points: 10, weight: 3 },
        { prizeId: 'p1', name: '1 point', kind: 'POINTS', points: 1, weight: 5 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 7 },
      ],
    });
    const { memberId, token } = await member();
    for (let i = 1; i <= 3; i += 1) await spin(drawId, token, `verify-${memberId}-${i}`);
    const draw = await api.call<DrawView>('GET', `/v1/draws/${drawId}`, { token });
    const spins = await mySpins(drawId, token);
    const today = localDate(new Date());

    // Act: today the seed is not revealed; tomorrow (an injected clock) it is
    const now = await api.call<{ today: { seedHash: string }; items: { day: string }[] }>('GET', `/v1/draws/${drawId}/seeds`, { token });
    const tomorrow = await drawSeeds(drawId, testPage(10), new Date(Date.now() + 24 * hour));
    const revealed = tomorrow.items.find((s) => s.day === today);

    // Assess
    expect(now.body.items.some((s) => s.day === today)).toBe(false);
    expect(now.body.today.seedHash).toBe(spins[0]?.seedHash);
    expect(revealed).toBeDefined();
    for (const s of spins) {
      const check = checkSpin({
        seed: revealed?.seed as string,
        publishedSeedHash: s.seedHash,
        spin: { drawId, memberId, day: s.day, n: s.n },
        prizes: draw.body.prizes,
        drawnPrizeId: s.drawnPrizeId,
      });
      expect(check).toMatchObject({ seedMatchesHash: true, drawnPrizeMatches: true });
      // No stock or pool limit here: the prize drawn is the prize given.
      expect(s.prize.prizeId).toBe(s.drawnPrizeId);
    }
    // The script anyone can run, fed the API's own answers.
    const dir = mkdtempSync(join(tmpdir(), 'verify-spin-'));
    writeFileSync(join(dir, 'draw.json'), JSON.stringify(draw.body));
    writeFileSync(join(dir, 'spin.json'), JSON.stringify(spins[0]));
    const script = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/verify-spin.ts', '--seed', revealed?.seed as string, '--prizes', join(dir, 'draw.json'), '--spin', join(dir, 'spin.json')]);
    expect(script.stdout).toContain(`prize drawn      ${spins[0]?.drawnPrizeId}`);
    expect(script.stdout).toContain('published hash   MATCHES');
    expect(script.stdout).toMatch(/recorded drawn {3}\S+: MATCHES/);
  });

  it("makes today's and tomorrow's seeds in the daily job, once", async () => {
    // Prepare: a draw running for a week; run the job as of two days from now, when its seeds do not exist yet
    const drawId = await newDraw({
      endsAt: new Date(Date.now() + 7 * 24 * hour).toISOString(),
      prizes: [
        { prizeId: 'nothing', name: 'Nothing', kind: 'NOTHING', weight: 1 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
    });
    const later = new Date(Date.now() + 48 * hour);
    const laterDay = localDate(later);

    // Act
    const first = await runDrawSeedsJob({ now: later, deadline: Date.now() + 60_000 });
    const second = await runDrawSeedsJob({ now: later, deadline: Date.now() + 60_000 });

    // Assess
    expect(first.seedsCreated).toBeGreaterThanOrEqual(2);
    expect(second.seedsCreated).toBe(0);
    expect(second.complete).toBe(1);
    const seeds = await Promise.all([laterDay, addDays(laterDay, 1)].map((day) => findSeed(drawId, day)));
    expect(seeds.map((s) => s?.createdBy)).toEqual(['job', 'job']);
    expect(seeds.every((s) => s !== undefined && seedHash(s.seed) === s.seedHash)).toBe(true);
  });

  describe('operator changes', () => {
    function patch(drawId: string, body: Record<string, unknown>): Promise<ApiResponse<AdminView & { code?: string; detail?: string; currentVersion?: number }>> {
      return api.call('PATCH', `/v1/admin/draws/${drawId}`, { token: admin, body });
    }

    async function adminView(drawId: string): Promise<AdminView> {
      const res = await api.call<AdminView>('GET', `/v1/admin/draws/${drawId}`, { token: admin });
      expect(res.status).toBe(200);
      return res.body;
    }

    async function dayCounter(memberId: string, drawId: string): Promise<Record<string, unknown> | undefined> {
      const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.drawDay(memberId, drawId, localDate(new Date())), ConsistentRead: true }));
      return result.Item;
    }

    /** Paid spins only (10 points each), a 20-point prize from a pool, and "thanks". */
    async function paidDraw(stock: number | null = null): Promise<{ drawId: string; poolId: string }> {
      const poolId = await gamesPool(100_000);
      const drawId = await newDraw({
        poolId,
        activity: 'games',
        freeSpinsPerDay: 0,
        prizes: [
          { prizeId: 'pts', name: '20 points', kind: 'POINTS', points: 20, weight: 1, stock },
          { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
        ],
      });
      return { drawId, poolId };
    }

    it('pauses a draw: a spin is refused with DRAW_CLOSED and writes nothing, the views say PAUSED; resuming lets it spin', async () => {
      // Prepare: one paid spin before the pause
      const { drawId } = await paidDraw();
      const { memberId, token } = await member(100);
      expect((await spin(drawId, token, `before-${memberId}`)).status).toBe(201);
      const walletBefore = await getWallet(memberId, 'points');
      const entriesBefore = await allLedgerEntries(memberId, 'points');

      // Act
      const paused = await patch(drawId, { expectedVersion: 1, status: 'PAUSED' });
      const refused = await spin(drawId, token, `paused-${memberId}`);
      const memberView = await api.call<DrawView & { status: string }>('GET', `/v1/draws/${drawId}`, { token });
      const whilePaused = {
        counter: await dayCounter(memberId, drawId),
        wallet: await getWallet(memberId, 'points'),
        entries: await allLedgerEntries(memberId, 'points'),
        admin: await adminView(drawId),
        listed: (await allOpenDraws(new Date())).some((d) => d.drawId === drawId),
      };
      const resumed = await patch(drawId, { expectedVersion: 2, status: 'ACTIVE' });
      const again = await spin(drawId, token, `paused-${memberId}`);

      // Assess: the pause answers the new version and its history entry
      expect(paused.status).toBe(200);
      expect(paused.body).toMatchObject({ status: 'PAUSED', operatorStatus: 'PAUSED', version: 2, updatedBy: 'operator-1' });
      expect(paused.body.history).toEqual([{ version: 2, at: expect.any(String), by: 'operator-1', changes: { status: { from: 'ACTIVE', to: 'PAUSED' } }, stockTopUps: [] }]);
      // The refused spin: 409 with the status, and no counter, spin record, ledger entry or statistics
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'DRAW_CLOSED', drawStatus: 'PAUSED', operatorStatus: 'PAUSED' });
      expect(whilePaused.counter).toMatchObject({ spins: 1 });
      expect(whilePaused.admin.totals.spins).toBe(1);
      expect(whilePaused.wallet).toEqual(walletBefore);
      expect(whilePaused.entries).toEqual(entriesBefore);
      expect(whilePaused.listed).toBe(true);
      expect(memberView.body.status).toBe('PAUSED');
      expect(memberView.body.me).toMatchObject({ spinsToday: 1, spinsLeft: 0, nextSpinCostPoints: null });
      // Resumed: the same key spins (it was never stored), as spin 2
      expect(resumed.body).toMatchObject({ status: 'OPEN', operatorStatus: 'ACTIVE', version: 3 });
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      expect(again.body).toMatchObject({ n: 2, costPoints: 10 });
      const { entries } = await expectLedgerExplainsWallet(memberId);
      expect(entries.length).toBe(entriesBefore.length + again.body.entryIds.length);
      expect((await mySpins(drawId, token)).map((s) => s.n)).toEqual([2, 1]);
    });

    it('refuses a spin in the transaction when another function instance paused the draw after this one cached it', async () => {
      // Prepare: this instance caches the draw as ACTIVE; a second copy of the module (another instance, its own cache) pauses it
      const { drawId } = await paidDraw();
      const { memberId, token } = await member(100);
      expect((await api.call('GET', `/v1/draws/${drawId}`, { token })).status).toBe(200);
      const otherInstancePath = '../../shared/draws/draws.js?instance=other';
      const otherInstance = (await import(/* @vite-ignore */ otherInstancePath)) as typeof import('../../shared/draws/draws.js');
      await otherInstance.updateDraw(drawId, { expectedVersion: 1, status: 'PAUSED' }, 'operator-2');
      const cachedHere = await api.call<{ status: string }>('GET', `/v1/draws/${drawId}`, { token });

      // Act
      const refused = await spin(drawId, token, `stale-${memberId}`);

      // Assess: this instance still showed ACTIVE (OPEN), yet the spin's own transaction refused it and wrote nothing
      expect(cachedHere.body.status).toBe('OPEN');
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'DRAW_CLOSED', drawStatus: 'PAUSED', operatorStatus: 'PAUSED' });
      expect(await dayCounter(memberId, drawId)).toBeUndefined();
      expect(await allLedgerEntries(memberId, 'points')).toHaveLength(1);
      expect((await getWallet(memberId, 'points')).available).toBe(100);
      expect((await adminView(drawId)).totals.spins).toBe(0);
      // The refusal made this instance forget its copy: it now shows the pause
      expect((await api.call<{ status: string }>('GET', `/v1/draws/${drawId}`, { token })).body.status).toBe('PAUSED');
    });

    it('lets every spin racing a pause either commit before it or be refused, and counters, stock and ledger agree', async () => {
      // Prepare: 50 members with 100 points each; a limited 20-point prize (stock 10)
      const { drawId, poolId } = await paidDraw(10);
      const members = await Promise.all(Array.from({ length: 50 }, () => member(100)));
      let resolved = 0;
      let pause: Promise<ApiResponse<AdminView>> | undefined;

      // Act: 50 spins at once; the pause is sent when the 10th answers, so it races the ones still in flight
      const results = await Promise.all(
        members.map(async (m) => {
          const res = await spinRetrying(drawId, m.token, `race-${m.memberId}`);
          resolved += 1;
          if (resolved === 10) pause = patch(drawId, { expectedVersion: 1, status: 'PAUSED' });
          return res;
        }),
      );
      const paused = await (pause as Promise<ApiResponse<AdminView>>);
      const afterPause = await spin(drawId, members[0]?.token as string, `after-${members[0]?.memberId}`);

      // Assess: each spin committed or was refused with DRAW_CLOSED
      expect(paused.status).toBe(200);
      const committed = results.filter((r) => r.status === 201).map((r) => r.body);
      const refused = results.filter((r) => r.status !== 201);
      expect(refused.every((r) => r.status === 409 && r.body.code === 'DRAW_CLOSED')).toBe(true);
      expect(committed.length + refused.length).toBe(50);
      expect(committed.length).toBeGreaterThanOrEqual(10);
      expect(afterPause.body).toMatchObject({ code: 'DRAW_CLOSED', drawStatus: 'PAUSED' });
      // Committed before the pause: the pause noted each shard's count in its transaction, and no spin was counted after
      const shards = await Promise.all(
        Array.from({ length: DRAW_STATS_SHARDS }, (_, shard) =>
          db().send(new GetCommand({ TableName: tableName(), Key: keys.draw.statsShard(drawId, shard), ConsistentRead: true })),
        ),
      );
      const sum = (name: string) => shards.reduce((total, s) => total + Number(s.Item?.[name] ?? 0), 0);
      expect(sum('spinsAtChange')).toBe(committed.length);
      expect(sum('spins')).toBe(committed.length);
      expect(shards.every((s) => s.Item?.operatorStatus === 'PAUSED')).toBe(true);
      // Counters, stock and ledger agree
      const view = await adminView(drawId);
      const won = committed.filter((s) => s.prize.prizeId === 'pts');
      expect(view.totals).toMatchObject({ spins: committed.length, paidSpins: committed.length, costPoints: 10 * committed.length, pointsAwarded: 20 * won.length });
      const prize = view.prizes.find((p) => p.prizeId === 'pts');
      expect(prize).toMatchObject({ stock: 10, awarded: won.length, stockLeft: 10 - won.length });
      expect(won.length).toBeLessThanOrEqual(10);
      expect((await getPool(poolId)).issued).toBe(20 * won.length);
      for (const m of members) {
        const { wallet, entries } = await expectLedgerExplainsWallet(m.memberId);
        const mine = committed.find((s) => s.memberId === m.memberId);
        expect(wallet.available).toBe(mine ? 100 - 10 + (mine.prize.points ?? 0) : 100);
        expect(entries).toHaveLength(mine ? 1 + mine.entryIds.length : 1);
        expect((await dayCounter(m.memberId, drawId))?.spins).toBe(mine ? 1 : undefined);
      }
    });

    it('refuses a stale version with 409, and an ended draw is final', async () => {
      // Prepare
      const { drawId } = await paidDraw();
      const { token } = await member(100);
      const renamed = await patch(drawId, { expectedVersion: 1, name: 'Renamed wheel', description: 'New words' });

      // Act
      const stale = await patch(drawId, { expectedVersion: 1, status: 'PAUSED' });
      const ended = await patch(drawId, { expectedVersion: 2, status: 'ENDED' });
      const reopen = await patch(drawId, { expectedVersion: 3, status: 'ACTIVE' });
      const extend = await patch(drawId, { expectedVersion: 3, endsAt: new Date(Date.now() + 96 * hour).toISOString() });
      const refused = await spin(drawId, token, `ended-${uniqueId('k')}`);
      const memberView = await api.call<DrawView & { status: string }>('GET', `/v1/draws/${drawId}`, { token });
      const view = await adminView(drawId);

      // Assess
      expect(renamed.body).toMatchObject({ version: 2, name: 'Renamed wheel' });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
      expect(ended.body).toMatchObject({ status: 'ENDED', operatorStatus: 'ENDED', version: 3 });
      expect([reopen.status, reopen.body.code, extend.status]).toEqual([409, 'CONFLICT', 409]);
      expect(reopen.body.detail).toContain('final');
      expect(refused.body).toMatchObject({ code: 'DRAW_CLOSED', drawStatus: 'ENDED', operatorStatus: 'ENDED' });
      expect(memberView.body.status).toBe('ENDED');
      // Today's hash stays published (today's spins used it); the seed itself stays secret until the day ends
      const today = await findSeed(drawId, localDate(new Date()));
      expect(memberView.body.fairness.today?.seedHash).toBe(today?.seedHash);
      expect(JSON.stringify(memberView.body)).not.toContain(today?.seed as string);
      expect(view).toMatchObject({ status: 'ENDED', version: 3, name: 'Renamed wheel' });
      expect(view.history.map((h) => [h.version, Object.keys(h.changes).sort()])).toEqual([
        [3, ['status']],
        [2, ['description', 'name']],
      ]);
      // Off the list of draws not ended, so the seeds job makes no more seeds for it
      expect((await allOpenDraws(new Date())).some((d) => d.drawId === drawId)).toBe(false);
    });

    it('tops up the stock of a sold-out prize so it can be won again, and never takes stock below what was awarded', async () => {
      // Prepare: a gift drawn 999,999 times in 1,000,000, with stock 1
      const drawId = await newDraw({
        freeSpinsPerDay: 5,
        prizes: [
          { prizeId: 'gift', name: 'Gift', kind: 'NOTHING', weight: 999_999, stock: 1 },
          { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
        ],
      });
      const { memberId, token } = await member();
      const first = (await spin(drawId, token, `gift-${memberId}-1`)).body;
      const soldOut = (await spin(drawId, token, `gift-${memberId}-2`)).body;

      // Act
      const toppedUp = await patch(drawId, { expectedVersion: 1, stockTopUps: [{ prizeId: 'gift', add: 2 }] });
      const memberView = await api.call<DrawView>('GET', `/v1/draws/${drawId}`, { token });
      const wonAgain = (await spin(drawId, token, `gift-${memberId}-3`)).body;
      const tooMuch = await patch(drawId, { expectedVersion: 2, stockTopUps: [{ prizeId: 'gift', add: -2 }] });
      const takenBack = await patch(drawId, { expectedVersion: 2, stockTopUps: [{ prizeId: 'gift', add: -1 }] });

      // Assess: sold out, then topped up (3 in all, 2 left), then won again
      expect([first.prize.prizeId, soldOut.prize.prizeId, soldOut.fallbackReason]).toEqual(['gift', 'thanks', 'OUT_OF_STOCK']);
      expect(toppedUp.status).toBe(200);
      expect(toppedUp.body.prizes[0]).toMatchObject({ prizeId: 'gift', stock: 3, stockAdded: 2, stockLeft: 2, awarded: 1 });
      expect(toppedUp.body.history[0]).toMatchObject({ version: 2, by: 'operator-1', changes: {}, stockTopUps: [{ prizeId: 'gift', add: 2, stockBefore: 1, stockAfter: 3 }] });
      expect(memberView.body.prizes[0]).toMatchObject({ prizeId: 'gift', outOfStock: false });
      expect([wonAgain.prize.prizeId, wonAgain.fallbackReason]).toEqual(['gift', null]);
      // 2 awarded, 1 left: taking back 2 would go below what was awarded
      expect(tooMuch.status).toBe(409);
      expect(tooMuch.body).toMatchObject({ code: 'CONFLICT', prizeId: 'gift', left: 1 });
      expect(takenBack.body.prizes[0]).toMatchObject({ stock: 2, stockAdded: 1, stockLeft: 0, awarded: 2 });
      expect(takenBack.body.version).toBe(3);
      // The odds never moved
      expect(takenBack.body.prizes.map((p) => p.prizeId)).toEqual(['gift', 'thanks']);
    });

    it('moves the end: a shortened draw reveals no seed before its day has ended, and a lengthened one gets its seeds ahead', async () => {
      // Prepare: a week-long draw (seeds of today and tomorrow made at creation); a draw ending before local midnight
      const nowMs = Date.now();
      const today = localDate(new Date(nowMs));
      const tomorrow = addDays(today, 1);
      const localMidnight = Date.parse(`${tomorrow}T00:00:00+08:00`);
      const week = await newDraw({ ...twoNothings, endsAt: new Date(nowMs + 7 * 24 * hour).toISOString() });
      const short = await newDraw({ ...twoNothings, endsAt: new Date(Math.min(nowMs + hour, localMidnight - 1000)).toISOString() });
      const seedsBefore = { week: await findSeed(week, tomorrow), short: await findSeed(short, tomorrow) };

      // Act: shorten the week to end in 2 minutes; lengthen the short one to 3 days
      const shortened = await patch(week, { expectedVersion: 1, endsAt: new Date(nowMs + 2 * 60_000).toISOString() });
      const lengthened = await patch(short, { expectedVersion: 1, endsAt: new Date(nowMs + 72 * hour).toISOString() });
      const seedsNow = await api.call<{ today: { seedHash: string } | null; tomorrow: { seedHash: string } | null; items: { day: string }[] }>('GET', `/v1/draws/${week}/seeds`, {
        token: await api.token('member', 'seed-reader'),
      });
      const dayAfter = await drawSeeds(week, testPage(10), new Date(nowMs + 24 * hour));
      const twoDaysAfter = await drawSeeds(week, testPage(10), new Date(nowMs + 48 * hour));

      // Assess: the shortened draw's seeds are revealed by their day, not by its end: today's tomorrow, tomorrow's the day after
      expect(shortened.body.endsAt).toBe(new Date(nowMs + 2 * 60_000).toISOString());
      expect(seedsNow.body.items).toEqual([]);
      expect(seedsNow.body.today?.seedHash).toBe((await findSeed(week, today))?.seedHash);
      expect(dayAfter.items.map((s) => s.day)).toEqual([today]);
      expect(twoDaysAfter.items.map((s) => s.day)).toEqual([tomorrow, today]);
      expect(twoDaysAfter.items[0]).toMatchObject({ seed: seedsBefore.week?.seed });
      // The lengthened draw now covers tomorrow: its seed is made by the change, its hash published a day ahead
      expect(lengthened.status).toBe(200);
      expect(seedsBefore.short).toBeUndefined();
      expect((await findSeed(short, tomorrow))?.createdBy).toBe('update');
      expect(lengthened.body.history[0]?.changes.endsAt?.to).toBe(new Date(nowMs + 72 * hour).toISOString());
    });

    it('refuses changes that could not be made, as problem+json, and changes nothing', async () => {
      // Prepare
      const drawId = await newDraw({
        ...twoNothings,
        prizes: [
          { prizeId: 'gift', name: 'Gift', kind: 'NOTHING', weight: 1, stock: 3 },
          { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
        ],
      });

      // Act
      const answers = await Promise.all(
        [
          { expectedVersion: 1, prizes: [], weight: 2 },
          { expectedVersion: 1 },
          { expectedVersion: 1, status: 'CLOSED' },
          { expectedVersion: 1, endsAt: new Date(Date.now() - 60_000).toISOString() },
          { expectedVersion: 1, endsAt: new Date(Date.now() - 48 * hour).toISOString() },
          { expectedVersion: 1, stockTopUps: [{ prizeId: 'nowhere', add: 1 }] },
          { expectedVersion: 1, stockTopUps: [{ prizeId: 'thanks', add: 1 }] },
          { expectedVersion: 1, stockTopUps: [{ prizeId: 'gift', add: 1 }, { prizeId: 'gift', add: 2 }] },
          { expectedVersion: 1, stockTopUps: [{ prizeId: 'gift', add: 0 }] },
        ].map((body) => patch(drawId, body)),
      );
      const unknown = await patch('d-nowhere', { expectedVersion: 1, status: 'PAUSED' });
      const view = await adminView(drawId);

      // Assess
      expect(answers.map((a) => [a.status, a.body.code])).toEqual(answers.map(() => [400, 'VALIDATION_FAILED']));
      expect(answers.every((a) => a.headers['content-type'] === 'application/problem+json')).toBe(true);
      expect(answers[0]?.body.detail).toContain('fixed at creation');
      expect(answers[3]?.body.detail).toContain('set status ENDED');
      expect(answers[4]?.body.detail).toContain('after the draw');
      expect(answers[6]?.body.detail).toContain('unlimited');
      expect(answers[7]?.body.detail).toContain('appears twice');
      expect(unknown.status).toBe(404);
      expect(view).toMatchObject({ version: 1, operatorStatus: 'ACTIVE', history: [] });
      expect(view.prizes[0]).toMatchObject({ stock: 3, stockAdded: 0, stockLeft: 3 });
    });
  });

  describe('bad input', () => {
    const valid = {
      prizes: [
        { prizeId: 'nothing', name: 'Nothing', kind: 'NOTHING', weight: 1 },
        { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 1 },
      ],
    };

    it('refuses draws that could not work, as problem+json, and creates nothing', async () => {
      // Prepare
      const cappedPool = await gamesPool(1000, 10);
      const drawId = uniqueId('d-bad');
      const body = {
        drawId,
        name: 'Bad wheel',
        startsAt: new Date(Date.now() - hour).toISOString(),
        endsAt: new Date(Date.now() + hour).toISOString(),
        freeSpinsPerDay: 3,
        spinCostPoints: 10,
        maxSpinsPerDay: 5,
        consolationPrizeId: 'thanks',
        ...valid,
      };
      const points = (p: number) => ({ prizeId: 'pts', name: 'Points', kind: 'POINTS', points: p, weight: 1 });

      // Act
      const answers = await Promise.all(
        [
          { ...body, consolationPrizeId: 'nowhere' },
          { ...body, prizes: [valid.prizes[0], { ...valid.prizes[1], stock: 10 }] },
          { ...body, prizes: [points(5), valid.prizes[1]] },
          { ...body, maxSpinsPerDay: 2 },
          { ...body, poolId: 'pool-nowhere', activity: 'games', prizes: [points(5), valid.prizes[1]] },
          { ...body, poolId: cappedPool, activity: 'games', prizes: [points(20), valid.prizes[1]] },
          { ...body, poolId: cappedPool, activity: 'sharing', prizes: [points(5), valid.prizes[1]] },
          { ...body, prizes: [{ prizeId: 'gift', name: 'Gift', kind: 'GOODS', productId: 'p-nowhere', weight: 1 }, valid.prizes[1]] },
          { ...body, endsAt: new Date(Date.now() - 60_000).toISOString(), startsAt: new Date(Date.now() - hour).toISOString() },
        ].map((b) => api.call<{ code: string; detail: string }>('POST', '/v1/admin/draws', { token: admin, body: b })),
      );
      const stored = await db().send(new GetCommand({ TableName: tableName(), Key: keys.draw.definition(drawId), ConsistentRead: true }));

      // Assess
      expect(answers.map((a) => [a.status, a.body.code])).toEqual([
        [400, 'VALIDATION_FAILED'],
        [400, 'VALIDATION_FAILED'],
        [400, 'VALIDATION_FAILED'],
        [400, 'VALIDATION_FAILED'],
        [404, 'NOT_FOUND'],
        [400, 'VALIDATION_FAILED'],
        [400, 'VALIDATION_FAILED'],
        [404, 'NOT_FOUND'],
        [400, 'VALIDATION_FAILED'],
      ]);
      expect(answers.every((a) => a.headers['content-type'] === 'application/problem+json')).toBe(true);
      expect(answers[1]?.body.detail).toContain('unlimited stock');
      expect(answers[5]?.body.detail).toContain('daily cap of 10');
      expect(stored.Item).toBeUndefined();
    });

    it('refuses an existing draw id with 409 and leaves the first draw as it was', async () => {
      // Prepare
      const drawId = await newDraw(valid);

      // Act
      const again = await api.call('POST', '/v1/admin/draws', {
        token: admin,
        body: {
          drawId,
          name: 'Another wheel',
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + hour).toISOString(),
          freeSpinsPerDay: 9,
          spinCostPoints: 1,
          maxSpinsPerDay: 9,
          consolationPrizeId: 'thanks',
          ...valid,
        },
      });
      const read = await api.call<{ name: string }>('GET', `/v1/admin/draws/${drawId}`, { token: admin });

      // Assess
      expect(again.status).toBe(409);
      expect(read.body.name).toBe('Test wheel');
    });

    it('refuses spins without a key, on unknown or closed draws and by unregistered members, writing nothing', async () => {
      // Prepare
      const open = await newDraw(valid);
      const upcoming = await newDraw({ ...valid, startsAt: new Date(Date.now() + hour).toISOString() });
      const { memberId, token } = await member();
      const strangerId = uniqueId('unregistered');
      const stranger = await api.token('member', strangerId);
      const day = localDate(new Date());

      // Act
      const noKey = await api.call('POST', `/v1/draws/${open}/spins`, { token });
      const badKey = await api.call('POST', `/v1/draws/${open}/spins`, { token, headers: { 'idempotency-key': 'short' } });
      const unknown = await spin('d-nowhere', token, `unknown-${memberId}`);
      const closed = await spin(upcoming, token, `closed-${memberId}`);
      const unregistered = await spin(open, stranger, `stranger-${strangerId}`);
      const counters = await Promise.all(
        [
          keys.member.drawDay(memberId, open, day),
          keys.member.drawDay(memberId, upcoming, day),
          keys.member.drawDay(strangerId, open, day),
          keys.member.spin(strangerId, open, day, 1),
        ].map((Key) => db().send(new GetCommand({ TableName: tableName(), Key, ConsistentRead: true }))),
      );

      // Assess
      expect([noKey.status, noKey.body.code]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED']);
      expect([badKey.status, badKey.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
      expect([closed.status, closed.body.code]).toEqual([409, 'DRAW_CLOSED']);
      expect([unregistered.status, unregistered.body.code]).toEqual([404, 'NOT_FOUND']);
      expect(counters.map((c) => c.Item)).toEqual([undefined, undefined, undefined, undefined]);
      expect(await mySpins(open, token)).toEqual([]);
    });
  });
});
