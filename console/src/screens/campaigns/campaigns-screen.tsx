import { lazy } from 'react';
import { Route, Routes } from 'react-router';
import { CampaignsPage } from './campaigns-page';

// A campaign's page brings the charts (ECharts): loaded when one is opened, not with the list.
const CampaignPage = lazy(() => import('./campaign-page').then((m) => ({ default: m.CampaignPage })));

/** /console/campaigns (the list) and /console/campaigns/:campaignId (one campaign). */
export function CampaignsScreen() {
  return (
    <Routes>
      <Route index element={<CampaignsPage />} />
      <Route path=":campaignId" element={<CampaignPage />} />
    </Routes>
  );
}
