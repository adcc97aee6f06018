/**
 * Orders for operators: the list of every order with filters, one order's
 * page (its state history, the callbacks it received, its cash refunds and
 * the events it produced), and the refund of a delivered or failed order.
 *
 * The list never scans: every order has an entry in GSI3 under
 * `ORDERS#<UTC month of createdAt>#<shard>` sorted by `<createdAt>#<orderId>`
 * (keys.order.listEntry). A page walks the months of the time range newest
 * first, reads the month's shards in parallel and merges them; with a member
 * filter it reads that member's own list (GSI1 `MEMBER-ORDERS#<memberId>`)
 * instead. The other filters (status, payment kind, supplier, product) are
 * filter expressions on those reads, so a page reads a bounded number of
 * items (MAX_ITEMS_READ) and may come short, with a cursor to go on.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from '../zod.js';
import type { orderListQuerySchema } from '../contracts/orders-admin.js';
import { maskCode } from '../domain/coupons.js';
import { DomainError, InvalidCursorError, NotFoundError } from '../errors.js';
import { auditWrites } from '../audit/audit.js';
import { outboxWrite, typedEvent } from '../events/outbox.js';
import { storedResponse, type IdempotencySpec } from '../ledger/idempotency.js';
import { commit, type CommitOutcome, type ExtraWrite, type LedgerMove } from '../ledger/ledger.js';
import { creditBucket } from '../members/service.js';
import { listCashRefunds, type CashRefund } from '../payments/refunds.js';
import { db, tableName } from '../table/client.js';
import { openCursor, sealCursor, type PageRequest } from '../table/cursor.js';
import { keys, ORDER_LIST_SHARDS } from '../table/keys.js';
import { CANCELLABLE, orderFromItem, readOrder, statusChangedWrite, viewOf, type Order } from './orders.js';

export type OrderListQuery = Omit<z.output<typeof orderListQuerySchema>, 'limit' | 'cursor'>;

/** Default time range of the list without `from`: the last 90 days. */
export const DEFAULT_LIST_DAYS = 90;
/** Items one page reads at most (matching a filter or not): a sparse filter answers a short page with a cursor. */
const MAX_ITEMS_READ = 600;
/** Months one page walks at most (8 shard reads each). */
const MAX_MONTHS_PER_PAGE = 6;

function orderOfItem(item: Record<string, unknown>): Order {
  const order = orderFromItem(item);
  // Operators never see a delivered code in full (as on the order's own page).
  return order.code ? { ...order, code: maskCode(order.code) } : order;
}

/** The filter expression of the list's filters other than the member and the time range. */
function filterOf(query: OrderListQuery): { expression?: string; names: Record<string, string>; values: Record<string, unknown> } {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (query.status) {
    parts.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = query.status;
  }
  if (query.paymentKind) {
    parts.push('#payment = :payment');
    names['#payment'] = 'payment';
    values[':payment'] = query.paymentKind;
  }
  if (query.supplierId) {
    parts.push('#supplier.#supplierId = :supplierId');
    names['#supplier'] = 'supplier';
    names['#supplierId'] = 'supplierId';
    values[':supplierId'] = query.supplierId;
  }
  if (query.productId) {
    parts.push('#productId = :productId');
    names['#productId'] = 'productId';
    values[':productId'] = query.productId;
  }
  return { ...(parts.length ? { expression: parts.join(' AND ') } : {}), names, values };
}

/** The months (`YYYY-MM`, UTC) from `to`'s back to `from`'s, newest first. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let year = Number(to.slice(0, 4));
  let month = Number(to.slice(5, 7));
  const last = from.slice(0, 7);
  for (;;) {
    const current = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
    if (current < last) break;
    months.push(current);
    month -= 1;
    if (month === 0) {
      month = 12;
      year -= 1;
    }
  }
  return months;
}

interface Segment {
  readonly indexName: 'GSI1' | 'GSI3';
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly partitions: readonly string[];
  /** The segment's first sort key (a month's start); the list goes on below it in the next segment. */
  readonly floor: string;
}

/**
 * One page of the operators' order list, newest first. The cursor carries one sort key: every order above it
 * has been answered, so the next page reads strictly below it (in whichever month it lies).
 */
