import { lazy } from 'react';
import { Route, Routes } from 'react-router';
import { OrdersPage } from './orders-page';

// An order's page (timeline, dialogs) loads when one is opened, not with the list.
const OrderPage = lazy(() => import('./order-page').then((m) => ({ default: m.OrderPage })));

/** /console/orders (the list) and /console/orders/:orderId (one order). */
export function OrdersScreen() {
  return (
    <Routes>
      <Route index element={<OrdersPage />} />
      <Route path=":orderId" element={<OrderPage />} />
    </Routes>
  );
}
