import { Select, Space, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useMemo, useState, type Key } from 'react';
import { Link } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { LoadMore, PAGE_SIZE, useCursorList, type CursorPage } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { formatProgrammeTime } from '../../format';
import { useMessages } from '../../i18n/locale';
import { enumKey, signedPoints, type MemberI18n } from './member-format';
import { memberMessages } from './messages';

type LedgerLine = components['schemas']['LedgerLine'];
type Order = components['schemas']['Order'];
type Coupon = components['schemas']['Coupon'];
type TaskCompletion = components['schemas']['TaskCompletionRecord'];
type Bid = components['schemas']['MyAuctionBid'];
type Spin = components['schemas']['Spin'];

/** One of the member's cursor lists: a table, its rows a page at a time, "Load more" under it. */
function CursorTable<T extends object>({
  queryKey,
  fetchPage,
  columns,
  rowKey,
  empty,
  testId,
}: {
  readonly queryKey: readonly unknown[];
  readonly fetchPage: (cursor: string | undefined) => Promise<CursorPage<T>>;
  readonly columns: TableColumnsType<T>;
  readonly rowKey: keyof T | ((row: T) => Key);
  readonly empty: string;
  readonly testId: string;
}) {
  const list = useCursorList(queryKey, fetchPage);
  return (
    <div data-testid={testId}>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table<T>
        rowKey={rowKey as string | ((row: T) => Key)}
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        size="small"
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: empty }}
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </div>
  );
}

const page = (cursor: string | undefined) => ({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });

function ledgerColumns(i18n: MemberI18n): TableColumnsType<LedgerLine> {
  const { t } = i18n;
  return [
    { key: 'at', title: t('ledger.at'), render: (_, e) => formatProgrammeTime(e.at, 'YYYY-MM-DD HH:mm:ss') },
    { key: 'type', title: t('ledger.type'), render: (_, e) => <Tag>{t(enumKey('ledger.type', e.type))}</Tag> },
    {
      key: 'points',
      title: t('ledger.points'),
      align: 'right',
      render: (_, e) => <Typography.Text type={e.points < 0 ? 'danger' : e.points > 0 ? 'success' : undefined}>{signedPoints(e.points, i18n)}</Typography.Text>,
    },
    {
      // Purchase points inside their return window are pending (PEND), not yet available: shown apart.
      key: 'pending',
      title: t('ledger.pending'),
      align: 'right',
      render: (_, e) => (e.pendingDelta ? <Typography.Text type="secondary">{signedPoints(e.pendingDelta, i18n)}</Typography.Text> : null),
    },
    { key: 'balanceAfter', title: t('ledger.balanceAfter'), align: 'right', render: (_, e) => i18n.points(e.balanceAfter) },
    { key: 'reason', title: t('ledger.reason'), dataIndex: 'reason' },
    { key: 'ref', title: t('ledger.ref'), render: (_, e) => (e.ref ? <Typography.Text code>{e.ref}</Typography.Text> : null) },
  ];
}

/** The member's ledger of one currency, newest first, with the balance after each entry. */
export function LedgerTab({ memberId, currencies }: { readonly memberId: string; readonly currencies: readonly string[] }) {
  const api = useApi();
  const i18n = useMessages(memberMessages);
  const [currency, setCurrency] = useState(currencies[0] ?? 'points');
  const columns = useMemo(() => ledgerColumns(i18n), [i18n]);
  return (
    <>
      {currencies.length > 1 ? (
        <Space style={{ marginBottom: 12 }}>
          <Typography.Text>{i18n.t('member.currency')}</Typography.Text>
          <Select aria-label={i18n.t('member.currency')} value={currency} onChange={setCurrency} style={{ width: 180 }} options={currencies.map((c) => ({ value: c, label: c }))} />
        </Space>
      ) : null}
      <CursorTable<LedgerLine>
        testId="member-ledger"
        queryKey={['member', memberId, 'ledger', currency]}
        fetchPage={(cursor) =>
          unwrap(api.GET('/v1/admin/members/{memberId}/ledger', { params: { path: { memberId }, query: { ...page(cursor), currency } } }))
        }
        columns={columns}
        rowKey="id"
        empty={i18n.t('ledger.empty')}
      />
    </>
  );
}

