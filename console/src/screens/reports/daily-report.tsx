import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Card, Col, Flex, Row, Statistic, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useApi, type ApiClient } from '../../api/client';
import { unwrap } from '../../api/problem';
import type { components } from '../../api/schema';
import { ProblemAlert } from '../../api/use-problem';
import { Chart, type ChartOption } from '../../charts/chart';
import { formatProgrammeTime } from '../../format';
import { useMessages } from '../../i18n/locale';
import { DateRangeForm, lastDays, type DayRange } from './date-range-form';
import { reportMessages } from './messages';
import { ExportCsvButton, tableColumns, type ReportColumn, type ReportI18n } from './report-table';

type DailyReport = components['schemas']['PointsDailyReport'];
type Day = DailyReport['days'][number];

/** GET /v1/admin/reports/points/daily takes at most this many days. */
const MAX_DAYS = 366;

const dailyKey = (range: DayRange) => ['reports', 'points-daily', range.from, range.to] as const;
const fetchDaily = (api: ApiClient, range: DayRange) =>
  unwrap(api.GET('/v1/admin/reports/points/daily', { params: { query: { from: range.from, to: range.to } } }));

function dailyColumns(i18n: ReportI18n): ReportColumn<Day>[] {
  const { t } = i18n;
  const points = (key: string, header: string, value: (d: Day) => number): ReportColumn<Day> => ({ key, header, kind: 'number', value });
  return [
    { key: 'day', header: t('reports.day'), kind: 'date', value: (d) => d.day },
    points('issued', t('reports.issued'), (d) => d.issued),
    points('redeemed', t('reports.redeemed'), (d) => d.redeemed),
    points('expired', t('reports.expired'), (d) => d.expired),
    points('clawedBack', t('reports.clawedBack'), (d) => d.clawedBack),
    points('adjustedCredit', t('reports.adjustedCredit'), (d) => d.adjustedCredit),
    points('adjustedDebit', t('reports.adjustedDebit'), (d) => d.adjustedDebit),
    points('netChange', t('reports.netChange'), (d) => d.netChange),
    points('outstandingPoints', t('reports.outstandingPoints'), (d) => d.outstandingPoints),
    { key: 'liability', header: t('reports.liability'), kind: 'money', value: (d) => d.liabilityCents },
  ];
}

function dailyChart(days: readonly Day[], i18n: ReportI18n): ChartOption {
  const { t } = i18n;
  const bar = (name: string, data: number[]) => ({ type: 'bar' as const, name, data, tooltip: { valueFormatter: (v: unknown) => i18n.points(Number(v)) } });
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 64, right: 72, top: 48, bottom: 32 },
    xAxis: { type: 'category', data: days.map((d) => d.day) },
    yAxis: [
      { type: 'value', name: t('reports.axis.points') },
      { type: 'value', name: t('reports.axis.money'), splitLine: { show: false } },
    ],
    series: [
      bar(t('reports.issued'), days.map((d) => d.issued)),
      bar(t('reports.redeemed'), days.map((d) => d.redeemed)),
      bar(t('reports.expired'), days.map((d) => d.expired)),
      {
        type: 'line',
        name: t('reports.liability'),
        yAxisIndex: 1,
        data: days.map((d) => d.liabilityCents / 100),
        tooltip: { valueFormatter: (v: unknown) => i18n.money(Math.round(Number(v) * 100)) },
      },
    ],
  };
}

/** The points report by day over a chosen range: totals, a chart, the table and its CSV. */
export function DailyReport() {
  const api = useApi();
  const queryClient = useQueryClient();
  const i18n = useMessages(reportMessages);
  const { t } = i18n;
  const [initial] = useState(() => lastDays(30));
  const [range, setRange] = useState<DayRange>(initial);
  const report = useQuery({ queryKey: dailyKey(range), queryFn: () => fetchDaily(api, range) });

  const load = async (next: DayRange) => {
    // Fetched here so that a refused range lands on the form; the table then reads it from the cache.
    await queryClient.fetchQuery({ queryKey: dailyKey(next), queryFn: () => fetchDaily(api, next) });
    setRange(next);
  };

  const days = useMemo(() => report.data?.days ?? [], [report.data]);
  const columns = useMemo(() => dailyColumns(i18n), [i18n]);
  const chart = useMemo(() => dailyChart(days, i18n), [days, i18n]);
  const data = report.data;

  return (
    <>
      <DateRangeForm maxDays={MAX_DAYS} initial={initial} onSubmit={load} />
      {report.error ? <ProblemAlert error={report.error} /> : null}
      {data ? (
        <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic title={`${t('reports.issued')} · ${t('reports.totals')}`} value={i18n.points(data.totals.issued)} data-testid="report-total-issued" />
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic title={`${t('reports.redeemed')} · ${t('reports.totals')}`} value={i18n.points(data.totals.redeemed)} />
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic title={t('reports.outstandingNow')} value={i18n.points(data.outstanding.points)} />
            </Card>
          </Col>
          <Col xs={12} md={6}>
            <Card size="small">
              <Statistic title={t('reports.liabilityNow')} value={i18n.money(data.outstanding.liabilityCents)} />
            </Card>
          </Col>
        </Row>
      ) : null}
      <Card size="small" style={{ marginBottom: 16 }} loading={report.isPending && !report.error}>
        <Chart option={chart} label={t('reports.chart.daily')} height={340} />
      </Card>
      <Flex justify="space-between" align="center" wrap gap="small" style={{ marginBottom: 8 }}>
        <Typography.Text type="secondary">
          {data
            ? `${data.outstanding.countedThrough ? t('reports.countedThrough', { time: formatProgrammeTime(data.outstanding.countedThrough) }) : t('reports.countedNever')} · ${t('reports.pointsValue', { units: i18n.points(data.unitsPerYuan), yuan: i18n.money(100) })}`
            : ''}
        </Typography.Text>
        <ExportCsvButton columns={columns} rows={days} fileName={`points-by-day-${range.from}-${range.to}.csv`} i18n={i18n} />
      </Flex>
      <Table<Day>
        rowKey="day"
        size="small"
        columns={tableColumns(columns, i18n)}
        dataSource={days}
        loading={report.isPending && !report.error}
        pagination={false}
        scroll={{ x: 'max-content', y: 480 }}
        locale={{ emptyText: t('reports.empty') }}
      />
    </>
  );
}
