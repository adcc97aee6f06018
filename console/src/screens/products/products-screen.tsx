import { lazy } from 'react';
import { Route, Routes } from 'react-router';
import { ProductsPage } from './products-page';

// A product's page (stock dialogs, the sale monitor's chart) loads when one is opened, not with the list.
const ProductPage = lazy(() => import('./product-page').then((m) => ({ default: m.ProductPage })));

/** /console/products (the list) and /console/products/:productId (one product, its stock and sale monitor). */
export function ProductsScreen() {
  return (
    <Routes>
      <Route index element={<ProductsPage />} />
      <Route path=":productId" element={<ProductPage />} />
    </Routes>
  );
}
