/**
 * Demo work waiting for an operator, so the console's Approvals screen and the
 * dashboard's counts show something at once: an adjustment above the approval
 * threshold requested by the demo support operator (another operator approves
 * or rejects it), and a POS purchase large enough to be held for review.
 * Safe on every start: both are keyed by fixed ids.
 */
import { fingerprintOf } from '../../shared/ledger/idempotency.js';
import { DomainError } from '../../shared/errors.js';
import { recordPurchase } from '../../shared/earning/pos.js';
import { requestAdjustment } from '../../shared/members/approvals.js';
import { localDate } from '../../shared/domain/programme.js';

export const DEMO_APPROVAL_KEY = 'seed-approval-m-gold-migration';
export const DEMO_REVIEW_PURCHASE_ID = 'p-seed-review-m-diamond';

export async function seedApprovals(now: Date): Promise<void> {
  const request = { points: 12_000_000, currency: 'points', reason: 'migration of a legacy balance from the old programme' };
  await requestAdjustment(
    'm-gold',
    { ...request, operator: 'op-support', role: 'support' },
    { scope: 'seed:adjustMemberPoints', key: DEMO_APPROVAL_KEY, fingerprint: fingerprintOf(request) },
    now,
  );
  // An hour ago, but on today's programme day: a seed just after midnight must not add a purchase to yesterday
  // (a what-if replay of the last days counts exactly the demo's past purchases).
  const anHourAgo = new Date(now.getTime() - 3_600_000);
  const paidAt = localDate(anHourAgo) === localDate(now) ? anHourAgo : now;
  try {
    await recordPurchase(
      {
        purchaseId: DEMO_REVIEW_PURCHASE_ID,
        // The top tier already: a purchase this large would otherwise lift a member's tier, and past purchases
        // re-recorded at that tier (the what-if browser test) would earn more than they did.
        memberId: 'm-diamond',
        storeId: 'store1',
        paidAt: paidAt.toISOString(),
        // Above the default review threshold (50,000 CNY): held until an operator decides.
        lines: [{ sku: 'sku-demo-watch', category: 'A', amountCents: 6_000_000, quantity: 1 }],
      },
      now,
    );
  } catch (error) {
    // Recorded by an earlier start.
    if (!(error instanceof DomainError && (error.code === 'CONFLICT' || error.code === 'IDEMPOTENCY_KEY_REUSED'))) throw error;
  }
}
