import { describe, expect, it } from 'vitest';
import { bucketMarkers, pointsExpiredEventId, runExpiryJob } from '../../shared/jobs/expiry.js';
import { mapWithConcurrency } from '../../shared/jobs/pool.js';
import { getWallet } from '../../shared/ledger/reader.js';
import { dbCallCounts, resetDbCallCounts } from '../../shared/table/client.js';
import { EXPIRY_INDEX_SHARDS } from '../../shared/table/keys.js';
import { uniqueId } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';
import { outboxEvent } from '../support/outbox.js';
import { seedWallets, type SeedWallet } from '../support/seed-wallets.js';

// Buckets 2015-07 .. 2016-12 belong to this file alone (other tests use 2017-2019 and 2026-2028).
// The job runs with its own state item, so the shared JOB#expiry progress neither hides these
// buckets nor moves: as of NOW, its first run walks the 12 buckets 2015-07 .. 2016-06.
const NOW = new Date('2016-07-05T00:00:00Z');
const DUE_BUCKETS = ['2016-05', '2016-06'] as const;
const FUTURE_BUCKET = '2016-12';
const BUCKETS_WALKED = 12;
/**
 * Wallets with points due. DynamoDB Local applies about one expiry transaction per 4-6 ms here,
 * one at a time, so 10,000 take about a minute; EXPIRY_SCALE_WALLETS=2000 runs a smaller copy.
 */
const EXPIRING = Number(process.env.EXPIRY_SCALE_WALLETS ?? 10_000);
/** Wallets holding only future points: the job must not spend a single call on them. */
const FUTURE_ONLY = Math.ceil(EXPIRING / 5);
/** Wallets per BatchGetItem. */
const READ_BATCH = 100;
// About 100 s for 10,000 on a quiet 2-core machine; generous so a busy machine does not fail it.
const TIMEOUT_MS = 60_000 + EXPIRING * 40;

interface Member {
  readonly seed: SeedWallet;
  /** Points left after the job. */
  readonly keeps: number;
  readonly expires: number;
}

function expiringMember(prefix: string, i: number): Member {
  const expires = 100 + (i % 50);
  // Every tenth also holds later points, which the job must leave alone (FIFO).
  const keeps = i % 10 === 0 ? 30 : 0;
  const credits = [{ bucket: DUE_BUCKETS[i % 2] as string, points: expires }];
  if (keeps > 0) credits.push({ bucket: FUTURE_BUCKET, points: keeps });
  return { seed: { memberId: `${prefix}-due-${i}`, credits }, keeps, expires };
}

function futureOnlyMember(prefix: string, i: number): Member {
  return { seed: { memberId: `${prefix}-future-${i}`, credits: [{ bucket: FUTURE_BUCKET, points: 70 }] }, keeps: 70, expires: 0 };
}

async function markerCount(bucket: string, prefix: string): Promise<number> {
  const { markers } = await bucketMarkers(bucket);
  return markers.filter((m) => m.memberId.startsWith(prefix)).length;
}

async function balances(members: readonly Member[]): Promise<number[]> {
  return mapWithConcurrency(members, 8, async (m) => (await getWallet(m.seed.memberId, 'points')).available);
}

