/**
 * The two ways a submission fails. Kept apart from adapter.ts so the HTTP
 * client can throw them without importing the adapter registry (no import cycle);
 * adapter.ts re-exports both.
 */

/** The supplier refused the order for good (a 4xx other than 409/429): retrying cannot help. */
export class SupplierRejectedError extends Error {
  override readonly name = 'SupplierRejectedError';
  readonly code = 'SUPPLIER_REJECTED';
}

/**
 * The supplier could not be reached or answered 5xx/429 through all of our own
 * retries: the caller (Lambda under EventBridge) fails the invocation so it is retried later.
 */
export class SupplierUnavailableError extends Error {
  override readonly name = 'SupplierUnavailableError';
  readonly code = 'SUPPLIER_UNAVAILABLE';
}
