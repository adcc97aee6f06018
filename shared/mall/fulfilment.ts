/**
 * The order state machine after placement, driven by events: supplier
 * callbacks move supplier orders PLACED/PAID -> SUBMITTED -> ACCEPTED ->
 * SHIPPED -> DELIVERED, or to REJECTED (points, stock and cash given back);
 * payment callbacks capture or release points+cash orders.
 *
 * Every transition is one conditional write (status as read, message not
 * applied before) with its OrderStatusChanged outbox event, so a duplicate
 * callback changes nothing and a concurrent one loses the condition, re-reads
 * and finds the message applied.
 *
 * Out-of-order rule: statuses are ranked (SUBMITTED 1, ACCEPTED 2, SHIPPED 3,
 * DELIVERED 4). A message for a higher rank moves the order straight there
 * (SHIPPED before ACCEPTED implies ACCEPTED); one for the same or a lower rank
 * arrived late and is recorded as applied without changing the status.
 * REJECTED is accepted until the order has shipped. Anything else (a message
 * for an unknown order, another supplier's order, a terminal order, REJECTED
 * after shipping) is illegal: logged and parked, never applied.
 */
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type * as z from '../zod.js';
import type { deliveredPaymentCallback, deliveredSupplierCallback } from '../contracts/events.js';
import { DomainError } from '../errors.js';
import { outboxWrite, typedEvent } from '../events/outbox.js';
import { commit } from '../ledger/ledger.js';
import { logger } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { adapterFor, callbackDeadlineMinutes, SupplierRejectedError } from '../fulfilment/adapter.js';
import { settleCashRefund } from '../payments/refunds.js';
import { capturePayment, readOrder, statusChangedWrite, unwind, type Order, type OrderBookkeeping } from './orders.js';

type OrderStatus = Order['status'];
export type SupplierMessage = Pick<z.output<typeof deliveredSupplierCallback>, 'sender' | 'messageId' | 'orderId' | 'status' | 'trackingNo'>;
export type PaymentMessage = Pick<z.output<typeof deliveredPaymentCallback>, 'sender' | 'paymentId' | 'orderId' | 'status' | 'amountCents'> & {
  readonly refundId?: string | undefined;
};

export type Outcome = 'applied' | 'duplicate' | 'late' | 'parked' | 'ignored';

const RANK: Partial<Record<OrderStatus, number>> = { PLACED: 0, PAID: 0, SUBMITTED: 1, ACCEPTED: 2, SHIPPED: 3, DELIVERED: 4 };
const ATTEMPTS = 5;

/** Keeps a message that must not be applied, with why, for an operator to look at. */
async function park(kind: string, id: string, orderId: string, message: unknown, why: string, now: Date): Promise<'parked'> {
  logger.warn('message parked', { kind, orderId, why });
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.parkedMessage(orderId, `${kind}#${id}`), entity: 'ParkedMessage', kind, orderId, message, why, parkedAt: now.toISOString() },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  return 'parked';
}

/**
 * Moves an order forward to `to` (or only records the message, when `to` is its status already). A move to
 * SUBMITTED puts the order on its supplier's list of orders awaiting a first callback (`awaiting`: the sparse GSI2
 * entry, by when the callback is due); any later move takes it off (orders from PLACED or PAID on carry no other GSI2 entry).
 */
