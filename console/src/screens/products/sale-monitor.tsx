import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Descriptions, Row, Statistic, Typography } from 'antd';
import { useMemo } from 'react';
import { useApi } from '../../api/client';
import { unwrap } from '../../api/problem';
import { ProblemAlert } from '../../api/use-problem';
import { Chart, type ChartOption } from '../../charts/chart';
import { formatProgrammeTime, programmeTime, PROGRAMME_TIME_ZONE } from '../../format';
import { useMessages } from '../../i18n/locale';
import { productMessages } from './messages';
import type { ProductI18n, SaleMonitor } from './product-values';

/** How often the monitor is read again while it is open (the API reuses its answer for 2 s). */
export const MONITOR_POLL_MS = 3_000;
/** Minutes of history shown. */
const WINDOW_MINUTES = 30;

/** The refusal reasons, in the order the chart stacks them (the contract's SaleRefusals). */
export const REFUSAL_REASONS = ['OUT_OF_STOCK', 'LIMIT_REACHED', 'INSUFFICIENT_POINTS', 'NOT_ON_SALE', 'FORBIDDEN'] as const satisfies readonly (keyof SaleMonitor['refusals'])[];

const REFUSAL_COLOURS: Record<(typeof REFUSAL_REASONS)[number], string> = {
  OUT_OF_STOCK: '#cf1322',
  LIMIT_REACHED: '#fa8c16',
  INSUFFICIENT_POINTS: '#faad14',
  NOT_ON_SALE: '#8c8c8c',
  FORBIDDEN: '#722ed1',
};

/** `2026-12-05T02:03` (UTC minute) → `10:03` in the programme's zone. */
function minuteLabel(minute: string): string {
  return programmeTime(`${minute}:00Z`).format('HH:mm');
}

/** Orders per minute (a line) over the refusals per minute, stacked by reason (bars). */
export function monitorOption(monitor: SaleMonitor, i18n: ProductI18n): ChartOption {
  const { t } = i18n;
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 56, right: 24, top: 56, bottom: 32 },
    xAxis: { type: 'category', name: t('monitor.minute', { zone: PROGRAMME_TIME_ZONE }), nameLocation: 'middle', nameGap: 24, data: monitor.minutes.map((m) => minuteLabel(m.minute)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      ...REFUSAL_REASONS.map((reason) => ({
        type: 'bar' as const,
        stack: 'refusals',
        name: t(`monitor.refusal.${reason}`),
        itemStyle: { color: REFUSAL_COLOURS[reason] },
        data: monitor.minutes.map((m) => m.refusals[reason]),
      })),
      { type: 'line' as const, name: t('monitor.series.orders'), itemStyle: { color: '#1677ff' }, data: monitor.minutes.map((m) => m.orders), showSymbol: false },
    ],
  };
}

/**
 * A product's sale monitor, read every MONITOR_POLL_MS while shown (GET .../sale-monitor, counters only): stock left,
 * orders per minute, sold-out time, refusals by reason as totals and in the chart.
 */
export function SaleMonitorPanel({ productId }: { readonly productId: string }) {
  const api = useApi();
  const i18n = useMessages(productMessages);
  const { t } = i18n;
  const monitor = useQuery({
    queryKey: ['sale-monitor', productId],
    queryFn: () => unwrap(api.GET('/v1/admin/products/{productId}/sale-monitor', { params: { path: { productId }, query: { minutes: WINDOW_MINUTES } } })),
    refetchInterval: MONITOR_POLL_MS,
    refetchIntervalInBackground: false,
  });
  const data = monitor.data;
  const option = useMemo(() => (data ? monitorOption(data, i18n) : undefined), [data, i18n]);
  if (monitor.error && !data) return <ProblemAlert error={monitor.error} />;
  if (!data || !option) return <Card loading />;
  return (
    <>
      {data.ordersCounted ? null : <Alert type="info" showIcon title={t('monitor.notCounted')} style={{ marginBottom: 16 }} />}
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} md={6}>
          <Card size="small" data-testid="monitor-stock-left">
            <Statistic title={t('monitor.stockLeft')} value={i18n.points(data.stock.available)} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small" data-testid="monitor-orders-per-minute">
            <Statistic title={t('monitor.ordersPerMinute')} value={i18n.points(data.ordersPerMinute)} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small" data-testid="monitor-orders-this-minute">
            <Statistic title={t('monitor.ordersThisMinute')} value={i18n.points(data.ordersThisMinute)} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small" data-testid="monitor-sold-out-at">
            <Statistic title={t('monitor.soldOutAt')} value={data.soldOutAt ? programmeTime(data.soldOutAt).format('HH:mm:ss') : t('monitor.notSoldOut')} />
          </Card>
        </Col>
      </Row>
      <Card size="small" title={t('monitor.refusals')} style={{ marginBottom: 16 }}>
        <Descriptions
          data-testid="monitor-refusals"
          size="small"
          column={{ xs: 1, md: 3, xl: 6 }}
          items={[
            { key: 'orders', label: t('monitor.ordersInWindow'), children: <span data-testid="monitor-orders">{i18n.points(data.orders)}</span> },
            ...REFUSAL_REASONS.map((reason) => ({
              key: reason,
              label: t(`monitor.refusal.${reason}`),
              children: <span data-testid={`refusals-${reason}`}>{i18n.points(data.refusals[reason])}</span>,
            })),
          ]}
        />
        <Chart option={option} label={t('monitor.chart')} height={300} />
      </Card>
      <Typography.Paragraph type="secondary">
        {t('monitor.polling', { seconds: MONITOR_POLL_MS / 1000, at: formatProgrammeTime(data.asOf, 'HH:mm:ss') })} · {t('monitor.window', { minutes: WINDOW_MINUTES })}
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary">{t('monitor.lag')}</Typography.Paragraph>
    </>
  );
}
