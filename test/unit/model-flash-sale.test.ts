import { describe, expect, it } from 'vitest';
import { EventQueue, logNormal, seededRandom } from '../../bin/model/event-queue.js';
import { SALE_DEFAULTS, simulate, type AwsPlatform, type LocalPlatform, type ModelSettings } from '../../bin/model/flash-sale.js';
import { AWS_DEPLOYED, LOCAL_MACHINE, LOCAL_QUIET_MACHINE, localMachineFor, parseBenchReport, plannedAws } from '../../bin/model/profiles.js';
import { CpuServer, SharedMachine } from '../../bin/model/shared-cpu.js';

/** A quiet AWS: no gateway or Lambda limit in the way, fixed latencies, so a test isolates one mechanism. */
const quietAws: AwsPlatform = {
  ...AWS_DEPLOYED,
  stageRate: 1e9,
  stageBurst: 1e9,
  accountRate: 1e9,
  accountBurst: 1e9,
  reservedConcurrency: 100_000,
  provisionedConcurrency: 100_000,
  accountConcurrency: 200_000,
  gatewayMs: { median: 1, p99: 1 },
  handlerMs: { median: 1, p99: 1 },
  getItemMs: { median: 2, p99: 2 },
  batchGetMs: { median: 4, p99: 4 },
  updateItemMs: { median: 2, p99: 2 },
  transactMs: { median: 10, p99: 10 },
  conflictWindowMs: 0,
  tableWcu: 1e9,
};

function awsSale(overrides: { units?: number; members?: number; shards?: number; rate?: number; retries?: number; platform?: Partial<AwsPlatform>; seed?: number } = {}): ModelSettings {
  return {
    seed: overrides.seed ?? 7,
    sale: { ...SALE_DEFAULTS, units: overrides.units ?? 1_000, members: overrides.members ?? 3_000, shards: overrides.shards ?? 16 },
    load: { kind: 'open', rate: overrides.rate ?? 1_000, clientRetries: overrides.retries ?? 0, retryAfterMs: 1_000 },
    platform: { ...quietAws, ...overrides.platform },
  };
}

describe('event queue', () => {
  it('runs events in time order, and events at the same time in the order they were scheduled', () => {
    const queue = new EventQueue();
    const seen: string[] = [];
    queue.after(5, () => seen.push('b'));
    queue.after(1, () => {
      seen.push('a');
      queue.after(4, () => seen.push('c'));
    });
    queue.after(5, () => seen.push('b2'));
    queue.after(9, () => seen.push('d'));
    expect(queue.runUntil(6)).toBe(4);
    expect(seen).toEqual(['a', 'b', 'b2', 'c']);
    expect(queue.now).toBe(5);
    queue.runUntil();
    expect(seen.at(-1)).toBe('d');
    expect(() => queue.after(-1, () => undefined)).toThrow(/cannot be scheduled/);
  });

  it('keeps order over many random events (the heap)', () => {
    const queue = new EventQueue();
    const random = seededRandom(3);
    const times: number[] = [];
    for (let i = 0; i < 5_000; i += 1) queue.after(random() * 1_000, () => times.push(queue.now));
    queue.runUntil();
    expect(times).toHaveLength(5_000);
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] as number))).toBe(true);
  });

  it('samples log-normal latencies with the median and p99 asked for', () => {
    const random = seededRandom(11);
    const samples = Array.from({ length: 40_000 }, () => logNormal(random, 15, 50)).sort((a, b) => a - b);
    expect(samples[20_000]).toBeGreaterThan(14);
    expect(samples[20_000]).toBeLessThan(16);
    expect(samples[39_600]).toBeGreaterThan(45);
    expect(samples[39_600]).toBeLessThan(55);
  });
});

