/**
 * What each ledger entry type does to a wallet's counters. The DynamoDB layer
 * (shared/ledger) turns these deltas into one conditional update, and the pure
 * `applyMove` below is what the property tests drive, so both read one table.
 */
export const ledgerEntryTypes = [
  'EARN',
  'SPEND',
  'HOLD',
  'RELEASE',
  'CAPTURE',
  'REFUND',
  'EXPIRE',
  'ADJUST',
  'CLAWBACK',
  'PEND',
  'VEST',
  'VOID',
] as const;

export type LedgerEntryType = (typeof ledgerEntryTypes)[number];

/** Counter deltas one move applies; `bucket` is the expiry bucket credited, if any. */
export interface MoveEffect {
  readonly available: number;
  readonly held: number;
  /** Points earned but locked until their return window ends (PEND adds, VEST and VOID take away). */
  readonly pending: number;
  /** Spent + held, net of releases and refunds: the FIFO consumption counter. */
  readonly debited: number;
  /** Spent for good (captured or spent directly), net of refunds: what a REFUND may give back. */
  readonly spent: number;
  readonly expired: number;
  readonly lifetimeEarned: number;
  /** Points added to `bucket` (credits only). */
  readonly bucketCredit: number;
}

const none: MoveEffect = { available: 0, held: 0, pending: 0, debited: 0, spent: 0, expired: 0, lifetimeEarned: 0, bucketCredit: 0 };

/**
 * Counter deltas of a move of `points` (> 0; for ADJUST a non-zero signed
 * amount). Credits of new points go into an expiry bucket; points coming back
 * (RELEASE, REFUND) reduce `debited` so they return to the FIFO frontier.
 * Pending points (PEND) sit outside FIFO until VEST turns them into exactly
 * what an EARN would have credited, or VOID cancels them.
 */
export function moveEffect(type: LedgerEntryType, points: number): MoveEffect {
  switch (type) {
    case 'EARN':
      return { ...none, available: points, lifetimeEarned: points, bucketCredit: points };
    case 'ADJUST':
      return points > 0
        ? { ...none, available: points, lifetimeEarned: points, bucketCredit: points }
        : { ...none, available: points, debited: -points, spent: -points };
    case 'SPEND':
    case 'CLAWBACK':
      return { ...none, available: -points, debited: points, spent: points };
    case 'HOLD':
      return { ...none, available: -points, held: points, debited: points };
    case 'RELEASE':
      return { ...none, available: points, held: -points, debited: -points };
    case 'CAPTURE':
      return { ...none, held: -points, spent: points };
    case 'REFUND':
      // Only points spent for good come back; held points come back by RELEASE.
      return { ...none, available: points, debited: -points, spent: -points };
    case 'EXPIRE':
      return { ...none, available: -points, expired: points };
    case 'PEND':
      // Not earned yet: no bucket, no lifetimeEarned; the return window may still cancel them.
      return { ...none, pending: points };
    case 'VEST':
      return { ...none, pending: -points, available: points, lifetimeEarned: points, bucketCredit: points };
    case 'VOID':
      return { ...none, pending: -points };
  }
}

/** True for moves that add new points to an expiry bucket. */
export function creditsBucket(type: LedgerEntryType, points: number): boolean {
  return moveEffect(type, points).bucketCredit > 0;
}

/** True for moves that give points back to the FIFO frontier (they register a fallback bucket). */
export function returnsPoints(type: LedgerEntryType): boolean {
  return type === 'RELEASE' || type === 'REFUND';
}

export interface WalletState {
  available: number;
  held: number;
  pending: number;
  debited: number;
  spent: number;
  expired: number;
  lifetimeEarned: number;
  expiredThrough?: string | undefined;
  buckets: Record<string, number>;
}

export function emptyWallet(): WalletState {
  return { available: 0, held: 0, pending: 0, debited: 0, spent: 0, expired: 0, lifetimeEarned: 0, buckets: {} };
}

/**
 * Applies a move to an in-memory wallet exactly as the conditional update
 * would, or returns null where the update's condition would fail.
 * `bucket` is the credited bucket for credits and the fallback bucket for returns.
 */
export function applyMove(
  wallet: WalletState,
  type: LedgerEntryType,
  points: number,
  bucket?: string,
): WalletState | null {
  const effect = moveEffect(type, points);
  const next: WalletState = {
    ...wallet,
    buckets: { ...wallet.buckets },
    available: wallet.available + effect.available,
    held: wallet.held + effect.held,
    pending: wallet.pending + effect.pending,
    debited: wallet.debited + effect.debited,
    spent: wallet.spent + effect.spent,
    expired: wallet.expired + effect.expired,
    lifetimeEarned: wallet.lifetimeEarned + effect.lifetimeEarned,
  };
  if (next.available < 0 || next.held < 0 || next.pending < 0 || next.debited < 0 || next.spent < 0) return null;
  if (bucket !== undefined && (effect.bucketCredit > 0 || returnsPoints(type))) {
    next.buckets[bucket] = (next.buckets[bucket] ?? 0) + effect.bucketCredit;
  }
  if (type === 'EXPIRE') {
    if (bucket === undefined) throw new Error('EXPIRE needs the bucket it expires');
    next.expiredThrough = bucket;
  }
  return next;
}

/** The counters a wallet update changes and may condition on. */
export const walletCounters = ['available', 'held', 'pending', 'debited', 'spent', 'expired', 'lifetimeEarned'] as const satisfies readonly (keyof MoveEffect)[];
export type WalletCounter = (typeof walletCounters)[number];

export interface CombinedMoves {
  /** The sum of the moves' deltas: what one update applies. */
  readonly delta: Readonly<Record<WalletCounter, number>>;
  /**
   * The least value each counter must have before the update so that no move,
   * applied in order, takes it below zero (0: no condition). A spin that costs
   * 10 points and wins 50 needs 10 available, not 0: the cost is paid first.
   */
  readonly need: Readonly<Record<WalletCounter, number>>;
}

/**
 * Several moves on ONE wallet applied in order, as one update: the summed
 * deltas and, per counter, the lowest running total's shortfall as the
 * update's condition. For one move this is exactly that move's effect and
 * its own amount as the condition.
 */
export function combineMoves(moves: readonly { readonly type: LedgerEntryType; readonly points: number }[]): CombinedMoves {
  const delta = Object.fromEntries(walletCounters.map((c) => [c, 0])) as Record<WalletCounter, number>;
  const need = Object.fromEntries(walletCounters.map((c) => [c, 0])) as Record<WalletCounter, number>;
  for (const move of moves) {
    const effect = moveEffect(move.type, move.points);
    for (const counter of walletCounters) {
      delta[counter] += effect[counter];
      need[counter] = Math.max(need[counter], -delta[counter]);
    }
  }
  return { delta, need };
}
