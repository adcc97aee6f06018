import './zod-openapi.js';
import * as z from 'zod';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema, memberIdParams } from './common.js';
import { productTypes } from './limits.js';
import { operation } from './operation.js';
import { AUDIT_SHOWN } from './limits.js';

export { AUDIT_SHOWN };

const POINTS_CEILING = 1_000_000_000;

const points = (name: string) =>
  z
    .number({ error: `${name} must be a number of points` })
    .int(`${name} must be a whole number of points`)
    .positive(`${name} must be positive`)
    .max(POINTS_CEILING, `${name} must be at most ${POINTS_CEILING}`);

const isoTime = (name: string) => z.iso.datetime({ message: `${name} must be an ISO-8601 UTC time, e.g. 2026-05-01T12:00:00Z` });

/** The fields an operator sets, as created and as changed before the auction opens (one definition, so both validate alike). */
const termFields = {
  title: () => z.string().trim().min(3, 'give the auction a title of at least 3 characters').max(120),
  description: () => z.string().trim().max(2000),
  startsAt: () => isoTime('startsAt'),
  endsAt: () => isoTime('endsAt'),
  latestEndsAt: () => isoTime('latestEndsAt').nullable().openapi({ description: 'Hard end: anti-sniping never extends past it (null: no limit).' }),
  startingPrice: () => points('startingPrice').openapi({ description: 'The least first bid.' }),
  minIncrement: () => points('minIncrement').openapi({ description: 'Each later bid offers at least the current price plus this.' }),
  reservePrice: () =>
    points('reservePrice')
      .nullable()
      .openapi({ description: 'Below this price the lot is not sold and every hold is released (null: no reserve). Members only see whether it is met.' }),
};

interface TermsInRequest {
  readonly startsAt?: string | undefined;
  readonly endsAt?: string | undefined;
  readonly latestEndsAt?: string | null | undefined;
  readonly startingPrice?: number | undefined;
  readonly reservePrice?: number | null | undefined;
}

