/**
 * `npm run model:flash-sale`: a discrete-event model of a flash sale
 * (bin/model/flash-sale.ts) on AWS, or on this machine to check it against
 * `npm run bench:flash-sale`. Prints, for N units, M members and R
 * requests/s, the accepted rate, the cancelled transactions and their write
 * units, p50/p99 and the sold-out time, for each shard count.
 *
 *   npm run model:flash-sale                                   # 100,000 units, 500,000 members at 50,000/s, 64 and 256 shards, planned settings
 *   npm run model:flash-sale -- --rate 10000 --units 20000 --members 200000
 *   npm run model:flash-sale -- --settings deployed            # the stack's defaults (stage throttle 2,000/s, 100 reserved)
 *   npm run model:flash-sale -- --conflict-window-ms 2 --init-ms 250
 *   npm run model:flash-sale -- --profile local --compare bench-output.txt [--compare other.txt]
 *
 * --compare reads the saved output of `npm run bench:flash-sale` (load
 * averages printed by `cat /proc/loadavg` in the same file are shown), runs
 * the local profile with that run's settings and its bare transaction rate,
 * and prints measured against modelled.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SALE_DEFAULTS, simulate, type AwsPlatform, type LocalPlatform, type ModelResult, type ModelSettings } from './model/flash-sale.js';
import { AWS_DEPLOYED, LOCAL_MACHINE, LOCAL_QUIET_MACHINE, localMachineFor, localTransactMs, parseBenchReport, plannedAws, type BenchReport } from './model/profiles.js';

const { values: args } = parseArgs({
  options: {
    profile: { type: 'string', default: 'aws' },
    settings: { type: 'string', default: 'planned' },
    units: { type: 'string', default: '100000' },
    members: { type: 'string', default: '500000' },
    'units-per-member': { type: 'string', default: '1' },
    rate: { type: 'string', default: '50000' },
    shards: { type: 'string', default: '64,256' },
    retries: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    // AWS
    'stage-rate': { type: 'string' },
    'stage-burst': { type: 'string' },
    'account-rate': { type: 'string' },
    'account-burst': { type: 'string' },
    reserved: { type: 'string' },
    provisioned: { type: 'string' },
    'account-concurrency': { type: 'string' },
    'init-ms': { type: 'string' },
    'conflict-window-ms': { type: 'string' },
    'table-wcu': { type: 'string' },
    'transact-median-ms': { type: 'string' },
    'cancelled-free': { type: 'boolean', default: false },
    // Local
    connections: { type: 'string', default: '100' },
    duration: { type: 'string', default: '20' },
    machine: { type: 'string', default: 'quiet' },
    'loop-share': { type: 'string' },
    'database-share': { type: 'string' },
    'transact-ms': { type: 'string' },
    compare: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  process.stdout.write(`npm run model:flash-sale -- [options]

A discrete-event model of a flash sale. Prints, for N units, M members and R requests/s, the accepted rate, the
cancelled transactions and their write units, p50/p99 and the sold-out time, for each shard count.

The sale
  --units N                 units on sale (default 100000)
  --members M               members tapping "redeem" (default 500000)
  --units-per-member K      units one member may take (default 1)
  --rate R                  requests/s offered (default 50000)
  --shards LIST             stock shard counts to model, comma-separated (default 64,256)
  --retries N               times a member's app sends an overload answer (429, 503) again after Retry-After (default 2)
  --seed N                  random seed (default 1)
  --json                    print the results as JSON

Where it runs
  --profile aws|local       AWS (default) or this machine, to check the model against npm run bench:flash-sale
  --settings planned|deployed
                            AWS settings: those docs/flash-sale.md plans for the rate (default) or the stack's defaults

AWS, overriding the settings
  --stage-rate, --stage-burst, --account-rate, --account-burst   API Gateway throttles (requests/s, burst)
  --reserved, --provisioned, --account-concurrency               Lambda concurrency
  --init-ms, --conflict-window-ms, --table-wcu, --transact-median-ms, --cancelled-free

Local
  --connections N           benchmark connections (default 100)
  --duration S              seconds (default 20)
  --machine quiet|shared    machine profile: nothing else running (default) or other load on the cores
  --loop-share, --database-share, --transact-ms                  the machine's measured shares and transaction time
  --compare FILE            a saved bench:flash-sale output: model that run and print measured against modelled (repeatable)
`);
  process.exit(0);
}

function num(name: string, text: string | undefined, fallback?: number): number {
  if (text === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required`);
    return fallback;
  }
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number of at least 0, got "${text}"`);
  return value;
}

const whole = (n: number) => Math.round(n).toLocaleString('en');
const fixed = (n: number, digits = 1) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (model: number, measured: number) => (measured === 0 ? 'n/a' : `${model >= measured ? '+' : ''}${fixed(((model - measured) / measured) * 100, 0)} %`);

function awsPlatform(rate: number): AwsPlatform {
  if (args.settings !== 'planned' && args.settings !== 'deployed') throw new Error('--settings is planned or deployed');
  const base = args.settings === 'planned' ? plannedAws(rate) : AWS_DEPLOYED;
  const p: AwsPlatform = {
    ...base,
    stageRate: num('stage-rate', args['stage-rate'], base.stageRate),
    stageBurst: num('stage-burst', args['stage-burst'], base.stageBurst),
    accountRate: num('account-rate', args['account-rate'], base.accountRate),
    accountBurst: num('account-burst', args['account-burst'], base.accountBurst),
    reservedConcurrency: args.reserved === undefined ? base.reservedConcurrency : num('reserved', args.reserved),
    provisionedConcurrency: num('provisioned', args.provisioned, base.provisionedConcurrency),
    accountConcurrency: num('account-concurrency', args['account-concurrency'], base.accountConcurrency),
    initMs: num('init-ms', args['init-ms'], base.initMs),
    conflictWindowMs: num('conflict-window-ms', args['conflict-window-ms'], base.conflictWindowMs),
    tableWcu: num('table-wcu', args['table-wcu'], base.tableWcu),
    cancelledUseCapacity: !args['cancelled-free'],
  };
  const median = args['transact-median-ms'];
  return median === undefined ? p : { ...p, transactMs: { median: num('transact-median-ms', median), p99: (p.transactMs.p99 / p.transactMs.median) * num('transact-median-ms', median) } };
}

/** `--machine quiet` (nothing else running, the default) or `shared` (other sessions' load on the two cores). */
function namedMachine(): LocalPlatform {
  if (args.machine !== 'quiet' && args.machine !== 'shared') throw new Error('--machine is quiet or shared');
  return args.machine === 'quiet' ? LOCAL_QUIET_MACHINE : LOCAL_MACHINE;
}

