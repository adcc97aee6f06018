/**
 * Per-member request rate limits (docs/flash-sale.md, "Per-member rate
 * limits"): one member's script must not take a sale. Counted per member (the
 * token's subject), never per IP: members share carrier NAT addresses, and a
 * script moves between addresses more easily than between accounts.
 *
 * Two counts, each as cheap as it can be:
 *
 * 1. **In this function instance** (`checkLocal`, every limited request, no
 *    table call): requests of the member in the current second. More than the
 *    limit is a 429 at once. With one instance (the local runtime, a quiet
 *    moment on AWS) this is the whole limit.
 * 2. **Across instances** (`checkShared`, a conditional UpdateItem): Lambda
 *    spreads one member's requests over many instances, each seeing a share, so
 *    (1) alone lets a script make N times the limit over N instances. A member
 *    this instance has seen more than once in the last HOT_MS is counted in a
 *    per-member item per second (`RATE#<memberId>` / `<operation>#<second>`,
 *    `ADD requests 1` on condition that it is under the limit): the condition
 *    failing is the 429, and writes nothing. Members who send one request now
 *    and then never cost this write. The caller decides when to pay it: the
 *    orders function pays it only for a redemption that is about to write (a
 *    refusal from memory, e.g. a sold-out product, stays free), the auctions
 *    and draws functions only for a bid or a spin about to write (a replay, a
 *    closed draw or auction, a bid too low stay free).
 *
 * A shared count that cannot be written (the table busy or down) lets the
 * request through: the limit protects the sale, it is not accounting, and the
 * redemption's own writes meet the same table.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DomainError } from '../errors.js';
import { logger } from '../observability/powertools.js';
import { DeadlinePassedError } from '../runtime/deadline.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';

/** The limited operations and their default limit, in requests per member per second. */
const DEFAULT_LIMITS: Readonly<Record<string, number>> = {
  // A member taps "redeem" a few times a second at most, and the app retries after Retry-After (1 s).
  placeOrder: 5,
  // A bidder raises a few times a second at most; a script outbidding everyone each millisecond is what this stops.
  placeBid: 5,
  // A spin is one tap and an animation of a second or more.
  spinDraw: 5,
};

/** The environment variable overriding an operation's limit (0 switches it off). */
export function limitVariable(operation: string): string {
  return `MEMBER_RATE_LIMIT_${operation.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** Requests per member per second for `operation`, or undefined when it is not limited. Read per call: tests change it. */
export function memberRateLimit(operation: string): number | undefined {
  const fallback = DEFAULT_LIMITS[operation];
  const raw = process.env[limitVariable(operation)];
  const limit = raw === undefined || raw === '' ? fallback : Number(raw);
  if (limit === undefined || !Number.isFinite(limit) || limit <= 0) return undefined;
  return Math.floor(limit);
}

/** How long a member stays "seen more than once" on this instance, and so counted across instances. */
const HOT_MS = 10_000;
/** The shared counters expire (TTL) this long after their second. */
const COUNTER_TTL_SECONDS = 120;
/** Members remembered per instance before the stale ones are dropped. */
const MAX_TRACKED = 50_000;

interface Seen {
  second: number;
  count: number;
  lastMs: number;
  previousMs: number;
}

const seen = new Map<string, Seen>();

function throttled(operation: string, memberId: string, limit: number): DomainError {
  return new DomainError(
    'THROTTLED',
    `member ${memberId} sent more than ${limit} ${operation} requests in one second; nothing was done: retry after Retry-After seconds`,
    { limit, windowSeconds: 1, scope: 'member' },
  );
}

function dropStale(nowMs: number): void {
  if (seen.size < MAX_TRACKED) return;
  for (const [key, entry] of seen) if (nowMs - entry.lastMs > HOT_MS) seen.delete(key);
}

/**
 * Counts one request of `memberId` to `operation` in this instance; throws 429 THROTTLED beyond the limit.
 * No table call.
 */
export function checkLocal(operation: string, memberId: string, nowMs = Date.now()): void {
  const limit = memberRateLimit(operation);
  if (limit === undefined) return;
  const key = `${operation}#${memberId}`;
  const second = Math.floor(nowMs / 1000);
  let entry = seen.get(key);
  if (!entry) {
    dropStale(nowMs);
    entry = { second, count: 0, lastMs: 0, previousMs: 0 };
    seen.set(key, entry);
  }
  if (entry.second !== second) {
    entry.second = second;
    entry.count = 0;
  }
  entry.count += 1;
  entry.previousMs = entry.lastMs;
  entry.lastMs = nowMs;
  if (entry.count > limit) throw throttled(operation, memberId, limit);
}

/** Whether this instance saw the member's previous request to `operation` within HOT_MS of the last one. */
export function isHot(operation: string, memberId: string): boolean {
  const entry = seen.get(`${operation}#${memberId}`);
  return entry !== undefined && entry.previousMs > 0 && entry.lastMs - entry.previousMs <= HOT_MS;
}

/**
 * The count across instances, for a member this instance has seen more than once lately: one conditional
 * UpdateItem on the member's counter of this second; 429 THROTTLED when it is at the limit (nothing written).
 * Nothing to do (and no table call) for other members.
 */
export async function checkShared(operation: string, memberId: string, nowMs = Date.now()): Promise<void> {
  const limit = memberRateLimit(operation);
  if (limit === undefined || !isHot(operation, memberId)) return;
  const second = Math.floor(nowMs / 1000);
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.rateLimit.window(memberId, operation, second),
        UpdateExpression: 'ADD requests :one SET entity = :entity, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(requests) OR requests < :limit',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':entity': 'RateWindow', ':ttl': second + COUNTER_TTL_SECONDS },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw throttled(operation, memberId, limit);
    // Past the invocation's deadline the request answers 503 as any other call would make it.
    if (error instanceof DeadlinePassedError) throw error;
    // The table's own failures are the request's to meet on its writes: the count lets it through.
    logger.warn('member rate count not written; request let through', { operation, error: (error as Error).name });
  }
}

/** Forgets what this instance counted (tests). */
export function forgetMemberRates(): void {
  seen.clear();
}
