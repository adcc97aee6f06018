/**
 * Dead letters: deliveries that failed for good, kept in the table for an
 * operator. The local bus writes one when a rule's target still fails after
 * its retries, the outbox publisher when the bus keeps refusing an event, and
 * on AWS the `outbox` function turns the messages of the event rules' DLQ and
 * of the rule targets' own DLQs into them (shared/events/dead-letter-queues.ts).
 *
 * A dead letter is OPEN until an operator redrives it (its event goes back on
 * the bus through the outbox, in the transaction that marks it REDRIVEN) or
 * discards it with a reason (DISCARDED). Each of those is one transaction with
 * the open counter (the dashboard reads it) and the operator's audit record.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { auditItems, currentOperatorWrite, nothingChanged } from '../audit/audit.js';
import { claimRefused, keyState } from '../audit/operator-idempotency.js';
import { DomainError, NotFoundError } from '../errors.js';
import type { TransactItem } from '../ledger/ledger.js';
import { logger, metrics } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import type { PageRequest } from '../table/cursor.js';
import { keys } from '../table/keys.js';
import { queryPage } from '../table/paging.js';
import { outboxWrite, type OutboxEvent } from './outbox.js';

export const deadLetterStatuses = ['OPEN', 'REDRIVEN', 'DISCARDED'] as const;
export type DeadLetterStatus = (typeof deadLetterStatuses)[number];

/** What failed: publishing from the outbox, a delivery to the fulfilment state machine (submissions), a callback's delivery, anything else. */
export const deadLetterSources = ['outbox', 'fulfilment', 'callbacks', 'other'] as const;
export type DeadLetterSource = (typeof deadLetterSources)[number];

/** Longest text kept of the failed message (the event itself is kept whole for the redrive). */
export const DEAD_LETTER_PAYLOAD_CHARS = 32_000;
/** Longest error text kept. */
const ERROR_CHARS = 2_000;
/** An event larger than this (as JSON) is not kept for a redrive: the item would come near DynamoDB's 400 KB. */
const MAX_EVENT_CHARS = 300_000;
/** Most dead letters one bulk redrive moves: each is 2 items of one transaction (100 at most) with the counter, audit and claim. */
export const MAX_BULK_REDRIVE = 25;

/** The event a dead letter can put back on the bus: its type and detail as the bus carried it. */
export interface FailedEvent {
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
}

export interface DeadLetter {
  readonly deadLetterId: string;
  readonly status: DeadLetterStatus;
  readonly source: DeadLetterSource;
  /** Where delivery failed: the rule (`supplier-jd-placed`), or `event-bus` for an outbox event the bus refused. */
  readonly target: string;
  readonly detailType: string | null;
  /** The order the event is about, when it names one (a link for the operator). */
  readonly orderId: string | null;
  readonly error: string;
  /** Delivery attempts made before it was given up (0 where the source does not say). */
  readonly attempts: number;
  /** The failed message as JSON text (cut at DEAD_LETTER_PAYLOAD_CHARS). */
  readonly payload: string;
  /** Whether it carries an event a redrive can put back on the bus. */
  readonly redrivable: boolean;
  readonly failedAt: string;
  readonly recordedAt: string;
  readonly redrivenAt?: string;
  readonly redrivenBy?: string;
  /** The id of the event the redrive put on the bus (`redrive-<deadLetterId>`). */
  readonly redriveEventId?: string;
  readonly discardedAt?: string;
  readonly discardedBy?: string;
  readonly discardReason?: string;
}

export interface NewDeadLetter {
  /** A deterministic id where the failure may be reported twice (an SQS message delivered again); a ULID otherwise. */
  readonly deadLetterId?: string;
  /** Default: from the event's type. */
  readonly source?: DeadLetterSource;
  readonly target: string;
  readonly event: FailedEvent | null;
  readonly error: string;
  readonly attempts: number;
  /** The failed message as it was (an object is kept as JSON). */
  readonly payload: unknown;
  readonly failedAt?: Date;
}

