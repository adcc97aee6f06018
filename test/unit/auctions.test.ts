import { describe, expect, it } from 'vitest';
import {
  cancellationOf,
  decideBid,
  extendedEnd,
  maskMemberId,
  minimumBid,
  phaseOf,
  settlementOf,
  termsProblem,
  type AuctionState,
  type BidDecision,
  type BidResult,
} from '../../shared/domain/auctions.js';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();

function auction(fields: Partial<AuctionState> = {}): AuctionState {
  return {
    status: 'OPEN',
    startsAt: iso(0),
    endsAt: iso(3600),
    startingPrice: 100,
    minIncrement: 10,
    reservePrice: null,
    antiSniping: null,
    latestEndsAt: null,
    price: 0,
    leaderId: null,
    leaderMax: 0,
    leaderHold: 0,
    bids: 0,
    version: 0,
    ...fields,
  };
}

function accepted(result: BidResult): BidDecision {
  if (!result.accepted) throw new Error(`refused: ${result.refusal.message}`);
  return result.decision;
}

/** The state after a decision, as the service writes it. */
function after(state: AuctionState, decision: BidDecision): AuctionState {
  return { ...state, ...decision.next };
}

describe('a first bid', () => {
  it('rejects a bid below the starting price, naming the minimum', () => {
    // Act
    const result = decideBid(auction(), { memberId: 'a', amount: 99 }, at(60));

    // Assess
    expect(result).toMatchObject({ accepted: false, refusal: { code: 'BID_TOO_LOW', minimumAmount: 100 } });
  });

  it('leads at its amount and holds its maximum', () => {
    // Act
    const decision = accepted(decideBid(auction(), { memberId: 'a', amount: 120, maxAmount: 500 }, at(60)));

    // Assess
    expect(decision.outcome).toBe('LEADING');
    expect(decision.next).toMatchObject({ price: 120, leaderId: 'a', leaderMax: 500, leaderHold: 500, bids: 1, version: 1 });
    expect(decision.hold).toEqual({ memberId: 'a', points: 500 });
    expect(decision.release).toBeNull();
  });
});

describe('proxy bidding', () => {
  const led = after(auction(), accepted(decideBid(auction(), { memberId: 'a', amount: 100, maxAmount: 500 }, at(60))));

  it('rejects a challenger below price + increment with the minimum acceptable amount', () => {
    // Act
    const result = decideBid(led, { memberId: 'b', amount: 109 }, at(120));

    // Assess
    expect(result).toMatchObject({ accepted: false, refusal: { code: 'BID_TOO_LOW', minimumAmount: 110 } });
  });

  it("answers a challenger below the leader's maximum: price to their max + increment, leader kept, nothing held", () => {
    // Act
    const decision = accepted(decideBid(led, { memberId: 'b', amount: 200 }, at(120)));

    // Assess
    expect(decision.outcome).toBe('OUTBID');
    expect(decision.next).toMatchObject({ price: 210, leaderId: 'a', leaderMax: 500, leaderHold: 500 });
    expect(decision.hold).toBeNull();
    expect(decision.release).toBeNull();
    expect(decision.requireAvailable).toEqual({ memberId: 'b', points: 200 });
  });

  it('gives a tie to the earlier maximum, at that maximum', () => {
    // Act
    const decision = accepted(decideBid(led, { memberId: 'b', amount: 300, maxAmount: 500 }, at(120)));

    // Assess
    expect(decision.outcome).toBe('OUTBID');
    expect(decision.next).toMatchObject({ price: 500, leaderId: 'a' });
  });

  it("lets a higher maximum lead one increment above the old one and releases the old leader's whole hold", () => {
    // Act
    const decision = accepted(decideBid(led, { memberId: 'b', amount: 150, maxAmount: 800 }, at(120)));

    // Assess
    expect(decision.outcome).toBe('LEADING');
    expect(decision.next).toMatchObject({ price: 510, leaderId: 'b', leaderMax: 800, leaderHold: 800 });
    expect(decision.hold).toEqual({ memberId: 'b', points: 800 });
    expect(decision.release).toEqual({ memberId: 'a', points: 500 });
  });

  it('leads at the challenger\'s own amount when it is above the old maximum + increment', () => {
    // Act
    const decision = accepted(decideBid(led, { memberId: 'b', amount: 700 }, at(120)));

    // Assess
    expect(decision.next).toMatchObject({ price: 700, leaderId: 'b', leaderMax: 700 });
  });

  it('caps the new price at the challenger\'s maximum when it is less than one increment above', () => {
    // Act
    const decision = accepted(decideBid(led, { memberId: 'b', amount: 150, maxAmount: 505 }, at(120)));

    // Assess
    expect(decision.next).toMatchObject({ price: 505, leaderId: 'b', leaderMax: 505 });
  });
});

