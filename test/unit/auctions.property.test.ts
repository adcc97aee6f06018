import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideBid, minimumBid, settlementOf, type AuctionState, type BidDecision } from '../../shared/domain/auctions.js';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const members = ['a', 'b', 'c', 'd'] as const;

const termsArb = fc.record({
  startingPrice: fc.integer({ min: 1, max: 200 }),
  minIncrement: fc.integer({ min: 1, max: 50 }),
  reserve: fc.option(fc.integer({ min: 0, max: 800 }), { nil: null }),
  antiSniping: fc.option(fc.record({ windowSeconds: fc.integer({ min: 1, max: 600 }), extendSeconds: fc.integer({ min: 1, max: 600 }) }), { nil: null }),
  hardEnd: fc.option(fc.integer({ min: 0, max: 1800 }), { nil: null }),
});

/** A bid relative to what the auction asks at that moment, so some are too low and most are not. */
const bidArb = fc.record({
  member: fc.constantFrom(...members),
  overMinimum: fc.integer({ min: -20, max: 120 }),
  extraMax: fc.option(fc.integer({ min: 0, max: 400 }), { nil: undefined }),
  afterSeconds: fc.integer({ min: 0, max: 400 }),
});

type Terms = typeof termsArb extends fc.Arbitrary<infer T> ? T : never;
type BidSpec = typeof bidArb extends fc.Arbitrary<infer T> ? T : never;

function newAuction(terms: Terms): AuctionState {
  const endsAt = T0 + 3600_000;
  return {
    status: 'OPEN',
    startsAt: new Date(T0).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    startingPrice: terms.startingPrice,
    minIncrement: terms.minIncrement,
    reservePrice: terms.reserve === null ? null : terms.startingPrice + terms.reserve,
    antiSniping: terms.antiSniping,
    latestEndsAt: terms.hardEnd === null ? null : new Date(endsAt + terms.hardEnd * 1000).toISOString(),
    price: 0,
    leaderId: null,
    leaderMax: 0,
    leaderHold: 0,
    bids: 0,
    version: 0,
  };
}

interface Run {
  readonly states: AuctionState[];
  readonly decisions: { decision: BidDecision; memberId: string; amount: number; now: number; before: AuctionState }[];
  /** Net points held per member: holds minus releases over every accepted bid. */
  readonly held: Map<string, number>;
  readonly refusals: { before: AuctionState; memberId: string; code: string; minimumAmount?: number; now: number }[];
}

/** Applies the bids in order (times counted from the start, a few landing after the end). */
function run(terms: Terms, bids: readonly BidSpec[]): Run {
  let state = newAuction(terms);
  let now = T0 + 3_000_000;
  const out: Run = { states: [state], decisions: [], held: new Map(), refusals: [] };
  for (const bid of bids) {
    now += bid.afterSeconds * 100;
    const amount = Math.max(1, minimumBid(state) + bid.overMinimum);
    const maxAmount = bid.extraMax === undefined ? undefined : amount + bid.extraMax;
    const result = decideBid(state, { memberId: bid.member, amount, maxAmount }, new Date(now));
    if (!result.accepted) {
      out.refusals.push({
        before: state,
        memberId: bid.member,
        code: result.refusal.code,
        now,
        ...(result.refusal.code === 'BID_TOO_LOW' ? { minimumAmount: result.refusal.minimumAmount } : {}),
      });
      continue;
    }
    const { decision } = result;
    if (decision.hold) out.held.set(decision.hold.memberId, (out.held.get(decision.hold.memberId) ?? 0) + decision.hold.points);
    if (decision.release) out.held.set(decision.release.memberId, (out.held.get(decision.release.memberId) ?? 0) - decision.release.points);
    out.decisions.push({ decision, memberId: bid.member, amount, now, before: state });
    state = { ...state, ...decision.next };
    out.states.push(state);
  }
  return out;
}

const scenario = fc.tuple(termsArb, fc.array(bidArb, { minLength: 1, maxLength: 40 }));
const RUNS = { numRuns: 1_500 };

