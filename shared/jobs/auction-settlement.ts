/**
 * The auction-settlement job (docs/auctions.md, Settlement), every minute:
 * settles the auctions that have ended. Due auctions are found without a
 * Scan: every unsettled auction's listing carries a GSI2 entry
 * `AUCTIONS-UNSETTLED` / `<endsAt>#<auctionId>` (moved when anti-sniping
 * extends the end, removed at settlement), so one range Query
 * (`GSI2SK <= <now>~`) reads exactly the ended ones (a cancelled auction's
 * entry is removed by the cancellation). Settlement is
 * conditional on the auction, so repeated, concurrent and resumed runs settle
 * each auction once; whatever a run did not reach is still listed for the next.
 */
import { settleAuction } from '../auctions/settlement.js';
import { logger } from '../observability/powertools.js';
import { keys } from '../table/keys.js';
import { sweepShards } from './sweep.js';

export interface AuctionSettlementStats {
  /** Ended auctions the index listed (one a concurrent run just settled may still be listed: the index lags). */
  auctionsDue: number;
  sold: number;
  unsold: number;
  alreadySettled: number;
  /** Listed as ended but cancelled meanwhile (the index lags the auction). */
  cancelled: number;
  /** Listed as ended but extended meanwhile (the index lags the auction). */
  notDue: number;
  /** 1 when every due auction was handled, 0 when the run stopped at its deadline. */
  complete: number;
  [key: string]: number;
}

/**
 * Settles every auction ended by `now`, a page of `pageSize` at a time, with
 * at most `concurrency` settlements in flight. After `deadline` (epoch ms) no
 * new one is started and the run answers `complete: 0`. An auction that
 * cannot be settled is logged and the others still are; the run then fails so
 * the scheduler's retries and DLQ alarm see it.
 */
export async function runAuctionSettlementJob(
  options: { now?: Date; deadline?: number; concurrency?: number; pageSize?: number } = {},
): Promise<AuctionSettlementStats> {
  const now = options.now ?? new Date();
  const stats: AuctionSettlementStats = { auctionsDue: 0, sold: 0, unsold: 0, alreadySettled: 0, cancelled: 0, notDue: 0, complete: 1 };
  const failures: { auctionId: string; error: unknown }[] = [];
  // One partition: auctions are few (tens at once); the list is ordered by end time, so the due ones come first.
  const complete = await sweepShards({
    shards: 1,
    query: () => ({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :ended',
      ExpressionAttributeValues: { ':pk': keys.auction.unsettledPartition(), ':ended': keys.auction.endedBy(now) },
    }),
    pageSize: options.pageSize ?? 100,
    itemConcurrency: options.concurrency ?? 4,
    deadline: options.deadline,
    onItem: async (item) => {
      const auctionId = String(item.auctionId);
      stats.auctionsDue += 1;
      try {
        const outcome = await settleAuction(auctionId, now);
        if (outcome === 'SETTLED') stats.sold += 1;
        else if (outcome === 'UNSOLD') stats.unsold += 1;
        else if (outcome === 'ALREADY_SETTLED') stats.alreadySettled += 1;
        else if (outcome === 'CANCELLED') stats.cancelled += 1;
        else stats.notDue += 1;
      } catch (error) {
        logger.error('auction not settled; the next run tries again', { auctionId, error: error as Error });
        failures.push({ auctionId, error });
      }
    },
  });
  stats.complete = complete ? 1 : 0;
  if (failures.length > 0) {
    throw new Error(`${failures.length} auction(s) could not be settled: ${failures.map((f) => f.auctionId).join(', ')}`);
  }
  return stats;
}
