/**
 * Auctions (docs/auctions.md): creating them, changing them before they
 * open, reading them, and the views members and operators get. An auction is
 * two items in its own partition: the auction itself, whose state every bid
 * changes under a version condition, and its listing, which carries the index
 * entries (every auction on GSI1; unsettled ones on GSI2 by end time) and so
 * changes only when the end moves, the auction settles or is cancelled, or an
 * operator changes its times: the hot item writes no index. Operator actions
 * leave audit records in the same partition.
 */
import { BatchGetCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import type * as z from '../zod.js';
import { AUDIT_SHOWN } from '../contracts/limits.js';
import type { adminAuctionSchema, adminBidSchema, auctionInputSchema, auctionPatchSchema, auctionSchema } from '../contracts/auctions.js';
import { maskMemberId, minimumBid, phaseOf, termsProblem, type AuctionState } from '../domain/auctions.js';
import { auditItems, nothingChanged, pickFields } from '../audit/audit.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import { getProduct, type Product } from '../mall/catalogue.js';
import { PRIZE_PRODUCT_TYPES } from '../mall/orders.js';
import { canonicalJson } from '../ledger/idempotency.js';
import type { TransactItem } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { queryItems, queryPage, type PageRequest } from '../table/paging.js';

export type AuctionInput = z.output<typeof auctionInputSchema>;
export type AuctionPatch = z.output<typeof auctionPatchSchema>;
export type AuctionView = z.input<typeof auctionSchema>;
export type AdminAuctionView = z.input<typeof adminAuctionSchema>;
export type AdminBidView = z.input<typeof adminBidSchema>;

/** The auction item as stored. */
export interface Auction extends AuctionState {
  readonly auctionId: string;
  readonly productId: string;
  readonly productName: string;
  readonly productType: Product['type'];
  readonly title: string;
  readonly description: string;
  /** The end set by the operator, before any anti-sniping extension. */
  readonly originalEndsAt: string;
  readonly winnerId: string | null;
  readonly orderId: string | null;
  readonly settledAt: string | null;
  readonly unsoldReason: 'NO_BIDS' | 'RESERVE_NOT_MET' | null;
  readonly cancelledAt: string | null;
  readonly cancelledBy: string | null;
  readonly cancelReason: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

/** A bid record as stored (the audit trail of an auction). */
export interface AuctionBid {
  readonly auctionId: string;
  readonly bidId: string;
  readonly seq: number;
  readonly memberId: string;
  readonly amount: number;
  /** The bidder's maximum as the rules took it. */
  readonly maxAmount: number;
  readonly outcome: 'LEADING' | 'RAISED' | 'OUTBID';
  readonly priceAfter: number;
  readonly leaderAfter: string;
  /** Points this bid held from the bidder. */
  readonly held: number;
  readonly released: { readonly memberId: string; readonly points: number } | null;
  readonly extendedTo: string | null;
  readonly at: string;
}

/** An operator action on an auction as stored (its audit trail). */
export interface AuctionAudit {
  readonly auctionId: string;
  readonly auditId: string;
  readonly action: 'UPDATED' | 'CANCELLED';
  readonly by: string;
  readonly at: string;
  readonly reason: string | null;
  /** UPDATED: each changed term, before and after. */
  readonly changes: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>> | null;
  readonly versionAfter: number;
  /** CANCELLED: the leader's hold released. */
  readonly released: { readonly memberId: string; readonly points: number } | null;
}

export function auctionFromItem(item: Record<string, unknown>): Auction {
  return {
    auctionId: String(item.auctionId),
    productId: String(item.productId),
    productName: String(item.productName),
    productType: item.productType as Product['type'],
    title: String(item.title),
    description: String(item.description ?? ''),
    status: item.status as Auction['status'],
    startsAt: String(item.startsAt),
    endsAt: String(item.endsAt),
    originalEndsAt: String(item.originalEndsAt ?? item.endsAt),
    latestEndsAt: (item.latestEndsAt as string | null | undefined) ?? null,
    startingPrice: Number(item.startingPrice),
    minIncrement: Number(item.minIncrement),
    reservePrice: item.reservePrice === null || item.reservePrice === undefined ? null : Number(item.reservePrice),
    antiSniping: (item.antiSniping as Auction['antiSniping'] | undefined) ?? null,
    price: Number(item.price ?? 0),
    leaderId: (item.leaderId as string | null | undefined) ?? null,
    leaderMax: Number(item.leaderMax ?? 0),
    leaderHold: Number(item.leaderHold ?? 0),
    bids: Number(item.bids ?? 0),
    version: Number(item.version ?? 0),
    winnerId: (item.winnerId as string | null | undefined) ?? null,
    orderId: (item.orderId as string | null | undefined) ?? null,
    settledAt: (item.settledAt as string | null | undefined) ?? null,
    unsoldReason: (item.unsoldReason as Auction['unsoldReason'] | undefined) ?? null,
    cancelledAt: (item.cancelledAt as string | null | undefined) ?? null,
    cancelledBy: (item.cancelledBy as string | null | undefined) ?? null,
    cancelReason: (item.cancelReason as string | null | undefined) ?? null,
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy ?? ''),
    updatedAt: String(item.updatedAt ?? item.createdAt),
  };
}

export function bidFromItem(item: Record<string, unknown>): AuctionBid {
  return {
    auctionId: String(item.auctionId),
    bidId: String(item.bidId),
    seq: Number(item.seq),
    memberId: String(item.memberId),
    amount: Number(item.amount),
    maxAmount: Number(item.maxAmount),
    outcome: item.outcome as AuctionBid['outcome'],
    priceAfter: Number(item.priceAfter),
    leaderAfter: String(item.leaderAfter),
    held: Number(item.held ?? 0),
    released: (item.released as AuctionBid['released'] | undefined) ?? null,
    extendedTo: (item.extendedTo as string | null | undefined) ?? null,
    at: String(item.at),
  };
}

function auditFromItem(item: Record<string, unknown>): AuctionAudit {
  return {
    auctionId: String(item.auctionId),
    auditId: String(item.auditId),
    action: item.action as AuctionAudit['action'],
    by: String(item.by),
    at: String(item.at),
    reason: (item.reason as string | null | undefined) ?? null,
    changes: (item.changes as AuctionAudit['changes'] | undefined) ?? null,
    versionAfter: Number(item.versionAfter),
    released: (item.released as AuctionAudit['released'] | undefined) ?? null,
  };
}

/** The Put of a new audit record, for the transaction of the action it records. */
export function auditPut(record: Omit<AuctionAudit, 'auditId'>): TransactItem {
  const auditId = ulid();
  return {
    Put: {
      TableName: tableName(),
      Item: { ...keys.auction.audit(record.auctionId, auditId), entity: 'AuctionAudit', auditId, ...record },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** The time as this API stores it (`toISOString`), so stored times compare as strings in conditions and index keys. */
function normalTime(iso: string): string {
  return new Date(iso).toISOString();
}

/**
 * Creates an auction of one PHYSICAL or SUPPLIER product: the auction item
 * (OPEN, no bids, version 0) and its listing, both new. The lot is the
 * auction's own: mall stock is not touched. `auctionId` is generated unless
 * given; an existing id is a 409.
 */
export async function createAuction(input: AuctionInput, operator: string, now = new Date()): Promise<Auction> {
  const startsAt = normalTime(input.startsAt);
  const endsAt = normalTime(input.endsAt);
  const latestEndsAt = input.latestEndsAt === null ? null : normalTime(input.latestEndsAt);
  const problem = termsProblem({ startsAt, endsAt, latestEndsAt, startingPrice: input.startingPrice, reservePrice: input.reservePrice }, now);
  if (problem) throw new ValidationError(problem);
  const product = await getProduct(input.productId, { fresh: true });
  if (!PRIZE_PRODUCT_TYPES.includes(product.type)) {
    throw new ValidationError(`product ${product.productId} is ${product.type}; an auction lot is a ${PRIZE_PRODUCT_TYPES.join(' or ')} product (goods someone ships)`);
  }
  const at = now.toISOString();
  const auction: Auction = {
    auctionId: input.auctionId ?? `a-${ulid()}`,
    productId: product.productId,
    productName: product.name,
    productType: product.type,
    title: input.title,
    description: input.description,
    status: 'OPEN',
    startsAt,
    endsAt,
    originalEndsAt: endsAt,
    latestEndsAt,
    startingPrice: input.startingPrice,
    minIncrement: input.minIncrement,
    reservePrice: input.reservePrice,
    antiSniping: input.antiSniping,
    price: 0,
    leaderId: null,
    leaderMax: 0,
    leaderHold: 0,
    bids: 0,
    version: 0,
    winnerId: null,
    orderId: null,
    settledAt: null,
    unsoldReason: null,
    cancelledAt: null,
    cancelledBy: null,
    cancelReason: null,
    createdAt: at,
    createdBy: operator,
    updatedAt: at,
  };
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.auction.item(auction.auctionId), entity: 'Auction', ...auction },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.auction.listing(auction.auctionId),
                ...keys.auction.listEntry(auction.auctionId, at),
                ...keys.auction.unsettledEntry(auction.auctionId, endsAt),
                entity: 'AuctionListing',
                auctionId: auction.auctionId,
                status: 'OPEN',
                startsAt,
                endsAt,
                createdAt: at,
              },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...auditItems(
            { target: `auction:${auction.auctionId}`, summary: `created auction "${auction.title}" of product ${auction.productId}`, after: auction },
            now,
          ),
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.slice(0, 2).some((r) => r.Code === 'ConditionalCheckFailed')) {
      throw new DomainError('CONFLICT', `auction ${auction.auctionId} already exists`);
    }
    throw error;
  }
  return auction;
}

