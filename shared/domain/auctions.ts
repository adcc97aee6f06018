/**
 * Points auctions: the rules of a bid and of settlement. Pure: the service
 * (shared/auctions) reads the auction, asks `decideBid` what a bid does, and
 * commits the answer as one transaction conditional on the version it read.
 *
 * Proxy bidding: a bidder's maximum (`max(amount, maxAmount)`) is held from
 * their points up front, so the system only ever bids points the member has.
 * Only the leader holds anything, and always exactly their maximum.
 */

export interface AntiSniping {
  /** A bid that changes the price or the leader this close to the end extends the auction. */
  readonly windowSeconds: number;
  /** The auction then ends `extendSeconds` after that bid (never earlier than it already would). */
  readonly extendSeconds: number;
}

export interface AuctionTerms {
  readonly startingPrice: number;
  readonly minIncrement: number;
  /** Below this price the lot is not sold (null: no reserve). */
  readonly reservePrice: number | null;
  readonly antiSniping: AntiSniping | null;
  /** Anti-sniping never moves the end past this time (ISO-8601 UTC); null: no hard end. */
  readonly latestEndsAt: string | null;
}

/** What the auction item holds between bids. */
export interface AuctionState extends AuctionTerms {
  /**
   * OPEN until settled (also before it starts and after it ends, until the sweeper settles it), or until an
   * operator cancels it. SETTLED, UNSOLD and CANCELLED are final.
   */
  readonly status: 'OPEN' | 'SETTLED' | 'UNSOLD' | 'CANCELLED';
  readonly startsAt: string;
  readonly endsAt: string;
  /** The current highest bid; 0 while there is no leader. */
  readonly price: number;
  readonly leaderId: string | null;
  /** The leader's maximum (hidden from everyone else). */
  readonly leaderMax: number;
  /** Points held from the leader for this auction (= leaderMax). */
  readonly leaderHold: number;
  /** Bids accepted so far; also the sequence number of the last bid. */
  readonly bids: number;
  readonly version: number;
}

export interface Bid {
  readonly memberId: string;
  readonly amount: number;
  readonly maxAmount?: number | null | undefined;
}

/**
 * `LEADING`: the bidder leads now (first bid, or above the leader's maximum).
 * `RAISED`: the leader raised their own maximum or price.
 * `OUTBID`: the leader's maximum answered the bid; the price rose, the leader kept the lead.
 */
export type BidOutcome = 'LEADING' | 'RAISED' | 'OUTBID';

export type BidRefusal =
  | { readonly code: 'AUCTION_CLOSED'; readonly reason: 'NOT_STARTED' | 'ENDED' | 'SETTLED' | 'CANCELLED'; readonly message: string }
  | { readonly code: 'BID_TOO_LOW'; readonly minimumAmount: number; readonly message: string };

export interface BidDecision {
  readonly outcome: BidOutcome;
  /** The auction's state after the bid (version and bids count advanced by one). */
  readonly next: Pick<AuctionState, 'price' | 'leaderId' | 'leaderMax' | 'leaderHold' | 'bids' | 'version' | 'endsAt'>;
  /** Points to HOLD from the bidder: their maximum, or what a leader's new maximum adds. */
  readonly hold: { readonly memberId: string; readonly points: number } | null;
  /** The previous leader's whole hold, RELEASED when someone else takes the lead. */
  readonly release: { readonly memberId: string; readonly points: number } | null;
  /**
   * OUTBID: the challenger holds nothing, but their maximum pushed the price up, so they must have it
   * available (a member without points must not drive up what the leader pays).
   */
  readonly requireAvailable: { readonly memberId: string; readonly points: number } | null;
  /** The bidder's maximum as the rules took it. */
  readonly bidderMax: number;
  /** Whether anti-sniping moved `endsAt`. */
  readonly extended: boolean;
}

export type BidResult = { readonly accepted: true; readonly decision: BidDecision } | { readonly accepted: false; readonly refusal: BidRefusal };

/** The least amount a bid by someone other than the leader must offer. */
export function minimumBid(state: Pick<AuctionState, 'leaderId' | 'price' | 'minIncrement' | 'startingPrice'>): number {
  return state.leaderId === null ? state.startingPrice : state.price + state.minIncrement;
}

/** Where the auction stands at `now`; UPCOMING and ENDED are OPEN items outside their bidding window. */
export type AuctionPhase = 'UPCOMING' | 'OPEN' | 'ENDED' | 'SETTLED' | 'UNSOLD' | 'CANCELLED';

export function phaseOf(state: Pick<AuctionState, 'status' | 'startsAt' | 'endsAt'>, now: Date): AuctionPhase {
  if (state.status !== 'OPEN') return state.status;
  const t = now.getTime();
  if (t < Date.parse(state.startsAt)) return 'UPCOMING';
  if (t >= Date.parse(state.endsAt)) return 'ENDED';
  return 'OPEN';
}

/**
 * With a reserve, a maximum that reaches it lifts the price to the reserve:
 * a leader willing to pay the reserve must not lose the lot because nobody
 * bid against them.
 */
