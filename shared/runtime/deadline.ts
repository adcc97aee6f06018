/**
 * The deadline of one invocation, and what it has written so far.
 *
 * An HTTP invocation must answer before its Lambda timeout (a timeout answers
 * the client a bare 5xx for work that may well have been done). So its work
 * runs under a deadline shorter than the timeout; at the deadline the handler
 * answers 503 at once, and what it says depends on whether the table may have
 * changed: `UNAVAILABLE` when no write was sent (or every write sent was
 * refused by DynamoDB), `OUTCOME_UNKNOWN` when a write is in flight or went
 * through. From then on the invocation may not send anything more: a request
 * answered `UNAVAILABLE` must never write afterwards.
 *
 * Locally many invocations share one process, so the budget travels with the
 * invocation's async context (AsyncLocalStorage), not in a module variable.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Thrown inside an invocation's work once its deadline has passed; the handler answers 503 instead. */
export class DeadlinePassedError extends Error {
  override readonly name = 'DeadlinePassedError';
  constructor() {
    super('the invocation ran out of time');
  }
}

/** What the work of one invocation may spend, and what its writes did. */
export class InvocationBudget {
  /** Writes sent and not answered yet. */
  writesInFlight = 0;
  /** Writes DynamoDB accepted. */
  writesApplied = 0;
  /** Writes that ended without an answer from DynamoDB (aborted, network): they may have been applied. */
  writesUnknown = 0;
  private readonly controller = new AbortController();

  constructor(
    /** Epoch milliseconds. */
    readonly deadlineAt: number,
  ) {
    // Each call in flight listens on the signal: the sale monitor of a 256-shard product sends 32 Queries and 3
    // BatchGets at once, above Node's default of 10 listeners (a leak warning, not a leak).
    setMaxListeners(64, this.controller.signal);
  }

  /** Aborted when the deadline passes: in-flight SDK calls stop waiting. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  remainingMs(now = Date.now()): number {
    return this.deadlineAt - now;
  }

  /** Whether a write of this invocation may have changed the table (the client must then retry with the same key). */
  get mayHaveWritten(): boolean {
    return this.writesInFlight > 0 || this.writesApplied > 0 || this.writesUnknown > 0;
  }

  /** Ends the budget: in-flight calls are aborted and no further call may start. */
  expire(): void {
    if (!this.expired) this.controller.abort(new DeadlinePassedError());
  }

  /** Throws once the deadline has passed (also before the handler's timer has fired and ended the budget). */
  check(now = Date.now()): void {
    if (this.expired || now >= this.deadlineAt) throw new DeadlinePassedError();
  }
}

const budgets = new AsyncLocalStorage<InvocationBudget>();

/** Runs `work` with `budget` as the current invocation's budget (seen by the table client and retry loops). */
export function runWithinBudget<T>(budget: InvocationBudget, work: () => Promise<T>): Promise<T> {
  return budgets.run(budget, work);
}

/** The budget of the invocation this code runs for, if any (none in scheduled jobs, scripts and most tests). */
export function currentBudget(): InvocationBudget | undefined {
  return budgets.getStore();
}

/**
 * Runs `work` outside the current invocation's budget: its table calls are neither tracked as the invocation's
 * writes nor aborted at its deadline (bookkeeping that is not the request's own change, such as the sale
 * monitor's refusal counts: it must never turn the request's answer into OUTCOME_UNKNOWN).
 */
export function outsideInvocationBudget<T>(work: () => T): T {
  return budgets.exit(work);
}

/**
 * For retry loops (shard fall-over, transaction conflicts): stops them once the
 * invocation's deadline has passed. A no-op outside an invocation with a budget.
 */
export function throwIfPastDeadline(): void {
  currentBudget()?.check();
}

const WRITE_OPERATIONS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/**
 * DynamoDB answered and refused the write (a 4xx: failed condition, cancelled
 * transaction, validation, throttling): nothing of it was applied. A 5xx, an
 * abort or a network error leaves the outcome unknown.
 */
function refusedByDynamoDb(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * Makes the document client honour the current invocation's budget: no call
 * starts past the deadline, every call gets the budget's abort signal, and
 * writes are tracked (in flight, applied, unknown) for the deadline's answer.
 */
export function guardedByDeadline(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const budget = currentBudget();
      if (!budget) return next(args);
      budget.check();
      if (!WRITE_OPERATIONS.has((context.commandName ?? '').replace(/Command$/, ''))) return next(args);
      budget.writesInFlight += 1;
      try {
        const result = await next(args);
        budget.writesApplied += 1;
        return result;
      } catch (error) {
        if (!refusedByDynamoDb(error)) budget.writesUnknown += 1;
        throw error;
      } finally {
        budget.writesInFlight -= 1;
      }
    },
    // First of all: a call refused at the deadline is not counted or sent.
    { step: 'initialize', name: 'pointsMallInvocationDeadline', priority: 'high' },
  );
  // The abort signal is a send option (middleware cannot set it): every call of the invocation gets the budget's.
  // The inherited send is looked up at each call, not captured once: a test double installed on the prototype later
  // (aws-sdk-client-mock re-stubs it on every reset) must still receive the calls.
  type Send = (this: DynamoDBDocumentClient, command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;
  const inherited = (): Send => (Object.getPrototypeOf(client) as { send: Send }).send;
  Object.assign(client, {
    send: (command: unknown, options?: { abortSignal?: AbortSignal }) => {
      const budget = currentBudget();
      return inherited().call(client, command, budget && !options?.abortSignal ? { ...options, abortSignal: budget.signal } : options);
    },
  });
  return client;
}
