/**
 * Points reports from the real table stream of DynamoDB Local. This file uses
 * a table of its own, so the reports count exactly the entries written here
 * (other test files write to the shared table at the same time).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ulid } from 'ulid';
import { resetConfigForTests } from '../../shared/config/env.js';
import { ensureTable, localClient } from '../../bin/local/table.js';
import { LocalStreams } from '../../bin/local/streams.js';
import { commit, type LedgerMove } from '../../shared/ledger/ledger.js';
import { registerMember } from '../../shared/members/service.js';
import { getWallet } from '../../shared/ledger/reader.js';
import { countLedgerEntries, type CountableEntry } from '../../shared/reports/points-report.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

// Modules read the table name at first use, so switching before any call is enough.
const tableName = `points-mall-reports-${ulid().toLowerCase()}`;
process.env.TABLE_NAME = tableName;
resetConfigForTests();
const endpoint = inject('dynamodbEndpoint');
let api: TestApi;
let admin: string;
let streams: LocalStreams;
const errors: unknown[] = [];

beforeAll(async () => {
  const client = localClient(endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  api = await TestApi.create();
  admin = await api.token('admin');
  streams = new LocalStreams({ endpoint, tableName, onError: (_, error) => errors.push(error) });
});

afterAll(() => streams.stop());

interface Report {
  totals: Record<string, number>;
  days: (Record<string, number> & { day: string })[];
  outstanding: { available: number; held: number; points: number; liabilityCents: number };
}

async function report(query: string): Promise<Report> {
  const response = await api.call<Report>('GET', `/v1/admin/reports/points?${query}`, { token: admin });
  expect(response.status, response.text).toBe(200);
  return response.body;
}

const move = (memberId: string, type: LedgerMove['type'], points: number, extra: Partial<LedgerMove> = {}): LedgerMove => ({
  memberId,
  type,
  points,
  reason: `test ${type}`,
  ...extra,
});

describe('points reports', () => {
  it('counts issued, redeemed, held and adjusted points per programme-local day, and the liability', async () => {
    const member = uniqueId('rep');
    await registerMember(member, {});
    // 2030-03-01 23:30 UTC is already 2 March in Asia/Shanghai.
    const day1 = new Date('2030-03-01T10:00:00Z');
    const day2 = new Date('2030-03-01T23:30:00Z');
    await commit({ moves: [move(member, 'EARN', 1000, { bucket: '2031-03' })], now: day1 });
    await commit({ moves: [move(member, 'SPEND', 300)], now: day1 });
    await commit({ moves: [move(member, 'HOLD', 200)], now: day2 });
    await commit({ moves: [move(member, 'CAPTURE', 150)], now: day2 });
    await commit({ moves: [move(member, 'RELEASE', 50, { bucket: '2031-03' })], now: day2 });
    await commit({ moves: [move(member, 'REFUND', 100, { bucket: '2031-03' })], now: day2 });
    await commit({ moves: [move(member, 'ADJUST', -20)], now: day2 });

    expect(await streams.drain()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    const r = await report('from=2030-03-01&to=2030-03-03');
    expect(r.days.map((d) => d.day)).toEqual(['2030-03-01', '2030-03-02', '2030-03-03']);
    expect(r.days[0]).toMatchObject({ issued: 1000, redeemed: 300, held: 0, netChange: 700, entries: 2 });
    // CAPTURE 150 + SPEND 0 - REFUND 100 = 50 redeemed; the hold of 200 is not spent until captured.
    expect(r.days[1]).toMatchObject({ issued: 0, redeemed: 50, held: 200, released: 50, clawedBack: 20, netChange: -150 + 100 - 20, entries: 5 });
    expect(r.days[2]).toMatchObject({ issued: 0, redeemed: 0, entries: 0 });
    expect(r.totals).toMatchObject({ issued: 1000, redeemed: 350, entries: 7 });

    const wallet = await getWallet(member, 'points');
    expect(r.outstanding).toMatchObject({ available: wallet.available, held: wallet.held, points: wallet.available + wallet.held });
    // The default points value: 100 points = 1 CNY, so one point is one cent.
    expect(r.outstanding.liabilityCents).toBe(wallet.available + wallet.held);
  });

  it('counts each entry once when the stream delivers it again, and under concurrent writers', async () => {
    const members = Array.from({ length: 10 }, () => uniqueId('rep-c'));
    const at = new Date('2030-04-10T04:00:00Z');
    for (const m of members) await registerMember(m, {});
    await Promise.all(members.map((m) => commit({ moves: [move(m, 'EARN', 500, { bucket: '2031-04' })], now: at })));
    // 200 concurrent requests: spends that may fail for lack of points, and more earning.
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => {
        const m = members[i % members.length] ?? '';
        return commit({ moves: [i % 3 === 0 ? move(m, 'EARN', 7, { bucket: '2031-04' }) : move(m, 'SPEND', 60)], now: at });
      }),
    );
    expect(results.some((r) => r.status === 'rejected')).toBe(true); // some spends ran out of points

    // A second poller starts at the stream's beginning: everything is delivered again, and must count once.
    const again = new LocalStreams({ endpoint, tableName, onError: (_, error) => errors.push(error) });
    await Promise.all([streams.drain(), again.drain()]);
    await again.drain();
    again.stop();
    expect(errors).toEqual([]);

    let available = 0;
    for (const m of members) {
      const { wallet } = await expectLedgerExplainsWallet(m);
      available += wallet.available;
    }
    const r = await report('from=2030-04-10&to=2030-04-10');
    expect(r.totals.netChange).toBe(available);
    const earned = 10 * 500 + results.filter((r, i) => r.status === 'fulfilled' && i % 3 === 0).length * 7;
    const spent = results.filter((r, i) => r.status === 'fulfilled' && i % 3 !== 0).length * 60;
    expect(r.totals).toMatchObject({ issued: earned, redeemed: spent, entries: 10 + results.filter((r) => r.status === 'fulfilled').length });
  });

  it('splits a large batch over several transactions and skips entries it has seen', async () => {
    const entries: CountableEntry[] = Array.from({ length: 250 }, (_, i) => ({
      id: ulid(),
      memberId: uniqueId('rep-b'),
      currency: i % 2 === 0 ? 'points' : 'partner-miles',
      type: 'EARN',
      points: 2,
      heldDelta: 0,
      at: new Date(Date.UTC(2030, 5, 1 + (i % 5), 6)).toISOString(),
    }));
    expect(await countLedgerEntries(entries)).toEqual({ counted: 250, skipped: 0 });
    expect(await countLedgerEntries(entries.slice(0, 120))).toEqual({ counted: 0, skipped: 120 });
    const points = await report('currency=points&from=2030-06-01&to=2030-06-05');
    const miles = await report('currency=partner-miles&from=2030-06-01&to=2030-06-05');
    expect(points.totals.issued).toBe(250);
    expect(miles.totals.issued).toBe(250);
    expect(points.days.map((d) => d.issued)).toEqual([50, 50, 50, 50, 50]);
  });

  it('answers 400 for a range it cannot report, and changes nothing', async () => {
    for (const query of ['from=2030-03-05&to=2030-03-01', 'from=2030-01-01&to=2030-12-31', 'from=2030-02-30', 'currency=no-such-points']) {
      const response = await api.call('GET', `/v1/admin/reports/points?${query}`, { token: admin });
      expect(response.status, query).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });
});
