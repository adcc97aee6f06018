/**
 * Typed domain errors. Each has a stable `code`; shared/http/problem.ts maps
 * codes to HTTP status in exactly one place. Messages are written for the
 * client developer who will read them in a problem+json `detail`.
 */
export const errorCodes = [
  'VALIDATION_FAILED',
  'INVALID_CURSOR',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'CONFLICT',
  'ALREADY_REGISTERED',
  'INSUFFICIENT_POINTS',
  'OUT_OF_STOCK',
  'LIMIT_REACHED',
  'NOT_ON_SALE',
  'AUCTION_CLOSED',
  'BID_TOO_LOW',
  'NO_SPINS_LEFT',
  'DRAW_CLOSED',
  'ALREADY_COMPLETED',
  'BUDGET_EXHAUSTED',
  'THRESHOLD_NOT_MET',
  'COUPON_NOT_VALID',
  'PAYMENT_CODE_INVALID',
  'PAYMENT_CODE_USED',
  'PAYMENT_CODE_EXPIRED',
  'PAYMENT_CODE_LIMIT',
  'IDEMPOTENCY_KEY_REUSED',
  'PURCHASE_LIMIT_EXCEEDED',
  'ALREADY_REFUNDED',
  'ALREADY_VOIDED',
  'VOID_NOT_ALLOWED',
  'IDEMPOTENCY_KEY_REQUIRED',
  'INVALID_SIGNATURE',
  'REPLAYED',
  'THROTTLED',
  'UNAVAILABLE',
  'OUTCOME_UNKNOWN',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export class DomainError extends Error {
  override readonly name: string = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra, safe-to-show fields merged into the problem document. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super('VALIDATION_FAILED', message, extensions);
  }
}

/**
 * A list cursor this API did not issue for this list and caller, or one that
 * has expired. Deliberately vague about which: a cursor is opaque to clients.
 */
export class InvalidCursorError extends DomainError {
  override readonly name = 'InvalidCursorError';
  constructor(reason: 'invalid' | 'expired' = 'invalid') {
    super(
      'INVALID_CURSOR',
      reason === 'expired'
        ? 'cursor has expired (cursors live 24 hours); start again without cursor'
        : 'cursor is not one this API issued for this list and caller; pass nextCursor from the previous page unchanged, or start again without cursor',
    );
  }
}

export class InsufficientPointsError extends DomainError {
  override readonly name = 'InsufficientPointsError';
  constructor(requested: number, available: number | undefined, currency: string) {
    super(
      'INSUFFICIENT_POINTS',
      available === undefined
        ? `not enough ${currency}: ${requested} requested`
        : `not enough ${currency}: ${requested} requested, ${available} available`,
      { requested, ...(available === undefined ? {} : { available }), currency },
    );
  }
}

export class IdempotencyKeyReusedError extends DomainError {
  override readonly name = 'IdempotencyKeyReusedError';
  constructor() {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      'this Idempotency-Key was already used with a different request; use a new key for a new request',
    );
  }
}

/** Raised when optimistic retries give up; the client may retry the same request with the same key. */
export class ConcurrencyConflictError extends DomainError {
  override readonly name = 'ConcurrencyConflictError';
  constructor(what: string) {
    super('CONFLICT', `${what} was changed concurrently too often; retry the request with the same Idempotency-Key`);
  }
}