export function OrdersTab({ memberId }: { readonly memberId: string }) {
  const api = useApi();
  const i18n = useMessages(memberMessages);
  const { t } = i18n;
  const columns = useMemo<TableColumnsType<Order>>(
    () => [
      {
        key: 'orderId',
        title: t('orders.orderId'),
        // The order's page (Orders screen): its timeline, callbacks, cancel and refund.
        render: (_, o) => (
          <Link to={`/orders/${encodeURIComponent(o.orderId)}`}>
            <Typography.Text code>{o.orderId}</Typography.Text>
          </Link>
        ),
      },
      { key: 'product', title: t('orders.product'), dataIndex: 'productName' },
      { key: 'quantity', title: t('orders.quantity'), align: 'right', dataIndex: 'quantity' },
      {
        key: 'price',
        title: t('orders.price'),
        align: 'right',
        render: (_, o) => (o.cashCents > 0 ? `${i18n.points(o.points)} + ${i18n.money(o.cashCents)}` : i18n.points(o.points)),
      },
      { key: 'status', title: t('orders.status'), render: (_, o) => <Tag>{t(enumKey('order.status', o.status))}</Tag> },
      { key: 'createdAt', title: t('orders.createdAt'), render: (_, o) => formatProgrammeTime(o.createdAt) },
    ],
    [i18n, t],
  );
  return (
    <CursorTable<Order>
      testId="member-orders"
      queryKey={['member', memberId, 'orders']}
      fetchPage={(cursor) => unwrap(api.GET('/v1/admin/members/{memberId}/orders', { params: { path: { memberId }, query: page(cursor) } }))}
      columns={columns}
      rowKey="orderId"
      empty={t('orders.empty')}
    />
  );
}

type CouponStatus = Coupon['status'];
const COUPON_STATUSES: readonly CouponStatus[] = ['ACTIVE', 'USED', 'EXPIRED'];

export function CouponsTab({ memberId }: { readonly memberId: string }) {
  const api = useApi();
  const i18n = useMessages(memberMessages);
  const { t } = i18n;
  const [status, setStatus] = useState<CouponStatus | undefined>(undefined);
  const columns = useMemo<TableColumnsType<Coupon>>(
    () => [
      { key: 'couponId', title: t('coupons.couponId'), render: (_, c) => <Typography.Text code>{c.couponId}</Typography.Text> },
      { key: 'name', title: t('coupons.name'), dataIndex: 'name' },
      { key: 'status', title: t('coupons.status'), render: (_, c) => <Tag color={c.status === 'ACTIVE' ? 'green' : 'default'}>{t(enumKey('coupon.status', c.status))}</Tag> },
      { key: 'validTo', title: t('coupons.validTo'), render: (_, c) => formatProgrammeTime(c.validTo) },
      { key: 'issuedAt', title: t('coupons.issuedAt'), render: (_, c) => formatProgrammeTime(c.issuedAt) },
    ],
    [t],
  );
  return (
    <>
      <Select<CouponStatus>
        aria-label={t('coupons.status')}
        allowClear
        placeholder={t('coupons.allStatuses')}
        value={status}
        onChange={(value) => setStatus(value)}
        style={{ width: 180, marginBottom: 12 }}
        options={COUPON_STATUSES.map((s) => ({ value: s, label: t(enumKey('coupon.status', s)) }))}
      />
      <CursorTable<Coupon>
        testId="member-coupons"
        queryKey={['member', memberId, 'coupons', status ?? 'all']}
        fetchPage={(cursor) =>
          unwrap(api.GET('/v1/admin/members/{memberId}/coupons', { params: { path: { memberId }, query: { ...page(cursor), ...(status ? { status } : {}) } } }))
        }
        columns={columns}
        rowKey="couponId"
        empty={t('coupons.empty')}
      />
    </>
  );
}

