import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema, memberIdParams } from './common.js';
import { productTypes } from './limits.js';
import { operation } from './operation.js';
import { AUDIT_SHOWN } from './limits.js';

export { AUDIT_SHOWN };

const POINTS_CEILING = 1_000_000_000;

const points = (name: string) =>
  z.number({ error: `${name} must be a number of points` }).check(z.int(`${name} must be a whole number of points`), z.positive(`${name} must be positive`), z.lte(POINTS_CEILING, `${name} must be at most ${POINTS_CEILING}`));

const isoTime = (name: string) => z.iso.datetime({ message: `${name} must be an ISO-8601 UTC time, e.g. 2026-05-01T12:00:00Z` });

/** The fields an operator sets, as created and as changed before the auction opens (one definition, so both validate alike). */
const termFields = {
  title: () => z.string().check(z.trim(), z.minLength(3, 'give the auction a title of at least 3 characters'), z.maxLength(120)),
  description: () => z.string().check(z.trim(), z.maxLength(2000)),
  startsAt: () => isoTime('startsAt'),
  endsAt: () => isoTime('endsAt'),
  latestEndsAt: () => doc(z.nullable(isoTime('latestEndsAt')), { description: 'Hard end: anti-sniping never extends past it (null: no limit).' }),
  startingPrice: () => doc(points('startingPrice'), { description: 'The least first bid.' }),
  minIncrement: () => doc(points('minIncrement'), { description: 'Each later bid offers at least the current price plus this.' }),
  reservePrice: () =>
    doc(z.nullable(points('reservePrice')), { description: 'Below this price the lot is not sold and every hold is released (null: no reserve). Members only see whether it is met.' }),
};

interface TermsInRequest {
  readonly startsAt?: string | undefined;
  readonly endsAt?: string | undefined;
  readonly latestEndsAt?: string | null | undefined;
  readonly startingPrice?: number | undefined;
  readonly reservePrice?: number | null | undefined;
}

/** The checks between terms that a request can make on its own (both sides given); the service checks the merged terms again. */
function checkTermsOrder(a: TermsInRequest, ctx: z.core.$RefinementCtx): void {
  if (a.startsAt !== undefined && a.endsAt !== undefined && Date.parse(a.endsAt) <= Date.parse(a.startsAt)) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'endsAt must be after startsAt' });
  }
  if (a.latestEndsAt != null && a.endsAt !== undefined && Date.parse(a.latestEndsAt) < Date.parse(a.endsAt)) {
    ctx.addIssue({ code: 'custom', path: ['latestEndsAt'], message: 'latestEndsAt must not be before endsAt' });
  }
  if (a.reservePrice != null && a.startingPrice !== undefined && a.reservePrice < a.startingPrice) {
    ctx.addIssue({ code: 'custom', path: ['reservePrice'], message: 'reservePrice below startingPrice would always be met; leave it null instead' });
  }
}

export const antiSnipingSchema = doc(z.strictObject({
  windowSeconds: doc(z.number().check(z.int(), z.gte(1, 'windowSeconds must be at least 1'), z.lte(86_400, 'windowSeconds must be at most 86400 (a day)')), {
    description: 'A bid that changes the price or the leader this many seconds or less before the end extends the auction.',
  }),
  extendSeconds: doc(z.number().check(z.int(), z.gte(1, 'extendSeconds must be at least 1'), z.lte(86_400, 'extendSeconds must be at most 86400 (a day)')), {
    description: 'The auction then ends this many seconds after that bid (never earlier than it already would, never after latestEndsAt).',
  }),
}), 'AntiSniping');

export const auctionInputSchema = doc(z.strictObject({
  auctionId: doc(z.optional(idSchema.check(z.maxLength(48, 'auctionId is at most 48 characters'))), { description: 'Generated (`a-<ULID>`) when omitted; an existing id is a 409.' }),
  productId: doc(idSchema, { description: 'The lot: a PHYSICAL or SUPPLIER mall product, quantity 1. The lot is its own stock: mall stock is not touched.' }),
  title: termFields.title(),
  description: z._default(termFields.description(), ''),
  startsAt: termFields.startsAt(),
  endsAt: termFields.endsAt(),
  latestEndsAt: z._default(termFields.latestEndsAt(), null),
  startingPrice: termFields.startingPrice(),
  minIncrement: termFields.minIncrement(),
  reservePrice: z._default(termFields.reservePrice(), null),
  antiSniping: z._default(z.nullable(antiSnipingSchema), null),
}).check(z.superRefine(checkTermsOrder)), 'AuctionInput');