/** The source of a failed delivery of an event type. */
export function sourceOfEvent(detailType: string | null | undefined): DeadLetterSource {
  if (detailType === 'SupplierCallbackReceived' || detailType === 'PaymentCallbackReceived') return 'callbacks';
  if (detailType === 'OrderPlaced' || detailType === 'OrderStatusChanged') return 'fulfilment';
  return 'other';
}

function payloadText(payload: unknown): string {
  const text = typeof payload === 'string' ? payload : (JSON.stringify(payload, null, 2) ?? 'null');
  return text.length <= DEAD_LETTER_PAYLOAD_CHARS ? text : `${text.slice(0, DEAD_LETTER_PAYLOAD_CHARS)}…`;
}

function counterAdd(delta: number): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.deadLetter.counters(),
      UpdateExpression: 'ADD #open :delta SET entity = :entity',
      ExpressionAttributeNames: { '#open': 'open' },
      ExpressionAttributeValues: { ':delta': delta, ':entity': 'DeadLetterCounters' },
    },
  };
}

/**
 * Keeps a failed delivery as an OPEN dead letter (with the open counter, one
 * transaction). Answers false when a dead letter of that id exists already
 * (the same failure reported again).
 */
export async function recordDeadLetter(input: NewDeadLetter, now = new Date()): Promise<{ deadLetterId: string; recorded: boolean }> {
  const deadLetterId = input.deadLetterId ?? ulid(now.getTime());
  const failedAt = (input.failedAt ?? now).toISOString();
  const detailType = input.event?.detailType ?? null;
  const source = input.source ?? sourceOfEvent(detailType);
  const orderId = input.event && typeof input.event.detail.orderId === 'string' ? input.event.detail.orderId : null;
  const keepEvent = input.event !== null && JSON.stringify(input.event).length <= MAX_EVENT_CHARS;
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.deadLetter.item(deadLetterId),
                ...keys.deadLetter.statusEntry('OPEN', failedAt, deadLetterId),
                ...keys.deadLetter.sourceEntry('OPEN', source, failedAt, deadLetterId),
                entity: 'DeadLetter',
                deadLetterId,
                status: 'OPEN',
                source,
                target: input.target,
                detailType,
                orderId,
                error: input.error.slice(0, ERROR_CHARS),
                attempts: input.attempts,
                payload: payloadText(input.payload),
                ...(keepEvent && input.event ? { event: input.event } : {}),
                failedAt,
                recordedAt: now.toISOString(),
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          counterAdd(1),
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') {
      return { deadLetterId, recorded: false };
    }
    throw error;
  }
  logger.warn('dead letter recorded', { deadLetterId, source, target: input.target, detailType, orderId, attempts: input.attempts });
  metrics.addMetric('DeadLettersRecorded', 'Count', 1);
  return { deadLetterId, recorded: true };
}

function viewOf(item: Record<string, unknown>): DeadLetter {
  const optional = (name: string) => (typeof item[name] === 'string' ? { [name]: item[name] as string } : {});
  return {
    deadLetterId: String(item.deadLetterId),
    status: item.status as DeadLetterStatus,
    source: item.source as DeadLetterSource,
    target: String(item.target),
    detailType: typeof item.detailType === 'string' ? item.detailType : null,
    orderId: typeof item.orderId === 'string' ? item.orderId : null,
    error: String(item.error),
    attempts: Number(item.attempts ?? 0),
    payload: String(item.payload ?? ''),
    redrivable: item.event !== undefined && item.event !== null,
    failedAt: String(item.failedAt),
    recordedAt: String(item.recordedAt),
    ...optional('redrivenAt'),
    ...optional('redrivenBy'),
    ...optional('redriveEventId'),
    ...optional('discardedAt'),
    ...optional('discardedBy'),
    ...optional('discardReason'),
  };
}

