import { Table, Typography } from 'antd';
import { useMemo } from 'react';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { useMessages } from '../../i18n/locale';
import { campaignColumns } from './campaign-columns';
import { campaignMessages } from './messages';

/** Campaigns, latest ending first, a page at a time (GET /v1/admin/campaigns). */
export function CampaignsPage() {
  const api = useApi();
  const i18n = useMessages(campaignMessages);
  const list = useCursorList(['campaigns'], (cursor) =>
    unwrap(api.GET('/v1/admin/campaigns', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  const columns = useMemo(() => campaignColumns(i18n), [i18n]);
  return (
    <>
      <Typography.Title level={3}>{i18n.t('campaigns.title')}</Typography.Title>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table
        rowKey="campaignId"
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: i18n.t('campaigns.empty') }}
      />
      <LoadMore
        count={list.items.length}
        hasNextPage={list.hasNextPage}
        isFetchingNextPage={list.isFetchingNextPage}
        fetchNextPage={list.fetchNextPage}
      />
    </>
  );
}
