import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Descriptions, Flex, Row, Segmented, Select, Space, Statistic, Typography } from 'antd';
import dayjs from 'dayjs';
import { Suspense, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { ProblemAlert } from '../../api/use-problem';
import { Chart, type ChartOption } from '../../charts/chart';
import { DATE_FORMAT, formatProgrammeTime, programmeTime, PROGRAMME_TIME_ZONE } from '../../format';
import { useMessages } from '../../i18n/locale';
import { AuditTrail } from './audit-trail';
import { audienceText, BudgetUsed, effectText, recurringText, StateTag, targetsText, type CampaignI18n } from './campaign-columns';
import type { Campaign } from './campaign-values';
import { CampaignFormDialog, useCanEditCampaigns } from './campaigns-page';
import { campaignMessages } from './messages';

type Stats = components['schemas']['CampaignStats'];
type Bucket = NonNullable<Stats['series']>['buckets'][number];
type Granularity = 'day' | 'hour';
const HOUR_RANGES = [1, 2, 7, 31] as const;
type HourRange = (typeof HOUR_RANGES)[number];
/** The API's longest daily series. */
const MAX_DAILY_DAYS = 366;

const localDay = (iso: string | number) => programmeTime(new Date(iso).toISOString()).format(DATE_FORMAT);
const daysBefore = (day: string, days: number) => dayjs(day).subtract(days, 'day').format(DATE_FORMAT);

/**
 * The programme days a series covers: up to the campaign's last day or today, whichever is first; hourly ones the
 * chosen number of days back from there, daily ones from its first day (at most the API's 366 days).
 */
export function seriesRange(schedule: Campaign['schedule'], granularity: Granularity, hourDays: HourRange, now = Date.now()): { from: string; to: string } {
  const first = localDay(schedule.startsAt);
  let to = localDay(Math.min(now, Date.parse(schedule.endsAt) - 1));
  if (to < first) to = first;
  const back = granularity === 'hour' ? daysBefore(to, hourDays - 1) : daysBefore(to, MAX_DAILY_DAYS - 1);
  return { from: back > first ? back : first, to };
}

/** `2026-12-05T14` → `12-05 14:00`; `2026-12-05` as it is. */
function bucketLabel(bucket: string): string {
  return bucket.length > 10 ? `${bucket.slice(5, 10)} ${bucket.slice(11, 13)}:00` : bucket;
}

/** Participants and points issued (per bucket and cumulative, from what was issued before the range) against the budget line. */
function burnOption(stats: Stats, buckets: readonly Bucket[], i18n: CampaignI18n): ChartOption {
  const { t } = i18n;
  const inRange = buckets.reduce((sum, b) => sum + b.pointsIssued, 0);
  // The range ends with the campaign's last day so far: what it issued before the range is the rest of its total.
  let running = Math.max(0, stats.pointsIssued - inRange);
  const cumulative = buckets.map((b) => (running += b.pointsIssued));
  const budget = stats.budgetPoints;
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 72, right: 56, top: 48, bottom: 32 },
    xAxis: { type: 'category', data: buckets.map((b) => bucketLabel(b.bucket)) },
    yAxis: [
      { type: 'value', name: t('page.pointsIssued'), max: budget === null ? undefined : (extent: { max: number }) => Math.ceil(Math.max(extent.max, budget) * 1.05) },
      { type: 'value', name: t('page.participants'), minInterval: 1 },
    ],
    series: [
      { type: 'bar', name: t('page.series.pointsIssued'), data: buckets.map((b) => b.pointsIssued) },
      {
        type: 'line',
        name: t('page.series.cumulative'),
        data: cumulative,
        showSymbol: false,
        ...(budget === null
          ? {}
          : {
              markLine: {
                symbol: 'none',
                lineStyle: { color: '#cf1322', type: 'dashed' },
                label: { formatter: `${t('page.series.budget')} ${i18n.points(budget)}`, position: 'insideEndTop' },
                data: [{ yAxis: budget }],
              },
            }),
      },
      { type: 'line', name: t('page.series.newParticipants'), yAxisIndex: 1, data: buckets.map((b) => b.participants), step: 'end', showSymbol: false },
    ],
  };
}