async function readItem(deadLetterId: string): Promise<Record<string, unknown> | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.deadLetter.item(deadLetterId), ConsistentRead: true }));
  return result.Item;
}

export async function getDeadLetter(deadLetterId: string): Promise<DeadLetter> {
  const item = await readItem(deadLetterId);
  if (!item) throw new NotFoundError(`dead letter ${deadLetterId} does not exist`);
  return viewOf(item);
}

/** Open dead letters: the counter the recording, redrive and discard transactions keep. */
export async function countOpenDeadLetters(): Promise<number> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.deadLetter.counters() }));
  return Math.max(0, Number(result.Item?.open ?? 0));
}

function listQuery(filter: { status: DeadLetterStatus; source?: DeadLetterSource | undefined }, ascending: boolean) {
  const [index, pk, partition] = filter.source
    ? (['GSI2', 'GSI2PK', keys.deadLetter.sourcePartition(filter.status, filter.source)] as const)
    : (['GSI1', 'GSI1PK', keys.deadLetter.statusPartition(filter.status)] as const);
  return {
    input: {
      IndexName: index,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': pk },
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: ascending,
    },
    partition: { attribute: pk, value: partition },
  };
}

/** Dead letters of one status (and source), newest failure first. */
export async function listDeadLetters(
  filter: { status: DeadLetterStatus; source?: DeadLetterSource | undefined },
  page: PageRequest,
): Promise<{ items: DeadLetter[]; nextCursor: string | null }> {
  const { input, partition } = listQuery(filter, false);
  const result = await queryPage(input, page, partition);
  return { items: result.items.map(viewOf), nextCursor: result.nextCursor };
}

/** The outbox event that puts a dead letter's event back on the bus (the bus fields of the detail are the outbox's to set). */
function redriveEvent(event: FailedEvent): OutboxEvent {
  const { eventId: _id, version, occurredAt: _at, ...detail } = event.detail;
  return { detailType: event.detailType, version: typeof version === 'number' ? version : 1, detail };
}

/** The writes that close an OPEN dead letter (conditional on it being open still), and the counter. */
function closeWrites(item: Record<string, unknown>, status: 'REDRIVEN' | 'DISCARDED', fields: Record<string, string>): TransactItem[] {
  const deadLetterId = String(item.deadLetterId);
  const failedAt = String(item.failedAt);
  const all = {
    ...fields,
    status,
    ...keys.deadLetter.statusEntry(status, failedAt, deadLetterId),
    ...keys.deadLetter.sourceEntry(status, String(item.source), failedAt, deadLetterId),
  };
  return [
    {
      Update: {
        TableName: tableName(),
        Key: keys.deadLetter.item(deadLetterId),
        UpdateExpression: `SET ${Object.keys(all).map((k) => `#${k} = :${k}`).join(', ')}`,
        ConditionExpression: '#status_now = :open',
        ExpressionAttributeNames: { ...Object.fromEntries(Object.keys(all).map((k) => [`#${k}`, k])), '#status_now': 'status' },
        ExpressionAttributeValues: { ...Object.fromEntries(Object.entries(all).map(([k, v]) => [`:${k}`, v])), ':open': 'OPEN' },
      },
    },
  ];
}

function redriveWrites(item: Record<string, unknown>, operator: string, now: Date): { writes: TransactItem[]; fields: Record<string, string> } {
  const deadLetterId = String(item.deadLetterId);
  const redriveEventId = `redrive-${deadLetterId}`;
  const fields = { redrivenAt: now.toISOString(), redrivenBy: operator, redriveEventId };
  return {
    writes: [...closeWrites(item, 'REDRIVEN', fields), outboxWrite(redriveEvent(item.event as FailedEvent), now, redriveEventId).item],
    fields,
  };
}

/** A transaction that lost to a concurrent change of one of its dead letters (not to another request's Idempotency-Key). */
function lostRace(error: unknown): boolean {
  return error instanceof TransactionCanceledException && !claimRefused(error);
}

