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
