/**
 * `npm run bench:expiry`: how the expiry job scales. Starts its own in-memory
 * DynamoDB Local, seeds N members whose points are all in one due bucket
 * (the items exactly as the ledger leaves them, written with BatchWriteItem),
 * runs the expiry job once and prints members expired per second, the total
 * time, the events written (each expiry transaction writes its PointsExpired
 * to the outbox; the first and last member's are read back) and the DynamoDB
 * calls per expired bucket (reads, writes and queries,
 * from the call counter of shared/table/client.ts). Then stops DynamoDB Local.
 *
 *   npm run bench:expiry                        20,000 members
 *   npm run bench:expiry -- --members 5000      another size
 *   npm run bench:expiry -- --concurrency 32    wallets expired at once (the job's default is 16)
 *
 * DynamoDB Local is a functional stand-in, not a performance model of
 * DynamoDB: it applies writes one at a time, so the time measures the
 * emulator and this machine; the calls per expired bucket carry over to AWS.
 */
import { parseArgs } from 'node:util';
import { positiveInteger, startBenchDatabase } from './local/bench-env.js';

const { values: args } = parseArgs({
  options: {
    members: { type: 'string', default: '20000' },
    concurrency: { type: 'string' },
  },
});
const members = positiveInteger('members', args.members);
const concurrency = args.concurrency === undefined ? undefined : positiveInteger('concurrency', args.concurrency);

/** The job runs as of NOW; every seeded member holds points in DUE_BUCKET, the month before. */
const NOW = new Date('2025-02-05T00:00:00Z');
const DUE_BUCKET = '2025-01';
const EARNED_AT = new Date('2024-01-15T00:00:00Z');

// Environment, DynamoDB Local and the table first: shared modules read their configuration once, at first use.
const dynamo = await startBenchDatabase({ logLevel: 'WARN' });
const stop = dynamo.stop;

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const perBucket = (calls: number, expired: number) => (expired === 0 ? 'n/a' : (calls / expired).toFixed(3));

try {
  const { pointsExpiredEventId, runExpiryJob } = await import('../shared/jobs/expiry.js');
  const { dbCallCounts, resetDbCallCounts } = await import('../shared/table/client.js');
  const { seedWallets } = await import('../test/support/seed-wallets.js');
  const { outboxEvent } = await import('../test/support/outbox.js');

  console.log(`DynamoDB Local on ${dynamo.endpoint} (in memory); seeding ${members.toLocaleString('en')} members ...`);
  const seedStart = Date.now();
  const seeded = await seedWallets(
    Array.from({ length: members }, (_, i) => ({
      memberId: `bench-${i}`,
      credits: [{ bucket: DUE_BUCKET, points: 100 + (i % 100) }],
    })),
    { now: EARNED_AT },
  );
  console.log(`seeded ${seeded.items.toLocaleString('en')} items in ${seconds(Date.now() - seedStart)} s`);

  resetDbCallCounts();
  const jobStart = Date.now();
  const stats = await runExpiryJob({ now: NOW, ...(concurrency === undefined ? {} : { concurrency }) });
  const elapsed = Date.now() - jobStart;
  const calls = dbCallCounts();
  const expired = stats.walletsExpired;
  // Read after the counts are taken: an expiry writes its event in its own transaction, so no call is added.
  const probes = [0, members - 1].map((i) => pointsExpiredEventId(`bench-${i}`, 'points', DUE_BUCKET));
  const eventsFound = (await Promise.all(probes.map(outboxEvent))).filter((e) => e?.detailType === 'PointsExpired').length;

  console.log('');
  console.log(`expiry job, ${members.toLocaleString('en')} members with points due in ${DUE_BUCKET}, concurrency ${concurrency ?? 16}`);
  console.log(`  members expired      ${expired.toLocaleString('en')} (${stats.pointsExpired.toLocaleString('en')} points; PointsExpired in the outbox for ${eventsFound} of ${probes.length} members checked)`);
  console.log(`  total time           ${seconds(elapsed)} s`);
  console.log(`  members expired/s    ${(expired / (elapsed / 1000)).toFixed(0)}`);
  console.log(`  buckets walked       ${stats.bucketsProcessed}`);
  console.log('  DynamoDB calls per expired bucket (total calls in brackets)');
  console.log(`    reads              ${perBucket(calls.reads, expired)} (${calls.reads})`);
  console.log(`    writes             ${perBucket(calls.writes, expired)} (${calls.writes})`);
  console.log(`    queries            ${perBucket(calls.queries, expired)} (${calls.queries})`);
  console.log(`    by operation       ${JSON.stringify(calls.byOperation)}`);
  if (stats.complete !== 1 || expired !== members || eventsFound !== probes.length) {
    console.error(`the job did not expire every member with its event (complete=${stats.complete}, expired=${expired}, events checked=${eventsFound}/${probes.length})`);
    await stop(1);
  }
  await stop(0);
} catch (error) {
  console.error(error);
  await stop(1);
}
