/**
 * Orders: redeeming a mall product. A redemption is ONE TransactWriteItems
 * built by the ledger's `commit`: the wallet update (SPEND, or HOLD for points
 * plus cash) with its ledger entry, a unit of stock from one shard (condition:
 * enough left), the purchase-limit counters (condition: under the limit), the
 * tier check on the member's profile, the order itself and the idempotency
 * record. Nothing hot is read before it: the product comes from the
 * function's short cache and every check is a condition.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from '../runtime/ulid.js';
import type * as z from '../zod.js';
import type { orderSchema } from '../contracts/mall.js';
import { localDate } from '../domain/programme.js';
import type { Tier } from '../domain/tiers.js';
import { auditWrites } from '../audit/audit.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import { statusOfCode } from '../http/problem.js';
import { storedResponse, type IdempotencySpec } from '../ledger/idempotency.js';
import { commit, type CommitOutcome, type ExtraWrite, type LedgerMove, type TransactItem } from '../ledger/ledger.js';
import { creditBucket } from '../members/service.js';
import { outboxWrite, typedEvent } from '../events/outbox.js';
import { logger } from '../observability/powertools.js';
import { sweepShards } from '../jobs/sweep.js';
import { throwIfPastDeadline } from '../runtime/deadline.js';
import { db, tableName } from '../table/client.js';
import { keys, PAYMENT_DUE_SHARDS } from '../table/keys.js';
import { queryPage, type PageRequest } from '../table/paging.js';
import { maskCode } from '../domain/coupons.js';
import { getProduct, knownSoldOut, markSoldOut, saleProblem, type Product } from './catalogue.js';
import { claimCode, forgetFreeCode, pickFreeCode, type FreeCode } from './code-pool.js';
import { getCouponTemplate, issueCouponWrites, issueProblem, newCouponIds } from './coupons.js';
import { ordersCounted, saleMinuteWrite } from './sale-stats.js';
import { readStock, returnToShard, takeFromShard, unitsByShard } from './stock.js';

export type Order = z.input<typeof orderSchema>;
type OrderStatus = Order['status'];

/** How long a points+cash order waits for its cash part. */
export const PAYMENT_WINDOW_MS = Number(process.env.PAYMENT_WINDOW_MINUTES ?? 15) * 60_000;
/** Day counters of purchase limits are kept a little longer than their day. */
const DAY_LIMIT_TTL_SECONDS = 3 * 24 * 3600;
/** How long a function remembers that a shard was found empty (it skips it meanwhile). */
const EMPTY_SHARD_MEMORY_MS = Number(process.env.EMPTY_SHARD_MEMORY_MS ?? 1_000);

const emptyShards = new Map<string, Map<number, number>>();

function knownEmpty(productId: string, shard: number): boolean {
  return (emptyShards.get(productId)?.get(shard) ?? 0) > Date.now();
}

function rememberEmpty(productId: string, shard: number): void {
  const shards = emptyShards.get(productId) ?? new Map<number, number>();
  shards.set(shard, Date.now() + EMPTY_SHARD_MEMORY_MS);
  emptyShards.set(productId, shards);
}

/** Forgets what this function learnt about empty shards (tests; after restocking). */
export function forgetEmptyShards(productId?: string): void {
  if (productId === undefined) emptyShards.clear();
  else emptyShards.delete(productId);
}

/**
 * The shards a redemption tries, in order: a random start, then round the
 * ring, skipping shards this function found empty in the last moment. Empty
 * when every shard is known empty: the product is then answered sold out at
 * once instead of sweeping the shards again.
 */
export function shardOrder(productId: string, shards: number, random = Math.random): number[] {
  const start = Math.floor(random() * shards);
  return Array.from({ length: shards }, (_, i) => (start + i) % shards).filter((s) => !knownEmpty(productId, s));
}

class ShardEmptyError extends Error {
  constructor(readonly shard: number) {
    super(`stock shard ${shard} cannot cover the order`);
  }
}

/** The code picked for a VIRTUAL order was claimed by another order first. */
class CodeTakenError extends Error {
  constructor() {
    super('the code picked was claimed by another order');
  }
}

/** Codes a VIRTUAL order tries on one shard before it moves on to the next. */
const CODE_PICKS_PER_SHARD = 12;