/**
 * Whether another request with this request's Idempotency-Key holds its claim now: a lost race was then that
 * request's change, and the handler answers its answer (or 409 while it is applied), not a retry of ours.
 */
async function keyTakenMeanwhile(): Promise<boolean> {
  const write = currentOperatorWrite();
  if (!write?.claim) return false;
  const state = await keyState(write.claim).catch(() => undefined);
  return state !== undefined && (state.kind === 'answered' || (state.kind === 'claimed' && state.requestId !== write.requestId));
}

/** Before answering "nothing to change": if that was another request's change under this key, the handler answers its answer. */
async function unlessKeyTakenMeanwhile(): Promise<void> {
  if (await keyTakenMeanwhile()) throw new DomainError('CONFLICT', 'a request with this Idempotency-Key made this change meanwhile');
}

/** After a cancelled transaction: whether to read again and retry (else the error is rethrown). */
async function retryAfter(error: unknown, attempt: number): Promise<boolean> {
  if (!lostRace(error)) return false;
  if (await keyTakenMeanwhile()) return false;
  return attempt < ATTEMPTS;
}

const ATTEMPTS = 4;

/**
 * Puts an OPEN dead letter's event back on the bus through the outbox (a new
 * event id, `redrive-<deadLetterId>`: every rule matching it delivers it again,
 * with fresh retries; consumers are idempotent) and marks it REDRIVEN, in one
 * transaction. Redriving a redriven one again answers it as it is; a discarded
 * one, or one without an event, is 409.
 */
export async function redriveDeadLetter(deadLetterId: string, input: { operator: string; reason?: string | undefined }, now = new Date()): Promise<DeadLetter> {
  for (let attempt = 1; ; attempt += 1) {
    const item = await readItem(deadLetterId);
    if (!item) throw new NotFoundError(`dead letter ${deadLetterId} does not exist`);
    const current = viewOf(item);
    if (current.status === 'REDRIVEN') {
      await unlessKeyTakenMeanwhile();
      nothingChanged();
      return current;
    }
    if (current.status === 'DISCARDED') throw new DomainError('CONFLICT', `dead letter ${deadLetterId} was discarded by ${current.discardedBy ?? 'an operator'}; it cannot be redriven`);
    if (!current.redrivable) throw new DomainError('CONFLICT', `dead letter ${deadLetterId} keeps no event to put back on the bus (see its payload); discard it once handled`);
    const { writes, fields } = redriveWrites(item, input.operator, now);
    try {
      await db().send(
        new TransactWriteCommand({
          TransactItems: [
            ...writes,
            counterAdd(-1),
            ...auditItems(
              {
                target: `dead-letter:${deadLetterId}`,
                summary: `redrove dead letter ${deadLetterId} (${current.detailType ?? 'no event'} for ${current.target}${current.orderId ? `, order ${current.orderId}` : ''})${input.reason ? `: ${input.reason}` : ''}`,
                before: { status: 'OPEN' },
                after: { status: 'REDRIVEN', ...fields },
              },
              now,
            ),
          ],
        }),
      );
      return { ...current, status: 'REDRIVEN', ...fields };
    } catch (error) {
      if (await retryAfter(error, attempt)) continue;
      if (lostRace(error) && !(await keyTakenMeanwhile())) throw new DomainError('CONFLICT', `dead letter ${deadLetterId} kept changing; read it again`);
      throw error;
    }
  }
}

export interface BulkRedriveResult {
  /** Dead letters redriven by this call. */
  readonly redriven: number;
  /** Open ones read but left open: they keep no event to redrive (discard them once handled). */
  readonly skipped: number;
  readonly deadLetterIds: readonly string[];
  /** Where the next call goes on (its `cursor`), or null when no open dead letter is left after this page. */
  readonly nextCursor: string | null;
}

/**
 * Redrives the open dead letters (of one source), oldest first, at most a
 * page (MAX_BULK_REDRIVE) per call, all in one transaction with the counter
 * and one audit record. The answer's cursor goes on after the last one read.
 */
