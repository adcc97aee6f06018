import { ComingSoon } from '../coming-soon';

export function PoolsPage() {
  return <ComingSoon title="menu.pools" />;
}
