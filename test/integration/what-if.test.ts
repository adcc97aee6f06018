/**
 * Previews of unsaved changes and what-if replays over recorded purchases,
 * driven through the API and the real table stream of DynamoDB Local. This
 * file uses a table of its own (with the stream), so a replay's period holds
 * exactly the purchases recorded here; each test uses its own days.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ulid } from 'ulid';
import { seedDemoData } from '../../bin/local/seed.js';
import { seedPastPurchases } from '../../bin/local/seed-purchases.js';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { LocalStreams } from '../../bin/local/streams.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { calculateEarning, type PurchaseLine } from '../../shared/domain/earning.js';
import { addDays } from '../../shared/domain/draws.js';
import { pointValueCents } from '../../shared/domain/point-value.js';
import { localDate } from '../../shared/domain/programme.js';
import { runReplaySegment } from '../../shared/earning/what-if.js';
import { defaultEarningRules } from '../../shared/earning/rules-store.js';
import { registerMember } from '../../shared/members/service.js';
import { dbCallCounts, resetDbCallCounts } from '../../shared/table/client.js';
import { TestApi, uniqueId } from '../support/api.js';

// Modules read the table name at first use, so switching before any call is enough.
const tableName = `points-mall-what-if-${ulid().toLowerCase()}`;
process.env.TABLE_NAME = tableName;
resetConfigForTests();
const endpoint = inject('dynamodbEndpoint');

let api: TestApi;
let admin: string;
let pos: string;
let streams: LocalStreams;
const streamErrors: unknown[] = [];
const STORE = 'store-what-if';
const today = localDate(new Date());
/** A programme day `n` days ago. */
const daysAgo = (n: number) => addDays(today, -n);
/** An instant on a programme day (Asia/Shanghai: 04:00 UTC is noon), plus `minutes`. */
const on = (day: string, minutes = 0) => new Date(Date.parse(`${day}T04:00:00Z`) + minutes * 60_000).toISOString();
/** The first instant of a programme day (Asia/Shanghai midnight). */
const startOf = (day: string) => new Date(Date.parse(`${day}T00:00:00+08:00`)).toISOString();

interface Breakdown {
  rule: string;
  points: number;
}
interface Preview {
  points: number;
  breakdown: Breakdown[];
  rulesVersion: number;
  current?: { points: number; breakdown: Breakdown[] };
  draft?: { points: number; breakdown: Breakdown[]; differencePoints: number; draftCampaignApplies?: boolean };
}
interface Figures {
  purchases: number;
  actualPoints: number;
  draftPoints: number;
  differencePoints: number;
  actualValueCents: number;
  draftValueCents: number;
  costCents: number;
}
interface Replay {
  replayId: string;
  state: 'QUEUED' | 'RUNNING' | 'DONE' | 'FAILED';
  progress: { daysDone: number; days: number; purchasesReplayed: number };
  error: string | null;
  result:
    | (Figures & {
        pointsPerYuan: number;
        draftPointsPerYuan: number;
        liability: { outstandingPoints: number; beforeCents: number; afterCents: number; changeCents: number };
        draftCampaign: { pointsPaid: number; budgetPoints: number | null; budgetLeft: number | null } | null;
        days: (Figures & { day: string })[];
      })
    | null;
}

