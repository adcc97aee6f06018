import type { components } from '../../api/schema';
import type { ChartOption } from '../../charts/chart';
import { formatProgrammeTime } from '../../format';
import type { ScreenI18n } from '../../i18n/locale';
import type { dashboardMessages } from './messages';

type Dashboard = components['schemas']['Dashboard'];
type ExpiryForecast = components['schemas']['ExpiryForecast'];
export type DashboardI18n = ScreenI18n<keyof (typeof dashboardMessages)['en']>;

/** Issued, redeemed and expired per day over the dashboard's 30 days, one line each. */
export function last30DaysChart(days: Dashboard['days'], i18n: DashboardI18n): ChartOption {
  const { t } = i18n;
  const line = (name: string, data: number[]) => ({
    type: 'line' as const,
    name,
    data,
    showSymbol: false,
    tooltip: { valueFormatter: (v: unknown) => i18n.points(Number(v)) },
  });
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 56, right: 16, top: 40, bottom: 28 },
    xAxis: { type: 'category', boundaryGap: false, data: days.map((d) => d.day), axisLabel: { formatter: (day: string) => day.slice(5) } },
    yAxis: { type: 'value' },
    series: [
      line(t('dashboard.issued'), days.map((d) => d.issued)),
      line(t('dashboard.redeemed'), days.map((d) => d.redeemed)),
      line(t('dashboard.expired'), days.map((d) => d.expired)),
    ],
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The points due to expire in each of the next 12 months, as bars; the tooltip adds their value and the expiry time. */
export function expiryForecastChart(forecast: ExpiryForecast, i18n: DashboardI18n): ChartOption {
  const { t } = i18n;
  const months = forecast.months;
  return {
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const first = (Array.isArray(params) ? params[0] : params) as { dataIndex?: number } | undefined;
        const month = months[first?.dataIndex ?? -1];
        if (!month) return '';
        const lines = [
          t('dashboard.forecast.month', { month: month.bucket, date: formatProgrammeTime(month.expiresAt) }),
          `${t('dashboard.forecast.points')}: ${i18n.points(month.points)}`,
          `${t('dashboard.forecast.value')}: ${i18n.money(month.valueCents)}`,
        ];
        return lines.map(escapeHtml).join('<br/>');
      },
    },
    grid: { left: 56, right: 16, top: 16, bottom: 28 },
    xAxis: { type: 'category', data: months.map((m) => m.bucket) },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', name: t('dashboard.forecast.points'), data: months.map((m) => m.points) }],
  };
}
