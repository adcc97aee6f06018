import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/** The new image of a stream record as a plain object (undefined for removals). */
export function newImageOf(record: DynamoDBRecord): Record<string, unknown> | undefined {
  const image = record.dynamodb?.NewImage;
  // Lambda's record type and the SDK's AttributeValue describe the same JSON.
  return image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
}
