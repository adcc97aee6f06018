import { ComingSoon } from '../coming-soon';

export function ApprovalsPage() {
  return <ComingSoon title="menu.approvals" />;
}