export async function listOrdersAdmin(query: OrderListQuery, page: PageRequest, now = new Date()): Promise<{ items: Order[]; nextCursor: string | null }> {
  const to = query.to ?? new Date(now.getTime() + 60_000).toISOString();
  const from = query.from ?? (query.memberId ? '0000' : new Date(Date.parse(to) - DEFAULT_LIST_DAYS * 86_400_000).toISOString());
  let upper = to;
  if (page.cursor !== undefined) {
    const { key } = await openCursor(page.scope, page.cursor);
    const below = key.below;
    if (typeof below !== 'string' || below < from || below > to) throw new InvalidCursorError();
    upper = below;
  }
  const segments: Segment[] = query.memberId
    ? [{ indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK', partitions: [keys.order.memberPartition(query.memberId)], floor: from }]
    : monthsBetween(from, upper).map((month) => ({
        indexName: 'GSI3',
        partitionKey: 'GSI3PK',
        sortKey: 'GSI3SK',
        partitions: Array.from({ length: ORDER_LIST_SHARDS }, (_, shard) => keys.order.listPartition(month, shard)),
        floor: month === from.slice(0, 7) ? from : `${month}-01T00:00:00.000Z`,
      }));
  const filter = filterOf(query);
  const picked: Record<string, unknown>[] = [];
  let read = 0;
  let months = 0;
  const sortKeyOf = (segment: Segment, item: Record<string, unknown>) => String(item[segment.sortKey]);
  for (const segment of segments) {
    months += 1;
    // Within the segment: read every partition below `upper`, keep what is known complete, go on below it.
    for (;;) {
      if (upper <= segment.floor) break;
      const want = page.limit - picked.length;
      const chunk = Math.max(want + 1, 25);
      const results = await Promise.all(
        segment.partitions.map(async (partition) => {
          const result = await db().send(
            new QueryCommand({
              TableName: tableName(),
              IndexName: segment.indexName,
              KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :floor AND :upper',
              ...(filter.expression ? { FilterExpression: filter.expression } : {}),
              ExpressionAttributeNames: { '#pk': segment.partitionKey, '#sk': segment.sortKey, ...filter.names },
              ExpressionAttributeValues: { ':pk': partition, ':floor': segment.floor, ':upper': upper, ...filter.values },
              ScanIndexForward: false,
              Limit: chunk,
            }),
          );
          return {
            items: (result.Items ?? []).filter((item) => sortKeyOf(segment, item) !== upper),
            scanned: result.ScannedCount ?? 0,
            // Read down to here (matching or not); below it the partition is unknown. Absent: the partition is done.
            lowest: result.LastEvaluatedKey ? String(result.LastEvaluatedKey[segment.sortKey]) : undefined,
          };
        }),
      );
      read += results.reduce((sum, r) => sum + r.scanned, 0);
      // Below the highest of the partitions' unread points nothing is known: keep what lies at or above it.
      const known = results.reduce<string | undefined>((k, r) => (r.lowest !== undefined && (k === undefined || r.lowest > k) ? r.lowest : k), undefined);
      const batch = results
        .flatMap((r) => r.items)
        .filter((item) => known === undefined || sortKeyOf(segment, item) >= known)
        .sort((a, b) => sortKeyOf(segment, b).localeCompare(sortKeyOf(segment, a)));
      for (const item of batch) {
        if (picked.length === page.limit) break;
        picked.push(item);
      }
      if (picked.length === page.limit) {
        const last = sortKeyOf(segment, picked.at(-1) as Record<string, unknown>);
        const more = batch.length > want || known !== undefined || segments.indexOf(segment) < segments.length - 1;
        return { items: picked.map(orderOfItem), nextCursor: more ? await sealCursor(page.scope, { key: { below: last } }) : null };
      }
      upper = known ?? segment.floor;
      if (read >= MAX_ITEMS_READ) {
        const done = known === undefined && segments.indexOf(segment) === segments.length - 1;
        return { items: picked.map(orderOfItem), nextCursor: done ? null : await sealCursor(page.scope, { key: { below: upper } }) };
      }
      if (known === undefined) break;
    }
    if (months >= MAX_MONTHS_PER_PAGE && segments.indexOf(segment) < segments.length - 1) {
      return { items: picked.map(orderOfItem), nextCursor: await sealCursor(page.scope, { key: { below: upper } }) };
    }
  }
  return { items: picked.map(orderOfItem), nextCursor: null };
}

/** Callbacks an order's page shows at most (newest first); the order keeps at most 50 refused ones besides. */
const MAX_CALLBACKS = 100;
/** Events an order's page shows at most (oldest first). */
const MAX_EVENTS = 100;

export interface OrderCallbackView {
  readonly callbackId: string;
  readonly kind: 'SUPPLIER' | 'PAYMENT' | 'REFUND';
  readonly sender: string;
  readonly verified: boolean;
  readonly problem: string | null;
  readonly receivedAt: string;
  readonly status: string | null;
  readonly messageId: string | null;
  readonly paymentId: string | null;
  readonly refundId: string | null;
  readonly trackingNo: string | null;
  readonly amountCents: number | null;
  readonly outcome: string | null;
  readonly eventId: string | null;
}

export interface OrderEventView {
  readonly eventId: string;
  readonly detailType: string;
  readonly occurredAt: string;
  readonly detail: Record<string, unknown>;
}

export interface OrderDetail extends Order {
  readonly callbacks: OrderCallbackView[];
  readonly callbacksTruncated: boolean;
  readonly cashRefunds: CashRefund[];
  readonly events: OrderEventView[];
  readonly eventsTruncated: boolean;
  readonly refundable: boolean;
  readonly cancellable: boolean;
}

const text = (value: unknown) => (typeof value === 'string' ? value : null);

function callbackOf(item: Record<string, unknown>): OrderCallbackView {
  const sk = String(item.SK);
  return {
    callbackId: sk.slice(sk.lastIndexOf('#') + 1),
    kind: item.kind as OrderCallbackView['kind'],
    sender: String(item.sender),
    verified: item.verified === true,
    problem: text(item.problem),
    receivedAt: String(item.receivedAt),
    status: text(item.status),
    messageId: text(item.messageId),
    paymentId: text(item.paymentId),
    refundId: text(item.refundId),
    trackingNo: text(item.trackingNo),
    amountCents: typeof item.amountCents === 'number' ? item.amountCents : null,
    outcome: text(item.outcome),
    eventId: text(item.eventId),
  };
}

/** Statuses an operator may refund: delivered goods, fulfilled codes and coupons, and orders that failed. */
export const REFUNDABLE: readonly Order['status'][] = ['DELIVERED', 'FULFILLED', 'FAILED'];

/** One order for its page: the order, its callbacks (newest first), its cash refunds and the events it produced (oldest first). */
export async function orderDetail(orderId: string): Promise<OrderDetail> {
  const order = await readOrder(orderId);
  if (!order) throw new NotFoundError(`order ${orderId} does not exist`);
  const view = viewOf(order);
  const [callbacks, cashRefunds, events] = await Promise.all([
    db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.order.item(orderId).PK, ':prefix': keys.order.callbackPrefix() },
        ScanIndexForward: false,
        Limit: MAX_CALLBACKS,
      }),
    ),
    listCashRefunds(orderId),
    db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.order.eventsPartition(orderId) },
        Limit: MAX_EVENTS,
      }),
    ),
  ]);
  return {
    ...(view.code ? { ...view, code: maskCode(view.code) } : view),
    callbacks: (callbacks.Items ?? []).map(callbackOf),
    callbacksTruncated: callbacks.LastEvaluatedKey !== undefined,
    cashRefunds,
    events: (events.Items ?? []).map((item) => ({
      eventId: String(item.eventId),
      detailType: String(item.detailType),
      occurredAt: String(item.occurredAt),
      detail: (item.detail as Record<string, unknown> | undefined) ?? {},
    })),
    eventsTruncated: events.LastEvaluatedKey !== undefined,
    refundable: REFUNDABLE.includes(order.status),
    cancellable: CANCELLABLE.includes(order.status),
  };
}

