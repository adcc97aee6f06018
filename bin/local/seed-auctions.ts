/**
 * Demo auctions (docs/auctions.md): one open for 90 days from the first start
 * (long enough that a kept local table still shows it weeks later),
 * with an opening proxy bid by m-silver and a challenge by m-diamond that
 * m-silver's maximum answers, so there is a price, a leader to beat and a bid history, and one upcoming. Fixed ids; safe to run on every start (an existing
 * auction is left as it is, the opening bid is placed once).
 */
import { createAuction, type AuctionInput } from '../../shared/auctions/auctions.js';
import { placeBid } from '../../shared/auctions/bids.js';
import { DomainError } from '../../shared/errors.js';
import { fingerprintOf } from '../../shared/ledger/idempotency.js';

export const DEMO_OPEN_AUCTION_ID = 'a-demo-headphones';
export const DEMO_UPCOMING_AUCTION_ID = 'a-demo-tea-set';

const DAY = 86_400_000;
/** The opening bid's idempotency record is kept for ever, so a restart never bids again. */
const SEED_TTL_SECONDS = 100 * 365 * 24 * 3600;

async function createUnlessExists(input: AuctionInput, now: Date): Promise<void> {
  try {
    await createAuction(input, 'seed', now);
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
  }
}

/** Seeds the demo auctions; needs the demo members and products (bin/local/seed.ts). */
export async function seedAuctions(now = new Date()): Promise<void> {
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  await createUnlessExists(
    {
      auctionId: DEMO_OPEN_AUCTION_ID,
      productId: 'p-headphones',
      title: 'Wireless headphones (shipped by JD), from 1,000 points',
      description: 'Proxy bidding: set a maxAmount and the system bids for you. A bid in the last 2 minutes extends the end by 2 minutes after it.',
      startsAt: now.toISOString(),
      endsAt: at(90 * DAY),
      latestEndsAt: at(90 * DAY + 3_600_000),
      startingPrice: 1_000,
      minIncrement: 100,
      reservePrice: 3_000,
      antiSniping: { windowSeconds: 120, extendSeconds: 120 },
    },
    now,
  );
  await createUnlessExists(
    {
      auctionId: DEMO_UPCOMING_AUCTION_ID,
      productId: 'p-tea-set',
      title: 'Porcelain tea set, from 500 points',
      description: 'Opens in two days.',
      startsAt: at(2 * DAY),
      endsAt: at(5 * DAY),
      latestEndsAt: null,
      startingPrice: 500,
      minIncrement: 50,
      reservePrice: null,
      antiSniping: { windowSeconds: 60, extendSeconds: 60 },
    },
    now,
  );
  // Two bidders, so the console's bid history shows a challenge: m-diamond's 1,100 is answered by m-silver's
  // maximum (OUTBID), and m-silver leads at 1,200.
  const bids = [
    { memberId: 'm-silver', amount: 1_000, maxAmount: 1_500 },
    { memberId: 'm-diamond', amount: 1_100, maxAmount: undefined },
  ];
  try {
    for (const bid of bids) {
      const key = `auction-bid:${DEMO_OPEN_AUCTION_ID}:${bid.memberId}`;
      await placeBid({
        auctionId: DEMO_OPEN_AUCTION_ID,
        memberId: bid.memberId,
        amount: bid.amount,
        maxAmount: bid.maxAmount,
        idempotency: { scope: 'seed', key, fingerprint: fingerprintOf(key), ttlSeconds: SEED_TTL_SECONDS },
        now,
      });
    }
  } catch (error) {
    // A demo auction that has ended (a restart more than 90 days later) takes no bids: nothing to seed.
    if (!(error instanceof DomainError && error.code === 'AUCTION_CLOSED')) throw error;
  }
}
