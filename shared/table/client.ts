import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config/env.js';

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
    documentClient = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return documentClient;
}

export function tableName(): string {
  return config().tableName;
}