async function advance(
  order: Order & OrderBookkeeping,
  to: OrderStatus,
  reason: string,
  messageId: string,
  now: Date,
  trackingNo?: string,
  awaiting?: { readonly GSI2PK: string; readonly GSI2SK: string },
): Promise<void> {
  const at = now.toISOString();
  const moves = to !== order.status;
  const index = !moves ? '' : awaiting ? ', GSI2PK = :g2pk, GSI2SK = :g2sk' : '';
  const unlisted = moves && !awaiting ? ' REMOVE GSI2PK, GSI2SK' : '';
  await commit({
    moves: [],
    extra: [
      {
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.order.item(order.orderId),
            UpdateExpression: `SET updatedAt = :at${moves ? ', #status = :to, history = list_append(history, :entry)' : ''}${index}${trackingNo ? ', trackingNo = :tracking' : ''} ADD messages :msg${unlisted}`,
            ConditionExpression: '#status = :from AND NOT contains(messages, :msgId)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':at': at,
              ':from': order.status,
              ':msg': new Set([messageId]),
              ':msgId': messageId,
              ...(moves ? { ':to': to, ':entry': [{ status: to, at, reason }] } : {}),
              ...(trackingNo ? { ':tracking': trackingNo } : {}),
              ...(moves && awaiting ? { ':g2pk': awaiting.GSI2PK, ':g2sk': awaiting.GSI2SK } : {}),
            },
          },
        },
        onConditionFailed: () => new DomainError('CONFLICT', `order ${order.orderId} changed meanwhile`),
      },
      ...(moves ? [statusChangedWrite(order, order.status, to, reason, now, trackingNo)] : []),
    ],
    now,
  });
}

/** Applies one supplier callback (at least once delivery: repeats and races change nothing more). */
export async function applySupplierMessage(message: SupplierMessage, now = new Date()): Promise<Outcome> {
  for (let attempt = 1; ; attempt += 1) {
    const order = await readOrder(message.orderId);
    if (!order) return park('supplier', message.messageId, message.orderId, message, 'no such order', now);
    if (order.supplier?.supplierId !== message.sender) return park('supplier', message.messageId, message.orderId, message, `not an order of ${message.sender}`, now);
    if (order.messages.includes(message.messageId)) return 'duplicate';
    const current = RANK[order.status];
    try {
      if (message.status === 'REJECTED') {
        if (current === undefined || current >= (RANK.SHIPPED ?? 3)) {
          return await park('supplier', message.messageId, order.orderId, message, `REJECTED while ${order.status}`, now);
        }
        await unwind(order, 'REJECTED', `rejected by ${message.sender}`, { now, messageId: message.messageId });
        return 'applied';
      }
      const target = RANK[message.status] ?? 0;
      if (current === undefined) return await park('supplier', message.messageId, order.orderId, message, `${message.status} while ${order.status}`, now);
      if (target <= current) {
        await advance(order, order.status, '', message.messageId, now);
        return 'late';
      }
      const implied = Object.entries(RANK)
        .filter(([status, rank]) => rank !== undefined && rank > current && rank < target && status !== 'PAID')
        .map(([status]) => status);
      const reason = `${message.sender}: ${message.status}${implied.length ? ` (${implied.join(', ')} implied)` : ''}${message.trackingNo ? `, tracking ${message.trackingNo}` : ''}`;
      await advance(order, message.status, reason, message.messageId, now, message.trackingNo);
      return 'applied';
    } catch (error) {
      // Another delivery or transition won the race: read again and decide afresh.
      if (error instanceof DomainError && error.code === 'CONFLICT' && attempt < ATTEMPTS) continue;
      throw error;
    }
  }
}

/** The supplier took the order: PLACED or PAID -> SUBMITTED (a repeat changes nothing). */
export async function markSubmitted(orderId: string, supplierOrderRef: string, now = new Date()): Promise<Outcome> {
  for (let attempt = 1; ; attempt += 1) {
    const order = await readOrder(orderId);
    if (!order) return 'ignored';
    const marker = `submitted:${supplierOrderRef}`;
    if (order.messages.includes(marker) || (RANK[order.status] ?? -1) >= 1 || RANK[order.status] === undefined) return 'duplicate';
    const supplierId = order.supplier?.supplierId;
    const awaiting = supplierId
      ? keys.fulfilment.awaitingEntry(supplierId, new Date(now.getTime() + callbackDeadlineMinutes(supplierId) * 60_000).toISOString(), order.orderId)
      : undefined;
    try {
      await advance(order, 'SUBMITTED', `submitted to ${supplierId ?? 'the supplier'} (ref ${supplierOrderRef})`, marker, now, undefined, awaiting);
      return 'applied';
    } catch (error) {
      if (error instanceof DomainError && error.code === 'CONFLICT' && attempt < ATTEMPTS) continue;
      throw error;
    }
  }
}

