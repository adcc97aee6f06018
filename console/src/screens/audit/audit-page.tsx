import { ComingSoon } from '../coming-soon';

export function AuditPage() {
  return <ComingSoon title="menu.audit" />;
}