function withReserveFloor(price: number, leaderMax: number, reserve: number | null): number {
  return reserve !== null && leaderMax >= reserve ? Math.max(price, reserve) : price;
}

/**
 * Anti-sniping: a bid that changes what others see (price or leader) within
 * `windowSeconds` of the end moves the end to `extendSeconds` after the bid,
 * capped at `latestEndsAt`. Moving it *to* now + extend (not *by* extend)
 * means a burst of late bids keeps the auction open only while bids keep
 * coming, never by the sum of their extensions.
 */
export function extendedEnd(state: Pick<AuctionTerms, 'antiSniping' | 'latestEndsAt'> & { readonly endsAt: string }, now: Date): string {
  const { antiSniping } = state;
  const endsAt = Date.parse(state.endsAt);
  if (!antiSniping || endsAt - now.getTime() > antiSniping.windowSeconds * 1000) return state.endsAt;
  let target = now.getTime() + antiSniping.extendSeconds * 1000;
  if (state.latestEndsAt !== null) target = Math.min(target, Date.parse(state.latestEndsAt));
  return target > endsAt ? new Date(target).toISOString() : state.endsAt;
}

/**
 * What a bid does to the auction, or why it is refused. The rules:
 * - only while OPEN and `startsAt <= now < endsAt` (else AUCTION_CLOSED);
 * - the bidder's maximum is `max(amount, maxAmount)`;
 * - the leader bidding again: a higher maximum holds only the difference; an
 *   amount of at least price + increment raises the price to it; a bid that
 *   does neither is BID_TOO_LOW;
 * - anyone else: the amount must reach `minimumBid` (BID_TOO_LOW names it).
 *   Above the leader's maximum they lead at min(their max, leader max +
 *   increment), at least their amount, and the previous leader's hold is
 *   released. Otherwise the leader's maximum answers: price = min(leader max,
 *   their max + increment), ties to the earlier maximum, and the challenger
 *   holds nothing.
 */
export function decideBid(state: AuctionState, bid: Bid, now: Date): BidResult {
  if (state.status === 'CANCELLED') {
    return { accepted: false, refusal: { code: 'AUCTION_CLOSED', reason: 'CANCELLED', message: 'the auction was cancelled; every hold was released' } };
  }
  if (state.status !== 'OPEN') {
    return { accepted: false, refusal: { code: 'AUCTION_CLOSED', reason: 'SETTLED', message: `the auction has ended and is ${state.status}` } };
  }
  const phase = phaseOf(state, now);
  if (phase === 'UPCOMING') {
    return { accepted: false, refusal: { code: 'AUCTION_CLOSED', reason: 'NOT_STARTED', message: `the auction opens for bids at ${state.startsAt}` } };
  }
  if (phase === 'ENDED') {
    return { accepted: false, refusal: { code: 'AUCTION_CLOSED', reason: 'ENDED', message: `the auction ended at ${state.endsAt}` } };
  }
  if (!Number.isSafeInteger(bid.amount) || bid.amount <= 0) throw new Error(`a bid amount must be a positive integer, got ${bid.amount}`);
  const bidderMax = Math.max(bid.amount, bid.maxAmount ?? bid.amount);
  const { minIncrement, reservePrice } = state;

  let outcome: BidOutcome;
  let price: number;
  let leaderId: string;
  let leaderMax: number;
  let hold: BidDecision['hold'] = null;
  let release: BidDecision['release'] = null;
  let requireAvailable: BidDecision['requireAvailable'] = null;

  if (state.leaderId === bid.memberId) {
    const raisesPrice = bid.amount >= state.price + minIncrement;
    if (bidderMax <= state.leaderMax && !raisesPrice) {
      return {
        accepted: false,
        refusal: {
          code: 'BID_TOO_LOW',
          minimumAmount: state.price + minIncrement,
          message: `you lead at ${state.price} with a maximum of ${state.leaderMax}: raise your maximum above it, or bid at least ${state.price + minIncrement}`,
        },
      };
    }
    outcome = 'RAISED';
    leaderId = bid.memberId;
    leaderMax = Math.max(state.leaderMax, bidderMax);
    price = raisesPrice ? bid.amount : state.price;
    const more = leaderMax - state.leaderHold;
    hold = more > 0 ? { memberId: bid.memberId, points: more } : null;
  } else {
    const minimum = minimumBid(state);
    if (bid.amount < minimum) {
      return {
        accepted: false,
        refusal: { code: 'BID_TOO_LOW', minimumAmount: minimum, message: `bid at least ${minimum} (current price ${state.leaderId === null ? 'none' : state.price}, increment ${minIncrement})` },
      };
    }
    if (state.leaderId === null || bidderMax > state.leaderMax) {
      outcome = 'LEADING';
      leaderId = bid.memberId;
      leaderMax = bidderMax;
      price = state.leaderId === null ? bid.amount : Math.max(bid.amount, Math.min(bidderMax, state.leaderMax + minIncrement));
      hold = { memberId: bid.memberId, points: bidderMax };
      release = state.leaderId !== null && state.leaderHold > 0 ? { memberId: state.leaderId, points: state.leaderHold } : null;
    } else {
      outcome = 'OUTBID';
      leaderId = state.leaderId;
      leaderMax = state.leaderMax;
      price = Math.min(state.leaderMax, bidderMax + minIncrement);
      requireAvailable = { memberId: bid.memberId, points: bidderMax };
    }
  }
  price = withReserveFloor(price, leaderMax, reservePrice);
  const visible = price !== state.price || leaderId !== state.leaderId;
  const endsAt = visible ? extendedEnd(state, now) : state.endsAt;
  return {
    accepted: true,
    decision: {
      outcome,
      next: {
        price,
        leaderId,
        leaderMax,
        leaderHold: state.leaderHold + (hold?.points ?? 0) - (release?.points ?? 0),
        bids: state.bids + 1,
        version: state.version + 1,
        endsAt,
      },
      hold,
      release,
      requireAvailable,
      bidderMax,
      extended: endsAt !== state.endsAt,
    },
  };
}

