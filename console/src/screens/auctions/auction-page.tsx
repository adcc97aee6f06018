import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Flex, Form, Input, Modal, Row, Space, Statistic, Table, Typography } from 'antd';
import { Suspense, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { useIdempotencyKey } from '../../api/use-idempotency-key';
import { isFormValidationError, ProblemAlert, useProblemHandler } from '../../api/use-problem';
import { formatProgrammeTime, PROGRAMME_TIME_ZONE } from '../../format';
import { useMessage, useMessages } from '../../i18n/locale';
import { DialogFooter, useOpenings } from '../members/dialog-footer';
import { AuctionFormDialog, PhaseTag, useCanEditAuctions, type AuctionAdmin, type AuctionI18n } from './auctions-page';
import { auctionMessages } from './messages';

/** How often an auction still taking bids (or about to) is read again. */
export const POLL_MS = 3_000;
const LIVE_PHASES: readonly AuctionAdmin['phase'][] = ['UPCOMING', 'OPEN', 'ENDED'];
const zone = PROGRAMME_TIME_ZONE;
const withoutZone = (iso: string) => formatProgrammeTime(iso).replace(` (${zone})`, '');

function Outcome({ auction, i18n }: { readonly auction: AuctionAdmin; readonly i18n: AuctionI18n }) {
  const { t } = i18n;
  if (auction.phase === 'SETTLED') return <Alert type="success" showIcon title={t('page.winner', { member: auction.winnerId ?? '—', order: auction.orderId ?? '—' })} />;
  if (auction.phase === 'UNSOLD') return <Alert type="info" showIcon title={t('page.unsold', { reason: auction.unsoldReason ?? '' })} />;
  if (auction.phase === 'CANCELLED') {
    return (
      <Alert
        type="warning"
        showIcon
        data-testid="auction-cancelled"
        title={t('page.cancelled', { by: auction.cancelledBy ?? '—', at: auction.cancelledAt ? formatProgrammeTime(auction.cancelledAt) : '—', reason: auction.cancelReason ?? '' })}
      />
    );
  }
  return null;
}

function Live({ auction, i18n }: { readonly auction: AuctionAdmin; readonly i18n: AuctionI18n }) {
  const { t } = i18n;
  const bids = auction.bidCount > 0;
  const extended = auction.endsAt !== auction.originalEndsAt;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={12} lg={4}>
        <Statistic title={t('page.price')} value={bids ? i18n.points(auction.price) : t('page.noLeader')} data-testid="auction-price" />
      </Col>
      <Col xs={12} lg={5}>
        <Statistic title={t('page.leader')} value={auction.leaderId ?? t('page.noLeader')} data-testid="auction-leader" />
      </Col>
      <Col xs={12} lg={4}>
        <Statistic title={t('page.leaderMax')} value={bids ? i18n.points(auction.leaderMax) : '—'} />
      </Col>
      <Col xs={12} lg={4}>
        <Statistic title={t('page.leaderHold')} value={i18n.points(auction.leaderHold)} data-testid="auction-leader-hold" />
      </Col>
      <Col xs={12} lg={3}>
        <Statistic title={t('page.bidCount')} value={i18n.points(auction.bidCount)} data-testid="auction-bid-count" />
      </Col>
      <Col xs={24} lg={4}>
        <Statistic title={t('page.endsAt')} value={withoutZone(auction.endsAt)} />
        {extended ? <Typography.Text type="secondary">{t('page.extended', { from: withoutZone(auction.originalEndsAt) })}</Typography.Text> : null}
      </Col>
    </Row>
  );
}

function Terms({ auction, i18n }: { readonly auction: AuctionAdmin; readonly i18n: AuctionI18n }) {
  const { t } = i18n;
  const reserveMet = auction.reservePrice !== null && auction.bidCount > 0 && auction.price >= auction.reservePrice;
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, lg: 2 }}
      items={[
        { key: 'lot', label: t('auctions.lot'), children: `${auction.productName} (${auction.productId}, ${auction.productType})` },
        { key: 'window', label: t('auctions.window', { zone }), children: `${withoutZone(auction.startsAt)} – ${withoutZone(auction.endsAt)}` },
        { key: 'start', label: t('page.startingPrice'), children: i18n.points(auction.startingPrice) },
        { key: 'increment', label: t('page.minIncrement'), children: i18n.points(auction.minIncrement) },
        {
          key: 'reserve',
          label: t('page.reserve'),
          children: auction.reservePrice === null ? t('page.noReserve') : `${i18n.points(auction.reservePrice)} (${reserveMet ? t('page.reserveMet') : t('page.reserveNotMet')})`,
        },
        {
          key: 'antiSniping',
          label: t('page.antiSniping'),
          children: auction.antiSniping ? t('page.antiSnipingRule', { window: auction.antiSniping.windowSeconds, extend: auction.antiSniping.extendSeconds }) : t('page.none'),
        },
        { key: 'latest', label: t('page.latestEndsAt'), children: auction.latestEndsAt ? withoutZone(auction.latestEndsAt) : t('page.none') },
        { key: 'version', label: t('page.version'), children: auction.version },
        { key: 'created', label: t('page.createdBy'), children: `${auction.createdBy}, ${formatProgrammeTime(auction.createdAt)}` },
        { key: 'description', label: t('form.description'), children: auction.description || '—' },
      ]}
    />
  );
}