describe('shared CPU', () => {
  it('halves the pace of both servers while both are busy on one core, and restores it when one is idle', () => {
    const queue = new EventQueue();
    const machine = new SharedMachine();
    const a = machine.add(new CpuServer(queue, machine, 0.5));
    const b = machine.add(new CpuServer(queue, machine, 0.5));
    const ends: Record<string, number> = {};
    a.submit({ start: () => 10, end: () => (ends.a = queue.now) });
    queue.after(4, () => b.submit({ start: () => 2, end: () => (ends.b = queue.now) }));
    queue.runUntil();
    // b runs 2 ms of work at half pace from 4 ms: ends at 8. a did 4 ms alone, 2 ms in those 4 shared, then 4 ms alone.
    expect(ends.b).toBeCloseTo(8, 9);
    expect(ends.a).toBeCloseTo(12, 9);
  });
});

describe('flash-sale model on AWS', () => {
  it('never sells more than the stock, sells out when demand exceeds it, and gives the same sale for the same seed', () => {
    const first = simulate(awsSale());
    expect(first.sold).toBe(1_000);
    expect(first.transactions.committed).toBe(first.sold);
    expect(first.answers['201 CREATED']).toBe(1_000);
    expect(first.soldOutS).toBeGreaterThan(0);
    expect(first.answers['409 OUT_OF_STOCK']).toBe(2_000);
    expect(simulate(awsSale())).toEqual(first);
    const short = simulate(awsSale({ units: 5_000, members: 2_000 }));
    expect(short.sold).toBe(2_000);
    expect(short.soldOutS).toBeUndefined();
  });

  it('cancels transactions on a shard another transaction holds, and none without a conflict window', () => {
    const hot = { units: 1_500, members: 1_500, shards: 1, rate: 100 };
    expect(simulate(awsSale(hot)).transactions.cancelled.conflict ?? 0).toBe(0);
    const contended = simulate(awsSale({ ...hot, platform: { conflictWindowMs: 5, cancelledUseCapacity: false } }));
    // 100/s on one item held 5 ms each: about 1 - e^(-0.5) of the first attempts collide; the backoff retries them.
    expect(contended.transactions.cancelled.conflict).toBeGreaterThan(300);
    expect(contended.sold).toBe(1_500);
    // Above 1 / window (200/s at 5 ms) one item cannot keep up: the retries pile up until the deadline answers 503.
    const storm = simulate(awsSale({ ...hot, rate: 400, platform: { conflictWindowMs: 5, cancelledUseCapacity: false } }));
    expect(storm.transactions.cancelled.conflict).toBeGreaterThan(10 * storm.transactions.committed);
    expect(storm.answers['503 UNAVAILABLE']).toBeGreaterThan(0);
  });

  it("throttles a shard's partition at 1,000 WCU/s: the transaction is cancelled and the member answered 503", () => {
    const result = simulate(awsSale({ units: 10_000, members: 4_000, shards: 1, rate: 2_000 }));
    expect(result.transactions.cancelled.throttled).toBeGreaterThan(1_000);
    expect(result.answers['503 UNAVAILABLE']).toBeGreaterThan(1_000);
    // 2 WCU per transaction on the shard: at most 500 committed a second (plus the bucket's first second).
    expect(result.peakShardWcu).toBeLessThanOrEqual(2 * 1_000);
  });

  it('answers 429 beyond the stage throttle and 500 beyond the reserved concurrency', () => {
    const gated = simulate(awsSale({ units: 100, members: 4_000, rate: 4_000, platform: { stageRate: 1_000, stageBurst: 500 } }));
    // One second of taps: the burst of 500 plus 1,000/s pass.
    expect(gated.answers['429 TOO_MANY_REQUESTS']).toBeGreaterThan(2_000);
    expect(gated.answers['429 TOO_MANY_REQUESTS']).toBeLessThan(3_000);
    const capped = simulate(awsSale({ units: 100, members: 4_000, rate: 4_000, platform: { reservedConcurrency: 10, provisionedConcurrency: 10 } }));
    expect(capped.lambda.throttles).toBeGreaterThan(1_000);
    expect(capped.answers['500 LAMBDA_THROTTLED']).toBe(capped.lambda.throttles);
    expect(capped.lambda.peakConcurrency).toBeLessThanOrEqual(10);
  });

  it('pays a cold start per new instance, within the scaling rate', () => {
    const cold = simulate(awsSale({ units: 100, members: 2_000, rate: 2_000, platform: { provisionedConcurrency: 0, initMs: 400 } }));
    expect(cold.lambda.coldStarts).toBeGreaterThan(0);
    expect(cold.lambda.coldStarts).toBeLessThanOrEqual(1_000);
    expect(cold.latency.p99).toBeGreaterThan(400);
  });

  it('after the sell-out, refuses from the cached sold-out flag with one read (the idempotency record) per request', () => {
    const result = simulate(awsSale({ units: 200, members: 6_000, rate: 1_000, shards: 8, platform: { reservedConcurrency: 50, provisionedConcurrency: 50 } }));
    expect(result.sold).toBe(200);
    expect(result.callsPerLateRefusal).toBeGreaterThanOrEqual(1);
    expect(result.callsPerLateRefusal).toBeLessThan(1.2);
  });

  it('plans settings that grow with the rate', () => {
    const planned = plannedAws(50_000);
    expect(planned.stageRate).toBeGreaterThanOrEqual(50_000);
    expect(planned.reservedConcurrency).toBe(10_000);
    expect(planned.accountConcurrency).toBeGreaterThan(10_000);
    expect(planned.tableWcu).toBeGreaterThanOrEqual(50_000 * 14);
  });
});

