import { TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { decodeTime } from 'ulid';
import { monotonicFactory } from '../runtime/ulid.js';
import { combineMoves, moveEffect, returnsPoints, walletCounters, type LedgerEntryType } from '../domain/ledger-moves.js';
import { NEVER_EXPIRES, isBucketKey } from '../domain/fifo.js';
import { activityMonth, countsAsActivity } from '../domain/inactivity.js';
import { isMonth } from '../domain/months.js';
import {
  ConcurrencyConflictError,
  DomainError,
  IdempotencyKeyReusedError,
  InsufficientPointsError,
  NotFoundError,
} from '../errors.js';
import { throwIfPastDeadline } from '../runtime/deadline.js';
import { dbCallFailureOf, isLocalLockTimeout } from '../table/call-failure.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { idempotencyRecord, type IdempotencySpec, type StoredResponse } from './idempotency.js';
import { DEFAULT_CURRENCY, bucketAttribute } from './wallet-item.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One change to one wallet; it becomes one conditional update plus one immutable ledger entry. */
export interface LedgerMove {
  readonly memberId: string;
  /** Wallet currency; `points` when omitted. */
  readonly currency?: string;
  readonly type: LedgerEntryType;
  /** Positive points; ADJUST takes a signed, non-zero amount. */
  readonly points: number;
  /**
   * Credits (EARN, positive ADJUST, VEST): the expiry bucket the points go into.
   * Returns (RELEASE, REFUND): the fallback bucket registered for points whose own bucket has expired.
   * EXPIRE: the bucket being expired.
   */
  readonly bucket?: string;
  readonly reason: string;
  /** What the move belongs to (order id, purchase id, ...). */
  readonly ref?: string;
  /** EXPIRE only: the counters the amount was computed from; the write requires them unchanged. */
  readonly expect?: { readonly debited: number; readonly expired: number };
  /**
   * EXPIRE for inactivity (no bucket): the wallet's `activeMonth` as read. The
   * write requires it unchanged (no activity since), closes no bucket, and
   * takes the wallet out of the LastActivity index.
   */
  readonly inactiveSince?: string;
  /**
   * The entry type this move undoes (a void of a POS purchase recorded in error, shared/earning/voids.ts): the
   * reports count the entry as minus one entry of that type, so the purchase and its void together count nothing.
   */
  readonly undoes?: LedgerEntryType;
}

/** Another item written in the same transaction (order, stock shard, counter ...). */
export interface ExtraWrite {
  readonly item: TransactItem;
  /** The error to raise when this item's condition fails; `current` is the item as stored, if any. */
  readonly onConditionFailed?: (current: Record<string, unknown> | undefined) => Error;
}

/** An immutable ledger entry as stored (balanceAfter is derived when listed, see ledger-reader). */
export interface LedgerEntry {
  readonly id: string;
  readonly memberId: string;
  readonly currency: string;
  readonly type: LedgerEntryType;
  /** Change of available points (signed). */
  readonly points: number;
  /** Change of held points (signed); 0 for most types. */
  readonly heldDelta: number;
  /** Change of pending points (signed): PEND, VEST, VOID; 0 for the other types (absent on entries written before pending points existed). */
  readonly pendingDelta: number;
  readonly reason: string;
  readonly ref?: string;
  readonly bucket?: string;
  /** Set on entries that undo an earlier entry of this type (see LedgerMove.undoes). */
  readonly undoes?: LedgerEntryType;
  readonly at: string;
}

export interface CommitRequest<Extra extends ExtraWrite = ExtraWrite> {
  readonly moves: readonly LedgerMove[];
  readonly extra?: readonly Extra[];
  /**
   * Extra writes that record the entries of the attempt that commits (an audit record naming its ledger
   * entry ids): built per attempt, after `extra`, since a retried attempt has new entry ids.
   */
  readonly extraOf?: (entries: readonly LedgerEntry[]) => readonly Extra[];
  readonly idempotency?: IdempotencySpec;
  /** The answer to store with the idempotency record, built from the entries of the attempt that commits. */
  readonly response?: (entries: readonly LedgerEntry[]) => StoredResponse;
  readonly now?: Date;
}

export type CommitOutcome =
  | { readonly replayed: false; readonly entries: readonly LedgerEntry[]; readonly response?: StoredResponse }
  | { readonly replayed: true; readonly response: StoredResponse };

/** Thrown for EXPIRE moves whose wallet changed since it was read; the caller re-reads and recomputes. */
export class StaleWalletError extends DomainError {
  override readonly name = 'StaleWalletError';
  constructor(memberId: string) {
    super('CONFLICT', `wallet of ${memberId} changed while it was being expired`);
  }
}

/**
 * Thrown when a VEST or VOID needs more pending points than the wallet holds. The callers read the pending
 * credit first, so this means a concurrent vest or refund took them meanwhile: they re-read the credit.
 */
export class InsufficientPendingError extends DomainError {
  override readonly name = 'InsufficientPendingError';
  constructor(pending: number, requested: number, currency: string) {
    super('CONFLICT', `only ${pending} ${currency} are pending; cannot take ${requested}`);
  }
}

const MAX_ATTEMPTS = 30;
const nextUlid = monotonicFactory();

function validateMove(move: LedgerMove): void {
  const ok = Number.isSafeInteger(move.points) && (move.type === 'ADJUST' ? move.points !== 0 : move.points > 0);
  if (!ok) throw new Error(`ledger move ${move.type} needs a positive integer amount, got ${move.points}`);
  const effect = moveEffect(move.type, move.points);
  if (move.inactiveSince !== undefined && (move.type !== 'EXPIRE' || !isMonth(move.inactiveSince) || move.bucket !== undefined)) {
    throw new Error('inactiveSince is for EXPIRE moves without a bucket, as a month (YYYY-MM)');
  }
  const needsBucket = effect.bucketCredit > 0 || returnsPoints(move.type) || (move.type === 'EXPIRE' && move.inactiveSince === undefined);
  if (needsBucket && (move.bucket === undefined || !(isBucketKey(move.bucket) || move.bucket === NEVER_EXPIRES))) {
    throw new Error(`ledger move ${move.type} needs a bucket (YYYY-MM), got ${String(move.bucket)}`);
  }
  if (move.type === 'EXPIRE' && !move.expect) throw new Error('EXPIRE needs the counters it was computed from');
  // What a void undoes: an EARN taken back whole (CLAWBACK), or a PEND cancelled whole (VOID); the reports rely on the pair.
  if (move.undoes !== undefined && !((move.type === 'CLAWBACK' && move.undoes === 'EARN') || (move.type === 'VOID' && move.undoes === 'PEND'))) {
    throw new Error(`a ${move.type} move cannot undo a ${move.undoes} entry`);
  }
}

function entryOf(move: LedgerMove, id: string, at: string): LedgerEntry {
  const effect = moveEffect(move.type, move.points);
  return {
    id,
    memberId: move.memberId,
    currency: move.currency ?? DEFAULT_CURRENCY,
    type: move.type,
    points: effect.available,
    heldDelta: effect.held,
    pendingDelta: effect.pending,
    reason: move.reason,
    ...(move.ref === undefined ? {} : { ref: move.ref }),
    ...(move.bucket === undefined ? {} : { bucket: move.bucket }),
    ...(move.undoes === undefined ? {} : { undoes: move.undoes }),
    at,
  };
}

/** The moves of one commit on one wallet, in order, with their entries. */
interface WalletGroup {
  readonly memberId: string;
  readonly currency: string;
  readonly moves: readonly LedgerMove[];
  readonly entries: readonly LedgerEntry[];
}

/**
 * The conditional update of one wallet item for all of a commit's moves on
 * it, applied in order (`combineMoves`): summed counters, each conditioned so
 * that no move takes it below zero, and the entries' ids after the wallet's
 * last one.
 */
function walletUpdate(group: WalletGroup): TransactItem {
  const first = group.entries[0] as LedgerEntry;
  const last = group.entries[group.entries.length - 1] as LedgerEntry;
  const combined = combineMoves(group.moves);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':firstId': first.id, ':id': last.id, ':now': last.at, ':zero': 0 };
  const sets = ['lastEntryId = :id', 'updatedAt = :now'];
  const conditions = ['attribute_exists(PK)', 'lastEntryId < :firstId'];
  for (const counter of walletCounters) {
    const delta = combined.delta[counter];
    if (delta !== 0) {
      sets.push(`${counter} = if_not_exists(${counter}, :zero) + :d_${counter}`);
      values[`:d_${counter}`] = delta;
    }
    if (combined.need[counter] > 0) {
      conditions.push(`${counter} >= :need_${counter}`);
      values[`:need_${counter}`] = combined.need[counter];
    }
  }
  // Credited (or fallback) buckets, each once with the sum of its credits.
  const credits = new Map<string, number>();
  for (const move of group.moves) {
    const effect = moveEffect(move.type, move.points);
    if (move.bucket !== undefined && (effect.bucketCredit > 0 || returnsPoints(move.type))) {
      credits.set(move.bucket, (credits.get(move.bucket) ?? 0) + effect.bucketCredit);
    }
  }
  [...credits].forEach(([bucket, credit], i) => {
    names[`#bucket${i}`] = bucketAttribute(bucket);
    sets.push(`#bucket${i} = if_not_exists(#bucket${i}, :zero) + :credit${i}`);
    values[`:credit${i}`] = credit;
  });
  const move = group.moves[0] as LedgerMove;
  if (move.type === 'EXPIRE' && move.expect && move.bucket) {
    conditions.push('debited = :expDebited', 'expired = :expExpired');
    conditions.push('(attribute_not_exists(expiredThrough) OR expiredThrough < :bucket)');
    values[':expDebited'] = move.expect.debited;
    values[':expExpired'] = move.expect.expired;
    values[':bucket'] = move.bucket;
    sets.push('expiredThrough = :bucket');
  }
  const activity = activityClauses(group.moves.find((m) => countsAsActivity(m.type)) ?? move, last);
  sets.push(...activity.sets);
  conditions.push(...activity.conditions);
  Object.assign(values, activity.values);
  return {
    Update: {
      TableName: tableName(),
      Key: keys.member.wallet(group.memberId, group.currency),
      UpdateExpression: `SET ${sets.join(', ')}${activity.removes.length > 0 ? ` REMOVE ${activity.removes.join(', ')}` : ''}`,
      ConditionExpression: conditions.join(' AND '),
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * The wallet update's part for expiry after inactivity (docs/ledger.md, The
 * inactivity expiry job). Every move but EXPIRE on the programme currency
 * records the month of last activity and the LastActivity index keys built
 * from it: they change only when the month does, and the index projects keys
 * only, so this costs no index write the rest of the month. An EXPIRE for
 * inactivity requires the activity and the counters as read and takes the
 * wallet out of the index.
 */
function activityClauses(move: LedgerMove, entry: LedgerEntry) {
  const sets: string[] = [];
  const conditions: string[] = [];
  const removes: string[] = [];
  const values: Record<string, unknown> = {};
  if (countsAsActivity(move.type) && entry.currency === DEFAULT_CURRENCY) {
    const month = activityMonth(entry.at);
    const index = keys.member.activityEntry(move.memberId, entry.currency, month);
    sets.push('activeMonth = :activeMonth', 'ACTPK = :actPk', 'ACTSK = :actSk');
    Object.assign(values, { ':activeMonth': month, ':actPk': index.ACTPK, ':actSk': index.ACTSK });
  }
  if (move.type === 'EXPIRE' && move.expect && move.inactiveSince !== undefined) {
    conditions.push('debited = :expDebited', 'expired = :expExpired', 'activeMonth = :inactiveSince');
    Object.assign(values, { ':expDebited': move.expect.debited, ':expExpired': move.expect.expired, ':inactiveSince': move.inactiveSince });
    removes.push('activeMonth', 'ACTPK', 'ACTSK');
  }
  return { sets, conditions, removes, values };
}

function ledgerPut(entry: LedgerEntry): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...keys.member.ledgerEntry(entry.memberId, entry.currency, entry.id), entity: 'LedgerEntry', ...entry },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** Registers the wallet in the sparse expiry index for a dated bucket (an idempotent overwrite). */
function expiryMarkerPut(move: LedgerMove, currency: string): TransactItem | undefined {
  if (move.bucket === undefined || move.bucket === NEVER_EXPIRES) return undefined;
  // Only moves that register their bucket on the wallet get a marker: the job must never visit a bucket the wallet lacks.
  if (!(moveEffect(move.type, move.points).bucketCredit > 0 || returnsPoints(move.type))) return undefined;
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.member.expiryMarker(move.memberId, currency, move.bucket),
        entity: 'ExpiryMarker',
        memberId: move.memberId,
        currency,
        bucket: move.bucket,
      },
    },
  };
}

