import { committedAnswer, httpHandler } from '../../shared/http/handler.js';
import { DomainError } from '../../shared/errors.js';
import { routeKey } from '../../lib/routes.js';
import { previewEarning, recordPurchase, recordTopUp, redeemAtCheckout, refundPurchase } from '../../shared/earning/pos.js';
import { voidPurchase } from '../../shared/earning/voids.js';
import { decidePurchaseReview, listPurchaseReviews } from '../../shared/earning/reviews.js';
import { getEarningRules, listEarningRuleVersions, saveEarningRules } from '../../shared/earning/rules-store.js';
import { getMember } from '../../shared/members/service.js';
import { requireOwnStore, storeOfPosCaller } from '../../shared/stores/pos-store.js';
import { createStore, listStores, storeAdminView, updateStore } from '../../shared/stores/registry.js';
import { earningOperations } from '../../shared/contracts/earning.js';
import { storeOperations } from '../../shared/contracts/stores.js';

export const handler = httpHandler('earning', { ...earningOperations, ...storeOperations }, {
  getEarningRules: async () => getEarningRules({ fresh: true }),
  listEarningRuleVersions: async ({ page }) => listEarningRuleVersions(page),
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
    const result = await previewEarning({ member, at: new Date(at), lines: body.lines, draftRules: body.draftRules, draftCampaign: body.draftCampaign });
    const { draft } = result;
    return {
      points: result.points,
      breakdown: [...result.breakdown],
      rulesVersion: result.rulesVersion,
      at,
      ...(draft
        ? {
            current: { points: result.points, breakdown: [...result.breakdown] },
            draft: {
              points: draft.points,
              breakdown: [...draft.breakdown],
              differencePoints: draft.points - result.points,
              ...(draft.draftCampaignApplies === undefined ? {} : { draftCampaignApplies: draft.draftCampaignApplies }),
            },
          }
        : {}),
    };
  },

  createStore: async ({ body, caller }) => {
    const { store, created } = await createStore(body, caller?.subject ?? 'unknown');
    return { status: created ? 201 : 200, body: store };
  },
  listStores: async ({ page }) => listStores(page),
  getStore: async ({ params }) => storeAdminView(params.storeId),
  updateStore: async ({ params, body, caller }) => updateStore(params.storeId, body, caller?.subject ?? 'unknown'),

  // Every POS call acts for the store its token's app client is bound to (shared/stores/pos-store.ts).
  recordPurchase: async ({ body, caller }) => {
    requireOwnStore(await storeOfPosCaller(caller), body.storeId, `record purchase ${body.purchaseId}`);
    return committedAnswer(await recordPurchase(body));
  },
  refundPurchase: async ({ params, body, caller }) => committedAnswer(await refundPurchase(params.purchaseId, body, await storeOfPosCaller(caller))),
  voidPurchase: async ({ params, body, caller, idempotency, route, event, requestId }) => {
    if (!idempotency) throw new DomainError('IDEMPOTENCY_KEY_REQUIRED', 'a void takes back points: send an Idempotency-Key header');
    const storeId = await storeOfPosCaller(caller);
    const actor = { storeId, clientId: caller?.clientId ?? 'unknown', route: routeKey(route), path: event.rawPath, requestId };
    return committedAnswer(await voidPurchase(params.purchaseId, body, actor, idempotency));
  },
  recordTopUp: async ({ body, caller }) => committedAnswer(await recordTopUp({ ...body, storeId: await storeOfPosCaller(caller) })),
  redeemAtCheckout: async ({ body, caller }) => committedAnswer(await redeemAtCheckout({ ...body, storeId: await storeOfPosCaller(caller) })),
  listPurchaseReviews: async ({ page }) => listPurchaseReviews(page),
  approvePurchaseReview: async ({ params, body, caller }) =>
    decidePurchaseReview(params.purchaseId, 'APPROVED', { operator: caller?.subject ?? 'unknown', reason: body.reason }),
  rejectPurchaseReview: async ({ params, body, caller }) =>
    decidePurchaseReview(params.purchaseId, 'REJECTED', { operator: caller?.subject ?? 'unknown', reason: body.reason }),
});
