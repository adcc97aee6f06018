/**
 * `npm start`: the whole backend on one machine. DynamoDB Local (the jar in
 * amplify-dynamodb-simulator, on this machine's java), the table from the
 * shared definition, demo data, an HTTP server that feeds the same handlers
 * through the same route table as API Gateway, an in-process event bus, and
 * the schedules on local timers.
 *
 *   npm start                      data kept in .data/dynamodb
 *   npm start -- --in-memory       throwaway database
 *   npm start -- --no-console-build  serve console/dist as it is (npm start builds it when its sources changed)
 *   PORT=4000 npm start            another HTTP port
 *   DATA_DIR=/tmp/pm npm start     keep data and dev keys elsewhere
 *   SUPPLIER_DELAY_MS=500 npm start  simulated suppliers call back faster (default 3000 ms per step)
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const { values: args } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: false },
    'no-seed': { type: 'boolean', default: false },
    'no-schedules': { type: 'boolean', default: false },
    'no-console-build': { type: 'boolean', default: false },
  },
});

const dataDir = resolve(process.env.DATA_DIR ?? join(root, '.data'));
const port = Number(process.env.PORT ?? 3000);
const supplierDelayMs = Number(process.env.SUPPLIER_DELAY_MS ?? 3000);
if (!Number.isInteger(supplierDelayMs) || supplierDelayMs < 0) {
  console.error(`SUPPLIER_DELAY_MS must be a whole number of milliseconds, got "${process.env.SUPPLIER_DELAY_MS}"`);
  process.exit(2);
}

// Environment first: handlers read their configuration once, at first use.
process.env.TABLE_NAME ??= 'points-mall';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'local';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
process.env.STAGE = 'local';
process.env.POWERTOOLS_LOG_LEVEL ??= process.env.LOG_LEVEL ?? 'WARN';
process.env.POWERTOOLS_DEV ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// The console builds (when its sources changed) while DynamoDB Local starts; the server listens once both are done.
const consoleBuild: Promise<unknown> = args['no-console-build']
  ? Promise.resolve()
  : import('./local/console.js')
      .then(({ buildConsoleIfStale }) => buildConsoleIfStale((line) => console.log(line)))
      .catch((error: unknown) => console.error('[console] build failed (the API still runs; npm run build:console shows why):', error));

const { requireJava, startDynamoDbLocal } = await import('./local/dynamodb-local.js');
requireJava();
const dynamo = await startDynamoDbLocal(args['in-memory'] ? {} : { dataDirectory: join(dataDir, 'dynamodb') });
process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;

let shuttingDown = false;
let stopStreams: () => void = () => undefined;
let stopSuppliers: () => Promise<void> = () => Promise.resolve();
async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    console.log('\nstopping: HTTP server, timers, stream pollers, simulated suppliers and payment providers, DynamoDB Local ...');
    stopStreams();
    await stopSuppliers();
    await dynamo.stop();
    console.log('stopped.');
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  const { ensureTable, localClient } = await import('./local/table.js');
  const { loadOrCreateCursorKey, loadOrCreateDevKeys } = await import('./local/dev-keys.js');
  const { LocalGateway, describeRoutes, lambdaContext, loadHandler } = await import('./local/gateway.js');
  const { LocalBus } = await import('./local/bus.js');
  const { LISTEN_BACKLOG, createLocalHttpServer } = await import('./local/http-server.js');
  const { useLocalEventSink } = await import('../shared/events/publisher.js');
  const { schedules, streamConsumers } = await import('../lib/routes.js');

  const client = localClient(dynamo.endpoint);
  const created = await ensureTable(client, process.env.TABLE_NAME);
  client.destroy();

  if (!args['no-seed']) {
    const { seedDemoData } = await import('./local/seed.js');
    await seedDemoData();
  }
  // A data directory from before the member search gets its index entries once (the deployed table: npm run backfill:member-indexes);
  // a new table has nothing written before them.
  const { backfillMemberIndexesOnce, markBackfillDone } = await import('../shared/members/backfill.js');
  if (created) await markBackfillDone();
  else {
    const backfilled = await backfillMemberIndexesOnce();
    if (backfilled) console.log(`member indexes backfilled: ${JSON.stringify(backfilled)}`);
  }
  // Likewise the operators' lists of products, coupon templates, orders and draws (the deployed table: npm run backfill:admin-lists).
  const { backfillAdminListsOnce, markAdminListsBackfillDone } = await import('../shared/mall/admin-lists-backfill.js');
  if (created) await markAdminListsBackfillDone();
  else {
    const backfilled = await backfillAdminListsOnce();
    if (backfilled) console.log(`operator lists backfilled: ${JSON.stringify(backfilled)}`);
  }

  const keys = await loadOrCreateDevKeys(join(dataDir, 'keys'));
  // List cursors are sealed with a dev key kept beside the JWT key (on AWS: a Secrets Manager secret).
  process.env.CURSOR_KEY ??= loadOrCreateCursorKey(join(dataDir, 'keys'));
  // The simulated suppliers' and payment providers' key pairs: the webhooks verify with the public keys.
  const { loadOrCreateSenderKeys } = await import('./local/webhook-keys.js');
  const senderKeys = loadOrCreateSenderKeys(join(dataDir, 'keys', 'webhooks'));
  process.env.WEBHOOK_SENDERS = senderKeys.config;
  // The adapters authenticate to the simulated suppliers with their dev credentials; the endpoints follow once they listen.
  const { localSupplierCredentials, startSimulatedSuppliers } = await import('./local/simulated-suppliers.js');
  process.env.SUPPLIER_CREDENTIALS = JSON.stringify(localSupplierCredentials);
  // The same for the payment providers' refund APIs (cash refunds).
  const { localPaymentCredentials, startSimulatedPayments } = await import('./local/simulated-payments.js');
  process.env.PAYMENT_CREDENTIALS = JSON.stringify(localPaymentCredentials);
  const gateway = new LocalGateway(keys);
  const bus = new LocalBus();
  useLocalEventSink(bus.publish);

  // The table stream's consumers (points reports, ...), as Lambda's event source mappings would run them.
  const { LocalStreams } = await import('./local/streams.js');
  const streams = new LocalStreams({
    endpoint: dynamo.endpoint,
    tableName: process.env.TABLE_NAME,
    onError: (consumer, error) => console.error(`[stream] ${consumer} failed (retried on the next poll):`, error),
  });
  streams.start(1000);
  stopStreams = () => streams.stop();

  const timers: NodeJS.Timeout[] = [];
  if (!args['no-schedules']) {
    for (const schedule of schedules) {
      const run = async () => {
        try {
          const handler = await loadHandler(schedule.fn);
          const result = await handler({ job: schedule.name }, lambdaContext(schedule.fn));
          console.log(`[schedule] ${schedule.name}: ${JSON.stringify((result as { stats?: unknown }).stats ?? result)}`);
        } catch (error) {
          console.error(`[schedule] ${schedule.name} failed:`, error);
        }
      };
      timers.push(setInterval(() => void run(), schedule.localEveryMinutes * 60_000));
    }
  }

  const { consoleRoutes } = await import('./local/console.js');
  const { supplierOutageRoutes } = await import('./local/supplier-outage.js');
  // Local-only routes: the console's, and the switch of a simulated supplier's outage (bin/local/supplier-outage.ts).
  let simulated: import('./local/simulated-suppliers.js').SimulatedSuppliers | undefined;
  const consoleOnes = consoleRoutes(keys);
  const outages = supplierOutageRoutes(() => simulated);
  const server = createLocalHttpServer(gateway, { localRoutes: async (request) => (await outages(request)) ?? consoleOnes(request) });
  await consoleBuild;
  server.on('error', (error) => {
    console.error(`HTTP server error: ${error.message}${'code' in error && error.code === 'EADDRINUSE' ? ` (port ${port} is taken; set PORT)` : ''}`);
    void shutdown(1);
  });
  await new Promise<void>((listening) => server.listen({ port, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, listening));
  {
    const base = `http://localhost:${port}`;
    // Started once our API listens, so their callbacks have somewhere to go; before any handler needs an adapter.
    const suppliers = await startSimulatedSuppliers({
      webhookBaseUrl: base,
      senderPrivateKeys: senderKeys.privateKeys,
      delayMs: supplierDelayMs,
      log: (line) => console.log(line),
    });
    simulated = suppliers;
    const payments = await startSimulatedPayments({
      webhookBaseUrl: base,
      senderPrivateKeys: senderKeys.privateKeys,
      delayMs: supplierDelayMs,
      log: (line) => console.log(line),
    });
    stopSuppliers = async () => {
      await Promise.all([suppliers.stop(), payments.stop()]);
    };
    process.env.SUPPLIER_ENDPOINTS = JSON.stringify(
      Object.fromEntries(Object.entries(suppliers.endpoints).map(([id, baseUrl]) => [id, { baseUrl }])),
    );
    process.env.PAYMENT_ENDPOINTS = JSON.stringify(Object.fromEntries(Object.entries(payments.endpoints).map(([id, baseUrl]) => [id, { baseUrl }])));
    console.log(
      [
        '',
        'Points mall backend is running locally.',
        `  API            ${base}   (try: curl ${base}/v1/health)`,
        `  OpenAPI        ${base}/v1/openapi.json   (rendered: ${base}/v1/docs)`,
        `  Console        ${base}/console/  (sign in as a demo operator: op-admin, op-marketer, op-support, op-analyst)`,
        `  DynamoDB Local ${dynamo.endpoint}  table ${process.env.TABLE_NAME}${created ? ' (created)' : ''}, ${args['in-memory'] ? 'in memory' : `data in ${join(dataDir, 'dynamodb')}`}`,
        `  Dev JWT key    ${keys.privateKeyPath ?? '(memory)'}  -> tokens: npm run token -- member m1 | admin | operator marketer | pos store1`,
        `  Cursor key     ${join(dataDir, 'keys', 'cursor-key.txt')} (seals list cursors; CURSOR_KEY overrides)`,
        `  Demo members   m1 (normal), m-silver, m-gold, m-diamond, m-friend (referred by m-gold)`,
        `  Webhook keys   ${join(dataDir, 'keys', 'webhooks')} (private keys of jd, tmall, wechatpay, alipay) -> npm run webhook -- suppliers jd '<json>'`,
        `  Suppliers      ${Object.entries(suppliers.endpoints).map(([id, url]) => `${id} ${url}`).join(', ')} (simulated; signed callbacks every ${supplierDelayMs} ms: ACCEPTED, SHIPPED, DELIVERED; sku REJECT* -> REJECTED)`,
        `  Outages        curl -X POST ${base}/local/suppliers/jd/outage (orders to jd fail: dead letters); curl -X DELETE ... lifts it`,
        `  Payments       ${Object.entries(payments.endpoints).map(([id, url]) => `${id} ${url}`).join(', ')} (simulated refund APIs; a signed refund callback after ${supplierDelayMs} ms: SUCCEEDED; payment id FAIL* -> FAILED)`,
        `  Demo mall      zones main (goods, supplier goods, coupon p-coffee-coupon, codes p-phone-topup), flash-sale (p-flash-sneakers, 8 shards), gold-club; campaign c-demo-double-points; pool pool-demo`,
        `  Demo orders    m-gold coffee coupon and m-diamond top-up code (fulfilled: refundable), m-silver tea set (placed: cancellable), m-diamond headphones (points+cash, awaiting payment) -> ${base}/console/orders`,
        `  Streams        ${streamConsumers.map((c) => `${c.name} (${c.entities.join(', ')})`).join(', ')}: polled every second`,
        `  Schedules      ${schedules.map((s) => `${s.name} every ${s.localEveryMinutes} min`).join(', ')}; run now: POST ${base}/v1/admin/jobs/<job>`,
        '',
        'Routes:',
        ...describeRoutes().map((r) => `  ${r}`),
        '',
        'Ctrl-C stops everything.',
      ].join('\n'),
    );
  }
  process.on('exit', () => timers.forEach(clearInterval));
} catch (error) {
  console.error('start-up failed:', error);
  await shutdown(1);
}
