/**
 * The dashboard's "needs attention" counts, each cheap: a bounded COUNT query
 * of a sparse list, a counter item, or a queue attribute; never a scan.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../config/aws-clients.js';
import { config } from '../config/env.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { pendingApprovalsCount } from '../members/approvals.js';

/** Counted at most: the review list is short by design; beyond this the dashboard says "at least". */
export const MAX_REVIEWS_COUNTED = 1000;

/** POS purchases waiting for an operator's review: a COUNT of the sparse review list (GSI2), at most MAX_REVIEWS_COUNTED. */
export async function countPurchasesAwaitingReview(): Promise<number> {
  const partition = keys.purchaseReview.pendingPartition();
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': partition },
        Select: 'COUNT',
        Limit: MAX_REVIEWS_COUNTED - count,
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start && count < MAX_REVIEWS_COUNTED);
  return count;
}

/** Operator adjustments waiting for a second operator's approval: the counter the approval transactions keep. */
export async function countAdjustmentsAwaitingApproval(): Promise<number> {
  return pendingApprovalsCount();
}

let sqs: SQSClient | undefined;

/** The dead-letter queues to count, from DEAD_LETTER_QUEUE_URLS (a JSON array of queue URLs, set by the stack); none locally. */
export function deadLetterQueueUrls(): string[] {
  const raw = process.env.DEAD_LETTER_QUEUE_URLS;
  if (!raw) return [];
  const urls: unknown = JSON.parse(raw);
  if (!Array.isArray(urls) || urls.some((u) => typeof u !== 'string')) throw new Error('DEAD_LETTER_QUEUE_URLS must be a JSON array of queue URLs');
  return urls as string[];
}

/**
 * Messages in the stack's dead-letter queues (every DLQ: functions' async
 * invocations, event rule targets, schedules, stream consumers), from each
 * queue's approximate counts (visible + in flight): one GetQueueAttributes per
 * queue. `null` where no queue is configured (the local runtime keeps its
 * dead letters in memory, bin/local/bus.ts).
 */
export async function countDeadLetters(): Promise<number | null> {
  const urls = deadLetterQueueUrls();
  if (urls.length === 0) return null;
  sqs ??= new SQSClient({ region: config().region, ...awsClientOptions() });
  const client = sqs;
  const counts = await Promise.all(
    urls.map(async (url) => {
      const result = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      return Number(result.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    }),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}
