/**
 * Campaigns as the operator console reads them: the list filtered by state
 * (with budget used) and paged, and the stats as hourly and daily series.
 * On a table of this file's own, so the campaign list holds only the
 * campaigns made here.
 */
import { ulid } from 'ulid';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { daysFromTo, localDate, localHour, shiftDay } from '../../shared/domain/programme.js';
import { registerMember } from '../../shared/members/service.js';
import { TestApi, uniqueId } from '../support/api.js';

const tableName = `points-mall-campaign-series-${ulid().toLowerCase()}`;
process.env.TABLE_NAME = tableName;
resetConfigForTests();
const endpoint = inject('dynamodbEndpoint');

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

let api: TestApi;
let admin: string;
let pos: string;

beforeAll(async () => {
  const client = localClient(endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  api = await TestApi.create();
  admin = await api.token('admin');
  pos = await api.registerStore('store1');
});

interface ListItem {
  campaignId: string;
  name: string;
  state: string;
  budgetPoints: number | null;
  budgetUsed: number;
  activeNow: boolean;
}

interface Bucket {
  bucket: string;
  participants: number;
  pointsIssued: number;
  purchases: number;
  salesCents: number;
}

/** A bonus campaign on a SKU of its own: `points` per purchase. */
async function launch(name: string, schedule: { startsAt: string; endsAt: string }, extra: Record<string, unknown> = {}) {
  const sku = uniqueId('sku');
  const res = await api.call<{ campaignId: string }>('POST', '/v1/admin/campaigns', {
    token: admin,
    body: { name, effect: { kind: 'bonus', points: 100 }, schedule, targets: { skus: [sku] }, ...extra },
  });
  if (res.status !== 201) throw new Error(`campaign not created: ${res.text}`);
  return { campaignId: res.body.campaignId, sku };
}

async function buy(memberId: string, sku: string, amountCents: number, paidAt: number) {
  const res = await api.call<{ breakdown: { rule: string; points: number }[] }>('POST', '/v1/pos/purchases', {
    token: pos,
    body: { purchaseId: uniqueId('p'), memberId, storeId: 'store1', paidAt: iso(paidAt), lines: [{ sku, category: 'A', amountCents, quantity: 1 }] },
  });
  if (res.status !== 201) throw new Error(`purchase refused: ${res.text}`);
  return res.body;
}

async function newMember(): Promise<string> {
  const memberId = uniqueId('cs');
  await registerMember(memberId, {});
  return memberId;
}

/** Every page of a list, following nextCursor. */
async function allPages(url: string, limit: number): Promise<{ pages: ListItem[][]; items: ListItem[] }> {
  const pages: ListItem[][] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; text: string; body: { items: ListItem[]; nextCursor: string | null } } = await api.call('GET', `${url}${url.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      token: admin,
    });
    expect(res.status, res.text).toBe(200);
    pages.push(res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return { pages, items: pages.flat() };
}

describe('campaign list by state', () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const now = Date.now();
    const running = { startsAt: iso(now - DAY), endsAt: iso(now + 30 * DAY) };
    ids.ended = (await launch('Ended campaign', { startsAt: '2020-01-01T00:00:00Z', endsAt: '2020-02-01T00:00:00Z' })).campaignId;
    ids.scheduled = (await launch('Scheduled campaign', { startsAt: iso(now + 10 * DAY), endsAt: iso(now + 20 * DAY) })).campaignId;
    ids.paused = (await launch('Paused campaign', running, { status: 'PAUSED' })).campaignId;
    const withBudget = await launch('Budgeted campaign', { ...running, endsAt: iso(now + 31 * DAY) }, { budgetPoints: 1000 });
    ids.running = withBudget.campaignId;
    const small = await launch('Small budget', { ...running, endsAt: iso(now + 32 * DAY) }, { budgetPoints: 100 });
    ids.exhausted = small.campaignId;
    const member = await newMember();
    await buy(member, withBudget.sku, 5000, now - HOUR);
    await buy(member, small.sku, 5000, now - HOUR);
  });

  it('answers every campaign with its state now and its budget used, latest ending first', async () => {
    // Act
    const { items } = await allPages('/v1/admin/campaigns', 100);

    // Assess
    expect(items.map((c) => [c.name, c.state])).toEqual([
      ['Small budget', 'budget-exhausted'],
      ['Budgeted campaign', 'running'],
      ['Paused campaign', 'paused'],
      ['Scheduled campaign', 'scheduled'],
      ['Ended campaign', 'ended'],
    ]);
    expect(items.find((c) => c.campaignId === ids.running)).toMatchObject({ budgetPoints: 1000, budgetUsed: 100, activeNow: true });
    expect(items.find((c) => c.campaignId === ids.exhausted)).toMatchObject({ budgetPoints: 100, budgetUsed: 100, activeNow: true });
    expect(items.find((c) => c.campaignId === ids.paused)).toMatchObject({ budgetUsed: 0, activeNow: false });
  });

  it.each([
    ['running', 'running'],
    ['scheduled', 'scheduled'],
    ['paused', 'paused'],
    ['budget-exhausted', 'exhausted'],
    ['ended', 'ended'],
  ])('filters on state=%s', async (state, which) => {
    // Act
    const { items } = await allPages(`/v1/admin/campaigns?state=${state}`, 20);

    // Assess
    expect(items.map((c) => c.campaignId)).toEqual([ids[which]]);
    expect(items[0]?.state).toBe(state);
  });

  it('pages a state filter with cursors: every campaign in the state once, in order', async () => {
    // Prepare: three more running campaigns among the others
    const now = Date.now();
    const more = [];
    for (const days of [5, 15, 25]) more.push((await launch(`Running ${days}`, { startsAt: iso(now - DAY), endsAt: iso(now + days * DAY) })).campaignId);

    // Act
    const { pages, items } = await allPages('/v1/admin/campaigns?state=running', 1);
    const unfiltered = await allPages('/v1/admin/campaigns', 2);

    // Assess: latest ending first (31, 25, 15, 5 days), one a page
    expect(items.map((c) => c.campaignId)).toEqual([ids.running, more[2], more[1], more[0]]);
    expect(pages.slice(0, 4).every((p) => p.length === 1)).toBe(true);
    expect(new Set(unfiltered.items.map((c) => c.campaignId)).size).toBe(8);
    expect(unfiltered.items).toHaveLength(8);
  });

  it('refuses an unknown state with 400', async () => {
    // Act
    const res = await api.call<{ code: string }>('GET', '/v1/admin/campaigns?state=finished', { token: admin });

    // Assess
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('campaign stats as a time series', () => {
  it('gives participants, points, purchases and sales per hour and per day of the purchases', async () => {
    // Prepare: purchases in three different hours, on two programme days (30 h ago, 28 h ago, and now)
    const now = Date.now();
    const { campaignId, sku } = await launch('Series campaign', { startsAt: iso(now - 3 * DAY), endsAt: iso(now + 10 * DAY) }, { budgetPoints: 10_000 });
    const [alice, bob] = [await newMember(), await newMember()];
    const t1 = now - 30 * HOUR;
    const t2 = now - 28 * HOUR;
    const t3 = now - 60_000;
    await buy(alice, sku, 10_000, t1);
    await buy(bob, sku, 20_000, t1);
    await buy(alice, sku, 5_000, t2);
    await buy(bob, sku, 1_000, t3);
    const from = localDate(new Date(t1));
    const to = localDate(new Date(t3));

    // Act
    const hourly = await api.call<{ pointsIssued: number; purchases: number; state: string; budgetLeft: number; series: { granularity: string; from: string; to: string; buckets: Bucket[] } }>(
      'GET',
      `/v1/admin/campaigns/${campaignId}/stats?granularity=hour&from=${from}&to=${to}`,
      { token: admin },
    );
    const daily = await api.call<{ series: { buckets: Bucket[] } }>('GET', `/v1/admin/campaigns/${campaignId}/stats?granularity=day`, { token: admin });
    const totalsOnly = await api.call<Record<string, unknown>>('GET', `/v1/admin/campaigns/${campaignId}/stats`, { token: admin });

    // Assess: totals as before, and the state
    expect(hourly.status, hourly.text).toBe(200);
    expect(hourly.body).toMatchObject({ pointsIssued: 400, purchases: 4, budgetLeft: 9_600, state: 'running' });
    expect(totalsOnly.body.series).toBeUndefined();
    expect(totalsOnly.body).toMatchObject({ participants: 2, pointsIssued: 400, salesCents: 36_000 });

    // Hourly: every hour of the days, the three hours with purchases as bought
    const hours = hourly.body.series.buckets;
    expect(hourly.body.series).toMatchObject({ granularity: 'hour', from, to });
    expect(hours).toHaveLength(24 * daysFromTo(from, to).length);
    const hour = (t: number) => hours.find((b) => b.bucket === localHour(new Date(t)));
    expect(hour(t1)).toMatchObject({ participants: 2, pointsIssued: 200, purchases: 2, salesCents: 30_000 });
    expect(hour(t2)).toMatchObject({ participants: 0, pointsIssued: 100, purchases: 1, salesCents: 5_000 });
    expect(hour(t3)).toMatchObject({ participants: 0, pointsIssued: 100, purchases: 1, salesCents: 1_000 });
    expect(hours.reduce((sum, b) => sum + b.pointsIssued, 0)).toBe(400);

    // Daily, default range: the campaign's first day to today
    const days = daily.body.series.buckets;
    expect(days.map((d) => d.bucket)).toEqual([3, 2, 1, 0].map((back) => shiftDay(localDate(new Date(now)), -back)));
    const day = (t: number) => days.find((b) => b.bucket === localDate(new Date(t)));
    const sameDay = localDate(new Date(t1)) === localDate(new Date(t2));
    expect(day(t1)?.pointsIssued).toBe(sameDay ? 300 : 200);
    expect(day(t3)?.purchases).toBe(localDate(new Date(t2)) === localDate(new Date(t3)) ? 2 : 1);
    expect(days.reduce((sum, b) => sum + b.participants, 0)).toBe(2);
    expect(days.reduce((sum, b) => sum + b.salesCents, 0)).toBe(36_000);
  });

  it('refuses an hourly series over more than 31 days, and from after to, with 400', async () => {
    // Prepare
    const { campaignId } = await launch('Long campaign', { startsAt: '2026-01-01T00:00:00Z', endsAt: '2027-01-01T00:00:00Z' });

    // Act
    const tooLong = await api.call<{ code: string; detail: string }>('GET', `/v1/admin/campaigns/${campaignId}/stats?granularity=hour&from=2026-01-01&to=2026-03-01`, { token: admin });
    const reversed = await api.call<{ code: string }>('GET', `/v1/admin/campaigns/${campaignId}/stats?granularity=day&from=2026-03-01&to=2026-01-01`, { token: admin });
    const yearly = await api.call<{ series: { buckets: Bucket[] } }>('GET', `/v1/admin/campaigns/${campaignId}/stats?granularity=day&from=2026-01-01&to=2026-12-31`, { token: admin });

    // Assess
    expect([tooLong.status, tooLong.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(tooLong.body.detail).toMatch(/at most 31 days/);
    expect([reversed.status, reversed.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(yearly.body.series.buckets).toHaveLength(365);
  });
});
