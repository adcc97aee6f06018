import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config/env.js';

let documentClient: DynamoDBDocumentClient | undefined;

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
    documentClient = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return documentClient;
}

export function tableName(): string {
  return config().tableName;
}
