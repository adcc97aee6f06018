/**
 * `npm run bench:flash-sale`: a flash sale over real HTTP. Starts its own
 * in-memory DynamoDB Local, seeds N members who can each afford U units and
 * one product with stock S over K shards, serves the local API in-process
 * (the same HTTP server, gateway, JWT check and handlers as `npm start`) and
 * drives `POST /v1/orders` with C clients for D seconds, each redemption with
 * its own member token and Idempotency-Key. The clients behave as the app
 * does (`--client app`, the default): a 429 or 503 is sent again after its
 * Retry-After with the same key. `--client autocannon` floods instead
 * (autocannon sends the next request the moment an answer arrives, and
 * never retries). Then it prints
 * requests/s, latency, status codes, orders accepted against the stock (and
 * exits 1 if more was sold than min(stock, demand), or less than the demand
 * left once the overload answers, 429 and 503, are taken off), the DynamoDB
 * write units per redemption computed from the TransactWriteItems the
 * handler sent next to the minimum for that transaction, the table calls per
 * refused request after the sell-out, and the throughput of the same bare
 * transaction sent straight to DynamoDB Local, at the concurrency the orders
 * function ran at (npm start's local slots) and at C, with the ratio of
 * redemptions/s through HTTP to bare transactions/s.
 *
 *   npm run bench:flash-sale
 *   npm run bench:flash-sale -- --members 5000 --stock 2000 --shards 32 --connections 200 --duration 30
 *   npm run bench:flash-sale -- --units 2 --raw-seconds 5
 *   npm run bench:flash-sale -- --members 3000 --stock 3000 --shards 16 --connections 100   (issue 15's run)
 *   npm run bench:flash-sale -- --members 20000 --stock 500 --duration 30                   (far more demand than stock)
 *
 * Every option has a variable: BENCH_MEMBERS, BENCH_UNITS_PER_MEMBER, BENCH_STOCK, BENCH_SHARDS,
 * BENCH_CONNECTIONS, BENCH_DURATION_SECONDS, BENCH_RAW_SECONDS, BENCH_CLIENT.
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
    client: { type: 'string', default: process.env.BENCH_CLIENT ?? 'app' },
  },
});

const MEMBERS = positiveInteger('members', args.members);
const UNITS_PER_MEMBER = positiveInteger('units', args.units);
const STOCK = positiveInteger('stock', args.stock);
const SHARDS = positiveInteger('shards', args.shards);
const CONNECTIONS = positiveInteger('connections', args.connections);
const DURATION_SECONDS = positiveInteger('duration', args.duration);
const RAW_SECONDS = positiveInteger('raw-seconds', args['raw-seconds']);
const CLIENT = args.client;
if (CLIENT !== 'app' && CLIENT !== 'autocannon') throw new Error(`--client must be app or autocannon, got ${CLIENT}`);
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

  // --- Load: round-robin over the members, a fresh Idempotency-Key per redemption.
  const requestsPerMember = new Uint32Array(MEMBERS);
  const errorCodes = new Map<string, number>();
  let nextRequest = 0;
  let accepted = 0;
  let lastAcceptedAt = 0;
  /**
   * Every final answer: whether it sold, whether it was a refusal the handler decided (a 4xx other than 429: the
   * overload answers never reached it), and the table calls this process had sent by then.
   */
  const timeline: { sold: boolean; refused: boolean; calls: number }[] = [];
  const tableCalls = () => {
    const c = dbCallCounts();
    return c.reads + c.writes + c.queries + c.other;
  };
  const orderBody = JSON.stringify({ productId: PRODUCT_ID, quantity: 1, payment: 'POINTS' });
  const { localConcurrencyFromEnv } = await import('./local/concurrency.js');
  const local = localConcurrencyFromEnv();
  const clientNote =
    CLIENT === 'app'
      ? 'clients as the app: a 429 or 503 sent again after Retry-After plus up to 1 s of jitter, same key'
      : 'autocannon: the next request the moment an answer arrives, no retries';
  console.log(
    `flash sale: ${whole(CONNECTIONS)} clients for ${DURATION_SECONDS} s on ${api.url}/v1/orders (${clientNote}; ` +
      `npm start's local concurrency: ${local.inFlight} in flight per function, queue ${local.queueLength}, wait ${local.queueWaitMs} ms) ...`,
  );
  const nextMember = () => {
    const i = nextRequest % MEMBERS;
    nextRequest += 1;
    requestsPerMember[i] = (requestsPerMember[i] ?? 0) + 1;
    return i;
  };
  const codeOf = (status: number, body: string) => {
    try {
      return String((JSON.parse(body) as { code?: string }).code);
    } catch {
      // A body that is not problem+json is counted as such.
      return 'unparsed';
    }
  };
  /** A final answer: a 201, or a refusal by status and code (overload answers the client gave up on included). */
  const answered = (status: number, body: string) => {
    if (status === 201) {
      accepted += 1;
      lastAcceptedAt = Date.now();
    } else {
      const label = `${status} ${codeOf(status, body)}`;
      errorCodes.set(label, (errorCodes.get(label) ?? 0) + 1);
    }
    timeline.push({ sold: status === 201, refused: status >= 400 && status < 500 && status !== 429, calls: tableCalls() });
  };
  resetDbCallCounts();
  recorder.recording = true;
  const loadStart = Date.now();
  let load: { total: number; p50: number; p99: number; max: number; statusCounts: string; errors: number; timeouts: number; retried: number; endToEnd?: { p50: number; p99: number }; accepted?: { p50: number; p99: number } };
  if (CLIENT === 'autocannon') {
    const result = await autocannon({
      url: api.url,
      connections: CONNECTIONS,
      duration: DURATION_SECONDS,
      timeout: 60,
      requests: [
        {
          method: 'POST',
          path: '/v1/orders',
          setupRequest: (request) => {
            const i = nextMember();
            return {
              ...request,
              headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i] ?? ''}`, 'idempotency-key': `k-${randomUUID()}` },
              body: orderBody,
            };
          },
          onResponse: (status, body) => answered(status, body),
        },
      ],
    });
    load = {
      total: result.requests.total,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      statusCounts: Object.entries(result.statusCodeStats ?? {})
        .map(([code, stat]) => `${code}: ${whole(stat.count ?? 0)}`)
        .join(', '),
      errors: result.errors,
      timeouts: result.timeouts,
      retried: 0,
    };
  } else {
    // The app's client: one redemption at a time per client; an overload answer (429, 503) is sent again after
    // Retry-After with the same Idempotency-Key, until it is answered or the run ends.
    const deadline = loadStart + DURATION_SECONDS * 1000;
    const latencies: number[] = [];
    const acceptedLatencies: number[] = [];
    const redemptions: number[] = [];
    const statuses = new Map<number, number>();
    let errors = 0;
    let retried = 0;
    // Node's own HTTP client with keep-alive: fetch's web streams cost this process (which also runs the API) about
    // a sixth of its CPU, and the clients of a real sale are not in the function's process.
    const { Agent, request: httpRequest } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const target = new URL(`${api.url}/v1/orders`);
    const post = (headers: Record<string, string>) =>
      new Promise<{ status: number; text: string; retryAfter: number }>((resolvePost, rejectPost) => {
        const req = httpRequest({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolvePost({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfter: Number(res.headers['retry-after'] ?? 1) || 1 }),
          );
          res.on('error', rejectPost);
        });
        req.on('error', rejectPost);
        req.end(orderBody);
      });
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (Date.now() < deadline) {
          const i = nextMember();
          const headers = { 'content-type': 'application/json', authorization: `Bearer ${tokens[i] ?? ''}`, 'idempotency-key': `k-${randomUUID()}` };
          const first = performance.now();
          for (;;) {
            const sent = performance.now();
            const reply = await post(headers).catch(() => undefined);
            if (!reply) {
              errors += 1;
              break;
            }
            const { status, text, retryAfter } = reply;
            latencies.push(performance.now() - sent);
            if (status === 201) acceptedLatencies.push(performance.now() - sent);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            const wait = retryAfter * 1000 + Math.random() * 1000;
            if ((status === 429 || status === 503) && Date.now() + wait < deadline) {
              retried += 1;
              await new Promise((resolveWait) => setTimeout(resolveWait, wait));
              continue;
            }
            answered(status, text);
            redemptions.push(performance.now() - first);
            break;
          }
        }
      }),
    );
    const percentile = (values: number[], p: number) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted.length === 0 ? 0 : Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0);
    };
    load = {
      total: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.round(Math.max(0, ...latencies)),
      statusCounts: [...statuses]
        .sort(([a], [b]) => a - b)
        .map(([code, n]) => `${code}: ${whole(n)}`)
        .join(', '),
      errors,
      timeouts: 0,
      retried,
      endToEnd: { p50: percentile(redemptions, 50), p99: percentile(redemptions, 99) },
      accepted: { p50: percentile(acceptedLatencies, 50), p99: percentile(acceptedLatencies, 99) },
    };
    agent.destroy();
  }
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
  const raws: { concurrency: number; ok: number; failed: number; seconds: number; failures: Map<string, number> }[] = [];
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
    /** The bare transaction from `concurrency` clients for RAW_SECONDS. */
    const replay = async (concurrency: number) => {
      const rawStart = Date.now();
      const deadline = rawStart + RAW_SECONDS * 1000;
      const failures = new Map<string, number>();
      let ok = 0;
      let failed = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
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
      return { concurrency, ok, failed, seconds: (Date.now() - rawStart) / 1000, failures };
    };
    // At the concurrency the orders function ran at (npm start's local slots), then at the clients' own.
    raws.push(await replay(Math.min(CONNECTIONS, local.inFlight)));
    if (CONNECTIONS > local.inFlight) raws.push(await replay(CONNECTIONS));
    client.destroy();
  }

  // --- Report.
  const loadSeconds = (answeredAt - loadStart) / 1000;
  const saleSeconds = lastAcceptedAt > 0 ? (lastAcceptedAt - loadStart) / 1000 : 0;
  const redemptionsPerSecond = saleSeconds > 0 ? accepted / saleSeconds : 0;
  const perSecond = (raw: (typeof raws)[number]) => (raw.seconds > 0 ? raw.ok / raw.seconds : 0);
  // Table calls per refused request after the sell-out: from the last 201 to the end, every call this process sent
  // (redemptions, sold-out marking, refusal counters) over the refusals the handler answered in that time (4xx).
  let lastSale = timeline.length - 1;
  while (lastSale >= 0 && !timeline[lastSale]?.sold) lastSale -= 1;
  const afterSale = timeline.slice(lastSale + 1);
  const refusedAfterSale = afterSale.filter((answer) => answer.refused).length;
  const callsAfterSale = afterSale.length > 0 ? calls.reads + calls.writes + calls.queries + calls.other - (timeline[lastSale]?.calls ?? 0) : 0;
  const minimumItems = sampleUnits?.items.length ?? 0;
  const perRedemption = stock.sold > 0 ? sent.committedUnits / stock.sold : 0;

  console.log('');
  console.log(`flash sale: ${whole(MEMBERS)} members x ${UNITS_PER_MEMBER} unit(s), stock ${whole(STOCK)} over ${SHARDS} shards, ${CONNECTIONS} ${CLIENT === 'app' ? 'app clients' : 'autocannon connections'}, ${DURATION_SECONDS} s (local: DynamoDB Local + this process on this machine)`);
  console.log(
    `  requests             ${whole(nextRequest)} redemptions sent, ${whole(load.total)} HTTP answers in ${fixed(loadSeconds)} s: ${fixed(load.total / loadSeconds)} requests/s` +
      `${CLIENT === 'app' ? ` (${whole(load.retried)} overload answers sent again after Retry-After)` : ''}; the last ones finished ${fixed(drainedSeconds)} s later`,
  );
  console.log(`  latency              p50 ${load.p50} ms, p99 ${load.p99} ms, max ${load.max} ms (each HTTP answer)`);
  if (load.accepted) {
    const { p50, p99 } = load.accepted;
    console.log(`  accepted answers     p50 ${p50} ms, p99 ${p99} ms: p99 ${p50 > 0 ? fixed(p99 / p50, 2) : 'n/a'} x p50 (each 201, from its send; the queue wait of the local concurrency included)`);
  }
  if (load.endToEnd) console.log(`  redemption           p50 ${load.endToEnd.p50} ms, p99 ${load.endToEnd.p99} ms (first send to final answer, overload retries included)`);
  console.log(`  status codes         ${load.statusCounts || 'none'}; errors ${load.errors}, timeouts ${load.timeouts}`);
  console.log(`  refusals             ${[...errorCodes].map(([label, count]) => `${label}: ${whole(count)}`).join(', ') || 'none'}`);
  console.log(`  demand               ${whole(demand)} units (requests per member, at most ${UNITS_PER_MEMBER} each)`);
  console.log(
    `  orders accepted      ${whole(stock.sold)} (${whole(accepted)} 201s reached the clients before they stopped); shards sold ${whole(stock.sold)}, left ${whole(stock.available)}; ` +
      `expected between min(stock, demand - ${whole(shed)} shed - ${whole(unknown)} outcome unknown) = ${whole(atLeast)} and min(stock, demand) = ${whole(expected)}`,
  );
  console.log(`  points spent         ${whole(spent)} = ${whole(spent / PRICE)} units; wallets below zero: ${negativeWallets}`);
  console.log(`  last 201 after       ${fixed(saleSeconds)} s${stock.available === 0 ? " (sold out)" : ""}: ${fixed(redemptionsPerSecond)} redemptions/s while stock lasted`);
  console.log(`  DynamoDB calls       ${JSON.stringify(calls.byOperation)}`);
  console.log(
    `  after the sell-out   ${lastSale >= 0 && stock.available === 0 ? `${whole(refusedAfterSale)} refusals (4xx) after the last 201, ${whole(callsAfterSale)} table calls: ${fixed(refusedAfterSale > 0 ? callsAfterSale / refusedAfterSale : 0, 3)} table calls per refused request after the sell-out` : 'not sold out: no figure'}`,
  );
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
  for (const raw of raws) {
    console.log(
      `  bare transaction     ${whole(raw.ok)} in ${fixed(raw.seconds)} s at ${raw.concurrency} concurrent${raw.concurrency === Math.min(CONNECTIONS, local.inFlight) ? ' (as many as the orders function runs at once)' : ''}: ` +
        `${fixed(perSecond(raw))} transactions/s${raw.failed ? ` (${raw.failed} failed: ${JSON.stringify(Object.fromEntries(raw.failures))})` : ''}`,
    );
  }
  for (const raw of raws) {
    console.log(
      `  HTTP/bare ratio      ${perSecond(raw) > 0 ? fixed(redemptionsPerSecond / perSecond(raw), 2) : 'n/a'} at ${raw.concurrency} concurrent (redemptions/s through HTTP while stock lasted over bare transactions/s)`,
    );
  }

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
