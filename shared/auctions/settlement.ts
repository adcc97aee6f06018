/**
 * Settlement of an ended auction (docs/auctions.md, Settlement): ONE ledger
 * commit conditional on the auction being OPEN, ended and at the version read.
 * Sold (a leader at or above the reserve): CAPTURE the price from the
 * winner's hold and RELEASE the rest, the order for the lot
 * (`prizeOrderWrites`, with its OrderPlaced event) and an AuctionWon event.
 * Unsold (no bids, or below the reserve): RELEASE the leader's hold, the only
 * one there is. Either way the listing leaves the unsettled index. A second
 * run, or a concurrent one, loses the condition and finds it settled; a run
 * racing an operator's cancellation (shared/auctions/cancellation.ts) loses
 * it the same way and finds it CANCELLED.
 */
import { settlementOf } from '../domain/auctions.js';
import { ConcurrencyConflictError, DomainError } from '../errors.js';
import { outboxWrite, typedEvent } from '../events/outbox.js';
import { commit, type ExtraWrite, type LedgerMove, type TransactItem } from '../ledger/ledger.js';
import { DEFAULT_CURRENCY } from '../ledger/wallet-item.js';
import { getProduct } from '../mall/catalogue.js';
import { prizeOrderWrites } from '../mall/orders.js';
import { creditBucket } from '../members/service.js';
import { tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { readAuction, type Auction } from './auctions.js';

export type SettleOutcome = 'SETTLED' | 'UNSOLD' | 'ALREADY_SETTLED' | 'CANCELLED' | 'NOT_DUE';

/** Settlement found the auction changed since it was read (a late bid, or another settlement). */
class SettlementRaceError extends Error {
  constructor() {
    super('the auction changed while it was being settled');
  }
}

const SETTLE_ATTEMPTS = 5;

function listingClosed(auctionId: string, status: 'SETTLED' | 'UNSOLD'): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.auction.listing(auctionId),
      UpdateExpression: 'SET #status = :status REMOVE GSI2PK, GSI2SK',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
    },
  };
}

function auctionClosed(auction: Auction, set: Record<string, unknown>, now: Date): ExtraWrite {
  const names: Record<string, string> = { '#status': 'status', '#version': 'version', '#endsAt': 'endsAt', '#leaderHold': 'leaderHold', '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':open': 'OPEN', ':read': auction.version, ':next': auction.version + 1, ':now': now.toISOString(), ':zero': 0 };
  const sets = ['#version = :next', '#leaderHold = :zero', '#updatedAt = :now'];
  Object.entries(set).forEach(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    sets.push(`#s${i} = :s${i}`);
  });
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.auction.item(auction.auctionId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: '#status = :open AND #version = :read AND #endsAt <= :now',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    onConditionFailed: () => new SettlementRaceError(),
  };
}

async function commitSettlement(auction: Auction, now: Date): Promise<'SETTLED' | 'UNSOLD'> {
  const plan = settlementOf(auction);
  const at = now.toISOString();
  const ref = auction.auctionId;
  if (plan.kind === 'UNSOLD') {
    const moves: LedgerMove[] = plan.release
      ? [
          {
            memberId: plan.release.memberId,
            type: 'RELEASE',
            points: plan.release.points,
            bucket: await creditBucket(DEFAULT_CURRENCY, now),
            reason: `auction ended below its reserve: ${auction.title}`,
            ref,
          },
        ]
      : [];
    await commit({
      moves,
      extra: [auctionClosed(auction, { status: 'UNSOLD', unsoldReason: plan.reason, settledAt: at }, now), { item: listingClosed(auction.auctionId, 'UNSOLD') }],
      now,
    });
    return 'UNSOLD';
  }
  const product = await getProduct(auction.productId);
  const order = prizeOrderWrites(
    product,
    { memberId: plan.winnerId, points: plan.capture, source: { kind: 'AUCTION', id: auction.auctionId }, reason: `won auction ${auction.auctionId} at ${plan.capture} points` },
    now,
  );
  const moves: LedgerMove[] = [{ memberId: plan.winnerId, type: 'CAPTURE', points: plan.capture, reason: `won auction: ${auction.title}`, ref }];
  if (plan.release > 0) {
    moves.push({
      memberId: plan.winnerId,
      type: 'RELEASE',
      points: plan.release,
      bucket: await creditBucket(DEFAULT_CURRENCY, now),
      reason: `rest of your maximum released: ${auction.title}`,
      ref,
    });
  }
  await commit({
    moves,
    extra: [
      auctionClosed(auction, { status: 'SETTLED', winnerId: plan.winnerId, orderId: order.orderId, settledAt: at }, now),
      { item: listingClosed(auction.auctionId, 'SETTLED') },
      ...order.writes,
      outboxWrite(
        typedEvent('AuctionWon', {
          auctionId: auction.auctionId,
          productId: auction.productId,
          memberId: plan.winnerId,
          price: plan.capture,
          orderId: order.orderId,
          bids: auction.bids,
          endedAt: auction.endsAt,
        }),
        now,
      ),
    ],
    now,
  });
  return 'SETTLED';
}

/**
 * Settles one auction if it has ended by `now`. Idempotent: an auction
 * already settled answers ALREADY_SETTLED, a cancelled one CANCELLED (the
 * index lags: the sweeper may still list one cancelled a moment ago), one
 * still running NOT_DUE. A
 * transaction that loses to a concurrent settlement (or a wallet condition on
 * holds that settlement already moved) re-reads and answers from what it finds.
 */
export async function settleAuction(auctionId: string, now = new Date()): Promise<SettleOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    const auction = await readAuction(auctionId);
    if (auction.status === 'CANCELLED') return 'CANCELLED';
    if (auction.status !== 'OPEN') return 'ALREADY_SETTLED';
    if (Date.parse(auction.endsAt) > now.getTime()) return 'NOT_DUE';
    try {
      return await commitSettlement(auction, now);
    } catch (error) {
      const raced = error instanceof SettlementRaceError || (error instanceof DomainError && error.code === 'CONFLICT');
      if (!raced) throw error;
      if (attempt >= SETTLE_ATTEMPTS) throw new ConcurrencyConflictError(`auction ${auctionId}`);
    }
  }
}
