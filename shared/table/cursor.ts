/**
 * Opaque, sealed list cursors.
 *
 * A cursor is where the next page starts (the query's LastEvaluatedKey, plus
 * any running state the list needs, such as the ledger's balance), encrypted
 * and authenticated with AES-256-GCM, so a client can neither read table keys
 * out of it nor forge one. It is bound to its scope (the operation, the
 * caller, and the query's filters and path parameters) as additional
 * authenticated data: a cursor replayed by another caller, on another list or
 * with other filters does not open. It carries its issue time and lives
 * CURSOR_LIFETIME_MS.
 *
 * Format (base64url, no padding): version byte | 96-bit random IV |
 * ciphertext of `{"t":<issued, epoch s>,"k":{key},"s":{state}?}` | 128-bit tag.
 * The AAD is the version byte and the canonical scope. Any failure to open
 * answers 400 INVALID_CURSOR, never a 500.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import * as z from '../zod.js';
import { cursorKeys, refreshedCursorKeys, type CursorKeys } from '../config/cursor-keys.js';
import { InvalidCursorError } from '../errors.js';

/** Format version: the first byte of every cursor, and part of its AAD. */
export const CURSOR_VERSION = 1;
/** How long a cursor opens after it was issued. */
export const CURSOR_LIFETIME_MS = 24 * 3600_000;
/** Clock skew tolerated between the instance that sealed a cursor and the one that opens it. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Longer input is refused before any decoding (a real cursor is a few hundred characters). */
export const MAX_CURSOR_CHARS = 2048;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** What a cursor is bound to. Build it with cursorScopeOf, in the HTTP handler, never by hand in a list. */
export interface CursorScope {
  readonly operation: string;
  /** Auth kind and subject: `member:m1`, `admin:operator-1`. */
  readonly caller: string;
  /** The list's filters: path parameters (`path.drawId`) and query values (`query.zone`), minus cursor and limit. */
  readonly filters: Readonly<Record<string, string>>;
}

/** One page of a list as the client asked for it, with the scope its cursors are bound to. */
export interface PageRequest {
  readonly limit: number;
  readonly cursor: string | undefined;
  readonly scope: CursorScope;
}

/** What a cursor carries: where the next page starts, and server-written state the list continues from. */
export interface CursorPosition {
  readonly key: Readonly<Record<string, string | number>>;
  readonly state?: Readonly<Record<string, number>>;
}

function filterValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** What the HTTP handler knows of a request once it is authorized and validated. */
export interface ScopeSource {
  readonly operation: string;
  /** The route's auth kind (`member`, `admin`, `pos`). */
  readonly auth: string;
  readonly subject: string | undefined;
  readonly params: Readonly<Record<string, unknown>>;
  readonly query: Readonly<Record<string, unknown>>;
}

/**
 * The scope of a request's cursors, from its operation, caller and validated
 * path and query values (`cursor` and `limit` left out: the page size may
 * change between pages). Parsed values are used, so `?zone=main` and a zone
 * defaulted to `main` are the same list.
 */
export function cursorScopeOf(request: ScopeSource): CursorScope {
  const filters: Record<string, string> = {};
  for (const [where, values] of [['path', request.params], ['query', request.query]] as const) {
    for (const [name, value] of Object.entries(values)) {
      if (where === 'query' && (name === 'cursor' || name === 'limit')) continue;
      const text = filterValue(value);
      if (text !== undefined) filters[`${where}.${name}`] = text;
    }
  }
  return { operation: request.operation, caller: `${request.auth}:${request.subject ?? ''}`, filters };
}

/** The page size when an operation's query has no `limit` (the contracts' default). */
const DEFAULT_PAGE_LIMIT = 20;

/**
 * A request's page: its validated `limit` and `cursor`, and the scope its
 * cursors are bound to. The HTTP handler builds one for every request, so a
 * list cannot page without the binding.
 */
