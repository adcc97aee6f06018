/**
 * The API's CORS headers, one list for the stack's HTTP API (lib/constructs/points-mall-api.ts) and the local
 * server (bin/local/http-server.ts), so the console behaves the same on both.
 */

/** Request headers a browser client may send besides the simple ones. */
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'idempotency-key'];

/** Answer headers a browser client may read besides the simple ones: when to retry, where a 202's work is, a replay. */
export const CORS_EXPOSE_HEADERS = ['retry-after', 'location', 'idempotent-replayed'];