/** The auction item, strongly consistent (bids and settlement decide on it), or undefined. */
export async function findAuction(auctionId: string): Promise<Auction | undefined> {
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.auction.item(auctionId), ConsistentRead: true }));
  return result.Item ? auctionFromItem(result.Item) : undefined;
}

export async function readAuction(auctionId: string): Promise<Auction> {
  const auction = await findAuction(auctionId);
  if (!auction) throw new NotFoundError(`auction ${auctionId} does not exist`);
  return auction;
}

/** The terms an operator may change before the auction opens. */
const CHANGEABLE_TERMS = ['title', 'description', 'startsAt', 'endsAt', 'latestEndsAt', 'startingPrice', 'minIncrement', 'reservePrice', 'antiSniping'] as const;

/** Refuses a change unless the auction is upcoming (so has no bids) and at the version the operator read. */
function refuseUnlessChangeable(auction: Auction, expectedVersion: number, now: Date): void {
  const phase = phaseOf(auction, now);
  if (auction.status !== 'OPEN') {
    throw new DomainError('CONFLICT', `auction ${auction.auctionId} is ${auction.status}; only an upcoming auction can be changed`, { auctionStatus: auction.status, phase });
  }
  if (phase !== 'UPCOMING') {
    throw new DomainError('CONFLICT', `auction ${auction.auctionId} opened for bids at ${auction.startsAt}; only an upcoming auction can be changed (cancel it instead)`, {
      auctionStatus: auction.status,
      phase,
    });
  }
  if (auction.version !== expectedVersion) {
    throw new DomainError('CONFLICT', `auction ${auction.auctionId} is at version ${auction.version}, not ${expectedVersion}; read it again`, {
      currentVersion: auction.version,
    });
  }
}