function salesOption(buckets: readonly Bucket[], i18n: CampaignI18n): ChartOption {
  const { t } = i18n;
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 72, right: 72, top: 48, bottom: 32 },
    xAxis: { type: 'category', data: buckets.map((b) => bucketLabel(b.bucket)) },
    yAxis: [
      { type: 'value', name: t('page.purchases'), minInterval: 1 },
      { type: 'value', name: t('page.series.sales') },
    ],
    series: [
      { type: 'bar', name: t('page.series.purchases'), data: buckets.map((b) => b.purchases) },
      { type: 'line', name: t('page.series.sales'), yAxisIndex: 1, data: buckets.map((b) => b.salesCents / 100), showSymbol: false },
    ],
  };
}

function Definition({ campaign, i18n }: { readonly campaign: Campaign; readonly i18n: CampaignI18n }) {
  const { t } = i18n;
  const recurring = recurringText(campaign.schedule, i18n);
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, md: 2, xl: 3 }}
      items={[
        { key: 'status', label: t('campaigns.status'), children: t(`campaigns.status.${campaign.status}`) },
        { key: 'effect', label: t('campaigns.effect'), children: effectText(campaign.effect, i18n) },
        {
          key: 'schedule',
          label: t('page.schedule'),
          children: (
            <span>
              {formatProgrammeTime(campaign.schedule.startsAt)} – {formatProgrammeTime(campaign.schedule.endsAt)}
              {recurring ? <div>{recurring}</div> : null}
            </span>
          ),
        },
        { key: 'audience', label: t('campaigns.audience'), children: audienceText(campaign.audience, i18n) },
        { key: 'targets', label: t('campaigns.targets'), children: targetsText(campaign.targets, i18n) },
        { key: 'budget', label: t('campaigns.budget'), children: campaign.budgetPoints === null ? t('campaigns.unlimited') : i18n.points(campaign.budgetPoints) },
        { key: 'cap', label: t('campaigns.perMemberCap'), children: campaign.perMemberCap === null ? t('campaigns.unlimited') : i18n.points(campaign.perMemberCap) },
        { key: 'version', label: t('page.version'), children: campaign.version },
        { key: 'created', label: t('page.createdBy'), children: `${campaign.createdBy}, ${formatProgrammeTime(campaign.createdAt)}` },
        { key: 'updated', label: t('campaigns.updatedAt'), children: formatProgrammeTime(campaign.updatedAt) },
      ]}
    />
  );
}

function Totals({ stats, i18n }: { readonly stats: Stats; readonly i18n: CampaignI18n }) {
  const { t } = i18n;
  return (
    <Row gutter={[16, 16]}>
      <Col xs={12} lg={5}>
        <Statistic title={t('page.participants')} value={i18n.points(stats.participants)} data-testid="total-participants" />
      </Col>
      <Col xs={12} lg={7}>
        <Statistic title={t('page.pointsIssued')} value={i18n.points(stats.pointsIssued)} data-testid="total-points-issued" />
        <BudgetUsed used={stats.pointsIssued} budget={stats.budgetPoints} i18n={i18n} />
      </Col>
      <Col xs={12} lg={4}>
        <Statistic title={t('page.purchases')} value={i18n.points(stats.purchases)} data-testid="total-purchases" />
      </Col>
      <Col xs={12} lg={4}>
        <Statistic title={t('page.sales')} value={i18n.money(stats.salesCents)} data-testid="total-sales" />
      </Col>
      <Col xs={12} lg={4}>
        <Statistic title={t('page.budgetLeft')} value={stats.budgetLeft === null ? t('campaigns.unlimited') : i18n.points(stats.budgetLeft)} />
      </Col>
    </Row>
  );
}