function localPlatform(machine: LocalPlatform, measured?: { transactMs: number }): LocalPlatform {
  return {
    ...machine,
    loopShare: num('loop-share', args['loop-share'], machine.loopShare),
    databaseShare: num('database-share', args['database-share'], machine.databaseShare),
    transactMs: num('transact-ms', args['transact-ms'], measured?.transactMs ?? machine.transactMs),
  };
}

function row(label: string, values: string[]): string {
  return `  ${label.padEnd(30)}${values.map((v) => ` ${v}`.padStart(22)).join('')}`;
}

function report(results: ModelResult[]): void {
  const first = results[0]?.settings as ModelSettings;
  const { sale, load, platform } = first;
  const loadText = load.kind === 'open' ? `${whole(load.rate)} requests/s (members tap once, ${load.clientRetries} retries of 429/500/503 after Retry-After)` : `${load.connections} ${load.client === 'app' ? 'app clients' : 'connections'} for ${load.durationS} s`;
  console.log(`flash sale model (${platform.kind}): ${whole(sale.units)} units, ${whole(sale.members)} members x ${sale.unitsPerMember}, ${loadText}`);
  if (platform.kind === 'aws') {
    console.log(
      `  settings (${args.settings}): stage throttle ${whole(platform.stageRate)}/s burst ${whole(platform.stageBurst)}; account ${whole(platform.accountRate)}/s burst ${whole(platform.accountBurst)}; ` +
        `orders reserved ${platform.reservedConcurrency === undefined ? 'none' : whole(platform.reservedConcurrency)}, provisioned ${whole(platform.provisionedConcurrency)}, account concurrency ${whole(platform.accountConcurrency)}; ` +
        `init ${platform.initMs} ms; table ${whole(platform.tableWcu)} WCU/s; conflict window ${platform.conflictWindowMs} ms; transaction ${platform.transactMs.median}/${platform.transactMs.p99} ms (p50/p99)`,
    );
  } else {
    console.log(
      `  local: ${platform.inFlight} in flight, queue ${platform.queueLength}, wait ${platform.queueWaitMs} ms; while both are busy the loop keeps ${platform.loopShare} of its pace, DynamoDB Local ${platform.databaseShare}; ` +
        `DynamoDB Local ${fixed(platform.transactMs, 1)} ms per transaction alone`,
    );
  }
  const out = (label: string, f: (r: ModelResult) => string) => console.log(row(label, results.map(f)));
  console.log(row('', results.map((r) => `${r.settings.sale.shards} shards`)));
  const answered = (r: ModelResult, prefix: string) => Object.entries(r.answers).filter(([k]) => k.startsWith(prefix)).reduce((s, [, n]) => s + n, 0);
  out('requests (incl. retries)', (r) => whole(r.requests));
  out('units sold', (r) => whole(r.sold));
  out('accepted rate (while stock lasted)', (r) => `${whole(r.acceptedPerS)}/s`);
  out('sold out after', (r) => (r.soldOutS === undefined ? 'not sold out' : `${fixed(r.soldOutS, 2)} s`));
  out('last 201 at the client', (r) => (r.last201S === undefined ? '-' : `${fixed(r.last201S, 2)} s`));
  out('latency p50 / p99 (all)', (r) => `${whole(r.latency.p50)} / ${whole(r.latency.p99)} ms`);
  out('latency p50 / p99 (201s)', (r) => `${whole(r.latency201.p50)} / ${whole(r.latency201.p99)} ms`);
  for (const status of ['201', '409', '429', '500', '503']) out(`answers ${status}`, (r) => whole(answered(r, status)));
  out('transactions committed', (r) => whole(r.transactions.committed));
  for (const reason of ['conflict', 'stock', 'wallet', 'throttled']) {
    out(`  cancelled: ${reason}`, (r) => whole(r.transactions.cancelled[reason] ?? 0));
  }
  out('cancelled per order', (r) => fixed(Object.values(r.transactions.cancelled).reduce((s, n) => s + n, 0) / Math.max(1, r.transactions.committed), 2));
  out('WCU committed / cancelled', (r) => `${whole(r.wcu.committed)} / ${whole(r.wcu.cancelled)}`);
  out('table calls per late refusal', (r) => fixed(r.callsPerLateRefusal, 2));
  out('peak WCU/s used: shard / table', (r) => `${whole(r.peakShardWcu)} / ${whole(r.peakTableWcu)}`);
  if (platform.kind === 'aws') {
    out('cold starts / peak concurrency', (r) => `${whole(r.lambda.coldStarts)} / ${whole(r.lambda.peakConcurrency)} at ${fixed(r.lambda.peakAtS, 2)} s`);
    out('Lambda throttles (HTTP 500)', (r) => whole(r.lambda.throttles));
  }
}