/** The checks between terms that a request can make on its own (both sides given); the service checks the merged terms again. */
function checkTermsOrder(a: TermsInRequest, ctx: z.RefinementCtx): void {
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

export const antiSnipingSchema = z
  .object({
    windowSeconds: z.number().int().min(1, 'windowSeconds must be at least 1').max(86_400, 'windowSeconds must be at most 86400 (a day)').openapi({
      description: 'A bid that changes the price or the leader this many seconds or less before the end extends the auction.',
    }),
    extendSeconds: z.number().int().min(1, 'extendSeconds must be at least 1').max(86_400, 'extendSeconds must be at most 86400 (a day)').openapi({
      description: 'The auction then ends this many seconds after that bid (never earlier than it already would, never after latestEndsAt).',
    }),
  })
  .strict()
  .openapi('AntiSniping');

export const auctionInputSchema = z
  .object({
    auctionId: idSchema.max(48, 'auctionId is at most 48 characters').optional().openapi({ description: 'Generated (`a-<ULID>`) when omitted; an existing id is a 409.' }),
    productId: idSchema.openapi({ description: 'The lot: a PHYSICAL or SUPPLIER mall product, quantity 1. The lot is its own stock: mall stock is not touched.' }),
    title: termFields.title(),
    description: termFields.description().default(''),
    startsAt: termFields.startsAt(),
    endsAt: termFields.endsAt(),
    latestEndsAt: termFields.latestEndsAt().default(null),
    startingPrice: termFields.startingPrice(),
    minIncrement: termFields.minIncrement(),
    reservePrice: termFields.reservePrice().default(null),
    antiSniping: antiSnipingSchema.nullable().default(null),
  })
  .strict()
  .superRefine(checkTermsOrder)
  .openapi('AuctionInput');

export const auctionPatchSchema = z
  .object({
    expectedVersion: z.number().int().min(0).max(MAX_VERSION, MAX_VERSION_MESSAGE).openapi({ description: "The auction's `version` as you read it; refused with 409 if it changed since." }),
    title: termFields.title().optional(),
    description: termFields.description().optional(),
    startsAt: termFields.startsAt().optional(),
    endsAt: termFields.endsAt().optional(),
    latestEndsAt: termFields.latestEndsAt().optional(),
    startingPrice: termFields.startingPrice().optional(),
    minIncrement: termFields.minIncrement().optional(),
    reservePrice: termFields.reservePrice().optional(),
    antiSniping: antiSnipingSchema.nullable().optional(),
  })
  .strict()
  .refine((p) => Object.values(p).filter((v) => v !== undefined).length > 1, {
    message: 'change at least one of title, description, startsAt, endsAt, latestEndsAt, startingPrice, minIncrement, reservePrice, antiSniping',
  })
  .superRefine(checkTermsOrder)
  .openapi('AuctionPatch');

export const auctionCancelSchema = z
  .object({
    reason: z
      .string()
      .trim()
      .min(3, 'give a reason of at least 3 characters: it is kept in the audit trail and the AuctionCancelled event')
      .max(500, 'reason is at most 500 characters'),
  })
  .strict()
  .openapi('AuctionCancel');

export const auctionPhases = ['UPCOMING', 'OPEN', 'ENDED', 'SETTLED', 'UNSOLD', 'CANCELLED'] as const;
export const bidOutcomes = ['LEADING', 'RAISED', 'OUTBID'] as const;

const publicBidSchema = z
  .object({
    seq: z.number().int().openapi({ description: 'Number of the bid in the auction (1, 2, ...).' }),
    bidder: z.string().openapi({ description: 'The bidder, masked.' }),
    you: z.boolean().openapi({ description: 'Whether the caller made this bid.' }),
    amount: z.number().int(),
    outcome: z.enum(bidOutcomes),
    priceAfter: z.number().int(),
    at: z.string(),
  })
  .openapi('AuctionBidPublic');

export const auctionSchema = z
  .object({
    auctionId: z.string(),
    productId: z.string(),
    productName: z.string(),
    productType: z.enum(productTypes),
    title: z.string(),
    description: z.string(),
    status: z.enum(auctionPhases).openapi({
      description:
        'UPCOMING before startsAt, OPEN for bids, ENDED after endsAt until the settlement job settles it (within a minute), then SETTLED (sold) or UNSOLD; ' +
        'CANCELLED when an operator cancelled it (every hold released, nothing sold).',
    }),
    startsAt: z.string(),
    endsAt: z.string().openapi({ description: 'When bidding ends; anti-sniping may move it later.' }),
    latestEndsAt: z.string().nullable(),
    startingPrice: z.number().int(),
    minIncrement: z.number().int(),
    price: z.number().int().nullable().openapi({ description: 'The current highest bid (the final price once settled); null before the first bid.' }),
    minimumBid: z.number().int().nullable().openapi({ description: 'The least amount a new challenger may bid; null once bidding has ended.' }),
    bidCount: z.number().int(),
    leader: z.string().nullable().openapi({ description: 'The leader (the winner once SETTLED), masked.' }),
    hasReserve: z.boolean(),
    reserveMet: z.boolean(),
    antiSniping: antiSnipingSchema.nullable(),
    you: z
      .object({
        leading: z.boolean(),
        maximum: z.number().int().nullable().openapi({ description: 'Your maximum while you lead (nobody else sees it).' }),
        held: z.number().int().openapi({ description: 'Your points held for this auction (your maximum while you lead, else 0).' }),
        won: z.boolean(),
        orderId: z.string().nullable().openapi({ description: 'The order of the lot, once you won it (see GET /v1/orders/{orderId}).' }),
      })
      .openapi('AuctionForYou'),
    recentBids: z.array(publicBidSchema).optional().openapi({ description: 'The latest bids, newest first (single auction only).' }),
  })
  .openapi('Auction');

export const bidInputSchema = z
  .object({
    amount: points('amount').openapi({ description: 'Your bid: at least `minimumBid` (the leader may raise the price to an amount of at least price + minIncrement).' }),
    maxAmount: points('maxAmount')
      .optional()
      .openapi({
        description:
          'Proxy bidding: the most you will pay. It is held from your points at once; the system answers later bids for you, one increment at a time, up to it.',
      }),
  })
  .strict()
  .refine((b) => b.maxAmount === undefined || b.maxAmount >= b.amount, { message: 'maxAmount must be at least amount', path: ['maxAmount'] })
  .openapi('BidInput');

export const bidResultSchema = z
  .object({
    auctionId: z.string(),
    bidId: z.string(),
    seq: z.number().int(),
    outcome: z.enum(bidOutcomes).openapi({
      description: "LEADING: you lead. RAISED: you led and raised your maximum or the price. OUTBID: the leader's maximum answered your bid; the price rose and you hold nothing.",
    }),
    amount: z.number().int(),
    maxAmount: z.number().int().openapi({ description: 'Your maximum as taken: max(amount, maxAmount).' }),
    price: z.number().int().openapi({ description: 'The price after your bid.' }),
    leading: z.boolean(),
    held: z.number().int().openapi({ description: 'Your points held for this auction now.' }),
    minimumBid: z.number().int().openapi({ description: 'The least amount a challenger may bid now.' }),
    endsAt: z.string(),
    extended: z.boolean().openapi({ description: 'Whether your bid moved endsAt (anti-sniping).' }),
    at: z.string(),
  })
  .openapi('BidResult');

export const myBidSchema = z
  .object({
    auctionId: z.string(),
    bidId: z.string(),
    seq: z.number().int(),
    amount: z.number().int(),
    maxAmount: z.number().int(),
    outcome: z.enum(bidOutcomes),
    priceAfter: z.number().int(),
    at: z.string(),
  })
  .openapi('MyAuctionBid');

const myBidPageSchema = pageOf(myBidSchema).openapi('MyAuctionBidPage');

export const adminBidSchema = myBidSchema
  .extend({
    memberId: z.string(),
    leaderAfter: z.string(),
    held: z.number().int().openapi({ description: 'Points this bid held from the bidder.' }),
    released: z.object({ memberId: z.string(), points: z.number().int() }).nullable().openapi({ description: "The previous leader's hold released by this bid." }),
    extendedTo: z.string().nullable(),
  })
  .openapi('AuctionBid');


const auditSchema = z
  .object({
    auditId: z.string(),
    action: z.enum(['UPDATED', 'CANCELLED']),
    by: z.string().openapi({ description: 'The operator (token subject).' }),
    at: z.string(),
    reason: z.string().nullable().openapi({ description: 'CANCELLED: the reason given.' }),
    changes: z
      .record(z.string(), z.object({ from: z.unknown(), to: z.unknown() }))
      .nullable()
      .openapi({ description: 'UPDATED: each changed term, before and after.' }),
    versionAfter: z.number().int().openapi({ description: "The auction's version after the action." }),
    released: z
      .object({ memberId: z.string(), points: z.number().int() })
      .nullable()
      .openapi({ description: "CANCELLED: the leader's hold released (null without bids)." }),
  })
  .openapi('AuctionAuditRecord');

export const adminAuctionSchema = z
  .object({
    auctionId: z.string(),
    productId: z.string(),
    productName: z.string(),
    productType: z.enum(productTypes),
    title: z.string(),
    description: z.string(),
    status: z.enum(['OPEN', 'SETTLED', 'UNSOLD', 'CANCELLED']).openapi({ description: 'As stored: OPEN until settled or cancelled.' }),
    phase: z.enum(auctionPhases),
    startsAt: z.string(),
    endsAt: z.string(),
    originalEndsAt: z.string(),
    latestEndsAt: z.string().nullable(),
    startingPrice: z.number().int(),
    minIncrement: z.number().int(),
    reservePrice: z.number().int().nullable(),
    antiSniping: antiSnipingSchema.nullable(),
    price: z.number().int(),
    leaderId: z.string().nullable(),
    leaderMax: z.number().int(),
    leaderHold: z.number().int(),
    bidCount: z.number().int(),
    version: z.number().int(),
    winnerId: z.string().nullable(),
    orderId: z.string().nullable(),
    settledAt: z.string().nullable(),
    unsoldReason: z.enum(['NO_BIDS', 'RESERVE_NOT_MET']).nullable(),
    cancelledAt: z.string().nullable(),
    cancelledBy: z.string().nullable(),
    cancelReason: z.string().nullable().openapi({ description: 'Operators only; members see the status CANCELLED.' }),
    createdAt: z.string(),
    createdBy: z.string(),
    audit: z
      .array(auditSchema)
      .optional()
      .openapi({ description: `Operator actions on the auction (changes of terms, the cancellation), newest first, at most ${AUDIT_SHOWN} (single auction only).` }),
    bidHistory: pageOf(adminBidSchema).optional().openapi({ description: 'Bids, newest first (`?limit=&cursor=` page through them).' }),
  })
  .openapi('AuctionAdmin');

const auctionParams = z.object({ auctionId: idSchema });

export const auctionOperations = {
  listAuctions: operation({
    summary: 'Auctions open for bids or upcoming, soonest ending first',
    tags: ['auctions'],
    query: pageQuerySchema,
    response: pageOf(auctionSchema).openapi('AuctionPage'),
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
    errors: ['BID_TOO_LOW', 'AUCTION_CLOSED', 'INSUFFICIENT_POINTS', 'NOT_FOUND', 'CONFLICT', 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED'],
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
    response: pageOf(adminAuctionSchema).openapi('AuctionAdminPage'),
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
    response: pageOf(adminBidSchema).openapi('AuctionBidPage'),
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
