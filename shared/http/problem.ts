import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
// zod's error class by name: `z.core.$ZodError` would make the bundle keep zod's whole core namespace (and its locales).
import { $ZodError } from 'zod/v4/core';
import { DomainError, type ErrorCode } from '../errors.js';
import {
  attemptMayHaveApplied,
  dbCallFailureOf,
  isLocalLockTimeout,
  isServerFault,
  isThrottling,
  isTransportFailure,
} from '../table/call-failure.js';

/** The one mapping of error codes to HTTP status. */
export const statusOfCode: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  INVALID_CURSOR: 400,
  IDEMPOTENCY_KEY_REQUIRED: 400,
  UNAUTHORIZED: 401,
  INVALID_SIGNATURE: 401,
  FORBIDDEN: 403,
  PAYMENT_CODE_INVALID: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  ALREADY_REGISTERED: 409,
  INSUFFICIENT_POINTS: 409,
  OUT_OF_STOCK: 409,
  LIMIT_REACHED: 409,
  NOT_ON_SALE: 409,
  AUCTION_CLOSED: 409,
  BID_TOO_LOW: 409,
  NO_SPINS_LEFT: 409,
  DRAW_CLOSED: 409,
  ALREADY_COMPLETED: 409,
  BUDGET_EXHAUSTED: 409,
  THRESHOLD_NOT_MET: 409,
  COUPON_NOT_VALID: 409,
  PAYMENT_CODE_USED: 409,
  PAYMENT_CODE_EXPIRED: 409,
  REPLAYED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  PURCHASE_LIMIT_EXCEEDED: 422,
  ALREADY_REFUNDED: 409,
  ALREADY_VOIDED: 409,
  VOID_NOT_ALLOWED: 409,
  THROTTLED: 429,
  PAYMENT_CODE_LIMIT: 429,
  UNAVAILABLE: 503,
  OUTCOME_UNKNOWN: 503,
};

/**
 * Seconds a client should wait before retrying (`Retry-After`), by status:
 * every 429 and 503 the API answers carries it (problemResponse adds it).
 * 503s are outages of DynamoDB or the SDK giving up on it; a connection
 * usually comes back within seconds, and the client's own backoff grows
 * from there.
 */
export const RETRY_AFTER_SECONDS: Readonly<Record<number, number>> = { 429: 1, 503: 2 };

const titles: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'Request is not valid',
  UNAUTHORIZED: 'Authentication required',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  INSUFFICIENT_POINTS: 'Not enough points',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency-Key reused with another request',
  UNAVAILABLE: 'Service unavailable',
  OUTCOME_UNKNOWN: 'Outcome unknown',
};

export const PROBLEM_TYPE_BASE = 'https://points-mall.dev/problems/';

function titleOf(code: ErrorCode): string {
  return titles[code] ?? code.toLowerCase().replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  [extension: string]: unknown;
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  // A problem that knows when to come back (e.g. PAYMENT_CODE_LIMIT's `retryAfterSeconds`) says so in the header too.
  const own = problem.retryAfterSeconds;
  const retryAfter = typeof own === 'number' && Number.isInteger(own) && own > 0 ? own : RETRY_AFTER_SECONDS[problem.status];
  const given = Object.keys(headers).some((name) => name.toLowerCase() === 'retry-after');
  return {
    statusCode: problem.status,
    headers: {
      'content-type': 'application/problem+json',
      ...(retryAfter !== undefined && !given ? { 'retry-after': String(retryAfter) } : {}),
      ...headers,
    },
    body: JSON.stringify(problem),
  };
}

export function problemOf(code: ErrorCode, detail: string, extensions: Record<string, unknown> = {}): Problem {
  // Extensions never replace the problem's own members (an extension named `status` once turned a 409 into "FULFILLED").
  return {
    ...extensions,
    type: `${PROBLEM_TYPE_BASE}${code.toLowerCase().replace(/_/g, '-')}`,
    title: titleOf(code),
    status: statusOfCode[code],
    detail,
    code,
  };
}

