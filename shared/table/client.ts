import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config/env.js';
import { logger, metrics } from '../observability/powertools.js';
import { guardedByDeadline } from '../runtime/deadline.js';

let documentClient: DynamoDBDocumentClient | undefined;

/** DynamoDB calls this process has sent through `db()`, by kind and by operation (see `dbCallCounts`). */
export interface DbCallCounts {
  /** GetItem, BatchGetItem, TransactGetItems. */
  reads: number;
  /** PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems. */
  writes: number;
  /** Query, Scan. */
  queries: number;
  /** Anything else (DescribeTable, ...). */
  other: number;
  /** Every call by operation name (`GetItem`, `Query`, `TransactWriteItems`, ...). */
  byOperation: Record<string, number>;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const QUERIES = new Set(['Query', 'Scan']);

function emptyCounts(): DbCallCounts {
  return { reads: 0, writes: 0, queries: 0, other: 0, byOperation: {} };
}

let callCounts = emptyCounts();

/**
 * A snapshot of the DynamoDB calls sent through `db()` since the process
 * started or `resetDbCallCounts()`. Each `send` counts once, before the SDK's
 * own retries (so a throttled call retried by the SDK is still one call). For
 * tests and benchmarks that assert what an operation costs; in-process only.
 */
export function dbCallCounts(): DbCallCounts {
  return { ...callCounts, byOperation: { ...callCounts.byOperation } };
}

export function resetDbCallCounts(): void {
  callCounts = emptyCounts();
}

function countCall(commandName: string | undefined): void {
  const operation = (commandName ?? 'Unknown').replace(/Command$/, '');
  callCounts.byOperation[operation] = (callCounts.byOperation[operation] ?? 0) + 1;
  if (READS.has(operation)) callCounts.reads += 1;
  else if (WRITES.has(operation)) callCounts.writes += 1;
  else if (QUERIES.has(operation)) callCounts.queries += 1;
  else callCounts.other += 1;
}

/**
 * Operations that ask DynamoDB for the capacity they consumed: every
 * TransactWriteItems (ledger commits, redemptions, stock changes), the
 * writes whose cost matters most and is doubled by the transaction.
 */
const CAPACITY_REPORTED = new Set(['TransactWriteItems']);

interface CapacityFigure {
  readonly TableName?: string;
  readonly CapacityUnits?: number;
  readonly WriteCapacityUnits?: number;
}

/**
 * Logs (debug) and counts (metric `<Operation>CapacityUnits`, e.g. `TransactWriteItemsCapacityUnits`) what one call
 * consumed. DynamoDB Local reports other figures than AWS (a 3-item
 * transaction shows 4 units where AWS charges 6): benchmarks compute write
 * units from the requests instead (shared/table/write-units.ts).
 */
function reportConsumedCapacity(operation: string, consumed: readonly CapacityFigure[] | CapacityFigure | undefined): void {
  if (!consumed) return;
  const figures = Array.isArray(consumed) ? consumed : [consumed as CapacityFigure];
  const units = figures.reduce((sum, f) => sum + (f.CapacityUnits ?? f.WriteCapacityUnits ?? 0), 0);
  logger.debug('consumed capacity', { operation, capacityUnits: units, consumedCapacity: figures });
  metrics.addMetric(`${operation}CapacityUnits`, 'Count', units);
}

/** The one document client of this process (endpoint overridable for DynamoDB Local). */
export function db(): DynamoDBDocumentClient {
  if (!documentClient) {
    const { dynamodbEndpoint, region } = config();
    const client = new DynamoDBClient({
      region,
      ...(dynamodbEndpoint
        ? {
            endpoint: dynamodbEndpoint,
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            // Locally one process serves every request at once (Lambda serves one at a time).
            requestHandler: { httpAgent: { keepAlive: true, maxSockets: 256 } },
          }
        : {}),
      maxAttempts: 4,
    });
    // The call counter: a few integer increments per call, always on (the document client shares this stack).
    client.middlewareStack.add(
      (next, context) => (args) => {
        countCall(context.commandName);
        return next(args);
      },
      { step: 'initialize', name: 'pointsMallCallCounter' },
    );
    // Consumed capacity, asked for and reported in this one place (see CAPACITY_REPORTED).
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        if (!CAPACITY_REPORTED.has(operation)) return next(args);
        const result = await next({ ...args, input: { ReturnConsumedCapacity: 'TOTAL', ...(args.input as object) } });
        reportConsumedCapacity(operation, (result.output as { ConsumedCapacity?: CapacityFigure[] }).ConsumedCapacity);
        return result;
      },
      { step: 'initialize', name: 'pointsMallConsumedCapacity' },
    );
    // Each HTTP invocation's deadline: no call past it, in-flight calls aborted, writes tracked (shared/runtime/deadline.ts).
    documentClient = guardedByDeadline(
      DynamoDBDocumentClient.from(client, {
        marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
      }),
    );
  }
  return documentClient;
}

export function tableName(): string {
  return config().tableName;
}
