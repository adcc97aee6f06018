import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { cdkBundling } from './function-bundling.js';
import { logicalIdOf } from './logical-id.js';
import type { PointsMallAlarms } from './points-mall-alarms.js';

const READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
] as const;
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;

/** How much of the table a function may touch (`tableAccess` in lib/routes.ts, minus `none`). */
export type TableAccessMode = 'read' | 'readwrite';

export interface BindTableProps {
  readonly table: ITable;
  readonly accessMode: TableAccessMode;
}

export interface PointsMallFunctionProps {
  /** Absolute path of the handler module; it exports `handler`. */
  readonly entry: string;
  /** Folder holding package.json and package-lock.json (esbuild's working directory). */
  readonly projectRoot: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Reserved concurrency (guaranteed and capped); undefined: the account's unreserved pool. */
  readonly reservedConcurrentExecutions?: number;
  /** POWERTOOLS_SERVICE_NAME: the capability (`members`, `jobs` ...). */
  readonly serviceName: string;
  readonly stage: string;
  readonly eventBusName: string;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** The stack's alarms: the function's Errors, Throttles and dead-letter alarms are made there. */
  readonly alarms: PointsMallAlarms;
  readonly environment?: Record<string, string>;
  /** Whether the function serves the OpenAPI document, written beside its bundle at build time. */
  readonly withOpenApiDocument?: boolean;
}

/**
 * Every Lambda function of the points mall: the defaults live here once
 * (Node 22 on arm64, X-Ray, an explicit log group with retention, minified ESM
 * with the AWS SDK bundled and source maps beside the code, a dead-letter queue for
 * async invocations with its alarm, Errors and Throttles alarms). Table and bus access are granted by
 * `bindTable` and `grantPutEvents`, never by default.
 */
export class PointsMallFunction extends NodejsFunction {
  /** Where async invocations (Scheduler, EventBridge) end up after Lambda's retries. */
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: PointsMallFunctionProps) {
    // Created in the parent scope: `this` does not exist before super().
    const deadLetters = new DeadLetterQueue(scope, `${id}DeadLetters`, {
      purpose: `async invocations of the ${props.serviceName} function that failed every retry`,
      alarms: props.alarms,
    });
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Logs are bounded by retention anyway; the durable record of every change is the ledger.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    super(scope, id, {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: Tracing.ACTIVE,
      logGroup,
      deadLetterQueue: deadLetters.queue,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: 'PointsMall',
        EVENT_BUS_NAME: props.eventBusName,
        STAGE: props.stage,
        ...props.environment,
      },
      // One definition, read by npm run bench:cold-start too (lib/constructs/function-bundling.ts).
      bundling: cdkBundling({ withOpenApiDocument: props.withOpenApiDocument }),
    });
    this.deadLetters = deadLetters;
    // Every function is watched: whatever it serves (HTTP, jobs, streams, events), a throw or a throttle alarms.
    props.alarms.watchFunction(props.serviceName, this);

    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'AWSLambdaBasicExecutionRole is the standard Lambda logging policy: logs:CreateLogGroup, CreateLogStream and PutLogEvents, nothing else; the function writes to its own explicit log group.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Tracing ACTIVE adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions, so Resource must be *.',
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is the runtime the project targets on purpose (bundling target node22; middy 6, vitest 4 and Powertools 2 are checked on it); moving to Node 24 is a separate, tested upgrade.',
      },
    );
  }

  /**
   * Gives the function the table: sets TABLE_NAME and grants read or
   * read-write data access, nothing else (no table management, no streams).
   */
  bindTable({ table, accessMode }: BindTableProps): void {
    this.addEnvironment('TABLE_NAME', table.tableName);
    // An explicit list rather than grantReadWriteData: no Scan (the design never scans) and no stream reads.
    table.grant(this, ...(accessMode === 'readwrite' ? [...READ_ACTIONS, ...WRITE_ACTIONS] : READ_ACTIONS));

    // The grant covers `<table>/index/*` so queries on every GSI work.
    Validations.of(this).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(table)}.Arn>/index/*]`,
      reason:
        'Data access to the table includes its GSIs (<table arn>/index/*); each index of the one table definition serves an access pattern, and the actions are data-plane only.',
    });
  }

  /** Lets the function put events on the bus (events:PutEvents on that bus only). */
  grantPutEvents(bus: IEventBus): void {
    bus.grantPutEventsTo(this);
  }
}