export const auctionPatchSchema = doc(z.strictObject({
  expectedVersion: doc(z.number().check(z.int(), z.gte(0), z.lte(MAX_VERSION, MAX_VERSION_MESSAGE)), { description: "The auction's `version` as you read it; refused with 409 if it changed since." }),
  title: z.optional(termFields.title()),
  description: z.optional(termFields.description()),
  startsAt: z.optional(termFields.startsAt()),
  endsAt: z.optional(termFields.endsAt()),
  latestEndsAt: z.optional(termFields.latestEndsAt()),
  startingPrice: z.optional(termFields.startingPrice()),
  minIncrement: z.optional(termFields.minIncrement()),
  reservePrice: z.optional(termFields.reservePrice()),
  antiSniping: z.optional(z.nullable(antiSnipingSchema)),
}).check(z.refine((p) => Object.values(p).filter((v) => v !== undefined).length > 1, {
  message: 'change at least one of title, description, startsAt, endsAt, latestEndsAt, startingPrice, minIncrement, reservePrice, antiSniping',
}), z.superRefine(checkTermsOrder)), 'AuctionPatch');

export const auctionCancelSchema = doc(z.strictObject({
  reason: z.string().check(z.trim(), z.minLength(3, 'give a reason of at least 3 characters: it is kept in the audit trail and the AuctionCancelled event'), z.maxLength(500, 'reason is at most 500 characters')),
}), 'AuctionCancel');

export const auctionPhases = ['UPCOMING', 'OPEN', 'ENDED', 'SETTLED', 'UNSOLD', 'CANCELLED'] as const;
export const bidOutcomes = ['LEADING', 'RAISED', 'OUTBID'] as const;

const publicBidSchema = doc(z.object({
  seq: doc(z.number().check(z.int()), { description: 'Number of the bid in the auction (1, 2, ...).' }),
  bidder: doc(z.string(), { description: 'The bidder, masked.' }),
  you: doc(z.boolean(), { description: 'Whether the caller made this bid.' }),
  amount: z.number().check(z.int()),
  outcome: z.enum(bidOutcomes),
  priceAfter: z.number().check(z.int()),
  at: z.string(),
}), 'AuctionBidPublic');

export const auctionSchema = doc(z.object({
  auctionId: z.string(),
  productId: z.string(),
  productName: z.string(),
  productType: z.enum(productTypes),
  title: z.string(),
  description: z.string(),
  status: doc(z.enum(auctionPhases), {
    description:
      'UPCOMING before startsAt, OPEN for bids, ENDED after endsAt until the settlement job settles it (within a minute), then SETTLED (sold) or UNSOLD; ' +
      'CANCELLED when an operator cancelled it (every hold released, nothing sold).',
  }),
  startsAt: z.string(),
  endsAt: doc(z.string(), { description: 'When bidding ends; anti-sniping may move it later.' }),
  latestEndsAt: z.nullable(z.string()),
  startingPrice: z.number().check(z.int()),
  minIncrement: z.number().check(z.int()),
  price: doc(z.nullable(z.number().check(z.int())), { description: 'The current highest bid (the final price once settled); null before the first bid.' }),
  minimumBid: doc(z.nullable(z.number().check(z.int())), { description: 'The least amount a new challenger may bid; null once bidding has ended.' }),
  bidCount: z.number().check(z.int()),
  leader: doc(z.nullable(z.string()), { description: 'The leader (the winner once SETTLED), masked.' }),
  hasReserve: z.boolean(),
  reserveMet: z.boolean(),
  antiSniping: z.nullable(antiSnipingSchema),
  you: doc(z.object({
    leading: z.boolean(),
    maximum: doc(z.nullable(z.number().check(z.int())), { description: 'Your maximum while you lead (nobody else sees it).' }),
    held: doc(z.number().check(z.int()), { description: 'Your points held for this auction (your maximum while you lead, else 0).' }),
    won: z.boolean(),
    orderId: doc(z.nullable(z.string()), { description: 'The order of the lot, once you won it (see GET /v1/orders/{orderId}).' }),
  }), 'AuctionForYou'),
  recentBids: doc(z.optional(z.array(publicBidSchema)), { description: 'The latest bids, newest first (single auction only).' }),
}), 'Auction');

export const bidInputSchema = doc(z.strictObject({
  amount: doc(points('amount'), { description: 'Your bid: at least `minimumBid` (the leader may raise the price to an amount of at least price + minIncrement).' }),
  maxAmount: doc(z.optional(points('maxAmount')), {
    description:
      'Proxy bidding: the most you will pay. It is held from your points at once; the system answers later bids for you, one increment at a time, up to it.',
  }),
}).check(z.refine((b) => b.maxAmount === undefined || b.maxAmount >= b.amount, { message: 'maxAmount must be at least amount', path: ['maxAmount'] })), 'BidInput');

