/**
 * The callbacks an order received, for its page in the console: every signed
 * supplier or payment message the webhooks accepted (written in the intake's
 * own transaction, with the nonce and the event it becomes), what the
 * fulfilment function then made of it (applied, duplicate, late, parked ...),
 * and the messages refused (bad or stale signature, replayed nonce, invalid
 * body) that named an existing order.
 *
 * Refused messages come from anyone (the signature is the only proof of the
 * sender), so they are bounded: at most MAX_REFUSED_PER_ORDER per order, each
 * kept REFUSED_TTL_SECONDS, and never the body itself, only a few short fields.
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type { TransactItem } from '../ledger/ledger.js';
import { logger } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { ORDER_EVENT_TTL_SECONDS } from '../events/outbox.js';

export const MAX_REFUSED_PER_ORDER = 50;
const REFUSED_TTL_SECONDS = 30 * 24 * 3600;
const ORDER_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export type CallbackKind = 'SUPPLIER' | 'PAYMENT' | 'REFUND';

/** What a callback record keeps of a message: ids and status, short strings only. */
interface MessageFields {
  readonly messageId?: string;
  readonly paymentId?: string;
  readonly refundId?: string;
  readonly status?: string;
  readonly trackingNo?: string;
  readonly amountCents?: number;
}

function short(value: unknown, max = 128): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, max) : undefined;
}

function fieldsOf(message: Record<string, unknown>): MessageFields {
  const fields: Record<string, unknown> = {
    messageId: short(message.messageId),
    paymentId: short(message.paymentId),
    refundId: short(message.refundId),
    status: short(message.status, 32),
    trackingNo: short(message.trackingNo, 64),
    amountCents: typeof message.amountCents === 'number' && Number.isInteger(message.amountCents) ? message.amountCents : undefined,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as MessageFields;
}

export function callbackKindOf(senderKind: 'suppliers' | 'payments', message: Record<string, unknown>): CallbackKind {
  if (senderKind === 'suppliers') return 'SUPPLIER';
  return typeof message.refundId === 'string' ? 'REFUND' : 'PAYMENT';
}

/**
 * The record of a verified callback, for the intake's transaction (nonce, event, record: all or nothing).
 * Its key is derived from the event's id and time, so the consumer of the event finds it to add the outcome.
 */
export function verifiedCallbackWrite(
  senderKind: 'suppliers' | 'payments',
  sender: string,
  message: Record<string, unknown>,
  eventId: string,
  now: Date,
): TransactItem | undefined {
  const orderId = message.orderId;
  if (typeof orderId !== 'string' || !ORDER_ID.test(orderId)) return undefined;
  const receivedAt = now.toISOString();
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.order.callback(orderId, receivedAt, eventId),
        entity: 'OrderCallback',
        orderId,
        kind: callbackKindOf(senderKind, message),
        sender,
        verified: true,
        eventId,
        receivedAt,
        ...fieldsOf(message),
        ttl: Math.floor(now.getTime() / 1000) + ORDER_EVENT_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** The order id a refused body names, if it is JSON naming a well-formed one. */
function namedOrder(body: string): { orderId: string; message: Record<string, unknown> } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const message = parsed as Record<string, unknown>;
  return typeof message.orderId === 'string' && ORDER_ID.test(message.orderId) ? { orderId: message.orderId, message } : undefined;
}

/**
 * Records a refused message against the order its body names, when that order exists and has fewer than
 * MAX_REFUSED_PER_ORDER refused messages recorded. Best effort: a failure is logged, never answered.
 */
export async function recordRefusedCallback(
  senderKind: 'suppliers' | 'payments',
  sender: string,
  body: string,
  problem: string,
  now = new Date(),
): Promise<void> {
  const named = namedOrder(body);
  if (!named) return;
  const receivedAt = now.toISOString();
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          { ConditionCheck: { TableName: tableName(), Key: keys.order.item(named.orderId), ConditionExpression: 'attribute_exists(PK)' } },
          {
            Update: {
              TableName: tableName(),
              Key: keys.order.refusedCallbacks(named.orderId),
              UpdateExpression: 'ADD refused :one SET entity = :entity, updatedAt = :at',
              ConditionExpression: 'attribute_not_exists(refused) OR refused < :most',
              ExpressionAttributeValues: { ':one': 1, ':most': MAX_REFUSED_PER_ORDER, ':entity': 'RefusedCallbackCount', ':at': receivedAt },
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.order.callback(named.orderId, receivedAt, ulid()),
                entity: 'OrderCallback',
                orderId: named.orderId,
                kind: callbackKindOf(senderKind, named.message),
                sender,
                verified: false,
                problem,
                receivedAt,
                ...fieldsOf(named.message),
                ttl: Math.floor(now.getTime() / 1000) + REFUSED_TTL_SECONDS,
              },
            },
          },
        ],
      }),
    );
  } catch (error) {
    // No such order, or its bound reached: nothing is kept.
    if (error instanceof TransactionCanceledException) return;
    logger.warn('refused callback not recorded', { orderId: named.orderId, error: error as Error });
  }
}

/** What the fulfilment function made of a verified callback, on its record (the event's id and time name it). */
export async function recordCallbackOutcome(orderId: string, occurredAt: string, eventId: string, outcome: string, now = new Date()): Promise<void> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.order.callback(orderId, occurredAt, eventId),
        UpdateExpression: 'SET outcome = :outcome, handledAt = :at',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':outcome': outcome, ':at': now.toISOString() },
      }),
    );
  } catch (error) {
    // A callback verified before records existed has none: its outcome is in the logs only.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