/** The view of an order item (as stored, bookkeeping left out). */
export function orderFromItem(item: Record<string, unknown>): Order {
  return {
    orderId: String(item.orderId),
    memberId: String(item.memberId),
    productId: String(item.productId),
    productName: String(item.productName),
    productType: item.productType as Order['productType'],
    quantity: Number(item.quantity),
    payment: item.payment as Order['payment'],
    points: Number(item.points),
    cashCents: Number(item.cashCents ?? 0),
    status: item.status as OrderStatus,
    payBy: (item.payBy as string | undefined) ?? null,
    supplier: (item.supplier as Order['supplier']) ?? null,
    history: (item.history as Order['history'] | undefined) ?? [],
    ...(typeof item.trackingNo === 'string' ? { trackingNo: item.trackingNo } : {}),
    ...(typeof item.code === 'string' ? { code: item.code } : {}),
    ...(Array.isArray(item.couponIds) ? { couponIds: item.couponIds as string[] } : {}),
    ...(item.source ? { source: item.source as NonNullable<Order['source']> } : {}),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}

/** What the order item keeps beyond the view: where its stock came from and which limit counters it used. */
export interface OrderBookkeeping {
  /** The stock shard the unit came from; -1 for orders with a `source` (auction lots and draw prizes have stock of their own). */
  readonly shard: number;
  readonly limitDay: string;
  /** The payment that paid the cash part, once paid. */
  readonly paymentId?: string | undefined;
  /** The payment provider that took it (its refund API gives the cash back). */
  readonly paymentProvider?: string | undefined;
  /** Supplier messages already applied (a repeat changes nothing). */
  readonly messages: readonly string[];
}

export interface PlaceOrderInput {
  readonly memberId: string;
  readonly productId: string;
  readonly quantity: number;
  readonly payment: 'POINTS' | 'POINTS_CASH';
  readonly idempotency: IdempotencySpec;
  readonly now?: Date;
  /**
   * Called once before the redemption's first write, after every refusal that needs no table call (the member's
   * rate count across instances, shared/http/member-rate-limit.ts): a sold-out product is refused without it.
   */
  readonly beforeWrite?: () => Promise<void>;
}

function priceOf(product: Product, payment: PlaceOrderInput['payment'], quantity: number): { points: number; cashCents: number } {
  if (payment === 'POINTS') return { points: product.pricePoints * quantity, cashCents: 0 };
  if (!product.pointsCash) {
    throw new ValidationError(`product ${product.productId} is sold for points only; send payment POINTS`);
  }
  return { points: product.pointsCash.points * quantity, cashCents: product.pointsCash.cashCents * quantity };
}

function tierCheck(product: Product, memberId: string): ExtraWrite | undefined {
  const allowed = product.visibleToTiers;
  if (!allowed) return undefined;
  const values: Record<string, string> = {};
  allowed.forEach((tier, i) => (values[`:t${i}`] = tier));
  return {
    item: {
      ConditionCheck: {
        TableName: tableName(),
        Key: keys.member.profile(memberId),
        ConditionExpression: `#tier IN (${Object.keys(values).join(', ')})`,
        ExpressionAttributeNames: { '#tier': 'tier' },
        ExpressionAttributeValues: values,
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) =>
      current
        ? new DomainError('FORBIDDEN', `product ${product.productId} is for ${allowed.join(', ')} members; you are ${String(current.tier as Tier)}`)
        : new NotFoundError(`member ${memberId} is not registered; register first`),
  };
}

function limitWrite(memberId: string, product: Product, period: string, limit: number, quantity: number, at: string, ttl?: number): ExtraWrite {
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.member.purchaseLimit(memberId, product.productId, period),
        UpdateExpression: `ADD units :q SET entity = :entity, updatedAt = :at${ttl ? ', #ttl = :ttl' : ''}`,
        ConditionExpression: 'attribute_not_exists(units) OR units <= :most',
        ExpressionAttributeNames: ttl ? { '#ttl': 'ttl' } : undefined,
        ExpressionAttributeValues: { ':q': quantity, ':most': limit - quantity, ':entity': 'PurchaseLimit', ':at': at, ...(ttl ? { ':ttl': ttl } : {}) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) =>
      new DomainError(
        'LIMIT_REACHED',
        `product ${product.productId} is limited to ${limit} per member ${period === 'ALL' ? 'in all' : 'per day'}; you have redeemed ${Number(current?.units ?? 0)}`,
        { limit, redeemed: Number(current?.units ?? 0) },
      ),
  };
}

function limitRelease(memberId: string, productId: string, period: string, quantity: number, at: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.member.purchaseLimit(memberId, productId, period),
      UpdateExpression: 'ADD units :minus SET updatedAt = :at',
      ConditionExpression: 'attribute_exists(units)',
      ExpressionAttributeValues: { ':minus': -quantity, ':at': at },
    },
  };
}