describe('the leader bidding again', () => {
  const led = after(auction(), accepted(decideBid(auction(), { memberId: 'a', amount: 100, maxAmount: 300 }, at(60))));

  it('holds only the difference when raising the maximum, and leaves the price', () => {
    // Act
    const decision = accepted(decideBid(led, { memberId: 'a', amount: 100, maxAmount: 450 }, at(120)));

    // Assess
    expect(decision.outcome).toBe('RAISED');
    expect(decision.hold).toEqual({ memberId: 'a', points: 150 });
    expect(decision.next).toMatchObject({ price: 100, leaderMax: 450, leaderHold: 450 });
  });

  it('raises the price to an explicit amount of at least price + increment, holding nothing more within the maximum', () => {
    // Act
    const decision = accepted(decideBid(led, { memberId: 'a', amount: 250 }, at(120)));

    // Assess
    expect(decision.hold).toBeNull();
    expect(decision.next).toMatchObject({ price: 250, leaderMax: 300, leaderHold: 300 });
  });

  it('refuses a bid that raises neither the maximum nor the price', () => {
    // Act
    const result = decideBid(led, { memberId: 'a', amount: 105, maxAmount: 300 }, at(120));

    // Assess
    expect(result).toMatchObject({ accepted: false, refusal: { code: 'BID_TOO_LOW', minimumAmount: 110 } });
  });
});

describe('when bids are taken', () => {
  it('refuses bids before the start, after the end and once settled', () => {
    // Act
    const early = decideBid(auction({ startsAt: iso(100) }), { memberId: 'a', amount: 100 }, at(99));
    const atEnd = decideBid(auction(), { memberId: 'a', amount: 100 }, at(3600));
    const settled = decideBid(auction({ status: 'UNSOLD' }), { memberId: 'a', amount: 100 }, at(60));

    // Assess
    expect(early).toMatchObject({ accepted: false, refusal: { code: 'AUCTION_CLOSED', reason: 'NOT_STARTED' } });
    expect(atEnd).toMatchObject({ accepted: false, refusal: { code: 'AUCTION_CLOSED', reason: 'ENDED' } });
    expect(settled).toMatchObject({ accepted: false, refusal: { code: 'AUCTION_CLOSED', reason: 'SETTLED' } });
  });

  it('refuses bids on a cancelled auction, naming the cancellation, even inside its bidding window', () => {
    // Act
    const result = decideBid(auction({ status: 'CANCELLED', leaderId: 'b', price: 200 }), { memberId: 'a', amount: 1_000 }, at(60));

    // Assess
    expect(result).toMatchObject({ accepted: false, refusal: { code: 'AUCTION_CLOSED', reason: 'CANCELLED' } });
  });

  it('names the phase from the clock', () => {
    // Assess
    expect(phaseOf(auction({ startsAt: iso(10) }), at(0))).toBe('UPCOMING');
    expect(phaseOf(auction(), at(0))).toBe('OPEN');
    expect(phaseOf(auction(), at(3600))).toBe('ENDED');
    expect(phaseOf(auction({ status: 'SETTLED' }), at(0))).toBe('SETTLED');
    expect(phaseOf(auction({ status: 'CANCELLED', startsAt: iso(10) }), at(0))).toBe('CANCELLED');
  });
});

describe('anti-sniping', () => {
  const sniping = auction({ antiSniping: { windowSeconds: 120, extendSeconds: 300 } });

  it('moves the end to extendSeconds after a bid inside the window', () => {
    // Act
    const decision = accepted(decideBid(sniping, { memberId: 'a', amount: 100 }, at(3550)));

    // Assess
    expect(decision.extended).toBe(true);
    expect(decision.next.endsAt).toBe(iso(3850));
  });

  it('leaves the end alone for a bid before the window', () => {
    // Act
    const decision = accepted(decideBid(sniping, { memberId: 'a', amount: 100 }, at(3479)));

    // Assess
    expect(decision.extended).toBe(false);
    expect(decision.next.endsAt).toBe(iso(3600));
  });

  it('never extends past the hard end', () => {
    // Act
    const end = extendedEnd({ ...sniping, latestEndsAt: iso(3700) }, at(3590));

    // Assess
    expect(end).toBe(iso(3700));
  });

  it('never moves the end earlier (extendSeconds shorter than what is left)', () => {
    // Act
    const end = extendedEnd({ antiSniping: { windowSeconds: 120, extendSeconds: 30 }, latestEndsAt: null, endsAt: iso(3600) }, at(3500));

    // Assess
    expect(end).toBe(iso(3600));
  });

  it('does not extend for a leader who only raises their hidden maximum', () => {
    // Prepare
    const led = after(sniping, accepted(decideBid(sniping, { memberId: 'a', amount: 100 }, at(60))));

    // Act
    const decision = accepted(decideBid(led, { memberId: 'a', amount: 100, maxAmount: 900 }, at(3590)));

    // Assess
    expect(decision.extended).toBe(false);
  });
});

