import { Button, Flex, Segmented, Table, Typography } from 'antd';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { useMessages } from '../../i18n/locale';
import { canWrite } from '../../roles';
import { campaignColumns } from './campaign-columns';
import { CAMPAIGN_STATES, type Campaign, type CampaignState } from './campaign-values';
import { campaignMessages } from './messages';

type StateFilter = CampaignState | 'all';

// The dialog (form, date pickers) loads when first opened: an analyst's list never downloads it.
export const CampaignFormDialog = lazy(() => import('./campaign-form').then((m) => ({ default: m.CampaignFormDialog })));

/** Whether the signed-in operator's roles may use the Campaigns screen's write actions. */
export function useCanEditCampaigns(): boolean {
  const session = useSession();
  return canWrite(session?.roles ?? [], 'campaigns');
}

/**
 * Campaigns, latest ending first, a page at a time (GET /v1/admin/campaigns), filterable by state, with their budget
 * used; "New campaign" and each row's "Edit" for the roles that may write.
 */
export function CampaignsPage() {
  const api = useApi();
  const i18n = useMessages(campaignMessages);
  const writer = useCanEditCampaigns();
  const [state, setState] = useState<StateFilter>('all');
  const [dialog, setDialog] = useState<{ open: boolean; opened?: boolean; campaign?: Campaign | undefined }>({ open: false });
  const list = useCursorList(['campaigns', { state }], (cursor) =>
    unwrap(
      api.GET('/v1/admin/campaigns', {
        params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}), ...(state === 'all' ? {} : { state }) } },
      }),
    ),
  );
  // With a state filter a page may come back empty before the last one (the API filters after reading): follow the
  // cursor on until something shows or the list ends, rather than showing "none" above a "Load more".
  const lastPageEmpty = list.data?.pages.at(-1)?.items.length === 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    if (lastPageEmpty && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [lastPageEmpty, hasNextPage, isFetchingNextPage, fetchNextPage]);
  const columns = useMemo(() => campaignColumns(i18n, writer ? (campaign) => setDialog({ open: true, opened: true, campaign }) : undefined), [i18n, writer]);
  return (
    <>
      <Flex justify="space-between" align="center" wrap gap="middle" style={{ marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {i18n.t('campaigns.title')}
        </Typography.Title>
        {writer ? (
          <Button type="primary" onClick={() => setDialog({ open: true, opened: true })}>
            {i18n.t('campaigns.new')}
          </Button>
        ) : null}
      </Flex>
      <Segmented<StateFilter>
        aria-label={i18n.t('campaigns.stateFilter')}
        style={{ marginBottom: 16 }}
        value={state}
        onChange={setState}
        options={(['all', ...CAMPAIGN_STATES] as const).map((value) => ({ value, label: i18n.t(`campaigns.state.${value}`) }))}
      />
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table
        rowKey="campaignId"
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: i18n.t(state === 'all' ? 'campaigns.empty' : 'campaigns.emptyState') }}
      />
      <LoadMore
        count={list.items.length}
        hasNextPage={list.hasNextPage}
        isFetchingNextPage={list.isFetchingNextPage}
        fetchNextPage={list.fetchNextPage}
      />
      {writer && dialog.opened ? (
        <Suspense>
          {/* One dialog per campaign (and one for "new"): a key made for one is never sent for another. */}
          <CampaignFormDialog key={dialog.campaign?.campaignId ?? 'new'} open={dialog.open} campaign={dialog.campaign} onClose={() => setDialog((d) => ({ ...d, open: false }))} />
        </Suspense>
      ) : null}
    </>
  );
}
