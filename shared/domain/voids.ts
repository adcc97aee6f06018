/**
 * When a POS purchase may be voided (docs/earning.md, Voids): the rules that
 * need no table, so they are unit-tested alone. A void says the purchase was
 * recorded in error and undoes it whole; anything a void cannot undo whole is
 * answered with what the cashier should do instead (record a refund).
 */
import { capDay } from './pos-limits.js';

/** The parts of a stored purchase the rules read. */
export interface VoidablePurchase {
  readonly purchaseId: string;
  readonly recordedAt: string;
  readonly refundedCents: number;
  readonly refunds: readonly unknown[];
  readonly reviewStatus?: 'PENDING' | 'APPROVED' | 'REJECTED' | undefined;
  readonly voidedAt?: string | undefined;
}

/** Why a purchase cannot be voided, with the message the cashier reads. */
export type VoidRefusal =
  | { readonly code: 'ALREADY_VOIDED'; readonly message: string; readonly voidedAt: string }
  | { readonly code: 'VOID_NOT_ALLOWED'; readonly reason: 'other-day' | 'refunded' | 'under-review' | 'rejected'; readonly message: string };

/**
 * The business day of a purchase, for voids: the programme-local day it was
 * recorded (`recordedAt`), not the `paidAt` the till reported. It is the day
 * its ledger entries, its daily-cap counters and its report day items carry,
 * so a same-day void nets out on the very day items the purchase counted on.
 */
export function voidBusinessDay(recordedAt: string): string {
  return capDay(new Date(recordedAt));
}

/** Undefined when the purchase may be voided at `now` as stored; else the refusal (checked in this order). */
export function voidRefusal(purchase: VoidablePurchase, now: Date): VoidRefusal | undefined {
  const id = purchase.purchaseId;
  if (purchase.voidedAt !== undefined) {
    return { code: 'ALREADY_VOIDED', voidedAt: purchase.voidedAt, message: `purchase ${id} was already voided at ${purchase.voidedAt}; nothing was changed` };
  }
  if (purchase.refunds.length > 0 || purchase.refundedCents > 0) {
    return {
      code: 'VOID_NOT_ALLOWED',
      reason: 'refunded',
      message: `purchase ${id} has refunds recorded, so it cannot be voided; record a refund of the rest instead`,
    };
  }
  if (purchase.reviewStatus === 'PENDING') {
    return {
      code: 'VOID_NOT_ALLOWED',
      reason: 'under-review',
      message: `purchase ${id} is held for an operator's review; ask the operator to reject it, or record a refund instead`,
    };
  }
  if (purchase.reviewStatus === 'REJECTED') {
    return {
      code: 'VOID_NOT_ALLOWED',
      reason: 'rejected',
      message: `purchase ${id} was rejected on review and its points cancelled; record a refund instead if the sale is returned`,
    };
  }
  const recordedOn = voidBusinessDay(purchase.recordedAt);
  const today = capDay(now);
  if (recordedOn !== today) {
    return {
      code: 'VOID_NOT_ALLOWED',
      reason: 'other-day',
      message: `purchase ${id} was recorded on ${recordedOn} and today is ${today}: a void is only for the business day a purchase was recorded; record a refund instead`,
    };
  }
  return undefined;
}