export function pageRequestOf(request: ScopeSource): PageRequest {
  return {
    limit: typeof request.query.limit === 'number' ? request.query.limit : DEFAULT_PAGE_LIMIT,
    // `?cursor=` with nothing is the first page, as it always was.
    cursor: typeof request.query.cursor === 'string' && request.query.cursor !== '' ? request.query.cursor : undefined,
    scope: cursorScopeOf(request),
  };
}

/** The AAD: one canonical byte string per scope (filters sorted, JSON-escaped, so no two scopes collide). */
function associatedData(scope: CursorScope): Buffer {
  const filters = Object.entries(scope.filters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify([CURSOR_VERSION, scope.operation, scope.caller, filters]), 'utf8');
}

const payloadSchema = z.strictObject({
  t: z.number().check(z.int(), z.nonnegative()),
  k: z.record(z.string(), z.union([z.string(), z.number()])).check(z.refine((key) => Object.keys(key).length > 0)),
  s: z.optional(z.record(z.string(), z.number())),
});

/** Seals a position into a cursor bound to `scope`. Reads the key on first use. */
export async function sealCursor(scope: CursorScope, position: CursorPosition, now = new Date()): Promise<string> {
  const { current } = await cursorKeys(now.getTime());
  const payload = JSON.stringify({ t: Math.floor(now.getTime() / 1000), k: position.key, ...(position.state ? { s: position.state } : {}) });
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', current, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(scope));
  const sealed = Buffer.concat([cipher.update(payload, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(CURSOR_VERSION), iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

function decrypt(key: Buffer, bytes: Buffer, aad: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

function decryptWithAny(keys: CursorKeys, bytes: Buffer, aad: Buffer): string | undefined {
  return decrypt(keys.current, bytes, aad) ?? (keys.previous ? decrypt(keys.previous, bytes, aad) : undefined);
}

/**
 * Opens a cursor this API sealed for `scope`. Throws InvalidCursorError
 * (400 INVALID_CURSOR) for anything else: malformed, tampered, sealed for
 * another caller, list or filters, sealed with a retired key, or expired.
 */
export async function openCursor(scope: CursorScope, cursor: string, now = new Date()): Promise<CursorPosition> {
  if (cursor.length > MAX_CURSOR_CHARS || !BASE64URL.test(cursor)) throw new InvalidCursorError();
  const bytes = Buffer.from(cursor, 'base64url');
  // Only the canonical encoding: the spare bits of a last character must not give a second spelling of one cursor.
  if (bytes.toString('base64url') !== cursor) throw new InvalidCursorError();
  if (bytes.length < 1 + IV_BYTES + 1 + TAG_BYTES || bytes[0] !== CURSOR_VERSION) throw new InvalidCursorError();
  const aad = associatedData(scope);
  let plain = decryptWithAny(await cursorKeys(now.getTime()), bytes, aad);
  if (plain === undefined) {
    // Perhaps sealed by an instance that has seen a key rotation this one has not.
    const refreshed = refreshedCursorKeys(now.getTime());
    // A failed read leaves the answer as it was: this cursor opens with no key we can get.
    const keys = refreshed ? await refreshed.catch(() => undefined) : undefined;
    if (keys) plain = decryptWithAny(keys, bytes, aad);
  }
  if (plain === undefined) throw new InvalidCursorError();
  let payload: z.infer<typeof payloadSchema>;
  try {
    payload = payloadSchema.parse(JSON.parse(plain));
  } catch {
    // Authentic but unreadable: a format this version does not know. Never a 500.
    throw new InvalidCursorError();
  }
  const issuedAt = payload.t * 1000;
  if (issuedAt > now.getTime() + CLOCK_SKEW_MS) throw new InvalidCursorError();
  if (now.getTime() - issuedAt > CURSOR_LIFETIME_MS) throw new InvalidCursorError('expired');
  return { key: payload.k, ...(payload.s ? { state: payload.s } : {}) };
}
