/**
 * The console's reports from the real table stream of DynamoDB Local: the
 * daily points series with the liability at the end of each day, the report
 * per campaign, the expiry forecast after real earning, spending and expiry
 * runs, and the dashboard after a known set of actions. On a table of this
 * file's own, so the counters hold exactly what this file did; the figures
 * are checked against the ledger entries and wallets they come from.
 */
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalStreams } from '../../bin/local/streams.js';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { streamConsumers } from '../../lib/routes.js';
import { resetConfigForTests } from '../../shared/config/env.js';
import { bucketExpiresAt, liveBuckets, NEVER_EXPIRES } from '../../shared/domain/fifo.js';
import { shiftMonth, utcMonth } from '../../shared/domain/months.js';
import { daysFromTo, localDate, shiftDay } from '../../shared/domain/programme.js';
import { commit, type LedgerMove } from '../../shared/ledger/ledger.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { createProduct } from '../../shared/mall/catalogue.js';
import { applySupplierMessage } from '../../shared/mall/fulfilment.js';
import { placeOrder, readOrder } from '../../shared/mall/orders.js';
import { registerMember } from '../../shared/members/service.js';
import { TestApi, uniqueId } from '../support/api.js';

const tableName = `points-mall-dashboard-${ulid().toLowerCase()}`;
process.env.TABLE_NAME = tableName;
resetConfigForTests();
const endpoint = inject('dynamodbEndpoint');

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

let api: TestApi;
let admin: string;
let pos: string;
let streams: LocalStreams;
const errors: unknown[] = [];
/** Every member this file registers (the table holds no other). */
const members: string[] = [];