describe('flash-sale model of the local benchmark', () => {
  const local = (platform: Partial<LocalPlatform>, connections: number, durationS: number, units = 10_000): ModelSettings => ({
    seed: 5,
    sale: { ...SALE_DEFAULTS, units, members: 10_000, shards: 16 },
    load: { kind: 'closed', connections, durationS },
    platform: { ...LOCAL_MACHINE, ...platform },
  });

  it('with one connection and CPU to spare, a redemption takes the sum of its steps', () => {
    const p: Partial<LocalPlatform> = { loopShare: 1, databaseShare: 1, referenceTransactMs: 10, arrivalMs: 0.5, clientMs: 0.5, handlerMs: 1, dbCallbackMs: 0.5, transactCpuMs: 2, getItemMs: 1, transactMs: 10 };
    const result = simulate(local(p, 1, 10));
    // arrival + handler + GetItem + callback + transaction CPU + transaction + callback + client = 16 ms a cycle.
    expect(result.latency.p50).toBeCloseTo(16, 6);
    expect(result.requests).toBe(Math.ceil(10_000 / 16));
  });

  it('sheds beyond 8 in flight and a queue of 32, and serialises transactions in DynamoDB Local', () => {
    const result = simulate(local({}, 100, 10, 100_000));
    expect(result.answers['503 UNAVAILABLE']).toBeGreaterThan(0);
    // One transaction at a time: never more than 1,000 / transactMs a second.
    expect(result.acceptedPerS).toBeLessThanOrEqual(1_000 / LOCAL_MACHINE.transactMs);
    expect(result.transactions.cancelled.conflict ?? 0).toBe(0);
  });
});

