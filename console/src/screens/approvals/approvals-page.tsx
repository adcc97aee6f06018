import { useQueryClient } from '@tanstack/react-query';
import { Button, Col, Flex, Row, Segmented, Space, Table, Tabs, Tag, Typography, type TableColumnsType } from 'antd';
import { useMemo, useState, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { LoadMore, PAGE_SIZE, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { formatProgrammeTime } from '../../format';
import { useMessage, useMessages, type ScreenI18n } from '../../i18n/locale';
import { canWrite } from '../../roles';
import { signedPoints } from '../members/member-format';
import { DecisionDialog, type Decision } from './decision-dialog';
import { approvalMessages, type ApprovalI18nKey } from './messages';
import { SettingsCard } from './settings-card';

type Approval = components['schemas']['ApprovalRequest'];
type PurchaseReview = components['schemas']['PurchaseReview'];
type ApprovalStatus = Approval['status'];
type I18n = ScreenI18n<ApprovalI18nKey>;

const STATUSES: readonly ApprovalStatus[] = ['PENDING', 'APPROVED', 'REJECTED'];

/** What a decision dialog is open on. */
type Target = { readonly kind: 'adjustment'; readonly approval: Approval } | { readonly kind: 'purchase'; readonly review: PurchaseReview };

interface Opened {
  readonly target: Target;
  readonly decision: Decision;
}

const memberLink = (memberId: string) => <Link to={`/members/${encodeURIComponent(memberId)}`}>{memberId}</Link>;

function approvalColumns(i18n: I18n, status: ApprovalStatus, me: string, actions: ((a: Approval) => ReactNode) | null): TableColumnsType<Approval> {
  const { t } = i18n;
  const decided = status !== 'PENDING';
  return [
    { key: 'createdAt', title: t('approvals.createdAt'), render: (_, a) => formatProgrammeTime(a.createdAt) },
    { key: 'approvalId', title: t('approvals.approvalId'), render: (_, a) => <Typography.Text code>{a.approvalId}</Typography.Text> },
    { key: 'member', title: t('approvals.member'), render: (_, a) => memberLink(a.memberId) },
    { key: 'points', title: t('approvals.points'), align: 'right', render: (_, a) => `${signedPoints(a.points, i18n)} ${a.currency}` },
    { key: 'reason', title: t('approvals.reason'), dataIndex: 'reason' },
    {
      key: 'requestedBy',
      title: t('approvals.requestedBy'),
      render: (_, a) => (
        <Flex vertical gap={2} align="flex-start">
          <span>{a.requestedBy}</span>
          {!decided && a.requestedBy === me ? <Tag color="orange">{t('approvals.own')}</Tag> : null}
        </Flex>
      ),
    },
    ...(decided
      ? ([
          { key: 'decidedBy', title: t('approvals.decidedBy'), render: (_: unknown, a: Approval) => a.decidedBy ?? '' },
          { key: 'decidedAt', title: t('approvals.decidedAt'), render: (_: unknown, a: Approval) => (a.decidedAt ? formatProgrammeTime(a.decidedAt) : '') },
          { key: 'decisionReason', title: t('approvals.decisionReason'), render: (_: unknown, a: Approval) => a.decisionReason ?? '' },
        ] satisfies TableColumnsType<Approval>)
      : []),
    ...(actions && !decided ? [{ key: 'actions', title: t('approvals.actions'), render: (_: unknown, a: Approval) => actions(a) }] : []),
  ];
}

function AdjustmentsTab({ mayDecide, onDecide }: { readonly mayDecide: boolean; readonly onDecide: (opened: Opened) => void }) {
  const api = useApi();
  const i18n = useMessages(approvalMessages);
  const { t } = i18n;
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const requested = params.get('status');
  const status: ApprovalStatus = STATUSES.find((s) => s === requested) ?? 'PENDING';
  const list = useCursorList(['approvals', status], (cursor) =>
    unwrap(api.GET('/v1/admin/approvals', { params: { query: { status, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  const columns = useMemo(
    () =>
      approvalColumns(
        i18n,
        status,
        session?.operatorId ?? '',
        mayDecide
          ? (approval) => (
              <Space>
                <Button size="small" type="primary" onClick={() => onDecide({ target: { kind: 'adjustment', approval }, decision: 'approve' })}>
                  {t('approvals.approve')}
                </Button>
                <Button size="small" danger onClick={() => onDecide({ target: { kind: 'adjustment', approval }, decision: 'reject' })}>
                  {t('approvals.reject')}
                </Button>
              </Space>
            )
          : null,
      ),
    [i18n, status, session?.operatorId, mayDecide, onDecide, t],
  );
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Segmented<ApprovalStatus>
          value={status}
          onChange={(next) => {
            const updated = new URLSearchParams(params);
            updated.set('status', next);
            setParams(updated, { replace: true });
          }}
          options={STATUSES.map((s) => ({ value: s, label: t(`approvals.status.${s}`) }))}
        />
        <Typography.Text type="secondary">{status === 'PENDING' ? t('approvals.pendingOrder') : t('approvals.decidedOrder')}</Typography.Text>
      </Space>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table<Approval>
        rowKey="approvalId"
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('approvals.empty') }}
        data-testid="approvals-table"
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}

function PurchasesTab({ mayDecide, onDecide }: { readonly mayDecide: boolean; readonly onDecide: (opened: Opened) => void }) {
  const api = useApi();
  const i18n = useMessages(approvalMessages);
  const { t } = i18n;
  const list = useCursorList(['purchase-reviews'], (cursor) =>
    unwrap(api.GET('/v1/admin/purchase-reviews', { params: { query: { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
  );
  const columns = useMemo<TableColumnsType<PurchaseReview>>(
    () => [
      { key: 'recordedAt', title: t('approvals.createdAt'), render: (_, r) => formatProgrammeTime(r.recordedAt) },
      { key: 'purchaseId', title: t('reviews.purchaseId'), render: (_, r) => <Typography.Text code>{r.purchaseId}</Typography.Text> },
      { key: 'member', title: t('approvals.member'), render: (_, r) => memberLink(r.memberId) },
      { key: 'store', title: t('reviews.store'), dataIndex: 'storeId' },
      { key: 'paidAt', title: t('reviews.paidAt'), render: (_, r) => formatProgrammeTime(r.paidAt) },
      { key: 'amount', title: t('reviews.amount'), align: 'right', render: (_, r) => i18n.money(r.amountCents) },
      { key: 'points', title: t('reviews.points'), align: 'right', render: (_, r) => i18n.points(r.pointsEarned) },
      { key: 'reviewReason', title: t('reviews.reviewReason'), dataIndex: 'reviewReason' },
      {
        key: 'status',
        title: t('approvals.actions'),
        render: (_, review) =>
          // The list follows the table within a moment: a purchase decided a moment ago shows its new status.
          review.reviewStatus !== 'PENDING' ? (
            <Tag>{t(`approvals.status.${review.reviewStatus}`)}</Tag>
          ) : mayDecide ? (
            <Space>
              <Button size="small" type="primary" onClick={() => onDecide({ target: { kind: 'purchase', review }, decision: 'approve' })}>
                {t('approvals.approve')}
              </Button>
              <Button size="small" danger onClick={() => onDecide({ target: { kind: 'purchase', review }, decision: 'reject' })}>
                {t('approvals.reject')}
              </Button>
            </Space>
          ) : (
            <Tag color="orange">{t('approvals.status.PENDING')}</Tag>
          ),
      },
    ],
    [i18n, t, mayDecide, onDecide],
  );
  return (
    <>
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Table<PurchaseReview>
        rowKey="purchaseId"
        columns={columns}
        dataSource={[...list.items]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('reviews.empty') }}
      />
      <LoadMore count={list.items.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </>
  );
}

/** The decision dialog for what is open: its title, subject, warning and the route it calls. */
function OpenDecision({ opened, open, onClose }: { readonly opened: Opened; readonly open: boolean; readonly onClose: () => void }) {
  const api = useApi();
  const i18n = useMessages(approvalMessages);
  const { t } = i18n;
  const message = useMessage();
  const session = useSession();
  const queryClient = useQueryClient();
  const { target, decision } = opened;
  const done = () => {
    onClose();
    void message.success(decision === 'approve' ? t('decision.approved') : t('decision.rejected'));
    void Promise.all(['approvals', 'purchase-reviews', 'member', 'audit'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
  };
  const header = (key: string) => ({ 'Idempotency-Key': key });

  if (target.kind === 'adjustment') {
    const a = target.approval;
    return (
      <DecisionDialog
        open={open}
        decision={decision}
        title={t(decision === 'approve' ? 'decision.approveAdjustment' : 'decision.rejectAdjustment', { approvalId: a.approvalId })}
        subject={t('decision.adjustmentSubject', { points: signedPoints(a.points, i18n), currency: a.currency, memberId: a.memberId, requestedBy: a.requestedBy, reason: a.reason })}
        effect={decision === 'approve' ? t('decision.approveEffect') : t('decision.rejectEffect')}
        {...(a.requestedBy === session?.operatorId ? { warning: t('decision.ownWarning') } : {})}
        send={(reason, key) =>
          unwrap(
            decision === 'approve'
              ? api.POST('/v1/admin/approvals/{approvalId}/approve', { params: { path: { approvalId: a.approvalId }, header: header(key) }, body: { reason } })
              : api.POST('/v1/admin/approvals/{approvalId}/reject', { params: { path: { approvalId: a.approvalId }, header: header(key) }, body: { reason } }),
          )
        }
        onDone={done}
        onCancel={onClose}
      />
    );
  }
  const r = target.review;
  return (
    <DecisionDialog
      open={open}
      decision={decision}
      title={t(decision === 'approve' ? 'decision.approvePurchase' : 'decision.rejectPurchase', { purchaseId: r.purchaseId })}
      subject={t('decision.purchaseSubject', { amount: i18n.money(r.amountCents), storeId: r.storeId, memberId: r.memberId, points: i18n.points(r.pointsEarned), reviewReason: r.reviewReason })}
      effect={decision === 'approve' ? t('decision.approvePurchaseEffect') : t('decision.rejectPurchaseEffect')}
      send={(reason, key) =>
        unwrap(
          decision === 'approve'
            ? api.POST('/v1/admin/purchase-reviews/{purchaseId}/approve', { params: { path: { purchaseId: r.purchaseId }, header: header(key) }, body: { reason } })
            : api.POST('/v1/admin/purchase-reviews/{purchaseId}/reject', { params: { path: { purchaseId: r.purchaseId }, header: header(key) }, body: { reason } }),
        )
      }
      onDone={done}
      onCancel={onClose}
    />
  );
}

const targetKey = ({ target, decision }: Opened) =>
  `${target.kind}:${target.kind === 'adjustment' ? target.approval.approvalId : target.review.purchaseId}:${decision}`;

/** What waits for a second operator: adjustment requests and purchases held for review; and the operator settings. */
export function ApprovalsPage() {
  const { t } = useMessages(approvalMessages);
  const session = useSession();
  const mayDecide = canWrite(session?.roles ?? [], 'approvals');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'purchases' ? 'purchases' : 'adjustments';
  // The last dialog stays mounted while closed: reopening it after a failure resends its Idempotency-Key; another
  // request or decision gets a dialog (and a key) of its own.
  const [opened, setOpened] = useState<Opened | null>(null);
  const [open, setOpen] = useState(false);
  const decide = useMemo(
    () => (next: Opened) => {
      setOpened(next);
      setOpen(true);
    },
    [],
  );

  return (
    <>
      <Typography.Title level={3}>{t('approvals.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('approvals.intro')}</Typography.Paragraph>
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={17}>
          <Tabs
            activeKey={tab}
            onChange={(key) => setParams(new URLSearchParams({ tab: key }), { replace: true })}
            items={[
              { key: 'adjustments', label: t('approvals.tab.adjustments'), children: <AdjustmentsTab mayDecide={mayDecide} onDecide={decide} /> },
              { key: 'purchases', label: t('approvals.tab.purchases'), children: <PurchasesTab mayDecide={mayDecide} onDecide={decide} /> },
            ]}
          />
        </Col>
        <Col xs={24} xxl={7}>
          <SettingsCard />
        </Col>
      </Row>
      {opened ? <OpenDecision key={targetKey(opened)} opened={opened} open={open} onClose={() => setOpen(false)} /> : null}
    </>
  );
}
