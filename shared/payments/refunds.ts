/**
 * Cash refunds: the consumer of CashRefundRequested. Each request becomes a
 * CashRefund item in its order's partition (`ORDER#<orderId>` /
 * `CASHREFUND#<refundId>`, the refund id being the id of the event that asked
 * for it), which moves
 *
 *   REQUESTED -> SUBMITTED (the provider took it) -> DONE | FAILED (its signed callback)
 *   REQUESTED -> REFUSED (the provider refused it for good: an operator settles it by hand)
 *
 * Every step is a conditional write, so a repeated event or callback changes
 * nothing: the provider's refund reference is our refund id, and a result is
 * applied only to a refund still waiting for one.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ORDER_EVENT_TTL_SECONDS } from '../events/outbox.js';
import { SupplierRejectedError } from '../fulfilment/errors.js';
import { logger } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { paymentAdapterFor } from './adapter.js';

export type CashRefundState = 'REQUESTED' | 'SUBMITTED' | 'DONE' | 'FAILED' | 'REFUSED';

export interface CashRefund {
  readonly refundId: string;
  readonly orderId: string;
  readonly memberId: string;
  readonly provider: string | null;
  readonly paymentId: string | null;
  readonly amountCents: number;
  readonly reason: string;
  readonly state: CashRefundState;
  readonly requestedAt: string;
  readonly submittedAt: string | null;
  readonly providerRefundRef: string | null;
  readonly settledAt: string | null;
  /** Why the provider refused it (REFUSED), or why the consumer could not send it. */
  readonly problem: string | null;
}

export interface CashRefundRequest {
  readonly eventId: string;
  readonly orderId: string;
  readonly memberId: string;
  readonly paymentId: string | null;
  readonly amountCents: number;
  readonly reason: string;
  readonly provider?: string | undefined;
}

function refundOf(item: Record<string, unknown>): CashRefund {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    refundId: String(item.refundId),
    orderId: String(item.orderId),
    memberId: String(item.memberId),
    provider: text(item.provider),
    paymentId: text(item.paymentId),
    amountCents: Number(item.amountCents),
    reason: String(item.reason ?? ''),
    state: item.state as CashRefundState,
    requestedAt: String(item.requestedAt),
    submittedAt: text(item.submittedAt),
    providerRefundRef: text(item.providerRefundRef),
    settledAt: text(item.settledAt),
    problem: text(item.problem),
  };
}

export async function readCashRefund(orderId: string, refundId: string): Promise<CashRefund | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.order.cashRefund(orderId, refundId), ConsistentRead: true }));
  return result.Item ? refundOf(result.Item) : undefined;
}

/** The cash refunds of an order, oldest request first (an order has one or two). */
export async function listCashRefunds(orderId: string): Promise<CashRefund[]> {
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.order.item(orderId).PK, ':prefix': keys.order.cashRefundPrefix() },
      Limit: 20,
    }),
  );
  return (result.Items ?? []).map(refundOf).sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}

async function conditionalUpdate(input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> {
  try {
    await db().send(new UpdateCommand(input));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export type RefundOutcome = 'submitted' | 'duplicate' | 'refused';

/**
 * Consumes one CashRefundRequested event: records the refund (once per event id), hands it to the provider's
 * refund API, and records that the provider took it (or refused it). A provider that cannot be reached throws,
 * so the bus retries the event (then its DLQ); the retry finds the refund still REQUESTED and sends it again,
 * which the provider deduplicates by our refund id.
 */
export async function submitCashRefund(request: CashRefundRequest, paymentProvider: string | undefined, now = new Date()): Promise<RefundOutcome> {
  const provider = request.provider ?? paymentProvider ?? null;
  const key = keys.order.cashRefund(request.orderId, request.eventId);
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...key,
          entity: 'CashRefund',
          refundId: request.eventId,
          orderId: request.orderId,
          memberId: request.memberId,
          provider,
          paymentId: request.paymentId,
          amountCents: request.amountCents,
          reason: request.reason,
          state: 'REQUESTED',
          requestedAt: now.toISOString(),
          ttl: Math.floor(now.getTime() / 1000) + ORDER_EVENT_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const refund = await readCashRefund(request.orderId, request.eventId);
  if (!refund || refund.state !== 'REQUESTED') return 'duplicate';
  if (!refund.provider || !refund.paymentId) {
    // Nothing to send the refund to: it stays REQUESTED with the problem named, and the event goes to the DLQ.
    const problem = !refund.provider ? 'the payment provider of the order is unknown' : 'the payment id of the order is unknown';
    await conditionalUpdate({
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'SET problem = :problem',
      ConditionExpression: '#state = :requested',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':problem': problem, ':requested': 'REQUESTED' },
    });
    throw new Error(`cash refund ${refund.refundId} of order ${refund.orderId} cannot be sent: ${problem}`);
  }
  try {
    const result = await paymentAdapterFor(refund.provider).refund({
      refundId: refund.refundId,
      orderId: refund.orderId,
      paymentId: refund.paymentId,
      amountCents: refund.amountCents,
      reason: refund.reason,
    });
    // The provider's callback may have come first: then the refund is settled already and stays so.
    await conditionalUpdate({
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'SET #state = :submitted, submittedAt = :at, providerRefundRef = :ref REMOVE problem',
      ConditionExpression: '#state = :requested',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':submitted': 'SUBMITTED', ':requested': 'REQUESTED', ':at': now.toISOString(), ':ref': result.providerRefundRef },
    });
    return result.duplicate ? 'duplicate' : 'submitted';
  } catch (error) {
    if (!(error instanceof SupplierRejectedError)) throw error;
    logger.warn('cash refund refused by the provider', { orderId: refund.orderId, refundId: refund.refundId, provider: refund.provider });
    await conditionalUpdate({
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'SET #state = :refused, settledAt = :at, problem = :problem',
      ConditionExpression: '#state = :requested',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':refused': 'REFUSED', ':requested': 'REQUESTED', ':at': now.toISOString(), ':problem': error.message.slice(0, 300) },
    });
    return 'refused';
  }
}

/**
 * Applies a provider's refund result: DONE or FAILED, once, on a refund still waiting for it (REQUESTED or
 * SUBMITTED). Answers whether it changed the refund; undefined when no such refund of the order exists.
 */
export async function settleCashRefund(
  orderId: string,
  refundId: string,
  result: { status: 'SUCCEEDED' | 'FAILED'; amountCents: number; sender: string },
  now = new Date(),
): Promise<'applied' | 'duplicate' | 'mismatch' | undefined> {
  const refund = await readCashRefund(orderId, refundId);
  if (!refund) return undefined;
  if (refund.provider !== result.sender || refund.amountCents !== result.amountCents) return 'mismatch';
  const changed = await conditionalUpdate({
    TableName: tableName(),
    Key: keys.order.cashRefund(orderId, refundId),
    UpdateExpression: 'SET #state = :to, settledAt = :at',
    ConditionExpression: '#state IN (:requested, :submitted)',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: {
      ':to': result.status === 'SUCCEEDED' ? 'DONE' : 'FAILED',
      ':requested': 'REQUESTED',
      ':submitted': 'SUBMITTED',
      ':at': now.toISOString(),
    },
  });
  return changed ? 'applied' : 'duplicate';
}