describe('reading the benchmark output', () => {
  it('finds the settings and the figures the model predicts', () => {
    const text = [
      '5.47 3.26 1.31 4/181 8474',
      'flash sale: 2,000 members x 1 unit(s), stock 500 over 16 shards, 100 connections, 20 s (local: DynamoDB Local + this process on this machine)',
      '  requests             20,808 sent, 20,708 answered in 21.0 s: 986.8 requests/s; the last ones finished 0.2 s later',
      '  latency              p50 43 ms, p99 663 ms, max 2668 ms',
      '  last 201 after       18.1 s (sold out): 27.6 redemptions/s while stock lasted',
      '  DynamoDB calls       {"GetItem":1261,"TransactWriteItems":575,"UpdateItem":9,"BatchGetItem":31}',
      '    cancelled because  ConditionalCheckFailed on WALLET: 53, ConditionalCheckFailed on STOCK: 24',
      '  bare transaction     751 in 8.8 s at 100 concurrent: 85.3 transactions/s',
      '6.87 4.03 1.69 8/191 9047',
    ].join('\n');
    expect(parseBenchReport(text)).toEqual({
      members: 2_000,
      unitsPerMember: 1,
      stock: 500,
      shards: 16,
      connections: 100,
      client: 'autocannon',
      durationS: 20,
      requests: 20_808,
      p50: 43,
      p99: 663,
      last201S: 18.1,
      soldOut: true,
      acceptedPerS: 27.6,
      bareTransactionsPerS: 85.3,
      bareConcurrency: 100,
      loadAverages: [5.47, 6.87],
      cancelledOnStock: 24,
      cancelledOnWallet: 53,
      dbCalls: { GetItem: 1_261, TransactWriteItems: 575, UpdateItem: 9, BatchGetItem: 31 },
    });
    expect(() => parseBenchReport('nothing here')).toThrow(/settings line/);
  });

  it("reads a run of the app's clients: the 201s' latency, the bare run at the clients' concurrency, the quiet profile", () => {
    const text = [
      '1.74 1.42 1.18 3/87 7106',
      'flash sale: 3,000 members x 1 unit(s), stock 1,000 over 16 shards, 100 app clients, 20 s (local: DynamoDB Local + this process on this machine)',
      '  requests             11,475 redemptions sent, 12,182 HTTP answers in 20.1 s: 607.4 requests/s (707 overload answers sent again after Retry-After)',
      '  latency              p50 61 ms, p99 320 ms, max 531 ms (each HTTP answer)',
      '  accepted answers     p50 272 ms, p99 439 ms: p99 1.61 x p50 (each 201, from its send; the queue wait of the local concurrency included)',
      '  last 201 after       8.3 s (sold out): 120.7 redemptions/s while stock lasted',
      '  bare transaction     1,126 in 8.1 s at 8 concurrent (as many as the orders function runs at once): 139.9 transactions/s',
      '  bare transaction     1,221 in 8.7 s at 100 concurrent: 140.4 transactions/s',
      '2.13 1.60 1.26 1/86 7293',
    ].join('\n');
    const report = parseBenchReport(text);
    expect(report).toMatchObject({ client: 'app', connections: 100, requests: 11_475, p50: 61, accepted: { p50: 272, p99: 439 }, bareConcurrency: 100, bareTransactionsPerS: 140.4 });
    expect(localMachineFor(report.loadAverages)).toBe(LOCAL_QUIET_MACHINE);
    expect(localMachineFor([5.47, 6.87])).toBe(LOCAL_MACHINE);
    expect(localMachineFor([])).toBe(LOCAL_MACHINE);
  });
});

describe('the app client of the closed loop', () => {
  it('sends an overload answer again after Retry-After with the same key, so fewer new redemptions start', () => {
    const sale = (client: 'app' | 'autocannon'): ModelSettings => ({
      seed: 5,
      sale: { ...SALE_DEFAULTS, units: 100_000, members: 10_000, shards: 16 },
      load: { kind: 'closed', connections: 100, durationS: 10, client },
      platform: LOCAL_MACHINE,
    });
    const flood = simulate(sale('autocannon'));
    const app = simulate(sale('app'));
    expect(flood.answers['503 UNAVAILABLE']).toBeGreaterThan(0);
    // The flood answers far more requests (each 503 is followed at once by another); the app's clients wait about
    // 1 to 2 s after each, so the shed answers are a small part of theirs.
    expect(app.requests).toBeLessThan(flood.requests / 3);
    expect(app.answers['503 UNAVAILABLE'] ?? 0).toBeLessThan(flood.answers['503 UNAVAILABLE'] ?? 0);
  });
});
