/**
 * The vest-pending job (docs/earning.md, Pending points): makes pending
 * points available once their return window has ended.
 *
 * Due credits are found without a Scan: every PendingCredit carries a GSI2
 * entry `VEST#<shard>` / `<vestAt>#<memberId>#<purchaseId>`, so one range
 * Query per shard (`GSI2SK < <now>~`) reads exactly the credits due, soonest
 * first. Vesting deletes the credit, so the index only ever holds credits
 * still pending (sparse) and the job needs no progress state: whatever a run
 * did not reach is still in the index for the next one. Each credit is one
 * transaction conditional on the points it was read with, so repeated,
 * concurrent and resumed runs vest each credit once.
 */
import { pendingCreditFromItem, vestPendingCredit } from '../earning/pending.js';
import { logger } from '../observability/powertools.js';
import { keys, VEST_INDEX_SHARDS } from '../table/keys.js';
import { sweepShards } from './sweep.js';

const INDEX = 'GSI2';

export interface VestStats {
  /** Due credits the index listed (a credit a concurrent run already vested may still be listed: the index lags). */
  creditsDue: number;
  creditsVested: number;
  pointsVested: number;
  /** Listed but gone when vested: another run vested it, or a refund cancelled it whole. */
  alreadyDone: number;
  /** 1 when every due credit was handled, 0 when the run stopped at its deadline. */
  complete: number;
  [key: string]: number;
}

/**
 * Vests every pending credit due at `now` (its return window ended at or
 * before `now`). Shards are read in parallel, a page of `pageSize` at a time;
 * after `deadline` (epoch ms) no new credit is started and the run answers
 * `complete: 0`. A credit that cannot be vested is logged and the others
 * still are; the run then fails so the scheduler's retries and DLQ alarm see it.
 */
export async function runVestPendingJob(
  options: { now?: Date; deadline?: number; concurrency?: number; pageSize?: number } = {},
): Promise<VestStats> {
  const now = options.now ?? new Date();
  const stats: VestStats = { creditsDue: 0, creditsVested: 0, pointsVested: 0, alreadyDone: 0, complete: 1 };
  const failures: { purchaseId: string; error: unknown }[] = [];
  const complete = await sweepShards({
    shards: VEST_INDEX_SHARDS,
    query: (shard) => ({
      IndexName: INDEX,
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :due',
      ExpressionAttributeValues: { ':pk': keys.vest.partition(shard), ':due': keys.vest.dueBefore(now) },
    }),
    pageSize: options.pageSize ?? 100,
    itemConcurrency: options.concurrency ?? 4,
    deadline: options.deadline,
    onItem: async (item) => {
      const credit = pendingCreditFromItem(item);
      stats.creditsDue += 1;
      try {
        const points = await vestPendingCredit(credit, now);
        if (points > 0) {
          stats.creditsVested += 1;
          stats.pointsVested += points;
        } else {
          stats.alreadyDone += 1;
        }
      } catch (error) {
        logger.error('pending points not vested', { error, memberId: credit.memberId, purchaseId: credit.purchaseId });
        failures.push({ purchaseId: credit.purchaseId, error });
      }
    },
  });
  stats.complete = complete ? 1 : 0;

  if (failures.length > 0) {
    const some = failures.slice(0, 10).map((f) => f.purchaseId).join(', ');
    throw new Error(`${failures.length} pending credits could not be vested (purchases ${some}${failures.length > 10 ? ', ...' : ''}); the others were, see the log`);
  }
  if (stats.complete === 0) logger.warn('vest-pending stopped at its deadline; the next run resumes', { ...stats });
  return stats;
}
