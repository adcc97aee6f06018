import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';

// Before any module reads them: metrics on (EMF on stdout, as on Lambda), no AWS reached (the document client is mocked).
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_METRICS_NAMESPACE = 'PointsMall';
  process.env.POWERTOOLS_SERVICE_NAME = 'jobs';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.TABLE_NAME = 'metrics-test';
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});

const { handler: jobsHandler, jobs } = await import('../../functions/jobs/handler.js');
const { handler: reportsHandler } = await import('../../functions/reports/handler.js');
const { runFlashSaleStockJob } = await import('../../shared/jobs/flash-sale-stock.js');
const { metrics } = await import('../../shared/observability/powertools.js');

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [field: string]: unknown;
}

const context = {
  functionName: 'jobs',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:jobs',
  memoryLimitInMB: '1024',
  awsRequestId: 'request-1',
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

let stdout: MockInstance<typeof process.stdout.write>;
let stderr: MockInstance<typeof process.stderr.write>;

/** The EMF documents written to stdout so far. */
function emfLines(): EmfLine[] {
  return stdout.mock.calls.flatMap(([chunk]) =>
    String(chunk)
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as EmfLine),
  );
}

/** The value of one metric in the EMF output, with the dimensions it was published under. */
function published(name: string): { value: unknown; dimensions: Record<string, unknown> }[] {
  return emfLines()
    .filter((line) => line._aws.CloudWatchMetrics.some((m) => m.Metrics.some((metric) => metric.Name === name)))
    .map((line) => ({
      value: line[name],
      dimensions: Object.fromEntries(line._aws.CloudWatchMetrics.flatMap((m) => m.Dimensions.flat()).map((d) => [d, line[d]])),
    }));
}

beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.restoreAllMocks();
  metrics.clearMetrics();
});

describe('scheduled job runs', () => {
  it('publishes the metrics a job buffered when the job ends', async () => {
    // Prepare
    vi.spyOn(jobs, 'draw-seeds').mockImplementation(async () => {
      metrics.addMetric('TransactWriteItemsCapacityUnits', 'Count', 6);
      return { complete: 1 };
    });

    // Act
    await jobsHandler({ job: 'draw-seeds' }, context);

    // Assess
    expect(published('TransactWriteItemsCapacityUnits')).toEqual([{ value: 6, dimensions: { service: 'jobs' } }]);
    expect(metrics.hasStoredMetrics()).toBe(false);
  });

  it('publishes the metrics of a job that fails, and still fails', async () => {
    // Prepare
    vi.spyOn(jobs, 'vest-pending').mockImplementation(async () => {
      metrics.addMetric('TransactWriteItemsCapacityUnits', 'Count', 4);
      throw new Error('pending points not vested');
    });

    // Act
    const run = jobsHandler({ job: 'vest-pending' }, context);

    // Assess
    await expect(run).rejects.toThrow('pending points not vested');
    expect(published('TransactWriteItemsCapacityUnits')).toEqual([{ value: 4, dimensions: { service: 'jobs' } }]);
  });

  it('writes nothing, not even a warning, when a run buffered no metric', async () => {
    // Prepare
    vi.spyOn(jobs, 'payment-timeouts').mockResolvedValue({ released: 0, complete: 1 });

    // Act
    await jobsHandler({ job: 'payment-timeouts' }, context);

    // Assess
    expect(emfLines()).toEqual([]);
    expect(stderr.mock.calls.map(([chunk]) => String(chunk)).join('')).not.toContain('No application metrics');
  });
});