/**
 * An operator's refund of a delivered (or fulfilled) order, or of one that failed: status REFUNDED, once per
 * order. The points come back through the ledger (a REFUND entry) and a paid cash part as a
 * CashRefundRequested event (its id `cash-refund-<orderId>`, so the cash is asked back once), in one
 * transaction with the order's change, its OrderStatusChanged event and the audit record. An order that FAILED
 * had its points and cash given back when it failed: its refund only closes it (nothing is given twice).
 * Delivered goods stay with the member and no stock comes back.
 */
export async function refundOrder(
  orderId: string,
  operatorId: string,
  input: { reason: string },
  options: { idempotency: IdempotencySpec; now?: Date },
): Promise<CommitOutcome> {
  const now = options.now ?? new Date();
  // A repeat of an accepted refund answers it (the order is REFUNDED by then: without this it would be a 409).
  const stored = await storedResponse(options.idempotency);
  if (stored) return { replayed: true, response: stored };
  const order = await readOrder(orderId);
  if (!order) throw new NotFoundError(`order ${orderId} does not exist`);
  if (order.status === 'REFUNDED') {
    throw new DomainError('CONFLICT', `order ${orderId} was refunded already; an order is refunded once`, { orderStatus: order.status });
  }
  if (!REFUNDABLE.includes(order.status)) {
    throw new DomainError('CONFLICT', `order ${orderId} is ${order.status}; only ${REFUNDABLE.join(', ')} orders are refunded (cancel one not yet fulfilled)`, {
      orderStatus: order.status,
    });
  }
  const at = now.toISOString();
  const givenBack = order.status === 'FAILED';
  const points = givenBack ? 0 : order.points;
  const cashCents = !givenBack && order.cashCents > 0 && order.history.some((h) => h.status === 'PAID') ? order.cashCents : 0;
  const reason = `refunded by operator ${operatorId}: ${input.reason}`;
  const moves: LedgerMove[] =
    points > 0
      ? [
          {
            memberId: order.memberId,
            type: 'REFUND',
            points,
            bucket: await creditBucket('points', now),
            reason: `refunded ${order.productName} x${order.quantity}`,
            ref: order.orderId,
          },
        ]
      : [];
  const refunded: Order = { ...viewOf(order), status: 'REFUNDED', updatedAt: at, history: [...order.history, { status: 'REFUNDED', at, reason }] };
  // The answer (and its stored replay) shows a delivered code masked, as the order's page does: operators never see it in full.
  const next: Order = refunded.code ? { ...refunded, code: maskCode(refunded.code) } : refunded;
  const extra: ExtraWrite[] = [
    {
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.order.item(order.orderId),
          // A refunded order is no problem any more: off the failed-deliveries list (GSI2; a delivered one has no GSI2 entry).
          UpdateExpression: 'SET #status = :to, history = list_append(history, :entry), updatedAt = :at, refundedAt = :at, refundedBy = :by REMOVE GSI2PK, GSI2SK',
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':to': 'REFUNDED', ':from': order.status, ':entry': [{ status: 'REFUNDED', at, reason }], ':at': at, ':by': operatorId },
        },
      },
      onConditionFailed: (current) =>
        new DomainError('CONFLICT', `order ${order.orderId} is now ${String(current?.status)}; read it again`, { orderStatus: current?.status }),
    },
    statusChangedWrite(order, order.status, 'REFUNDED', reason, now),
  ];
  if (cashCents > 0) {
    extra.push(
      outboxWrite(
        typedEvent('CashRefundRequested', {
          orderId: order.orderId,
          memberId: order.memberId,
          paymentId: order.paymentId ?? null,
          amountCents: cashCents,
          reason,
          ...(order.paymentProvider ? { provider: order.paymentProvider } : {}),
        }),
        now,
        `cash-refund-${order.orderId}`,
      ),
    );
  }
  const given = givenBack
    ? 'points and cash were given back when it failed'
    : [points > 0 ? `${points} points` : '', cashCents > 0 ? `${(cashCents / 100).toFixed(2)} CNY asked back from ${order.paymentProvider ?? 'the provider'}` : '']
        .filter(Boolean)
        .join(' and ') || 'nothing to give back';
  extra.push(
    ...auditWrites(
      {
        target: `order:${order.orderId}`,
        summary: `refunded order of ${order.productName} x${order.quantity} for member ${order.memberId}: ${given}`,
        before: { status: order.status },
        after: { status: 'REFUNDED', reason: input.reason, points, cashCents },
      },
      now,
    ),
  );
  return commit({ moves, extra, idempotency: options.idempotency, response: () => ({ status: 200, body: next }), now });
}