export async function redriveOpenDeadLetters(
  filter: { source?: DeadLetterSource | undefined },
  input: { operator: string; reason: string },
  page: PageRequest,
  now = new Date(),
): Promise<BulkRedriveResult> {
  const { input: query, partition } = listQuery({ status: 'OPEN', source: filter.source }, true);
  for (let attempt = 1; ; attempt += 1) {
    const read = await queryPage(query, { ...page, limit: Math.min(page.limit, MAX_BULK_REDRIVE) }, partition);
    const redrivable = read.items.filter((item) => item.event !== undefined && item.event !== null);
    const skipped = read.items.length - redrivable.length;
    if (redrivable.length === 0) {
      await unlessKeyTakenMeanwhile();
      nothingChanged();
      return { redriven: 0, skipped, deadLetterIds: [], nextCursor: read.nextCursor };
    }
    const ids = redrivable.map((item) => String(item.deadLetterId));
    try {
      await db().send(
        new TransactWriteCommand({
          TransactItems: [
            ...redrivable.flatMap((item) => redriveWrites(item, input.operator, now).writes),
            counterAdd(-redrivable.length),
            ...auditItems(
              {
                target: `dead-letters:${filter.source ?? 'all'}`,
                summary: `redrove ${ids.length} open dead letter${ids.length === 1 ? '' : 's'}${filter.source ? ` of ${filter.source}` : ''}: ${input.reason}`,
                before: { status: 'OPEN', deadLetterIds: ids },
                after: { status: 'REDRIVEN' },
              },
              now,
            ),
          ],
        }),
      );
      return { redriven: ids.length, skipped, deadLetterIds: ids, nextCursor: read.nextCursor };
    } catch (error) {
      if (await retryAfter(error, attempt)) continue;
      if (lostRace(error) && !(await keyTakenMeanwhile())) throw new DomainError('CONFLICT', 'the open dead letters kept changing while they were redriven; try again');
      throw error;
    }
  }
}

/** Closes an OPEN dead letter without delivering it, with the operator's reason. Discarding it again answers it as it is. */
export async function discardDeadLetter(deadLetterId: string, input: { operator: string; reason: string }, now = new Date()): Promise<DeadLetter> {
  for (let attempt = 1; ; attempt += 1) {
    const item = await readItem(deadLetterId);
    if (!item) throw new NotFoundError(`dead letter ${deadLetterId} does not exist`);
    const current = viewOf(item);
    if (current.status === 'DISCARDED') {
      await unlessKeyTakenMeanwhile();
      nothingChanged();
      return current;
    }
    if (current.status === 'REDRIVEN') throw new DomainError('CONFLICT', `dead letter ${deadLetterId} was redriven by ${current.redrivenBy ?? 'an operator'}; there is nothing to discard`);
    const fields = { discardedAt: now.toISOString(), discardedBy: input.operator, discardReason: input.reason };
    try {
      await db().send(
        new TransactWriteCommand({
          TransactItems: [
            ...closeWrites(item, 'DISCARDED', fields),
            counterAdd(-1),
            ...auditItems(
              {
                target: `dead-letter:${deadLetterId}`,
                summary: `discarded dead letter ${deadLetterId} (${current.detailType ?? 'no event'} for ${current.target}${current.orderId ? `, order ${current.orderId}` : ''}): ${input.reason}`,
                before: { status: 'OPEN' },
                after: { status: 'DISCARDED', ...fields },
              },
              now,
            ),
          ],
        }),
      );
      return { ...current, status: 'DISCARDED', ...fields };
    } catch (error) {
      if (await retryAfter(error, attempt)) continue;
      if (lostRace(error) && !(await keyTakenMeanwhile())) throw new DomainError('CONFLICT', `dead letter ${deadLetterId} kept changing; read it again`);
      throw error;
    }
  }
}
