import { httpHandler } from '../../shared/http/handler.js';
import { campaignStats, createCampaign, getCampaign, listCampaigns, updateCampaign } from '../../shared/earning/campaigns.js';

export const handler = httpHandler('campaigns', {
  createCampaign: async ({ body, caller }) => createCampaign(body, caller?.subject ?? 'unknown'),
  listCampaigns: async ({ query }) => listCampaigns({ limit: query.limit, cursor: query.cursor }),
  getCampaign: async ({ params }) => getCampaign(params.campaignId),
  updateCampaign: async ({ params, body }) => {
    const { expectedVersion, ...changes } = body;
    return updateCampaign(params.campaignId, changes, expectedVersion);
  },
  campaignStats: async ({ params }) => campaignStats(params.campaignId),
});