describe('auction rules under any sequence of bids', () => {
  it('holds exactly the leader\'s maximum from the leader and nothing from anyone else', () => {
    fc.assert(
      fc.property(scenario, ([terms, bids]) => {
        const { states, held } = run(terms, bids);
        const last = states[states.length - 1] as AuctionState;
        for (const member of members) {
          expect(held.get(member) ?? 0).toBe(member === last.leaderId ? last.leaderHold : 0);
        }
        for (const s of states) {
          expect(s.leaderHold).toBe(s.leaderMax);
          if (s.leaderId !== null) expect(s.price).toBeLessThanOrEqual(s.leaderMax);
        }
      }),
      RUNS,
    );
  });

  it('only raises the price, never below the starting price, and counts every accepted bid once', () => {
    fc.assert(
      fc.property(scenario, ([terms, bids]) => {
        const { states } = run(terms, bids);
        states.forEach((s, i) => {
          expect(s.bids).toBe(i);
          expect(s.version).toBe(i);
          if (i > 0) {
            expect(s.price).toBeGreaterThanOrEqual((states[i - 1] as AuctionState).price);
            expect(s.price).toBeGreaterThanOrEqual(s.startingPrice);
          }
        });
      }),
      RUNS,
    );
  });

  it('gives the lead to the highest maximum, ties to the earliest', () => {
    fc.assert(
      fc.property(scenario, ([terms, bids]) => {
        const { decisions, states } = run(terms, bids);
        if (decisions.length === 0) return;
        const last = states[states.length - 1] as AuctionState;
        const top = Math.max(...decisions.map((d) => d.decision.bidderMax));
        const first = decisions.find((d) => d.decision.bidderMax === top);
        expect(last.leaderMax).toBe(top);
        expect(last.leaderId).toBe(first?.memberId);
      }),
      RUNS,
    );
  });

  it('charges a new leader at most one increment above the maximum they beat, unless their own amount (or the reserve) says more', () => {
    fc.assert(
      fc.property(scenario, ([terms, bids]) => {
        for (const { decision, before, amount } of run(terms, bids).decisions) {
          if (decision.outcome !== 'LEADING' || before.leaderId === null) continue;
          const reserveFloor = before.reservePrice !== null && decision.bidderMax >= before.reservePrice ? before.reservePrice : 0;
          expect(decision.next.price).toBeLessThanOrEqual(Math.max(amount, before.leaderMax + before.minIncrement, reserveFloor));
          expect(decision.next.price).toBeGreaterThan(before.leaderMax);
        }
      }),
      RUNS,
    );
  });

  it('accepts the minimum a BID_TOO_LOW named, from a member who does not lead', () => {
    fc.assert(
      fc.property(scenario, ([terms, bids]) => {
        for (const refusal of run(terms, bids).refusals) {
          if (refusal.code !== 'BID_TOO_LOW' || refusal.before.leaderId === refusal.memberId) continue;
          const retry = decideBid(refusal.before, { memberId: refusal.memberId, amount: refusal.minimumAmount as number }, new Date(refusal.now));
          expect(retry.accepted).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('only ever moves the end later, by a bid inside the window, and never past the hard end', () => {
    fc.assert(
      fc.property(scenario, ([terms, bids]) => {
        for (const { decision, before, now } of run(terms, bids).decisions) {
          const end = Date.parse(decision.next.endsAt);
          const was = Date.parse(before.endsAt);
          expect(end).toBeGreaterThanOrEqual(was);
          if (decision.extended) {
            expect(before.antiSniping).not.toBeNull();
            expect(was - now).toBeLessThanOrEqual((before.antiSniping?.windowSeconds ?? 0) * 1000);
            expect(end).toBeLessThanOrEqual(now + (before.antiSniping?.extendSeconds ?? 0) * 1000);
            if (before.latestEndsAt !== null) expect(end).toBeLessThanOrEqual(Date.parse(before.latestEndsAt));
          }
        }
      }),
      RUNS,
    );
  });

  it('settles for exactly what the leader holds: captured plus released', () => {
    fc.assert(
      fc.property(scenario, ([terms, bids]) => {
        const { states } = run(terms, bids);
        const last = states[states.length - 1] as AuctionState;
        const settlement = settlementOf(last);
        if (settlement.kind === 'WON') {
          expect(settlement.capture + settlement.release).toBe(last.leaderHold);
          expect(settlement.release).toBeGreaterThanOrEqual(0);
          if (last.reservePrice !== null) expect(settlement.capture).toBeGreaterThanOrEqual(last.reservePrice);
        } else {
          expect(settlement.release?.points ?? 0).toBe(last.leaderHold);
          // A reserve is missed only when no maximum reached it (the price is lifted to the reserve otherwise).
          if (settlement.reason === 'RESERVE_NOT_MET') expect(last.leaderMax).toBeLessThan(last.reservePrice as number);
        }
      }),
      RUNS,
    );
  });
});