const FIGURES = ['accepted rate', 'sold-out time', 'p50', 'p99'] as const;

/** Runs the local profile with a benchmark run's settings; says which of the four figures are within 25 %. */
function compare(path: string): boolean[] {
  const bench: BenchReport = parseBenchReport(readFileSync(path, 'utf8'));
  // DynamoDB Local's time per transaction from the same run's bare transactions.
  const transactMs = localTransactMs(bench.bareTransactionsPerS);
  const machine = localMachineFor(bench.loadAverages);
  const settings: ModelSettings = {
    seed: num('seed', args.seed),
    sale: { ...SALE_DEFAULTS, units: bench.stock, members: bench.members, unitsPerMember: bench.unitsPerMember, shards: bench.shards },
    load: { kind: 'closed', connections: bench.connections, durationS: bench.durationS, client: bench.client },
    platform: localPlatform(machine, { transactMs }),
  };
  const model = simulate(settings);
  console.log(
    `\n${path}: ${whole(bench.members)} members, stock ${whole(bench.stock)} over ${bench.shards} shards, ${bench.connections} ${bench.client === 'app' ? 'app clients' : 'connections'}, ${bench.durationS} s; ` +
      `load average ${bench.loadAverages.map((l) => fixed(l, 2)).join(' -> ') || 'not recorded'}; ` +
      `bare ${fixed(bench.bareTransactionsPerS)} transactions/s -> ${fixed(transactMs, 1)} ms each; ` +
      `${machine === LOCAL_QUIET_MACHINE ? 'quiet' : 'shared'} machine profile (loop ${machine.loopShare}, DynamoDB Local ${machine.databaseShare})`,
  );
  console.log(`  ${''.padEnd(32)}${'measured'.padStart(12)}${'model'.padStart(12)}${'error'.padStart(10)}`);
  const line = (label: string, measured: number, modelled: number, counted: boolean): boolean => {
    const within = Math.abs(modelled - measured) / measured <= 0.25;
    console.log(`  ${label.padEnd(32)}${fixed(measured).padStart(12)}${fixed(modelled).padStart(12)}${pct(modelled, measured).padStart(10)}${counted && !within ? '  off by more than 25 %' : ''}`);
    return within;
  };
  const verdicts: boolean[] = [];
  verdicts.push(line('accepted rate (redemptions/s)', bench.acceptedPerS, model.answered201PerS, true));
  if (bench.soldOut) verdicts.push(line('sold out (last 201, s)', bench.last201S, model.last201S ?? Number.NaN, true));
  else {
    // The stock lasted: the last 201 only marks the end of the run; the model must not sell out either.
    const lasted = model.soldOutS === undefined;
    console.log(`  ${'sold out'.padEnd(32)}${'no'.padStart(12)}${(lasted ? 'no' : `${fixed(model.soldOutS ?? 0)} s`).padStart(12)}${lasted ? '' : '  sold out, the run did not'}`);
    verdicts.push(lasted);
  }
  // The 201s' latency where the output has it: every answer's p50 falls among the quick 503s or among the 201s
  // depending on which are the more numerous, so a few percent more shed answers move it tenfold.
  if (bench.accepted) {
    verdicts.push(line('latency p50 of 201s (ms)', bench.accepted.p50, model.latency201.p50, true));
    verdicts.push(line('latency p99 of 201s (ms)', bench.accepted.p99, model.latency201.p99, true));
    line('latency p50, every answer (ms)', bench.p50, model.latency.p50, false);
    line('latency p99, every answer (ms)', bench.p99, model.latency.p99, false);
  } else {
    verdicts.push(line('latency p50 (ms)', bench.p50, model.latency.p50, true));
    verdicts.push(line('latency p99 (ms)', bench.p99, model.latency.p99, true));
  }
  // The redemption's logic, which carries over to AWS: what it sends to the table and what fails there.
  line('requests sent', bench.requests, model.requests, false);
  line('TransactWriteItems', bench.dbCalls.TransactWriteItems ?? 0, model.dbCalls.TransactWriteItems ?? 0, false);
  line('  cancelled on a stock shard', bench.cancelledOnStock, model.transactions.cancelled.stock ?? 0, false);
  line('  cancelled on a wallet', bench.cancelledOnWallet, model.transactions.cancelled.wallet ?? 0, false);
  line('BatchGetItem (fallback reads)', bench.dbCalls.BatchGetItem ?? 0, model.dbCalls.BatchGetItem ?? 0, false);
  return verdicts;
}

