/**
 * Expiry after N months of inactivity (docs/earning.md, Expiry policies): all
 * points of a wallet expire when it has had no earning or spending for N whole
 * calendar months (UTC, the calendar of expiry buckets).
 *
 * Activity is kept as a month, not a time: every ledger move but EXPIRE sets
 * the wallet's `activeMonth` (and its LastActivity index keys) to the UTC month
 * of the move, so the index entry of a wallet changes at most once a month.
 *
 * FIFO: an inactivity expiry removes `available` into `expired` and closes no
 * bucket (`expiredThrough` stays). Consumption stays a prefix of the buckets
 * in expiry order, so `expiryAmount` and `liveBuckets` (fifo.ts) keep
 * working: the dated job later finds nothing left in the buckets it emptied,
 * and points credited or returned afterwards are live again.
 */
import { lastDueBucket } from './fifo.js';
import { moveEffect, type LedgerEntryType, type WalletState } from './ledger-moves.js';
import { shiftMonth, utcMonth } from './months.js';

/** Every move is activity (earning, spending, holds and their settlement, refunds, adjustments) except EXPIRE. */
export function countsAsActivity(type: LedgerEntryType): boolean {
  return type !== 'EXPIRE';
}

/** The month a move at `at` records as the wallet's last activity (UTC). */
export function activityMonth(at: Date | string): string {
  return utcMonth(at);
}

/**
 * The latest month of last activity whose wallets are due at `now`: a wallet
 * last active in month M has been inactive `months` whole months once month
 * M + months has ended (the same instant a bucket M + months expires).
 */
export function lastDueActivityMonth(now: Date, months: number): string {
  return shiftMonth(lastDueBucket(now), -months);
}

/** When the points of a wallet last active in `month` expire if it stays inactive (ISO-8601, UTC). */
export function inactivityExpiresAt(month: string, months: number): string {
  return `${shiftMonth(month, months + 1)}-01T00:00:00.000Z`;
}

/** What an inactivity expiry removes: every available point (held points stay with their hold). */
export function inactivityExpiryAmount(wallet: Pick<WalletState, 'available'>): number {
  return wallet.available;
}

/** The counters after an inactivity expiry, as the ledger's EXPIRE update leaves them (no bucket closed). */
export function applyInactivityExpiry(wallet: WalletState): WalletState {
  const amount = inactivityExpiryAmount(wallet);
  if (amount === 0) return wallet;
  const effect = moveEffect('EXPIRE', amount);
  return { ...wallet, buckets: { ...wallet.buckets }, available: wallet.available + effect.available, expired: wallet.expired + effect.expired };
}
