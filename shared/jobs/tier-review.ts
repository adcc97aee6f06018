/**
 * The tier review (docs/earning.md, Tiers): once a year, every member above
 * `normal` keeps the tier only if their growth still reaches it. Members are
 * found without a Scan: a profile above normal carries a GSI2 entry
 * `TIER-REVIEW#<shard>` / `<year>#<memberId>` (year granted or last
 * confirmed), so the members due in year Y are the entries sorting below
 * `Y#` on the 16 shard partitions. A reviewed member either moves to `Y#`
 * or, downgraded to normal, leaves the index, so a run that stops early (or
 * fails) leaves exactly the members not yet reviewed for the next run, and a
 * repeated run finds nothing to do.
 */
import { getEarningRules } from '../earning/rules-store.js';
import { programmeYear } from '../members/service.js';
import { reviewMemberTier } from '../members/tiers.js';
import { keys, TIER_REVIEW_SHARDS } from '../table/keys.js';
import { sweepShards } from './sweep.js';

export interface TierReviewStats {
  membersReviewed: number;
  tiersKept: number;
  downgraded: number;
  skipped: number;
  /** 1 when every due member was reviewed; 0 when the deadline stopped the run (the next run continues). */
  complete: number;
  [key: string]: number;
}

export async function runTierReview(options: { now?: Date; deadline?: number; concurrency?: number } = {}): Promise<TierReviewStats> {
  const now = options.now ?? new Date();
  const year = programmeYear(now);
  const rules = (await getEarningRules({ fresh: true })).tiers;
  const stats: TierReviewStats = { membersReviewed: 0, tiersKept: 0, downgraded: 0, skipped: 0, complete: 1 };
  const complete = await sweepShards({
    shards: TIER_REVIEW_SHARDS,
    query: (shard) => ({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :due',
      ExpressionAttributeValues: { ':pk': keys.tierReview.partition(shard), ':due': keys.tierReview.dueBefore(year) },
    }),
    itemConcurrency: options.concurrency ?? 8,
    deadline: options.deadline,
    onItem: async (item) => {
      const outcome = await reviewMemberTier(String(item.memberId), year, rules, now);
      if (outcome === 'skipped') {
        stats.skipped += 1;
        return;
      }
      stats.membersReviewed += 1;
      if (outcome === 'kept') stats.tiersKept += 1;
      else stats.downgraded += 1;
    },
  });
  stats.complete = complete ? 1 : 0;
  return stats;
}