export type Settlement =
  | {
      readonly kind: 'WON';
      readonly winnerId: string;
      /** Points captured from the winner's hold: the final price. */
      readonly capture: number;
      /** The rest of the winner's hold (their maximum above the price), released. */
      readonly release: number;
    }
  | {
      readonly kind: 'UNSOLD';
      readonly reason: 'NO_BIDS' | 'RESERVE_NOT_MET';
      /** The leader's hold, released (null without bids). */
      readonly release: { readonly memberId: string; readonly points: number } | null;
    };

/** How an ended auction settles: sold to the leader at the price if it reaches the reserve, else unsold with every hold released. */
export function settlementOf(state: Pick<AuctionState, 'leaderId' | 'price' | 'leaderHold' | 'reservePrice'>): Settlement {
  if (state.leaderId === null) return { kind: 'UNSOLD', reason: 'NO_BIDS', release: null };
  if (state.reservePrice !== null && state.price < state.reservePrice) {
    return { kind: 'UNSOLD', reason: 'RESERVE_NOT_MET', release: state.leaderHold > 0 ? { memberId: state.leaderId, points: state.leaderHold } : null };
  }
  return { kind: 'WON', winnerId: state.leaderId, capture: state.price, release: state.leaderHold - state.price };
}

/** The terms an operator sets, as checked at creation and at every change before the auction opens. */
export type AuctionSchedule = Pick<AuctionTerms, 'startingPrice' | 'reservePrice' | 'latestEndsAt'> & { readonly startsAt: string; readonly endsAt: string };

/**
 * Why these terms cannot be an auction's at `now`, or undefined: it must end
 * after it starts and in the future, a hard end must not come before the end,
 * and a reserve must not be below the starting price. Times are ISO-8601.
 */
export function termsProblem(terms: AuctionSchedule, now: Date): string | undefined {
  const startsAt = Date.parse(terms.startsAt);
  const endsAt = Date.parse(terms.endsAt);
  if (endsAt <= startsAt) return 'endsAt must be after startsAt';
  if (endsAt <= now.getTime()) return `endsAt ${terms.endsAt} has passed; an auction must end in the future`;
  if (terms.latestEndsAt !== null && Date.parse(terms.latestEndsAt) < endsAt) return 'latestEndsAt must not be before endsAt';
  if (terms.reservePrice !== null && terms.reservePrice < terms.startingPrice) return 'reservePrice must not be below startingPrice';
  return undefined;
}

/**
 * What cancelling does: an OPEN auction (upcoming, open, or ended and not yet
 * settled) becomes CANCELLED and the leader's whole hold (the only hold there
 * is) is released; a cancelled one is already cancelled; a settled or unsold
 * one cannot be cancelled any more.
 */
export type Cancellation =
  | {
      readonly kind: 'CANCEL';
      /** Where the auction stood when cancelled. */
      readonly phase: 'UPCOMING' | 'OPEN' | 'ENDED';
      readonly release: { readonly memberId: string; readonly points: number } | null;
    }
  | { readonly kind: 'ALREADY_CANCELLED' }
  | { readonly kind: 'FINAL'; readonly status: 'SETTLED' | 'UNSOLD' };

export function cancellationOf(state: Pick<AuctionState, 'status' | 'startsAt' | 'endsAt' | 'leaderId' | 'leaderHold'>, now: Date): Cancellation {
  if (state.status === 'CANCELLED') return { kind: 'ALREADY_CANCELLED' };
  if (state.status !== 'OPEN') return { kind: 'FINAL', status: state.status };
  const phase = phaseOf(state, now) as 'UPCOMING' | 'OPEN' | 'ENDED';
  const release = state.leaderId !== null && state.leaderHold > 0 ? { memberId: state.leaderId, points: state.leaderHold } : null;
  return { kind: 'CANCEL', phase, release };
}

/** A member id as other members see it in bid lists: enough to tell bidders apart, not to identify them. */
export function maskMemberId(memberId: string): string {
  if (memberId.length <= 3) return '***';
  return `${memberId.slice(0, 2)}***${memberId.slice(-1)}`;
}
