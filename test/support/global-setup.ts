import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../bin/local/dynamodb-local.js';
import { ensureTable, localClient } from '../../bin/local/table.js';

export const TEST_TABLE = 'points-mall-test';

let dynamo: DynamoDbLocal | undefined;

/** One in-memory DynamoDB Local for the whole run, with the table built from the shared definition. */
export default async function setup(project: TestProject) {
  dynamo = await startDynamoDbLocal();
  const client = localClient(dynamo.endpoint);
  // The shared table has no stream: most files write tens of thousands of items to it, and DynamoDB Local's
  // stream reads slow down with every record it holds. The files that test stream consumers (reports, outbox,
  // fulfilment) create tables of their own, with the stream, from the same definition.
  await ensureTable(client, TEST_TABLE, { stream: false });
  client.destroy();
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  project.provide('tableName', TEST_TABLE);
  return async () => {
    await dynamo?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    tableName: string;
  }
}
