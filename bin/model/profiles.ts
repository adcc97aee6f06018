/**
 * The model's parameters and where each comes from: the stack (lib/routes.ts,
 * lib/points-mall-stack.ts), AWS's published limits, assumptions named as
 * such, and, for the local profile, measurements of this machine.
 */
import { ACCOUNT_CONCURRENCY, functions } from '../../lib/routes.js';
import type { AwsPlatform, LocalPlatform } from './flash-sale.js';

const ordersReserved = functions.orders.reservedConcurrency;
const otherReserved = Object.entries(functions).reduce((sum, [name, spec]) => sum + (name === 'orders' ? 0 : (spec.reservedConcurrency ?? 0)), 0);

/** The stack as deployed by default, on an account with default quotas. */
export const AWS_DEPLOYED: AwsPlatform = {
  kind: 'aws',
  // lib/points-mall-stack.ts: apiRateLimit 2,000, apiBurstLimit 5,000; API Gateway's default account quota per Region: 10,000/s, burst 5,000.
  stageRate: 2_000,
  stageBurst: 5_000,
  accountRate: 10_000,
  accountBurst: 5_000,
  // Assumption: an HTTP API's own overhead, a few milliseconds.
  gatewayMs: { median: 5, p99: 20 },
  reservedConcurrency: ordersReserved,
  accountConcurrency: ACCOUNT_CONCURRENCY,
  otherReserved,
  provisionedConcurrency: 0,
  // Lambda: each function scales by 1,000 execution environments every 10 seconds.
  scaleBurst: 1_000,
  scalePerSecond: 100,
  // Issue 15: `orders` loads in 414 ms with the SDK external (245 ms bundled); plus the sandbox's start (assumption: ~100 ms).
  initMs: 500,
  // Assumptions for a 1,024 MB function and DynamoDB in the same Region ("single-digit milliseconds" for one item).
  handlerMs: { median: 4, p99: 15 },
  getItemMs: { median: 4, p99: 15 },
  batchGetMs: { median: 8, p99: 30 },
  updateItemMs: { median: 6, p99: 20 },
  transactMs: { median: 15, p99: 50 },
  // Assumption (not published): an item stays prepared for a few milliseconds of a transaction's two phases.
  conflictWindowMs: 5,
  // DynamoDB's per-partition limits; one item always lives in one partition.
  partitionWcu: 1_000,
  partitionRcu: 3_000,
  // An on-demand table's default maximum throughput (raise it, and set warm throughput, before a sale).
  tableWcu: 40_000,
  cancelledUseCapacity: true,
};

/**
 * Generous settings for a sale at `rate` requests/s (`--settings planned`): the model then shows what the sale
 * uses (peak concurrency, peak WCU/s), which is what to provision, with a margin (docs/flash-sale.md).
 */
export function plannedAws(rate: number, base: AwsPlatform = AWS_DEPLOYED, wcuPerOrder = 14): AwsPlatform {
  // Up to 200 ms of an instance per request: four times the 50 ms lib/routes.ts plans with, for conflict retries,
  // the fallback reads at the sell-out and the tail.
  const reserved = Math.max(ordersReserved ?? 100, Math.ceil(rate * 0.2));
  return {
    ...base,
    stageRate: Math.round(rate * 1.1),
    stageBurst: Math.ceil(rate),
    accountRate: Math.max(base.accountRate, Math.round(rate * 1.2)),
    accountBurst: Math.max(base.accountBurst, Math.ceil(rate)),
    reservedConcurrency: reserved,
    provisionedConcurrency: reserved,
    accountConcurrency: Math.max(base.accountConcurrency, reserved + otherReserved + 1_000),
    // Cancelled attempts use write capacity too: three times the committed writes' rate.
    tableWcu: Math.max(base.tableWcu, Math.ceil(rate * wcuPerOrder * 3)),
  };
}

