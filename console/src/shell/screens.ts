import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { MessageKey } from '../i18n/en';
import type { Screen } from '../roles';

export interface ScreenRoute {
  readonly screen: Screen;
  /** Under /console/; '' is the index (the dashboard). */
  readonly path: string;
  readonly label: MessageKey;
  /** Loaded when first opened: each screen is its own chunk. */
  readonly Page: LazyExoticComponent<ComponentType>;
}

/** Named exports to React.lazy's default. */
function screen<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K): LazyExoticComponent<ComponentType> {
  return lazy(() => load().then((module) => ({ default: module[name] })));
}

/** The screens in menu order. A new screen: its folder under screens/, a line here, its role entry in roles.ts. */
export const screenRoutes: readonly ScreenRoute[] = [
  { screen: 'dashboard', path: '', label: 'menu.dashboard', Page: screen(() => import('../screens/dashboard/dashboard-page'), 'DashboardPage') },
  { screen: 'members', path: 'members', label: 'menu.members', Page: screen(() => import('../screens/members/members-page'), 'MembersPage') },
  { screen: 'earningRules', path: 'rules', label: 'menu.earningRules', Page: screen(() => import('../screens/earning-rules/earning-rules-page'), 'EarningRulesPage') },
  { screen: 'campaigns', path: 'campaigns', label: 'menu.campaigns', Page: screen(() => import('../screens/campaigns/campaigns-screen'), 'CampaignsScreen') },
  { screen: 'pools', path: 'pools', label: 'menu.pools', Page: screen(() => import('../screens/pools/pools-page'), 'PoolsPage') },
  { screen: 'products', path: 'products', label: 'menu.products', Page: screen(() => import('../screens/products/products-screen'), 'ProductsScreen') },
  { screen: 'coupons', path: 'coupons', label: 'menu.coupons', Page: screen(() => import('../screens/coupons/coupons-page'), 'CouponsPage') },
  { screen: 'orders', path: 'orders', label: 'menu.orders', Page: screen(() => import('../screens/orders/orders-screen'), 'OrdersScreen') },
  { screen: 'fulfilment', path: 'fulfilment', label: 'menu.fulfilment', Page: screen(() => import('../screens/fulfilment/fulfilment-page'), 'FulfilmentPage') },
  { screen: 'auctions', path: 'auctions', label: 'menu.auctions', Page: screen(() => import('../screens/auctions/auctions-screen'), 'AuctionsScreen') },
  { screen: 'draws', path: 'draws', label: 'menu.draws', Page: screen(() => import('../screens/draws/draws-screen'), 'DrawsScreen') },
  { screen: 'reports', path: 'reports', label: 'menu.reports', Page: screen(() => import('../screens/reports/reports-page'), 'ReportsPage') },
  { screen: 'approvals', path: 'approvals', label: 'menu.approvals', Page: screen(() => import('../screens/approvals/approvals-page'), 'ApprovalsPage') },
  { screen: 'audit', path: 'audit', label: 'menu.audit', Page: screen(() => import('../screens/audit/audit-page'), 'AuditPage') },
];
