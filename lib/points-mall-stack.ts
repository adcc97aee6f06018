import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Aws, CfnOutput, Duration, Lazy, Stack, TimeZone, Validations, type StackProps } from 'aws-cdk-lib';
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, Rule, type EventPattern } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource, type DynamoEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Construct } from 'constructs';
import { ConsoleHosting, cognitoIdpOrigin } from './constructs/console-hosting.js';
import { CursorKey } from './constructs/cursor-key.js';
import { DeadLetterQueue } from './constructs/dead-letter-queue.js';
import { logicalIdOf, pascal } from './constructs/logical-id.js';
import { PointsMallAlarms } from './constructs/points-mall-alarms.js';
import { PointsMallApi } from './constructs/points-mall-api.js';
import { POS_OAUTH_SCOPE, PointsMallAuth } from './constructs/points-mall-auth.js';
import { PointsMallDashboard } from './constructs/points-mall-dashboard.js';
import { PointsMallFunction } from './constructs/points-mall-function.js';
import { PointsMallTable } from './constructs/points-mall-table.js';
import { SupplierCredentials, type SupplierEndpointConfig } from './constructs/supplier-credentials.js';
import { tableDefinition } from '../shared/table/definition.js';
import { knownSenders } from '../shared/webhooks/senders.js';
import { operations } from '../shared/contracts/index.js';
import { pagesWithCursor } from '../shared/contracts/operation.js';
import {
  defaultRoute,
  eventRules,
  functionNames,
  functions,
  routes,
  schedules,
  streamConsumers,
  type EventRuleSpec,
  type FunctionName,
} from './routes.js';

/**
 * A table-stream source whose mapping is named after its consumer.
 * DynamoEventSource names a function's mapping after the table, so a second
 * consumer of the stream on the same function would clash with the first. The
 * first consumer of each function keeps that name (its deployed mapping, and
 * its position in the stream, stay as they are); later ones use this.
 */
class ConsumerStreamSource extends DynamoEventSource {
  constructor(
    private readonly mappingId: string,
    private readonly streamTable: ITable,
    props: DynamoEventSourceProps,
  ) {
    super(streamTable, props);
  }

  override bind(target: IFunction): void {
    if (!this.streamTable.tableStreamArn) throw new Error(`the table of stream consumer ${this.mappingId} has no stream`);
    target.addEventSourceMapping(this.mappingId, this.enrichMappingOptions({ eventSourceArn: this.streamTable.tableStreamArn }));
    this.streamTable.grantStreamRead(target);
  }
}

/** The project root: `entry` paths in lib/routes.ts are relative to it. */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Context `posStores`: store ids, comma-separated on the command line (`-c posStores=store1,store2`) or a list in cdk.json. */
function posStoresFromContext(scope: Construct): string[] {
  const value: unknown = scope.node.tryGetContext('posStores');
  const ids = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return ids.map((id) => id.trim()).filter(Boolean);
}

