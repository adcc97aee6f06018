/**
 * A discrete-event model of a flash sale: N units over S stock shards, M
 * members, requests at R/s (or C closed-loop connections, as autocannon
 * drives `npm run bench:flash-sale`), through the gateway's throttle, the
 * `orders` function's concurrency and the table.
 *
 * The redemption is `placeOrder` (shared/mall/orders.ts) step by step: the
 * idempotency read, the product from the instance's ~2 s cache (sold-out
 * flag included), a random shard the instance does not remember as empty,
 * one TransactWriteItems retried on TransactionConflict with the ledger's
 * jittered backoff (shared/ledger/ledger.ts), the BatchGet fallback read
 * after a failed shard condition with the 1 s per-instance memory of empty
 * shards, the shards left round the ring, and the strongly consistent read
 * that marks the product sold out. The deadline (`answerWithinMs`) answers
 * 503 and, as on Lambda, lets a transaction already sent land.
 *
 * Two profiles of the same model:
 * - `aws`: API Gateway's token buckets (stage and account), Lambda's
 *   concurrency (reserved, provisioned, the scaling rate, cold starts; a
 *   throttle is the HTTP API's 500), DynamoDB's per-partition limits
 *   (1,000 WCU/s, 3,000 RCU/s; each shard item in a partition of its own),
 *   the table's warm throughput, transactions cancelled by a conflict when
 *   another one holds the shard item, latencies as log-normal spreads.
 * - `local`: what `bench:flash-sale` runs on: one Node event loop (a FIFO of
 *   callbacks, each with a CPU cost; autocannon runs in it too), the local
 *   gateway's slots and queue (bin/local/concurrency.ts), and DynamoDB Local,
 *   which applies one request at a time behind its table lock (a FIFO
 *   server: no conflicts, a service time per request); the loop and
 *   DynamoDB Local slow each other while both are busy (bin/model/shared-cpu.ts).
 */
import { EventQueue, exponential, logNormal, seededRandom } from './event-queue.js';
import { CpuServer, SharedMachine } from './shared-cpu.js';

/** A latency spread: median and 99th percentile, in milliseconds. */
export interface Spread {
  readonly median: number;
  readonly p99: number;
}

export interface SaleSettings {
  /** Units of stock (N). */
  readonly units: number;
  /** Members who take part (M); each can afford `unitsPerMember` units. */
  readonly members: number;
  readonly unitsPerMember: number;
  /** Stock shards (S). */
  readonly shards: number;
  /** Items in one redemption's transaction (wallet, ledger entry, stock shard, sale minute, order, outbox event, idempotency record). */
  readonly itemsPerTransaction: number;
  /** WCU per transactional item of at most 1 KB. */
  readonly wcuPerItem: number;
  /** The product cache of an instance (CATALOGUE_CACHE_TTL_MS). */
  readonly productCacheMs: number;
  /** The memory of empty shards of an instance (EMPTY_SHARD_MEMORY_MS). */
  readonly emptyShardMemoryMs: number;
  /** The `orders` function's `answerWithinMs`. */
  readonly answerWithinMs: number;
}

/** Open loop: members tap at `rate` per second (each once, then retries of overload answers), as on the day of a sale. */
export interface OpenLoad {
  readonly kind: 'open';
  readonly rate: number;
  /** Retries per member of a 429, 500 or 503, after `retryAfterMs` plus up to as much jitter, with the same key. */
  readonly clientRetries: number;
  readonly retryAfterMs: number;
}

/**
 * Closed loop: `connections` clients, each sending its next request when the last is answered, for `durationS`.
 * `client` says what a client does with an overload answer (429, 503): `autocannon` counts it and sends the next
 * request at once; `app` (bench:flash-sale's default) sends the same request again after `retryAfterMs` plus up to
 * as much jitter, with the same key, while the run lasts.
 */
export interface ClosedLoad {
  readonly kind: 'closed';
  readonly connections: number;
  readonly durationS: number;
  readonly client?: 'autocannon' | 'app';
  readonly retryAfterMs?: number;
}

