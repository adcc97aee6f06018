import { useQueryClient } from '@tanstack/react-query';
import { Card, Flex, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useApi, type ApiClient } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { LoadMore, useCursorList } from '../../api/use-cursor-list';
import { ProblemAlert } from '../../api/use-problem';
import { Chart, type ChartOption } from '../../charts/chart';
import { useMessages } from '../../i18n/locale';
import { DateRangeForm, lastDays, type DayRange } from './date-range-form';
import { reportMessages } from './messages';
import { ExportCsvButton, tableColumns, type ReportColumn, type ReportI18n } from './report-table';

type CampaignReportPage = components['schemas']['CampaignReport'];
type CampaignRow = CampaignReportPage['items'][number];
type CampaignDay = CampaignRow['days'][number];

/** GET /v1/admin/reports/campaigns takes at most this many days, and pages of at most 20 campaigns. */
const MAX_DAYS = 31;
const CAMPAIGNS_PER_PAGE = 10;

const campaignsKey = (range: DayRange) => ['reports', 'campaigns', range.from, range.to] as const;
const fetchCampaignPage = (api: ApiClient, range: DayRange, cursor: string | undefined) =>
  unwrap(
    api.GET('/v1/admin/reports/campaigns', {
      params: { query: { from: range.from, to: range.to, limit: CAMPAIGNS_PER_PAGE, ...(cursor ? { cursor } : {}) } },
    }),
  );

const stateColours: Record<CampaignRow['state'], string> = {
  scheduled: 'blue',
  running: 'green',
  paused: 'default',
  'budget-exhausted': 'orange',
  ended: 'default',
};

function campaignColumns(i18n: ReportI18n): ReportColumn<CampaignRow>[] {
  const { t } = i18n;
  const stateText = (c: CampaignRow) => t(`reports.campaign.state.${c.state}`);
  return [
    { key: 'name', header: t('reports.campaign'), kind: 'text', value: (c) => c.name },
    {
      key: 'state',
      header: t('reports.campaign.state'),
      kind: 'text',
      value: stateText,
      render: (c) => <Tag color={stateColours[c.state]}>{stateText(c)}</Tag>,
    },
    { key: 'startsAt', header: t('reports.campaign.startsAt'), kind: 'time', value: (c) => c.startsAt },
    { key: 'endsAt', header: t('reports.campaign.endsAt'), kind: 'time', value: (c) => c.endsAt },
    { key: 'budget', header: t('reports.campaign.budget'), kind: 'number', value: (c) => c.budgetPoints ?? t('reports.campaign.unlimited') },
    { key: 'budgetUsed', header: t('reports.campaign.budgetUsed'), kind: 'number', value: (c) => c.budgetUsed },
    { key: 'participants', header: t('reports.campaign.participants'), kind: 'number', value: (c) => c.totals.participants },
    { key: 'pointsIssued', header: t('reports.campaign.pointsIssued'), kind: 'number', value: (c) => c.totals.pointsIssued },
    { key: 'purchases', header: t('reports.campaign.purchases'), kind: 'number', value: (c) => c.totals.purchases },
    { key: 'sales', header: t('reports.campaign.sales'), kind: 'money', value: (c) => c.totals.salesCents },
  ];
}

function dayColumns(i18n: ReportI18n): ReportColumn<CampaignDay>[] {
  const { t } = i18n;
  return [
    { key: 'day', header: t('reports.day'), kind: 'date', value: (d) => d.bucket },
    { key: 'participants', header: t('reports.campaign.participants'), kind: 'number', value: (d) => d.participants },
    { key: 'pointsIssued', header: t('reports.campaign.pointsIssued'), kind: 'number', value: (d) => d.pointsIssued },
    { key: 'purchases', header: t('reports.campaign.purchases'), kind: 'number', value: (d) => d.purchases },
    { key: 'sales', header: t('reports.campaign.sales'), kind: 'money', value: (d) => d.salesCents },
  ];
}

