import { App, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { POS_OAUTH_SCOPE } from '../../lib/constructs/points-mall-auth.js';
import { logicalIdOf } from '../../lib/constructs/logical-id.js';
import { TABLE_OPERATIONS } from '../../lib/constructs/points-mall-alarms.js';
import { dashboardWidgetTitles } from '../../lib/constructs/points-mall-dashboard.js';
import { PointsMallStack } from '../../lib/points-mall-stack.js';
import {
  ACCOUNT_CONCURRENCY,
  MIN_UNRESERVED_CONCURRENCY,
  defaultRoute,
  eventRules,
  functionNames,
  functions,
  routeKey,
  routes,
  schedules,
  streamConsumers,
  unreservedConcurrency,
  type FunctionName,
  type RouteSpec,
} from '../../lib/routes.js';
import { tableDefinition } from '../../shared/table/definition.js';
import { operations } from '../../shared/contracts/index.js';
import { pagesWithCursor } from '../../shared/contracts/operation.js';
import { ADMIN_GROUP } from '../../shared/http/auth.js';
import { supportedSuppliers } from '../../shared/fulfilment/adapter.js';
import { knownSenders } from '../../shared/webhooks/senders.js';

type Resource = { Type: string; Properties: Record<string, unknown> };

let stack: PointsMallStack;
let template: Template;
let resources: Record<string, Resource>;
let nag: PolicyValidationPluginReport;

// One synth for the whole file: no bundling (esbuild is exercised by `cdk synth`)
// and no built-in CloudFormation schema validation (seconds of WASM; `cdk synth` runs it).
beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new PointsMallStack(app, 'PointsMallTest', { stage: 'test', eventBusName: 'points-mall-test' });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
  nag = new AwsSolutionsChecks(app).validateScope(stack);
});

const getAtt = (logicalId: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId, attribute] });
const fnId = (name: FunctionName) => logicalIdOf(stack.functions[name]);
const tableId = () => logicalIdOf(stack.table.table);