export interface AwsPlatform {
  readonly kind: 'aws';
  /** API Gateway stage throttle (`apiRateLimit`, `apiBurstLimit`) and the account's per-Region quota. */
  readonly stageRate: number;
  readonly stageBurst: number;
  readonly accountRate: number;
  readonly accountBurst: number;
  readonly gatewayMs: Spread;
  /** Concurrency the `orders` function may use: its reservation (or the unreserved pool when undefined). */
  readonly reservedConcurrency: number | undefined;
  readonly accountConcurrency: number;
  /** What the other functions reserve (when `orders` has no reservation, it shares the rest). */
  readonly otherReserved: number;
  readonly provisionedConcurrency: number;
  /** New execution environments per function: a bucket of `scaleBurst` refilled at `scalePerSecond`. */
  readonly scaleBurst: number;
  readonly scalePerSecond: number;
  /** A cold start: sandbox plus module load, before the handler runs. */
  readonly initMs: number;
  /** The handler's own CPU per redemption (zod, building the transaction, the SDK's marshalling). */
  readonly handlerMs: Spread;
  readonly getItemMs: Spread;
  readonly batchGetMs: Spread;
  readonly updateItemMs: Spread;
  readonly transactMs: Spread;
  /** How long a transaction holds each item it prepared: another transaction touching it meanwhile is cancelled (TransactionConflict). */
  readonly conflictWindowMs: number;
  readonly partitionWcu: number;
  readonly partitionRcu: number;
  /** Table-wide writes per second the partitions serve at once (warm throughput, or the on-demand maximum). */
  readonly tableWcu: number;
  /** Whether cancelled transactions use write capacity of the partitions they touched (they are billed as attempted writes). */
  readonly cancelledUseCapacity: boolean;
}

export interface LocalPlatform {
  readonly kind: 'local';
  /** The event loop's pace while DynamoDB Local is busy (1 when it is idle): the share of the CPU it keeps. */
  readonly loopShare: number;
  /** DynamoDB Local's pace while the event loop is busy. */
  readonly databaseShare: number;
  /** The local gateway (bin/local/concurrency.ts): slots per function, the queue and its wait. */
  readonly inFlight: number;
  readonly queueLength: number;
  readonly queueWaitMs: number;
  /** `orders`' Lambda concurrency, which the local gateway applies before its slots. */
  readonly lambdaLimit: number;
  /** Event-loop CPU per callback, in ms: a request's arrival at the server (parse, route, admission; a shed answer is written here). */
  readonly arrivalMs: number;
  /** autocannon's side: an answer read and the next request written. */
  readonly clientMs: number;
  /** An admitted order's start: the JWT check, middy, zod, the handler up to its first DynamoDB call. */
  readonly handlerMs: number;
  /** Each DynamoDB answer: the SDK reading it and the handler running to its next call or its answer. */
  readonly dbCallbackMs: number;
  /** A redemption's transaction: the ledger's commit building it, the SDK marshalling its items, the 201 built from it. */
  readonly transactCpuMs: number;
  /** DynamoDB Local's time per request while the loop is idle (it serves one request at a time). */
  readonly transactMs: number;
  /**
   * The machine's other work slows the event loop too: its costs are those of a run whose transaction took
   * `referenceTransactMs`, times (transactMs / referenceTransactMs) ^ `loadExponent`.
   */
  readonly referenceTransactMs: number;
  readonly loadExponent: number;
  readonly getItemMs: number;
  readonly batchGetMs: number;
  readonly updateItemMs: number;
}

export interface ModelSettings {
  readonly sale: SaleSettings;
  readonly load: OpenLoad | ClosedLoad;
  readonly platform: AwsPlatform | LocalPlatform;
  readonly seed: number;
}

/** The redemption's item set and the code's constants (shared/mall/orders.ts, shared/mall/catalogue.ts, lib/routes.ts). */
export const SALE_DEFAULTS: Omit<SaleSettings, 'units' | 'members' | 'shards'> = {
  unitsPerMember: 1,
  itemsPerTransaction: 7,
  wcuPerItem: 2,
  productCacheMs: 2_000,
  emptyShardMemoryMs: 1_000,
  answerWithinMs: 1_500,
};

