import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Descriptions, Flex, Progress, Row, Space, Spin, Table, Tabs, Typography, type TableColumnsType } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { formatProgrammeTime } from '../../format';
import { useMessage, useMessages } from '../../i18n/locale';
import { canWrite } from '../../roles';
import { AuditTable } from '../audit/audit-table';
import { AdjustmentDialog, type ApprovalRequest } from './adjustment-dialog';
import { signedPoints, StatusTag, tierName, TierTag, type MemberI18n } from './member-format';
import { BidsTab, CouponsTab, LedgerTab, OrdersTab, SpinsTab, TasksTab } from './member-lists';
import { memberMessages } from './messages';
import { TierDialog } from './tier-dialog';

type MemberDetail = components['schemas']['MemberWithPoints'];
type Wallet = components['schemas']['Points'];

const TABS = ['ledger', 'orders', 'coupons', 'tasks', 'bids', 'spins', 'audit'] as const;
type TabKey = (typeof TABS)[number];

function isTab(value: string | null): value is TabKey {
  return value !== null && (TABS as readonly string[]).includes(value);
}

function walletColumns(i18n: MemberI18n): TableColumnsType<Wallet> {
  const { t } = i18n;
  const nextExpiry = (w: Wallet) => w.expiring.find((e) => e.points > 0);
  return [
    { key: 'currency', title: t('member.currency'), dataIndex: 'currency' },
    { key: 'available', title: t('member.available'), align: 'right', render: (_, w) => <span data-testid={`available-${w.currency}`}>{i18n.points(w.available)}</span> },
    { key: 'pending', title: t('member.pending'), align: 'right', render: (_, w) => i18n.points(w.pending) },
    { key: 'held', title: t('member.held'), align: 'right', render: (_, w) => i18n.points(w.held) },
    { key: 'lifetimeEarned', title: t('member.lifetimeEarned'), align: 'right', render: (_, w) => i18n.points(w.lifetimeEarned) },
    { key: 'expired', title: t('member.expired'), align: 'right', render: (_, w) => i18n.points(w.expired) },
    {
      key: 'nextExpiry',
      title: t('member.nextExpiry'),
      render: (_, w) => {
        const next = nextExpiry(w);
        if (!next) return '—';
        return `${i18n.points(next.points)} · ${next.expiresAt ? formatProgrammeTime(next.expiresAt, 'YYYY-MM-DD') : t('member.never')}`;
      },
    },
  ];
}

function TierCard({ member, i18n }: { readonly member: MemberDetail; readonly i18n: MemberI18n }) {
  const { t } = i18n;
  const progress = member.tierProgress;
  const next = progress.nextTier;
  const percent = next ? Math.min(100, Math.floor((progress.growth / Math.max(1, next.growthThreshold)) * 100)) : 100;
  return (
    <Card title={t('member.tierGrowth')} size="small" style={{ height: '100%' }}>
      <Flex vertical gap="small">
        <Space>
          <TierTag tier={progress.tier} i18n={i18n} />
          <Typography.Text>
            {t('member.growth', { from: progress.growthWindow.fromYear, to: progress.growthWindow.toYear })}: <strong>{i18n.points(progress.growth)}</strong>
          </Typography.Text>
        </Space>
        {next ? (
          <>
            <Progress percent={percent} size="small" aria-label={t('member.nextTier')} />
            <Typography.Text type="secondary">
              {t('member.growthNeeded', { needed: i18n.points(next.growthNeeded), tier: tierName(next.tier, i18n), threshold: i18n.points(next.growthThreshold) })}
            </Typography.Text>
          </>
        ) : (
          <Typography.Text type="secondary">{t('member.topTier')}</Typography.Text>
        )}
        <Descriptions
          size="small"
          column={1}
          items={[
            { key: 'since', label: t('member.tierSince'), children: progress.tierSince ? formatProgrammeTime(progress.tierSince) : t('member.tierSinceRegistration') },
            { key: 'reviewed', label: t('member.tierReviewedAt'), children: progress.tierReviewedAt ? formatProgrammeTime(progress.tierReviewedAt) : t('member.neverReviewed') },
            ...(next
              ? [{ key: 'price', label: t('member.upgradePrice'), children: next.upgradePrice === null ? t('member.notForSale') : i18n.points(next.upgradePrice) }]
              : []),
          ]}
        />
      </Flex>
    </Card>
  );
}