function propertiesOf(logicalId: string): Record<string, unknown> {
  const resource = resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId}`);
  return resource.Properties;
}

/** Every IAM action granted to a function's role. */
function actionsOf(name: FunctionName): string[] {
  const roleId = logicalIdOf(stack.functions[name].role!);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => (r.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement)
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

/** Every IAM policy statement granted to a function's role. */
function statementsOf(name: FunctionName): { Action: string | string[]; Resource: unknown }[] {
  const roleId = logicalIdOf(stack.functions[name].role!);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => (r.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
}

/** A function's environment variables. */
function environmentOf(name: FunctionName): Record<string, unknown> {
  return (propertiesOf(fnId(name)).Environment as { Variables: Record<string, unknown> }).Variables;
}

/** The route target (`integrations/<id>`) of the integration that invokes a function. */
function targetOf(name: FunctionName) {
  const [integrationId] = Object.entries(template.findResources('AWS::ApiGatewayV2::Integration', {
    Properties: { IntegrationUri: getAtt(fnId(name)) },
  })).map(([id]) => id);
  expect(integrationId).toBeDefined();
  return { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] };
}

describe('table', () => {
  it('keys the table on string PK and SK', () => {
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: tableDefinition.partitionKey, AttributeType: 'S' },
        { AttributeName: tableDefinition.sortKey, AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  const indexes = tableDefinition.indexes.map((index) => ({ ...index, projected: 'projection' in index ? index.projection : 'ALL' }));

  it.each(indexes)('builds GSI $name with string keys and projection $projected', (index) => {
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([
        {
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: index.projected },
        },
      ]),
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: index.partitionKey, AttributeType: 'S' },
        { AttributeName: index.sortKey, AttributeType: 'S' },
      ]),
    });
  });

  it('projects only keys into the index on the wallet item, so wallet updates do not write to it', () => {
    // Assess
    const indexes = propertiesOf(tableId()).GlobalSecondaryIndexes as { IndexName: string; Projection: { ProjectionType: string } }[];
    expect(indexes.find((i) => i.IndexName === 'LastActivity')?.Projection).toEqual({ ProjectionType: 'KEYS_ONLY' });
  });

  it('has no index the table definition does not name', () => {
    // Assess
    const indexes = propertiesOf(tableId()).GlobalSecondaryIndexes as { IndexName: string }[];
    expect(indexes.map((i) => i.IndexName)).toEqual(tableDefinition.indexes.map((i) => i.name));
  });

  it('streams new and old images', () => {
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: tableDefinition.stream },
    });
  });

  it('gives the table point-in-time recovery', () => {
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('protects the table from deletion and keeps it when the stack goes', () => {
    // Assess
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('expires items by the TTL attribute', () => {
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
    });
  });
});

describe('auth', () => {
  it('creates the operators group', () => {
    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: ADMIN_GROUP });
  });

  it('requires long passwords with every character class', () => {
    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
  });

  it('declares the pos and inventory scopes on the points-mall resource server', () => {
    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'points-mall',
      Scopes: [Match.objectLike({ ScopeName: 'pos' }), Match.objectLike({ ScopeName: 'inventory' })],
    });
  });

  it('gives the inventory system a secret client limited to client credentials and the inventory scope', () => {
    // Assess
    const props = propertiesOf(logicalIdOf(stack.auth.inventoryClient));
    expect(props).toMatchObject({
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthFlowsUserPoolClient: true,
    });
    expect(JSON.stringify(props.AllowedOAuthScopes)).toContain('"/inventory"');
    expect(JSON.stringify(props.AllowedOAuthScopes)).not.toContain('"/pos"');
  });

  it('gives POS a secret client limited to client credentials and the pos scope', () => {
    // Assess
    const props = propertiesOf(logicalIdOf(stack.auth.posClient));
    expect(props).toMatchObject({
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthFlowsUserPoolClient: true,
    });
    expect(JSON.stringify(props.AllowedOAuthScopes)).toContain('"/pos"');
  });

  it('gives the mobile app a public client that signs in with SRP', () => {
    // Assess
    expect(propertiesOf(logicalIdOf(stack.auth.mobileClient))).toMatchObject({
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
  });
});

describe('HTTP API', () => {
  it('verifies JWTs of the user pool issued to the mobile, POS and console clients', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: {
          'Fn::Join': [
            '',
            [
              'https://cognito-idp.',
              { Ref: 'AWS::Region' },
              '.',
              { Ref: 'AWS::URLSuffix' },
              '/',
              { Ref: logicalIdOf(stack.auth.userPool) },
            ],
          ],
        },
        Audience: [stack.auth.mobileClient, stack.auth.posClient, stack.auth.consoleClient, stack.auth.inventoryClient].map((c) => ({ Ref: logicalIdOf(c) })),
      },
    });
  });

  it('has one route per entry of the route table, plus $default', () => {
    // Assess
    template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length + 1);
  });

  it.each<RouteSpec>(routes)('exposes $method $path to $auth callers through the $fn function', (route) => {
    // Prepare
    const [authorizerId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));
    const auth =
      route.auth === 'public'
        ? { AuthorizationType: 'NONE', AuthorizerId: Match.absent() }
        : { AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } };

    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: routeKey(route),
      Target: targetOf(route.fn),
      ...auth,
      AuthorizationScopes: route.auth === 'pos' ? [POS_OAUTH_SCOPE] : Match.absent(),
    });
  });

  it('sends unknown paths to the system function without an authorizer', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      AuthorizationType: 'NONE',
      Target: targetOf(defaultRoute.fn),
    });
  });

  it('lets browsers send the token, JSON and idempotency keys with every method the routes use, and read Retry-After, Location and the replay mark', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        ExposeHeaders: ['retry-after', 'location', 'idempotent-replayed'],
        AllowMethods: [...new Set(routes.map((r) => r.method))],
      }),
    });
  });

  it('throttles the default stage', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 2000, ThrottlingBurstLimit: 5000 },
    });
  });

  it('writes access logs to a log group with retention', () => {
    // Assess
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as Resource;
    const settings = stage.Properties.AccessLogSettings as { DestinationArn: { 'Fn::GetAtt': [string, string] }; Format: string };
    const logGroupId = settings.DestinationArn['Fn::GetAtt'][0];
    expect(resources[logGroupId]?.Type).toBe('AWS::Logs::LogGroup');
    expect(propertiesOf(logGroupId).RetentionInDays).toBeGreaterThan(0);
    expect(JSON.parse(settings.Format)).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey' });
  });
});

describe('functions', () => {
  it('has one function per entry of the function table, besides the one CDK deploys the console with', () => {
    // Assess
    const ids = Object.keys(template.findResources('AWS::Lambda::Function'));
    expect(ids.filter((id) => !id.startsWith('CustomCDKBucketDeployment')).sort()).toEqual(functionNames.map(fnId).sort());
    expect(ids).toHaveLength(functionNames.length + 1);
  });

  it.each(functionNames)('runs %s on Node 22, arm64, with active tracing and its spec sizes', (name) => {
    // Assess
    expect(propertiesOf(fnId(name))).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Handler: 'index.handler',
      MemorySize: functions[name].memoryMb,
      Timeout: functions[name].timeoutSeconds,
    });
  });

  it.each(functionNames)('reserves for %s the concurrency of its spec, or none', (name) => {
    // Assess
    expect(propertiesOf(fnId(name)).ReservedConcurrentExecutions).toBe(functions[name].reservedConcurrency);
  });

  it('leaves the unreserved functions most of the default account quota', () => {
    // Assess: Lambda refuses reservations that leave less than 100 unreserved; ours leave far more
    expect(unreservedConcurrency()).toBeGreaterThanOrEqual(ACCOUNT_CONCURRENCY * 0.8);
    expect(unreservedConcurrency()).toBeGreaterThan(MIN_UNRESERVED_CONCURRENCY);
  });

  it('reserves nothing when told not to (accounts with a small concurrency quota)', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });

    // Act
    const unreserved = Template.fromStack(new PointsMallStack(app, 'PointsMallUnreserved', { stage: 'test', reserveConcurrency: false }));

    // Assess
    const reserved = Object.values(unreserved.findResources('AWS::Lambda::Function')).filter(
      (r) => (r as Resource).Properties.ReservedConcurrentExecutions !== undefined,
    );
    expect(reserved).toEqual([]);
  });

  it.each(functionNames)('configures %s through its environment', (name) => {
    // Assess
    const { Variables } = propertiesOf(fnId(name)).Environment as { Variables: Record<string, unknown> };
    expect(Variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: name,
      POWERTOOLS_METRICS_NAMESPACE: 'PointsMall',
      EVENT_BUS_NAME: { Ref: logicalIdOf(stack.bus) },
      STAGE: 'test',
    });
    if (functions[name].tableAccess === 'none') expect(Variables.TABLE_NAME).toBeUndefined();
    else expect(Variables.TABLE_NAME).toEqual({ Ref: tableId() });
    // Source maps sit beside the bundle but are not loaded: decoding them would slow every error path (each 409 of a sale).
    expect(Variables.NODE_OPTIONS).toBeUndefined();
  });

  it.each(functionNames)('logs %s to its own log group with retention', (name) => {
    // Assess
    const { LogGroup } = propertiesOf(fnId(name)).LoggingConfig as { LogGroup: { Ref: string } };
    expect(resources[LogGroup.Ref]?.Type).toBe('AWS::Logs::LogGroup');
    expect(propertiesOf(LogGroup.Ref).RetentionInDays).toBeGreaterThan(0);
  });

  it.each(functionNames)('grants %s only the table and bus access its spec asks for', (name) => {
    // Prepare
    const spec = functions[name];
    const actions = actionsOf(name);
    const dynamodb = actions.filter((a) => a.startsWith('dynamodb:'));

    // Assess
    if (spec.tableAccess === 'none') expect(dynamodb).toEqual([]);
    if (spec.tableAccess === 'read') expect(dynamodb).not.toEqual(expect.arrayContaining(['dynamodb:PutItem']));
    if (spec.tableAccess === 'readwrite') expect(dynamodb).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem']));
    expect(dynamodb.some((a) => /^dynamodb:(CreateTable|DeleteTable|UpdateTable|Scan|\*)$/.test(a))).toBe(false);
    expect(actions.includes('events:PutEvents')).toBe(spec.publishesEvents);
  });

  it.each(functionNames)('sends failed async invocations of %s to an encrypted, TLS-only dead-letter queue', (name) => {
    // Prepare
    const queueId = logicalIdOf(stack.functions[name].deadLetters.queue);

    // Assess
    expect(propertiesOf(fnId(name)).DeadLetterConfig).toEqual({ TargetArn: getAtt(queueId) });
    expect(propertiesOf(queueId)).toMatchObject({ SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('events and schedules', () => {
  it('creates the custom event bus', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'points-mall-test' });
  });

  it('has one rule per entry of the event rule table', () => {
    // Assess
    template.resourceCountIs('AWS::Events::Rule', eventRules.length);
  });

  it.each(eventRules)('routes rule $name to the $fn function with retries and a DLQ', (rule) => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalIdOf(stack.bus) },
      EventPattern: Match.objectLike({
        'detail-type': [...(rule.pattern['detail-type'] ?? [])],
        ...(rule.pattern.detail ? { detail: rule.pattern.detail } : {}),
      }),
      Targets: [
        Match.objectLike({
          Arn: getAtt(fnId(rule.fn)),
          RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
  });

  it('has one schedule per entry of the schedule table', () => {
    // Assess
    template.resourceCountIs('AWS::Scheduler::Schedule', schedules.length);
  });

  it.each(schedules)('runs job $name on $expression ($timezone) with retries and a DLQ', (schedule) => {
    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timezone,
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: getAtt(fnId(schedule.fn)),
        Input: JSON.stringify({ job: schedule.name }),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
      }),
    });
  });
});

describe('table stream consumers', () => {
  it.each(streamConsumers)('feeds $name to the $fn function, filtered, split on error, with a DLQ', (consumer) => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId(consumer.fn) },
      EventSourceArn: getAtt(logicalIdOf(stack.table.table), 'StreamArn'),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: consumer.batchSize,
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FunctionResponseTypes: consumer.partialBatchResponse ? ['ReportBatchItemFailures'] : Match.absent(),
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: [...consumer.eventNames],
              dynamodb: { NewImage: { entity: { S: [...consumer.entities] } } },
            }),
          },
        ],
      },
    });
  });
});

describe('alarms and outputs', () => {
  it('alarms as soon as any dead-letter queue holds a message', () => {
    // Prepare
    const queueIds = Object.keys(template.findResources('AWS::SQS::Queue'));

    // Assess
    // The event rules share one DLQ (its messages name their rule).
    expect(queueIds).toHaveLength(functionNames.length + schedules.length + 1 + streamConsumers.length);
    for (const queueId of queueIds) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: getAtt(queueId, 'QueueName') }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
    }
  });

  it.each(functionNames)('alarms on Errors and Throttles of the %s function', (name) => {
    // Assess
    for (const metricName of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId(name) } }],
        Statistic: 'Sum',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
      });
    }
  });

  it('alarms on the API 5xx rate as a share of all requests, not a raw count', () => {
    // Prepare
    const apiId = logicalIdOf(stack.api.httpApi);
    const apiMetric = (id: string, metricName: string) =>
      Match.objectLike({
        Id: id,
        MetricStat: Match.objectLike({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: metricName, Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }] }, Stat: 'Sum' }),
      });

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'PointsMallTest-api-5xx-rate',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp('100 \\* FILL\\(errors, 0\\) / requests'), ReturnData: true }),
        apiMetric('errors', '5xx'),
        apiMetric('requests', 'Count'),
      ]),
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1,
    });
  });

  it('alarms on the API p99 latency, ignoring periods with too few requests', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalIdOf(stack.api.httpApi) } }],
      ExtendedStatistic: 'p99',
      EvaluateLowSampleCountPercentile: 'ignore',
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it.each(['ThrottledRequests', 'SystemErrors'])('alarms on the table %s summed over every operation the code sends', (metricName) => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith(
        TABLE_OPERATIONS.map((operation) =>
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: {
                Namespace: 'AWS/DynamoDB',
                MetricName: metricName,
                Dimensions: Match.arrayWith([
                  { Name: 'Operation', Value: operation },
                  { Name: 'TableName', Value: { Ref: tableId() } },
                ]),
              },
            }),
          }),
        ),
      ),
    });
  });

  it.each(tableDefinition.indexes.map((index) => index.name))('alarms on read and write throttle events of index %s', (indexName) => {
    // Assess
    for (const metricName of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: {
                Namespace: 'AWS/DynamoDB',
                MetricName: metricName,
                Dimensions: Match.arrayWith([
                  { Name: 'GlobalSecondaryIndexName', Value: indexName },
                  { Name: 'TableName', Value: { Ref: tableId() } },
                ]),
              },
            }),
          }),
        ]),
      });
    }
  });

  it.each(streamConsumers)('alarms when the $name stream consumer falls behind (IteratorAge)', (consumer) => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `PointsMallTest-stream-${consumer.name}-iterator-age`,
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId(consumer.fn) } }],
      Statistic: 'Maximum',
    });
  });

  it('has one IteratorAge alarm per stream event source mapping', () => {
    // Assess
    // The SQS mappings (the dead-letter queues the outbox function records) have no iterator.
    const streamMappings = template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { StartingPosition: 'TRIM_HORIZON' } });
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'IteratorAge' } }))).toHaveLength(Object.keys(streamMappings).length);
    expect(Object.keys(streamMappings)).toHaveLength(streamConsumers.length);
  });

  it('alarms on FailedInvocations and InvocationsFailedToBeSentToDlq of every rule on the bus', () => {
    // Prepare
    const ruleIds = Object.keys(template.findResources('AWS::Events::Rule'));

    // Assess
    expect(ruleIds).toHaveLength(eventRules.length);
    for (const ruleId of ruleIds) {
      for (const metricName of ['FailedInvocations', 'InvocationsFailedToBeSentToDlq']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Events',
          MetricName: metricName,
          Dimensions: Match.arrayWith([
            { Name: 'EventBusName', Value: { Ref: logicalIdOf(stack.bus) } },
            { Name: 'RuleName', Value: { Ref: ruleId } },
          ]),
        });
      }
    }
  });

  it('names every alarm after the stack, says what missing data means, and points to the runbook', () => {
    // Prepare
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    const names = alarms.map((a) => a.Properties.AlarmName as string);

    // Assess
    expect(alarms).toHaveLength(stack.alarms.alarms.length);
    expect(new Set(names).size).toBe(names.length);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmName).toMatch(/^PointsMallTest-[a-z0-9-]+$/i);
      expect(alarm.Properties.TreatMissingData).toEqual(expect.any(String));
      expect(alarm.Properties.AlarmDescription).toContain('docs/operations.md');
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  it('builds one dashboard with the business figures and the state of every alarm', () => {
    // Prepare
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);

    // Assess
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.Properties.DashboardName).toBe('PointsMallTest');
    for (const title of Object.values(dashboardWidgetTitles)) expect(body).toContain(JSON.stringify(title).slice(1, -1));
    expect(body).toContain('OrdersPlaced');
    expect(body).toContain('PointsIssued');
    expect(body).toContain('PointsRedeemed');
    expect(body).toContain('FlashSaleStockLeft');
    for (const alarm of stack.alarms.alarms) expect(body).toContain(logicalIdOf(alarm));
  });

  describe('with an alarm topic', () => {
    const topicArn = 'arn:aws:sns:us-east-1:123456789012:points-mall-ops';
    let withTopic: Template;

    beforeAll(() => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
      withTopic = Template.fromStack(new PointsMallStack(app, 'PointsMallTopicTest', { stage: 'test', alarmTopicArn: topicArn }));
    });

    it('notifies the topic from every alarm', () => {
      // Prepare
      const alarms = Object.values(withTopic.findResources('AWS::CloudWatch::Alarm')) as Resource[];

      // Assess
      expect(alarms.length).toBeGreaterThan(functionNames.length * 3);
      for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topicArn]);
    });
  });

  it.each(['ApiUrl', 'TableName', 'UserPoolId', 'MobileAppClientId', 'PosClientId', 'TokenEndpoint', 'EventBusName'])(
    'outputs %s',
    (name) => {
      // Assess
      template.hasOutput(name, { Value: Match.anyValue() });
    },
  );
});

describe('supplier credentials', () => {
  const secretIdOf = (supplier: string) => logicalIdOf(stack.supplierCredentials.secrets[supplier]!);

  it.each(knownSenders.suppliers)('keeps the %s credentials in their own secret with a generated placeholder', (supplier) => {
    // Assess
    expect(propertiesOf(secretIdOf(supplier))).toMatchObject({
      Name: `points-mall-test/suppliers/${supplier}`,
      GenerateSecretString: { GenerateStringKey: 'generated', SecretStringTemplate: expect.stringContaining('placeholder') },
    });
    template.hasOutput(`${supplier[0]!.toUpperCase()}${supplier.slice(1)}SupplierSecretName`, { Value: Match.anyValue() });
  });

  it('has an adapter for every supplier that may call back', () => {
    // Assess
    expect([...supportedSuppliers].sort()).toEqual([...knownSenders.suppliers].sort());
  });

  it('gives supplier access to the fulfilment function only, once it exists', () => {
    // Prepare
    const withAccess = functionNames.filter((name) => 'SUPPLIER_SECRET_ARNS' in environmentOf(name));

    // Assess
    expect(withAccess).toEqual(functionNames.filter((name) => name === ('fulfilment' as FunctionName)));
    const supplierSecrets = knownSenders.suppliers.map((supplier) => JSON.stringify({ Ref: secretIdOf(supplier) }));
    for (const name of functionNames.filter((n) => !withAccess.includes(n))) {
      expect(statementsOf(name).filter((st) => supplierSecrets.includes(JSON.stringify(st.Resource)))).toEqual([]);
    }
  });

  describe('grantSupplierAccess', () => {
    let granted: PointsMallStack;
    let grantedTemplate: Template;
    let grantedNag: PolicyValidationPluginReport;

    beforeAll(() => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
      granted = new PointsMallStack(app, 'PointsMallGrantTest', {
        stage: 'test',
        supplierEndpoints: { jd: { baseUrl: 'https://jd.example.com' }, tmall: { baseUrl: 'https://tmall.example.com' } },
      });
      granted.grantSupplierAccess(granted.functions.orders);
      grantedTemplate = Template.fromStack(granted);
      grantedNag = new AwsSolutionsChecks(app).validateScope(granted);
    });

    it('sets the endpoints and the secret ARNs in the environment', () => {
      // Prepare
      const fn = grantedTemplate.toJSON().Resources[logicalIdOf(granted.functions.orders)] as Resource;
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const arns = JSON.stringify(variables.SUPPLIER_SECRET_ARNS);

      // Assess
      expect(JSON.parse(variables.SUPPLIER_ENDPOINTS as string)).toEqual({ jd: { baseUrl: 'https://jd.example.com' }, tmall: { baseUrl: 'https://tmall.example.com' } });
      for (const supplier of knownSenders.suppliers) expect(arns).toContain(JSON.stringify({ Ref: logicalIdOf(granted.supplierCredentials.secrets[supplier]!) }));
    });

    it('grants reading exactly the supplier secrets', () => {
      // Assess
      for (const supplier of knownSenders.suppliers) {
        grantedTemplate.hasResourceProperties('AWS::IAM::Policy', {
          Roles: [{ Ref: logicalIdOf(granted.functions.orders.role!) }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
                Effect: 'Allow',
                Resource: { Ref: logicalIdOf(granted.supplierCredentials.secrets[supplier]!) },
              }),
            ]),
          },
        });
      }
    });

    it('stays clean under cdk-nag', () => {
      // Assess
      expect(grantedNag.violations.filter((v) => v.severity === 'error' || v.severity === 'warning').map((v) => v.ruleName)).toEqual([]);
    });
  });
});

describe('cursor key', () => {
  const secretId = () => logicalIdOf(stack.cursorKey.secret);
  /** The functions serving an operation that pages with `?cursor=`, per the contracts. */
  const paging = () => [...new Set(routes.filter((r) => pagesWithCursor(operations[r.operation])).map((r) => r.fn))].sort();

  it('keeps the key in a generated secret of 64 characters', () => {
    // Assess
    expect(propertiesOf(secretId())).toMatchObject({
      Name: 'points-mall-test/cursor-key',
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it('gives the secret ARN and read access to the functions that page, and to no other', () => {
    // Prepare
    const withKey = functionNames.filter((name) => 'CURSOR_KEY_SECRET_ARN' in environmentOf(name)).sort();

    // Assess
    expect(paging()).toEqual(expect.arrayContaining(['members', 'mall', 'orders', 'auctions', 'draws', 'tasks', 'campaigns']));
    expect(withKey).toEqual(paging());
    for (const name of withKey) {
      expect(environmentOf(name).CURSOR_KEY_SECRET_ARN).toEqual({ Ref: secretId() });
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: logicalIdOf(stack.functions[name].role!) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Effect: 'Allow', Resource: { Ref: secretId() } }),
          ]),
        },
      });
    }
    for (const name of functionNames.filter((n) => !withKey.includes(n))) {
      expect(statementsOf(name).filter((st) => JSON.stringify(st.Resource) === JSON.stringify({ Ref: secretId() }))).toEqual([]);
    }
  });
});

describe('checks', () => {
  const describeFindings = (severity: string) =>
    nag.violations
      .filter((v) => v.severity === severity)
      .map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);

  it('leaves no unacknowledged cdk-nag error', () => {
    // Assess
    expect(describeFindings('error')).toEqual([]);
  });

  it('leaves no unacknowledged cdk-nag warning', () => {
    // Assess
    expect(describeFindings('warning')).toEqual([]);
  });

  it('gives CDK nothing to warn about', () => {
    // Assess
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});