export const bidResultSchema = doc(z.object({
  auctionId: z.string(),
  bidId: z.string(),
  seq: z.number().check(z.int()),
  outcome: doc(z.enum(bidOutcomes), {
    description: "LEADING: you lead. RAISED: you led and raised your maximum or the price. OUTBID: the leader's maximum answered your bid; the price rose and you hold nothing.",
  }),
  amount: z.number().check(z.int()),
  maxAmount: doc(z.number().check(z.int()), { description: 'Your maximum as taken: max(amount, maxAmount).' }),
  price: doc(z.number().check(z.int()), { description: 'The price after your bid.' }),
  leading: z.boolean(),
  held: doc(z.number().check(z.int()), { description: 'Your points held for this auction now.' }),
  minimumBid: doc(z.number().check(z.int()), { description: 'The least amount a challenger may bid now.' }),
  endsAt: z.string(),
  extended: doc(z.boolean(), { description: 'Whether your bid moved endsAt (anti-sniping).' }),
  at: z.string(),
}), 'BidResult');

export const myBidSchema = doc(z.object({
  auctionId: z.string(),
  bidId: z.string(),
  seq: z.number().check(z.int()),
  amount: z.number().check(z.int()),
  maxAmount: z.number().check(z.int()),
  outcome: z.enum(bidOutcomes),
  priceAfter: z.number().check(z.int()),
  at: z.string(),
}), 'MyAuctionBid');

const myBidPageSchema = doc(pageOf(myBidSchema), 'MyAuctionBidPage');

export const adminBidSchema = doc(docExtend(myBidSchema, {
  memberId: z.string(),
  leaderAfter: z.string(),
  held: doc(z.number().check(z.int()), { description: 'Points this bid held from the bidder.' }),
  released: doc(z.nullable(z.object({ memberId: z.string(), points: z.number().check(z.int()) })), { description: "The previous leader's hold released by this bid." }),
  extendedTo: z.nullable(z.string()),
}), 'AuctionBid');


const auditSchema = doc(z.object({
  auditId: z.string(),
  action: z.enum(['UPDATED', 'CANCELLED']),
  by: doc(z.string(), { description: 'The operator (token subject).' }),
  at: z.string(),
  reason: doc(z.nullable(z.string()), { description: 'CANCELLED: the reason given.' }),
  changes: doc(z.nullable(z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() }))), { description: 'UPDATED: each changed term, before and after.' }),
  versionAfter: doc(z.number().check(z.int()), { description: "The auction's version after the action." }),
  released: doc(z.nullable(z.object({ memberId: z.string(), points: z.number().check(z.int()) })), { description: "CANCELLED: the leader's hold released (null without bids)." }),
}), 'AuctionAuditRecord');

export const adminAuctionSchema = doc(z.object({
  auctionId: z.string(),
  productId: z.string(),
  productName: z.string(),
  productType: z.enum(productTypes),
  title: z.string(),
  description: z.string(),
  status: doc(z.enum(['OPEN', 'SETTLED', 'UNSOLD', 'CANCELLED']), { description: 'As stored: OPEN until settled or cancelled.' }),
  phase: z.enum(auctionPhases),
  startsAt: z.string(),
  endsAt: z.string(),
  originalEndsAt: z.string(),
  latestEndsAt: z.nullable(z.string()),
  startingPrice: z.number().check(z.int()),
  minIncrement: z.number().check(z.int()),
  reservePrice: z.nullable(z.number().check(z.int())),
  antiSniping: z.nullable(antiSnipingSchema),
  price: z.number().check(z.int()),
  leaderId: z.nullable(z.string()),
  leaderMax: z.number().check(z.int()),
  leaderHold: z.number().check(z.int()),
  bidCount: z.number().check(z.int()),
  version: z.number().check(z.int()),
  winnerId: z.nullable(z.string()),
  orderId: z.nullable(z.string()),
  settledAt: z.nullable(z.string()),
  unsoldReason: z.nullable(z.enum(['NO_BIDS', 'RESERVE_NOT_MET'])),
  cancelledAt: z.nullable(z.string()),
  cancelledBy: z.nullable(z.string()),
  cancelReason: doc(z.nullable(z.string()), { description: 'Operators only; members see the status CANCELLED.' }),
  createdAt: z.string(),
  createdBy: z.string(),
  audit: doc(z.optional(z.array(auditSchema)), { description: `Operator actions on the auction (changes of terms, the cancellation), newest first, at most ${AUDIT_SHOWN} (single auction only).` }),
  bidHistory: doc(z.optional(pageOf(adminBidSchema)), { description: 'Bids, newest first (`?limit=&cursor=` page through them).' }),
}), 'AuctionAdmin');

const auctionParams = z.object({ auctionId: idSchema });