beforeAll(async () => {
  const client = localClient(endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  api = await TestApi.create();
  admin = await api.token('admin');
  pos = await api.registerStore('store1');
  // Only the reports' consumer: the outbox events written here (expiry, orders) need no bus.
  streams = new LocalStreams({ endpoint, tableName, consumers: streamConsumers.filter((c) => c.fn === 'reports'), onError: (_, error) => errors.push(error) });
});

afterAll(() => streams.stop());

async function newMember(prefix: string): Promise<string> {
  const memberId = uniqueId(prefix);
  await registerMember(memberId, {});
  members.push(memberId);
  return memberId;
}

async function get<T>(url: string): Promise<T> {
  const res = await api.call<T>('GET', url, { token: admin });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${res.text}`);
  return res.body;
}

/** Delivers the stream so far to the reports' consumer. */
async function settle(): Promise<void> {
  await streams.drain();
  expect(errors).toEqual([]);
}

const move = (memberId: string, type: LedgerMove['type'], points: number, extra: Partial<LedgerMove> = {}): LedgerMove => ({
  memberId,
  type,
  points,
  reason: `test ${type}`,
  ...extra,
});

/** This instant `back` days ago. */
function daysAgo(back: number): Date {
  return new Date(Date.now() - back * DAY);
}

async function purchase(memberId: string, sku: string, amountCents: number, paidAt = Date.now()) {
  const res = await api.call<{ pointsEarned: number; status: string }>('POST', '/v1/pos/purchases', {
    token: pos,
    body: { purchaseId: uniqueId('p'), memberId, storeId: 'store1', paidAt: iso(paidAt), lines: [{ sku, category: 'A', amountCents, quantity: 1 }] },
  });
  if (res.status !== 201) throw new Error(`purchase refused: ${res.text}`);
  return res.body;
}

/** The report's figures of a day, recomputed from the ledger entries of every member (the independent check). */
async function ledgerFigures(currency: string) {
  const byDay = new Map<string, { issued: number; redeemed: number; expired: number; net: number }>();
  for (const memberId of members) {
    for (const entry of await allLedgerEntries(memberId, currency)) {
      const day = localDate(new Date(entry.at));
      const f = byDay.get(day) ?? { issued: 0, redeemed: 0, expired: 0, net: 0 };
      if (entry.type === 'EARN' || entry.type === 'VEST' || (entry.type === 'ADJUST' && entry.points > 0)) f.issued += entry.points;
      if (entry.type === 'SPEND') f.redeemed += -entry.points;
      if (entry.type === 'CAPTURE') f.redeemed += -entry.heldDelta;
      if (entry.type === 'REFUND') f.redeemed -= entry.points;
      if (entry.type === 'EXPIRE') f.expired += -entry.points;
      f.net += entry.points + entry.heldDelta;
      byDay.set(day, f);
    }
  }
  return byDay;
}

/** What every wallet of a currency holds per live bucket (what the forecast must add up to). */
async function walletBuckets(currency: string): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  for (const memberId of members) {
    for (const { bucket, points } of liveBuckets(await getWallet(memberId, currency))) sums.set(bucket, (sums.get(bucket) ?? 0) + points);
  }
  return sums;
}

interface DailyReport {
  unitsPerYuan: number;
  totals: Record<string, number>;
  days: { day: string; issued: number; redeemed: number; expired: number; clawedBack: number; adjustedCredit: number; adjustedDebit: number; netChange: number; outstandingPoints: number; liabilityCents: number }[];
  outstanding: { points: number; liabilityCents: number };
}

describe('daily points report', () => {
  it('gives issued, redeemed, adjusted per day, and what members owned at the end of each day in money', async () => {
    // Prepare: partner miles (20 miles = 1 CNY), so no other test of this file touches the currency
    const member = await newMember('daily');
    const [d3, d2] = [daysAgo(3), daysAgo(2)];
    const bucket = shiftMonth(utcMonth(new Date()), 6);
    await commit({ moves: [move(member, 'EARN', 1000, { currency: 'partner-miles', bucket })], now: d3 });
    await commit({ moves: [move(member, 'SPEND', 200, { currency: 'partner-miles' })], now: d2 });
    await commit({ moves: [move(member, 'ADJUST', -50, { currency: 'partner-miles' })], now: d2 });
    await commit({ moves: [move(member, 'ADJUST', 30, { currency: 'partner-miles', bucket })], now: d2 });
    await settle();
    const today = localDate(new Date());
    const [day3, day2] = [localDate(d3), localDate(d2)];

    // Act
    const r = await get<DailyReport>(`/v1/admin/reports/points/daily?currency=partner-miles&from=${shiftDay(day3, -1)}&to=${today}`);

    // Assess
    expect(r.days.map((d) => d.day)).toEqual(daysFromTo(shiftDay(day3, -1), today));
    const row = (day: string) => r.days.find((d) => d.day === day);
    expect(row(shiftDay(day3, -1))).toMatchObject({ issued: 0, outstandingPoints: 0, liabilityCents: 0 });
    expect(row(day3)).toMatchObject({ issued: 1000, redeemed: 0, netChange: 1000, outstandingPoints: 1000, liabilityCents: 5000 });
    expect(row(day2)).toMatchObject({ issued: 30, redeemed: 200, clawedBack: 50, adjustedCredit: 30, adjustedDebit: 50, netChange: -220, outstandingPoints: 780, liabilityCents: 3900 });
    expect(row(today)).toMatchObject({ issued: 0, outstandingPoints: 780, liabilityCents: 3900 });
    expect(r.totals).toMatchObject({ issued: 1030, redeemed: 200, adjustedCredit: 30, adjustedDebit: 50, netChange: 780 });
    expect(r.outstanding).toEqual({ points: 780, liabilityCents: 3900, countedThrough: expect.any(String) });
    expect(r.unitsPerYuan).toBe(20);

    // A range that ends before the last change still ends each day right: the day after day3 owned 1000 until day2.
    const earlier = await get<DailyReport>(`/v1/admin/reports/points/daily?currency=partner-miles&from=${day3}&to=${day3}`);
    expect(earlier.days).toEqual([expect.objectContaining({ day: day3, outstandingPoints: 1000 })]);
  });

  it('refuses more than 366 days, from after to, and an unknown currency with 400', async () => {
    // Act
    const answers = await Promise.all(
      [
        '/v1/admin/reports/points/daily?from=2025-01-01&to=2026-01-02',
        '/v1/admin/reports/points/daily?from=2026-01-02&to=2026-01-01',
        '/v1/admin/reports/points/daily?currency=no-such-currency',
        '/v1/admin/reports/points/daily?from=2026-02-30',
      ].map((url) => api.call<{ code: string }>('GET', url, { token: admin })),
    );

    // Assess
    expect(answers.map((a) => [a.status, a.body.code])).toEqual(Array(4).fill([400, 'VALIDATION_FAILED']));
  });
});

describe('points report per campaign', () => {
  it('lists the campaigns of a range with the points each issued per day, paged', async () => {
    // Prepare: one running (purchases 30 h ago and now), one ended two days ago (a purchase while it ran),
    // one not yet started and one long over (both outside the range)
    const now = Date.now();
    const launch = async (name: string, startsAt: number, endsAt: number) => {
      const sku = uniqueId('sku');
      const res = await api.call<{ campaignId: string }>('POST', '/v1/admin/campaigns', {
        token: admin,
        body: { name, effect: { kind: 'bonus', points: 100 }, schedule: { startsAt: iso(startsAt), endsAt: iso(endsAt) }, targets: { skus: [sku] }, budgetPoints: 5000 },
      });
      expect(res.status, res.text).toBe(201);
      return { campaignId: res.body.campaignId, sku };
    };
    const running = await launch('Running', now - 5 * DAY, now + 30 * DAY);
    const scheduled = await launch('Scheduled', now + 10 * DAY, now + 20 * DAY);
    const ended = await launch('Ended', now - 10 * DAY, now - 2 * DAY);
    await launch('Long over', now - 90 * DAY, now - 60 * DAY);
    const buyer = await newMember('camp');
    const [t1, t2, t3] = [now - 30 * HOUR, now - 60_000, now - 3 * DAY];
    // The oldest first: each function instance caches the campaigns open at its first purchase's paidAt for 30 s.
    await purchase(buyer, ended.sku, 5_000, t3);
    await purchase(buyer, running.sku, 10_000, t1);
    await purchase(buyer, running.sku, 20_000, t2);
    const today = localDate(new Date(now));
    const from = shiftDay(today, -6);

    // Act
    type Row = { campaignId: string; state: string; budgetUsed: number; totals: Record<string, number>; days: { bucket: string; pointsIssued: number; purchases: number; participants: number }[] };
    const whole = await get<{ items: Row[]; nextCursor: string | null; from: string; to: string }>(`/v1/admin/reports/campaigns?from=${from}&to=${today}`);
    const pages: Row[][] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Row[]; nextCursor: string | null } = await get(`/v1/admin/reports/campaigns?from=${from}&to=${today}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      pages.push(page.items);
      cursor = page.nextCursor;
    } while (cursor);

    // Assess: the running campaign first (latest ending), then the ended one; the others are outside the range
    expect(whole.items.map((c) => [c.campaignId, c.state])).toEqual([
      [running.campaignId, 'running'],
      [ended.campaignId, 'ended'],
    ]);
    expect(pages.flat().map((c) => c.campaignId)).toEqual([running.campaignId, ended.campaignId]);
    expect(whole.items.map((c) => c.campaignId)).not.toContain(scheduled.campaignId);
    const [run, over] = whole.items as [Row, Row];
    expect(run.days.map((d) => d.bucket)).toEqual(daysFromTo(from, today));
    expect(run.totals).toEqual({ participants: 1, pointsIssued: 200, purchases: 2, salesCents: 30_000 });
    expect(run.budgetUsed).toBe(200);
    const day = (row: Row, t: number) => row.days.filter((d) => d.bucket === localDate(new Date(t)));
    expect(day(run, t2)[0]?.pointsIssued).toBe(localDate(new Date(t1)) === localDate(new Date(t2)) ? 200 : 100);
    expect(day(over, t3)).toEqual([{ bucket: localDate(new Date(t3)), participants: 1, pointsIssued: 100, purchases: 1, salesCents: 5_000 }]);
  });

  it('refuses a range over 31 days with 400', async () => {
    // Act
    const res = await api.call<{ code: string }>('GET', '/v1/admin/reports/campaigns?from=2026-01-01&to=2026-03-01', { token: admin });

    // Assess
    expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

interface Forecast {
  months: { bucket: string; expiresAt: string; points: number; valueCents: number }[];
  overdue: number;
  later: number;
  neverExpires: number;
  total: number;
}

/** The forecast must equal what the wallets' live buckets hold, month by month. */
async function expectForecastMatchesWallets(forecast: Forecast): Promise<void> {
  const wallets = await walletBuckets('points');
  const first = utcMonth(new Date());
  const last = shiftMonth(first, 11);
  for (const month of forecast.months) expect({ bucket: month.bucket, points: month.points }).toEqual({ bucket: month.bucket, points: wallets.get(month.bucket) ?? 0 });
  const sum = (keep: (bucket: string) => boolean) => [...wallets].filter(([b]) => keep(b)).reduce((s, [, p]) => s + p, 0);
  expect(forecast.overdue).toBe(sum((b) => b < first));
  expect(forecast.later).toBe(sum((b) => b > last && b !== NEVER_EXPIRES));
  expect(forecast.neverExpires).toBe(wallets.get(NEVER_EXPIRES) ?? 0);
  expect(forecast.total).toBe(sum(() => true));
}

describe('expiry forecast', () => {
  it('follows earning, spending, a hold and an expiry run, month by month, without reading a wallet', async () => {
    // Prepare: points in last month's bucket (due), this month's and the month after next
    const member = await newMember('forecast');
    const m0 = utcMonth(new Date());
    await commit({ moves: [move(member, 'EARN', 300, { bucket: shiftMonth(m0, -1) }), move(member, 'EARN', 100, { bucket: m0 }), move(member, 'EARN', 200, { bucket: shiftMonth(m0, 2) })] });
    // A POS purchase: the default rules credit 12 months ahead, beyond the forecast's 12 months
    const earned = await purchase(member, 'sku-forecast', 5_000);
    // A checkout redemption of 120 points takes them from the soonest bucket, last month's
    const code = await api.paymentCode(member);
    const spent = await api.call('POST', '/v1/pos/redemptions', { token: pos, body: { redemptionId: uniqueId('rd'), memberId: member, points: 120, paymentCode: code } });
    expect(spent.status, spent.text).toBe(201);
    await settle();

    // Act
    const before = await get<Forecast>('/v1/admin/reports/expiry-forecast');

    // Assess
    expect(before.months.map((m) => m.bucket)).toEqual(Array.from({ length: 12 }, (_, i) => shiftMonth(m0, i)));
    expect(before.months[0]).toEqual({ bucket: m0, expiresAt: bucketExpiresAt(m0), points: 100, valueCents: 100 });
    expect(before.months[2]?.points).toBe(200);
    expect(before.overdue).toBe(180);
    expect(before.later).toBeGreaterThanOrEqual(earned.pointsEarned);
    await expectForecastMatchesWallets(before);

    // Act: the expiry job removes what is left of last month's bucket; a spend and a hold take this month's and part of the next
    const job = await api.call<{ stats: { pointsExpired: number } }>('POST', '/v1/admin/jobs/expiry', { token: admin });
    expect(job.status, job.text).toBe(200);
    expect(job.body.stats.pointsExpired).toBe(180);
    await commit({ moves: [move(member, 'SPEND', 150)] });
    await commit({ moves: [move(member, 'HOLD', 20)] });
    await settle();
    const after = await get<Forecast>('/v1/admin/reports/expiry-forecast');

    // Assess
    expect(after.overdue).toBe(0);
    expect(after.months[0]?.points).toBe(0);
    expect(after.months[2]?.points).toBe(130);
    await expectForecastMatchesWallets(after);

    // Act: the hold released comes back to the bucket it came from
    await commit({ moves: [move(member, 'RELEASE', 20, { bucket: shiftMonth(m0, 12) })] });
    await settle();

    // Assess
    expect((await get<Forecast>('/v1/admin/reports/expiry-forecast')).months[2]?.points).toBe(150);
  });

  it('counts each wallet change once when the stream delivers it again', async () => {
    // Prepare: a second poller from the stream's start delivers every record again
    const again = new LocalStreams({ endpoint, tableName, consumers: streamConsumers.filter((c) => c.fn === 'reports'), onError: (_, error) => errors.push(error) });

    // Act
    await again.drain();
    again.stop();
    await settle();

    // Assess
    await expectForecastMatchesWallets(await get<Forecast>('/v1/admin/reports/expiry-forecast'));
  });
});

interface Dashboard {
  timezone: string;
  today: { day: string; issued: number; redeemed: number; expired: number };
  outstanding: { points: number; liabilityCents: number };
  days: { day: string; issued: number; redeemed: number; expired: number; outstandingPoints: number; liabilityCents: number }[];
  runningCampaigns: { items: { name: string; budgetPoints: number | null; budgetUsed: number }[]; more: boolean };
  attention: Record<string, number | null>;
}

describe('dashboard', () => {
  it("shows today's figures, 30 days of them, the running campaigns' budget burn and what needs attention", async () => {
    // Prepare: a purchase held for review (over the default amount threshold)
    const reviewed = await newMember('review');
    const held = await purchase(reviewed, 'sku-tv', 6_000_000);
    expect(held.status).toBe('PENDING_REVIEW');
    // An order the supplier rejects (its points come back), and a callback for an order that does not exist (parked)
    const shopper = await newMember('shopper');
    await commit({ moves: [move(shopper, 'EARN', 10_000, { bucket: shiftMonth(utcMonth(new Date()), 12) })] });
    const product = await createProduct({
      productId: uniqueId('p'),
      name: 'Headphones (JD)',
      description: '',
      type: 'SUPPLIER',
      zone: 'main',
      pricePoints: 5000,
      pointsCash: null,
      visibleToTiers: null,
      limits: { perDay: null, lifetime: null },
      saleStartsAt: null,
      saleEndsAt: null,
      supplier: { supplierId: 'jd', sku: '100012043978' },
      couponTemplateId: null,
      status: 'ACTIVE',
      sortOrder: 1,
      stockShards: 1,
      initialStock: 5,
    });
    const placed = await placeOrder({ memberId: shopper, productId: product.productId, quantity: 1, payment: 'POINTS', idempotency: { scope: 'test', key: ulid(), fingerprint: 'f' } });
    const orderId = String((placed.response?.body as { orderId: string }).orderId);
    expect(await applySupplierMessage({ sender: 'jd', messageId: uniqueId('m'), orderId, status: 'REJECTED' })).toBe('applied');
    expect((await readOrder(orderId))?.status).toBe('REJECTED');
    expect(await applySupplierMessage({ sender: 'jd', messageId: uniqueId('m'), orderId: 'o-no-such-order', status: 'SHIPPED' })).toBe('parked');
    await settle();

    // Act
    const dash = await get<Dashboard>('/v1/admin/dashboard');

    // Assess: every figure as the ledger and the wallets have it
    const today = localDate(new Date());
    const ledger = await ledgerFigures('points');
    const expected = ledger.get(today) ?? { issued: 0, redeemed: 0, expired: 0 };
    expect(dash.today).toEqual({ day: today, issued: expected.issued, redeemed: expected.redeemed, expired: expected.expired });
    expect(dash.today.expired).toBe(180);
    let owned = 0;
    for (const memberId of members) {
      const wallet = await getWallet(memberId, 'points');
      owned += wallet.available + wallet.held;
    }
    // 100 points = 1 CNY by default: a point is a cent
    expect(dash.outstanding).toMatchObject({ points: owned, liabilityCents: owned });
    expect(dash.days.map((d) => d.day)).toEqual(daysFromTo(shiftDay(today, -29), today));
    let end = owned;
    for (const day of [...dash.days].reverse()) {
      const figures = ledger.get(day.day) ?? { issued: 0, redeemed: 0, expired: 0, net: 0 };
      expect(day).toEqual({ day: day.day, issued: figures.issued, redeemed: figures.redeemed, expired: figures.expired, outstandingPoints: end, liabilityCents: end });
      end -= figures.net;
    }
    expect(dash.runningCampaigns).toEqual({ items: [expect.objectContaining({ name: 'Running', budgetPoints: 5000, budgetUsed: 200 })], more: false });
    expect(dash.attention).toEqual({ purchasesAwaitingReview: 1, adjustmentsAwaitingApproval: 0, failedFulfilments: 1, parkedMessages: 1, deadLetters: 0 });
  });
});