/** Whether a redemption's own transaction has already answered for its Idempotency-Key (see `placeOrder`). */
interface KeySettled {
  settled: boolean;
}

/**
 * Redeems a product. Tries the shards in `shardOrder` until one can cover the
 * quantity; when none can, marks the product sold out and answers OUT_OF_STOCK.
 *
 * The Idempotency-Key is not read before the redemption: the transaction puts
 * the key's record on condition that there is none, and a retry of an order
 * that committed fails that condition and is answered from the record it
 * returns (`commit`), before any other condition counts. So an order costs one
 * transaction and no read. A refusal decided without that transaction (the
 * product not on sale, sold out as this function knows it, a quantity no shard
 * holds) reads the record first: a retry of an accepted order is answered with
 * its 201, even once the product has sold out since (docs/flash-sale.md, "How a
 * redemption picks a shard").
 */
export async function placeOrder(input: PlaceOrderInput): Promise<CommitOutcome> {
  const key: KeySettled = { settled: false };
  try {
    return await redeem(input, key);
  } catch (error) {
    // Overload answers (429, 503) did nothing and say so: the client comes back with the same key, as for a replay.
    if (key.settled || !(error instanceof DomainError) || statusOfCode[error.code] >= 429) throw error;
    const stored = await storedResponse(input.idempotency);
    if (stored) return { replayed: true, response: stored };
    throw error;
  }
}

/** Refusals that a transaction with the key's conditional record reached: that record was not there then. */
const TRANSACTION_REFUSALS: ReadonlySet<string> = new Set(['INSUFFICIENT_POINTS', 'LIMIT_REACHED', 'FORBIDDEN', 'NOT_FOUND']);

