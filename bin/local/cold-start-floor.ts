/**
 * The floor of `npm run bench:cold-start`: a Lambda handler that loads only the DynamoDB document client and reads
 * one item. Built with the stack's own bundling options like every function, it is what no function can beat:
 * each function's init and bundle are measured against it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

const endpoint = process.env.DYNAMODB_ENDPOINT || undefined;
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
);

export const handler = async (): Promise<{ statusCode: number }> => {
  const { Item } = await client.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { PK: 'COLD-START', SK: 'FLOOR' } }));
  return { statusCode: Item ? 200 : 404 };
};
