import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Col, Descriptions, Flex, Row, Space, Spin, Table, Tag, Timeline, Typography, type TableColumnsType } from 'antd';
import { lazy, Suspense, useMemo, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { formatProgrammeTime } from '../../format';
import { useMessage, useMessages } from '../../i18n/locale';
import { canWrite } from '../../roles';
import { orderMessages } from './messages';
import { enumKey, OrderStatusTag, priceText, type Order, type OrderI18n } from './order-format';

type OrderDetail = components['schemas']['OrderDetail'];
type Callback = components['schemas']['OrderCallback'];
type CashRefund = components['schemas']['CashRefund'];
type OrderEvent = components['schemas']['OrderEvent'];

// The dialogs (forms) load when first opened: an analyst never downloads them.
const CancelOrderDialog = lazy(() => import('./order-dialogs').then((m) => ({ default: m.CancelOrderDialog })));
const RefundOrderDialog = lazy(() => import('./order-dialogs').then((m) => ({ default: m.RefundOrderDialog })));

/** Statuses after which nothing more happens to an order by itself (its page stops polling, unless a cash refund is under way). */
const SETTLED = new Set<Order['status']>(['DELIVERED', 'FULFILLED', 'CANCELLED', 'EXPIRED', 'REJECTED', 'FAILED', 'REFUNDED']);
const POLL_MS = 3000;

interface TimelineEntry {
  readonly at: string;
  readonly key: string;
  readonly color: string;
  readonly content: ReactNode;
}

/** The order's life in one list, oldest first: its states, the callbacks it received, its cash refunds' steps. */
function timelineOf(order: OrderDetail, i18n: OrderI18n): TimelineEntry[] {
  const { t } = i18n;
  const entries: TimelineEntry[] = [];
  order.history.forEach((h, i) =>
    entries.push({
      at: h.at,
      key: `status-${i}`,
      color: h.status === 'REFUNDED' || h.status === 'FAILED' || h.status === 'REJECTED' ? 'red' : 'blue',
      content: (
        <Space orientation="vertical" size={0}>
          <span>
            <OrderStatusTag status={h.status} i18n={i18n} />
          </span>
          {h.reason ? <Typography.Text type="secondary">{h.reason}</Typography.Text> : null}
        </Space>
      ),
    }),
  );
  for (const c of order.callbacks) {
    const label = c.verified
      ? t('order.timeline.callback', { sender: c.sender, status: c.status ?? '' })
      : t('order.timeline.refused', { sender: c.sender, problem: c.problem ?? '' });
    entries.push({
      at: c.receivedAt,
      key: `callback-${c.callbackId}`,
      color: c.verified ? 'green' : 'gray',
      content: (
        <Space orientation="vertical" size={0} data-testid="timeline-callback">
          <Typography.Text>
            {label} <Tag>{t(enumKey('order.callback.kind', c.kind))}</Tag>
          </Typography.Text>
          {c.outcome ? <Typography.Text type="secondary">{t('order.timeline.outcome', { outcome: c.outcome })}</Typography.Text> : null}
        </Space>
      ),
    });
  }
  for (const r of order.cashRefunds) {
    const vars = { amount: i18n.money(r.amountCents), provider: r.provider ?? '', ref: r.providerRefundRef ?? '' };
    entries.push({ at: r.requestedAt, key: `refund-${r.refundId}-requested`, color: 'blue', content: t('order.timeline.cashRefund.REQUESTED', vars) });
    if (r.submittedAt) entries.push({ at: r.submittedAt, key: `refund-${r.refundId}-submitted`, color: 'blue', content: t('order.timeline.cashRefund.SUBMITTED', vars) });
    if (r.settledAt && r.state !== 'REQUESTED' && r.state !== 'SUBMITTED') {
      entries.push({
        at: r.settledAt,
        key: `refund-${r.refundId}-settled`,
        color: r.state === 'DONE' ? 'green' : 'red',
        content: t(enumKey('order.timeline.cashRefund', r.state), vars),
      });
    }
  }
  return entries.sort((a, b) => a.at.localeCompare(b.at));
}

function callbackColumns(i18n: OrderI18n): TableColumnsType<Callback> {
  const { t } = i18n;
  return [
    { key: 'receivedAt', title: t('order.callback.receivedAt'), render: (_, c) => formatProgrammeTime(c.receivedAt, 'YYYY-MM-DD HH:mm:ss') },
    { key: 'kind', title: t('order.callback.kind'), render: (_, c) => t(enumKey('order.callback.kind', c.kind)) },
    { key: 'sender', title: t('order.callback.sender'), dataIndex: 'sender' },
    {
      key: 'verified',
      title: t('order.callback.verified'),
      render: (_, c) =>
        c.verified ? <Tag color="green">{t('order.callback.yes')}</Tag> : <Tag color="red">{t('order.callback.refused', { problem: c.problem ?? '' })}</Tag>,
    },
    { key: 'status', title: t('order.callback.status'), render: (_, c) => c.status ?? '' },
    {
      key: 'ref',
      title: t('order.callback.ref'),
      render: (_, c) => <Typography.Text code>{c.messageId ?? c.refundId ?? c.paymentId ?? ''}</Typography.Text>,
    },
    { key: 'outcome', title: t('order.callback.outcome'), render: (_, c) => c.outcome ?? '' },
  ];
}

function cashRefundColumns(i18n: OrderI18n): TableColumnsType<CashRefund> {
  const { t } = i18n;
  return [
    { key: 'state', title: t('order.cashRefund.state'), render: (_, r) => <Tag color={r.state === 'DONE' ? 'green' : r.state === 'REQUESTED' || r.state === 'SUBMITTED' ? 'blue' : 'red'}>{t(enumKey('order.cashRefund.state', r.state))}</Tag> },
    { key: 'amount', title: t('order.cashRefund.amount'), align: 'right', render: (_, r) => i18n.money(r.amountCents) },
    { key: 'provider', title: t('order.cashRefund.provider'), render: (_, r) => r.provider ?? '' },
    { key: 'requestedAt', title: t('order.cashRefund.requestedAt'), render: (_, r) => formatProgrammeTime(r.requestedAt) },
    { key: 'settledAt', title: t('order.cashRefund.settledAt'), render: (_, r) => (r.settledAt ? formatProgrammeTime(r.settledAt) : '') },
  ];
}

function eventColumns(i18n: OrderI18n): TableColumnsType<OrderEvent> {
  const { t } = i18n;
  return [
    { key: 'occurredAt', title: t('order.event.occurredAt'), render: (_, e) => formatProgrammeTime(e.occurredAt, 'YYYY-MM-DD HH:mm:ss') },
    { key: 'type', title: t('order.event.type'), render: (_, e) => <Typography.Text code>{e.detailType}</Typography.Text> },
    {
      key: 'detail',
      title: t('order.event.detail'),
      render: (_, e) => {
        const { from, to, status, reason, amountCents } = e.detail as Record<string, unknown>;
        const parts = [
          typeof from === 'string' && typeof to === 'string' ? `${from} → ${to}` : typeof status === 'string' ? status : '',
          typeof amountCents === 'number' ? i18n.money(amountCents) : '',
          typeof reason === 'string' ? reason : '',
        ].filter(Boolean);
        return parts.join(' · ');
      },
    },
  ];
}

/** One order: what it is, its timeline (states, callbacks, cash refunds), the events it produced, and the cancel and refund actions. */
export function OrderPage() {
  const { orderId = '' } = useParams();
  const api = useApi();
  const i18n = useMessages(orderMessages);
  const { t } = i18n;
  const message = useMessage();
  const queryClient = useQueryClient();
  const session = useSession();
  const mayWrite = canWrite(session?.roles ?? [], 'orders');
  const [dialog, setDialog] = useState<{ kind: 'cancel' | 'refund'; open: boolean } | null>(null);
  const detail = useQuery({
    queryKey: ['order', orderId],
    queryFn: () => unwrap(api.GET('/v1/admin/orders/{orderId}', { params: { path: { orderId } } })),
    // While the order or a cash refund of it is still moving, its page follows (callbacks arrive by themselves).
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data) return false;
      const moving = !SETTLED.has(data.status) || data.cashRefunds.some((r) => r.state === 'REQUESTED' || r.state === 'SUBMITTED');
      const refundAwaited = data.status === 'REFUNDED' && data.events.some((e) => e.detailType === 'CashRefundRequested') && data.cashRefunds.length === 0;
      return moving || refundAwaited ? POLL_MS : false;
    },
  });
  const timeline = useMemo(() => (detail.data ? timelineOf(detail.data, i18n) : []), [detail.data, i18n]);
  const callbackCols = useMemo(() => callbackColumns(i18n), [i18n]);
  const refundCols = useMemo(() => cashRefundColumns(i18n), [i18n]);
  const eventCols = useMemo(() => eventColumns(i18n), [i18n]);

  if (detail.isPending) {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin size="large" />
      </Flex>
    );
  }
  if (detail.error || !detail.data) {
    return (
      <>
        <Link to="/orders">← {t('order.back')}</Link>
        <div style={{ marginTop: 16 }}>
          <ProblemAlert error={detail.error} />
        </div>
      </>
    );
  }
  const order = detail.data;
  const done = async (changed: Order, text: 'cancel.done' | 'refund.done') => {
    setDialog((d) => (d ? { ...d, open: false } : d));
    void message.success(t(text, { orderId: changed.orderId }));
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ['order', orderId] }),
      queryClient.invalidateQueries({ queryKey: ['orders'] }),
      queryClient.invalidateQueries({ queryKey: ['member', order.memberId] }),
      queryClient.invalidateQueries({ queryKey: ['audit'] }),
    ]);
  };
  const none = t('order.none');

  return (
    <>
      <Link to="/orders">← {t('order.back')}</Link>
      <Flex justify="space-between" align="center" wrap gap="middle" style={{ margin: '12px 0 16px' }}>
        <Space align="center" wrap data-testid="order-header">
          <Typography.Title level={3} style={{ margin: 0 }}>
            {order.orderId}
          </Typography.Title>
          <span data-testid="order-status">
            <OrderStatusTag status={order.status} i18n={i18n} />
          </span>
        </Space>
        {mayWrite ? (
          <Space>
            {order.cancellable ? (
              <Button danger onClick={() => setDialog({ kind: 'cancel', open: true })}>
                {t('order.cancel')}
              </Button>
            ) : null}
            {order.refundable ? (
              <Button type="primary" danger onClick={() => setDialog({ kind: 'refund', open: true })}>
                {t('order.refund')}
              </Button>
            ) : null}
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('order.readOnly')}</Typography.Text>
        )}
      </Flex>

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t('order.details')} size="small" style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={1}>
              <Descriptions.Item label={t('order.member')}>
                <Link to={`/members/${encodeURIComponent(order.memberId)}`}>{order.memberId}</Link>
              </Descriptions.Item>
              <Descriptions.Item label={t('order.product')}>
                <Link to={`/products/${encodeURIComponent(order.productId)}`}>{order.productName}</Link> <Typography.Text code>{order.productId}</Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('order.type')}>{order.productType}</Descriptions.Item>
              <Descriptions.Item label={t('order.quantity')}>{order.quantity}</Descriptions.Item>
              <Descriptions.Item label={t('order.price')}>{priceText(order, i18n)}</Descriptions.Item>
              <Descriptions.Item label={t('order.payment')}>{t(enumKey('payment', order.payment))}</Descriptions.Item>
              {order.payBy ? <Descriptions.Item label={t('order.payBy')}>{formatProgrammeTime(order.payBy)}</Descriptions.Item> : null}
              <Descriptions.Item label={t('order.supplier')}>{order.supplier ? `${order.supplier.supplierId} (${order.supplier.sku})` : none}</Descriptions.Item>
              {order.trackingNo ? <Descriptions.Item label={t('order.trackingNo')}>{order.trackingNo}</Descriptions.Item> : null}
              {order.code ? <Descriptions.Item label={t('order.code')}>{order.code}</Descriptions.Item> : null}
              {order.source ? <Descriptions.Item label={t('order.source')}>{`${order.source.kind} ${order.source.id}`}</Descriptions.Item> : null}
              <Descriptions.Item label={t('order.createdAt')}>{formatProgrammeTime(order.createdAt)}</Descriptions.Item>
              <Descriptions.Item label={t('order.updatedAt')}>{formatProgrammeTime(order.updatedAt)}</Descriptions.Item>
            </Descriptions>
          </Card>
          {order.cashRefunds.length > 0 ? (
            <Card title={t('order.cashRefunds')} size="small" style={{ marginBottom: 16 }}>
              <Table<CashRefund> data-testid="order-cash-refunds" rowKey="refundId" columns={refundCols} dataSource={[...order.cashRefunds]} pagination={false} size="small" scroll={{ x: 'max-content' }} />
            </Card>
          ) : null}
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('order.timeline')} size="small" style={{ marginBottom: 16 }}>
            <div data-testid="order-timeline">
              <Timeline
                items={timeline.map((entry) => ({
                  key: entry.key,
                  color: entry.color,
                  title: formatProgrammeTime(entry.at, 'YYYY-MM-DD HH:mm:ss'),
                  content: entry.content,
                }))}
              />
            </div>
          </Card>
        </Col>
      </Row>

      <Card title={t('order.callbacks')} size="small" style={{ marginBottom: 16 }}>
        {order.callbacksTruncated ? <Typography.Paragraph type="secondary">{t('order.callbacks.truncated')}</Typography.Paragraph> : null}
        <Table<Callback>
          data-testid="order-callbacks"
          rowKey="callbackId"
          columns={callbackCols}
          dataSource={[...order.callbacks]}
          pagination={false}
          size="small"
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('order.callbacks.empty') }}
        />
      </Card>
      <Card title={t('order.events')} size="small">
        <Table<OrderEvent>
          data-testid="order-events"
          rowKey="eventId"
          columns={eventCols}
          dataSource={[...order.events]}
          pagination={false}
          size="small"
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('order.events.empty') }}
        />
      </Card>

      {mayWrite && dialog ? (
        <Suspense>
          {dialog.kind === 'cancel' ? (
            <CancelOrderDialog order={order} open={dialog.open} onClose={() => setDialog({ ...dialog, open: false })} onDone={(o) => void done(o, 'cancel.done')} />
          ) : (
            <RefundOrderDialog order={order} open={dialog.open} onClose={() => setDialog({ ...dialog, open: false })} onDone={(o) => void done(o, 'refund.done')} />
          )}
        </Suspense>
      ) : null}
    </>
  );
}
