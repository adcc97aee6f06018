import { ComingSoon } from '../coming-soon';

export function DashboardPage() {
  return <ComingSoon title="menu.dashboard" />;
}
