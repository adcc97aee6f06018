import { lazy } from 'react';
import { Route, Routes } from 'react-router';
import { DrawsPage } from './draws-page';

// A draw's page brings the chart (ECharts): loaded when one is opened, not with the list.
const DrawPage = lazy(() => import('./draw-page').then((m) => ({ default: m.DrawPage })));

/** /console/draws (the list) and /console/draws/:drawId (one draw). */
export function DrawsScreen() {
  return (
    <Routes>
      <Route index element={<DrawsPage />} />
      <Route path=":drawId" element={<DrawPage />} />
    </Routes>
  );
}