export interface ModelResult {
  readonly settings: ModelSettings;
  /** Simulated time until the last answer, in seconds. */
  readonly endedS: number;
  readonly requests: number;
  readonly answers: Record<string, number>;
  readonly sold: number;
  /** When the last unit was committed (s), or undefined if the stock lasted. */
  readonly soldOutS: number | undefined;
  /** When the last 201 reached its client (s): what the benchmark prints as "last 201 after". */
  readonly last201S: number | undefined;
  /** Units sold per second while stock lasted: sold / the time of the last commit. */
  readonly acceptedPerS: number;
  /** The benchmark's figure: 201s received / the time of the last 201 (a late 201 can be a retry's replay). */
  readonly answered201PerS: number;
  readonly latency: { readonly p50: number; readonly p99: number; readonly max: number; readonly count: number };
  readonly latency201: { readonly p50: number; readonly p99: number };
  readonly transactions: { readonly committed: number; readonly cancelled: Record<string, number> };
  readonly wcu: { readonly committed: number; readonly cancelled: number };
  readonly dbCalls: Record<string, number>;
  /** Table calls per refused request answered after the sell-out. */
  readonly callsPerLateRefusal: number;
  /** Cold starts, the most invocations running at once and when (s), throttled invocations. */
  readonly lambda: { readonly coldStarts: number; readonly peakConcurrency: number; readonly peakAtS: number; readonly throttles: number };
  /** The busiest second of one shard's partition and of the table, in WCU used (cancelled attempts included unless free). */
  readonly peakShardWcu: number;
  readonly peakTableWcu: number;
}

// --- Building blocks -------------------------------------------------------

/** The window over which DynamoDB's per-second limits are enforced here (an assumption: AWS does not publish it). */
const LIMIT_WINDOW_S = 0.2;

class TokenBucket {
  private tokens: number;
  private last = 0;
  constructor(
    private readonly perSecond: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
  }

  /** Whether `n` tokens are there now (without taking them). */
  has(now: number, n = 1): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    return this.tokens >= n;
  }

  take(now: number, n = 1): boolean {
    if (!this.has(now, n)) return false;
    this.tokens -= n;
    return true;
  }
}

