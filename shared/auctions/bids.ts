/**
 * Bidding (docs/auctions.md, A bid). The auction is read, `decideBid` (pure)
 * says what the bid does, and ONE ledger commit applies it: the auction item
 * (condition: OPEN, startsAt <= now < endsAt, version as read), the HOLD on
 * the bidder, the RELEASE of the previous leader's hold, the bid record, the
 * listing's new end when anti-sniping extends, and the idempotency record.
 * When another bid landed first (the version moved), the bid is decided again
 * on the new state, a few times with jittered backoff, before a retryable 409.
 */
import type * as z from '../zod.js';
import { ulid } from 'ulid';
import type { bidResultSchema, myBidSchema } from '../contracts/auctions.js';
import { decideBid, minimumBid, type BidDecision, type BidRefusal } from '../domain/auctions.js';
import { ConcurrencyConflictError, DomainError, NotFoundError } from '../errors.js';
import { storedResponse, type IdempotencySpec } from '../ledger/idempotency.js';
import { commit, type CommitOutcome, type ExtraWrite, type LedgerMove } from '../ledger/ledger.js';
import { DEFAULT_CURRENCY } from '../ledger/wallet-item.js';
import { creditBucket } from '../members/service.js';
import { tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { queryPage, type PageRequest } from '../table/paging.js';
import { bidFromItem, findAuction, readAuction, type Auction, type AuctionBid } from './auctions.js';

export type BidResult = z.input<typeof bidResultSchema>;
export type MyBid = z.input<typeof myBidSchema>;

/** How many times a bid is decided again on a newer auction state before the client gets a retryable 409. */
const BID_ATTEMPTS = Number(process.env.AUCTION_BID_ATTEMPTS ?? 6);

/** The auction item's condition failed: another bid (or the settlement) changed it since it was read. */
class AuctionChangedError extends Error {
  constructor(readonly current: Record<string, unknown> | undefined) {
    super('the auction changed since it was read');
  }
}

export interface PlaceBidInput {
  readonly auctionId: string;
  readonly memberId: string;
  readonly amount: number;
  readonly maxAmount?: number | undefined;
  readonly idempotency: IdempotencySpec;
  readonly now?: Date;
  /**
   * Called once before the bid's first write, after the refusals that need no write (a bid too low, a closed
   * auction): the member's rate count across instances (shared/http/member-rate-limit.ts).
   */
  readonly beforeWrite?: () => Promise<void>;
}

function refusalError(refusal: BidRefusal, auctionId: string): DomainError {
  if (refusal.code === 'BID_TOO_LOW') return new DomainError('BID_TOO_LOW', refusal.message, { auctionId, minimumAmount: refusal.minimumAmount });
  return new DomainError('AUCTION_CLOSED', refusal.message, { auctionId, reason: refusal.reason });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The writes of one decided bid, committed as one transaction. The auction
 * update comes first among the extra writes so that, when several conditions
 * fail, the lost race is what the ledger reports.
 */
async function commitBid(auction: Auction, decision: BidDecision, input: PlaceBidInput, now: Date): Promise<CommitOutcome> {
  const at = now.toISOString();
  const { next } = decision;
  const seq = next.bids;
  const bidId = `b-${ulid().toLowerCase()}`;
  const moves: LedgerMove[] = [];
  if (decision.hold) {
    moves.push({ memberId: decision.hold.memberId, type: 'HOLD', points: decision.hold.points, reason: `bid on auction: ${auction.title}`, ref: auction.auctionId });
  }
  if (decision.release) {
    moves.push({
      memberId: decision.release.memberId,
      type: 'RELEASE',
      points: decision.release.points,
      // Held points whose own bucket has expired meanwhile come back into the bucket of points earned today.
      bucket: await creditBucket(DEFAULT_CURRENCY, now),
      reason: `outbid on auction: ${auction.title}`,
      ref: auction.auctionId,
    });
  }
  const extra: ExtraWrite[] = [
    {
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.auction.item(auction.auctionId),
          UpdateExpression:
            'SET #price = :price, #leaderId = :leaderId, #leaderMax = :leaderMax, #leaderHold = :leaderHold, #bids = :bids, #version = :next, #endsAt = :endsAt, #updatedAt = :at',
          ConditionExpression: '#version = :read AND #status = :open AND #startsAt <= :at AND #endsAt > :at',
          ExpressionAttributeNames: {
            '#price': 'price',
            '#leaderId': 'leaderId',
            '#leaderMax': 'leaderMax',
            '#leaderHold': 'leaderHold',
            '#bids': 'bids',
            '#version': 'version',
            '#endsAt': 'endsAt',
            '#updatedAt': 'updatedAt',
            '#status': 'status',
            '#startsAt': 'startsAt',
          },
          ExpressionAttributeValues: {
            ':price': next.price,
            ':leaderId': next.leaderId,
            ':leaderMax': next.leaderMax,
            ':leaderHold': next.leaderHold,
            ':bids': next.bids,
            ':next': next.version,
            ':endsAt': next.endsAt,
            ':at': at,
            ':read': auction.version,
            ':open': 'OPEN',
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: (current) => (current ? new AuctionChangedError(current) : new NotFoundError(`auction ${auction.auctionId} does not exist`)),
    },
  ];
  const record: AuctionBid = {
    auctionId: auction.auctionId,
    bidId,
    seq,
    memberId: input.memberId,
    amount: input.amount,
    maxAmount: decision.bidderMax,
    outcome: decision.outcome,
    priceAfter: next.price,
    leaderAfter: next.leaderId ?? input.memberId,
    held: decision.hold?.points ?? 0,
    released: decision.release,
    extendedTo: decision.extended ? next.endsAt : null,
    at,
  };
  extra.push({
    item: {
      Put: {
        TableName: tableName(),
        Item: { ...keys.auction.bid(auction.auctionId, seq), ...keys.auction.memberBidEntry(input.memberId, at, auction.auctionId, seq), entity: 'AuctionBid', ...record },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    // The bid number is the auction's count after it, unique under the version condition; a clash means the auction moved on.
    onConditionFailed: () => new AuctionChangedError(undefined),
  });
  if (decision.extended) {
    extra.push({
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.auction.listing(auction.auctionId),
          UpdateExpression: 'SET #endsAt = :endsAt, GSI2SK = :sk',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#endsAt': 'endsAt' },
          ExpressionAttributeValues: { ':endsAt': next.endsAt, ':sk': keys.auction.unsettledEntry(auction.auctionId, next.endsAt).GSI2SK },
        },
      },
    });
  }
  if (decision.requireAvailable) {
    const { memberId, points } = decision.requireAvailable;
    extra.push({
      item: {
        ConditionCheck: {
          TableName: tableName(),
          Key: keys.member.wallet(memberId, DEFAULT_CURRENCY),
          ConditionExpression: 'available >= :max',
          ExpressionAttributeValues: { ':max': points },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      onConditionFailed: (current) =>
        current
          ? new DomainError('INSUFFICIENT_POINTS', `your maximum of ${points} points must be available to bid; you have ${Number(current.available ?? 0)}`, {
              requested: points,
              available: Number(current.available ?? 0),
              currency: DEFAULT_CURRENCY,
            })
          : new NotFoundError(`member ${memberId} has no points wallet; register first`),
    });
  }
  const leading = next.leaderId === input.memberId;
  const body: BidResult = {
    auctionId: auction.auctionId,
    bidId,
    seq,
    outcome: decision.outcome,
    amount: input.amount,
    maxAmount: decision.bidderMax,
    price: next.price,
    leading,
    held: leading ? next.leaderHold : 0,
    minimumBid: minimumBid({ ...auction, ...next }),
    endsAt: next.endsAt,
    extended: decision.extended,
    at,
  };
  return commit({ moves, extra, idempotency: input.idempotency, response: () => ({ status: 201, body }), now });
}

/**
 * Whether a failed commit lost a race with another bid: the auction's
 * condition failed, or a wallet condition failed on a state that is already
 * stale (the previous leader's hold released by a bid that landed first, say).
 * The ledger reports a wallet before the auction, so a wallet failure is
 * judged by reading the auction again.
 */
async function lostRace(error: unknown, read: Auction): Promise<boolean> {
  if (error instanceof AuctionChangedError) return true;
  if (error instanceof DomainError && (error.code === 'INSUFFICIENT_POINTS' || error.code === 'CONFLICT')) {
    const now = await findAuction(read.auctionId);
    return now !== undefined && now.version !== read.version;
  }
  return false;
}

/**
 * Places a bid. A repeated Idempotency-Key answers the first bid. Refusals
 * (BID_TOO_LOW with the minimum acceptable amount, AUCTION_CLOSED,
 * INSUFFICIENT_POINTS) write nothing; CONFLICT (409, retryable with the same
 * key) only after `BID_ATTEMPTS` decisions each lost to a newer bid.
 */
export async function placeBid(input: PlaceBidInput): Promise<CommitOutcome> {
  const now = input.now ?? new Date();
  for (let attempt = 1; ; attempt += 1) {
    const auction = await readAuction(input.auctionId);
    const result = decideBid(auction, { memberId: input.memberId, amount: input.amount, maxAmount: input.maxAmount }, now);
    if (!result.accepted) {
      // A retry of a bid already placed is refused by the state that bid made (its own price, the end
      // that has passed since): it answers the first answer. Read only here, so an accepted bid costs no
      // extra read (its commit's idempotency record replays a repeat that would still be accepted).
      const placed = await storedResponse(input.idempotency);
      if (placed) return { replayed: true, response: placed };
      throw refusalError(result.refusal, input.auctionId);
    }
    if (attempt === 1) await input.beforeWrite?.();
    try {
      return await commitBid(auction, result.decision, input, now);
    } catch (error) {
      if (!(await lostRace(error, auction))) throw error;
      if (attempt >= BID_ATTEMPTS) throw new ConcurrencyConflictError(`auction ${input.auctionId}`);
      await sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
    }
  }
}

/** A member's bids, newest first. */
export async function listMemberBids(memberId: string, page: PageRequest): Promise<{ items: MyBid[]; nextCursor: string | null }> {
  const partition = keys.auction.memberBidsPartition(memberId);
  const result = await queryPage(
    { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false },
    page,
    { attribute: 'GSI1PK', value: partition },
  );
  return {
    items: result.items.map(bidFromItem).map((b) => ({
      auctionId: b.auctionId,
      bidId: b.bidId,
      seq: b.seq,
      amount: b.amount,
      maxAmount: b.maxAmount,
      outcome: b.outcome,
      priceAfter: b.priceAfter,
      at: b.at,
    })),
    nextCursor: result.nextCursor,
  };
}
