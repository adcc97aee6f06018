import {
  createAuction,
  getAuctionForMember,
  getAuctionForOperator,
  listAuctionsForOperator,
  listOpenAuctions,
  adminView,
  updateAuction,
} from '../../shared/auctions/auctions.js';
import { listMemberBids, placeBid } from '../../shared/auctions/bids.js';
import { cancelAuction } from '../../shared/auctions/cancellation.js';
import { DomainError } from '../../shared/errors.js';
import { committedAnswer, httpHandler } from '../../shared/http/handler.js';
import type { Caller } from '../../shared/http/auth.js';

function subjectOf(caller: Caller | undefined): string {
  if (!caller?.subject) throw new DomainError('UNAUTHORIZED', 'token has no subject');
  return caller.subject;
}

export const handler = httpHandler('auctions', {
  listAuctions: async ({ caller, query }) => listOpenAuctions(subjectOf(caller), { limit: query.limit, cursor: query.cursor }),
  getAuction: async ({ caller, params }) => getAuctionForMember(params.auctionId, subjectOf(caller)),
  placeBid: async ({ caller, params, body, idempotency }) => {
    if (!idempotency) throw new DomainError('IDEMPOTENCY_KEY_REQUIRED', 'send an Idempotency-Key header');
    return committedAnswer(
      await placeBid({ auctionId: params.auctionId, memberId: subjectOf(caller), amount: body.amount, maxAmount: body.maxAmount, idempotency }),
    );
  },
  listMyBids: async ({ caller, query }) => listMemberBids(subjectOf(caller), { limit: query.limit, cursor: query.cursor }),
  createAuction: async ({ caller, body }) => {
    const now = new Date();
    return adminView(await createAuction(body, subjectOf(caller), now), now);
  },
  listAuctionsAdmin: async ({ query }) => listAuctionsForOperator({ limit: query.limit, cursor: query.cursor }),
  getAuctionAdmin: async ({ params, query }) => getAuctionForOperator(params.auctionId, { limit: query.limit, cursor: query.cursor }),
  updateAuction: async ({ caller, params, body }) => {
    const now = new Date();
    return adminView(await updateAuction(params.auctionId, body, subjectOf(caller), now), now);
  },
  cancelAuction: async ({ caller, params, body, idempotency }) =>
    cancelAuction({ auctionId: params.auctionId, reason: body.reason, operator: subjectOf(caller), idempotency }),
});
