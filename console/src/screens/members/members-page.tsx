import { ComingSoon } from '../coming-soon';

export function MembersPage() {
  return <ComingSoon title="menu.members" />;
}
