/**
 * The dashboard's "needs attention" counts, each cheap: a bounded COUNT query
 * of a sparse list or a counter item; never a scan.
 */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { countOpenDeadLetters } from '../events/dead-letters.js';
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

/**
 * Open dead letters (deliveries failed for good, not yet redriven or discarded): the counter the transactions that
 * record, redrive and discard them keep (shared/events/dead-letters.ts), one GetItem.
 */
export async function countDeadLetters(): Promise<number> {
  return countOpenDeadLetters();
}
