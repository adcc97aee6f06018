import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  DatasetComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  type DatasetComponentOption,
  type GridComponentOption,
  type LegendComponentOption,
  type MarkLineComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { init, use as registerInECharts, type ComposeOption, type ECharts } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useI18n } from '../i18n/locale';

// Only what the console draws (line and bar series over time, a budget line): ECharts is tree-shaken through
// echarts/core, so each chart type or component added here is added to the screens that chart, nowhere else.
registerInECharts([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, DatasetComponent, MarkLineComponent, CanvasRenderer]);

/** An ECharts option limited to the registered series and components (an unregistered one is a type error). */
export type ChartOption = ComposeOption<
  | LineSeriesOption
  | BarSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | LegendComponentOption
  | DatasetComponentOption
  | MarkLineComponentOption
>;

export interface ChartProps {
  readonly option: ChartOption;
  /** What the chart shows, for screen readers (the canvas has no text). */
  readonly label: string;
  readonly height?: number;
}

/**
 * An ECharts chart: created on mount (again when the locale changes, for ECharts' own texts), given the option
 * whenever it changes, resized with its box, disposed on unmount.
 */
export function Chart({ option, label, height = 320 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const { locale } = useI18n();
  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const instance = init(element, undefined, { renderer: 'canvas', locale: locale === 'zh-CN' ? 'ZH' : 'EN' });
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.resize());
    resize.observe(element);
    return () => {
      resize.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [locale]);
  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option, locale]);
  return <div ref={box} role="img" aria-label={label} style={{ width: '100%', height }} />;
}