/** One campaign (/console/campaigns/:campaignId): definition, totals, charts over time by hour or day, audit trail. */
export function CampaignPage() {
  const { campaignId = '' } = useParams();
  const api = useApi();
  const i18n = useMessages(campaignMessages);
  const { t } = i18n;
  const writer = useCanEditCampaigns();
  const [granularity, setGranularity] = useState<Granularity>('day');
  const [hourDays, setHourDays] = useState<HourRange>(2);
  const [editing, setEditing] = useState<{ open: boolean; opened: boolean }>({ open: false, opened: false });
  const campaign = useQuery({
    queryKey: ['campaign', campaignId],
    queryFn: () => unwrap(api.GET('/v1/admin/campaigns/{campaignId}', { params: { path: { campaignId } } })),
  });
  const range = campaign.data ? seriesRange(campaign.data.schedule, granularity, hourDays) : undefined;
  const stats = useQuery({
    queryKey: ['campaign', campaignId, 'stats', granularity, range?.from, range?.to],
    enabled: range !== undefined,
    queryFn: () =>
      unwrap(api.GET('/v1/admin/campaigns/{campaignId}/stats', { params: { path: { campaignId }, query: { granularity, ...range } } })),
  });
  const buckets = stats.data?.series?.buckets;
  const burn = useMemo(() => (stats.data && buckets ? burnOption(stats.data, buckets, i18n) : undefined), [stats.data, buckets, i18n]);
  const sales = useMemo(() => (buckets ? salesOption(buckets, i18n) : undefined), [buckets, i18n]);

  if (campaign.error) {
    return (
      <>
        <Link to="/campaigns">← {t('page.back')}</Link>
        <div style={{ marginTop: 16 }}>
          <ProblemAlert error={campaign.error} />
        </div>
      </>
    );
  }
  const data = campaign.data;
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Link to="/campaigns">← {t('page.back')}</Link>
        <Flex justify="space-between" align="center" wrap gap="middle" style={{ marginTop: 8 }}>
          <Space align="center">
            <Typography.Title level={3} style={{ margin: 0 }}>
              {data?.name ?? campaignId}
            </Typography.Title>
            {stats.data ? <StateTag state={stats.data.state} i18n={i18n} /> : null}
          </Space>
          {writer && data ? (
            <Button type="primary" onClick={() => setEditing({ open: true, opened: true })}>
              {t('campaigns.edit')}
            </Button>
          ) : null}
        </Flex>
      </div>
      <Card title={t('page.definition')} loading={campaign.isPending}>
        {data ? <Definition campaign={data} i18n={i18n} /> : null}
      </Card>
      <Card title={t('page.totals')} loading={stats.isPending}>
        {stats.error ? <ProblemAlert error={stats.error} /> : null}
        {stats.data ? <Totals stats={stats.data} i18n={i18n} /> : null}
      </Card>
      <Card
        title={t('page.overTime')}
        extra={
          <Space wrap>
            <Segmented<Granularity>
              aria-label={t('page.granularity')}
              value={granularity}
              onChange={setGranularity}
              options={[
                { value: 'day', label: t('page.byDay') },
                { value: 'hour', label: t('page.byHour') },
              ]}
            />
            {granularity === 'hour' ? (
              <Select<HourRange>
                aria-label={t('page.hourRange')}
                value={hourDays}
                onChange={setHourDays}
                style={{ width: 160 }}
                options={HOUR_RANGES.map((days) => ({ value: days, label: t(`page.hourRange.${days}`) }))}
              />
            ) : null}
          </Space>
        }
      >
        {range ? (
          <Typography.Paragraph type="secondary">{t('page.seriesRange', { from: range.from, to: range.to, zone: PROGRAMME_TIME_ZONE })}</Typography.Paragraph>
        ) : null}
        {burn && sales ? (
          <Row gutter={[24, 24]}>
            <Col xs={24} xl={12}>
              <Typography.Title level={5}>{t('page.chart.burn')}</Typography.Title>
              <Chart option={burn} label={t('page.chart.burn')} />
            </Col>
            <Col xs={24} xl={12}>
              <Typography.Title level={5}>{t('page.chart.sales')}</Typography.Title>
              <Chart option={sales} label={t('page.chart.sales')} />
            </Col>
          </Row>
        ) : null}
      </Card>
      <Card title={t('page.audit')}>
        <AuditTrail target={`campaign:${campaignId}`} i18n={i18n} />
      </Card>
      {writer && data && editing.opened ? (
        <Suspense>
          <CampaignFormDialog open={editing.open} campaign={data} onClose={() => setEditing({ open: false, opened: true })} />
        </Suspense>
      ) : null}
    </Space>
  );
}
