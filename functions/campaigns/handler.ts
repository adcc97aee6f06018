import { httpHandler } from '../../shared/http/handler.js';
import { campaignStats, createCampaign, getCampaign, listCampaigns, updateCampaign } from '../../shared/earning/campaigns.js';
import { createPool, getPool, listPools } from '../../shared/earning/pools.js';
import { campaignOperations } from '../../shared/contracts/campaigns.js';
import { poolOperations } from '../../shared/contracts/pools.js';

export const handler = httpHandler('campaigns', { ...campaignOperations, ...poolOperations }, {
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
});