beforeAll(async () => {
  const client = localClient(endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  api = await TestApi.create();
  admin = await api.token('admin');
  pos = await api.registerStore(STORE);
  streams = new LocalStreams({ endpoint, tableName, onError: (_, error) => streamErrors.push(error) });
});

afterAll(() => streams.stop());

afterEach(() => {
  delete process.env.WHAT_IF_SHARD_PAGE;
  delete process.env.WHAT_IF_SEGMENT_PAGES;
});

const line = (category: string, yuan: number, sku = `sku-${category.toLowerCase()}`): PurchaseLine => ({ sku, category, amountCents: yuan * 100, quantity: 1 });

async function buy(memberId: string, paidAt: string, lines: readonly PurchaseLine[]) {
  const res = await api.call<{ pointsEarned: number }>('POST', '/v1/pos/purchases', {
    token: pos,
    body: { purchaseId: uniqueId('p-wi'), memberId, storeId: STORE, paidAt, lines },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.pointsEarned;
}

async function preview(body: Record<string, unknown>): Promise<Preview> {
  const res = await api.call<Preview>('POST', '/v1/admin/earning-previews', { token: admin, body });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function startReplay(body: Record<string, unknown>): Promise<Replay> {
  const res = await api.call<Replay>('POST', '/v1/admin/what-if-replays', { token: admin, body });
  expect(res.status, res.text).toBe(202);
  return res.body;
}

async function replay(replayId: string): Promise<Replay> {
  const res = await api.call<Replay>('GET', `/v1/admin/what-if-replays/${replayId}`, { token: admin });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

/** Delivers the stream until nothing is left (a replay's hand-overs arrive as records too), then reads the replay. */
async function replayed(replayId: string): Promise<Replay> {
  await streams.drain();
  expect(streamErrors).toEqual([]);
  return replay(replayId);
}

/** Every rules field PUT takes, from the defaults, with changes. */
function draftRulesFrom(changes: Record<string, unknown>): Record<string, unknown> {
  const { version: _v, updatedAt: _u, updatedBy: _b, ...rules } = defaultEarningRules;
  return { ...rules, ...changes };
}

const doublePointsOnB = (startsAt: string, endsAt: string, extra: Record<string, unknown> = {}) => ({
  name: 'Double points on B (draft)',
  effect: { kind: 'multiplier', multiplier: 2 },
  schedule: { startsAt, endsAt, timezone: 'Asia/Shanghai' },
  audience: { kind: 'all' },
  targets: { categories: ['B'] },
  ...extra,
});

describe('earning previews of unsaved changes', () => {
  it('answers the current and the draft breakdown for draft rules', async () => {
    // Prepare
    const lines = [line('A', 300), line('B', 100)];
    const draftRules = draftRulesFrom({ bands: [{ overYuan: 0, rate: 2 }], categoryMultipliers: { B: 3 } });
    // Act
    const plain = await preview({ tier: 'gold', lines });
    const withDraft = await preview({ tier: 'gold', lines, draftRules });
    // Assess: the answer of today stays as it was; current and draft are added
    expect(plain.current).toBeUndefined();
    expect(plain.draft).toBeUndefined();
    expect({ points: withDraft.points, breakdown: withDraft.breakdown }).toEqual({ points: plain.points, breakdown: plain.breakdown });
    expect(withDraft.current).toEqual({ points: plain.points, breakdown: plain.breakdown });
    // 400 CNY at 2 points: 800 base; B's 200 tripled (+400); gold x1.5 on all (+600)
    expect(withDraft.draft?.points).toBe(1800);
    expect(withDraft.draft?.breakdown).toEqual([
      { rule: 'base', description: 'spend band rate', points: 800 },
      { rule: 'tier:gold', description: 'gold member x1.5', points: 600 },
      { rule: 'category:B', description: 'category B x3', points: 400 },
    ]);
    expect(withDraft.draft?.differencePoints).toBe(1800 - plain.points);
    expect(withDraft.draft?.draftCampaignApplies).toBeUndefined();
  });

  it('answers the draft campaign beside the campaigns in force, when it runs for the member', async () => {
    // Prepare
    const lines = [line('A', 100), line('B', 100)];
    const running = doublePointsOnB(new Date(Date.now() - 3600_000).toISOString(), new Date(Date.now() + 3600_000).toISOString());
    const later = doublePointsOnB(new Date(Date.now() + 86_400_000).toISOString(), new Date(Date.now() + 2 * 86_400_000).toISOString());
    const forGoldOnly = { ...running, audience: { kind: 'tiers', tiers: ['gold'] } };
    // Act
    const now = await preview({ lines, draftCampaign: running });
    const notYet = await preview({ lines, draftCampaign: later });
    const notForNormal = await preview({ lines, draftCampaign: forGoldOnly });
    // Assess: 100 A + 100 B x2 (category) = 300; the draft doubles B's 200: +200
    expect(now.current?.points).toBe(300);
    expect(now.draft).toMatchObject({ points: 500, differencePoints: 200, draftCampaignApplies: true });
    expect(now.draft?.breakdown.find((b) => b.rule === 'campaign:draft')?.points).toBe(200);
    expect(notYet.draft).toMatchObject({ points: 300, differencePoints: 0, draftCampaignApplies: false });
    expect(notForNormal.draft).toMatchObject({ points: 300, draftCampaignApplies: false });
  });

  it('refuses an invalid draft with 400 naming its fields', async () => {
    // Act
    const res = await api.call<{ errors: { path: string }[] }>('POST', '/v1/admin/earning-previews', {
      token: admin,
      body: { lines: [line('A', 1)], draftRules: { bands: [] }, draftCampaign: { name: 'x', effect: { kind: 'multiplier', multiplier: 1 } } },
    });
    // Assess
    expect(res.status).toBe(400);
    const paths = res.body.errors.map((e) => e.path);
    expect(paths.some((p) => p.startsWith('body.draftRules'))).toBe(true);
    expect(paths.some((p) => p.startsWith('body.draftCampaign'))).toBe(true);
  });
});

describe('what-if replays', () => {
  it('replays a draft double-points campaign: the extra points are exactly what the same campaign then really issues on the same baskets', async () => {
    // Prepare: purchases of a gold and a normal member over three past days, and one the day after
    const [from, mid, to, after] = [daysAgo(20), daysAgo(19), daysAgo(18), daysAgo(17)];
    const gold = uniqueId('m-wi-gold');
    await registerMember(gold, { tier: 'gold' });
    const { memberId: normal } = await api.newMember('m-wi-normal');
    const baskets: { memberId: string; paidAt: string; lines: PurchaseLine[] }[] = [
      { memberId: gold, paidAt: on(from, 5), lines: [line('B', 123), line('A', 45)] },
      { memberId: normal, paidAt: on(from, 7), lines: [line('B', 77)] },
      { memberId: gold, paidAt: on(mid), lines: [line('A', 60)] },
      { memberId: normal, paidAt: on(to, 1), lines: [line('B', 33), line('B', 21, 'sku-b2'), line('A', 10)] },
      { memberId: gold, paidAt: on(to, 600), lines: [line('B', 99)] },
    ];
    const first: number[] = [];
    for (const b of baskets) first.push(await buy(b.memberId, b.paidAt, b.lines));
    await buy(normal, on(after), [line('B', 500)]);
    const draftCampaign = doublePointsOnB(startOf(from), startOf(after));

    // Act: the replay, run by the stream consumer
    const queued = await startReplay({ from, to, draftCampaign });
    const before = await replay(queued.replayId);
    resetDbCallCounts();
    const done = await replayed(queued.replayId);
    const calls = dbCallCounts();

    // Then the same campaign, really created, and the same baskets recorded again at the same times
    const created = await api.call<{ campaignId: string }>('POST', '/v1/admin/campaigns', { token: admin, body: draftCampaign });
    expect(created.status, created.text).toBe(201);
    const again: number[] = [];
    for (const b of baskets) again.push(await buy(b.memberId, b.paidAt, b.lines));
    const stats = await api.call<{ pointsIssued: number; purchases: number }>('GET', `/v1/admin/campaigns/${created.body.campaignId}/stats`, { token: admin });

    // Assess
    expect(queued.state).toBe('QUEUED');
    expect(before.state).toBe('QUEUED');
    expect(done.state, done.error ?? '').toBe('DONE');
    const result = done.result!;
    const actual = first.reduce((s, p) => s + p, 0);
    const really = again.reduce((s, p) => s + p, 0);
    expect(result.purchases).toBe(baskets.length);
    expect(result.actualPoints).toBe(actual);
    expect(result.differencePoints).toBeGreaterThan(0);
    expect(result.draftPoints).toBe(really);
    expect(result.differencePoints).toBe(really - actual);
    expect(result.differencePoints).toBe(stats.body.pointsIssued);
    expect(result.draftCampaign).toEqual({ pointsPaid: stats.body.pointsIssued, budgetPoints: null, budgetLeft: null });
    // The point value in force: 100 points = 1 CNY
    expect(result.pointsPerYuan).toBe(100);
    expect(result.costCents).toBe(pointValueCents(result.differencePoints, 100));
    expect(result.liability.changeCents).toBe(result.liability.afterCents - result.liability.beforeCents);
    expect(result.liability.changeCents).toBe(result.costCents);
    // Per day: the three days of the period, in order, adding up to the period
    expect(result.days.map((d) => d.day)).toEqual([from, mid, to]);
    expect(result.days.map((d) => d.purchases)).toEqual([2, 1, 2]);
    expect(result.days[1]).toMatchObject({ actualPoints: first[2], draftPoints: first[2], differencePoints: 0, costCents: 0 });
    expect(result.days.reduce((s, d) => s + d.differencePoints, 0)).toBe(result.differencePoints);
    expect(done.progress).toEqual({ daysDone: 3, days: 3, purchasesReplayed: baskets.length });
    // Read through the index, never a scan
    expect(calls.byOperation.Scan ?? 0).toBe(0);
    expect(calls.byOperation.Query ?? 0).toBeGreaterThan(0);
  });

  it('replays draft rules with the same calculator, and values the points and the liability at the draft point value', async () => {
    // Prepare
    const [from, to] = [daysAgo(31), daysAgo(30)];
    const { memberId } = await api.newMember('m-wi-rules');
    const baskets = [[line('A', 101), line('B', 37)], [line('B', 250)], [line('A', 9)]];
    const actual: number[] = [];
    actual.push(await buy(memberId, on(from), baskets[0]!));
    actual.push(await buy(memberId, on(to, 3), baskets[1]!));
    actual.push(await buy(memberId, on(to, 9), baskets[2]!));
    const draftRules = draftRulesFrom({ bands: [{ overYuan: 0, rate: 1.3 }], categoryMultipliers: { B: 2.5 }, pointsPerYuan: 200 });
    const expected = baskets.map((lines) => calculateEarning({ rules: draftRules as never, tier: 'normal', lines }).points);

    // Act
    const { replayId } = await startReplay({ from, to, draftRules });
    const done = await replayed(replayId);

    // Assess
    expect(done.state, done.error ?? '').toBe('DONE');
    const result = done.result!;
    const draftPoints = expected.reduce((s, p) => s + p, 0);
    const actualPoints = actual.reduce((s, p) => s + p, 0);
    expect(result).toMatchObject({ purchases: 3, actualPoints, draftPoints, differencePoints: draftPoints - actualPoints, pointsPerYuan: 100, draftPointsPerYuan: 200 });
    expect(result.actualValueCents).toBe(pointValueCents(actualPoints, 100));
    expect(result.draftValueCents).toBe(pointValueCents(draftPoints, 200));
    expect(result.costCents).toBe(result.draftValueCents - result.actualValueCents);
    // Every point owed is revalued at the draft's value, not only the difference
    const owed = result.liability.outstandingPoints;
    expect(owed).toBeGreaterThanOrEqual(actualPoints);
    expect(result.liability).toEqual({
      outstandingPoints: owed,
      beforeCents: pointValueCents(owed, 100),
      afterCents: pointValueCents(owed + draftPoints - actualPoints, 200),
      changeCents: pointValueCents(owed + draftPoints - actualPoints, 200) - pointValueCents(owed, 100),
    });
    expect(result.draftCampaign).toBeNull();
  });

  it('works in small pages over several invocations and answers what one run answers', async () => {
    // Prepare: 12 purchases of 4 members over 3 days (they spread over the index shards)
    const [from, to] = [daysAgo(42), daysAgo(40)];
    const members = await Promise.all([1, 2, 3, 4].map(() => api.newMember('m-wi-page').then((m) => m.memberId)));
    for (let i = 0; i < 12; i += 1) await buy(members[i % 4]!, on(addDays(from, i % 3), i), [line(i % 2 ? 'B' : 'A', 10 + i * 7)]);
    const body = { from, to, draftCampaign: doublePointsOnB(startOf(from), startOf(addDays(to, 1))) };
    const whole = await replayed((await startReplay(body)).replayId);

    // Act: one purchase per shard and page, two pages per invocation
    process.env.WHAT_IF_SHARD_PAGE = '1';
    process.env.WHAT_IF_SEGMENT_PAGES = '2';
    const { replayId } = await startReplay(body);
    await streams.drain();
    const paged = await replay(replayId);

    // Assess
    expect(whole.state).toBe('DONE');
    expect(paged.state, paged.error ?? '').toBe('DONE');
    expect(paged.result).toEqual(whole.result);
    expect(paged.result?.purchases).toBe(12);
  });

  it('resumes where an interrupted run saved, and two runners at once count every purchase once', async () => {
    // Prepare
    const [from, to] = [daysAgo(46), daysAgo(45)];
    const { memberId } = await api.newMember('m-wi-resume');
    for (let i = 0; i < 6; i += 1) await buy(memberId, on(i < 3 ? from : to, i), [line('B', 20 + i)]);
    const body = { from, to, draftCampaign: doublePointsOnB(startOf(from), startOf(addDays(to, 1))) };
    const reference = await replayed((await startReplay(body)).replayId);
    // Two replays written, not yet delivered to the consumer
    const interrupted = await startReplay(body);
    const raced = await startReplay(body);

    // Act: a run that stops after one page (as if its invocation ended), then one that goes on; and two concurrent runners
    process.env.WHAT_IF_SHARD_PAGE = '1';
    process.env.WHAT_IF_SEGMENT_PAGES = '1';
    const firstRun = await runReplaySegment(interrupted.replayId, { stopAt: Date.now() + 60_000 });
    const halfway = await replay(interrupted.replayId);
    delete process.env.WHAT_IF_SEGMENT_PAGES;
    const secondRun = await runReplaySegment(interrupted.replayId, { stopAt: Date.now() + 60_000 });
    const outcomes = await Promise.all([1, 2].map(() => runReplaySegment(raced.replayId, { stopAt: Date.now() + 60_000 })));
    while ((await replay(raced.replayId)).state !== 'DONE') await runReplaySegment(raced.replayId, { stopAt: Date.now() + 60_000 });
    // The stream then delivers these replays' records: nothing is left to do
    await streams.drain();

    // Assess
    expect(firstRun).toBe('HANDED_OVER');
    expect(halfway.state).toBe('RUNNING');
    expect(halfway.progress.purchasesReplayed).toBeGreaterThan(0);
    expect(halfway.progress.purchasesReplayed).toBeLessThan(6);
    expect(secondRun).toBe('DONE');
    expect(outcomes).toContain('LOST_RACE');
    expect((await replay(interrupted.replayId)).result).toEqual(reference.result);
    expect((await replay(raced.replayId)).result).toEqual(reference.result);
  });

  it("spends the draft campaign's budget and per-member cap in time order", async () => {
    // Prepare: each purchase's B line would get +100 from the draft
    const [from, to] = [daysAgo(52), daysAgo(51)];
    const [a, b] = await Promise.all([api.newMember('m-wi-cap'), api.newMember('m-wi-cap')]).then((m) => m.map((x) => x.memberId));
    await buy(a!, on(from, 1), [line('B', 50)]);
    await buy(a!, on(from, 2), [line('B', 50)]);
    await buy(b!, on(from, 3), [line('B', 50)]);
    await buy(a!, on(to, 1), [line('B', 50)]);
    await buy(b!, on(to, 2), [line('B', 50)]);
    const draftCampaign = doublePointsOnB(startOf(from), startOf(addDays(to, 1)), { budgetPoints: 280, perMemberCap: 150 });

    // Act
    const done = await replayed((await startReplay({ from, to, draftCampaign })).replayId);

    // Assess: a gets 100 then 50 (its cap), b 100; the next day a nothing (cap), b the 30 left of the budget
    expect(done.state, done.error ?? '').toBe('DONE');
    expect(done.result?.draftCampaign).toEqual({ pointsPaid: 280, budgetPoints: 280, budgetLeft: 0 });
    expect(done.result?.differencePoints).toBe(280);
    expect(done.result?.days.map((d) => d.differencePoints)).toEqual([250, 30]);
  });

  it('refuses bad periods and a replay without a draft with 400, and writes nothing', async () => {
    // Prepare
    const draftCampaign = doublePointsOnB(startOf(daysAgo(3)), startOf(daysAgo(1)));
    const bad = [
      { from: daysAgo(2), to: daysAgo(3), draftCampaign },
      { from: daysAgo(100), to: daysAgo(1), draftCampaign },
      { from: daysAgo(3), to: daysAgo(1) },
      { from: daysAgo(1), to: addDays(today, 1), draftCampaign },
      { from: '2026-02-30', to: daysAgo(1), draftCampaign },
    ];
    const listBefore = await api.call<{ items: unknown[] }>('GET', '/v1/admin/what-if-replays?limit=100', { token: admin });

    // Act
    resetDbCallCounts();
    const answers = [];
    for (const body of bad) answers.push(await api.call<{ code: string; detail: string }>('POST', '/v1/admin/what-if-replays', { token: admin, body }));
    const writes = dbCallCounts().writes;
    const listAfter = await api.call<{ items: unknown[] }>('GET', '/v1/admin/what-if-replays?limit=100', { token: admin });

    // Assess
    for (const answer of answers) {
      expect(answer.status, answer.text).toBe(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.body.code).toBe('VALIDATION_FAILED');
    }
    expect(answers[0]!.body.detail).toMatch(/to must not be before from/);
    expect(answers[1]!.body.detail).toMatch(/at most 92 days/);
    expect(answers[2]!.body.detail).toMatch(/give draftRules, draftCampaign or both/);
    expect(answers[3]!.body.detail).toMatch(/after today/);
    expect(writes).toBe(0);
    expect(listAfter.body.items).toHaveLength(listBefore.body.items.length);
  });

  it('writes one replay for a double submit with one Idempotency-Key, with its audit record', async () => {
    // Prepare
    const body = { from: daysAgo(61), to: daysAgo(61), draftRules: draftRulesFrom({}) };
    const headers = { 'idempotency-key': `wi-${ulid()}` };
    // Act
    const first = await api.call<Replay>('POST', '/v1/admin/what-if-replays', { token: admin, body, headers });
    const again = await api.call<Replay>('POST', '/v1/admin/what-if-replays', { token: admin, body, headers });
    const trail = await api.call<{ items: { operation: string; target: string }[] }>('GET', `/v1/admin/audit?target=what-if-replay:${first.body.replayId}`, { token: admin });
    // Assess
    expect(first.status, first.text).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.replayId).toBe(first.body.replayId);
    expect(trail.body.items).toEqual([expect.objectContaining({ operation: 'createWhatIfReplay', target: `what-if-replay:${first.body.replayId}` })]);
  });

  it('answers 404 for an unknown replay and lists replays newest first', async () => {
    // Prepare
    const body = { from: daysAgo(60), to: daysAgo(60), draftRules: draftRulesFrom({}) };
    const older = await startReplay(body);
    const newer = await startReplay(body);
    // Act
    const unknown = await api.call<{ code: string }>('GET', '/v1/admin/what-if-replays/wi-unknown', { token: admin });
    const list = await api.call<{ items: Replay[]; nextCursor: string | null }>('GET', '/v1/admin/what-if-replays?limit=2', { token: admin });
    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
    expect(list.status).toBe(200);
    expect(list.body.items.map((r) => r.replayId)).toEqual([newer.replayId, older.replayId]);
    expect(list.body.nextCursor).not.toBeNull();
  });
});

// Last: the demo seed starts a campaign running from now, which the previews above must not meet.
describe('the demo seed', () => {
  it('records past purchases that a replay of the last days replays', async () => {
    // Prepare: the demo data; the days before this file's own purchases (the oldest of those is 17 days ago)
    await seedDemoData();
    const seeded = (await seedPastPurchases(new Date())).filter((p) => p.day >= daysAgo(16));
    const body = { from: daysAgo(16), to: daysAgo(1), draftCampaign: doublePointsOnB(startOf(daysAgo(16)), startOf(today)) };
    // Act
    const done = await replayed((await startReplay(body)).replayId);
    // Assess
    expect(seeded.length).toBeGreaterThan(5);
    expect(done.state, done.error ?? '').toBe('DONE');
    expect(done.result?.purchases).toBe(seeded.length);
    expect(done.result?.actualPoints).toBeGreaterThan(0);
    expect(done.result?.differencePoints).toBe(done.result?.draftCampaign?.pointsPaid);
  }, 120_000);
});
