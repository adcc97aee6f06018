/**
 * Limits and fixed lists of the contracts that the domain code reads too. Plain values, no zod: a module that needs
 * one of them imports it from here, so it does not load (and every function bundle carry) that area's schemas.
 * The contract modules re-export them.
 */

/** POS app clients one store may have bound at once (each binding is one item of the store's change transaction). */
export const MAX_CLIENTS_PER_STORE = 20;

/** The longest streak challenge window, and the longest streak a bonus or a challenge may ask for. */
export const MAX_CHALLENGE_DAYS = 366;

/** Types delivered at once in the redemption's own transaction: sold for points only, never cancelled once fulfilled. */
export const instantTypes: readonly string[] = ['VIRTUAL', 'COUPON'];

/** Refusals the sale monitor counts, by problem code. */
export const saleRefusalReasons = ['OUT_OF_STOCK', 'LIMIT_REACHED', 'INSUFFICIENT_POINTS', 'NOT_ON_SALE', 'FORBIDDEN'] as const;

/** How many operator actions the operator view of one auction shows. */
export const AUDIT_SHOWN = 50;

/** Operators' changes shown in a draw's admin view (newest first). */
export const DRAW_HISTORY_SHOWN = 50;

/** How long before a draw opens its prize table stops changing: function copies of the draw (5 s) are fresh by then. */
export const PRIZE_TABLE_FROZEN_BEFORE_START_MS = 60_000;

/** The kinds of goods, how they are paid, and the states of an order (the mall's contracts and its events). */
export const productTypes = ['PHYSICAL', 'VIRTUAL', 'COUPON', 'SUPPLIER'] as const;
export const paymentKinds = ['POINTS', 'POINTS_CASH'] as const;
export const orderStatuses = [
  'PLACED',
  'PENDING_PAYMENT',
  'PAID',
  'SUBMITTED',
  'ACCEPTED',
  'SHIPPED',
  'DELIVERED',
  'FULFILLED',
  'CANCELLED',
  'EXPIRED',
  'REJECTED',
  'FAILED',
  'REFUNDED',
] as const;

/** Lines one stock feed may carry (POST /v1/admin/stock-feeds). */
export const MAX_STOCK_FEED_LINES = 10_000;
/**
 * Largest stock-feed body, in bytes: 10,000 lines of about 60 bytes each, three times over for long ids and
 * pretty-printed JSON. Every other route keeps the default of 64 KB (shared/http/handler.ts).
 */
export const MAX_STOCK_FEED_BODY_BYTES = 2 * 1024 * 1024;
/** The states of a stock feed: QUEUED (sent, waiting for the stream), RUNNING, DONE (every line has its result), FAILED. */
export const stockFeedStates = ['QUEUED', 'RUNNING', 'DONE', 'FAILED'] as const;
/** What became of one line of a stock feed. */
export const stockFeedLineStatuses = ['APPLIED', 'REFUSED'] as const;

/** Items (purchases and refunds together) one offline batch of a POS may carry (POST /v1/pos/purchase-batches). */
export const MAX_PURCHASE_BATCH_ITEMS = 500;
/**
 * Largest purchase-batch body, in bytes: 500 purchases of a few lines each with room to spare (a purchase of 500
 * lines is about 50 KB; a day's offline sales are small baskets). Lambda takes at most 6 MB a request.
 */
export const MAX_PURCHASE_BATCH_BODY_BYTES = 1024 * 1024;
/** The states of a purchase batch: QUEUED (taken, waiting for the stream), RUNNING, DONE (every item has its result), FAILED. */
export const purchaseBatchStates = ['QUEUED', 'RUNNING', 'DONE', 'FAILED'] as const;
/** What became of one item of a purchase batch. */
export const purchaseBatchItemStatuses = ['EARNED', 'REFUNDED', 'DUPLICATE', 'REFUSED'] as const;
/** Default and bounds of the age window of purchases sent in batches (earning rules, posLimits.maxPurchaseAgeDays). */
export const DEFAULT_MAX_PURCHASE_AGE_DAYS = 7;
export const MAX_PURCHASE_AGE_DAYS = 90;

/** Counter shards of a new task unless it asks for others (POST /v1/admin/tasks `counterShards`). */
export const TASK_COUNTER_SHARDS = 8;
/** At most this many: a task's change updates every shard in one transaction with the task and its audit record. */
export const MAX_TASK_COUNTER_SHARDS = 32;