/** Units per simulated second, kept for the busiest second. */
class PerSecond {
  private readonly counts = new Map<number, number>();
  add(now: number, n: number): void {
    const second = Math.floor(now / 1000);
    this.counts.set(second, (this.counts.get(second) ?? 0) + n);
  }
  peak(): number {
    return Math.max(0, ...this.counts.values());
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** What a function instance keeps between invocations: the product's cached copy and the shards it found empty. */
interface InstanceState {
  product: { soldOut: boolean; fetchedAt: number } | undefined;
  readonly emptyUntil: Float64Array;
}

type TxOutcome = 'committed' | 'stock' | 'wallet' | 'conflict' | 'throttled';

type Effect =
  | { readonly kind: 'sleep'; readonly ms: number }
  | { readonly kind: 'getItem'; readonly target: 'idempotency' | 'product' }
  | { readonly kind: 'batchGet'; readonly consistent: boolean }
  | { readonly kind: 'markSoldOut' }
  | { readonly kind: 'transact'; readonly shard: number };

/** What an effect gives back to the handler: a boolean for reads of one item, the shards' units for a BatchGet, a transaction's outcome. */
type EffectResult = boolean | Int32Array | TxOutcome | undefined;

interface Answer {
  readonly status: number;
  readonly code: string;
}

interface Request {
  readonly member: number;
  readonly key: number;
  readonly sentAt: number;
  /** A client retry of an overload answer (open load). */
  readonly attempt: number;
}

/**
 * The redemption of one request in one instance, as `placeOrder` does it.
 * A generator: each `yield` is a call to the table, CPU or a timer, and the
 * platform decides how long it takes and what it answers.
 */
function* placeOrder(
  sale: SaleSettings,
  instance: InstanceState,
  now: () => number,
  random: () => number,
): Generator<Effect, Answer, EffectResult> {
  const stored = yield { kind: 'getItem', target: 'idempotency' };
  if (stored === true) return { status: 201, code: 'REPLAYED' };
  if (!instance.product || now() - instance.product.fetchedAt >= sale.productCacheMs) {
    const soldOut = (yield { kind: 'getItem', target: 'product' }) === true;
    instance.product = { soldOut, fetchedAt: now() };
  }
  if (instance.product.soldOut) return { status: 409, code: 'OUT_OF_STOCK' };

  const order = (): number[] => {
    const start = Math.floor(random() * sale.shards);
    const shards: number[] = [];
    for (let i = 0; i < sale.shards; i += 1) {
      const s = (start + i) % sale.shards;
      if ((instance.emptyUntil[s] as number) <= now()) shards.push(s);
    }
    return shards;
  };
  function* attempt(shard: number): Generator<Effect, Answer | undefined, EffectResult> {
    for (let n = 1; ; n += 1) {
      const outcome = (yield { kind: 'transact', shard }) as TxOutcome;
      if (outcome === 'committed') return { status: 201, code: 'CREATED' };
      if (outcome === 'wallet') return { status: 409, code: 'INSUFFICIENT_POINTS' };
      if (outcome === 'throttled') return { status: 503, code: 'UNAVAILABLE' };
      if (outcome === 'stock') {
        instance.emptyUntil[shard] = now() + sale.emptyShardMemoryMs;
        return undefined;
      }
      // TransactionConflict: the ledger's commit retries with jittered backoff, up to 30 attempts.
      if (n >= 30) return { status: 409, code: 'CONFLICT' };
      yield { kind: 'sleep', ms: random() * Math.min(250, 4 * 2 ** n) };
    }
  }

  const [first] = order();
  if (first !== undefined) {
    const answer = yield* attempt(first);
    if (answer) return answer;
  }
  const stock = (yield { kind: 'batchGet', consistent: false }) as Int32Array;
  let total = 0;
  stock.forEach((available, s) => {
    total += available;
    if (available < 1) instance.emptyUntil[s] = now() + sale.emptyShardMemoryMs;
  });
  const candidates = order().filter((s) => s !== first);
  for (const shard of candidates) {
    const answer = yield* attempt(shard);
    if (answer) return answer;
  }
  if (instance.product.soldOut) return { status: 409, code: 'OUT_OF_STOCK' };
  if (total === 0 || candidates.length === 0) {
    const left = (yield { kind: 'batchGet', consistent: true }) as Int32Array;
    if (left.every((units) => units === 0)) {
      yield { kind: 'markSoldOut' };
      instance.product = { soldOut: true, fetchedAt: instance.product.fetchedAt };
    }
  }
  return { status: 409, code: 'OUT_OF_STOCK' };
}

// --- The simulation --------------------------------------------------------

export function simulate(settings: ModelSettings): ModelResult {
  const { sale, load, platform } = settings;
  const queue = new EventQueue();
  const random = seededRandom(settings.seed);
  const now = () => queue.now;

  // The table's state.
  const available = new Int32Array(sale.shards);
  for (let s = 0; s < sale.shards; s += 1) available[s] = Math.floor(sale.units / sale.shards) + (s < sale.units % sale.shards ? 1 : 0);
  let stockLeft = sale.units;
  let productSoldOut = false;
  const bought = new Uint16Array(sale.members);
  const committedKeys = new Set<number>();
  let sold = 0;
  let soldOutAt: number | undefined;
  let lastCommitAt = 0;

  // What happened.
  const answers: Record<string, number> = {};
  const latencies: number[] = [];
  const latencies201: number[] = [];
  let last201At: number | undefined;
  let requests = 0;
  let committed = 0;
  const cancelled: Record<string, number> = {};
  const dbCalls: Record<string, number> = {};
  let lateRefusals = 0;
  let lateRefusalCalls = 0;
  let coldStarts = 0;
  let lambdaThrottles = 0;
  let peakConcurrency = 0;
  let peakAt = 0;
  const shardWcu = Array.from({ length: sale.shards }, () => new PerSecond());
  const tableWcu = new PerSecond();
  const txWcu = sale.itemsPerTransaction * sale.wcuPerItem;
  const recordingUntil = load.kind === 'closed' ? load.durationS * 1000 : Number.POSITIVE_INFINITY;

  const countCall = (op: string) => {
    dbCalls[op] = (dbCalls[op] ?? 0) + 1;
  };

  /** Applies a transaction's conditions and writes at the moment the table evaluates it. */
  const evaluate = (member: number, key: number, shard: number): TxOutcome => {
    if ((bought[member] as number) >= sale.unitsPerMember) return 'wallet';
    if ((available[shard] as number) < 1) return 'stock';
    available[shard] = (available[shard] as number) - 1;
    stockLeft -= 1;
    bought[member] = (bought[member] as number) + 1;
    committedKeys.add(key);
    sold += 1;
    lastCommitAt = queue.now;
    if (stockLeft === 0) soldOutAt = queue.now;
    return 'committed';
  };

  const tally = (outcome: TxOutcome) => {
    if (outcome === 'committed') {
      committed += 1;
      return;
    }
    cancelled[outcome] = (cancelled[outcome] ?? 0) + 1;
  };

  /**
   * Runs one invocation's generator to its answer. `perform` carries out an
   * effect and calls back with its result; the deadline answers 503 and
   * abandons the generator (a call in flight still completes at the table).
   */
  const invoke = (
    request: Request,
    instance: InstanceState,
    perform: (effect: Effect, request: Request, done: (result: EffectResult) => void) => void,
    timer: (ms: number, run: () => void) => void,
    answer: (a: Answer) => void,
  ) => {
    const handler = placeOrder(sale, instance, now, random);
    let finished = false;
    let writeInFlight = false;
    timer(sale.answerWithinMs, () => {
      if (finished) return;
      finished = true;
      answer({ status: 503, code: writeInFlight ? 'OUTCOME_UNKNOWN' : 'UNAVAILABLE' });
    });
    const step = (result: EffectResult) => {
      if (finished) return;
      const next = handler.next(result);
      if (next.done) {
        finished = true;
        answer(next.value);
        return;
      }
      const effect = next.value;
      if (effect.kind === 'transact') writeInFlight = true;
      perform(effect, request, (value) => {
        if (effect.kind === 'transact') writeInFlight = false;
        step(value);
      });
    };
    step(undefined);
  };

  /** Records an answer at the client. */
  const received = (request: Request, answer: Answer) => {
    if (queue.now > recordingUntil) return;
    const label = `${answer.status} ${answer.code}`;
    answers[label] = (answers[label] ?? 0) + 1;
    latencies.push(queue.now - request.sentAt);
    if (answer.status === 201) {
      latencies201.push(queue.now - request.sentAt);
      last201At = queue.now;
    } else if (soldOutAt !== undefined && request.sentAt > soldOutAt && answer.status === 409) {
      lateRefusals += 1;
    }
  };

  /** Counts the table calls made for requests arriving after the sell-out. */
  const countLateCall = (request: Request) => {
    if (soldOutAt !== undefined && request.sentAt > soldOutAt) lateRefusalCalls += 1;
  };

  let submit: (request: Request, onAnswer: (a: Answer) => void) => void;
  /** Runs a callback: at once on AWS (clients and functions run elsewhere); in the local profile, on the one event loop. */
  let onLoop = (job: () => number) => {
    queue.after(0, () => void job());
  };
  let charge: (ms: number) => void = () => undefined;

  if (platform.kind === 'aws') {
    const p = platform;
    const stage = new TokenBucket(p.stageRate, p.stageBurst);
    const account = new TokenBucket(p.accountRate, p.accountBurst);
    const scaling = new TokenBucket(p.scalePerSecond, p.scaleBurst);
    const limit = p.reservedConcurrency ?? p.accountConcurrency - p.otherReserved;
    // Per-second limits, enforced over a fifth of a second: no second can take twice its rate.
    const bucket = (perSecond: number) => new TokenBucket(perSecond, perSecond * LIMIT_WINDOW_S);
    const wcuBuckets = Array.from({ length: sale.shards }, () => bucket(p.partitionWcu));
    const rcuBuckets = Array.from({ length: sale.shards }, () => bucket(p.partitionRcu));
    const productRcu = bucket(p.partitionRcu);
    const table = bucket(p.tableWcu);
    const heldUntil = new Float64Array(sale.shards);
    const idle: InstanceState[] = [];
    let instances = 0;
    let busy = 0;
    const newInstance = (): InstanceState => ({ product: undefined, emptyUntil: new Float64Array(sale.shards) });
    for (let i = 0; i < Math.min(p.provisionedConcurrency, limit); i += 1) idle.push(newInstance());
    instances = idle.length;

    const perform = (effect: Effect, request: Request, done: (result: EffectResult) => void) => {
      switch (effect.kind) {
        case 'sleep':
          queue.after(effect.ms, () => done(undefined));
          return;
        case 'getItem': {
          countCall('GetItem');
          countLateCall(request);
          const at = logNormal(random, p.getItemMs.median, p.getItemMs.p99);
          // The product item is the one hot read; the idempotency records spread over members.
          const throttled = effect.target === 'product' && !productRcu.take(queue.now, 0.5);
          queue.after(throttled ? at + 50 + random() * 50 : at, () =>
            done(effect.target === 'idempotency' ? committedKeys.has(request.key) : productSoldOut),
          );
          return;
        }
        case 'batchGet': {
          // readStock: BatchGets of at most 100 keys, sent at once (the read takes the slowest); a throttled shard read is retried by the SDK.
          const chunks = Math.ceil(sale.shards / 100);
          let ms = 0;
          for (let c = 0; c < chunks; c += 1) {
            countCall('BatchGetItem');
            countLateCall(request);
            ms = Math.max(ms, logNormal(random, p.batchGetMs.median, p.batchGetMs.p99));
          }
          let throttled = false;
          for (let s = 0; s < sale.shards; s += 1) if (!rcuBuckets[s]?.take(queue.now, effect.consistent ? 1 : 0.5)) throttled = true;
          queue.after(throttled ? ms + 50 + random() * 50 : ms, () => done(Int32Array.from(available)));
          return;
        }
        case 'markSoldOut':
          countCall('UpdateItem');
          queue.after(logNormal(random, p.updateItemMs.median, p.updateItemMs.p99), () => {
            productSoldOut = true;
            done(undefined);
          });
          return;
        case 'transact': {
          countCall('TransactWriteItems');
          countLateCall(request);
          const latency = logNormal(random, p.transactMs.median, p.transactMs.p99);
          // The items are prepared about half way through the call; the answer comes back at its end.
          queue.after(latency / 2, () => {
            const shard = effect.shard;
            let outcome: TxOutcome;
            const shardBucket = wcuBuckets[shard] as TokenBucket;
            if (!shardBucket.has(queue.now, sale.wcuPerItem) || !table.has(queue.now, txWcu)) outcome = 'throttled';
            else {
              outcome = (heldUntil[shard] as number) > queue.now ? 'conflict' : evaluate(request.member, request.key, shard);
              if (outcome === 'committed') heldUntil[shard] = queue.now + p.conflictWindowMs;
              // A cancelled attempt uses the capacity of what it touched unless assumed free (--cancelled-free).
              if (outcome === 'committed' || p.cancelledUseCapacity) {
                shardBucket.take(queue.now, sale.wcuPerItem);
                table.take(queue.now, txWcu);
                shardWcu[shard]?.add(queue.now, sale.wcuPerItem);
                tableWcu.add(queue.now, txWcu);
              }
            }
            tally(outcome);
            queue.after(latency / 2, () => done(outcome));
          });
          return;
        }
      }
    };

    submit = (request, onAnswer) => {
      requests += 1;
      const gatewayMs = logNormal(random, p.gatewayMs.median, p.gatewayMs.p99);
      if (!account.take(queue.now) || !stage.take(queue.now)) {
        queue.after(gatewayMs, () => onAnswer({ status: 429, code: 'TOO_MANY_REQUESTS' }));
        return;
      }
      let instance = idle.pop();
      let initMs = 0;
      if (!instance) {
        if (instances >= limit || !scaling.take(queue.now)) {
          lambdaThrottles += 1;
          queue.after(gatewayMs, () => onAnswer({ status: 500, code: 'LAMBDA_THROTTLED' }));
          return;
        }
        instance = newInstance();
        instances += 1;
        coldStarts += 1;
        initMs = p.initMs;
      }
      busy += 1;
      if (busy > peakConcurrency) {
        peakConcurrency = busy;
        peakAt = queue.now;
      }
      const used = instance;
      queue.after(gatewayMs / 2 + initMs, () => {
        // The deadline counts from the handler's start (the Lambda context), not from the cold start.
        queue.after(logNormal(random, p.handlerMs.median, p.handlerMs.p99), () =>
          invoke(request, used, perform, (ms, run) => queue.after(ms, run), (a) => {
            busy -= 1;
            idle.push(used);
            queue.after(gatewayMs / 2, () => onAnswer(a));
          }),
        );
      });
    };
  } else {
    // The loop's costs at this run's load: a machine that slows DynamoDB Local slows the loop as well, less so.
    const slow = (platform.transactMs / platform.referenceTransactMs) ** platform.loadExponent;
    const p: LocalPlatform = {
      ...platform,
      arrivalMs: platform.arrivalMs * slow,
      clientMs: platform.clientMs * slow,
      handlerMs: platform.handlerMs * slow,
      dbCallbackMs: platform.dbCallbackMs * slow,
      transactCpuMs: platform.transactCpuMs * slow,
    };
    // One process: one product cache and one memory of empty shards for every invocation.
    const instance: InstanceState = { product: undefined, emptyUntil: new Float64Array(sale.shards) };

    // The event loop and DynamoDB Local share the CPU the machine leaves them: each slows the other while both are busy.
    const machine = new SharedMachine();
    const loop = machine.add(new CpuServer(queue, machine, p.loopShare));
    const database = machine.add(new CpuServer(queue, machine, p.databaseShare));
    charge = (ms) => loop.charge(ms);
    // A callback runs when the loop reaches it: it acts at once and keeps the loop busy for its cost.
    onLoop = (job) => loop.submit({ start: job });
    const timer = (ms: number, run: () => void) =>
      queue.after(ms, () =>
        onLoop(() => {
          run();
          return p.dbCallbackMs;
        }),
      );
    // DynamoDB Local applies one request at a time, first come first served; the answer is what the table holds then.
    // The request leaves when the callback that sends it has done its work.
    const onDb = (ms: number, run: () => void) => loop.defer(() => database.submit({ start: () => ms, end: run }));

    const perform = (effect: Effect, request: Request, done: (result: EffectResult) => void) => {
      // Every answer of DynamoDB Local continues the handler in a callback of the loop.
      const resume = (result: EffectResult) =>
        onLoop(() => {
          done(result);
          return p.dbCallbackMs;
        });
      switch (effect.kind) {
        case 'sleep':
          timer(effect.ms, () => done(undefined));
          return;
        case 'getItem':
          countCall('GetItem');
          countLateCall(request);
          onDb(p.getItemMs, () => resume(effect.target === 'idempotency' ? committedKeys.has(request.key) : productSoldOut));
          return;
        case 'batchGet': {
          let left = Math.ceil(sale.shards / 100);
          const read = () => {
            countCall('BatchGetItem');
            countLateCall(request);
            onDb(p.batchGetMs, () => {
              left -= 1;
              if (left > 0)
                onLoop(() => {
                  read();
                  return p.dbCallbackMs;
                });
              else resume(Int32Array.from(available));
            });
          };
          read();
          return;
        }
        case 'markSoldOut':
          countCall('UpdateItem');
          onDb(p.updateItemMs, () => {
            productSoldOut = true;
            resume(undefined);
          });
          return;
        case 'transact':
          countCall('TransactWriteItems');
          countLateCall(request);
          charge(p.transactCpuMs);
          onDb(p.transactMs, () => {
            const outcome = evaluate(request.member, request.key, effect.shard);
            if (outcome === 'committed') {
              shardWcu[effect.shard]?.add(queue.now, sale.wcuPerItem);
              tableWcu.add(queue.now, txWcu);
            }
            tally(outcome);
            resume(outcome);
          });
          return;
      }
    };

    // The local gateway's admission (bin/local/concurrency.ts): Lambda's limit, the slots, the queue and its wait.
    let running = 0;
    let poolUse = 0;
    const waiting: { admit: () => void; cancelled: boolean }[] = [];
    const start = (request: Request, onAnswer: (a: Answer) => void) => {
      peakConcurrency = Math.max(peakConcurrency, running);
      // The handler's start (JWT check, middy, zod) runs in the callback that admitted it.
      charge(p.handlerMs);
      invoke(request, instance, perform, timer, (a) => {
        poolUse -= 1;
        const next = waiting.shift();
        if (next) {
          next.cancelled = true;
          next.admit();
        } else running -= 1;
        onAnswer(a);
      });
    };

    submit = (request, onAnswer) => {
      requests += 1;
      onLoop(() => {
        if (poolUse >= p.lambdaLimit) {
          lambdaThrottles += 1;
          onAnswer({ status: 429, code: 'THROTTLED' });
        } else if (running < p.inFlight) {
          running += 1;
          poolUse += 1;
          start(request, onAnswer);
        } else if (waiting.length >= p.queueLength) {
          onAnswer({ status: 503, code: 'UNAVAILABLE' });
        } else {
          poolUse += 1;
          const waiter = { admit: () => start(request, onAnswer), cancelled: false };
          waiting.push(waiter);
          timer(p.queueWaitMs, () => {
            if (waiter.cancelled) return;
            waiting.splice(waiting.indexOf(waiter), 1);
            poolUse -= 1;
            charge(p.arrivalMs);
            onAnswer({ status: 503, code: 'UNAVAILABLE' });
          });
        }
        return p.arrivalMs;
      });
    };
  }

  // --- The clients.
  let nextKey = 0;
  if (load.kind === 'open') {
    // Members tap once each, at `rate` per second in all (Poisson), and retry overload answers.
    const meanGap = 1000 / load.rate;
    const tap = (member: number, key: number, attempt: number) => {
      const request: Request = { member, key, sentAt: queue.now, attempt };
      submit(request, (a) => {
        received(request, a);
        const overloaded = a.status === 429 || a.status === 500 || a.status === 503;
        if (overloaded && attempt < load.clientRetries) {
          queue.after(load.retryAfterMs * (1 + random()), () => tap(member, key, attempt + 1));
        }
      });
    };
    let member = 0;
    const arrive = () => {
      if (member >= sale.members) return;
      const m = member;
      member += 1;
      tap(m, nextKey++, 0);
      queue.after(exponential(random, meanGap), arrive);
    };
    queue.after(0, arrive);
  } else {
    // Each connection sends its next request once it has read the answer (an app client first retries an overload
    // answer), round-robin over the members; locally it reads answers in callbacks of the server's own event loop.
    const stopAt = load.durationS * 1000;
    const clientMs = platform.kind === 'local' ? platform.clientMs : 0;
    const retryAfterMs = load.retryAfterMs ?? 1_000;
    const attempt = (request: Request) =>
      submit(request, (a) =>
        onLoop(() => {
          received(request, a);
          const overloaded = a.status === 429 || a.status === 503;
          const wait = retryAfterMs * (1 + random());
          if (load.client === 'app' && overloaded && queue.now + wait < stopAt) {
            queue.after(wait, () => attempt({ ...request, sentAt: queue.now, attempt: request.attempt + 1 }));
          } else send();
          return clientMs;
        }),
      );
    const send = () => {
      if (queue.now >= stopAt) return;
      const request: Request = { member: nextKey % sale.members, key: nextKey, sentAt: queue.now, attempt: 0 };
      nextKey += 1;
      attempt(request);
    };
    for (let c = 0; c < load.connections; c += 1) queue.after(0, send);
  }

  queue.runUntil();

  const sorted = Float64Array.from(latencies).sort();
  const sorted201 = Float64Array.from(latencies201).sort();
  const answeredUntil = last201At;
  return {
    settings,
    endedS: queue.now / 1000,
    requests,
    answers,
    sold,
    soldOutS: soldOutAt === undefined ? undefined : soldOutAt / 1000,
    last201S: answeredUntil === undefined ? undefined : answeredUntil / 1000,
    acceptedPerS: lastCommitAt > 0 ? sold / (lastCommitAt / 1000) : 0,
    answered201PerS: answeredUntil ? latencies201.length / (answeredUntil / 1000) : 0,
    latency: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.length ? (sorted[sorted.length - 1] as number) : 0, count: sorted.length },
    latency201: { p50: percentile(sorted201, 50), p99: percentile(sorted201, 99) },
    transactions: { committed, cancelled },
    wcu: { committed: committed * txWcu, cancelled: Object.values(cancelled).reduce((sum, n) => sum + n, 0) * txWcu },
    dbCalls,
    callsPerLateRefusal: lateRefusals > 0 ? lateRefusalCalls / lateRefusals : 0,
    lambda: { coldStarts, peakConcurrency, peakAtS: peakAt / 1000, throttles: lambdaThrottles },
    peakShardWcu: Math.max(0, ...shardWcu.map((s) => s.peak())),
    peakTableWcu: tableWcu.peak(),
  };
}
