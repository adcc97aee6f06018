import { httpHandler } from '../../shared/http/handler.js';
import { campaignStats, createCampaign, getCampaign, listCampaigns, updateCampaign } from '../../shared/earning/campaigns.js';
import { createPool, getPool, listPools } from '../../shared/earning/pools.js';
import { campaignOperations } from '../../shared/contracts/campaigns.js';
import { poolOperations } from '../../shared/contracts/pools.js';
import { earningAdminOperations } from '../../shared/contracts/earning-admin.js';
import { storeOperations } from '../../shared/contracts/stores.js';
import { previewEarning } from '../../shared/earning/pos.js';
import { decidePurchaseReview, listPurchaseReviews } from '../../shared/earning/reviews.js';
import { getEarningRules, listEarningRuleVersions, saveEarningRules } from '../../shared/earning/rules-store.js';
import { getMember } from '../../shared/members/service.js';
import { createStore, listStores, storeAdminView, updateStore } from '../../shared/stores/registry.js';

/**
 * The marketers' and operators' side of earning: campaigns, pools, the earning rules and their previews, the store
 * registry and the review of large POS purchases (the POS path itself is the `earning` function).
 */
export const handler = httpHandler('campaigns', { ...campaignOperations, ...poolOperations, ...earningAdminOperations, ...storeOperations }, {
  createCampaign: async ({ body, caller }) => createCampaign(body, caller?.subject ?? 'unknown'),
  listCampaigns: async ({ page, query }) => listCampaigns(page, { state: query.state }),
  getCampaign: async ({ params }) => getCampaign(params.campaignId),
  updateCampaign: async ({ params, body }) => {
    const { expectedVersion, ...changes } = body;
    return updateCampaign(params.campaignId, changes, expectedVersion);
  },
  campaignStats: async ({ params, query }) =>
    campaignStats(params.campaignId, query.granularity ? { granularity: query.granularity, from: query.from, to: query.to } : undefined),
  createPool: async ({ body, caller }) => createPool(body, caller?.subject ?? 'unknown'),
  listPools: async ({ page }) => listPools(page),
  getPool: async ({ params }) => getPool(params.poolId),

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
  listPurchaseReviews: async ({ page }) => listPurchaseReviews(page),
  approvePurchaseReview: async ({ params, body, caller }) =>
    decidePurchaseReview(params.purchaseId, 'APPROVED', { operator: caller?.subject ?? 'unknown', reason: body.reason }),
  rejectPurchaseReview: async ({ params, body, caller }) =>
    decidePurchaseReview(params.purchaseId, 'REJECTED', { operator: caller?.subject ?? 'unknown', reason: body.reason }),
});
