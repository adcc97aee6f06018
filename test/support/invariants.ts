import { expect } from 'vitest';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';

/**
 * The ledger explains the wallet: entries sum to available, held and pending,
 * and nothing is negative.
 */
export async function expectLedgerExplainsWallet(memberId: string, currency = 'points') {
  const wallet = await getWallet(memberId, currency);
  const entries = await allLedgerEntries(memberId, currency);
  const available = entries.reduce((sum, e) => sum + e.points, 0);
  const held = entries.reduce((sum, e) => sum + e.heldDelta, 0);
  const pending = entries.reduce((sum, e) => sum + e.pendingDelta, 0);
  expect(wallet.available).toBeGreaterThanOrEqual(0);
  expect(wallet.held).toBeGreaterThanOrEqual(0);
  expect(wallet.pending).toBeGreaterThanOrEqual(0);
  expect(available).toBe(wallet.available);
  expect(held).toBe(wallet.held);
  expect(pending).toBe(wallet.pending);
  // FIFO consumption is exactly what is spent for good plus what is held.
  expect(wallet.debited).toBe(wallet.spent + wallet.held);
  return { wallet, entries };
}