describe('expiry at scale', () => {
  it(
    `expires ${EXPIRING.toLocaleString('en')} wallets once, with DynamoDB calls proportional to the expiring wallets`,
    async () => {
      // Prepare: wallets with points in a due bucket, and a fifth as many with future points only
      const prefix = uniqueId('xs');
      const stateKey = uniqueId('expiry-scale-test');
      const expiring = Array.from({ length: EXPIRING }, (_, i) => expiringMember(prefix, i));
      const futureOnly = Array.from({ length: FUTURE_ONLY }, (_, i) => futureOnlyMember(prefix, i));
      await seedWallets([...expiring, ...futureOnly].map((m) => m.seed), { now: new Date('2015-06-01T00:00:00Z') });
      resetDbCallCounts();

      // Act
      const stats = await runExpiryJob({ now: NOW, stateKey });
      const calls = dbCallCounts();

      // Assess: every due wallet expired once; the future-only wallets were never visited
      expect(stats).toMatchObject({
        bucketsProcessed: BUCKETS_WALKED,
        walletsVisited: EXPIRING,
        walletsExpired: EXPIRING,
        pointsExpired: expiring.reduce((sum, m) => sum + m.expires, 0),
        complete: 1,
      });
      // Reads: the job state, then the expiring wallets 100 a call (at most one partial batch per due bucket).
      // Reading the future-only wallets too would take a fifth more calls.
      expect(calls.byOperation.GetItem).toBe(1);
      expect(calls.reads).toBeLessThanOrEqual(1 + Math.ceil(EXPIRING / READ_BATCH) + DUE_BUCKETS.length);
      // Writes: one transaction per expiring wallet (its PointsExpired event included), one job-state write per bucket walked.
      expect(calls.byOperation.TransactWriteItems).toBe(EXPIRING);
      expect(calls.writes).toBe(EXPIRING + BUCKETS_WALKED);
      // Index queries: one per shard per bucket walked (plus an extra page now and then), never a Scan.
      expect(calls.queries).toBeGreaterThanOrEqual(EXPIRY_INDEX_SHARDS * BUCKETS_WALKED);
      expect(calls.queries).toBeLessThanOrEqual(EXPIRY_INDEX_SHARDS * (BUCKETS_WALKED + 1));
      expect(calls.byOperation.Scan).toBeUndefined();
      expect(calls.other).toBe(0);
      for (const bucket of DUE_BUCKETS) expect(await markerCount(bucket, prefix)).toBe(0);
      expect(await markerCount(FUTURE_BUCKET, prefix)).toBe(FUTURE_ONLY + expiring.filter((m) => m.keeps > 0).length);

      // Act: the same run again, and a run that lost its progress (a fresh state item walks every bucket again)
      const probe = [...expiring.slice(0, 50), ...futureOnly.slice(0, 20)];
      const before = await balances(probe);
      resetDbCallCounts();
      const again = await runExpiryJob({ now: NOW, stateKey });
      const againCalls = dbCallCounts();
      resetDbCallCounts();
      const fromScratch = await runExpiryJob({ now: NOW, stateKey: `${stateKey}-lost` });
      const fromScratchCalls = dbCallCounts();

      // Assess: nothing changes and no wallet is read
      expect(again).toMatchObject({ bucketsProcessed: 0, walletsVisited: 0, pointsExpired: 0, complete: 1 });
      expect(againCalls).toMatchObject({ reads: 1, writes: 0, queries: 0 });
      expect(fromScratch).toMatchObject({ bucketsProcessed: BUCKETS_WALKED, walletsVisited: 0, pointsExpired: 0, complete: 1 });
      expect(fromScratchCalls).toMatchObject({ reads: 1, writes: BUCKETS_WALKED, queries: EXPIRY_INDEX_SHARDS * BUCKETS_WALKED });
      expect(await balances(probe)).toEqual(before);

      // Assess: on a sample, FIFO left what it should, the ledger explains every wallet, and each expiry wrote its event
      const sample = [...expiring.filter((_, i) => i % 200 < 2), ...futureOnly.filter((_, i) => i % 100 === 0)];
      await mapWithConcurrency(sample, 8, async (m) => {
        const { wallet, entries } = await expectLedgerExplainsWallet(m.seed.memberId);
        expect(wallet.available).toBe(m.keeps);
        expect(wallet.expired).toBe(m.expires);
        expect(entries.filter((e) => e.type === 'EXPIRE').map((e) => -e.points)).toEqual(m.expires > 0 ? [m.expires] : []);
        const bucket = m.seed.credits[0]?.bucket ?? '';
        const event = await outboxEvent(pointsExpiredEventId(m.seed.memberId, 'points', bucket));
        if (m.expires > 0) expect(event?.detail).toMatchObject({ memberId: m.seed.memberId, bucket, points: m.expires, at: NOW.toISOString() });
        else expect(event).toBeUndefined();
      });
    },
    TIMEOUT_MS,
  );
});
