import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../config/aws-clients.js';
import { config } from '../config/env.js';
import { logger, metrics } from '../observability/powertools.js';
import { guardedByDeadline } from '../runtime/deadline.js';
import { attemptMayHaveApplied, tagDbCallFailure, WRITE_OPERATIONS } from './call-failure.js';

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
const WRITES = WRITE_OPERATIONS;
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

/** Per call (shared by its attempts): whether an attempt failed in a way that may have been applied. */
const MAY_HAVE_APPLIED = Symbol('mayHaveApplied');

/** The one document client of this process (endpoint overridable for DynamoDB Local). */
export function db(): DynamoDBDocumentClient {
  if (!documentClient) {
    const { dynamodbEndpoint, region } = config();
    const client = new DynamoDBClient({
      region,
      // Connect and request timeouts and attempts: shared/config/aws-clients.ts.
      ...(dynamodbEndpoint
        ? {
            endpoint: dynamodbEndpoint,
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            // Locally one process serves every request at once (Lambda serves one at a time).
            ...awsClientOptions(undefined, { keepAlive: true, maxSockets: 256 }),
          }
        : awsClientOptions()),
    });
    // The call counter: a few integer increments per call, always on (the document client shares this stack).
    client.middlewareStack.add(
      (next, context) => (args) => {
        countCall(context.commandName);
        return next(args);
      },
      { step: 'initialize', name: 'pointsMallCallCounter' },
    );
    // Every error leaving a call is tagged with the operation and whether it may have been applied, so the HTTP
    // mapping (shared/http/problem.ts) can tell UNAVAILABLE from OUTCOME_UNKNOWN. Outermost: sees the final error.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
          const mayHaveApplied = (context as { [MAY_HAVE_APPLIED]?: boolean })[MAY_HAVE_APPLIED] === true;
          tagDbCallFailure(error, { operation, write: WRITE_OPERATIONS.has(operation), mayHaveApplied });
          throw error;
        }
      },
      { step: 'initialize', priority: 'high', name: 'pointsMallCallFailure' },
    );
    // Inside the SDK's retry loop: sees each attempt's error. One attempt cut after sending makes the whole call
    // ambiguous, even when a later attempt is refused (e.g. ECONNRESET, then ECONNREFUSED once the peer is gone).
    client.middlewareStack.add(
      (next, context) => async (args) => {
        try {
          return await next(args);
        } catch (error) {
          if (attemptMayHaveApplied(error)) (context as { [MAY_HAVE_APPLIED]?: boolean })[MAY_HAVE_APPLIED] = true;
          throw error;
        }
      },
      { step: 'finalizeRequest', priority: 'low', name: 'pointsMallAttemptFailure' },
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

/**
 * Drops the client (closing its sockets) so the next `db()` builds one from
 * the environment as it is then: for tests that point the functions at another
 * endpoint (test/integration/outage.test.ts). Call `resetConfigForTests()` too.
 */
export function resetDbClientForTests(): void {
  documentClient?.destroy();
  documentClient = undefined;
}

export function tableName(): string {
  return config().tableName;
}