export function TasksTab({ memberId }: { readonly memberId: string }) {
  const api = useApi();
  const i18n = useMessages(memberMessages);
  const { t } = i18n;
  const columns = useMemo<TableColumnsType<TaskCompletion>>(
    () => [
      { key: 'taskId', title: t('tasks.taskId'), render: (_, c) => <Typography.Text code>{c.taskId}</Typography.Text> },
      { key: 'type', title: t('tasks.type'), render: (_, c) => <Tag>{t(enumKey('task.type', c.type))}</Tag> },
      { key: 'day', title: t('tasks.day'), dataIndex: 'day' },
      { key: 'points', title: t('tasks.points'), align: 'right', render: (_, c) => signedPoints(c.totalPoints, i18n) },
      { key: 'streak', title: t('tasks.streak'), align: 'right', render: (_, c) => (c.streak === null ? '—' : i18n.points(c.streak)) },
      { key: 'completedAt', title: t('tasks.completedAt'), render: (_, c) => formatProgrammeTime(c.completedAt) },
    ],
    [i18n, t],
  );
  return (
    <CursorTable<TaskCompletion>
      testId="member-tasks"
      queryKey={['member', memberId, 'tasks']}
      fetchPage={(cursor) =>
        unwrap(api.GET('/v1/admin/members/{memberId}/task-completions', { params: { path: { memberId }, query: page(cursor) } }))
      }
      columns={columns}
      rowKey={(c) => `${c.taskId}#${c.period}#${c.slot}`}
      empty={t('tasks.empty')}
    />
  );
}

export function BidsTab({ memberId }: { readonly memberId: string }) {
  const api = useApi();
  const i18n = useMessages(memberMessages);
  const { t } = i18n;
  const columns = useMemo<TableColumnsType<Bid>>(
    () => [
      { key: 'auctionId', title: t('bids.auctionId'), render: (_, b) => <Typography.Text code>{b.auctionId}</Typography.Text> },
      { key: 'amount', title: t('bids.amount'), align: 'right', render: (_, b) => i18n.points(b.amount) },
      { key: 'maxAmount', title: t('bids.maxAmount'), align: 'right', render: (_, b) => i18n.points(b.maxAmount) },
      { key: 'outcome', title: t('bids.outcome'), render: (_, b) => <Tag color={b.outcome === 'LEADING' ? 'green' : 'default'}>{t(enumKey('bid.outcome', b.outcome))}</Tag> },
      { key: 'at', title: t('bids.at'), render: (_, b) => formatProgrammeTime(b.at) },
    ],
    [i18n, t],
  );
  return (
    <CursorTable<Bid>
      testId="member-bids"
      queryKey={['member', memberId, 'bids']}
      fetchPage={(cursor) => unwrap(api.GET('/v1/admin/members/{memberId}/bids', { params: { path: { memberId }, query: page(cursor) } }))}
      columns={columns}
      rowKey="bidId"
      empty={t('bids.empty')}
    />
  );
}

function prizeText(prize: Spin['prize'], i18n: MemberI18n): string {
  if (prize.kind === 'NOTHING') return i18n.t('prize.NOTHING');
  if (prize.kind === 'POINTS' && prize.points !== null) return `${prize.name} (${i18n.t('prize.points', { points: i18n.points(prize.points) })})`;
  return prize.name;
}

export function SpinsTab({ memberId }: { readonly memberId: string }) {
  const api = useApi();
  const i18n = useMessages(memberMessages);
  const { t } = i18n;
  const columns = useMemo<TableColumnsType<Spin>>(
    () => [
      { key: 'drawId', title: t('spins.drawId'), render: (_, s) => <Typography.Text code>{s.drawId}</Typography.Text> },
      { key: 'prize', title: t('spins.prize'), render: (_, s) => prizeText(s.prize, i18n) },
      { key: 'cost', title: t('spins.cost'), align: 'right', render: (_, s) => i18n.points(s.costPoints) },
      { key: 'at', title: t('spins.at'), render: (_, s) => formatProgrammeTime(s.at) },
    ],
    [i18n, t],
  );
  return (
    <CursorTable<Spin>
      testId="member-spins"
      queryKey={['member', memberId, 'spins']}
      fetchPage={(cursor) => unwrap(api.GET('/v1/admin/members/{memberId}/spins', { params: { path: { memberId }, query: page(cursor) } }))}
      columns={columns}
      rowKey="spinId"
      empty={t('spins.empty')}
    />
  );
}
