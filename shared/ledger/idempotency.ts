import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { IdempotencyKeyReusedError } from '../errors.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';

/** What a mutation answered the first time; replayed for a repeated key. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface IdempotencySpec {
  /** Who the key belongs to: `<caller subject>:<operationId>` for HTTP calls, or a fixed scope such as `pos:purchase`. */
  readonly scope: string;
  readonly key: string;
  /** Hash of the request; a reused key with another fingerprint is refused. */
  readonly fingerprint: string;
  readonly ttlSeconds?: number;
}

/** Records are kept a week by default; a retry after that is treated as a new request. */
export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600;

/** Stable JSON (sorted object keys) so equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

export function idempotencyRecord(spec: IdempotencySpec, response: StoredResponse, now: Date) {
  return {
    ...keys.idempotency(spec.scope, spec.key),
    entity: 'IdempotencyRecord',
    fingerprint: spec.fingerprint,
    response,
    createdAt: now.toISOString(),
    // The retention window runs on the real clock (as the check in commit() does), never on the
    // business time of the move: a back-dated credit must not get a record that is already stale.
    ttl: Math.floor(Date.now() / 1000) + (spec.ttlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS),
  };
}

/**
 * The stored answer for a key, if the call already happened (a replay), for
 * operations that must validate against state the first call changed.
 * A reused key with another request throws 422.
 */
export async function storedResponse(spec: IdempotencySpec): Promise<StoredResponse | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.idempotency(spec.scope, spec.key), ConsistentRead: true }));
  const item = result.Item;
  if (!item || Number(item.ttl ?? 0) < Math.floor(Date.now() / 1000)) return undefined;
  if (item.fingerprint !== spec.fingerprint) throw new IdempotencyKeyReusedError();
  return item.response as StoredResponse;
}
