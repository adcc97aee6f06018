import { committedAnswer, httpHandler } from '../../shared/http/handler.js';
import { previewEarning, recordPurchase, recordTopUp, redeemAtCheckout, refundPurchase } from '../../shared/earning/pos.js';
import { decidePurchaseReview, listPurchaseReviews } from '../../shared/earning/reviews.js';
import { getEarningRules, saveEarningRules } from '../../shared/earning/rules-store.js';
import { getMember } from '../../shared/members/service.js';

export const handler = httpHandler('earning', {
  getEarningRules: async () => getEarningRules({ fresh: true }),
  putEarningRules: async ({ body, caller }) => {
    const { expectedVersion, ...rules } = body;
    return saveEarningRules(rules, expectedVersion, caller?.subject ?? 'unknown');
  },
  previewEarning: async ({ body }) => {
    // Without a member: a new member of the tier, with no tags and no spend.
    const member = body.memberId
      ? await getMember(body.memberId)
      : { tier: body.tier, tags: [], registeredAt: new Date().toISOString(), growthCounters: { monthlySpendCents: {} } };
    const at = body.at ?? new Date().toISOString();
    const result = await previewEarning({ member, at: new Date(at), lines: body.lines });
    return { points: result.points, breakdown: [...result.breakdown], rulesVersion: result.rulesVersion, at };
  },
  recordPurchase: async ({ body }) => committedAnswer(await recordPurchase(body)),
  refundPurchase: async ({ params, body }) => committedAnswer(await refundPurchase(params.purchaseId, body)),
  recordTopUp: async ({ body }) => committedAnswer(await recordTopUp(body)),
  redeemAtCheckout: async ({ body }) => committedAnswer(await redeemAtCheckout(body)),
  listPurchaseReviews: async ({ query }) => listPurchaseReviews(query),
  approvePurchaseReview: async ({ params, body, caller }) =>
    decidePurchaseReview(params.purchaseId, 'APPROVED', { operator: caller?.subject ?? 'unknown', reason: body.reason }),
  rejectPurchaseReview: async ({ params, body, caller }) =>
    decidePurchaseReview(params.purchaseId, 'REJECTED', { operator: caller?.subject ?? 'unknown', reason: body.reason }),
});
