import { ComingSoon } from '../coming-soon';

export function ReportsPage() {
  return <ComingSoon title="menu.reports" />;
}