describe('the points-report stream consumer', () => {
  const ledgerInsert = (entry: Record<string, unknown>) => ({
    eventName: 'INSERT' as const,
    dynamodb: { NewImage: marshall({ entity: 'LedgerEntry', ...entry }) as never },
  });

  it('emits the points issued and redeemed per currency of the entries it counts', async () => {
    // Prepare
    const table = mockClient(DynamoDBDocumentClient);
    table.on(TransactWriteCommand).resolves({});
    const at = '2026-12-04T10:00:00.000Z';
    const event = {
      Records: [
        ledgerInsert({ id: 'e1', memberId: 'm1', currency: 'points', type: 'EARN', points: 100, at }),
        ledgerInsert({ id: 'e2', memberId: 'm1', currency: 'points', type: 'SPEND', points: -30, at }),
        ledgerInsert({ id: 'e3', memberId: 'm2', currency: 'points', type: 'ADJUST', points: 20, at }),
        ledgerInsert({ id: 'e4', memberId: 'm2', currency: 'partner-miles', type: 'EARN', points: 50, at }),
      ],
    } as DynamoDBStreamEvent;

    // Act
    await reportsHandler(event, context);

    // Assess
    expect(published('PointsIssued')).toEqual([
      { value: 120, dimensions: { service: 'jobs', currency: 'points' } },
      { value: 50, dimensions: { service: 'jobs', currency: 'partner-miles' } },
    ]);
    expect(published('PointsRedeemed')).toEqual([
      { value: 30, dimensions: { service: 'jobs', currency: 'points' } },
      { value: 0, dimensions: { service: 'jobs', currency: 'partner-miles' } },
    ]);
    table.restore();
  });

  it('emits nothing for entries an earlier delivery already counted', async () => {
    // Prepare
    const table = mockClient(DynamoDBDocumentClient);
    // The marker of the only entry exists: DynamoDB cancels the transaction on its condition.
    const { TransactionCanceledException } = await import('@aws-sdk/client-dynamodb');
    table.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
      }),
    );
    const event = {
      Records: [ledgerInsert({ id: 'e9', memberId: 'm1', currency: 'points', type: 'EARN', points: 100, at: '2026-12-04T10:00:00.000Z' })],
    } as DynamoDBStreamEvent;

    // Act
    await reportsHandler(event, context);

    // Assess
    expect(published('PointsIssued')).toEqual([]);
    table.restore();
  });
});

describe('the flash-sale stock job', () => {
  it('emits the stock left of each flash-sale product on sale now, one product per dimension', async () => {
    // Prepare
    const now = new Date('2026-12-04T10:00:00.000Z');
    const product = (productId: string, fields: Record<string, unknown>) => ({
      productId,
      name: productId,
      type: 'PHYSICAL',
      zone: 'flash-sale',
      pricePoints: 100,
      status: 'ACTIVE',
      stockShards: 2,
      createdAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2026-12-01T00:00:00.000Z',
      ...fields,
    });
    const table = mockClient(DynamoDBDocumentClient);
    table.on(QueryCommand).resolves({
      Items: [
        product('p-live', { saleStartsAt: '2026-12-04T09:00:00.000Z', saleEndsAt: '2026-12-04T11:00:00.000Z' }),
        product('p-ended', { saleStartsAt: '2026-12-03T09:00:00.000Z', saleEndsAt: '2026-12-03T11:00:00.000Z' }),
        product('p-upcoming', { saleStartsAt: '2026-12-05T09:00:00.000Z' }),
      ],
    });
    table.on(BatchGetCommand).resolves({
      Responses: {
        'metrics-test': [
          { shard: 0, available: 7, sold: 3 },
          { shard: 1, available: 5, sold: 5 },
        ],
      },
    });

    // Act
    const stats = await runFlashSaleStockJob({ now, deadline: Date.now() + 60_000 });

    // Assess
    expect(stats).toEqual({ productsOnSale: 1, productsMetered: 1, unitsLeft: 12, complete: 1 });
    expect(published('FlashSaleStockLeft')).toEqual([{ value: 12, dimensions: { service: 'jobs', productId: 'p-live' } }]);
    expect(table.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'GSI1',
      ExpressionAttributeValues: { ':pk': 'ZONE#flash-sale', ':active': 'ACTIVE' },
    });
    expect(table.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems?.['metrics-test']?.ConsistentRead).toBe(false);
    table.restore();
  });
});
