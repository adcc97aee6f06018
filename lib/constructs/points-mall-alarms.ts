import { Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus, IRule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { pascal } from './logical-id.js';

/**
 * Thresholds of the operational alarms, in one place so docs/operations.md
 * (Alarms) can quote them. Each says why it is set where it is.
 */
export const alarmThresholds = {
  /** Lambda Errors only count invocations that threw or timed out: the HTTP handlers answer every error they catch as problem+json, so any is a crash, a timeout, or a failed job, batch or event. */
  functionErrors: { period: Duration.minutes(5), threshold: 1, evaluationPeriods: 1 },
  /** Throttled in 3 of the last 5 minutes: a single throttled burst is retried (async, streams) or answered 429, sustained throttling means the concurrency is too small. */
  functionThrottles: { period: Duration.minutes(1), threshold: 1, evaluationPeriods: 5, datapointsToAlarm: 3 },
  /** 5xx above 1 % of the requests over 5 minutes, counted only with at least 20 requests (a lone 503 at night is no outage). */
  api5xxRate: { period: Duration.minutes(5), thresholdPercent: 1, minimumRequests: 20, evaluationPeriods: 1 },
  /** p99 above 2.5 s in 2 of 3 five-minute periods: the functions answer in tens of milliseconds warm, a cold start takes about a second. */
  apiP99Latency: { period: Duration.minutes(5), thresholdMs: 2_500, evaluationPeriods: 3, datapointsToAlarm: 2 },
  /** Throttled DynamoDB requests in 3 of the last 5 minutes: the SDK retries a blip, sustained throttling reaches members as 503s. */
  tableThrottles: { period: Duration.minutes(1), threshold: 1, evaluationPeriods: 5, datapointsToAlarm: 3 },
  /** DynamoDB internal errors (HTTP 500) in 2 of the last 3 five-minute periods: the SDK retries isolated ones. */
  tableSystemErrors: { period: Duration.minutes(5), threshold: 1, evaluationPeriods: 3, datapointsToAlarm: 2 },
  /** Oldest record of a batch older than 2 minutes for 3 minutes in a row: the consumer is falling behind (normal is seconds) or retrying a failing batch; the stream keeps records 24 hours. */
  streamIteratorAge: { period: Duration.minutes(1), thresholdMs: 120_000, evaluationPeriods: 3 },
  /** Any event a rule could not deliver for good, or could not even put in its DLQ. */
  ruleFailures: { period: Duration.minutes(5), threshold: 1, evaluationPeriods: 1 },
} as const;

/** DynamoDB operations the code sends (shared/table/client.ts counts them): the table alarms sum these (an alarm takes at most 10 metrics). */
export const TABLE_OPERATIONS = ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'] as const;

export interface AlarmSpec {
  /** Short kebab-case name; the alarm is called `<stack name>-<name>`. */
  readonly name: string;
  /** What it means, and where its runbook entry is. */
  readonly description: string;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparisonOperator: ComparisonOperator;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm?: number;
  /** Never left to the default: each alarm says what no data means for it. */
  readonly treatMissingData: TreatMissingData;
  /** For percentile statistics: `ignore` keeps a few slow requests at night from deciding alone. */
  readonly evaluateLowSampleCountPercentile?: 'evaluate' | 'ignore';
}

export interface PointsMallAlarmsProps {
  /** SNS topic every alarm notifies (context `alarmTopicArn`). @default - alarms change state only */
  readonly alarmTopicArn?: string;
}

const RUNBOOK = 'Runbook: docs/operations.md, Alarms';

/**
 * Every alarm of the stack goes through `add`: one naming scheme, an explicit
 * missing-data treatment, and the alarm topic as action when there is one, so
 * no alarm can be left without a notification. The `watch*` methods build the
 * operational alarms (functions, API, table, streams, rules); dead-letter
 * queues add theirs through `add` too. `alarms` lists them all for the dashboard.
 */
export class PointsMallAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  /** The alarms worth a graph on the dashboard (API, table, streams). */
  readonly headlineAlarms: Alarm[] = [];
  private readonly namePrefix: string;
  private readonly topicAction: SnsAction | undefined;

  constructor(scope: Construct, id: string, props: PointsMallAlarmsProps = {}) {
    super(scope, id);
    this.namePrefix = Stack.of(this).stackName;
    this.topicAction = props.alarmTopicArn ? new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)) : undefined;
  }

  /** Creates one alarm in `scope` (so a construct keeps its own alarm beside it). */
  add(scope: Construct, id: string, spec: AlarmSpec): Alarm {
    const alarm = new Alarm(scope, id, {
      alarmName: `${this.namePrefix}-${spec.name}`,
      alarmDescription: `${spec.description} ${RUNBOOK}.`,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
      evaluateLowSampleCountPercentile: spec.evaluateLowSampleCountPercentile,
    });
    if (this.topicAction) alarm.addAlarmAction(this.topicAction);
    this.alarms.push(alarm);
    return alarm;
  }

  /** Errors and Throttles of one function. */
  watchFunction(name: string, fn: IFunction): { errors: Alarm; throttles: Alarm } {
    const id = `Fn${pascal(name)}`;
    const { functionErrors: e, functionThrottles: t } = alarmThresholds;
    const errors = this.add(this, `${id}Errors`, {
      name: `fn-${name}-errors`,
      description: `The ${name} function threw or timed out (Lambda Errors).`,
      metric: fn.metricErrors({ period: e.period, statistic: 'Sum' }),
      threshold: e.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: e.evaluationPeriods,
      // No invocations, no errors.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const throttles = this.add(this, `${id}Throttles`, {
      name: `fn-${name}-throttles`,
      description: `Invocations of the ${name} function were throttled (Lambda Throttles) in most of the last minutes.`,
      metric: fn.metricThrottles({ period: t.period, statistic: 'Sum' }),
      threshold: t.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: t.evaluationPeriods,
      datapointsToAlarm: t.datapointsToAlarm,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    return { errors, throttles };
  }

  /** The HTTP API's 5xx rate (5xx / Count) and p99 latency. */
  watchApi(api: IHttpApi): { serverErrorRate: Alarm; latency: Alarm } {
    const { api5xxRate: r, apiP99Latency: l } = alarmThresholds;
    const rate = new MathExpression({
      // Below the minimum volume the rate is 0: a ratio of 1 in 3 says nothing.
      expression: `IF(requests >= ${r.minimumRequests}, 100 * FILL(errors, 0) / requests, 0)`,
      usingMetrics: {
        errors: api.metricServerError({ period: r.period, statistic: 'Sum' }),
        requests: api.metricCount({ period: r.period, statistic: 'Sum' }),
      },
      label: 'API 5xx (% of requests)',
      period: r.period,
    });
    const serverErrorRate = this.add(this, 'Api5xxRate', {
      name: 'api-5xx-rate',
      description: `More than ${r.thresholdPercent} % of API requests answered 5xx over ${r.period.toMinutes()} minutes (at least ${r.minimumRequests} requests).`,
      metric: rate,
      threshold: r.thresholdPercent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: r.evaluationPeriods,
      // No requests, no errors.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const latency = this.add(this, 'ApiP99Latency', {
      name: 'api-p99-latency',
      description: `The API's p99 latency was above ${l.thresholdMs} ms in ${l.datapointsToAlarm} of the last ${l.evaluationPeriods} ${l.period.toMinutes()}-minute periods.`,
      metric: api.metricLatency({ period: l.period, statistic: 'p99' }),
      threshold: l.thresholdMs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: l.evaluationPeriods,
      datapointsToAlarm: l.datapointsToAlarm,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      evaluateLowSampleCountPercentile: 'ignore',
    });
    this.headlineAlarms.push(serverErrorRate, latency);
    return { serverErrorRate, latency };
  }

  /**
   * DynamoDB: ThrottledRequests and SystemErrors of the table (CloudWatch
   * reports both per operation, summed here), and throttle events of each GSI
   * (reported per index; a throttled index write also throttles the table write).
   */
  watchTable(table: ITable, indexNames: readonly string[]): { throttles: Alarm; systemErrors: Alarm; indexThrottles: Alarm[] } {
    const { tableThrottles: t, tableSystemErrors: s } = alarmThresholds;
    const throttles = this.add(this, 'TableThrottledRequests', {
      name: 'table-throttled-requests',
      description: 'DynamoDB throttled requests to the table (ThrottledRequests, all operations) in most of the last minutes.',
      metric: sumPerOperation(table, 'ThrottledRequests', t.period, 'Throttled requests'),
      threshold: t.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: t.evaluationPeriods,
      datapointsToAlarm: t.datapointsToAlarm,
      // DynamoDB reports these only when they happen.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const systemErrors = this.add(this, 'TableSystemErrors', {
      name: 'table-system-errors',
      description: 'DynamoDB answered requests to the table with internal errors (SystemErrors, all operations).',
      metric: sumPerOperation(table, 'SystemErrors', s.period, 'System errors'),
      threshold: s.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: s.evaluationPeriods,
      datapointsToAlarm: s.datapointsToAlarm,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const indexThrottles = indexNames.map((indexName) => {
      const indexMetric = (metricName: string) =>
        new Metric({
          namespace: 'AWS/DynamoDB',
          metricName,
          dimensionsMap: { TableName: table.tableName, GlobalSecondaryIndexName: indexName },
          period: t.period,
          statistic: 'Sum',
        });
      return this.add(this, `Index${pascal(indexName)}ThrottleEvents`, {
        name: `table-index-${indexName.toLowerCase()}-throttle-events`,
        description: `DynamoDB throttled reads or writes of index ${indexName} (ReadThrottleEvents + WriteThrottleEvents) in most of the last minutes.`,
        metric: new MathExpression({
          expression: 'SUM([FILL(reads, 0), FILL(writes, 0)])',
          usingMetrics: { reads: indexMetric('ReadThrottleEvents'), writes: indexMetric('WriteThrottleEvents') },
          label: `${indexName} throttle events`,
          period: t.period,
        }),
        threshold: t.threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: t.evaluationPeriods,
        datapointsToAlarm: t.datapointsToAlarm,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    });
    this.headlineAlarms.push(throttles, systemErrors);
    return { throttles, systemErrors, indexThrottles };
  }

  /**
   * IteratorAge of a stream event source mapping. Lambda reports it per
   * function, and each consumer of lib/routes.ts has its own function.
   */
  watchStreamConsumer(name: string, fn: IFunction): Alarm {
    const a = alarmThresholds.streamIteratorAge;
    const alarm = this.add(this, `Stream${pascal(name)}IteratorAge`, {
      name: `stream-${name}-iterator-age`,
      description: `The ${name} stream consumer is behind: the oldest record of its batches was over ${a.thresholdMs / 1000} s old for ${a.evaluationPeriods} minutes (IteratorAge, maximum).`,
      metric: new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensionsMap: { FunctionName: fn.functionName },
        period: a.period,
        statistic: 'Maximum',
      }),
      threshold: a.thresholdMs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: a.evaluationPeriods,
      // Reported with each batch; no batch means nothing waits (a consumer retrying a failing batch keeps reporting).
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.headlineAlarms.push(alarm);
    return alarm;
  }

  /** FailedInvocations and InvocationsFailedToBeSentToDlq of one rule on the custom bus. */
  watchEventRule(name: string, rule: IRule, bus: IEventBus): { failedInvocations: Alarm; dlqFailures: Alarm } {
    const r = alarmThresholds.ruleFailures;
    // Rules on a custom bus report with both dimensions.
    const ruleMetric = (metricName: string) =>
      new Metric({
        namespace: 'AWS/Events',
        metricName,
        dimensionsMap: { EventBusName: bus.eventBusName, RuleName: rule.ruleName },
        period: r.period,
        statistic: 'Sum',
      });
    const id = `Rule${pascal(name)}`;
    const failedInvocations = this.add(this, `${id}FailedInvocations`, {
      name: `rule-${name}-failed-invocations`,
      description: `Rule ${name} failed to deliver events for good after its retries (FailedInvocations); they went to its DLQ.`,
      metric: ruleMetric('FailedInvocations'),
      threshold: r.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: r.evaluationPeriods,
      // EventBridge sends it only when it is not zero.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const dlqFailures = this.add(this, `${id}DlqFailures`, {
      name: `rule-${name}-dlq-failures`,
      description: `Rule ${name} could not put failed events in its DLQ (InvocationsFailedToBeSentToDlq): those events are lost.`,
      metric: ruleMetric('InvocationsFailedToBeSentToDlq'),
      threshold: r.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: r.evaluationPeriods,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    return { failedInvocations, dlqFailures };
  }
}

/** `SUM` of a table metric over the operations the code sends; operations with no data count as nothing. */
function sumPerOperation(table: ITable, metricName: string, period: Duration, label: string): MathExpression {
  const usingMetrics: Record<string, IMetric> = {};
  TABLE_OPERATIONS.forEach((operation, i) => {
    usingMetrics[`op${i}`] = new Metric({
      namespace: 'AWS/DynamoDB',
      metricName,
      dimensionsMap: { TableName: table.tableName, Operation: operation },
      period,
      statistic: 'Sum',
    });
  });
  return new MathExpression({
    expression: `SUM([${Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(', ')}])`,
    usingMetrics,
    label,
    period,
  });
}

