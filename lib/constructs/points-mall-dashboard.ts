import { Duration, Stack } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  AlarmWidget,
  Dashboard,
  GraphWidget,
  Metric,
  SearchExpression,
  Stats,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { DEFAULT_CURRENCY } from '../../shared/ledger/wallet-item.js';
import { businessMetrics, METRICS_NAMESPACE } from '../../shared/observability/business-metrics.js';
import type { PointsMallAlarms } from './points-mall-alarms.js';

export interface PointsMallDashboardProps {
  /** Built after every alarm was added: its status widget lists them all. */
  readonly alarms: PointsMallAlarms;
}

/** Titles of the dashboard's widgets (docs/operations.md, Dashboard; the infra test looks for each). */
export const dashboardWidgetTitles = {
  redemptionRate: 'Redemption rate (orders placed per minute)',
  flashSaleStock: 'Stock left of live flash sales',
  pointsFlow: `Points issued and redeemed per minute (${DEFAULT_CURRENCY})`,
  alarmStatus: 'Alarms',
} as const;

const PER_MINUTE = Duration.minutes(1);
/** An alarm status widget shows at most 100 alarms. */
const ALARMS_PER_STATUS_WIDGET = 100;

/**
 * One CloudWatch dashboard, named after the stack: the business figures
 * (redemptions, flash-sale stock, points issued and redeemed) over the alarm
 * graphs of the API, the table and the stream consumers, and the state of
 * every alarm.
 */
export class PointsMallDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PointsMallDashboardProps) {
    super(scope, id);

    const business = (metricName: string, service: string, dimensions: Record<string, string> = {}, label?: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service, ...dimensions },
        period: PER_MINUTE,
        statistic: Stats.SUM,
        label,
      });

    const figures: IWidget[] = [
      new GraphWidget({
        title: dashboardWidgetTitles.redemptionRate,
        left: [business(businessMetrics.ordersPlaced, 'orders', {}, 'orders placed')],
        leftYAxis: { min: 0, label: 'orders / min', showUnits: false },
        width: 8,
      }),
      new GraphWidget({
        title: dashboardWidgetTitles.flashSaleStock,
        // One line per product: the job emits only flash-sale products on sale now, so the search stays small.
        left: [
          new SearchExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},productId,service} MetricName="${businessMetrics.flashSaleStockLeft}"', 'Minimum', 60)`,
            label: 'units left',
            period: PER_MINUTE,
          }),
        ],
        leftYAxis: { min: 0, label: 'units', showUnits: false },
        width: 8,
      }),
      new GraphWidget({
        title: dashboardWidgetTitles.pointsFlow,
        left: [
          business(businessMetrics.pointsIssued, 'reports', { currency: DEFAULT_CURRENCY }, 'issued'),
          business(businessMetrics.pointsRedeemed, 'reports', { currency: DEFAULT_CURRENCY }, 'redeemed'),
        ],
        leftYAxis: { min: 0, label: 'points / min', showUnits: false },
        width: 8,
      }),
    ];

    const graphs: IWidget[] = props.alarms.headlineAlarms.map(
      (alarm) => new AlarmWidget({ title: alarm.alarmName, alarm, width: 8 }),
    );

    const statuses: IWidget[] = [];
    for (let i = 0; i < props.alarms.alarms.length; i += ALARMS_PER_STATUS_WIDGET) {
      statuses.push(
        new AlarmStatusWidget({
          title: i === 0 ? dashboardWidgetTitles.alarmStatus : `${dashboardWidgetTitles.alarmStatus} (${i / ALARMS_PER_STATUS_WIDGET + 1})`,
          alarms: props.alarms.alarms.slice(i, i + ALARMS_PER_STATUS_WIDGET),
          width: 24,
          height: 8,
        }),
      );
    }

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: Stack.of(this).stackName,
      widgets: [figures, graphs, statuses],
    });
  }
}