function BidHistory({ auctionId, live, i18n }: { readonly auctionId: string; readonly live: boolean; readonly i18n: AuctionI18n }) {
  const { t } = i18n;
  const api = useApi();
  const bids = useCursorList(['auction', auctionId, 'bids'], (cursor) =>
    unwrap(api.GET('/v1/admin/auctions/{auctionId}/bids', { params: { path: { auctionId }, query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  const { refetch } = bids;
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(() => void refetch(), POLL_MS);
    return () => clearInterval(timer);
  }, [live, refetch]);
  return (
    <>
      {bids.error ? <ProblemAlert error={bids.error} /> : null}
      <Table
        rowKey="bidId"
        size="small"
        pagination={false}
        loading={bids.isPending && !bids.error}
        dataSource={[...bids.items]}
        locale={{ emptyText: t('page.noBids') }}
        scroll={{ x: 'max-content' }}
        columns={[
          { key: 'seq', title: t('page.seq'), dataIndex: 'seq' },
          { key: 'at', title: t('page.at', { zone }), render: (_, b) => withoutZone(b.at) },
          { key: 'member', title: t('page.member'), render: (_, b) => <Link to={`/members/${encodeURIComponent(b.memberId)}`}>{b.memberId}</Link> },
          { key: 'amount', title: t('page.amount'), render: (_, b) => i18n.points(b.amount) },
          { key: 'max', title: t('page.maxAmount'), render: (_, b) => i18n.points(b.maxAmount) },
          { key: 'outcome', title: t('page.bidOutcome'), render: (_, b) => t(`page.outcome.${b.outcome}`) },
          { key: 'priceAfter', title: t('page.priceAfter'), render: (_, b) => i18n.points(b.priceAfter) },
          { key: 'held', title: t('page.held'), render: (_, b) => i18n.points(b.held) },
          { key: 'released', title: t('page.released'), render: (_, b) => (b.released ? t('page.releasedTo', { points: i18n.points(b.released.points), member: b.released.memberId }) : '—') },
        ]}
      />
      <LoadMore count={bids.items.length} hasNextPage={bids.hasNextPage} isFetchingNextPage={bids.isFetchingNextPage} fetchNextPage={bids.fetchNextPage} />
    </>
  );
}

function CancelDialog({ open, auction, i18n, onClose }: { readonly open: boolean; readonly auction: AuctionAdmin; readonly i18n: AuctionI18n; readonly onClose: () => void }) {
  const { t } = i18n;
  const api = useApi();
  const queryClient = useQueryClient();
  const message = useMessage();
  const showProblem = useProblemHandler();
  const idempotency = useIdempotencyKey(open);
  const opening = useOpenings(open);
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const cancel = async () => {
    setBusy(true);
    try {
      const { reason } = await form.validateFields();
      const result = await unwrap(
        api.POST('/v1/admin/auctions/{auctionId}/cancel', {
          params: { path: { auctionId: auction.auctionId } },
          headers: { 'Idempotency-Key': idempotency.key },
          body: { reason: reason.trim() },
        }),
      );
      idempotency.succeeded();
      void message.success(t('cancel.done', { name: result.title }));
      queryClient.setQueryData(['auction', auction.auctionId], result);
      await queryClient.invalidateQueries({ queryKey: ['auctions'] });
      await queryClient.invalidateQueries({ queryKey: ['auction', auction.auctionId] });
      onClose();
    } catch (error) {
      if (!isFormValidationError(error)) showProblem(error, form);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      title={t('cancel.title', { name: auction.title })}
      onCancel={onClose}
      destroyOnHidden
      footer={<DialogFooter opening={opening} busy={busy} danger okText={t('cancel.ok')} cancelText={t('cancel.keep')} onCancel={onClose} onOk={() => void cancel()} />}
    >
      <Alert type="warning" showIcon title={t('cancel.note')} style={{ marginBottom: 16 }} />
      <Form form={form} layout="vertical" requiredMark={false}>
        <Form.Item name="reason" label={t('cancel.reason')} rules={[{ required: true, whitespace: true, min: 3, max: 500, message: t('cancel.reason.required') }]}>
          <Input.TextArea rows={3} maxLength={500} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * One auction (/console/auctions/:auctionId): price, leader, maximum and hold, read again every few seconds while it
 * takes bids, the bid history (polled too), its terms and outcome, its operator actions; "Edit" before it opens and
 * "Cancel auction" until it is settled, for the roles that may write.
 */
export function AuctionPage() {
  const { auctionId = '' } = useParams();
  const api = useApi();
  const i18n = useMessages(auctionMessages);
  const { t } = i18n;
  const writer = useCanEditAuctions();
  const [dialog, setDialog] = useState<{ open: boolean; which?: 'edit' | 'cancel' }>({ open: false });
  const auction = useQuery({
    queryKey: ['auction', auctionId],
    queryFn: () => unwrap(api.GET('/v1/admin/auctions/{auctionId}', { params: { path: { auctionId }, query: { limit: 1 } } })),
    refetchInterval: (query) => (query.state.data && LIVE_PHASES.includes(query.state.data.phase) ? POLL_MS : false),
  });
  if (auction.error) {
    return (
      <>
        <Link to="/auctions">← {t('page.back')}</Link>
        <div style={{ marginTop: 16 }}>
          <ProblemAlert error={auction.error} />
        </div>
      </>
    );
  }
  const data = auction.data;
  const live = data !== undefined && LIVE_PHASES.includes(data.phase);
  const close = () => setDialog((d) => ({ ...d, open: false }));
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Link to="/auctions">← {t('page.back')}</Link>
        <Flex justify="space-between" align="center" wrap gap="middle" style={{ marginTop: 8 }}>
          <Space align="center">
            <Typography.Title level={3} style={{ margin: 0 }}>
              {data?.title ?? auctionId}
            </Typography.Title>
            {data ? <PhaseTag phase={data.phase} i18n={i18n} /> : null}
          </Space>
          {writer && data ? (
            <Space>
              {data.phase === 'UPCOMING' ? <Button onClick={() => setDialog({ open: true, which: 'edit' })}>{t('page.edit')}</Button> : null}
              {live ? (
                <Button danger onClick={() => setDialog({ open: true, which: 'cancel' })}>
                  {t('page.cancelAuction')}
                </Button>
              ) : null}
            </Space>
          ) : null}
        </Flex>
        {live ? <Typography.Text type="secondary">{t('page.live', { seconds: POLL_MS / 1000 })}</Typography.Text> : null}
      </div>
      {data ? <Outcome auction={data} i18n={i18n} /> : null}
      <Card loading={auction.isPending}>{data ? <Live auction={data} i18n={i18n} /> : null}</Card>
      <Card title={t('page.bidHistory')}>
        <BidHistory auctionId={auctionId} live={live} i18n={i18n} />
      </Card>
      <Card title={t('page.terms')} loading={auction.isPending}>
        {data ? <Terms auction={data} i18n={i18n} /> : null}
      </Card>
      <Card title={t('page.audit')} loading={auction.isPending}>
        <Table
          rowKey="auditId"
          size="small"
          pagination={false}
          dataSource={data?.audit ?? []}
          locale={{ emptyText: t('page.auditEmpty') }}
          columns={[
            { key: 'at', title: t('page.at', { zone }), render: (_, a) => withoutZone(a.at) },
            { key: 'by', title: t('page.auditBy'), dataIndex: 'by' },
            { key: 'action', title: t('page.auditWhat'), render: (_, a) => t(`page.auditAction.${a.action}`) },
            {
              key: 'what',
              title: t('page.auditDetail'),
              render: (_, a) => a.reason ?? Object.entries(a.changes ?? {}).map(([field, c]) => `${field}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join('; '),
            },
          ]}
        />
      </Card>
      {writer && data && dialog.which === 'edit' ? (
        <Suspense>
          <AuctionFormDialog open={dialog.open} auction={data} onClose={close} />
        </Suspense>
      ) : null}
      {writer && data && dialog.which === 'cancel' ? <CancelDialog open={dialog.open} auction={data} i18n={i18n} onClose={close} /> : null}
    </Space>
  );
}