function campaignChart(days: readonly CampaignDay[], i18n: ReportI18n): ChartOption {
  const { t } = i18n;
  const count = (v: unknown) => i18n.points(Number(v));
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 64, right: 64, top: 48, bottom: 32 },
    xAxis: { type: 'category', data: days.map((d) => d.bucket) },
    yAxis: [
      { type: 'value', name: t('reports.axis.points') },
      { type: 'value', minInterval: 1, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: t('reports.campaign.pointsIssued'), data: days.map((d) => d.pointsIssued), tooltip: { valueFormatter: count } },
      { type: 'line', name: t('reports.campaign.participants'), yAxisIndex: 1, data: days.map((d) => d.participants), tooltip: { valueFormatter: count } },
    ],
  };
}

/** One campaign of the list, by day: chart, table and CSV. */
function CampaignDays({ campaign, range, i18n }: { readonly campaign: CampaignRow; readonly range: DayRange; readonly i18n: ReportI18n }) {
  const columns = useMemo(() => dayColumns(i18n), [i18n]);
  const chart = useMemo(() => campaignChart(campaign.days, i18n), [campaign.days, i18n]);
  return (
    <Card
      size="small"
      title={i18n.t('reports.campaign.byDay', { name: campaign.name })}
      extra={<ExportCsvButton columns={columns} rows={campaign.days} fileName={`campaign-${campaign.campaignId}-${range.from}-${range.to}.csv`} i18n={i18n} />}
      data-testid="campaign-days"
    >
      <Chart option={chart} label={i18n.t('reports.chart.campaign')} height={280} />
      <Table<CampaignDay>
        rowKey="bucket"
        size="small"
        columns={tableColumns(columns, i18n)}
        dataSource={campaign.days}
        pagination={false}
        scroll={{ x: 'max-content', y: 360 }}
      />
    </Card>
  );
}

/** The points report per campaign: the campaigns of a range with their totals, and the one chosen by day. */
export function CampaignReport() {
  const api = useApi();
  const queryClient = useQueryClient();
  const i18n = useMessages(reportMessages);
  const { t } = i18n;
  const [initial] = useState(() => lastDays(MAX_DAYS));
  const [range, setRange] = useState<DayRange>(initial);
  const [chosenId, setChosenId] = useState<string | null>(null);
  const list = useCursorList(campaignsKey(range), (cursor) => fetchCampaignPage(api, range, cursor));

  const load = async (next: DayRange) => {
    // The first page fetched here, so that a refused range lands on the form; the list then reads it from the cache.
    await queryClient.fetchInfiniteQuery({
      queryKey: campaignsKey(next),
      queryFn: ({ pageParam }) => fetchCampaignPage(api, next, pageParam),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    });
    setRange(next);
    setChosenId(null);
  };

  const columns = useMemo(() => campaignColumns(i18n), [i18n]);
  const rows = list.items;
  // The first campaign until the operator chooses another.
  const chosen = rows.find((c) => c.campaignId === chosenId) ?? rows[0];

  return (
    <>
      <DateRangeForm maxDays={MAX_DAYS} initial={initial} onSubmit={load} />
      {list.error ? <ProblemAlert error={list.error} /> : null}
      <Flex justify="space-between" align="center" wrap gap="small" style={{ marginBottom: 8 }}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('reports.campaign.list')}
        </Typography.Title>
        <ExportCsvButton columns={columns} rows={rows} fileName={`campaigns-${range.from}-${range.to}.csv`} i18n={i18n} />
      </Flex>
      <Table<CampaignRow>
        rowKey="campaignId"
        size="small"
        columns={tableColumns(columns, i18n)}
        dataSource={[...rows]}
        loading={list.isPending && !list.error}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('reports.campaign.empty') }}
        rowSelection={{
          type: 'radio',
          columnTitle: t('reports.campaign.choose'),
          selectedRowKeys: chosen ? [chosen.campaignId] : [],
          onChange: (keys) => setChosenId(String(keys[0] ?? '')),
        }}
        onRow={(c) => ({ onClick: () => setChosenId(c.campaignId), style: { cursor: 'pointer' } })}
      />
      <LoadMore count={rows.length} hasNextPage={list.hasNextPage} isFetchingNextPage={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {chosen ? (
        <div style={{ marginTop: 16 }}>
          <CampaignDays key={`${chosen.campaignId}-${range.from}-${range.to}`} campaign={chosen} range={range} i18n={i18n} />
        </div>
      ) : null}
    </>
  );
}
