/**
 * Lambda's concurrency, emulated by the local gateway.
 *
 * On AWS an instance serves one request at a time, and a function has as many
 * instances as its concurrency allows: its reserved concurrency, or a share of
 * the account's unreserved pool (lib/routes.ts). A request beyond that is
 * throttled at once; the local gateway answers it 429 THROTTLED.
 *
 * Locally every invocation runs in this one process on a couple of cores, so N
 * invocations in flight are not N instances: each runs N times slower, and
 * DynamoDB Local, on the same cores, slows down with the number of clients.
 * So a function runs at most `inFlight` invocations at once here; the others
 * wait in a short FIFO queue, and are shed with 503 UNAVAILABLE when the
 * queue is full or when they waited `queueWaitMs`. A shed request did nothing.
 */
import { functions, unreservedConcurrency, ACCOUNT_CONCURRENCY, type FunctionName } from '../../lib/routes.js';

export interface LocalConcurrencySettings {
  /** Invocations of one function that run at once in this process (LOCAL_CONCURRENCY). */
  readonly inFlight: number;
  /** Invocations of one function waiting for a slot; one more is shed at once (LOCAL_QUEUE_LENGTH). */
  readonly queueLength: number;
  /** How long an invocation may wait for a slot before it is shed (LOCAL_QUEUE_WAIT_MS). */
  readonly queueWaitMs: number;
  /** Throttle beyond each function's Lambda concurrency (reserved, or the unreserved pool) as AWS would. */
  readonly lambdaLimits: boolean;
}

/**
 * The defaults of `npm start`, the benchmarks and the overload test: answers
 * stay within about `queueWaitMs` plus the function's deadline, and DynamoDB
 * Local is not swamped with clients. Measured in docs/operations.md.
 */
export const DEFAULT_LOCAL_CONCURRENCY: LocalConcurrencySettings = {
  inFlight: 8,
  queueLength: 32,
  queueWaitMs: 250,
  lambdaLimits: true,
};

function setting(env: NodeJS.ProcessEnv, name: string, fallback: number, minimum: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) throw new Error(`${name} must be a whole number of at least ${minimum}, got "${raw}"`);
  return value;
}

/** The settings from LOCAL_CONCURRENCY, LOCAL_QUEUE_LENGTH and LOCAL_QUEUE_WAIT_MS, each defaulting as above. */
export function localConcurrencyFromEnv(env: NodeJS.ProcessEnv = process.env): LocalConcurrencySettings {
  return {
    inFlight: setting(env, 'LOCAL_CONCURRENCY', DEFAULT_LOCAL_CONCURRENCY.inFlight, 1),
    queueLength: setting(env, 'LOCAL_QUEUE_LENGTH', DEFAULT_LOCAL_CONCURRENCY.queueLength, 0),
    queueWaitMs: setting(env, 'LOCAL_QUEUE_WAIT_MS', DEFAULT_LOCAL_CONCURRENCY.queueWaitMs, 0),
    lambdaLimits: true,
  };
}

export type Admission =
  | { readonly kind: 'admitted'; readonly waitedMs: number; release(): void }
  | { readonly kind: 'throttled'; readonly limit: number }
  | { readonly kind: 'shed'; readonly reason: 'queue full' | 'waited too long'; readonly waitedMs: number };

interface Waiter {
  admit(): void;
}

interface FunctionSlots {
  running: number;
  readonly queue: Waiter[];
}

/** Admission of invocations per function: Lambda's limits, then the local slots and queue. */
export class LocalConcurrency {
  /** Running plus waiting invocations per Lambda concurrency pool (a reserved function, or `unreserved`). */
  private readonly poolUse = new Map<string, number>();
  private readonly slots = new Map<FunctionName, FunctionSlots>();

  constructor(readonly settings: LocalConcurrencySettings = DEFAULT_LOCAL_CONCURRENCY) {}

  private poolOf(fn: FunctionName): { key: string; limit: number } {
    const reserved = functions[fn].reservedConcurrency;
    return reserved === undefined ? { key: 'unreserved', limit: unreservedConcurrency(ACCOUNT_CONCURRENCY) } : { key: fn, limit: reserved };
  }

  private slotsOf(fn: FunctionName): FunctionSlots {
    let slots = this.slots.get(fn);
    if (!slots) {
      slots = { running: 0, queue: [] };
      this.slots.set(fn, slots);
    }
    return slots;
  }

  /** Invocations of `fn` running and waiting now (for tests and diagnostics). */
  load(fn: FunctionName): { running: number; waiting: number } {
    const slots = this.slotsOf(fn);
    return { running: slots.running, waiting: slots.queue.length };
  }

  /**
   * Waits for a slot for one invocation of `fn`, or says why there is none.
   * An admitted invocation must call `release()` once it has answered.
   */
  async admit(fn: FunctionName): Promise<Admission> {
    const started = Date.now();
    const pool = this.poolOf(fn);
    const used = this.poolUse.get(pool.key) ?? 0;
    if (this.settings.lambdaLimits && used >= pool.limit) return { kind: 'throttled', limit: pool.limit };
    const slots = this.slotsOf(fn);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.poolUse.set(pool.key, (this.poolUse.get(pool.key) ?? 1) - 1);
      const next = slots.queue.shift();
      // The slot passes straight to the next waiter: the running count stays.
      if (next) next.admit();
      else slots.running -= 1;
    };
    if (slots.running < this.settings.inFlight) {
      slots.running += 1;
      this.poolUse.set(pool.key, used + 1);
      return { kind: 'admitted', waitedMs: 0, release };
    }
    if (slots.queue.length >= this.settings.queueLength) return { kind: 'shed', reason: 'queue full', waitedMs: 0 };
    this.poolUse.set(pool.key, used + 1);
    return new Promise<Admission>((resolveAdmission) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(timer);
          resolveAdmission({ kind: 'admitted', waitedMs: Date.now() - started, release });
        },
      };
      // An infinite wait (tests that queue hundreds of requests on purpose) sets no timer: setTimeout would fire at once.
      if (Number.isFinite(this.settings.queueWaitMs)) {
        timer = setTimeout(() => {
          const at = slots.queue.indexOf(waiter);
          if (at >= 0) slots.queue.splice(at, 1);
          this.poolUse.set(pool.key, (this.poolUse.get(pool.key) ?? 1) - 1);
          resolveAdmission({ kind: 'shed', reason: 'waited too long', waitedMs: Date.now() - started });
        }, this.settings.queueWaitMs);
      }
      slots.queue.push(waiter);
    });
  }
}
