/**
 * What a failed DynamoDB call tells about the table: which operation failed,
 * whether it was a write, and whether any of its attempts may have reached
 * DynamoDB (and so may have been applied). The document client's middleware
 * (shared/table/client.ts) tags every error it lets through with this; the
 * HTTP mapping (shared/http/problem.ts) turns it into UNAVAILABLE or
 * OUTCOME_UNKNOWN. No SDK client here, so the mapping can import it freely.
 */

/** Operations that change the table: after one of these may have been sent, its outcome is unknown. */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export interface DbCallFailure {
  /** `GetItem`, `TransactWriteItems`, ... */
  readonly operation: string;
  readonly write: boolean;
  /**
   * Some attempt of this call (the SDK retries) failed in a way that leaves
   * open whether DynamoDB applied it: a timeout or a connection cut after the
   * request was sent, a server fault, or a transaction still in progress.
   */
  readonly mayHaveApplied: boolean;
}

const TAG = Symbol.for('points-mall.dbCallFailure');

export function tagDbCallFailure(error: unknown, failure: DbCallFailure): void {
  if (typeof error !== 'object' || error === null || Object.isFrozen(error)) return;
  // Not enumerable: loggers and JSON never print it, and a rethrow keeps it.
  Object.defineProperty(error, TAG, { value: failure, enumerable: false, configurable: true });
}

export function dbCallFailureOf(error: unknown): DbCallFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as { [TAG]?: DbCallFailure })[TAG];
}

interface ErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function shape(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
}

/** The HTTP status DynamoDB answered, if it answered at all. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = shape(error).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Socket and name-resolution codes of Node (on the error or its cause). */
function systemCodeOf(error: unknown): string | undefined {
  const { code } = shape(error);
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const causeCode = shape(cause).code;
  return typeof causeCode === 'string' ? causeCode : undefined;
}

/** Transport failures where the request never left this process: nothing can have been applied. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** Transport failures once a connection existed: the request may have been sent and applied. */
const CUT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);

/** The SDK's connect timeout (@smithy/node-http-handler `connectionTimeout`): no connection, so nothing sent. */
function isConnectTimeout(error: unknown): boolean {
  const { name, message } = shape(error);
  return name === 'TimeoutError' && typeof message === 'string' && /did not establish a connection/i.test(message);
}

/**
 * A failure of the way to DynamoDB rather than an answer from it: connection
 * refused, reset or hung up, a connect or request timeout, an aborted request.
 */
export function isTransportFailure(error: unknown): boolean {
  if (httpStatusOf(error) !== undefined && !TIMEOUT_NAMES.has(String(shape(error).name))) return false;
  const code = systemCodeOf(error);
  if (code && (NEVER_SENT_CODES.has(code) || CUT_CODES.has(code))) return true;
  const { name, message } = shape(error);
  if (typeof name === 'string' && TIMEOUT_NAMES.has(name)) return true;
  return typeof message === 'string' && /socket hang up|connect ECONNREFUSED|other side closed/i.test(message);
}

/** A transport failure that proves the request was never sent (refused, unresolved, connect timeout). */
export function neverSent(error: unknown): boolean {
  const code = systemCodeOf(error);
  return (code !== undefined && NEVER_SENT_CODES.has(code)) || isConnectTimeout(error);
}

/** DynamoDB's throttling, left after the SDK's own retries: the request was refused, nothing applied. */
const THROTTLING_NAMES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

export function isThrottling(error: unknown): boolean {
  return THROTTLING_NAMES.has(String(shape(error).name));
}

/**
 * DynamoDB Local's table lock timeout: an InternalServerError (500) with the
 * message "This action timed out because it too long waiting for a lock. This
 * request will succeed in actual DynamoDB API", after 10 s waiting for the
 * emulator's per-table lock under heavy load. The request never got the lock,
 * so nothing was applied: retry it like a TransactionConflict.
 */
export function isLocalLockTimeout(error: unknown): boolean {
  const { message } = shape(error);
  return typeof message === 'string' && /waiting for a lock/i.test(message);
}

/** A server-side fault of an AWS service (500-class answer, `$fault: 'server'`). */
export function isServerFault(error: unknown): boolean {
  const { $fault } = shape(error);
  return $fault === 'server' || (httpStatusOf(error) ?? 0) >= 500;
}

/**
 * Whether one failed attempt of a call may have been applied by DynamoDB:
 * false when the request never left or DynamoDB refused it (a 4xx answer,
 * the emulator's lock timeout); true when it was cut, timed out after being
 * sent, met a server fault, or DynamoDB says the same transaction is still in
 * progress (TransactionInProgressException: an earlier attempt may commit).
 */
export function attemptMayHaveApplied(error: unknown): boolean {
  if (shape(error).name === 'TransactionInProgressException') return true;
  if (isLocalLockTimeout(error)) return false;
  if (isTransportFailure(error)) return !neverSent(error);
  if (isServerFault(error)) return true;
  return false;
}