export const auctionOperations = {
  listAuctions: operation({
    summary: 'Auctions open for bids or upcoming, soonest ending first',
    tags: ['auctions'],
    query: pageQuerySchema,
    response: doc(pageOf(auctionSchema), 'AuctionPage'),
  }),
  getAuction: operation({
    summary: 'One auction: price, minimum bid, end (anti-sniping may move it), your standing, the latest bids',
    tags: ['auctions'],
    params: auctionParams,
    response: auctionSchema,
    errors: ['NOT_FOUND'],
  }),
  placeBid: operation({
    summary: 'Bid points; optionally a maximum for proxy bidding (held at once)',
    description:
      'One transaction: the auction (still open, version unchanged), the HOLD of your maximum (or what a higher maximum adds while you lead), ' +
      "the RELEASE of the previous leader's hold, the bid record and the idempotency record. If the leader's maximum answers your bid, the " +
      'answer is 201 with outcome OUTBID and the new price (you hold nothing). Requires Idempotency-Key.',
    tags: ['auctions'],
    params: auctionParams,
    body: bidInputSchema,
    response: bidResultSchema,
    status: 201,
    idempotency: 'required',
    errors: ['BID_TOO_LOW', 'AUCTION_CLOSED', 'INSUFFICIENT_POINTS', 'NOT_FOUND', 'CONFLICT', 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED', 'THROTTLED'],
  }),
  listMyBids: operation({
    summary: 'My auction bids, newest first',
    tags: ['auctions'],
    query: pageQuerySchema,
    response: myBidPageSchema,
  }),
  listMemberBids: operation({
    summary: "A member's auction bids, newest first (operator)",
    description: 'The same list as GET /v1/me/bids answers the member, for the member in the path.',
    tags: ['admin'],
    params: memberIdParams,
    query: pageQuerySchema,
    response: myBidPageSchema,
    errors: ['NOT_FOUND'],
  }),
  createAuction: operation({
    summary: 'Create an auction of one PHYSICAL or SUPPLIER product (operator)',
    tags: ['auctions admin'],
    body: auctionInputSchema,
    response: adminAuctionSchema,
    status: 201,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  listAuctionsAdmin: operation({
    summary: 'Every auction, newest first, with its state (operator)',
    tags: ['auctions admin'],
    query: pageQuerySchema,
    response: doc(pageOf(adminAuctionSchema), 'AuctionAdminPage'),
  }),
  updateAuction: operation({
    summary: 'Change an upcoming auction before it opens (operator)',
    description:
      'Only while UPCOMING (before startsAt, so without bids), optimistic on `expectedVersion`. The merged terms are checked like a new ' +
      "auction's (endsAt after startsAt and in the future, latestEndsAt not before endsAt, reservePrice not below startingPrice). " +
      'The listing moves with startsAt and endsAt in the same transaction, with an audit record of the change. ' +
      '409 CONFLICT once the auction has opened (or was cancelled), or on a stale version (`currentVersion`).',
    tags: ['auctions admin'],
    params: auctionParams,
    body: auctionPatchSchema,
    response: adminAuctionSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  cancelAuction: operation({
    summary: 'Cancel an auction that is not yet settled: release the leader\'s hold, take it off the lists (operator)',
    description:
      "One transaction: the auction becomes CANCELLED (condition: still OPEN at the version read), the RELEASE of the leader's whole hold, " +
      'the listing out of the settlement index, an audit record and an AuctionCancelled event. Upcoming, open, or ended and not yet settled ' +
      'auctions can be cancelled; bids racing the cancel either land before it (and their hold is the one released) or get AUCTION_CLOSED ' +
      '(reason CANCELLED). Cancelling a cancelled auction answers it again; a SETTLED or UNSOLD one is 409 CONFLICT with `auctionStatus`. ' +
      'Idempotency-Key is optional (a repeat with the key replays the first answer).',
    tags: ['auctions admin'],
    params: auctionParams,
    body: auctionCancelSchema,
    response: adminAuctionSchema,
    idempotency: 'optional',
    errors: ['NOT_FOUND', 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED'],
  }),
  listAuctionBids: operation({
    summary: 'The bid history of one auction, newest first, with bidders, maximums held and holds released (operator)',
    description: 'The same bids as `bidHistory` of GET /v1/admin/auctions/{auctionId}, alone (for polling an open auction). 404 for an unknown auction.',
    tags: ['auctions admin'],
    params: auctionParams,
    query: pageQuerySchema,
    response: doc(pageOf(adminBidSchema), 'AuctionBidPage'),
    errors: ['NOT_FOUND'],
  }),
  getAuctionAdmin: operation({
    summary: 'One auction in full (leader, maximum, holds, reserve, settlement or cancellation) with its bid history and audit trail (operator)',
    tags: ['auctions admin'],
    params: auctionParams,
    query: pageQuerySchema,
    response: adminAuctionSchema,
    errors: ['NOT_FOUND'],
  }),
};