/**
 * Changes an upcoming auction, optimistic on its version. ONE transaction:
 * the auction (condition: the version given, still OPEN, and its stored
 * `startsAt` still ahead, so no bid can have landed), its listing when the
 * times move (start, end and the GSI2 sort key, so the members' list order
 * and the sweeper follow the new end) and an audit record of each changed
 * term. The merged terms are checked like a new auction's. A change that
 * changes nothing writes nothing.
 */
export async function updateAuction(auctionId: string, patch: AuctionPatch, operator: string, now = new Date()): Promise<Auction> {
  const current = await readAuction(auctionId);
  refuseUnlessChangeable(current, patch.expectedVersion, now);
  const given = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);
  const terms = {
    title: given(patch.title, current.title),
    description: given(patch.description, current.description),
    startsAt: patch.startsAt === undefined ? current.startsAt : normalTime(patch.startsAt),
    endsAt: patch.endsAt === undefined ? current.endsAt : normalTime(patch.endsAt),
    latestEndsAt: patch.latestEndsAt === undefined ? current.latestEndsAt : patch.latestEndsAt === null ? null : normalTime(patch.latestEndsAt),
    startingPrice: given(patch.startingPrice, current.startingPrice),
    minIncrement: given(patch.minIncrement, current.minIncrement),
    reservePrice: given(patch.reservePrice, current.reservePrice),
    antiSniping: given(patch.antiSniping, current.antiSniping),
  };
  const problem = termsProblem(terms, now);
  if (problem) throw new ValidationError(problem);
  // Canonical JSON: a map read back from DynamoDB need not keep the key order it was written with.
  const changed = CHANGEABLE_TERMS.filter((name) => canonicalJson(terms[name]) !== canonicalJson(current[name]));
  if (changed.length === 0) {
    nothingChanged();
    return current;
  }

  const at = now.toISOString();
  const next: Auction = { ...current, ...terms, originalEndsAt: terms.endsAt, version: current.version + 1, updatedAt: at };
  const names: Record<string, string> = { '#version': 'version', '#status': 'status', '#startsAt': 'startsAt', '#originalEndsAt': 'originalEndsAt', '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = {
    ':expected': current.version,
    ':next': next.version,
    ':open': 'OPEN',
    ':now': at,
    ':originalEndsAt': next.originalEndsAt,
    ':at': at,
  };
  const sets = ['#version = :next', '#originalEndsAt = :originalEndsAt', '#updatedAt = :at'];
  for (const name of changed) {
    names[`#${name}`] = name;
    values[`:${name}`] = terms[name];
    sets.push(`#${name} = :${name}`);
  }
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tableName(),
        Key: keys.auction.item(auctionId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: '#version = :expected AND #status = :open AND #startsAt > :now',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  ];
  if (changed.includes('startsAt') || changed.includes('endsAt')) {
    items.push({
      Update: {
        TableName: tableName(),
        Key: keys.auction.listing(auctionId),
        UpdateExpression: 'SET #startsAt = :startsAt, #endsAt = :endsAt, GSI2SK = :sk',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#startsAt': 'startsAt', '#endsAt': 'endsAt' },
        ExpressionAttributeValues: { ':startsAt': next.startsAt, ':endsAt': next.endsAt, ':sk': keys.auction.unsettledEntry(auctionId, next.endsAt).GSI2SK },
      },
    });
  }
  items.push(
    auditPut({
      auctionId,
      action: 'UPDATED',
      by: operator,
      at,
      reason: null,
      changes: Object.fromEntries(changed.map((name) => [name, { from: current[name], to: terms[name] }])),
      versionAfter: next.version,
      released: null,
    }),
    ...auditItems(
      {
        target: `auction:${auctionId}`,
        summary: `changed ${changed.join(', ')} (version ${next.version})`,
        before: pickFields(current, changed),
        after: pickFields(next, changed),
      },
      now,
    ),
  );
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    // A bid cannot have landed (the auction had not opened); another change, a cancellation or the clock did. Say which.
    refuseUnlessChangeable(await readAuction(auctionId), patch.expectedVersion, now);
    throw new DomainError('CONFLICT', `auction ${auctionId} changed meanwhile; read it again`);
  }
  return next;
}