function ReferralsCard({ member, i18n }: { readonly member: MemberDetail; readonly i18n: MemberI18n }) {
  const { t } = i18n;
  const referrals = member.referrals;
  return (
    <Card title={t('member.referrals')} size="small" style={{ height: '100%' }}>
      <Descriptions
        size="small"
        column={1}
        items={[
          { key: 'code', label: t('member.referralCode'), children: <Typography.Text code>{member.referralCode}</Typography.Text> },
          { key: 'by', label: t('member.referredBy'), children: referrals.referredBy ?? t('member.none') },
          {
            key: 'referrer',
            label: t('member.referrer'),
            children: referrals.referrerId ? <Link to={`/members/${encodeURIComponent(referrals.referrerId)}`}>{referrals.referrerId}</Link> : t('member.none'),
          },
          { key: 'count', label: t('member.referredCount'), children: i18n.points(referrals.referredCount) },
          { key: 'points', label: t('member.referralPoints'), children: i18n.points(referrals.referralPointsEarned) },
        ]}
      />
    </Card>
  );
}

/** One member: wallets, tier and growth, referrals, their lists in tabs, the audit trail, and the support actions. */
export function MemberPage() {
  const { memberId = '' } = useParams();
  const api = useApi();
  const i18n = useMessages(memberMessages);
  const { t } = i18n;
  const message = useMessage();
  const queryClient = useQueryClient();
  const session = useSession();
  const mayWrite = canWrite(session?.roles ?? [], 'members');
  const [params, setParams] = useSearchParams();
  const tab: TabKey = isTab(params.get('tab')) ? (params.get('tab') as TabKey) : 'ledger';
  const [dialog, setDialog] = useState<'adjust' | 'tier' | null>(null);
  const [pending, setPending] = useState<readonly ApprovalRequest[]>([]);

  const member = useQuery({
    queryKey: ['member', memberId, 'detail'],
    queryFn: () => unwrap(api.GET('/v1/admin/members/{memberId}', { params: { path: { memberId } } })),
  });
  const walletCols = useMemo(() => walletColumns(i18n), [i18n]);
  const auditFilters = useMemo(() => ({ target: `member:${memberId}` }), [memberId]);

  /** After a change: the member, every list of theirs, their audit trail and the approvals queue are read again. */
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['member', memberId] }),
      queryClient.invalidateQueries({ queryKey: ['audit'] }),
      queryClient.invalidateQueries({ queryKey: ['approvals'] }),
    ]);

  if (member.isPending) {
    return (
      <Flex justify="center" style={{ padding: 48 }}>
        <Spin size="large" />
      </Flex>
    );
  }
  if (member.error || !member.data) {
    return (
      <>
        <Link to="/members">← {t('member.back')}</Link>
        <div style={{ marginTop: 16 }}>
          <ProblemAlert error={member.error} />
        </div>
      </>
    );
  }
  const data = member.data;
  const currencies = data.wallets.map((w) => w.currency);

  return (
    <>
      <Link to="/members">← {t('member.back')}</Link>
      <Flex justify="space-between" align="center" wrap gap="middle" style={{ margin: '12px 0 16px' }}>
        <Space align="center" wrap data-testid="member-header">
          <Typography.Title level={3} style={{ margin: 0 }}>
            {data.memberId}
          </Typography.Title>
          <TierTag tier={data.tier} i18n={i18n} />
          <StatusTag status={data.status} i18n={i18n} />
          <Typography.Text type="secondary">
            {t('members.registeredAt')}: {formatProgrammeTime(data.registeredAt)}
          </Typography.Text>
        </Space>
        {mayWrite ? (
          <Space>
            <Button type="primary" onClick={() => setDialog('adjust')}>
              {t('member.adjust')}
            </Button>
            <Button onClick={() => setDialog('tier')}>{t('member.changeTier')}</Button>
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('member.readOnly')}</Typography.Text>
        )}
      </Flex>

      {pending.map((approval) => (
        <Alert
          key={approval.approvalId}
          type="warning"
          showIcon
          closable
          onClose={() => setPending((all) => all.filter((a) => a.approvalId !== approval.approvalId))}
          style={{ marginBottom: 16 }}
          title={t('adjust.pendingTitle')}
          description={t('adjust.pending', { points: signedPoints(approval.points, i18n), currency: approval.currency, approvalId: approval.approvalId })}
          action={
            <Link to="/approvals">
              <Button size="small">{t('adjust.openApprovals')}</Button>
            </Link>
          }
          data-testid="adjustment-pending"
        />
      ))}
      {data.erasedAt ? (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('member.erased', { at: formatProgrammeTime(data.erasedAt), by: data.erasedBy ?? '' })} />
      ) : null}

      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} xl={12}>
          <Card title={t('member.wallets')} size="small" style={{ height: '100%' }}>
            <Table<Wallet> rowKey="currency" columns={walletCols} dataSource={[...data.wallets]} pagination={false} size="small" scroll={{ x: 'max-content' }} />
          </Card>
        </Col>
        <Col xs={24} md={12} xl={6}>
          <TierCard member={data} i18n={i18n} />
        </Col>
        <Col xs={24} md={12} xl={6}>
          <ReferralsCard member={data} i18n={i18n} />
        </Col>
      </Row>

      <Tabs
        activeKey={tab}
        onChange={(key) => {
          const next = new URLSearchParams(params);
          next.set('tab', key);
          setParams(next, { replace: true });
        }}
        items={[
          { key: 'ledger', label: t('member.tab.ledger'), children: <LedgerTab memberId={memberId} currencies={currencies} /> },
          { key: 'orders', label: t('member.tab.orders'), children: <OrdersTab memberId={memberId} /> },
          { key: 'coupons', label: t('member.tab.coupons'), children: <CouponsTab memberId={memberId} /> },
          { key: 'tasks', label: t('member.tab.tasks'), children: <TasksTab memberId={memberId} /> },
          { key: 'bids', label: t('member.tab.bids'), children: <BidsTab memberId={memberId} /> },
          { key: 'spins', label: t('member.tab.spins'), children: <SpinsTab memberId={memberId} /> },
          {
            key: 'audit',
            label: t('member.tab.audit'),
            children: (
              <div data-testid="member-audit">
                <AuditTable filters={auditFilters} showTarget={false} />
              </div>
            ),
          },
        ]}
      />

      {mayWrite ? (
        <>
          <AdjustmentDialog
            memberId={memberId}
            currencies={currencies}
            open={dialog === 'adjust'}
            onClose={() => setDialog(null)}
            onApplied={(entry) => {
              setDialog(null);
              void message.success(t('adjust.done', { points: signedPoints(entry.points, i18n), currency: entry.currency }));
              void refresh();
            }}
            onPending={(approval) => {
              setDialog(null);
              setPending((all) => [...all.filter((a) => a.approvalId !== approval.approvalId), approval]);
              void refresh();
            }}
          />
          <TierDialog
            memberId={memberId}
            currentTier={data.tier}
            open={dialog === 'tier'}
            onClose={() => setDialog(null)}
            onChanged={(changed) => {
              setDialog(null);
              void message.success(t('tierChange.done', { tier: tierName(changed.tier, i18n) }));
              void refresh();
            }}
          />
        </>
      ) : null}
    </>
  );
}
