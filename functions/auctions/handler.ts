import {
  createAuction,
  getAuctionForMember,
  getAuctionForOperator,
  listAuctionsForOperator,
  listOpenAuctions,
  adminView,
  auctionBids,
  readAuction,
  updateAuction,
} from '../../shared/auctions/auctions.js';
import { listMemberBids, placeBid } from '../../shared/auctions/bids.js';
import { cancelAuction } from '../../shared/auctions/cancellation.js';
import { DomainError } from '../../shared/errors.js';
import { requireMember } from '../../shared/members/service.js';
import { committedAnswer, httpHandler } from '../../shared/http/handler.js';
import { checkShared } from '../../shared/http/member-rate-limit.js';
import type { Caller } from '../../shared/http/auth.js';
import { auctionOperations } from '../../shared/contracts/auctions.js';

function subjectOf(caller: Caller | undefined): string {
  if (!caller?.subject) throw new DomainError('UNAUTHORIZED', 'token has no subject');
  return caller.subject;
}

export const handler = httpHandler('auctions', auctionOperations, {
  listAuctions: async ({ caller, page }) => listOpenAuctions(subjectOf(caller), page),
  getAuction: async ({ caller, params }) => getAuctionForMember(params.auctionId, subjectOf(caller)),
  placeBid: async ({ caller, params, body, idempotency }) => {
    if (!idempotency) throw new DomainError('IDEMPOTENCY_KEY_REQUIRED', 'send an Idempotency-Key header');
    const memberId = subjectOf(caller);
    // The member's rate across instances, paid only by a bid about to write (shared/http/member-rate-limit.ts).
    return committedAnswer(
      await placeBid({ auctionId: params.auctionId, memberId, amount: body.amount, maxAmount: body.maxAmount, idempotency, beforeWrite: () => checkShared('placeBid', memberId) }),
    );
  },
  listMyBids: async ({ caller, page }) => listMemberBids(subjectOf(caller), page),
  listMemberBids: async ({ params, page }) => {
    await requireMember(params.memberId);
    return listMemberBids(params.memberId, page);
  },
  createAuction: async ({ caller, body }) => {
    const now = new Date();
    return adminView(await createAuction(body, subjectOf(caller), now), now);
  },
  listAuctionsAdmin: async ({ page }) => listAuctionsForOperator(page),
  listAuctionBids: async ({ params, page }) => {
    await readAuction(params.auctionId);
    const history = await auctionBids(params.auctionId, page);
    return { items: history.items.map((bid) => ({ ...bid })), nextCursor: history.nextCursor };
  },
  getAuctionAdmin: async ({ params, page }) => getAuctionForOperator(params.auctionId, page),
  updateAuction: async ({ caller, params, body }) => {
    const now = new Date();
    return adminView(await updateAuction(params.auctionId, body, subjectOf(caller), now), now);
  },
  cancelAuction: async ({ caller, params, body, idempotency }) =>
    cancelAuction({ auctionId: params.auctionId, reason: body.reason, operator: subjectOf(caller), idempotency }),
});