/**
 * `npm run bench:flash-sale` on this machine (two cores shared with other
 * sessions): npm start's local concurrency (bin/local/concurrency.ts), and
 * the time the event loop and DynamoDB Local spend, in ms at the pace each has
 * while the other is idle (docs/flash-sale.md, "Model of a sale on AWS").
 * Measured: the process's CPU per request with `process.cpuUsage()` over
 * instrumented runs (about 0.3 ms per shed request, autocannon's side
 * included; about 7.5 ms per redemption, all of the process's threads), a
 * GetItem from a bare run of GetItems (640/s), a transaction from each
 * benchmark's own bare run (`localTransactMs`). Fitted to the default run and
 * a 20-connection run (load average 5 to 9): the split of the redemption's
 * CPU over its callbacks (5.6 ms on the loop, 4.5 of them around the
 * transaction) and the shares each process keeps while both are busy; over
 * nine runs, `loadExponent`. The runs are in bin/model/calibration/; the
 * model does not predict all of them within 25 % (docs/flash-sale.md).
 */
export const LOCAL_MACHINE: LocalPlatform = {
  kind: 'local',
  loopShare: 0.5,
  databaseShare: 0.45,
  inFlight: 8,
  queueLength: 32,
  queueWaitMs: 250,
  lambdaLimit: ordersReserved ?? 100,
  arrivalMs: 0.15,
  clientMs: 0.15,
  handlerMs: 0.64,
  dbCallbackMs: 0.24,
  transactCpuMs: 4.5,
  transactMs: 11.7,
  referenceTransactMs: 11.7,
  loadExponent: 0.5,
  getItemMs: 0.8,
  batchGetMs: 1.6,
  updateItemMs: 0.8,
};

/**
 * The same machine running nothing but the benchmark (the load average before the run below
 * `QUIET_LOAD_AVERAGE`): each process keeps more of its pace while the other is busy. Fitted on the four quiet
 * runs `bin/model/calibration/quiet-a` to `quiet-d` (app clients, load average 0.3 to 2.2), checked on `quiet-e` and
 * `quiet-f`, taken after the fit (docs/flash-sale.md).
 */
export const LOCAL_QUIET_MACHINE: LocalPlatform = { ...LOCAL_MACHINE, loopShare: 0.8, databaseShare: 0.8 };

/** Below this one-minute load average before a run (the benchmark's own two processes make about 2), the machine was quiet. */
export const QUIET_LOAD_AVERAGE = 3;

/** The local profile for a saved benchmark run: quiet or shared by the load average printed before it. */
export function localMachineFor(loadAverages: readonly number[]): LocalPlatform {
  const before = loadAverages[0];
  return before !== undefined && before < QUIET_LOAD_AVERAGE ? LOCAL_QUIET_MACHINE : LOCAL_MACHINE;
}

/**
 * DynamoDB Local's time per transaction when it has the CPU to itself: the
 * bare run keeps it busy with one transaction after another (its client's own
 * CPU is left out), so its rate is the inverse.
 */
export function localTransactMs(bareTransactionsPerS: number): number {
  return 1000 / bareTransactionsPerS;
}

/** What a `bench:flash-sale` output says: the settings it ran with and the figures the model predicts. */
export interface BenchReport {
  readonly members: number;
  readonly unitsPerMember: number;
  readonly stock: number;
  readonly shards: number;
  readonly connections: number;
  /** How the run's clients met an overload answer: `app` sent it again after Retry-After, `autocannon` went on. */
  readonly client: 'app' | 'autocannon';
  readonly durationS: number;
  readonly requests: number;
  /** Every HTTP answer's latency: with app clients a mix of quick 503s and 201s, so its p50 sits in one or the other. */
  readonly p50: number;
  readonly p99: number;
  /** The 201 answers' latency (printed since the app clients; older outputs have none). */
  readonly accepted?: { readonly p50: number; readonly p99: number };
  readonly last201S: number;
  /** Whether the stock ran out (otherwise the last 201 only marks the end of the run). */
  readonly soldOut: boolean;
  readonly acceptedPerS: number;
  /** The bare transactions per second of the same run, and at what concurrency. */
  readonly bareTransactionsPerS: number;
  readonly bareConcurrency: number;
  /** Load averages printed around the run, if any. */
  readonly loadAverages: readonly number[];
  /** Transactions cancelled by a failed condition on a stock shard and on a wallet. */
  readonly cancelledOnStock: number;
  readonly cancelledOnWallet: number;
  /** DynamoDB calls by operation during the sale. */
  readonly dbCalls: Readonly<Record<string, number>>;
}