type Role =
  | { kind: 'wallet'; group: WalletGroup }
  | { kind: 'ledger' }
  | { kind: 'marker' }
  | { kind: 'idempotency' }
  | { kind: 'extra'; extra: ExtraWrite };

/** Why a wallet update's condition failed, judged from the wallet as stored. */
function walletFailure(group: WalletGroup, current: Record<string, unknown> | undefined): Error | 'retry' {
  const { memberId, currency } = group;
  if (!current) return new NotFoundError(`member ${memberId} has no ${currency} wallet; register the member first`);
  if (group.moves[0]?.type === 'EXPIRE') return new StaleWalletError(memberId);
  const { need } = combineMoves(group.moves);
  const num = (name: string): number => Number(current[name] ?? 0);
  const verb = group.moves.map((m) => m.type.toLowerCase()).join(' + ');
  if (num('available') < need.available) return new InsufficientPointsError(need.available, num('available'), currency);
  if (num('held') < need.held) return new DomainError('CONFLICT', `only ${num('held')} ${currency} are held; cannot ${verb} ${need.held}`);
  if (num('pending') < need.pending) return new InsufficientPendingError(num('pending'), need.pending, currency);
  if (num('spent') < need.spent) {
    return new DomainError('CONFLICT', `cannot refund ${need.spent} ${currency}: only ${num('spent')} were spent and not yet refunded`);
  }
  if (String(current.lastEntryId ?? '') >= (group.entries[0] as LedgerEntry).id) return 'retry';
  return new Error(`unexplained condition failure on wallet ${memberId}/${currency}`);
}

