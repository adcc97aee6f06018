import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ZodError } from 'zod';
import { DomainError, type ErrorCode } from '../errors.js';

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
  THROTTLED: 429,
  PAYMENT_CODE_LIMIT: 429,
  UNAVAILABLE: 503,
};

const titles: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'Request is not valid',
  UNAUTHORIZED: 'Authentication required',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  INSUFFICIENT_POINTS: 'Not enough points',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency-Key reused with another request',
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
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
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
export function zodIssues(error: ZodError, where: string): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/**
 * Turns any thrown value into a problem document. Domain errors keep their
 * code and message; anything else is a 500 whose details stay in the logs.
 */
export function problemFromError(error: unknown): { problem: Problem; unexpected: boolean } {
  if (error instanceof DomainError) {
    return { problem: problemOf(error.code, error.message, error.extensions), unexpected: false };
  }
  if (error instanceof ZodError) {
    const errors = zodIssues(error, 'request');
    return {
      problem: problemOf('VALIDATION_FAILED', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors }),
      unexpected: false,
    };
  }
  const throttled =
    error instanceof Error &&
    ['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'].includes(error.name);
  if (throttled) {
    return { problem: problemOf('THROTTLED', 'the service is busy; retry with backoff'), unexpected: false };
  }
  // A server-side fault of an AWS service (DynamoDB InternalServerError, ServiceUnavailable ...) after the SDK's own
  // retries: nothing was written by the failed call (a transaction is all or nothing), so the client may retry.
  // Logged like any unexpected error.
  const awsServerFault = error instanceof Error && (error as { $fault?: unknown }).$fault === 'server' && '$metadata' in error;
  if (awsServerFault) {
    return {
      problem: problemOf('UNAVAILABLE', 'a service this API depends on failed for a moment; retry with backoff (and the same Idempotency-Key)'),
      unexpected: true,
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
