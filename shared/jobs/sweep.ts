/**
 * The loop the sweeping jobs share (tier review, vest-pending, payment
 * timeouts, auction settlement): a due list spread over shard partitions of
 * an index is read shard by shard (a few shards at once, page by page) and
 * each item handed to `onItem`, until every shard is done or the deadline
 * passes. A run stopped by the deadline leaves the rest in the index, where
 * the next run finds it: the jobs only ever remove what they finished.
 */
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../table/client.js';
import { mapWithConcurrency } from './pool.js';

export interface ShardSweep {
  /** Number of shard partitions; shards 0 .. shards-1 are read. */
  readonly shards: number;
  /** The query of one shard: index and key condition (the due bound included). */
  readonly query: (shard: number) => Pick<QueryCommandInput, 'IndexName' | 'KeyConditionExpression' | 'ExpressionAttributeValues' | 'ExpressionAttributeNames'>;
  /** Handles one due item; an error it throws fails the sweep (catch what should not). */
  readonly onItem: (item: Record<string, unknown>) => Promise<void>;
  /** Epoch ms after which no new page or item is started. */
  readonly deadline?: number | undefined;
  /** Shards read at once (default 4). */
  readonly shardConcurrency?: number;
  /** Items of one page handled at once (default 4). */
  readonly itemConcurrency?: number;
  /** Items per page (default: DynamoDB's 1 MB page). */
  readonly pageSize?: number | undefined;
}

/** Runs the sweep; true when every shard was read to its end, false when the deadline stopped it. */
export async function sweepShards(sweep: ShardSweep): Promise<boolean> {
  let complete = true;
  const outOfTime = () => {
    if (sweep.deadline !== undefined && Date.now() > sweep.deadline) complete = false;
    return !complete;
  };
  const shards = Array.from({ length: sweep.shards }, (_, i) => i);
  await mapWithConcurrency(shards, sweep.shardConcurrency ?? 4, async (shard) => {
    let start: Record<string, unknown> | undefined;
    do {
      if (outOfTime()) return;
      const page = await db().send(
        new QueryCommand({
          TableName: tableName(),
          ...sweep.query(shard),
          ...(sweep.pageSize ? { Limit: sweep.pageSize } : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      await mapWithConcurrency(page.Items ?? [], sweep.itemConcurrency ?? 4, async (item) => {
        if (outOfTime()) return;
        await sweep.onItem(item);
      });
      start = page.LastEvaluatedKey;
    } while (start);
  });
  return complete;
}
