import { Route, Routes } from 'react-router';
import { MemberPage } from './member-page';
import { MemberSearch } from './member-search';

/** The Members screen: the search at /console/members, one member's page at /console/members/:memberId. */
export function MembersPage() {
  return (
    <Routes>
      <Route index element={<MemberSearch />} />
      <Route path=":memberId" element={<MemberPage />} />
      <Route path="*" element={<MemberSearch />} />
    </Routes>
  );
}
