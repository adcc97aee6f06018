import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Flex, Progress, Row, Statistic, Tag, Typography } from 'antd';
import { useMemo, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { ProblemAlert } from '../../api/use-problem';
import { useSession } from '../../auth/session';
import { Chart } from '../../charts/chart';
import { formatProgrammeTime, TIME_FORMAT } from '../../format';
import { useMessages } from '../../i18n/locale';
import { canSee } from '../../roles';
import { expiryForecastChart, last30DaysChart, type DashboardI18n } from './dashboard-charts';
import { dashboardMessages } from './messages';

type Dashboard = components['schemas']['Dashboard'];
type RunningCampaign = Dashboard['runningCampaigns']['items'][number];

/** The counters trail the ledger by the stream's second or two; a minute is fresh enough for a page left open. */
const REFRESH_MS = 60_000;

function Figure({ testId, title, value, note }: { readonly testId: string; readonly title: string; readonly value: string; readonly note?: ReactNode }) {
  return (
    <Card size="small" style={{ height: '100%' }}>
      <Statistic title={title} value={value} data-testid={testId} />
      {note ? <Typography.Text type="secondary">{note}</Typography.Text> : null}
    </Card>
  );
}

function CampaignBurn({ campaign, i18n }: { readonly campaign: RunningCampaign; readonly i18n: DashboardI18n }) {
  const { t } = i18n;
  const used = i18n.points(campaign.budgetUsed);
  const percent = campaign.budgetPoints ? Math.min(100, (campaign.budgetUsed / campaign.budgetPoints) * 100) : undefined;
  return (
    <div data-testid="running-campaign" data-campaign-id={campaign.campaignId} style={{ padding: '8px 0' }}>
      <Flex justify="space-between" align="baseline" wrap gap="small">
        <Typography.Text strong>{campaign.name}</Typography.Text>
        <Typography.Text type="secondary">
          {t('dashboard.campaigns.window', { from: formatProgrammeTime(campaign.startsAt, TIME_FORMAT), to: formatProgrammeTime(campaign.endsAt, TIME_FORMAT) })}
        </Typography.Text>
      </Flex>
      {percent === undefined ? null : (
        <Progress percent={Math.round(percent * 10) / 10} status={percent >= 100 ? 'exception' : 'active'} strokeColor={percent >= 90 ? '#fa8c16' : undefined} />
      )}
      <Flex gap="small" align="center">
        <Typography.Text type="secondary">
          {campaign.budgetPoints === null
            ? t('dashboard.campaigns.unlimited', { used })
            : t('dashboard.campaigns.burn', { used, budget: i18n.points(campaign.budgetPoints) })}
        </Typography.Text>
        {campaign.activeNow ? null : <Tag>{t('dashboard.campaigns.idle')}</Tag>}
      </Flex>
    </div>
  );
}

function AttentionCount({ testId, title, value, link }: { readonly testId: string; readonly title: string; readonly value: string; readonly link?: ReactNode }) {
  return (
    <Col xs={12} lg={8}>
      <Statistic title={title} value={value} data-testid={testId} />
      {link}
    </Col>
  );
}

/**
 * The console's home: today's figures, the liability, 30 days of issued/redeemed/expired, the expiry forecast, the
 * running campaigns' budget burn and what needs attention (GET /v1/admin/dashboard and
 * GET /v1/admin/reports/expiry-forecast). No antd Table here: the page carries its charts within its size budget.
 */
export function DashboardPage() {
  const api = useApi();
  const i18n = useMessages(dashboardMessages);
  const { t } = i18n;
  const held = useSession()?.roles ?? [];
  const dashboard = useQuery({
    queryKey: ['dashboard'],
    queryFn: () => unwrap(api.GET('/v1/admin/dashboard')),
    refetchInterval: REFRESH_MS,
  });
  const forecast = useQuery({
    queryKey: ['reports', 'expiry-forecast'],
    queryFn: () => unwrap(api.GET('/v1/admin/reports/expiry-forecast')),
    refetchInterval: REFRESH_MS,
  });
  const data = dashboard.data;
  const daysChart = useMemo(() => last30DaysChart(data?.days ?? [], i18n), [data, i18n]);
  const forecastChart = useMemo(() => (forecast.data ? expiryForecastChart(forecast.data, i18n) : undefined), [forecast.data, i18n]);
  const refreshing = dashboard.isFetching || forecast.isFetching;
  const refresh = () => {
    void dashboard.refetch();
    void forecast.refetch();
  };
  const approvalsLink = canSee(held, 'approvals') ? <Link to="/approvals">{t('dashboard.attention.open')}</Link> : undefined;

  return (
    <>
      <Flex justify="space-between" align="center" wrap gap="small" style={{ marginBottom: 16 }}>
        <div>
          <Typography.Title level={3} style={{ margin: 0 }}>
            {t('dashboard.title')}
          </Typography.Title>
          {data ? (
            <Typography.Text type="secondary" data-testid="dashboard-today">
              {t('dashboard.today', { day: data.today.day, zone: data.timezone })} ·{' '}
              {data.outstanding.countedThrough
                ? t('dashboard.countedThrough', { time: formatProgrammeTime(data.outstanding.countedThrough, 'YYYY-MM-DD HH:mm:ss') })
                : t('dashboard.countedNever')}
            </Typography.Text>
          ) : null}
        </div>
        <Button onClick={refresh} loading={refreshing}>
          {t('dashboard.refresh')}
        </Button>
      </Flex>
      {dashboard.error ? <ProblemAlert error={dashboard.error} /> : null}
      {data ? (
        <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
          <Col xs={12} md={8} xl={4}>
            <Figure testId="today-issued" title={t('dashboard.issuedToday')} value={i18n.points(data.today.issued)} />
          </Col>
          <Col xs={12} md={8} xl={4}>
            <Figure testId="today-redeemed" title={t('dashboard.redeemedToday')} value={i18n.points(data.today.redeemed)} />
          </Col>
          <Col xs={12} md={8} xl={4}>
            <Figure testId="today-expired" title={t('dashboard.expiredToday')} value={i18n.points(data.today.expired)} />
          </Col>
          <Col xs={12} md={12} xl={6}>
            <Figure testId="outstanding-points" title={t('dashboard.outstanding')} value={i18n.points(data.outstanding.points)} />
          </Col>
          <Col xs={24} md={12} xl={6}>
            <Figure
              testId="liability"
              title={t('dashboard.liability')}
              value={i18n.money(data.outstanding.liabilityCents)}
              note={t('dashboard.pointsValue', { units: i18n.points(data.unitsPerYuan), yuan: i18n.money(100) })}
            />
          </Col>
        </Row>
      ) : null}
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} xl={14}>
          <Card size="small" title={t('dashboard.last30')} loading={dashboard.isPending && !dashboard.error}>
            <Chart option={daysChart} label={t('dashboard.chart.days')} height={300} />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card size="small" title={t('dashboard.forecast')} loading={forecast.isPending && !forecast.error}>
            {forecast.error ? <ProblemAlert error={forecast.error} /> : null}
            {forecastChart && forecast.data ? (
              <>
                <Chart option={forecastChart} label={t('dashboard.chart.forecast')} height={240} />
                <Row gutter={8}>
                  <Col span={6}>
                    <Statistic title={t('dashboard.forecast.overdue')} value={i18n.points(forecast.data.overdue)} data-testid="forecast-overdue" />
                  </Col>
                  <Col span={6}>
                    <Statistic title={t('dashboard.forecast.later')} value={i18n.points(forecast.data.later)} data-testid="forecast-later" />
                  </Col>
                  <Col span={6}>
                    <Statistic title={t('dashboard.forecast.never')} value={i18n.points(forecast.data.neverExpires)} data-testid="forecast-never" />
                  </Col>
                  <Col span={6}>
                    <Statistic title={t('dashboard.forecast.total')} value={i18n.points(forecast.data.total)} data-testid="forecast-total" />
                  </Col>
                </Row>
              </>
            ) : null}
          </Card>
        </Col>
      </Row>
      {data ? (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={14}>
            <Card
              size="small"
              title={t('dashboard.campaigns')}
              extra={canSee(held, 'campaigns') ? <Link to="/campaigns">{t('dashboard.campaigns.all')}</Link> : null}
            >
              {data.runningCampaigns.items.length === 0 ? <Typography.Text type="secondary">{t('dashboard.campaigns.none')}</Typography.Text> : null}
              {data.runningCampaigns.items.map((campaign) => (
                <CampaignBurn key={campaign.campaignId} campaign={campaign} i18n={i18n} />
              ))}
              {data.runningCampaigns.more ? <Typography.Text type="secondary">{t('dashboard.campaigns.more')}</Typography.Text> : null}
            </Card>
          </Col>
          <Col xs={24} xl={10}>
            <Card size="small" title={t('dashboard.attention')}>
              <Row gutter={[16, 16]}>
                <AttentionCount
                  testId="attention-purchase-reviews"
                  title={t('dashboard.attention.purchaseReviews')}
                  value={i18n.points(data.attention.purchasesAwaitingReview)}
                  link={approvalsLink}
                />
                <AttentionCount
                  testId="attention-adjustments"
                  title={t('dashboard.attention.adjustments')}
                  value={i18n.points(data.attention.adjustmentsAwaitingApproval)}
                  link={approvalsLink}
                />
                <AttentionCount testId="attention-failed-fulfilments" title={t('dashboard.attention.failedFulfilments')} value={i18n.points(data.attention.failedFulfilments)} />
                <AttentionCount testId="attention-parked" title={t('dashboard.attention.parkedMessages')} value={i18n.points(data.attention.parkedMessages)} />
                <AttentionCount
                  testId="attention-dead-letters"
                  title={t('dashboard.attention.deadLetters')}
                  value={i18n.points(data.attention.deadLetters)}
                  link={canSee(held, 'fulfilment') ? <Link to="/fulfilment">{t('dashboard.attention.openFulfilment')}</Link> : undefined}
                />
              </Row>
              <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
                {t('dashboard.attention.noScreen')}
              </Typography.Paragraph>
            </Card>
          </Col>
        </Row>
      ) : null}
    </>
  );
}
