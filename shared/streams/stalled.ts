/**
 * Work a request applies itself (a small stock feed, shared/mall/stock-feeds.ts, or offline batch,
 * shared/earning/purchase-batches.ts) whose request crashed or ran out of time before it finished or handed over.
 *
 * Such work is left RUNNING at segment 0 with its `requestUntil` in the past, and no stream record asks anyone to
 * go on. Reading or resending it hands it to the stream (`handOverStalled`); so does the `stalled-work` job, every
 * minute, for what nobody reads: the head item is listed in GSI2 `IN-REQUEST` by `requestUntil` while its request
 * works on it (keys.inRequest), and the job hands over each entry whose time has passed. The hand-over is the same
 * conditional update either way (segment 0 -> 1, the step read), so the two never hand one piece over twice.
 * `failWork` ends any stream-run work (feeds, batches, what-if replays) in failure, off that list too.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { logger } from '../observability/powertools.js';
import { db, tableName } from '../table/client.js';
import { keys, type ItemKey } from '../table/keys.js';
import { sweepShards } from '../jobs/sweep.js';

/** The fields of a head item that say whether its request stalled. */
export interface InRequestState {
  readonly state: string;
  readonly segment: number;
  readonly step: number;
  readonly requestUntil?: string | undefined;
}

export function isStalled(item: InRequestState, now: Date): boolean {
  return item.state === 'RUNNING' && item.segment === 0 && item.requestUntil !== undefined && Date.parse(item.requestUntil) < now.getTime();
}

/**
 * Hands stalled work to the stream: bumps `segment` (the MODIFY asks the consumer to go on), answers 202 from now
 * on, and takes it off the in-request list; conditional on the step read and segment 0. False when another
 * runner or reader did it first (nothing to do).
 */
export async function handOverStalled(key: ItemKey, step: number, now: Date): Promise<boolean> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET #segment = :one, #step = :next, answer = :queued, updatedAt = :now REMOVE requestUntil, GSI2PK, GSI2SK',
        ConditionExpression: '#step = :step AND #segment = :zero AND #state = :running',
        ExpressionAttributeNames: { '#segment': 'segment', '#step': 'step', '#state': 'state' },
        ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':next': step + 1, ':step': step, ':queued': 202, ':running': 'RUNNING', ':now': now.toISOString() },
      }),
    );
    return true;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/**
 * Ends stream-run work (a stock feed, an offline batch, a what-if replay) in failure: FAILED with a reason the
 * caller can act on, off the in-request list, unless it finished meanwhile (then nothing changes).
 */
export async function failWork(key: ItemKey, reason: string): Promise<void> {
  const now = new Date().toISOString();
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET #state = :failed, #error = :error, updatedAt = :now, finishedAt = :now REMOVE GSI2PK, GSI2SK',
        ConditionExpression: '#state IN (:queued, :running)',
        ExpressionAttributeNames: { '#state': 'state', '#error': 'error' },
        ExpressionAttributeValues: { ':failed': 'FAILED', ':error': reason, ':now': now, ':queued': 'QUEUED', ':running': 'RUNNING' },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}

/**
 * The `stalled-work` job: every listed piece of work whose request's time has passed, handed to the stream. A
 * listed piece not stalled after all (finished, or handed over, by a save that raced this read) is left alone.
 */
export async function runStalledWorkJob(options: { now?: Date; deadline?: number } = {}): Promise<{ seen: number; handedOver: number; complete: number }> {
  const now = options.now ?? new Date();
  let seen = 0;
  let handedOver = 0;
  const complete = await sweepShards({
    shards: 1,
    deadline: options.deadline,
    query: () => ({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :due',
      ExpressionAttributeValues: { ':pk': keys.inRequest.partition(), ':due': now.toISOString() },
    }),
    onItem: async (item) => {
      seen += 1;
      const head = item as unknown as InRequestState & ItemKey & { entity?: string };
      if (!isStalled(head, now)) return;
      if (await handOverStalled({ PK: head.PK, SK: head.SK }, head.step, now)) {
        handedOver += 1;
        logger.warn('work stalled in its request: handed to the stream', { entity: head.entity, PK: head.PK });
      }
    },
  });
  return { seen, handedOver, complete: complete ? 1 : 0 };
}
