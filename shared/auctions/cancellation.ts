/**
 * Cancelling an auction (docs/auctions.md, Cancelling). An auction not yet
 * settled (upcoming, open, or ended and waiting for the sweeper) becomes
 * CANCELLED in ONE ledger commit: the auction item (condition: still OPEN at
 * the version read), the RELEASE of the leader's whole hold (the only hold
 * there is), the listing out of the unsettled index (so neither the members'
 * list nor the settlement sweeper sees it again), an audit record and an
 * AuctionCancelled event. Bids and settlement condition on the same status
 * and version, so whichever commits first wins and the other decides again
 * on what it left: a bid that landed first is the hold released, a bid after
 * is AUCTION_CLOSED (reason CANCELLED), a settlement after finds nothing to do.
 */
import { auditWrites, nothingChanged } from '../audit/audit.js';
import { cancellationOf, type Cancellation } from '../domain/auctions.js';
import { ConcurrencyConflictError, DomainError } from '../errors.js';
import { outboxWrite, typedEvent } from '../events/outbox.js';
import { storedResponse, type IdempotencySpec } from '../ledger/idempotency.js';
import { commit, type CommitOutcome, type LedgerMove } from '../ledger/ledger.js';
import { DEFAULT_CURRENCY } from '../ledger/wallet-item.js';
import { creditBucket } from '../members/service.js';
import { tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { adminView, auditPut, readAuction, type AdminAuctionView, type Auction } from './auctions.js';

/** How many times a cancellation is tried again on a newer auction state (bids landing meanwhile) before a retryable 409. */
const CANCEL_ATTEMPTS = 8;

/** The auction changed since it was read (a bid, a settlement or another cancellation landed first). */
class CancelRaceError extends Error {
  constructor() {
    super('the auction changed while it was being cancelled');
  }
}

export interface CancelAuctionInput {
  readonly auctionId: string;
  readonly reason: string;
  /** The operator (token subject), kept in the audit record and the event. */
  readonly operator: string;
  readonly idempotency?: IdempotencySpec | undefined;
  readonly now?: Date;
}

/** The answer: the cancelled auction as operators see it; `replayed` when a repeated Idempotency-Key answered the stored one. */
export interface CancelAnswer {
  readonly status: number;
  readonly body: AdminAuctionView;
  readonly replayed: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function commitCancellation(
  auction: Auction,
  plan: Extract<Cancellation, { kind: 'CANCEL' }>,
  input: CancelAuctionInput,
  now: Date,
): Promise<CommitOutcome> {
  const at = now.toISOString();
  const moves: LedgerMove[] = [];
  if (plan.release) {
    moves.push({
      memberId: plan.release.memberId,
      type: 'RELEASE',
      points: plan.release.points,
      // Held points whose own bucket has expired meanwhile come back into the bucket of points earned today.
      bucket: await creditBucket(DEFAULT_CURRENCY, now),
      reason: `auction cancelled: ${auction.title}`,
      ref: auction.auctionId,
    });
  }
  const cancelled: Auction = {
    ...auction,
    status: 'CANCELLED',
    leaderHold: 0,
    version: auction.version + 1,
    cancelledAt: at,
    cancelledBy: input.operator,
    cancelReason: input.reason,
    updatedAt: at,
  };
  return commit({
    moves,
    extra: [
      {
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.auction.item(auction.auctionId),
            UpdateExpression:
              'SET #status = :cancelled, #leaderHold = :zero, #version = :next, #cancelledAt = :at, #cancelledBy = :by, #cancelReason = :reason, #updatedAt = :at',
            ConditionExpression: '#status = :open AND #version = :read',
            ExpressionAttributeNames: {
              '#status': 'status',
              '#leaderHold': 'leaderHold',
              '#version': 'version',
              '#cancelledAt': 'cancelledAt',
              '#cancelledBy': 'cancelledBy',
              '#cancelReason': 'cancelReason',
              '#updatedAt': 'updatedAt',
            },
            ExpressionAttributeValues: {
              ':cancelled': 'CANCELLED',
              ':open': 'OPEN',
              ':zero': 0,
              ':read': auction.version,
              ':next': cancelled.version,
              ':at': at,
              ':by': input.operator,
              ':reason': input.reason,
            },
          },
        },
        onConditionFailed: () => new CancelRaceError(),
      },
      {
        item: {
          Update: {
            TableName: tableName(),
            Key: keys.auction.listing(auction.auctionId),
            UpdateExpression: 'SET #status = :cancelled REMOVE GSI2PK, GSI2SK',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':cancelled': 'CANCELLED' },
          },
        },
      },
      {
        item: auditPut({
          auctionId: auction.auctionId,
          action: 'CANCELLED',
          by: input.operator,
          at,
          reason: input.reason,
          changes: null,
          versionAfter: cancelled.version,
          released: plan.release,
        }),
      },
      ...auditWrites(
        {
          target: `auction:${auction.auctionId}`,
          summary: `cancelled auction "${auction.title}" (${plan.phase.toLowerCase()})${plan.release ? `, releasing ${plan.release.points} points held for ${plan.release.memberId}` : ''}: ${input.reason}`,
          before: { status: auction.status, version: auction.version },
          after: { status: cancelled.status, version: cancelled.version, cancelReason: input.reason },
        },
        now,
      ),
      outboxWrite(
        typedEvent('AuctionCancelled', {
          auctionId: auction.auctionId,
          productId: auction.productId,
          phase: plan.phase,
          reason: input.reason,
          cancelledBy: input.operator,
          cancelledAt: at,
          bids: auction.bids,
          price: auction.leaderId === null ? null : auction.price,
          released: plan.release,
        }),
        now,
      ),
    ],
    ...(input.idempotency ? { idempotency: input.idempotency } : {}),
    response: () => ({ status: 200, body: adminView(cancelled, now) }),
    now,
  });
}