async function redeem(input: PlaceOrderInput, key: KeySettled): Promise<CommitOutcome> {
  const now = input.now ?? new Date();
  const product = await getProduct(input.productId);
  const problem = saleProblem(product, now);
  if (problem) throw new DomainError('NOT_ON_SALE', problem);
  const price = priceOf(product, input.payment, input.quantity);
  if (product.type === 'VIRTUAL' && input.quantity !== 1) {
    throw new ValidationError(`product ${product.productId} delivers one code per order; order quantity 1`);
  }
  const template = product.type === 'COUPON' && product.couponTemplateId ? await getCouponTemplate(product.couponTemplateId) : undefined;
  const notIssued = template && issueProblem(template, now);
  if (notIssued) throw new DomainError('NOT_ON_SALE', notIssued);
  if (product.soldOut) throw new DomainError('OUT_OF_STOCK', `product ${product.productId} is sold out`);

  const at = now.toISOString();
  const orderId = `o-${ulid().toLowerCase()}`;
  const pending = input.payment === 'POINTS_CASH';
  const payBy = pending ? new Date(now.getTime() + PAYMENT_WINDOW_MS).toISOString() : null;
  // Virtual goods and coupons are delivered in the redemption's own transaction.
  const instant = product.type === 'VIRTUAL' || template !== undefined;
  const status: OrderStatus = pending ? 'PENDING_PAYMENT' : instant ? 'FULFILLED' : 'PLACED';
  const couponIds = template ? newCouponIds(input.quantity) : undefined;
  const reason = pending
    ? `points held; pay ${price.cashCents} cents by ${payBy}`
    : couponIds
      ? `points spent; ${couponIds.length} coupon(s) issued`
      : product.type === 'VIRTUAL'
        ? 'points spent; code delivered'
        : 'points spent';
  const limitDay = localDate(now);
  const view: Order = {
    orderId,
    memberId: input.memberId,
    productId: product.productId,
    productName: product.name,
    productType: product.type,
    quantity: input.quantity,
    payment: input.payment,
    points: price.points,
    cashCents: price.cashCents,
    status,
    payBy,
    supplier: product.supplier,
    history: [{ status, at, reason }],
    ...(couponIds ? { couponIds } : {}),
    createdAt: at,
    updatedAt: at,
  };

  const moves: LedgerMove[] =
    price.points > 0
      ? [
          {
            memberId: input.memberId,
            type: pending ? 'HOLD' : 'SPEND',
            points: price.points,
            reason: `${pending ? 'held for' : 'redeemed'} ${product.name} x${input.quantity}`,
            ref: orderId,
          },
        ]
      : [];
  const fixedExtras: ExtraWrite[] = [];
  const tier = tierCheck(product, input.memberId);
  if (tier) fixedExtras.push(tier);
  if (product.limits.perDay !== null) {
    fixedExtras.push(limitWrite(input.memberId, product, limitDay, product.limits.perDay, input.quantity, at, Math.floor(now.getTime() / 1000) + DAY_LIMIT_TTL_SECONDS));
  }
  if (product.limits.lifetime !== null) {
    fixedExtras.push(limitWrite(input.memberId, product, 'ALL', product.limits.lifetime, input.quantity, at));
  }
  if (template && couponIds) fixedExtras.push(...issueCouponWrites(template, input.memberId, couponIds, orderId, now));
  fixedExtras.push(
    outboxWrite(
      typedEvent('OrderPlaced', {
        orderId,
        memberId: input.memberId,
        productId: product.productId,
        productType: product.type,
        quantity: input.quantity,
        payment: input.payment,
        points: price.points,
        cashCents: price.cashCents,
        status: view.status,
        supplier: product.supplier,
      }),
      now,
    ),
  );

  const countOrders = ordersCounted(product);
  /** One transaction on one shard (and, for a VIRTUAL product, one code of it); throws ShardEmptyError or CodeTakenError. */
  const commitOn = async (shard: number, code: FreeCode | undefined): Promise<CommitOutcome> => {
    const bookkeeping: Pick<OrderBookkeeping, 'shard' | 'limitDay'> = { shard, limitDay };
    const body: Order = code ? { ...view, code: code.code } : view;
    const extra: ExtraWrite[] = [
      ...fixedExtras,
      // Before the code claim: an empty shard sends the order to the next shard rather than to another code.
      { item: takeFromShard(product.productId, shard, input.quantity, at), onConditionFailed: () => new ShardEmptyError(shard) },
      // The sale monitor's orders per minute (flash sales), on this shard's own minute item: spread as the stock shards are.
      ...(countOrders ? [saleMinuteWrite(product.productId, shard, input.quantity, now)] : []),
      ...(code
        ? [{ item: claimCode(product.productId, shard, code.hash, orderId, input.memberId, at), onConditionFailed: () => new CodeTakenError() }]
        : []),
      {
        item: {
          Put: {
            TableName: tableName(),
            Item: {
              ...keys.order.item(orderId),
              ...keys.order.memberEntry(input.memberId, at, orderId),
              ...keys.order.listEntry(orderId, at),
              ...(payBy ? keys.order.paymentDueEntry(orderId, payBy) : {}),
              entity: 'Order',
              ...body,
              ...bookkeeping,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      },
    ];
    try {
      return await commit({ moves, extra, idempotency: input.idempotency, response: () => ({ status: 201, body }), now });
    } catch (error) {
      // Cancelled on a condition other than the key's record (which `commit` answers as a replay first): no record then.
      if (error instanceof ShardEmptyError || error instanceof CodeTakenError || (error instanceof DomainError && TRANSACTION_REFUSALS.has(error.code))) {
        key.settled = true;
      }
      throw error;
    }
  };

  const attempt = async (shard: number): Promise<CommitOutcome | undefined> => {
    // Falling over to the next shard (or code) stops at the invocation's deadline: it answers 503 then.
    throwIfPastDeadline();
    try {
      if (product.type !== 'VIRTUAL') return await commitOn(shard, undefined);
      // A specific free code of the shard, claimed conditionally; one taken by a concurrent order sends us to another.
      for (let pick = 0; pick < CODE_PICKS_PER_SHARD; pick += 1) {
        if (pick > 0) throwIfPastDeadline();
        const code = await pickFreeCode(product.productId, shard);
        if (!code) break;
        try {
          const outcome = await commitOn(shard, code);
          forgetFreeCode(product.productId, shard, code.hash);
          return outcome;
        } catch (error) {
          if (!(error instanceof CodeTakenError)) throw error;
          forgetFreeCode(product.productId, shard, code.hash);
        }
      }
      // No free code seen (the list lags a moment behind claims) or too contended: try the other shards.
      return undefined;
    } catch (error) {
      if (!(error instanceof ShardEmptyError)) throw error;
      rememberEmpty(product.productId, shard);
      return undefined;
    }
  };

  await input.beforeWrite?.();
  // First a random shard this function does not know to be empty: at a peak most orders end here.
  const [first] = shardOrder(product.productId, product.stockShards);
  if (first !== undefined) {
    const outcome = await attempt(first);
    if (outcome) return outcome;
  }
  // That shard could not cover it: one cheap read of every shard says which still can, instead of
  // a failed transaction per shard (each costs writes on the hottest items). A BatchGet per 100 shards, sent together.
  // A shard not written yet (a rebalance to more shards fills them after the product's count) counts as empty.
  const stock = await readStock(product.productId, product.stockShards, { consistent: false });
  for (const [shard, units] of unitsByShard(stock, product.stockShards).entries()) if (units < input.quantity) rememberEmpty(product.productId, shard);
  const candidates = shardOrder(product.productId, product.stockShards).filter((s) => s !== first);
  for (const shard of candidates) {
    const outcome = await attempt(shard);
    if (outcome) return outcome;
  }
  if (knownSoldOut(product.productId)) throw new DomainError('OUT_OF_STOCK', `product ${product.productId} is sold out`);
  if (stock.available === 0 || candidates.length === 0) {
    const left = (await readStock(product.productId, product.stockShards, { consistent: true })).available;
    if (left === 0) {
      await markSoldOut(product.productId, now);
      logger.info('product sold out', { productId: product.productId });
      throw new DomainError('OUT_OF_STOCK', `product ${product.productId} is sold out`);
    }
    if (left < input.quantity) throw new DomainError('OUT_OF_STOCK', `only ${left} of product ${product.productId} left; order fewer`, { left });
  }
  throw new DomainError('OUT_OF_STOCK', `product ${product.productId} has no ${input.quantity} units left in one place; order fewer or try again`);
}

/** Product types an auction lot or a draw prize may be: goods someone ships (the brand, or a supplier through fulfilment). */
export const PRIZE_PRODUCT_TYPES: readonly Product['type'][] = ['PHYSICAL', 'SUPPLIER'];

/**
 * The writes that create the order for goods won in an auction or a lucky
 * draw, for the winning transaction itself: the order (status PLACED, paid by
 * `points`, which the caller's own moves take: an auction's capture, nothing
 * for a draw prize) and its OrderPlaced outbox event, so supplier goods go to
 * fulfilment like any mall order. No mall stock or purchase limits are used:
 * the lot or prize has stock of its own. Throws for product types that are
 * not goods to ship.
 */
export function prizeOrderWrites(
  product: Product,
  input: { memberId: string; points: number; source: NonNullable<Order['source']>; reason: string; orderId?: string },
  now: Date,
): { orderId: string; order: Order; writes: ExtraWrite[] } {
  if (!PRIZE_PRODUCT_TYPES.includes(product.type)) {
    throw new ValidationError(`product ${product.productId} is ${product.type}; auction lots and goods prizes are ${PRIZE_PRODUCT_TYPES.join(' or ')} products`);
  }
  const at = now.toISOString();
  const orderId = input.orderId ?? `o-${ulid().toLowerCase()}`;
  const order: Order = {
    orderId,
    memberId: input.memberId,
    productId: product.productId,
    productName: product.name,
    productType: product.type,
    quantity: 1,
    payment: 'POINTS',
    points: input.points,
    cashCents: 0,
    status: 'PLACED',
    payBy: null,
    supplier: product.supplier,
    history: [{ status: 'PLACED', at, reason: input.reason }],
    source: input.source,
    createdAt: at,
    updatedAt: at,
  };
  const bookkeeping: Pick<OrderBookkeeping, 'shard' | 'limitDay'> = { shard: -1, limitDay: '' };
  const writes: ExtraWrite[] = [
    {
      item: {
        Put: {
          TableName: tableName(),
          Item: {
            ...keys.order.item(orderId),
            ...keys.order.memberEntry(input.memberId, at, orderId),
            ...keys.order.listEntry(orderId, at),
            entity: 'Order',
            ...order,
            ...bookkeeping,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
    },
    outboxWrite(
      typedEvent('OrderPlaced', {
        orderId,
        memberId: input.memberId,
        productId: product.productId,
        productType: product.type,
        quantity: 1,
        payment: 'POINTS',
        points: input.points,
        cashCents: 0,
        status: 'PLACED',
        supplier: product.supplier,
      }),
      now,
    ),
  ];
  return { orderId, order, writes };
}

export async function readOrder(orderId: string): Promise<(Order & OrderBookkeeping) | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.order.item(orderId), ConsistentRead: true }));
  if (!result.Item) return undefined;
  const item = result.Item;
  return {
    ...orderFromItem(item),
    shard: Number(item.shard ?? 0),
    limitDay: String(item.limitDay ?? ''),
    paymentId: typeof item.paymentId === 'string' ? item.paymentId : undefined,
    paymentProvider: typeof item.paymentProvider === 'string' ? item.paymentProvider : undefined,
    messages: item.messages instanceof Set ? [...(item.messages as Set<string>)] : [],
  };
}

/** An order for its owner, or for an operator; someone else's order is "not found" (no hint it exists). */
export async function getOrder(orderId: string, caller: { memberId: string; admin: boolean }): Promise<Order> {
  const order = await readOrder(orderId);
  if (!order || (!caller.admin && order.memberId !== caller.memberId)) throw new NotFoundError(`order ${orderId} does not exist`);
  const view = viewOf(order);
  // A delivered code is the member's alone: an operator sees enough to match it with the member, not to use it.
  if (view.code && order.memberId !== caller.memberId) return { ...view, code: maskCode(view.code) };
  return view;
}

export function viewOf(order: Order & Partial<OrderBookkeeping>): Order {
  const { shard: _shard, limitDay: _limitDay, paymentId: _paymentId, paymentProvider: _provider, messages: _messages, ...view } = order;
  return view;
}

export async function listMemberOrders(memberId: string, page: PageRequest) {
  const partition = keys.order.memberPartition(memberId);
  const result = await queryPage(
    {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: false,
    },
    page,
    { attribute: 'GSI1PK', value: partition },
  );
  return { items: result.items.map(orderFromItem), nextCursor: result.nextCursor };
}

/**
 * Ends an order that has not been fulfilled: its points come back (REFUND of
 * spent points, or RELEASE of held ones), its stock returns to its shard and
 * its purchase-limit units are given back, in one transaction conditional on
 * the status read.
 */
/** The OrderStatusChanged outbox event of a transition, for the transition's own transaction. */
export function statusChangedWrite(
  order: Pick<Order, 'orderId' | 'memberId' | 'productId' | 'supplier'>,
  from: OrderStatus,
  to: OrderStatus,
  reason: string,
  now: Date,
  trackingNo?: string,
): ExtraWrite {
  return outboxWrite(
    typedEvent('OrderStatusChanged', {
      orderId: order.orderId,
      memberId: order.memberId,
      productId: order.productId,
      from,
      to,
      reason,
      supplier: order.supplier,
      ...(trackingNo ? { trackingNo } : {}),
    }),
    now,
  );
}

export async function unwind(
  order: Order & OrderBookkeeping,
  to: 'CANCELLED' | 'EXPIRED' | 'REJECTED' | 'FAILED',
  reason: string,
  options: {
    now: Date;
    idempotency?: IdempotencySpec | undefined;
    requirePaymentDue?: boolean;
    /** Supplier message that caused it: recorded on the order, and a repeat of it changes nothing. */
    messageId?: string;
    /** An operator's unwind (an order cancelled on the admin route): its audit record joins the commit. */
    audited?: boolean;
    /** GSI2 keys the unwound order is listed under (a FAILED supplier order: the fulfilment problems); none by default. */
    listAs?: { readonly GSI2PK: string; readonly GSI2SK: string };
  },
): Promise<CommitOutcome> {
  const at = options.now.toISOString();
  const moves: LedgerMove[] =
    order.points > 0
      ? [
          {
            memberId: order.memberId,
            type: order.status === 'PENDING_PAYMENT' ? 'RELEASE' : 'REFUND',
            points: order.points,
            // Points whose own bucket has expired meanwhile come back into the bucket of points earned today.
            bucket: await creditBucket('points', options.now),
            reason: `${{ EXPIRED: 'payment not received for', CANCELLED: 'cancelled', REJECTED: 'rejected by the supplier:', FAILED: 'could not be fulfilled:' }[to]} ${order.productName} x${order.quantity}`,
            ref: order.orderId,
          },
        ]
      : [];
  const product = await getProduct(order.productId);
  const next: Order = {
    ...viewOf(order),
    status: to,
    payBy: order.payBy,
    updatedAt: at,
    history: [...order.history, { status: to, at, reason }],
  };
  const extra: ExtraWrite[] = [
    {
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.order.item(order.orderId),
          UpdateExpression: `SET #status = :to, history = list_append(history, :entry), updatedAt = :at${options.listAs ? ', GSI2PK = :g2pk, GSI2SK = :g2sk' : ''}${options.messageId ? ' ADD messages :msg' : ''}${options.listAs ? '' : ' REMOVE GSI2PK, GSI2SK'}`,
          ConditionExpression: `#status = :from${options.requirePaymentDue ? ' AND payBy <= :at' : ''}${options.messageId ? ' AND NOT contains(messages, :msgId)' : ''}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':to': to,
            ':from': order.status,
            ':entry': [{ status: to, at, reason }],
            ':at': at,
            ...(options.messageId ? { ':msg': new Set([options.messageId]), ':msgId': options.messageId } : {}),
            ...(options.listAs ? { ':g2pk': options.listAs.GSI2PK, ':g2sk': options.listAs.GSI2SK } : {}),
          },
        },
      },
      onConditionFailed: (current) =>
        new DomainError('CONFLICT', `order ${order.orderId} is now ${String(current?.status)}; read it again`, { orderStatus: current?.status }),
    },
    statusChangedWrite(order, order.status, to, reason, options.now),
  ];
  // Auction lots and draw prizes did not come from mall stock or count against mall limits.
  const fromMall = order.source === undefined;
  if (fromMall) extra.push({ item: returnToShard(order.productId, order.shard, order.quantity, at) });
  // Cash paid for a points+cash order that will not be delivered goes back through the payment provider.
  if (order.cashCents > 0 && order.history.some((h) => h.status === 'PAID')) {
    extra.push(
      outboxWrite(
        typedEvent('CashRefundRequested', {
          orderId: order.orderId,
          memberId: order.memberId,
          paymentId: order.paymentId ?? null,
          amountCents: order.cashCents,
          reason,
          ...(order.paymentProvider ? { provider: order.paymentProvider } : {}),
        }),
        options.now,
      ),
    );
  }
  if (fromMall && product.limits.lifetime !== null) extra.push({ item: limitRelease(order.memberId, order.productId, 'ALL', order.quantity, at) });
  if (fromMall && product.limits.perDay !== null && order.limitDay) extra.push({ item: limitRelease(order.memberId, order.productId, order.limitDay, order.quantity, at) });
  if (options.audited) {
    const refund = order.points > 0 ? `: ${order.points} points ${order.status === 'PENDING_PAYMENT' ? 'released' : 'refunded'}` : '';
    extra.push(
      ...auditWrites(
        {
          target: `order:${order.orderId}`,
          summary: `${to.toLowerCase()} order of ${order.productName} x${order.quantity} for member ${order.memberId}${refund}`,
          before: { status: order.status },
          after: { status: to, reason },
        },
        options.now,
      ),
    );
  }
  const outcome = await commit({
    moves,
    extra,
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    response: () => ({ status: 200, body: next }),
    now: options.now,
  });
  return outcome;
}

/** Statuses a member or an operator may cancel: not yet handed over to fulfilment. */
export const CANCELLABLE: readonly OrderStatus[] = ['PLACED', 'PENDING_PAYMENT'];

export async function cancelOrder(
  orderId: string,
  caller: { memberId: string; admin: boolean },
  options: { idempotency?: IdempotencySpec | undefined; now?: Date } = {},
): Promise<CommitOutcome> {
  const now = options.now ?? new Date();
  const order = await readOrder(orderId);
  if (!order || (!caller.admin && order.memberId !== caller.memberId)) throw new NotFoundError(`order ${orderId} does not exist`);
  if (order.status === 'CANCELLED') return { replayed: true, response: { status: 200, body: viewOf(order) } };
  if (!CANCELLABLE.includes(order.status)) {
    throw new DomainError('CONFLICT', `order ${orderId} is ${order.status} and can no longer be cancelled`, { orderStatus: order.status });
  }
  return unwind(order, 'CANCELLED', caller.admin && caller.memberId !== order.memberId ? `cancelled by operator ${caller.memberId}` : 'cancelled by the member', {
    now,
    idempotency: options.idempotency,
    audited: caller.admin,
  });
}

export type PaymentOutcome =
  | { readonly outcome: 'CAPTURED'; readonly order: Order }
  | { readonly outcome: 'ALREADY_CAPTURED'; readonly order: Order }
  | { readonly outcome: 'REFUND_REQUIRED'; readonly order: Order; readonly reason: string };

/**
 * Records the cash part of a points+cash order: captures the held points and
 * marks it PAID, once. A payment that arrives after the order was released
 * (or cancelled) is never captured: the answer says the cash must be refunded.
 */
export async function capturePayment(
  orderId: string,
  payment: { paymentId: string; amountCents: number; provider?: string },
  now = new Date(),
): Promise<PaymentOutcome> {
  const order = await readOrder(orderId);
  if (!order) throw new NotFoundError(`order ${orderId} does not exist`);
  if (order.status === 'PAID' || (order.status !== 'PENDING_PAYMENT' && order.history.some((h) => h.status === 'PAID'))) {
    return { outcome: 'ALREADY_CAPTURED', order: viewOf(order) };
  }
  if (order.status !== 'PENDING_PAYMENT') {
    return { outcome: 'REFUND_REQUIRED', order: viewOf(order), reason: `order ${orderId} is ${order.status}; the payment must be refunded` };
  }
  if (payment.amountCents !== order.cashCents) {
    throw new ValidationError(`payment of ${payment.amountCents} cents does not match the order's cash part of ${order.cashCents} cents`);
  }
  const at = now.toISOString();
  if (order.payBy && at > order.payBy) {
    return { outcome: 'REFUND_REQUIRED', order: viewOf(order), reason: `payment arrived after payBy ${order.payBy}; the order is being released` };
  }
  const reason = `cash part paid (${payment.paymentId})`;
  const next: Order = { ...viewOf(order), status: 'PAID', updatedAt: at, history: [...order.history, { status: 'PAID', at, reason }] };
  try {
    await commit({
      moves: order.points > 0 ? [{ memberId: order.memberId, type: 'CAPTURE', points: order.points, reason: `paid ${order.productName}`, ref: orderId }] : [],
      extra: [
        {
          item: {
            Update: {
              TableName: tableName(),
              Key: keys.order.item(orderId),
              UpdateExpression: `SET #status = :paid, history = list_append(history, :entry), updatedAt = :at, paymentId = :pid${payment.provider ? ', paymentProvider = :provider' : ''} REMOVE GSI2PK, GSI2SK`,
              ConditionExpression: '#status = :pending AND payBy >= :at',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':paid': 'PAID',
                ':pending': 'PENDING_PAYMENT',
                ':entry': [{ status: 'PAID', at, reason }],
                ':at': at,
                ':pid': payment.paymentId,
                ...(payment.provider ? { ':provider': payment.provider } : {}),
              },
            },
          },
          onConditionFailed: () => new DomainError('CONFLICT', `order ${orderId} changed while the payment was recorded`),
        },
        statusChangedWrite(order, 'PENDING_PAYMENT', 'PAID', reason, now),
      ],
      now,
    });
  } catch (error) {
    // Released or cancelled in the meantime: answer from what it is now (never captured twice).
    const current = await readOrder(orderId);
    if (error instanceof DomainError && error.code === 'CONFLICT' && current && current.status !== 'PENDING_PAYMENT') {
      return current.status === 'PAID'
        ? { outcome: 'ALREADY_CAPTURED', order: viewOf(current) }
        : { outcome: 'REFUND_REQUIRED', order: viewOf(current), reason: `order ${orderId} is ${current.status}; the payment must be refunded` };
    }
    throw error;
  }
  return { outcome: 'CAPTURED', order: next };
}

/**
 * The payment-timeout sweeper: releases points+cash orders whose payBy has
 * passed (points back, stock back), through the sparse GSI2 list of orders
 * waiting for payment. Safe to run concurrently: each release is conditional on
 * the order still waiting.
 */
export async function runPaymentTimeoutJob(options: { now?: Date; deadline?: number } = {}): Promise<Record<string, number>> {
  const now = options.now ?? new Date();
  const stats = { ordersSeen: 0, ordersReleased: 0, alreadySettled: 0, complete: 1 };
  const complete = await sweepShards({
    shards: PAYMENT_DUE_SHARDS,
    query: (shard) => ({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :due',
      ExpressionAttributeValues: { ':pk': keys.order.paymentDuePartition(shard), ':due': `${now.toISOString()}\uffff` },
    }),
    pageSize: 100,
    itemConcurrency: 1,
    deadline: options.deadline,
    onItem: async (item) => {
      stats.ordersSeen += 1;
      const order = await readOrder(String(item.orderId));
      if (!order || order.status !== 'PENDING_PAYMENT' || !order.payBy || order.payBy > now.toISOString()) {
        stats.alreadySettled += 1;
        return;
      }
      try {
        await unwind(order, 'EXPIRED', `payment not received by ${order.payBy}`, { now, requirePaymentDue: true });
        stats.ordersReleased += 1;
      } catch (error) {
        if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
        stats.alreadySettled += 1;
      }
    },
  });
  stats.complete = complete ? 1 : 0;
  return stats;
}
