import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMove, combineMoves, emptyWallet, ledgerEntryTypes, walletCounters, type WalletState } from '../../shared/domain/ledger-moves.js';

const movableTypes = ledgerEntryTypes.filter((t) => t !== 'EXPIRE' && t !== 'ADJUST');
const moveArb = fc.record({ type: fc.constantFrom(...movableTypes), points: fc.integer({ min: 1, max: 60 }) });
const walletArb = fc
  .record({
    available: fc.integer({ min: 0, max: 120 }),
    held: fc.integer({ min: 0, max: 60 }),
    pending: fc.integer({ min: 0, max: 60 }),
    spentOnly: fc.integer({ min: 0, max: 60 }),
  })
  .map(({ available, held, pending, spentOnly }): WalletState => ({
    ...emptyWallet(),
    available,
    held,
    pending,
    spent: spentOnly,
    debited: spentOnly + held,
  }));

describe('several moves on one wallet in one update (combineMoves)', () => {
  it('its condition holds exactly when every move, applied in order, would succeed, and it lands where they would', () => {
    fc.assert(
      fc.property(walletArb, fc.array(moveArb, { minLength: 1, maxLength: 4 }), (wallet, moves) => {
        // Sequential: each move applied to the result of the one before (null once one fails).
        let sequential: WalletState | null = wallet;
        for (const move of moves) sequential = sequential && applyMove(sequential, move.type, move.points, '2027-01');

        const { delta, need } = combineMoves(moves);
        const passes = walletCounters.every((c) => wallet[c] >= need[c]);
        expect(passes).toBe(sequential !== null);
        if (sequential) for (const c of walletCounters) expect(wallet[c] + delta[c]).toBe(sequential[c]);
      }),
      { numRuns: 2_000 },
    );
  });

  it('asks for the cost first: a spin that costs 10 and wins 50 needs 10 available', () => {
    const { delta, need } = combineMoves([
      { type: 'SPEND', points: 10 },
      { type: 'EARN', points: 50 },
    ]);
    expect(delta.available).toBe(40);
    expect(need.available).toBe(10);
  });
});