/**
 * Cancels an auction that is not yet settled. Cancelling a cancelled auction
 * answers it as it is (or the stored first answer for a repeated
 * Idempotency-Key); a SETTLED or UNSOLD one is 409 CONFLICT with
 * `auctionStatus`. A commit that loses to a bid (or to the settlement) is
 * decided again on the new state; CONFLICT (retryable) only after
 * `CANCEL_ATTEMPTS` lost races.
 */
export async function cancelAuction(input: CancelAuctionInput): Promise<CancelAnswer> {
  const now = input.now ?? new Date();
  for (let attempt = 1; ; attempt += 1) {
    const auction = await readAuction(input.auctionId);
    const plan = cancellationOf(auction, now);
    if (plan.kind === 'ALREADY_CANCELLED') {
      const stored = input.idempotency ? await storedResponse(input.idempotency) : undefined;
      if (stored) return { status: stored.status, body: stored.body as AdminAuctionView, replayed: true };
      // Cancelled before, by another request: this one changes (and records) nothing.
      nothingChanged();
      return { status: 200, body: adminView(auction, now), replayed: false };
    }
    if (plan.kind === 'FINAL') {
      throw new DomainError('CONFLICT', `auction ${auction.auctionId} is ${plan.status}: it has been settled and can no longer be cancelled`, {
        auctionStatus: plan.status,
      });
    }
    try {
      const outcome = await commitCancellation(auction, plan, input, now);
      const response = outcome.response as { status: number; body: AdminAuctionView };
      return { status: response.status, body: response.body, replayed: outcome.replayed };
    } catch (error) {
      // The leader's hold may already have moved (a bid that took the lead released it): a wallet CONFLICT is a lost race too.
      const raced = error instanceof CancelRaceError || (error instanceof DomainError && error.code === 'CONFLICT');
      if (!raced) throw error;
      if (attempt >= CANCEL_ATTEMPTS) throw new ConcurrencyConflictError(`auction ${input.auctionId}`);
      await sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
    }
  }
}
