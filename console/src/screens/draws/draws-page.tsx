import { Button, Flex, Segmented, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { formatProgrammeTime, PROGRAMME_TIME_ZONE } from '../../format';
import { useMessages, type ScreenI18n } from '../../i18n/locale';
import { canWrite } from '../../roles';
import { DRAW_STATUSES, type DrawStatus, type DrawSummary } from './draw-values';
import { drawMessages } from './messages';

export type DrawI18n = ScreenI18n<keyof (typeof drawMessages)['en']>;
type StatusFilter = DrawStatus | 'all';

// The dialog (form, date pickers) loads when first opened: an analyst's list never downloads it.
export const DrawFormDialog = lazy(() => import('./draw-form').then((m) => ({ default: m.DrawFormDialog })));

/** Whether the signed-in operator's roles may use the Lucky draws screen's write actions. */
export function useCanEditDraws(): boolean {
  const session = useSession();
  return canWrite(session?.roles ?? [], 'draws');
}

const statusColours: Record<DrawStatus, string> = { OPEN: 'green', UPCOMING: 'blue', PAUSED: 'orange', ENDED: 'default' };

export function DrawStatusTag({ status, i18n }: { readonly status: DrawStatus; readonly i18n: DrawI18n }) {
  return (
    <Tag color={statusColours[status]} data-testid="draw-status">
      {i18n.t(`draws.status.${status}`)}
    </Tag>
  );
}

function drawColumns(i18n: DrawI18n): TableColumnsType<DrawSummary> {
  const { t } = i18n;
  return [
    {
      key: 'name',
      title: t('draws.name'),
      render: (_, d) => (
        <Link to={`/draws/${encodeURIComponent(d.drawId)}`} aria-label={t('draws.open', { name: d.name })}>
          {d.name}
        </Link>
      ),
    },
    { key: 'status', title: t('draws.status'), render: (_, d) => <DrawStatusTag status={d.status} i18n={i18n} /> },
    {
      key: 'window',
      title: t('draws.window', { zone: PROGRAMME_TIME_ZONE }),
      render: (_, d) => `${formatProgrammeTime(d.startsAt).replace(` (${PROGRAMME_TIME_ZONE})`, '')} – ${formatProgrammeTime(d.endsAt).replace(` (${PROGRAMME_TIME_ZONE})`, '')}`,
    },
    {
      key: 'spins',
      title: t('draws.spins'),
      render: (_, d) => t('draws.spinRule', { free: d.freeSpinsPerDay, cost: i18n.points(d.spinCostPoints), max: d.maxSpinsPerDay }),
    },
    { key: 'prizes', title: t('draws.prizes'), dataIndex: 'prizeCount' },
    { key: 'createdBy', title: t('draws.createdBy'), render: (_, d) => `${d.createdBy}, ${formatProgrammeTime(d.createdAt)}` },
  ];
}

/** Lucky draws, newest first, a page at a time (GET /v1/admin/draws), filterable by status; "New draw" for writers. */
export function DrawsPage() {
  const api = useApi();
  const i18n = useMessages(drawMessages);
  const { t } = i18n;
  const writer = useCanEditDraws();
  const [status, setStatus] = useState<StatusFilter>('all');
  const [dialog, setDialog] = useState<{ open: boolean; opened: boolean }>({ open: false, opened: false });
  const list = useCursorList(['draws', { status }], (cursor) =>
    unwrap(api.GET('/v1/admin/draws', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}), ...(status === 'all' ? {} : { status }) } } })),
  );
  // With a status filter a page may come back empty before the last one (the API filters after reading): follow on.
  const lastPageEmpty = list.data?.pages.at(-1)?.items.length === 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    if (lastPageEmpty && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [lastPageEmpty, hasNextPage, isFetchingNextPage, fetchNextPage]);
  const columns = useMemo(() => drawColumns(i18n), [i18n]);
  return (
    <>
      <Flex justify="space-between" align="center" wrap gap="middle" style={{ marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('draws.title')}
        </Typography.Title>
        {writer ? (
          <Button type="primary" onClick={() => setDialog({ open: true, opened: true })}>
            {t('draws.new')}
          </Button>
        ) : null}
      </Flex>
      <Segmented<StatusFilter>
        aria-label={t('draws.statusFilter')}
        style={{ marginBottom: 16 }}
        value={status}
        onChange={setStatus}
        options={(['all', ...DRAW_STATUSES] as const).map((value) => ({ value, label: t(`draws.status.${value}`) }))}
      />
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table
        rowKey="drawId"
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t(status === 'all' ? 'draws.empty' : 'draws.emptyStatus') }}
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {writer && dialog.opened ? (
        <Suspense>
          <DrawFormDialog open={dialog.open} onClose={() => setDialog((d) => ({ ...d, open: false }))} />
        </Suspense>
      ) : null}
    </>
  );
}
