/**
 * The ledger explains the wallet, as a list of what does not hold (empty when
 * everything does). No vitest import: test/support/invariants.ts asserts it in
 * tests, and bin/bench-gamification.ts checks it after its load.
 */
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';

export async function ledgerAudit(memberId: string, currency = 'points') {
  const wallet = await getWallet(memberId, currency);
  const entries = await allLedgerEntries(memberId, currency);
  const sums = {
    available: entries.reduce((sum, e) => sum + e.points, 0),
    held: entries.reduce((sum, e) => sum + e.heldDelta, 0),
    pending: entries.reduce((sum, e) => sum + e.pendingDelta, 0),
  };
  const problems: string[] = [];
  for (const counter of ['available', 'held', 'pending'] as const) {
    if (wallet[counter] < 0) problems.push(`${memberId}: ${counter} is ${wallet[counter]}, below zero`);
    if (sums[counter] !== wallet[counter]) problems.push(`${memberId}: the ledger entries sum to ${sums[counter]} ${counter}, the wallet says ${wallet[counter]}`);
  }
  // FIFO consumption is exactly what is spent for good plus what is held.
  if (wallet.debited !== wallet.spent + wallet.held) problems.push(`${memberId}: debited ${wallet.debited} != spent ${wallet.spent} + held ${wallet.held}`);
  return { wallet, entries, problems };
}