/**
 * DynamoDB Local's lock timeout (shared/table/call-failure.ts): the transaction
 * never got the emulator's table lock, so it is retried like a
 * TransactionConflict. Not when an earlier attempt of the same call may have
 * been applied: new entry ids could then apply the moves twice.
 */
function isRetryableLockTimeout(error: unknown): boolean {
  return isLocalLockTimeout(error) && dbCallFailureOf(error)?.mayHaveApplied !== true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Applies ledger moves and any extra writes as ONE TransactWriteItems: each
 * wallet update is conditional (never below zero, ordered by entry id), each
 * move writes its immutable ledger entry, and the optional idempotency record
 * makes the whole call exactly-once per key: a repeated key replays the first
 * stored answer, a reused key with another request fails with 422.
 *
 * Entry ids are ULIDs and a wallet only accepts an id greater than its last
 * one, so a wallet's ledger sorts in commit order; a write that loses that race
 * is retried with a fresh id (no read needed: the failed condition returns the
 * stored item).
 */
export async function commit(request: CommitRequest): Promise<CommitOutcome> {
  request.moves.forEach(validateMove);
  const walletKeys = request.moves.map((m) => `${m.memberId}/${m.currency ?? DEFAULT_CURRENCY}`);
  if (request.moves.some((m, i) => m.type === 'EXPIRE' && walletKeys.indexOf(walletKeys[i] as string) !== walletKeys.lastIndexOf(walletKeys[i] as string))) {
    throw new Error('an EXPIRE move must be the only move on its wallet in a commit');
  }
  if (request.moves.length === 0 && !request.extra?.length && !request.extraOf) throw new Error('nothing to commit');

  let floorTime = 0;
  for (let attempt = 1; ; attempt += 1) {
    // A retry past the invocation's deadline would only be refused by the table client: stop here (503 at the deadline).
    if (attempt > 1) throwIfPastDeadline();
    const now = request.now ?? new Date();
    const at = now.toISOString();
    const entries = request.moves.map((move) =>
      // Ids follow the real clock (never a business time passed in `now`) so commit order stays true.
      entryOf(move, nextUlid(Math.max(Date.now(), floorTime)), at),
    );
    const items: TransactItem[] = [];
    const roles: Role[] = [];
    // One update per wallet (its moves in request order), then every move's ledger entry, then each expiry marker once.
    const groups = new Map<string, { memberId: string; currency: string; moves: LedgerMove[]; entries: LedgerEntry[] }>();
    request.moves.forEach((move, i) => {
      const entry = entries[i] as LedgerEntry;
      const key = walletKeys[i] as string;
      const group = groups.get(key) ?? { memberId: move.memberId, currency: entry.currency, moves: [], entries: [] };
      group.moves.push(move);
      group.entries.push(entry);
      groups.set(key, group);
    });
    const markers = new Set<string>();
    for (const group of groups.values()) {
      items.push(walletUpdate(group));
      roles.push({ kind: 'wallet', group });
      group.entries.forEach((entry) => {
        items.push(ledgerPut(entry));
        roles.push({ kind: 'ledger' });
      });
      for (const move of group.moves) {
        const marker = expiryMarkerPut(move, group.currency);
        if (!marker || markers.has(`${group.memberId}/${group.currency}/${move.bucket}`)) continue;
        markers.add(`${group.memberId}/${group.currency}/${move.bucket}`);
        items.push(marker);
        roles.push({ kind: 'marker' });
      }
    }
    for (const extra of [...(request.extra ?? []), ...(request.extraOf?.(entries) ?? [])]) {
      items.push(extra.item);
      roles.push({ kind: 'extra', extra });
    }
    const response = request.response?.(entries);
    if (request.idempotency) {
      if (!response) throw new Error('an idempotent commit needs a response to store');
      items.push({
        Put: {
          TableName: tableName(),
          Item: idempotencyRecord(request.idempotency, response, now),
          // A record past its TTL counts as gone even before DynamoDB deletes it.
          ConditionExpression: 'attribute_not_exists(PK) OR #ttl < :nowEpoch',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':nowEpoch': Math.floor(Date.now() / 1000) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      });
      roles.push({ kind: 'idempotency' });
    }

    try {
      await db().send(new TransactWriteCommand({ TransactItems: items }));
      return { replayed: false, entries, ...(response ? { response } : {}) };
    } catch (error) {
      if (isRetryableLockTimeout(error)) {
        if (attempt >= MAX_ATTEMPTS) throw new ConcurrencyConflictError('this account');
        await sleep(Math.random() * Math.min(250, 4 * 2 ** attempt));
        continue;
      }
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons
        .map((reason, index) => ({ reason, role: roles[index] }))
        .filter(({ reason }) => reason.Code && reason.Code !== 'None');
      const itemOf = (reason: { Item?: Record<string, AttributeValue> }) =>
        reason.Item ? unmarshall(reason.Item) : undefined;

      // A stored idempotency record wins: whatever else failed is the first call's doing.
      const idem = failed.find(({ role, reason }) => role?.kind === 'idempotency' && reason.Code === 'ConditionalCheckFailed');
      if (idem && request.idempotency) {
        const stored = itemOf(idem.reason);
        if (stored && stored.fingerprint === request.idempotency.fingerprint) {
          return { replayed: true, response: stored.response as StoredResponse };
        }
        throw new IdempotencyKeyReusedError();
      }

      // An earlier attempt of this call (an SDK retry) was cut after it was sent: the conditions that failed now may
      // have failed on that attempt's own changes, so neither a retry with new ids nor a refusal would be true.
      // With an idempotency record the check above settled it (the transaction is all or nothing); without one only
      // the caller can find out.
      if (!request.idempotency && dbCallFailureOf(error)?.mayHaveApplied) {
        throw new DomainError('OUTCOME_UNKNOWN', 'the change may or may not have been applied; check the ledger before repeating it');
      }
      // DynamoDB refused the whole transaction (nothing applied): an overload of the table, not the client's doing.
      if (failed.some(({ reason }) => reason.Code === 'ThrottlingError' || reason.Code === 'ProvisionedThroughputExceeded')) {
        throw new DomainError('UNAVAILABLE', 'the points database is busy; retry after the Retry-After delay with the same Idempotency-Key');
      }
      let retry = false;
      let contended = false;
      for (const { reason, role } of failed) {
        if (reason.Code === 'TransactionConflict') {
          retry = true;
          contended = true;
          continue;
        }
        if (reason.Code !== 'ConditionalCheckFailed' || !role) continue;
        const current = itemOf(reason);
        if (role.kind === 'wallet') {
          const verdict = walletFailure(role.group, current);
          if (verdict === 'retry') {
            retry = true;
            const last = String(current?.lastEntryId ?? '');
            if (last.length === 26) floorTime = Math.max(floorTime, decodeTime(last) + 1);
            continue;
          }
          throw verdict;
        }
        if (role.kind === 'extra') {
          throw role.extra.onConditionFailed?.(current) ?? new DomainError('CONFLICT', 'a concurrent change prevented this operation; retry it');
        }
      }
      if (!retry) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new ConcurrencyConflictError('this account');
      // Lost the ordering race: retry at once with a newer id; if it keeps happening, or the item itself
      // is contended, back off with jitter so the herd spreads out.
      if (contended || attempt > 2) await sleep(Math.random() * Math.min(250, 4 * 2 ** attempt));
    }
  }
}