describe('reserve price', () => {
  it('lifts the price to the reserve once a maximum reaches it', () => {
    // Act
    const decision = accepted(decideBid(auction({ reservePrice: 800 }), { memberId: 'a', amount: 100, maxAmount: 1000 }, at(60)));

    // Assess
    expect(decision.next.price).toBe(800);
  });

  it('leaves the price below a reserve no maximum reaches', () => {
    // Act
    const decision = accepted(decideBid(auction({ reservePrice: 800 }), { memberId: 'a', amount: 100, maxAmount: 700 }, at(60)));

    // Assess
    expect(decision.next.price).toBe(100);
  });
});

describe('settlement', () => {
  it('sells to the leader at the price, releasing the rest of the maximum', () => {
    // Assess
    expect(settlementOf({ leaderId: 'a', price: 420, leaderHold: 600, reservePrice: 400 })).toEqual({ kind: 'WON', winnerId: 'a', capture: 420, release: 180 });
  });

  it('does not sell below the reserve and releases the leader\'s hold', () => {
    // Assess
    expect(settlementOf({ leaderId: 'a', price: 300, leaderHold: 350, reservePrice: 400 })).toEqual({
      kind: 'UNSOLD',
      reason: 'RESERVE_NOT_MET',
      release: { memberId: 'a', points: 350 },
    });
  });

  it('is unsold without bids, with nothing to release', () => {
    // Assess
    expect(settlementOf({ leaderId: null, price: 0, leaderHold: 0, reservePrice: null })).toEqual({ kind: 'UNSOLD', reason: 'NO_BIDS', release: null });
  });
});

describe('cancellation', () => {
  it("releases the leader's whole hold, whatever the phase before settlement", () => {
    // Prepare
    const led = auction({ leaderId: 'a', price: 150, leaderMax: 400, leaderHold: 400, bids: 3 });

    // Act + Assess
    expect(cancellationOf(led, at(60))).toEqual({ kind: 'CANCEL', phase: 'OPEN', release: { memberId: 'a', points: 400 } });
    expect(cancellationOf(led, at(7200))).toEqual({ kind: 'CANCEL', phase: 'ENDED', release: { memberId: 'a', points: 400 } });
    expect(cancellationOf(auction({ startsAt: iso(600) }), at(0))).toEqual({ kind: 'CANCEL', phase: 'UPCOMING', release: null });
  });

  it('finds a cancelled auction already cancelled, and a settled or unsold one final', () => {
    // Assess
    expect(cancellationOf(auction({ status: 'CANCELLED' }), at(60))).toEqual({ kind: 'ALREADY_CANCELLED' });
    expect(cancellationOf(auction({ status: 'SETTLED', leaderId: 'a' }), at(7200))).toEqual({ kind: 'FINAL', status: 'SETTLED' });
    expect(cancellationOf(auction({ status: 'UNSOLD' }), at(7200))).toEqual({ kind: 'FINAL', status: 'UNSOLD' });
  });
});

describe('the terms an operator sets', () => {
  const terms = { startsAt: iso(0), endsAt: iso(3600), latestEndsAt: null, startingPrice: 100, reservePrice: null };

  it('accepts an auction that ends after it starts and in the future', () => {
    // Assess
    expect(termsProblem(terms, at(-60))).toBeUndefined();
    expect(termsProblem({ ...terms, latestEndsAt: iso(3600), reservePrice: 100 }, at(60))).toBeUndefined();
  });

  it('names what is wrong', () => {
    // Assess
    expect(termsProblem({ ...terms, endsAt: iso(0) }, at(-60))).toBe('endsAt must be after startsAt');
    expect(termsProblem(terms, at(3600))).toMatch(/has passed/);
    expect(termsProblem({ ...terms, latestEndsAt: iso(3599) }, at(-60))).toBe('latestEndsAt must not be before endsAt');
    expect(termsProblem({ ...terms, reservePrice: 99 }, at(-60))).toBe('reservePrice must not be below startingPrice');
  });
});

describe('small helpers', () => {
  it('asks the starting price first, then price + increment', () => {
    // Assess
    expect(minimumBid(auction())).toBe(100);
    expect(minimumBid(auction({ leaderId: 'a', price: 340 }))).toBe(350);
  });

  it('masks member ids', () => {
    // Assess
    expect(maskMemberId('m-gold')).toBe('m-***d');
    expect(maskMemberId('ab')).toBe('***');
  });
});