export interface PointsMallStackProps extends StackProps {
  /** Deployment stage, passed to the functions as STAGE. Lowercase letters, digits, hyphens. @default 'dev' */
  readonly stage?: string;
  /** Name of the custom event bus. @default 'points-mall' */
  readonly eventBusName?: string;
  /** Stage-wide steady-state request rate (requests per second). @default 2000 */
  readonly apiRateLimit?: number;
  /** Stage-wide burst (requests). @default 5000 */
  readonly apiBurstLimit?: number;
  /** Origins browser clients may call from. @default ['*'] (tokens travel in a header, never cookies) */
  readonly corsAllowOrigins?: string[];
  /** Retention of function and access logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /**
   * Prefix of the Cognito domain (OAuth token endpoint for POS). Must be unique in the region.
   * @default `points-mall-<stage>-<account id>`
   */
  readonly authDomainPrefix?: string;
  /**
   * Stores that get a POS app client of their own (docs/operations.md, POS terminals and stores).
   * @default - context `posStores` (comma-separated store ids), else none
   */
  readonly posStores?: readonly string[];
    /** SNS topic every alarm notifies. @default - alarms only, no notification */
  readonly alarmTopicArn?: string;
  /**
   * Apply the functions' `reservedConcurrency` (lib/routes.ts). Off for accounts whose Lambda concurrency
   * quota is below 1,000 (new accounts start lower), where Lambda refuses the reservations. @default true
   */
  readonly reserveConcurrency?: boolean;
  /**
   * Public keys (PEM) of the webhook senders: `{ suppliers: { jd: '...' }, payments: { wechatpay: '...' } }`.
   * Public keys are not secrets; a sender without a key is answered 404. @default - context `webhookSenders`, else none
   */
  readonly webhookSenders?: Record<string, Record<string, string>>;
  /**
   * Base URL of each supplier's order API: `{ jd: { baseUrl: 'https://...' }, tmall: { ... } }`, given to the
   * fulfilment function as SUPPLIER_ENDPOINTS (credentials live in the supplier secrets). @default - context `supplierEndpoints`, else none
   */
  readonly supplierEndpoints?: Record<string, SupplierEndpointConfig>;
  /**
   * Base URL of each payment provider's refund API: `{ wechatpay: { baseUrl: 'https://...' }, alipay: { ... } }`, given to
   * the fulfilment function as PAYMENT_ENDPOINTS (credentials live in the payment secrets). @default - context `paymentEndpoints`, else none
   */
  readonly paymentEndpoints?: Record<string, SupplierEndpointConfig>;
  /**
   * The operator console's build (`npm run build:console`). When it has no index.html, a placeholder page is
   * deployed in its place (and the synth says so). @default `<project>/console/dist`
   */
  readonly consoleDist?: string;
}


function eventPatternOf(spec: EventRuleSpec): EventPattern {
  const { source, 'detail-type': detailType, detail } = spec.pattern;
  return {
    ...(source ? { source: [...source] } : {}),
    ...(detailType ? { detailType: [...detailType] } : {}),
    ...(detail ? { detail } : {}),
  };
}

/**
 * The points mall on AWS: one table, a user pool, an HTTP API, one function
 * per capability, a custom event bus with its rules, and the job schedules.
 * Routes, functions, rules and schedules all come from lib/routes.ts, so this
 * stack never lists them itself. Environment-agnostic: it synthesizes offline.
 */
export class PointsMallStack extends Stack {
  readonly table: PointsMallTable;
  readonly auth: PointsMallAuth;
  readonly api: PointsMallApi;
  readonly bus: EventBus;
  readonly functions: Readonly<Record<FunctionName, PointsMallFunction>>;
  /** One Secrets Manager secret per supplier (placeholder value until operators put the credentials in). */
  readonly supplierCredentials: SupplierCredentials;
  /** One Secrets Manager secret per payment provider (its refund API's credentials; placeholder value until operators put them in). */
  readonly paymentCredentials: SupplierCredentials;
  /** The secret that seals list cursors, readable by the functions that page. */
  readonly cursorKey: CursorKey;
  /** Every alarm of the stack (docs/operations.md, Alarms). */
  readonly alarms: PointsMallAlarms;
  readonly dashboard: PointsMallDashboard;
  /** The operator console: bucket, distribution, deployments (docs/operations.md, Operator console). */
  readonly operatorConsole: ConsoleHosting;

