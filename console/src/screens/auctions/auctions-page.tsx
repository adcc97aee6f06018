import { Button, Flex, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { formatProgrammeTime, PROGRAMME_TIME_ZONE } from '../../format';
import { useMessages, type ScreenI18n } from '../../i18n/locale';
import { canWrite } from '../../roles';
import { auctionMessages } from './messages';

export type AuctionI18n = ScreenI18n<keyof (typeof auctionMessages)['en']>;
export type AuctionAdmin = components['schemas']['AuctionAdmin'];
type Phase = AuctionAdmin['phase'];

// The dialog (form, date pickers) loads when first opened: an analyst's list never downloads it.
export const AuctionFormDialog = lazy(() => import('./auction-form').then((m) => ({ default: m.AuctionFormDialog })));

/** Whether the signed-in operator's roles may use the Auctions screen's write actions. */
export function useCanEditAuctions(): boolean {
  const session = useSession();
  return canWrite(session?.roles ?? [], 'auctions');
}

const phaseColours: Record<Phase, string> = { UPCOMING: 'blue', OPEN: 'green', ENDED: 'gold', SETTLED: 'purple', UNSOLD: 'default', CANCELLED: 'red' };

export function PhaseTag({ phase, i18n }: { readonly phase: Phase; readonly i18n: AuctionI18n }) {
  return (
    <Tag color={phaseColours[phase]} data-testid="auction-phase">
      {i18n.t(`auctions.phase.${phase}`)}
    </Tag>
  );
}

const withoutZone = (iso: string) => formatProgrammeTime(iso).replace(` (${PROGRAMME_TIME_ZONE})`, '');

function auctionColumns(i18n: AuctionI18n): TableColumnsType<AuctionAdmin> {
  const { t } = i18n;
  return [
    {
      key: 'title',
      title: t('auctions.title.column'),
      render: (_, a) => (
        <Link to={`/auctions/${encodeURIComponent(a.auctionId)}`} aria-label={t('auctions.open', { name: a.title })}>
          {a.title}
        </Link>
      ),
    },
    { key: 'phase', title: t('auctions.phase'), render: (_, a) => <PhaseTag phase={a.phase} i18n={i18n} /> },
    { key: 'lot', title: t('auctions.lot'), render: (_, a) => `${a.productName} (${a.productId})` },
    { key: 'price', title: t('auctions.price'), render: (_, a) => (a.bidCount > 0 ? i18n.points(a.price) : t('auctions.noBids')) },
    { key: 'bids', title: t('auctions.bids'), render: (_, a) => i18n.points(a.bidCount) },
    { key: 'leader', title: t('auctions.leader'), render: (_, a) => a.leaderId ?? '—' },
    { key: 'window', title: t('auctions.window', { zone: PROGRAMME_TIME_ZONE }), render: (_, a) => `${withoutZone(a.startsAt)} – ${withoutZone(a.endsAt)}` },
  ];
}

/** Every auction, newest first, a page at a time (GET /v1/admin/auctions); "New auction" for the roles that may write. */
export function AuctionsPage() {
  const api = useApi();
  const i18n = useMessages(auctionMessages);
  const { t } = i18n;
  const writer = useCanEditAuctions();
  const [dialog, setDialog] = useState<{ open: boolean; opened: boolean }>({ open: false, opened: false });
  const list = useCursorList(['auctions'], (cursor) =>
    unwrap(api.GET('/v1/admin/auctions', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  const columns = useMemo(() => auctionColumns(i18n), [i18n]);
  return (
    <>
      <Flex justify="space-between" align="center" wrap gap="middle" style={{ marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('auctions.title')}
        </Typography.Title>
        {writer ? (
          <Button type="primary" onClick={() => setDialog({ open: true, opened: true })}>
            {t('auctions.new')}
          </Button>
        ) : null}
      </Flex>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table
        rowKey="auctionId"
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('auctions.empty') }}
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {writer && dialog.opened ? (
        <Suspense>
          <AuctionFormDialog open={dialog.open} onClose={() => setDialog((d) => ({ ...d, open: false }))} />
        </Suspense>
      ) : null}
    </>
  );
}
