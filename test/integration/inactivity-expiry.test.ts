import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { NEVER_EXPIRES } from '../../shared/domain/fifo.js';
import { lastDueActivityMonth } from '../../shared/domain/inactivity.js';
import { runExpiryJob } from '../../shared/jobs/expiry.js';
import { runExpiryReminderJob } from '../../shared/jobs/expiry-reminders.js';
import { expireInactiveWallet, inactivityExpiredEventId, runInactivityExpiryJob } from '../../shared/jobs/inactivity-expiry.js';
import { commit } from '../../shared/ledger/ledger.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { walletView } from '../../shared/ledger/wallet-item.js';
import { registerMember } from '../../shared/members/service.js';
import { mapWithConcurrency } from '../../shared/jobs/pool.js';
import { db, dbCallCounts, resetDbCallCounts, tableName } from '../../shared/table/client.js';
import { ACTIVITY_INDEX_SHARDS, keys } from '../../shared/table/keys.js';
import { TestApi, uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';
import { eventNamedBy, outboxEvent } from '../support/outbox.js';
import { seedWallets } from '../support/seed-wallets.js';

// Activity before 2015 belongs to this file (no other test moves a wallet with a clock before 2015), so with
// 12 months of inactivity the job's due range (last active up to 2013-xx) holds only these wallets. The
// scale test runs first and handles all its wallets last active in 2012-03 (its others are active in 2014-12,
// after every month these tests make due); then each test uses its own months: 2013-01/02, 2013-03, 2013-05, 2013-07.
const MONTHS = 12;
/** Wallets the scale test makes due: a fifth of the bucket expiry's scale test (EXPIRY_SCALE_WALLETS). */
const SCALE_WALLETS = Math.ceil(Number(process.env.EXPIRY_SCALE_WALLETS ?? 10_000) / 5);

type Move = { readonly at: string; readonly earn?: number; readonly spend?: number; readonly bucket?: string };

async function member(prefix: string, moves: readonly Move[]): Promise<string> {
  const memberId = uniqueId(prefix);
  await registerMember(memberId, {});
  for (const move of moves) await apply(memberId, move);
  return memberId;
}

async function apply(memberId: string, move: Move): Promise<void> {
  await commit({
    moves: [
      move.earn
        ? { memberId, type: 'EARN', points: move.earn, bucket: move.bucket ?? NEVER_EXPIRES, reason: 'earned' }
        : { memberId, type: 'SPEND', points: move.spend ?? 0, reason: 'spent' },
    ],
    now: new Date(move.at),
  });
}

async function walletItem(memberId: string): Promise<Record<string, unknown>> {
  const read = await db().send(new GetCommand({ TableName: tableName(), Key: keys.member.wallet(memberId, 'points'), ConsistentRead: true }));
  return read.Item ?? {};
}

async function expireEntries(memberId: string) {
  return (await allLedgerEntries(memberId, 'points')).filter((e) => e.type === 'EXPIRE');
}

/** The PointsExpired the inactivity expiry of a wallet last active in `month` wrote to the outbox, if any. */
async function expiredEvent(memberId: string, month: string) {
  return outboxEvent(inactivityExpiredEventId(memberId, 'points', month));
}

/** The inactivity reminder a wallet's claim names (undefined: not reminded). */
async function inactivityReminder(memberId: string) {
  return eventNamedBy(keys.member.wallet(memberId, 'points'), 'inactivityReminderEventId');
}

let api: TestApi;

beforeAll(async () => {
  api = await TestApi.create();
});

describe('inactivity expiry at scale', () => {
  it(
    `expires ${SCALE_WALLETS.toLocaleString('en')} inactive wallets with DynamoDB calls proportional to them, and never reads active ones`,
    async () => {
      // Prepare: wallets last active in 2012-03 (due from 2013-04-01), and a fifth as many active in 2014-12
      const prefix = uniqueId('is');
      const due = Array.from({ length: SCALE_WALLETS }, (_, i) => ({ memberId: `${prefix}-due-${i}`, credits: [{ bucket: NEVER_EXPIRES, points: 100 + (i % 50) }] }));
      const active = Array.from({ length: Math.ceil(SCALE_WALLETS / 5) }, (_, i) => ({ memberId: `${prefix}-active-${i}`, credits: [{ bucket: NEVER_EXPIRES, points: 70 }] }));
      await seedWallets(due, { now: new Date('2012-03-10T00:00:00Z') });
      await seedWallets(active, { now: new Date('2014-12-01T00:00:00Z') });
      const now = new Date('2013-04-02T00:20:00Z');
      resetDbCallCounts();

      // Act
      const stats = await runInactivityExpiryJob({ now, months: MONTHS });
      const calls = dbCallCounts();
      resetDbCallCounts();
      const again = await runInactivityExpiryJob({ now, months: MONTHS });
      const againCalls = dbCallCounts();

      // Assess: one transaction per due wallet, their wallets read 100 a call, 16 index partitions queried
      expect(stats).toMatchObject({
        walletsVisited: SCALE_WALLETS,
        walletsExpired: SCALE_WALLETS,
        pointsExpired: due.reduce((sum, w) => sum + (w.credits[0]?.points ?? 0), 0),
        walletsSkipped: 0,
        complete: 1,
      });
      expect(calls.byOperation.TransactWriteItems).toBe(SCALE_WALLETS);
      expect(calls.writes).toBe(SCALE_WALLETS);
      // At most one partial batch per shard partition beyond the full ones.
      expect(calls.byOperation.BatchGetItem).toBeLessThanOrEqual(Math.ceil(SCALE_WALLETS / 100) + ACTIVITY_INDEX_SHARDS);
      expect(calls.reads).toBe(calls.byOperation.BatchGetItem);
      expect(calls.queries).toBeGreaterThanOrEqual(ACTIVITY_INDEX_SHARDS);
      expect(calls.queries).toBeLessThanOrEqual(2 * ACTIVITY_INDEX_SHARDS);
      expect(calls.byOperation.Scan).toBeUndefined();
      expect(again).toMatchObject({ walletsVisited: 0, walletsExpired: 0, complete: 1 });
      expect(againCalls).toMatchObject({ reads: 0, writes: 0, queries: ACTIVITY_INDEX_SHARDS });
      const sample = [...due.filter((_, i) => i % 97 === 0), ...active.filter((_, i) => i % 50 === 0)];
      await mapWithConcurrency(sample, 8, async (w) => {
        const { wallet } = await expectLedgerExplainsWallet(w.memberId);
        const isDue = w.memberId.includes('-due-');
        expect(wallet.available).toBe(isDue ? 0 : 70);
        // Each expiry wrote its event in its own transaction (the writes above count no other call).
        const event = await expiredEvent(w.memberId, '2012-03');
        if (isDue) expect(event?.detail).toMatchObject({ memberId: w.memberId, points: w.credits[0]?.points, cause: 'inactivity' });
        else expect(event).toBeUndefined();
      });
    },
    60_000 + SCALE_WALLETS * 25,
  );
});

describe('inactivity expiry', () => {
  it('expires every point of wallets with no earning or spending for 12 months, once, and writes PointsExpired to the outbox', async () => {
    // Prepare
    const lapsed = await member('inact-lapsed', [
      { at: '2013-01-10T08:00:00Z', earn: 100 },
      { at: '2013-02-05T08:00:00Z', spend: 30 },
    ]);
    const returning = await member('inact-returning', [
      { at: '2013-02-01T08:00:00Z', earn: 50 },
      { at: '2014-02-27T08:00:00Z', spend: 10 },
    ]);
    const spentAll = await member('inact-spent', [
      { at: '2013-01-15T08:00:00Z', earn: 40 },
      { at: '2013-02-10T08:00:00Z', spend: 40 },
    ]);
    // Points of an earlier dated policy (bucket 2013-12) next to points without a date.
    const mixed = await member('inact-mixed', [
      { at: '2013-01-05T08:00:00Z', earn: 60, bucket: '2013-12' },
      { at: '2013-02-20T08:00:00Z', earn: 40 },
    ]);
    const mine = [lapsed, returning, spentAll, mixed];
    const recorded = await walletItem(lapsed);

    // Act: the last day of the 12th inactive month, then just after it, then again
    const early = await runInactivityExpiryJob({ now: new Date('2014-02-28T23:59:00Z'), months: MONTHS });
    const due = await runInactivityExpiryJob({ now: new Date('2014-03-01T00:20:00Z'), months: MONTHS });
    const rerun = await runInactivityExpiryJob({ now: new Date('2014-03-02T00:20:00Z'), months: MONTHS });

    // Assess: activity is the month of the last move, on the wallet and in the index keys
    expect(recorded).toMatchObject({ activeMonth: '2013-02', ...keys.member.activityEntry(lapsed, 'points', '2013-02') });
    expect(early).toMatchObject({ walletsExpired: 0, pointsExpired: 0, complete: 1 });
    expect(due).toMatchObject({ inactivityMonths: 12, walletsExpired: 2, pointsExpired: 170, walletsWithoutPoints: 1, complete: 1 });
    expect(rerun).toMatchObject({ walletsVisited: 0, walletsExpired: 0, pointsExpired: 0, complete: 1 });
    expect((await getWallet(lapsed, 'points')).available).toBe(0);
    expect((await getWallet(returning, 'points')).available).toBe(40);
    expect((await getWallet(mixed, 'points')).available).toBe(0);
    expect(await expireEntries(lapsed)).toEqual([
      expect.objectContaining({ type: 'EXPIRE', points: -70, reason: 'points expired after 12 months without earning or spending (last active 2013-02)' }),
    ]);
    expect((await expireEntries(lapsed))[0]).not.toHaveProperty('bucket');
    expect(await expireEntries(spentAll)).toEqual([]);
    expect(await walletItem(spentAll)).not.toHaveProperty('ACTPK');
    expect(await walletItem(lapsed)).not.toHaveProperty('activeMonth');
    expect(await walletItem(returning)).toMatchObject({ activeMonth: '2014-02' });
    // The detail consumers get: the fields the job published before the outbox, plus the outbox envelope.
    const envelope = { eventId: expect.any(String), occurredAt: '2014-03-01T00:20:00.000Z' };
    expect(await expiredEvent(lapsed, '2013-02')).toEqual({
      detailType: 'PointsExpired',
      detail: { version: 1, memberId: lapsed, currency: 'points', bucket: null, points: 70, at: '2014-03-01T00:20:00.000Z', cause: 'inactivity', lastActiveMonth: '2013-02', ...envelope },
    });
    expect(await expiredEvent(mixed, '2013-02')).toEqual({
      detailType: 'PointsExpired',
      detail: { version: 1, memberId: mixed, currency: 'points', bucket: null, points: 100, at: '2014-03-01T00:20:00.000Z', cause: 'inactivity', lastActiveMonth: '2013-02', ...envelope },
    });
    expect(await expiredEvent(returning, '2013-02')).toBeUndefined();
    expect(await expiredEvent(spentAll, '2013-02')).toBeUndefined();
    for (const m of mine) await expectLedgerExplainsWallet(m);

    // Act: the mixed wallet earns again, then its old dated bucket comes due in the bucket job
    await apply(mixed, { at: '2014-04-02T08:00:00Z', earn: 25 });
    const bucketJob = await runExpiryJob({ now: new Date('2014-04-05T00:05:00Z'), stateKey: uniqueId('inactivity-test') });

    // Assess: the bucket was emptied by the inactivity expiry, the new points stay live (FIFO counters agree)
    const { wallet } = await expectLedgerExplainsWallet(mixed);
    expect(bucketJob.pointsExpired).toBe(0);
    expect(wallet).toMatchObject({ available: 25, expired: 100, expiredThrough: '2013-12' });
    expect(walletView(wallet, []).expiring).toEqual([{ bucket: NEVER_EXPIRES, points: 25, expiresAt: null }]);
  });

  it('keeps the points of a wallet active again, even between the job reading it and expiring it', async () => {
    // Prepare: both last active in 2013-03, due once April 2014 has ended
    const justInTime = await member('inact-just', [
      { at: '2013-03-05T08:00:00Z', earn: 30 },
      { at: '2014-04-30T23:00:00Z', spend: 1 },
    ]);
    const racing = await member('inact-race', [{ at: '2013-03-10T08:00:00Z', earn: 80 }]);
    const now = new Date('2014-05-01T00:20:00Z');
    const staleRead = await walletItem(racing);
    // An EARN leaves debited and expired as read: only the condition on the activity can stop the expiry.
    await apply(racing, { at: '2014-05-01T00:20:01Z', earn: 5 });

    // Act: the job; and the expiry of the racing wallet from what it read before the spend
    const run = await runInactivityExpiryJob({ now, months: MONTHS });
    const raced = await expireInactiveWallet(
      { memberId: racing, currency: 'points', month: '2013-03' },
      { now, lastDue: lastDueActivityMonth(now, MONTHS), months: MONTHS },
      staleRead,
    );

    // Assess
    expect(lastDueActivityMonth(now, MONTHS)).toBe('2013-04');
    expect(run.walletsExpired).toBe(0);
    expect(raced).toEqual({ kind: 'skipped' });
    expect((await getWallet(justInTime, 'points')).available).toBe(29);
    expect((await getWallet(racing, 'points')).available).toBe(85);
    for (const m of [justInTime, racing]) {
      expect(await expireEntries(m)).toEqual([]);
      await expectLedgerExplainsWallet(m);
    }
  });

  it('resumes after stopping at its deadline, and two runs at once expire each wallet once', async () => {
    // Prepare
    const wallets = await Promise.all(Array.from({ length: 6 }, (_, i) => member(`inact-conc-${i}`, [{ at: '2013-05-10T08:00:00Z', earn: 10 + i }])));
    const now = new Date('2014-06-01T00:20:00Z');

    // Act
    const stopped = await runInactivityExpiryJob({ now, months: MONTHS, deadline: Date.now() - 1 });
    const untouched = await Promise.all(wallets.map(async (m) => (await getWallet(m, 'points')).available));
    const runs = await Promise.all([runInactivityExpiryJob({ now, months: MONTHS }), runInactivityExpiryJob({ now, months: MONTHS })]);
    const again = await runInactivityExpiryJob({ now, months: MONTHS });

    // Assess
    expect(stopped).toMatchObject({ walletsExpired: 0, complete: 0 });
    expect(untouched).toEqual([10, 11, 12, 13, 14, 15]);
    expect(runs[0].walletsExpired + runs[1].walletsExpired).toBe(6);
    expect(runs[0].pointsExpired + runs[1].pointsExpired).toBe(75);
    expect(again).toMatchObject({ walletsVisited: 0, walletsExpired: 0 });
    for (const m of wallets) {
      const { wallet, entries } = await expectLedgerExplainsWallet(m);
      expect(wallet.available).toBe(0);
      expect(entries.filter((e) => e.type === 'EXPIRE')).toHaveLength(1);
    }
  });

  it('reminds once, with the reminder lead time, of points about to expire by inactivity', async () => {
    // Prepare: last active in 2013-07, so the points expire on 2014-08-01
    const lapsing = await member('inact-rem', [{ at: '2013-07-10T08:00:00Z', earn: 80 }]);
    const empty = await member('inact-rem-empty', [
      { at: '2013-07-12T08:00:00Z', earn: 20 },
      { at: '2013-07-13T08:00:00Z', spend: 20 },
    ]);
    const active = await member('inact-rem-active', [
      { at: '2013-07-01T08:00:00Z', earn: 30 },
      { at: '2014-06-15T08:00:00Z', spend: 1 },
    ]);

    // Act
    const early = await runExpiryReminderJob({ now: new Date('2014-07-01T23:59:59Z'), inactivityMonths: MONTHS });
    const earlyReminder = await inactivityReminder(lapsing);
    const runs = await Promise.all([
      runExpiryReminderJob({ now: new Date('2014-07-05T01:00:00Z'), inactivityMonths: MONTHS }),
      runExpiryReminderJob({ now: new Date('2014-07-05T01:00:00Z'), inactivityMonths: MONTHS }),
    ]);
    const rerun = await runExpiryReminderJob({ now: new Date('2014-07-06T01:00:00Z'), inactivityMonths: MONTHS });
    const reminders = await Promise.all([lapsing, empty, active].map(inactivityReminder));
    const expiry = await runInactivityExpiryJob({ now: new Date('2014-08-01T00:20:00Z'), months: MONTHS });

    // Assess
    expect(early.inactivityMonthsChecked).toBe(0);
    expect(earlyReminder).toBeUndefined();
    expect(runs.every((r) => r.complete === 1 && r.inactivityMonthsChecked === 1)).toBe(true);
    expect(runs[0].inactiveWalletsReminded + runs[1].inactiveWalletsReminded).toBe(1);
    expect(rerun).toMatchObject({ inactiveWalletsReminded: 0, alreadyReminded: 1 });
    expect(reminders).toEqual([
      {
        detailType: 'PointsExpiringSoon',
        detail: {
          version: 1,
          memberId: lapsing,
          currency: 'points',
          bucket: null,
          points: 80,
          expiresAt: '2014-08-01T00:00:00.000Z',
          cause: 'inactivity',
          lastActiveMonth: '2013-07',
          eventId: expect.any(String),
          occurredAt: '2014-07-05T01:00:00.000Z',
        },
      },
      undefined,
      undefined,
    ]);
    expect(expiry).toMatchObject({ walletsExpired: 1, pointsExpired: 80, walletsWithoutPoints: 1 });
    expect((await getWallet(active, 'points')).available).toBe(29);
  });

  it('does nothing under another expiry policy, also when run over HTTP', async () => {
    // Prepare: the shared rules keep their default policy (rolling months)
    const admin = await api.token('admin');

    // Act
    const res = await api.call<{ job: string; stats: Record<string, number> }>('POST', '/v1/admin/jobs/inactivity-expiry', { token: admin });

    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ job: 'inactivity-expiry', stats: { inactivityMonths: 0, walletsVisited: 0, complete: 1 } });
  });
});