/** Zod issues as `where: what` lines a client developer can act on. */
export function zodIssues(error: $ZodError, where: string): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/** Why a dependency failed, for the warning log line (never for the response body). */
export interface DependencyFailure {
  /** The DynamoDB operation, when the error came through the table client (shared/table/client.ts). */
  readonly operation?: string;
  readonly errorName: string;
  /** Node's socket code (`ECONNREFUSED`, `ECONNRESET`, ...) when there is one. */
  readonly errorCode?: string;
  readonly errorMessage: string;
  /** The table call may have been applied (the reason for OUTCOME_UNKNOWN). */
  readonly mayHaveApplied?: boolean;
}

export interface ProblemOfError {
  readonly problem: Problem;
  /** A bug or an unforeseen failure: logged as an error with its stack. */
  readonly unexpected: boolean;
  /** An outage or overload of a dependency: an expected operational event, logged as a warning with this. */
  readonly dependency?: DependencyFailure;
}

const UNAVAILABLE_DETAIL =
  'a service this API depends on (the database) cannot be reached or is overloaded right now; retry after the Retry-After delay (with the same Idempotency-Key)';
const OUTCOME_UNKNOWN_DETAIL =
  'the change may or may not have been applied (the connection to the database failed after it was sent); retry with the same Idempotency-Key';

/**
 * A dependency outage or overload: DynamoDB unreachable (refused, reset, hung
 * up, timed out, aborted), throttling left after the SDK's retries, a server
 * fault, DynamoDB Local's lock timeout, a transaction still in progress.
 */
function isDependencyFailure(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  return (
    isTransportFailure(error) ||
    isThrottling(error) ||
    isLocalLockTimeout(error) ||
    error.name === 'TransactionInProgressException' ||
    (isServerFault(error) && '$metadata' in error)
  );
}

/**
 * Turns any thrown value into a problem document. Domain errors keep their
 * code and message. A dependency failure is a 503 (with Retry-After, see
 * problemResponse): OUTCOME_UNKNOWN when a write may have reached the table
 * before it failed (the client retries with the same Idempotency-Key, which
 * replays it if it was applied), UNAVAILABLE otherwise. Anything else is a 500
 * whose details stay in the logs.
 */
export function problemFromError(error: unknown): ProblemOfError {
  if (error instanceof DomainError) {
    return { problem: problemOf(error.code, error.message, error.extensions), unexpected: false };
  }
  if (error instanceof $ZodError) {
    const errors = zodIssues(error, 'request');
    return {
      problem: problemOf('VALIDATION_FAILED', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors }),
      unexpected: false,
    };
  }
  if (isDependencyFailure(error)) {
    const call = dbCallFailureOf(error);
    // Only the table client knows a call was a write; an untagged error (EventBridge, Secrets Manager) changed no table item.
    const mayHaveApplied = call !== undefined && call.write && (call.mayHaveApplied || attemptMayHaveApplied(error));
    const code = (error as { code?: unknown }).code;
    const dependency: DependencyFailure = {
      ...(call ? { operation: call.operation } : {}),
      errorName: error.name,
      ...(typeof code === 'string' ? { errorCode: code } : {}),
      errorMessage: error.message,
      ...(call?.write ? { mayHaveApplied } : {}),
    };
    return {
      problem: mayHaveApplied ? problemOf('OUTCOME_UNKNOWN', OUTCOME_UNKNOWN_DETAIL) : problemOf('UNAVAILABLE', UNAVAILABLE_DETAIL),
      unexpected: false,
      dependency,
    };
  }
  return {
    problem: {
      type: `${PROBLEM_TYPE_BASE}internal`,
      title: 'Internal error',
      status: 500,
      detail: 'an unexpected error occurred; it has been logged',
      code: 'INTERNAL',
    },
    unexpected: true,
  };
}