/** Auction items by id, in the order given (BatchGetItem, eventually consistent: for lists). */
async function auctionsByIds(ids: readonly string[]): Promise<Auction[]> {
  const found = new Map<string, Auction>();
  for (let i = 0; i < ids.length; i += 100) {
    let left = ids.slice(i, i + 100).map((id) => keys.auction.item(id) as unknown as Record<string, unknown>);
    for (let attempt = 0; left.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 6)));
      const result = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: left } } }));
      for (const item of result.Responses?.[tableName()] ?? []) found.set(String(item.auctionId), auctionFromItem(item));
      left = (result.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return ids.flatMap((id) => found.get(id) ?? []);
}

/** What a member sees: the leader's maximum only if they are the leader, the reserve only as met or not. */
export function memberView(auction: Auction, memberId: string, now: Date, recentBids?: readonly AuctionBid[]): AuctionView {
  const phase = phaseOf(auction, now);
  const hasLeader = auction.leaderId !== null;
  const leading = auction.status === 'OPEN' && auction.leaderId === memberId;
  const won = auction.status === 'SETTLED' && auction.winnerId === memberId;
  return {
    auctionId: auction.auctionId,
    productId: auction.productId,
    productName: auction.productName,
    productType: auction.productType,
    title: auction.title,
    description: auction.description,
    status: phase,
    startsAt: auction.startsAt,
    endsAt: auction.endsAt,
    latestEndsAt: auction.latestEndsAt,
    startingPrice: auction.startingPrice,
    minIncrement: auction.minIncrement,
    price: hasLeader ? auction.price : null,
    minimumBid: phase === 'OPEN' || phase === 'UPCOMING' ? minimumBid(auction) : null,
    bidCount: auction.bids,
    leader: hasLeader ? maskMemberId(auction.leaderId as string) : null,
    hasReserve: auction.reservePrice !== null,
    reserveMet: auction.reservePrice === null || (hasLeader && auction.price >= auction.reservePrice),
    antiSniping: auction.antiSniping,
    you: {
      leading,
      maximum: leading ? auction.leaderMax : null,
      held: leading ? auction.leaderHold : 0,
      won,
      orderId: won ? auction.orderId : null,
    },
    ...(recentBids
      ? {
          recentBids: recentBids.map((b) => ({
            seq: b.seq,
            bidder: maskMemberId(b.memberId),
            you: b.memberId === memberId,
            amount: b.amount,
            outcome: b.outcome,
            priceAfter: b.priceAfter,
            at: b.at,
          })),
        }
      : {}),
  };
}

