import { expect } from 'vitest';
import { ledgerAudit } from './ledger-audit.js';

/**
 * The ledger explains the wallet: entries sum to available, held and pending,
 * nothing is negative, and debited = spent + held (test/support/ledger-audit.ts).
 */
export async function expectLedgerExplainsWallet(memberId: string, currency = 'points') {
  const { wallet, entries, problems } = await ledgerAudit(memberId, currency);
  expect(problems).toEqual([]);
  return { wallet, entries };
}
