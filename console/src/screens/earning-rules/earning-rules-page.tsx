import { ComingSoon } from '../coming-soon';

export function EarningRulesPage() {
  return <ComingSoon title="menu.earningRules" />;
}