  constructor(scope: Construct, id: string, props: PointsMallStackProps = {}) {
    super(scope, id, props);

    const stage = props.stage ?? 'dev';
    if (!/^[a-z0-9-]+$/.test(stage)) throw new Error(`stage must be lowercase letters, digits and hyphens, got "${stage}"`);
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    // Every alarm of the stack is made through this one construct (named, missing data explicit, the topic as action).
    const alarms = new PointsMallAlarms(this, 'Alarms', { alarmTopicArn: props.alarmTopicArn });
    this.alarms = alarms;

    this.table = new PointsMallTable(this, 'PointsMallTable');
    this.bus = new EventBus(this, 'EventBus', { eventBusName: props.eventBusName ?? `points-mall-${stage}` });
    this.auth = new PointsMallAuth(this, 'Auth', {
      domainPrefix: props.authDomainPrefix ?? `points-mall-${stage}-${Aws.ACCOUNT_ID}`,
      posStores: props.posStores ?? posStoresFromContext(this),
    });

    this.cursorKey = new CursorKey(this, 'CursorKey', { stage });
    // Derived from the contracts, so a list added to a function brings the key with it.
    const paging = new Set<FunctionName>(routes.filter((route) => pagesWithCursor(operations[route.operation])).map((route) => route.fn));

    const built = {} as Record<FunctionName, PointsMallFunction>;
    for (const name of functionNames) {
      const spec = functions[name];
      const fn = new PointsMallFunction(this, `${pascal(name)}Function`, {
        entry: resolve(PROJECT_ROOT, spec.entry),
        projectRoot: PROJECT_ROOT,
        description: spec.description,
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        reservedConcurrentExecutions: props.reserveConcurrency === false ? undefined : spec.reservedConcurrency,
        serviceName: name,
        stage,
        eventBusName: this.bus.eventBusName,
        logRetention,
        alarms,
        // The system function serves GET /v1/openapi.json from a document generated as it is bundled.
        withOpenApiDocument: name === 'system',
      });
      if (spec.tableAccess !== 'none') fn.bindTable({ table: this.table.table, accessMode: spec.tableAccess });
      if (spec.publishesEvents) fn.grantPutEvents(this.bus);
      if (paging.has(name)) this.cursorKey.grantTo(fn);
      if (name === 'webhooks') {
        const senders = props.webhookSenders ?? (this.node.tryGetContext('webhookSenders') as Record<string, Record<string, string>> | undefined) ?? {};
        fn.addEnvironment('WEBHOOK_SENDERS', JSON.stringify(senders));
      }
      built[name] = fn;
    }
    this.functions = built;

    this.supplierCredentials = new SupplierCredentials(this, 'SupplierCredentials', {
      suppliers: knownSenders.suppliers,
      stage,
      endpoints:
        props.supplierEndpoints ?? (this.node.tryGetContext('supplierEndpoints') as Record<string, SupplierEndpointConfig> | undefined) ?? {},
    });
    this.paymentCredentials = new SupplierCredentials(this, 'PaymentCredentials', {
      kind: 'payments',
      suppliers: knownSenders.payments,
      stage,
      endpoints: props.paymentEndpoints ?? (this.node.tryGetContext('paymentEndpoints') as Record<string, SupplierEndpointConfig> | undefined) ?? {},
    });
    // The function that calls the supplier adapters (and the payment providers' refund APIs), once lib/routes.ts declares it.
    const fulfilment = (this.functions as Partial<Record<string, PointsMallFunction>>).fulfilment;
    if (fulfilment) {
      this.grantSupplierAccess(fulfilment);
      this.paymentCredentials.grantTo(fulfilment);
    }

    // The console's distribution comes before the API: the console client's callback URLs name the distribution,
    // and the API's authorizer must accept that client. The API origin its CSP allows is filled in at synth.
    this.operatorConsole = new ConsoleHosting(this, 'Console', {
      consoleDist: props.consoleDist ?? resolve(PROJECT_ROOT, 'console/dist'),
      connectSources: [
        Lazy.string({ produce: () => this.api.httpApi.apiEndpoint }),
        this.auth.domain.baseUrl(),
        cognitoIdpOrigin(this),
      ],
      logRetention,
    });
    const consoleUrl = this.operatorConsole.consoleUrl;
    this.auth.addConsoleClient({ callbackUrls: [`${consoleUrl}callback`], logoutUrls: [consoleUrl] });

    this.api = new PointsMallApi(this, 'Api', {
      apiName: `points-mall-${stage}`,
      routes,
      defaultRoute,
      functions: this.functions,
      jwtIssuer: this.auth.issuer,
      // The authorizer accepts tokens of these app clients only: a store's POS client must be one of them.
      jwtAudience: [
        this.auth.mobileClient.userPoolClientId,
        this.auth.posClient.userPoolClientId,
        ...[...this.auth.storePosClients.values()].map((c) => c.userPoolClientId),
        this.auth.consoleClient.userPoolClientId,
        // Admitted by the stock-feed routes alone: the handler checks its scope (operator routes carry no gateway scope).
        this.auth.inventoryClient.userPoolClientId,
      ],
      posScope: POS_OAUTH_SCOPE,
      throttle: { rateLimit: props.apiRateLimit ?? 2000, burstLimit: props.apiBurstLimit ?? 5000 },
      corsAllowOrigins: props.corsAllowOrigins ?? ['*'],
      logRetention,
    });

    this.operatorConsole.deployConsole({
      apiBaseUrl: this.api.httpApi.apiEndpoint,
      auth: {
        kind: 'cognito',
        authority: this.auth.issuer,
        clientId: this.auth.consoleClient.userPoolClientId,
        redirectUri: `${consoleUrl}callback`,
        logoutUri: consoleUrl,
        domain: this.auth.domain.baseUrl(),
        scope: 'openid email profile',
      },
    });
    // GET /v1/docs loads Swagger UI from the distribution (the function depends on it, never the other way).
    this.functions.system.addEnvironment('DOCS_ASSETS_BASE', this.operatorConsole.docsAssetsBase);

    // One DLQ for every rule (each message names its rule), consumed with the rule targets' own DLQs by the outbox
    // function, which records each message as a DeadLetter item (docs/operations.md, Dead letters).
    const ruleDeadLetters = new DeadLetterQueue(this, 'EventRulesDeadLetters', {
      purpose: 'events the bus could not deliver to a rule target (the message attributes name the rule); the outbox function records them as dead letters',
      alarms,
      usedBy: 'event-rule',
    });
    const deadLetterQueues = [ruleDeadLetters, ...new Set(eventRules.map((spec) => spec.fn))].map((source) =>
      source instanceof DeadLetterQueue ? source.queue : this.functions[source].deadLetters.queue,
    );
    for (const queue of deadLetterQueues) {
      this.functions.outbox.addEventSource(new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
    }
    // The queues empty as soon as their messages are recorded: the alarm is on the dead letters recorded.
    alarms.add(this, 'DeadLettersRecordedAlarm', {
      name: 'dead-letters-recorded',
      description: 'Deliveries failed for good and were recorded as dead letters (GET /v1/admin/dead-letters, the console\'s Fulfilment screen): fix the cause, then redrive or discard them.',
      metric: new Metric({
        namespace: 'PointsMall',
        metricName: 'DeadLettersRecorded',
        dimensionsMap: { service: 'outbox' },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const spec of eventRules) {
      const id = pascal(spec.name);
      const deadLetters = ruleDeadLetters;
      const rule = new Rule(this, `${id}Rule`, {
        eventBus: this.bus,
        description: spec.description,
        eventPattern: eventPatternOf(spec),
        targets: [
          new LambdaFunction(this.functions[spec.fn], {
            retryAttempts: 8,
            maxEventAge: Duration.hours(24),
            deadLetterQueue: deadLetters.queue,
          }),
        ],
      });
      alarms.watchEventRule(spec.name, rule, this.bus);
    }

    // One role for every schedule, assumable by EventBridge Scheduler of this account only.
    const schedulerRole =
      schedules.length > 0
        ? new Role(this, 'SchedulerRole', {
            description: 'EventBridge Scheduler: invokes the job functions and writes undeliverable runs to their DLQs',
            assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
              conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
            }),
          })
        : undefined;
    for (const spec of schedules) {
      const id = pascal(spec.name);
      const deadLetters = new DeadLetterQueue(this, `${id}ScheduleDeadLetters`, {
        purpose: `runs of schedule ${spec.name} that could not be delivered to the ${spec.fn} function`,
        alarms,
        usedBy: 'schedule',
      });
      new Schedule(this, `${id}Schedule`, {
        description: spec.description,
        schedule: ScheduleExpression.expression(spec.expression, TimeZone.of(spec.timezone)),
        target: new LambdaInvoke(this.functions[spec.fn], {
          role: schedulerRole,
          input: ScheduleTargetInput.fromObject({ job: spec.name }),
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: deadLetters.queue,
        }),
      });
      if (schedulerRole) {
        Validations.of(schedulerRole).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(this.functions[spec.fn])}.Arn>:*]`,
          reason: `grantInvoke on the ${spec.fn} function also covers its versions and aliases (<function arn>:*); the wildcard never reaches another function.`,
        });
      }
    }

    // Table stream consumers: filtered on AWS, so other items never invoke them; failed batches are
    // split and retried (consumers count each record once), and what still fails lands in a DLQ.
    const fedByStream = new Set<FunctionName>();
    for (const spec of streamConsumers) {
      const id = pascal(spec.name);
      const deadLetters = new DeadLetterQueue(this, `${id}StreamDeadLetters`, {
        purpose: `stream batches the ${spec.fn} function (${spec.name}) could not process`,
        alarms,
        usedBy: 'event-source-mapping',
      });
      const props: DynamoEventSourceProps = {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: spec.batchSize,
        maxBatchingWindow: Duration.seconds(spec.maxBatchingWindowSeconds),
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(24),
        parallelizationFactor: 1,
        reportBatchItemFailures: spec.partialBatchResponse,
        onFailure: new SqsDlq(deadLetters.queue),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.or(...spec.eventNames),
            dynamodb: { NewImage: { entity: { S: FilterRule.or(...spec.entities) } } },
          }),
        ],
      };
      this.functions[spec.fn].addEventSource(
        fedByStream.has(spec.fn) ? new ConsumerStreamSource(`${id}StreamSource`, this.table.table, props) : new DynamoEventSource(this.table.table, props),
      );
      fedByStream.add(spec.fn);
      alarms.watchStreamConsumer(spec.name, this.functions[spec.fn]);
    }

    alarms.watchApi(this.api.httpApi);
    alarms.watchTable(this.table.table, tableDefinition.indexes.map((index) => index.name));
    // Last, so its alarm widgets list every alarm made above.
    this.dashboard = new PointsMallDashboard(this, 'Dashboard', { alarms });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'MobileAppClientId', { value: this.auth.mobileClient.userPoolClientId });
    new CfnOutput(this, 'PosClientId', {
      value: this.auth.posClient.userPoolClientId,
      description: 'POS app client (client credentials); read its secret with aws cognito-idp describe-user-pool-client',
    });
    for (const [storeId, client] of this.auth.storePosClients) {
      new CfnOutput(this, `PosClientId-${storeId}`, {
        value: client.userPoolClientId,
        description: `POS app client of store ${storeId}: bind it with PATCH /v1/admin/stores/${storeId} {"addClientIds":[...]}`,
      });
    }
    new CfnOutput(this, 'InventoryClientId', {
      value: this.auth.inventoryClient.userPoolClientId,
      description: 'Inventory system app client (client credentials, scope points-mall/inventory): POST and GET /v1/admin/stock-feeds only',
    });
    new CfnOutput(this, 'ConsoleUrl', { value: consoleUrl, description: 'The operator console (sign in with an operator of the user pool)' });
    new CfnOutput(this, 'ConsoleAppClientId', { value: this.auth.consoleClient.userPoolClientId, description: 'Operator console app client (hosted UI, code flow with PKCE)' });
    new CfnOutput(this, 'ApiDocsUrl', { value: `${this.api.url}v1/docs`, description: 'The API reference, rendered (Swagger UI)' });
    new CfnOutput(this, 'TokenEndpoint', { value: this.auth.tokenEndpoint, description: 'OAuth token endpoint for POS' });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    for (const [supplier, secret] of Object.entries(this.supplierCredentials.secrets)) {
      new CfnOutput(this, `${pascal(supplier)}SupplierSecretName`, {
        value: secret.secretName,
        description: `Secret for the ${supplier} API credentials: put the real value in (docs/operations.md, Supplier adapters)`,
      });
    }
    for (const [provider, secret] of Object.entries(this.paymentCredentials.secrets)) {
      new CfnOutput(this, `${pascal(provider)}PaymentSecretName`, {
        value: secret.secretName,
        description: `Secret for the ${provider} refund API credentials: put the real value in (docs/operations.md, Cash refunds)`,
      });
    }
  }

  /**
   * Lets a function call the suppliers through shared/fulfilment: SUPPLIER_ENDPOINTS and
   * SUPPLIER_SECRET_ARNS in its environment, read access to the supplier secrets. Applied
   * to the `fulfilment` function automatically when lib/routes.ts declares it.
   */
  grantSupplierAccess(fn: PointsMallFunction): void {
    this.supplierCredentials.grantTo(fn);
  }
}