export function adminView(
  auction: Auction,
  now: Date,
  bidHistory?: { items: readonly AuctionBid[]; nextCursor: string | null },
  audit?: readonly AuctionAudit[],
): AdminAuctionView {
  const { bids, ...rest } = auction;
  const { updatedAt: _updatedAt, ...view } = rest;
  return {
    ...view,
    phase: phaseOf(auction, now),
    bidCount: bids,
    ...(audit ? { audit: audit.map(({ auctionId: _auctionId, ...record }) => ({ ...record, changes: record.changes ? { ...record.changes } : null })) } : {}),
    ...(bidHistory ? { bidHistory: { items: bidHistory.items.map((b) => ({ ...b })), nextCursor: bidHistory.nextCursor } } : {}),
  };
}

/** How many of the latest bids a member's view of one auction shows. */
const RECENT_BIDS = 10;

/** An auction's bids, newest first. */
function bidsQuery(auctionId: string) {
  return {
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :bid)',
    ExpressionAttributeValues: { ':pk': keys.auction.item(auctionId).PK, ':bid': keys.auction.bidPrefix() },
    ScanIndexForward: false,
  };
}

/** One page of an auction's bids, newest first. */
export async function auctionBids(auctionId: string, page: PageRequest): Promise<{ items: AuctionBid[]; nextCursor: string | null }> {
  const result = await queryPage(bidsQuery(auctionId), page, { attribute: 'PK', value: keys.auction.item(auctionId).PK });
  return { items: result.items.map(bidFromItem), nextCursor: result.nextCursor };
}

/** The latest bids of an auction (no cursor: the member view shows only these). */
async function recentBids(auctionId: string, limit: number): Promise<AuctionBid[]> {
  return (await queryItems(bidsQuery(auctionId), { limit })).items.map(bidFromItem);
}

/** One auction as a member sees it, with the latest bids. */
export async function getAuctionForMember(auctionId: string, memberId: string, now = new Date()): Promise<AuctionView> {
  const [auction, recent] = await Promise.all([readAuction(auctionId), recentBids(auctionId, RECENT_BIDS)]);
  return memberView(auction, memberId, now, recent);
}

/** The latest operator actions on an auction, newest first. */
export async function auctionAudit(auctionId: string, limit = AUDIT_SHOWN): Promise<AuctionAudit[]> {
  const result = await queryItems(
    {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :audit)',
      ExpressionAttributeValues: { ':pk': keys.auction.item(auctionId).PK, ':audit': keys.auction.auditPrefix() },
      ScanIndexForward: false,
    },
    { limit },
  );
  return result.items.map(auditFromItem);
}

/** One auction in full, with a page of its bid history and its audit trail (operators). */
export async function getAuctionForOperator(auctionId: string, page: PageRequest, now = new Date()): Promise<AdminAuctionView> {
  const [auction, history, audit] = await Promise.all([readAuction(auctionId), auctionBids(auctionId, page), auctionAudit(auctionId)]);
  return adminView(auction, now, history, audit);
}

/**
 * Auctions not yet ended (open or upcoming), soonest ending first: the
 * unsettled list on GSI2 from `now` on, then the auction items for their
 * current price and leader.
 */
export async function listOpenAuctions(memberId: string, page: PageRequest, now = new Date()) {
  const partition = keys.auction.unsettledPartition();
  const ended = keys.auction.endedBy(now);
  const result = await queryPage(
    {
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK > :ended',
      ExpressionAttributeValues: { ':pk': partition, ':ended': ended },
    },
    page,
    { attribute: 'GSI2PK', value: partition },
    { attribute: 'GSI2SK', value: ended },
  );
  const auctions = await auctionsByIds(result.items.map((item) => String(item.auctionId)));
  // The index lags its table on AWS: an auction settled or cancelled a moment ago may still be listed.
  return { items: auctions.filter((a) => a.status === 'OPEN').map((a) => memberView(a, memberId, now)), nextCursor: result.nextCursor };
}

/** Every auction, newest first (operators). */
export async function listAuctionsForOperator(page: PageRequest, now = new Date()) {
  const partition = keys.auction.listPartition();
  const result = await queryPage(
    { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false },
    page,
    { attribute: 'GSI1PK', value: partition },
  );
  const auctions = await auctionsByIds(result.items.map((item) => String(item.auctionId)));
  return { items: auctions.map((a) => adminView(a, now)), nextCursor: result.nextCursor };
}
