/**
 * `npm run bench:expiry`: how the expiry job scales. Starts its own in-memory
 * DynamoDB Local, seeds N members whose points are all in one due bucket
 * (the items exactly as the ledger leaves them, written with BatchWriteItem),
 * runs the expiry job once and prints members expired per second, the total
 * time and the DynamoDB calls per expired bucket (reads, writes and queries,
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

const { values: args } = parseArgs({
  options: {
    members: { type: 'string', default: '20000' },
    concurrency: { type: 'string' },
  },
});
const members = Number(args.members);
const concurrency = args.concurrency === undefined ? undefined : Number(args.concurrency);
if (!Number.isSafeInteger(members) || members <= 0) throw new Error(`--members must be a positive integer, got ${args.members}`);
if (concurrency !== undefined && !(Number.isSafeInteger(concurrency) && concurrency > 0)) {
  throw new Error(`--concurrency must be a positive integer, got ${args.concurrency}`);
}

// Environment first: shared modules read their configuration once, at first use.
process.env.TABLE_NAME = 'points-mall-bench';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.POWERTOOLS_TRACE_ENABLED ??= 'false';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** The job runs as of NOW; every seeded member holds points in DUE_BUCKET, the month before. */
const NOW = new Date('2025-02-05T00:00:00Z');
const DUE_BUCKET = '2025-01';
const EARNED_AT = new Date('2024-01-15T00:00:00Z');

const { startDynamoDbLocal } = await import('./local/dynamodb-local.js');
const dynamo = await startDynamoDbLocal();
process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
let stopping = false;
const stop = async (code: number) => {
  if (!stopping) {
    stopping = true;
    await dynamo.stop();
  }
  process.exit(code);
};
process.on('SIGINT', () => void stop(130));
process.on('SIGTERM', () => void stop(143));

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const perBucket = (calls: number, expired: number) => (expired === 0 ? 'n/a' : (calls / expired).toFixed(3));

try {
  const { ensureTable, localClient } = await import('./local/table.js');
  const { useLocalEventSink } = await import('../shared/events/publisher.js');
  const { runExpiryJob } = await import('../shared/jobs/expiry.js');
  const { dbCallCounts, resetDbCallCounts } = await import('../shared/table/client.js');
  const { seedWallets } = await import('../test/support/seed-wallets.js');

  const client = localClient(dynamo.endpoint);
  await ensureTable(client, process.env.TABLE_NAME);
  client.destroy();
  let published = 0;
  useLocalEventSink(async (events) => void (published += events.length));

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

  console.log('');
  console.log(`expiry job, ${members.toLocaleString('en')} members with points due in ${DUE_BUCKET}, concurrency ${concurrency ?? 16}`);
  console.log(`  members expired      ${expired.toLocaleString('en')} (${stats.pointsExpired.toLocaleString('en')} points, ${published.toLocaleString('en')} events)`);
  console.log(`  total time           ${seconds(elapsed)} s`);
  console.log(`  members expired/s    ${(expired / (elapsed / 1000)).toFixed(0)}`);
  console.log(`  buckets walked       ${stats.bucketsProcessed}`);
  console.log('  DynamoDB calls per expired bucket (total calls in brackets)');
  console.log(`    reads              ${perBucket(calls.reads, expired)} (${calls.reads})`);
  console.log(`    writes             ${perBucket(calls.writes, expired)} (${calls.writes})`);
  console.log(`    queries            ${perBucket(calls.queries, expired)} (${calls.queries})`);
  console.log(`    by operation       ${JSON.stringify(calls.byOperation)}`);
  if (stats.complete !== 1 || expired !== members) {
    console.error(`the job did not expire every member (complete=${stats.complete}, expired=${expired})`);
    await stop(1);
  }
  await stop(0);
} catch (error) {
  console.error(error);
  await stop(1);
}
