import { useMemo } from 'react';
import { Chart, type ChartOption } from '../../charts/chart';
import type { Day } from './replay-result';
import type { RulesI18n } from './rules-form';

/** A replay's days: points actually issued and with the draft (bars), and their difference (line). */
export function DaysChart({ days, i18n }: { readonly days: readonly Day[]; readonly i18n: RulesI18n }) {
  const { t } = i18n;
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 40, bottom: 32 },
      dataset: { source: days.map((d) => ({ day: d.day, actual: d.actualPoints, draft: d.draftPoints, difference: d.differencePoints })) },
      xAxis: { type: 'category' },
      yAxis: { type: 'value' },
      series: [
        { type: 'bar', name: t('whatIf.actual'), encode: { x: 'day', y: 'actual' } },
        { type: 'bar', name: t('whatIf.draft'), encode: { x: 'day', y: 'draft' } },
        { type: 'line', name: t('whatIf.difference'), encode: { x: 'day', y: 'difference' } },
      ],
    }),
    [days, t],
  );
  return <Chart option={option} label={t('whatIf.chartLabel')} height={300} />;
}