const number = (text: string | undefined): number => Number((text ?? '').replace(/,/g, ''));

/** Reads the text `npm run bench:flash-sale` prints (a saved copy of its output); throws naming what is missing. */
export function parseBenchReport(text: string): BenchReport {
  const need = (pattern: RegExp, what: string): RegExpExecArray => {
    const match = pattern.exec(text);
    if (!match) throw new Error(`the benchmark output has no ${what} (expected a line matching ${pattern})`);
    return match;
  };
  const header = need(
    /flash sale: ([\d,]+) members x (\d+) unit\(s\), stock ([\d,]+) over (\d+) shards, (\d+) (app clients|autocannon connections|connections), (\d+) s/,
    'settings line',
  );
  const requests = need(/requests\s+([\d,]+) (?:redemptions )?sent/, 'requests line');
  const latency = need(/latency\s+p50 ([\d.]+) ms, p99 ([\d.]+) ms/, 'latency line');
  const accepted = /accepted answers\s+p50 ([\d.]+) ms, p99 ([\d.]+) ms/.exec(text);
  const last = need(/last 201 after\s+([\d.]+) s( \(sold out\))?: ([\d.]+) redemptions\/s/, '"last 201 after" line');
  // The bare replay at the clients' own concurrency (a run also prints it at the function's local slots first).
  const bares = [...text.matchAll(/bare transaction\s+[\d,]+ in [\d.]+ s at (\d+) concurrent(?: \([^)]*\))?: ([\d.,]+) transactions\/s/g)];
  const bare = bares.at(-1);
  if (!bare) throw new Error('the benchmark output has no bare transaction line (expected "bare transaction ... at <n> concurrent: <r> transactions/s")');
  const calls = /DynamoDB calls\s+(\{.*\})/.exec(text);
  const cancelledOn = (kind: string) => number(new RegExp(`ConditionalCheckFailed on ${kind}: ([\\d,]+)`).exec(text)?.[1] ?? '0');
  const loads = [...text.matchAll(/^(\d+\.\d+) \d+\.\d+ \d+\.\d+ \d+\/\d+ \d+$/gm)].map((m) => Number(m[1]));
  return {
    members: number(header[1]),
    unitsPerMember: number(header[2]),
    stock: number(header[3]),
    shards: number(header[4]),
    connections: number(header[5]),
    // Outputs from before the app clients said "connections": those runs were autocannon's.
    client: header[6] === 'app clients' ? 'app' : 'autocannon',
    durationS: number(header[7]),
    requests: number(requests[1]),
    p50: number(latency[1]),
    p99: number(latency[2]),
    ...(accepted ? { accepted: { p50: number(accepted[1]), p99: number(accepted[2]) } } : {}),
    last201S: number(last[1]),
    soldOut: last[2] !== undefined,
    acceptedPerS: number(last[3]),
    bareConcurrency: number(bare[1]),
    bareTransactionsPerS: number(bare[2]),
    loadAverages: loads,
    cancelledOnStock: cancelledOn('STOCK'),
    cancelledOnWallet: cancelledOn('WALLET'),
    dbCalls: calls ? (JSON.parse(calls[1] as string) as Record<string, number>) : {},
  };
}
