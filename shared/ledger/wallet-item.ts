import { bucketExpiresAt, liveBuckets, type WalletCounters } from '../domain/fifo.js';
import { keys } from '../table/keys.js';

/** The default points currency; every API defaults to it. */
export const DEFAULT_CURRENCY = 'points';

const BUCKET_PREFIX = 'B#';

/** Name of the top-level attribute that holds a bucket's earned points (top-level so a blind update can create it). */
export function bucketAttribute(bucket: string): string {
  return `${BUCKET_PREFIX}${bucket}`;
}

/** Pending points of one purchase and when they become available (see shared/earning/pending.ts). */
export interface PendingCreditView {
  readonly points: number;
  readonly availableAt: string;
  readonly ref: string;
  /** The purchase waits for an operator's review: availableAt is then only the earliest the points could be available. */
  readonly underReview?: boolean;
}

/** A wallet as the API shows it. */
export interface WalletView {
  readonly currency: string;
  readonly available: number;
  readonly held: number;
  readonly pending: number;
  /** The soonest pending credits (at most a page of them); `pending` is the exact total. */
  readonly pendingCredits: readonly PendingCreditView[];
  readonly lifetimeEarned: number;
  readonly expired: number;
  readonly expiring: { bucket: string; expiresAt: string | null; points: number }[];
  readonly lastEntryId: string;
}

export interface WalletItem extends WalletCounters {
  readonly spent: number;
  readonly memberId: string;
  readonly currency: string;
  readonly available: number;
  readonly held: number;
  readonly pending: number;
  readonly lifetimeEarned: number;
  readonly lastEntryId: string;
}

/** Decodes a stored wallet item. */
export function walletFromItem(item: Record<string, unknown>): WalletItem {
  const buckets: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(BUCKET_PREFIX)) buckets[name.slice(BUCKET_PREFIX.length)] = Number(value);
  }
  const num = (name: string): number => Number(item[name] ?? 0);
  return {
    memberId: String(item.memberId),
    currency: String(item.currency),
    available: num('available'),
    held: num('held'),
    pending: num('pending'),
    lifetimeEarned: num('lifetimeEarned'),
    debited: num('debited'),
    spent: num('spent'),
    expired: num('expired'),
    expiredThrough: typeof item.expiredThrough === 'string' ? item.expiredThrough : undefined,
    lastEntryId: String(item.lastEntryId ?? '0'),
    buckets,
  };
}

/** The API view of a wallet; `pendingCredits` are the soonest pending credits as `listPendingCredits` found them. */
export function walletView(wallet: WalletItem, pendingCredits: readonly PendingCreditView[]): WalletView {
  return {
    currency: wallet.currency,
    available: wallet.available,
    held: wallet.held,
    pending: wallet.pending,
    pendingCredits,
    lifetimeEarned: wallet.lifetimeEarned,
    expired: wallet.expired,
    expiring: liveBuckets(wallet).map((b) => ({ bucket: b.bucket, expiresAt: bucketExpiresAt(b.bucket), points: b.points })),
    lastEntryId: wallet.lastEntryId,
  };
}

/** A new, empty wallet item (written with `attribute_not_exists`). */
export function newWalletItem(memberId: string, currency: string, now: Date) {
  return {
    ...keys.member.wallet(memberId, currency),
    entity: 'Wallet',
    memberId,
    currency,
    available: 0,
    held: 0,
    pending: 0,
    debited: 0,
    spent: 0,
    expired: 0,
    lifetimeEarned: 0,
    lastEntryId: '0',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}