/**
 * Applies one payment callback: capture on success (once), release on failure; a late payment asks for a cash refund.
 * A callback naming a `refundId` is the result of one of our cash refunds instead: it settles that refund, once.
 */
export async function applyPaymentMessage(message: PaymentMessage, now = new Date()): Promise<Outcome> {
  if (message.refundId !== undefined) {
    const settled = await settleCashRefund(message.orderId, message.refundId, message, now);
    if (settled === undefined) return park('refund', message.refundId, message.orderId, message, 'no such cash refund of the order', now);
    if (settled === 'mismatch') return park('refund', message.refundId, message.orderId, message, 'provider or amount is not the refund\'s', now);
    return settled;
  }
  const order = await readOrder(message.orderId);
  if (!order) return park('payment', message.paymentId, message.orderId, message, 'no such order', now);
  if (message.status === 'FAILED') {
    if (order.status !== 'PENDING_PAYMENT') return 'ignored';
    try {
      await unwind(order, 'CANCELLED', `payment ${message.paymentId} failed`, { now });
      return 'applied';
    } catch (error) {
      if (error instanceof DomainError && error.code === 'CONFLICT') return 'ignored';
      throw error;
    }
  }
  if (message.amountCents !== order.cashCents) {
    return park('payment', message.paymentId, order.orderId, message, `amount ${message.amountCents} is not the cash part ${order.cashCents}`, now);
  }
  const result = await capturePayment(order.orderId, { paymentId: message.paymentId, amountCents: message.amountCents, provider: message.sender }, now);
  if (result.outcome === 'CAPTURED') return 'applied';
  if (result.outcome === 'ALREADY_CAPTURED') return 'duplicate';
  // Paid too late (or for an order released meanwhile): the cash goes back, once per payment.
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          outboxWrite(
            typedEvent('CashRefundRequested', {
              orderId: order.orderId,
              memberId: order.memberId,
              paymentId: message.paymentId,
              amountCents: message.amountCents,
              reason: result.reason,
              provider: message.sender,
            }),
            now,
            `refund-${message.sender}-${message.paymentId}`,
          ).item,
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException) return 'duplicate';
    throw error;
  }
  return 'applied';
}

/**
 * Hands a supplier order to its supplier once it is ready (PLACED, or PAID for
 * points+cash): the adapter submits it with our order id as the supplier's
 * idempotency reference, then the order becomes SUBMITTED. A supplier that
 * refuses the order for good makes it FAILED (points, stock and cash back); a
 * supplier that cannot be reached throws, so the bus retries (then its DLQ).
 */
export async function submitToSupplier(orderId: string, now = new Date()): Promise<Outcome> {
  const order = await readOrder(orderId);
  if (!order?.supplier) return 'ignored';
  if (order.status !== 'PLACED' && order.status !== 'PAID') return 'duplicate';
  try {
    const result = await adapterFor(order.supplier.supplierId).submit({
      orderId: order.orderId,
      sku: order.supplier.sku,
      quantity: order.quantity,
      productName: order.productName,
    });
    return await markSubmitted(order.orderId, result.supplierOrderRef, now);
  } catch (error) {
    if (!(error instanceof SupplierRejectedError)) throw error;
    try {
      await unwind(order, 'FAILED', `${order.supplier.supplierId} refused the order: ${error.message}`, {
        now,
        listAs: keys.fulfilment.failedEntry(order.supplier.supplierId, now.toISOString(), order.orderId),
      });
    } catch (unwound) {
      // Cancelled or moved on meanwhile: nothing left to give back here.
      if (!(unwound instanceof DomainError && unwound.code === 'CONFLICT')) throw unwound;
    }
    return 'applied';
  }
}
