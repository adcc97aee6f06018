/**
 * The suppliers' HTTP client: Node's global fetch with a timeout per attempt,
 * retries with exponential backoff and jitter on network errors, timeouts,
 * 5xx and 429, all inside a total time budget so one Lambda invocation stays
 * short. Any other answer (2xx, 409, other 4xx) goes back to the adapter,
 * which knows what it means for its supplier.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SubmitResult } from './adapter.js';
import { SupplierRejectedError, SupplierUnavailableError } from './errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Longest wait for one answer. */
  readonly attemptTimeoutMs: number;
  /** Backoff before retry n is drawn from [base * 2^(n-1) / 2, base * 2^(n-1)], capped at maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No attempt starts, and none waits, past this many ms after the first one began. */
  readonly totalBudgetMs: number;
}

/** Three attempts within about five seconds: EventBridge retries the invocation for anything longer. */
export const defaultRetryPolicy: RetryPolicy = {
  attempts: 3,
  attemptTimeoutMs: 1500,
  baseDelayMs: 200,
  maxDelayMs: 1000,
  totalBudgetMs: 5000,
};

/** An attempt needs at least this much of the budget left to be worth starting. */
const MIN_ATTEMPT_MS = 100;

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
  /** The body as JSON, or undefined when it is empty or not JSON. */
  readonly json: unknown;
}

/** Whether a status is worth another attempt: the supplier is overloaded or broken, not refusing. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Exponential backoff with "equal jitter": never zero, never more than the cap. */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Retry-After in seconds (the only form suppliers send us), as ms; undefined if absent or unusable. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header || !/^\d{1,4}$/.test(header)) return undefined;
  return Number(header) * 1000;
}

/**
 * Sends a request, retrying what can be retried. Resolves with the first
 * answer that is not retryable; throws SupplierUnavailableError when every
 * attempt failed or the budget ran out. `label` names the supplier in errors
 * (never the URL's credentials or headers).
 */
export async function sendWithRetries(request: HttpRequest, label: string, policy: RetryPolicy = defaultRetryPolicy): Promise<HttpResponse> {
  const deadline = Date.now() + policy.totalBudgetMs;
  let lastProblem = 'no attempt made';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    const left = deadline - Date.now();
    if (left < MIN_ATTEMPT_MS) break;
    let waitHint: number | undefined;
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(Math.min(policy.attemptTimeoutMs, left)),
      });
      const body = await response.text();
      if (!isRetryableStatus(response.status)) return { status: response.status, body, json: parseJson(body) };
      lastProblem = `HTTP ${response.status}`;
      waitHint = retryAfterMs(response.headers.get('retry-after'));
    } catch (error) {
      const name = (error as Error).name;
      lastProblem = name === 'TimeoutError' ? `no answer within ${policy.attemptTimeoutMs} ms` : `network error (${(error as Error).message})`;
    }
    if (attempt === policy.attempts) break;
    const wait = Math.max(backoffMs(attempt, policy), waitHint ?? 0);
    // Waiting past the budget only to give up afterwards would waste the invocation's time.
    if (Date.now() + wait + MIN_ATTEMPT_MS > deadline) break;
    await sleep(wait);
  }
  throw new SupplierUnavailableError(`${label} is unavailable: ${lastProblem}`);
}

/**
 * What an order submission's final answer means, the same for every supplier:
 * 2xx = accepted now; 409 = we sent this order before (success, duplicate);
 * any other 4xx = refused for good. A 2xx or 409 without the supplier's order
 * reference is treated as unavailable: retrying is safe (our order id is the
 * idempotency reference) and the supplier's 409 then names the reference.
 */
export function submissionOutcome(
  label: string,
  response: HttpResponse,
  supplierOrderRef: (json: unknown) => string | undefined,
  reason: (json: unknown) => string | undefined,
): SubmitResult {
  const ok = response.status >= 200 && response.status < 300;
  if (ok || response.status === 409) {
    const ref = supplierOrderRef(response.json);
    if (!ref) throw new SupplierUnavailableError(`${label} answered ${response.status} without an order reference`);
    return { supplierOrderRef: ref, duplicate: !ok };
  }
  if (response.status >= 400 && response.status < 500) {
    const why = reason(response.json) ?? (response.body.slice(0, 200) || 'no reason given');
    throw new SupplierRejectedError(`${label} refused the order (HTTP ${response.status}): ${why}`);
  }
  throw new SupplierUnavailableError(`${label} answered an unexpected HTTP ${response.status}`);
}
