/**
 * `npm run bench:flash-sale`: a flash sale over real HTTP. Starts its own
 * in-memory DynamoDB Local, seeds N members who can each afford U units and
 * one product with stock S over K shards, serves the local API in-process
 * (the same HTTP server, gateway, JWT check and handlers as `npm start`) and
 * drives `POST /v1/orders` with autocannon: C connections for D seconds, each
 * request with its own member token and Idempotency-Key. Then it prints
 * requests/s, latency, status codes, orders accepted against the stock (and
 * exits 1 if more was sold than min(stock, demand), or less than the demand
 * left once the overload answers, 429 and 503, are taken off), the DynamoDB
 * write units per redemption computed from the TransactWriteItems the
 * handler sent next to the minimum for that transaction, and the throughput
 * of the same bare transaction sent straight to DynamoDB Local at the same
 * concurrency, with the ratio between the two.
 *
 *   npm run bench:flash-sale
 *   npm run bench:flash-sale -- --members 5000 --stock 2000 --shards 32 --connections 200 --duration 30
 *   npm run bench:flash-sale -- --units 2 --raw-seconds 5
 *
 * DynamoDB Local applies writes one at a time and everything shares this
 * machine's cores, so the rates measure the emulator and the machine; the
 * write units per redemption and the invariant carry over to AWS.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fixed, positiveInteger, recordTransactWrites, serveApiInProcess, startBenchDatabase, storedItemSizes, whole } from './local/bench-env.js';

const { values: args } = parseArgs({
  options: {
    members: { type: 'string', default: process.env.BENCH_MEMBERS ?? '2000' },
    units: { type: 'string', default: process.env.BENCH_UNITS_PER_MEMBER ?? '1' },
    stock: { type: 'string', default: process.env.BENCH_STOCK ?? '500' },
    shards: { type: 'string', default: process.env.BENCH_SHARDS ?? '16' },
    connections: { type: 'string', default: process.env.BENCH_CONNECTIONS ?? '100' },
    duration: { type: 'string', default: process.env.BENCH_DURATION_SECONDS ?? '20' },
    'raw-seconds': { type: 'string', default: process.env.BENCH_RAW_SECONDS ?? '8' },
  },
});

const MEMBERS = positiveInteger('members', args.members);
const UNITS_PER_MEMBER = positiveInteger('units', args.units);
const STOCK = positiveInteger('stock', args.stock);
const SHARDS = positiveInteger('shards', args.shards);
const CONNECTIONS = positiveInteger('connections', args.connections);
const DURATION_SECONDS = positiveInteger('duration', args.duration);
const RAW_SECONDS = positiveInteger('raw-seconds', args['raw-seconds']);
const PRICE = 100;
const PRODUCT_ID = 'flash-sale-bench';
const RAW_PRODUCT_ID = 'flash-sale-raw';

// Environment, DynamoDB Local and the table first: shared modules read their configuration once, at first use.
const dynamo = await startBenchDatabase();
const stop = dynamo.stop;

const memberId = (i: number) => `fs-${String(i).padStart(7, '0')}`;
const rawMemberId = (i: number) => `fr-${String(i).padStart(7, '0')}`;

try {
  const autocannon = (await import('autocannon')).default;
  const { DynamoDBClient, TransactWriteItemsCommand } = await import('@aws-sdk/client-dynamodb');
  const { BatchGetCommand } = await import('@aws-sdk/lib-dynamodb');
  const { monotonicFactory } = await import('ulid');
  const { claimsFor, inMemoryDevKeys, signDevToken } = await import('./local/dev-keys.js');
  const { useLocalEventSink } = await import('../shared/events/publisher.js');
  const { productInputSchema } = await import('../shared/contracts/mall.js');
  const { bucketAfterMonths } = await import('../shared/domain/fifo.js');
  const { mapWithConcurrency } = await import('../shared/jobs/pool.js');
  const { createProduct } = await import('../shared/mall/catalogue.js');
  const { readStock } = await import('../shared/mall/stock.js');
  const { db, dbCallCounts, resetDbCallCounts, tableName } = await import('../shared/table/client.js');
  const { keys } = await import('../shared/table/keys.js');
  const { transactWriteUnits, transactionalUnits } = await import('../shared/table/write-units.js');
  const { seedWallets } = await import('../test/support/seed-wallets.js');
  type TransactWriteItem = import('@aws-sdk/client-dynamodb').TransactWriteItem;

  useLocalEventSink(async () => undefined);

  // --- Seed: members who can afford UNITS_PER_MEMBER units, the sale product, and the bare-transaction twins.
  const now = new Date();
  const bucket = bucketAfterMonths(now, 12);
  console.log(`DynamoDB Local on ${dynamo.endpoint} (in memory); seeding ${whole(MEMBERS)} members and ${whole(MEMBERS)} for the bare run ...`);
  const seedStart = Date.now();
  await seedWallets(
    [
      ...Array.from({ length: MEMBERS }, (_, i) => ({ memberId: memberId(i), credits: [{ bucket, points: PRICE * UNITS_PER_MEMBER }] })),
      ...Array.from({ length: MEMBERS }, (_, i) => ({ memberId: rawMemberId(i), credits: [{ bucket, points: 1_000_000_000 }] })),
    ],
    { now },
  );
  const product = (productId: string, initialStock: number) =>
    productInputSchema.parse({ productId, name: 'Flash sale sneakers', type: 'PHYSICAL', zone: 'flash-sale', pricePoints: PRICE, stockShards: SHARDS, initialStock });
  await createProduct(product(PRODUCT_ID, STOCK), now);
  await createProduct(product(RAW_PRODUCT_ID, 100_000_000), now);
  const devKeys = await inMemoryDevKeys();
  const tokens = await mapWithConcurrency(
    Array.from({ length: MEMBERS }, (_, i) => i),
    16,
    (i) => signDevToken(devKeys, claimsFor('member', memberId(i))),
  );
  console.log(`seeded in ${fixed((Date.now() - seedStart) / 1000)} s`);

  // --- Instrument: the TransactWriteItems this process sends, as marshalled on the wire.
  const recorder = await recordTransactWrites();

  // --- Serve the API in-process, as npm start does (without the request log).
  const api = await serveApiInProcess(devKeys);

  // --- Load: round-robin over the members, a fresh Idempotency-Key per request.
  const requestsPerMember = new Uint32Array(MEMBERS);
  const errorCodes = new Map<string, number>();
  let nextRequest = 0;
  let accepted = 0;
  let lastAcceptedAt = 0;
  const orderBody = JSON.stringify({ productId: PRODUCT_ID, quantity: 1, payment: 'POINTS' });
  const { localConcurrencyFromEnv } = await import('./local/concurrency.js');
  const local = localConcurrencyFromEnv();
  console.log(
    `flash sale: ${whole(CONNECTIONS)} connections for ${DURATION_SECONDS} s on ${api.url}/v1/orders ` +
      `(npm start's local concurrency: ${local.inFlight} in flight per function, queue ${local.queueLength}, wait ${local.queueWaitMs} ms) ...`,
  );
  resetDbCallCounts();
  recorder.recording = true;
  const loadStart = Date.now();
  const load = await autocannon({
    url: api.url,
    connections: CONNECTIONS,
    duration: DURATION_SECONDS,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        path: '/v1/orders',
        setupRequest: (request) => {
          const i = nextRequest % MEMBERS;
          nextRequest += 1;
          requestsPerMember[i] = (requestsPerMember[i] ?? 0) + 1;
          return {
            ...request,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i] ?? ''}`, 'idempotency-key': `k-${randomUUID()}` },
            body: orderBody,
          };
        },
        onResponse: (status, body) => {
          if (status === 201) {
            accepted += 1;
            lastAcceptedAt = Date.now();
            return;
          }
          let code = 'unparsed';
          try {
            code = String((JSON.parse(body) as { code?: string }).code);
          } catch {
            // A body that is not problem+json is counted as such.
          }
          const label = `${status} ${code}`;
          errorCodes.set(label, (errorCodes.get(label) ?? 0) + 1);
        },
      },
    ],
  });
  const answeredAt = Date.now();
  // autocannon stops at the deadline without waiting for answers; the handlers still run, as on Lambda.
  await api.server.idle();
  const drainedSeconds = (Date.now() - answeredAt) / 1000;
  recorder.recording = false;
  const sent = recorder.tally('all');
  const calls = dbCallCounts();
  await api.close();

  // --- Check: what the shards sold, what the members spent, against min(stock, demand).
  const demand = Array.from(requestsPerMember).reduce((sum, n) => sum + Math.min(n, UNITS_PER_MEMBER), 0);
  const expected = Math.min(STOCK, demand);
  // Overload answers: 429 THROTTLED and 503 UNAVAILABLE did nothing (each takes at most one unit off the demand);
  // 503 OUTCOME_UNKNOWN may or may not have sold (its client would retry with the same key).
  const labelled = (prefix: string) => [...errorCodes].filter(([label]) => label.startsWith(prefix)).reduce((sum, [, n]) => sum + n, 0);
  const shed = labelled('429 ') + labelled('503 UNAVAILABLE');
  const unknown = labelled('503 OUTCOME_UNKNOWN');
  const atLeast = Math.min(STOCK, Math.max(0, demand - shed - unknown));
  const stock = await readStock(PRODUCT_ID, SHARDS);
  let spent = 0;
  let negativeWallets = 0;
  for (let i = 0; i < MEMBERS; i += 100) {
    const batch = Array.from({ length: Math.min(100, MEMBERS - i) }, (_, j) => keys.member.wallet(memberId(i + j), 'points'));
    let pending: Record<string, unknown>[] = batch.map((key) => ({ ...key }) as Record<string, unknown>);
    while (pending.length > 0) {
      const result = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } } }));
      for (const wallet of result.Responses?.[tableName()] ?? []) {
        spent += Number(wallet.spent ?? 0);
        if (Number(wallet.available ?? 0) < 0) negativeWallets += 1;
      }
      pending = (result.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
    }
  }

  // --- Write units: per successful redemption, and the minimum for its item set.
  const sample = sent.sample;
  const sampleUnits = sample ? transactWriteUnits(sample) : undefined;
  const storedSizes = sample ? await storedItemSizes(sample) : [];

  // --- The same bare transaction, straight to DynamoDB Local at the same concurrency.
  let raw = { ok: 0, failed: 0, seconds: 0, failures: new Map<string, number>() };
  if (sample) {
    const template = JSON.stringify(sample);
    const putOf = (entity: string) => sample.find((i) => i.Put?.Item?.entity?.S === entity)?.Put?.Item;
    const order = putOf('Order');
    const ledger = putOf('LedgerEntry');
    const idem = putOf('IdempotencyRecord');
    const sampleMember = order?.memberId?.S ?? '';
    const sampleOrder = order?.orderId?.S ?? '';
    const sampleShard = Number(order?.shard?.N ?? 0);
    const sampleEntry = ledger?.id?.S ?? '';
    const sampleKey = /k-[0-9a-f-]{36}/.exec(idem?.PK?.S ?? '')?.[0] ?? '';
    // The OrderPlaced event written with the order: each bare transaction needs an outbox item of its own.
    const sampleEvent = putOf('OutboxEvent')?.eventId?.S;
    if (!sampleMember || !sampleOrder || !sampleEntry || !sampleKey) throw new Error('the sample redemption lacks an order, a ledger entry or an idempotency record');
    const sampleShardPk = keys.product.stockShard(RAW_PRODUCT_ID, sampleShard).PK;
    const escape = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g');
    const nextUlid = monotonicFactory();
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 } },
      maxAttempts: 1,
    });
    let n = 0;
    const rawStart = Date.now();
    const deadline = rawStart + RAW_SECONDS * 1000;
    const failures = new Map<string, number>();
    let ok = 0;
    let failed = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < deadline) {
          const i = n;
          n += 1;
          const withEvent = sampleEvent ? template.replace(escape(sampleEvent), nextUlid()) : template;
          const text = withEvent
            .replace(escape(PRODUCT_ID), RAW_PRODUCT_ID)
            .replace(escape(`"${sampleShardPk}"`), `"${keys.product.stockShard(RAW_PRODUCT_ID, i % SHARDS).PK}"`)
            .replace(escape(sampleMember), rawMemberId(i % MEMBERS))
            .replace(escape(sampleOrder), `o-raw-${i}`)
            .replace(escape(sampleEntry), nextUlid())
            .replace(escape(sampleKey), `k-raw-${i}`);
          try {
            await client.send(new TransactWriteItemsCommand({ TransactItems: JSON.parse(text) as TransactWriteItem[], ReturnConsumedCapacity: 'TOTAL' }));
            ok += 1;
          } catch (error) {
            failed += 1;
            const name = (error as Error).name;
            failures.set(name, (failures.get(name) ?? 0) + 1);
          }
        }
      }),
    );
    raw = { ok, failed, seconds: (Date.now() - rawStart) / 1000, failures };
    client.destroy();
  }

  // --- Report.
  const loadSeconds = (answeredAt - loadStart) / 1000;
  const saleSeconds = lastAcceptedAt > 0 ? (lastAcceptedAt - loadStart) / 1000 : 0;
  const redemptionsPerSecond = saleSeconds > 0 ? accepted / saleSeconds : 0;
  const rawPerSecond = raw.seconds > 0 ? raw.ok / raw.seconds : 0;
  const statusCounts = Object.entries(load.statusCodeStats ?? {})
    .map(([code, stat]) => `${code}: ${whole(stat.count ?? 0)}`)
    .join(', ');
  const minimumItems = sampleUnits?.items.length ?? 0;
  const perRedemption = stock.sold > 0 ? sent.committedUnits / stock.sold : 0;

  console.log('');
  console.log(`flash sale: ${whole(MEMBERS)} members x ${UNITS_PER_MEMBER} unit(s), stock ${whole(STOCK)} over ${SHARDS} shards, ${CONNECTIONS} connections, ${DURATION_SECONDS} s (local: DynamoDB Local + this process on this machine)`);
  console.log(`  requests             ${whole(nextRequest)} sent, ${whole(load.requests.total)} answered in ${fixed(loadSeconds)} s: ${fixed(load.requests.total / loadSeconds)} requests/s; the last ones finished ${fixed(drainedSeconds)} s later`);
  console.log(`  latency              p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, max ${load.latency.max} ms`);
  console.log(`  status codes         ${statusCounts || 'none'}; errors ${load.errors}, timeouts ${load.timeouts}`);
  console.log(`  refusals             ${[...errorCodes].map(([label, count]) => `${label}: ${whole(count)}`).join(', ') || 'none'}`);
  console.log(`  demand               ${whole(demand)} units (requests per member, at most ${UNITS_PER_MEMBER} each)`);
  console.log(
    `  orders accepted      ${whole(stock.sold)} (${whole(accepted)} 201s reached autocannon before it stopped); shards sold ${whole(stock.sold)}, left ${whole(stock.available)}; ` +
      `expected between min(stock, demand - ${whole(shed)} shed - ${whole(unknown)} outcome unknown) = ${whole(atLeast)} and min(stock, demand) = ${whole(expected)}`,
  );
  console.log(`  points spent         ${whole(spent)} = ${whole(spent / PRICE)} units; wallets below zero: ${negativeWallets}`);
  console.log(`  last 201 after       ${fixed(saleSeconds)} s${stock.available === 0 ? " (sold out)" : ""}: ${fixed(redemptionsPerSecond)} redemptions/s while stock lasted`);
  console.log(`  DynamoDB calls       ${JSON.stringify(calls.byOperation)}`);
  console.log('  write units (AWS billing, from the requests sent: 2 WCU per started KB per transactional item)');
  console.log(`    per redemption     ${fixed(perRedemption, 2)} WCU (${whole(sent.committed)} transactions committed, ${whole(sent.committedUnits)} WCU)`);
  console.log(`    minimum            ${minimumItems * transactionalUnits(0)} WCU (${minimumItems} items of at most 1 KB: wallet, ledger entry, stock shard, order, OrderPlaced outbox event, idempotency record)`);
  console.log(`    cancelled          ${whole(sent.cancelled)} transactions, ${whole(sent.cancelledUnits)} WCU more if AWS charges them (${fixed(stock.sold > 0 ? (sent.committedUnits + sent.cancelledUnits) / stock.sold : 0, 2)} WCU per redemption with them)`);
  console.log(`    cancelled because  ${[...sent.reasons].map(([label, count]) => `${label}: ${whole(count)}`).join(', ') || 'n/a'}`);
  if (sampleUnits) {
    console.log('    one redemption     item: bytes sent / bytes stored -> WCU');
    sampleUnits.items.forEach((item, i) => {
      const stored = storedSizes[i] ?? 0;
      console.log(`      ${item.kind.padEnd(7)} ${item.pk.replace(/#.*/, '#...').padEnd(12)} ${String(item.bytes).padStart(5)} / ${String(stored).padStart(5)} -> ${transactionalUnits(Math.max(item.bytes, stored))}`);
    });
  }
  console.log(`  bare transaction     ${whole(raw.ok)} in ${fixed(raw.seconds)} s at ${CONNECTIONS} concurrent: ${fixed(rawPerSecond)} transactions/s${raw.failed ? ` (${raw.failed} failed: ${JSON.stringify(Object.fromEntries(raw.failures))})` : ''}`);
  console.log(`  overhead             ${redemptionsPerSecond > 0 ? fixed(rawPerSecond / redemptionsPerSecond, 2) : 'n/a'}x (bare transactions/s over redemptions/s through HTTP while stock lasted)`);

  const problems: string[] = [];
  if (stock.sold > STOCK || stock.available < 0) problems.push(`OVERSOLD: ${stock.sold} sold of ${STOCK}`);
  if (stock.sold > expected || stock.sold < atLeast) problems.push(`sold ${stock.sold}, expected between ${atLeast} and min(stock, demand) = ${expected}`);
  if (stock.sold + stock.available !== STOCK) problems.push(`stock does not add up: sold ${stock.sold} + left ${stock.available} != ${STOCK}`);
  if (spent !== stock.sold * PRICE) problems.push(`members spent ${spent} points for ${stock.sold} units of ${PRICE}`);
  if (negativeWallets > 0) problems.push(`${negativeWallets} wallets below zero`);
  if (accepted > stock.sold) problems.push(`${accepted} orders answered 201 but only ${stock.sold} units sold`);
  if (problems.length > 0) {
    console.error(`\nINVARIANT BROKEN:\n  ${problems.join('\n  ')}`);
    await stop(1);
  }
  console.log('\ninvariant holds: units sold within [min(stock, demand - overload answers), min(stock, demand)], 201s received <= units sold; points spent match; no wallet below zero');
  await stop(0);
} catch (error) {
  console.error(error);
  await stop(1);
}