try {
  if (args.profile !== 'aws' && args.profile !== 'local') throw new Error('--profile is aws or local');
  if (args.compare?.length) {
    if (args.profile !== 'local') throw new Error('--compare checks the local profile against a local benchmark: add --profile local');
    const verdicts = args.compare.map(compare);
    const runs = verdicts.length;
    console.log(`\nwithin 25 %: ${FIGURES.map((figure, i) => `${figure} ${verdicts.filter((v) => v[i]).length} of ${runs}`).join(', ')}; all four ${verdicts.filter((v) => v.every(Boolean)).length} of ${runs}`);
  } else {
    const shardCounts = String(args.shards)
      .split(',')
      .map((s) => num('shards', s.trim()));
    const rate = num('rate', args.rate);
    const results = shardCounts.map((shards) =>
      simulate({
        seed: num('seed', args.seed),
        sale: { ...SALE_DEFAULTS, units: num('units', args.units), members: num('members', args.members), unitsPerMember: num('units-per-member', args['units-per-member']), shards },
        load:
          args.profile === 'aws'
            ? { kind: 'open', rate, clientRetries: num('retries', args.retries), retryAfterMs: 1_000 }
            : { kind: 'closed', connections: num('connections', args.connections), durationS: num('duration', args.duration) },
        platform: args.profile === 'aws' ? awsPlatform(rate) : localPlatform(namedMachine()),
      }),
    );
    if (args.json) console.log(JSON.stringify(results, null, 2));
    else report(results);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
