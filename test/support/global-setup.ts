import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../bin/local/dynamodb-local.js';
import { ensureTable, localClient } from '../../bin/local/table.js';

export const TEST_TABLE = 'points-mall-test';

let dynamo: DynamoDbLocal | undefined;

/** One in-memory DynamoDB Local for the whole run, with the table built from the shared definition. */
export default async function setup(project: TestProject) {
  dynamo = await startDynamoDbLocal();
  const client = localClient(dynamo.endpoint);
  await ensureTable(client, TEST_TABLE);
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
