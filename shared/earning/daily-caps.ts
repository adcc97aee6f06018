/**
 * Daily caps on POS earning (docs/earning.md, Limits on POS earning): one
 * counter item per member and day and one per store and day, each added to
 * in the purchase's own transaction on condition it stays within the cap. No
 * read comes before the write, so concurrent purchases cannot pass a cap
 * together: the ones that would are cancelled, learn from the counter as
 * stored what is left, and commit again with that much.
 */
import type { PosLimits } from '../domain/pos-limits.js';
import type { ExtraWrite } from '../ledger/ledger.js';
import { tableName } from '../table/client.js';
import { keys } from '../table/keys.js';

/** Day counters are kept this long after their day, for whoever investigates a store's day. */
const COUNTER_TTL_SECONDS = 400 * 24 * 3600;

export type CapScope = 'member' | 'store';

/** Raised by a counter's condition: the cap of `scope` allows only `allowed` more points today. */
export class DailyCapError extends Error {
  override readonly name = 'DailyCapError';
  constructor(
    readonly scope: CapScope,
    readonly allowed: number,
  ) {
    super(`the daily ${scope} cap allows only ${allowed} more points`);
  }
}

function counterWrite(scope: CapScope, key: { PK: string; SK: string }, cap: number, points: number, owner: Record<string, string>, now: Date): ExtraWrite {
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'ADD points :p, purchases :one SET entity = :entity, #ttl = if_not_exists(#ttl, :ttl), ' + Object.keys(owner).map((k) => `#${k} = :${k}`).join(', '),
        ConditionExpression: 'attribute_not_exists(points) OR points <= :limit',
        // Names, not bare words: `day` is a DynamoDB reserved word.
        ExpressionAttributeNames: { '#ttl': 'ttl', ...Object.fromEntries(Object.keys(owner).map((k) => [`#${k}`, k])) },
        ExpressionAttributeValues: {
          ':p': points,
          ':one': 1,
          ':limit': cap - points,
          ':entity': scope === 'member' ? 'MemberPosDay' : 'StorePosDay',
          ':ttl': Math.floor(now.getTime() / 1000) + COUNTER_TTL_SECONDS,
          ...Object.fromEntries(Object.entries(owner).map(([k, v]) => [`:${k}`, v])),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) => new DailyCapError(scope, Math.max(0, cap - Number(current?.points ?? 0))),
  };
}

/**
 * The counter writes of a purchase crediting `points` on programme day `day`:
 * one per configured cap, none when nothing is credited (a purchase at the cap
 * is still recorded, and adds nothing a cap could refuse).
 */
export function dailyCapWrites(
  limits: PosLimits,
  purchase: { memberId: string; storeId: string; day: string; points: number },
  now: Date,
): ExtraWrite[] {
  if (purchase.points <= 0) return [];
  const writes: ExtraWrite[] = [];
  const { memberId, storeId, day, points } = purchase;
  if (limits.dailyPointsPerMember !== null) {
    writes.push(counterWrite('member', keys.posEarningDay.member(memberId, day), limits.dailyPointsPerMember, points, { memberId, day }, now));
  }
  if (limits.dailyPointsPerStore !== null) {
    writes.push(counterWrite('store', keys.posEarningDay.store(storeId, day), limits.dailyPointsPerStore, points, { storeId, day }, now));
  }
  return writes;
}

/**
 * The counters `dailyCapWrites` adds a purchase's points to, kept on the purchase (`capCounted`) so that its void
 * lowers exactly those, on that day, whatever the caps have become since (none: an empty list).
 */
export function capCounted(limits: PosLimits, day: string, points: number): { day: string; scopes: CapScope[] } {
  const scopes: CapScope[] = [];
  if (points > 0 && limits.dailyPointsPerMember !== null) scopes.push('member');
  if (points > 0 && limits.dailyPointsPerStore !== null) scopes.push('store');
  return { day, scopes };
}

/** What the caps allow before any counter is read: the smaller cap whole (the counters' conditions find out the rest). */
export function initialAllowance(limits: PosLimits): { allowance: number; scope: CapScope } {
  const member = limits.dailyPointsPerMember ?? Number.MAX_SAFE_INTEGER;
  const store = limits.dailyPointsPerStore ?? Number.MAX_SAFE_INTEGER;
  return member <= store ? { allowance: member, scope: 'member' } : { allowance: store, scope: 'store' };
}
