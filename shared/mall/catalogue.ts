/**
 * The mall catalogue: products with their price (points, or points plus
 * cash), zone, tier visibility, purchase limits and sale window. The hot path
 * (redemptions, listings) reads products through a short in-function cache;
 * operators write through to DynamoDB with optimistic versions.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import type * as z from '../zod.js';
import { auditItems, pickFields } from '../audit/audit.js';
import { claimRefused } from '../audit/operator-idempotency.js';
import { instantTypes } from '../contracts/limits.js';
import type { productInputSchema, productPatchSchema } from '../contracts/mall.js';
import type { Tier } from '../domain/tiers.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import { db, tableName } from '../table/client.js';
import { TtlCache } from '../config/ttl-cache.js';
import { keys } from '../table/keys.js';
import { queryAll, queryPage, queryPageSelecting, type PageRequest } from '../table/paging.js';
import { getCouponTemplate } from './coupons.js';
import { evenSplit, readStock, stockShardPuts, TRANSACTION_ITEMS, UNFINISHED_CREATION_MS, type StockView } from './stock.js';

export type ProductInput = z.output<typeof productInputSchema>;
export type ProductPatch = z.output<typeof productPatchSchema>;

export interface Product {
  readonly productId: string;
  readonly name: string;
  readonly description: string;
  readonly type: ProductInput['type'];
  readonly zone: string;
  readonly pricePoints: number;
  readonly pointsCash: { readonly points: number; readonly cashCents: number } | null;
  readonly visibleToTiers: readonly Tier[] | null;
  readonly limits: { readonly perDay: number | null; readonly lifetime: number | null };
  readonly saleStartsAt: string | null;
  readonly saleEndsAt: string | null;
  readonly supplier: { readonly supplierId: string; readonly sku: string } | null;
  readonly couponTemplateId: string | null;
  readonly status: 'ACTIVE' | 'INACTIVE';
  readonly sortOrder: number;
  readonly stockShards: number;
  /**
   * The most stock shards the product ever had (a rebalance to fewer keeps it): the sale monitor reads the
   * counters of that many shards, so the minutes before a rebalance keep the counts of the shards it removed.
   */
  readonly saleStatsShards: number;
  readonly soldOut: boolean;
  /** When a redemption found every shard empty (null while not sold out; adding stock clears it). */
  readonly soldOutAt: string | null;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** How long a function trusts its copy of a product (sale window, price, sold-out flag). */
const CACHE_TTL_MS = Number(process.env.CATALOGUE_CACHE_TTL_MS ?? 2_000);
const cache = new TtlCache<Product | undefined>(CACHE_TTL_MS);

function productFromItem(item: Record<string, unknown>): Product {
  return {
    productId: String(item.productId),
    name: String(item.name),
    description: String(item.description ?? ''),
    type: item.type as Product['type'],
    zone: String(item.zone),
    pricePoints: Number(item.pricePoints),
    pointsCash: (item.pointsCash as Product['pointsCash']) ?? null,
    visibleToTiers: (item.visibleToTiers as Tier[] | undefined) ?? null,
    limits: (item.limits as Product['limits'] | undefined) ?? { perDay: null, lifetime: null },
    saleStartsAt: (item.saleStartsAt as string | undefined) ?? null,
    saleEndsAt: (item.saleEndsAt as string | undefined) ?? null,
    supplier: (item.supplier as Product['supplier']) ?? null,
    couponTemplateId: (item.couponTemplateId as string | undefined) ?? null,
    status: item.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE',
    sortOrder: Number(item.sortOrder ?? 1000),
    stockShards: Number(item.stockShards ?? 1),
    saleStatsShards: Math.max(Number(item.saleStatsShards ?? 0), Number(item.stockShards ?? 1)),
    soldOut: item.soldOut === true,
    soldOutAt: item.soldOut === true && typeof item.soldOutAt === 'string' ? item.soldOutAt : null,
    version: Number(item.version ?? 1),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
}

function productItem(product: Product) {
  return {
    ...keys.product.item(product.productId),
    ...keys.product.zoneEntry(product.zone, product.sortOrder, product.productId),
    ...keys.product.listEntry(product.createdAt, product.productId),
    entity: 'Product',
    ...product,
    // Absent unless sold out: stock changes REMOVE it.
    soldOutAt: product.soldOutAt ?? undefined,
    // Absent means every tier: the zone filter tests attribute_not_exists (DynamoDB cannot compare NULLs).
    visibleToTiers: product.visibleToTiers ?? undefined,
  };
}

/** Forgets cached products (tests, and after this function's own writes). */
export function forgetCachedProduct(productId?: string): void {
  if (productId === undefined) cache.clear();
  else cache.delete(productId);
}

/** A product, from the function's cache when fresh enough; `fresh` reads it strongly consistent. */
export async function findProduct(productId: string, options: { fresh?: boolean } = {}): Promise<Product | undefined> {
  const cached = options.fresh ? undefined : cache.lookup(productId);
  if (cached) return cached.value;
  const result = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.product.item(productId), ConsistentRead: options.fresh ?? false }),
  );
  const product = result.Item ? productFromItem(result.Item) : undefined;
  cache.set(productId, product);
  return product;
}

export async function getProduct(productId: string, options: { fresh?: boolean } = {}): Promise<Product> {
  const product = await findProduct(productId, options);
  if (!product) throw new NotFoundError(`product ${productId} does not exist`);
  return product;
}

/** Whether a member of `tier` may see and redeem the product. */
export function visibleTo(product: Pick<Product, 'visibleToTiers' | 'status'>, tier: Tier): boolean {
  return product.status === 'ACTIVE' && (product.visibleToTiers === null || product.visibleToTiers.includes(tier));
}

/** Why the product cannot be redeemed at `now`, if it cannot. */
export function saleProblem(product: Pick<Product, 'status' | 'saleStartsAt' | 'saleEndsAt' | 'productId'>, now: Date): string | undefined {
  if (product.status !== 'ACTIVE') return `product ${product.productId} is not on sale`;
  if (product.saleStartsAt && now.getTime() < Date.parse(product.saleStartsAt)) return `product ${product.productId} goes on sale at ${product.saleStartsAt}`;
  if (product.saleEndsAt && now.getTime() >= Date.parse(product.saleEndsAt)) return `the sale of product ${product.productId} ended at ${product.saleEndsAt}`;
  return undefined;
}

export async function createProduct(input: ProductInput, now = new Date()): Promise<Product> {
  const { initialStock, productId: requestedId, ...fields } = input;
  // A COUPON product must name a template that exists (its snapshot is copied onto each coupon issued).
  if (fields.couponTemplateId) await getCouponTemplate(fields.couponTemplateId);
  const at = now.toISOString();
  const product: Product = {
    ...fields,
    productId: requestedId ?? `p-${ulid().toLowerCase()}`,
    saleStatsShards: fields.stockShards,
    soldOut: false,
    soldOutAt: null,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
  const shardPuts = stockShardPuts(product.productId, evenSplit(initialStock, product.stockShards), at);
  const creationUnderWay = () =>
    new DomainError(
      'CONFLICT',
      `another creation of product ${product.productId} with other stock is under way, or was cut off less than ${UNFINISHED_CREATION_MS / 60_000} minutes ago; send the same request again, or wait`,
    );
  const exists = () => new DomainError('CONFLICT', `product ${product.productId} already exists; change it with PATCH`);
  // The transaction that makes the product: the product first (its condition decides "already exists"), its record
  // and the Idempotency-Key's claim, and the shards that fit beside them.
  const change = [
    { Put: { TableName: tableName(), Item: productItem(product), ConditionExpression: 'attribute_not_exists(PK)' } },
    ...auditItems(
      {
        target: `product:${product.productId}`,
        summary: `created product "${product.name}" (${product.type}) with stock ${initialStock} over ${product.stockShards} shards`,
        after: { ...product, initialStock },
      },
      now,
    ),
  ];
  // More shards than fit: the others first, in chunks, each conditional on the product not existing yet. Nothing
  // reads a shard of a product that does not exist, so they stay invisible until the product's own transaction.
  const chunked = shardPuts.length - (TRANSACTION_ITEMS - change.length);
  for (let i = 0; i < chunked; i += TRANSACTION_ITEMS - 1) {
    const chunk = shardPuts.slice(i, Math.min(i + TRANSACTION_ITEMS - 1, chunked));
    try {
      await db().send(new TransactWriteCommand({ TransactItems: [productAbsent(product.productId), ...chunk] }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      if (error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') throw exists();
      throw creationUnderWay();
    }
  }
  try {
    await db().send(new TransactWriteCommand({ TransactItems: [...change, ...shardPuts.slice(Math.max(chunked, 0))] }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    if (error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') throw exists();
    // A claim of the Idempotency-Key held by another request is the handler's to answer.
    if (claimRefused(error)) throw error;
    const shardRefused = (error.CancellationReasons ?? []).slice(change.length).some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict');
    if (shardRefused) throw creationUnderWay();
    throw error;
  }
  forgetCachedProduct(product.productId);
  return product;
}

/** The condition of a creation's shard chunks: the product does not exist yet. */
function productAbsent(productId: string) {
  return { ConditionCheck: { TableName: tableName(), Key: keys.product.item(productId), ConditionExpression: 'attribute_not_exists(PK)' } };
}

export async function updateProduct(productId: string, patch: ProductPatch, now = new Date()): Promise<Product> {
  const { expectedVersion, ...changes } = patch;
  const current = await getProduct(productId, { fresh: true });
  if (current.version !== expectedVersion) {
    throw new DomainError('CONFLICT', `product ${productId} is at version ${current.version}, not ${expectedVersion}; read it again`, {
      currentVersion: current.version,
    });
  }
  const next: Product = { ...current, ...changes, version: current.version + 1, updatedAt: now.toISOString() };
  if (instantTypes.includes(next.type) && next.pointsCash) {
    throw new ValidationError(`${next.type} products are delivered at once and sold for points only; pointsCash must stay null`);
  }
  if (next.saleStartsAt && next.saleEndsAt && Date.parse(next.saleEndsAt) <= Date.parse(next.saleStartsAt)) {
    throw new ValidationError('saleEndsAt must be after saleStartsAt');
  }
  const changed = Object.keys(changes).filter((field) => (changes as Record<string, unknown>)[field] !== undefined);
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName(), Item: productItem(next), ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expectedVersion } } },
          ...auditItems(
            {
              target: `product:${productId}`,
              summary: `${changed.length > 0 ? `changed ${changed.join(', ')}` : 'saved without changes'} (version ${next.version})`,
              before: pickFields(current, changed),
              after: pickFields(next, changed),
            },
            now,
          ),
        ],
      }),
    );
  } catch (error) {
    // The product's own condition (or a write meeting it) is the conflict; a claim refused is the handler's to answer.
    const reason = error instanceof TransactionCanceledException ? error.CancellationReasons?.[0]?.Code : undefined;
    if (reason === 'ConditionalCheckFailed' || reason === 'TransactionConflict') {
      throw new DomainError('CONFLICT', `product ${productId} changed meanwhile; read it again`);
    }
    throw error;
  }
  forgetCachedProduct(productId);
  return next;
}

/** Whether this function already knows the product is sold out (its cached copy says so). */
export function knownSoldOut(productId: string): boolean {
  return cache.lookup(productId)?.value?.soldOut === true;
}

/** Marks the product sold out (once), so redemptions answer OUT_OF_STOCK without touching the shards. */
export async function markSoldOut(productId: string, now = new Date()): Promise<void> {
  try {
    await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.product.item(productId),
        UpdateExpression: 'SET soldOut = :true, soldOutAt = :now',
        ConditionExpression: 'attribute_exists(PK) AND soldOut <> :true',
        ExpressionAttributeValues: { ':true': true, ':now': now.toISOString() },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const cached = cache.peek(productId)?.value;
  if (cached) cache.set(productId, { ...cached, soldOut: true, soldOutAt: cached.soldOutAt ?? now.toISOString() });
}

/** The fields members see. */
export function mallView(product: Product) {
  const { productId, name, description, type, zone, pricePoints, pointsCash, visibleToTiers, limits, saleStartsAt, saleEndsAt, soldOut } = product;
  return { productId, name, description, type, zone, pricePoints, pointsCash, visibleToTiers, limits, saleStartsAt, saleEndsAt, soldOut };
}

/** A zone's active products that `tier` may see, in sort order (GSI1, filtered). */
export async function listZone(zone: string, tier: Tier, page: PageRequest) {
  const partition = keys.product.zonePartition(zone);
  const result = await queryPage(
    {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      FilterExpression: '#status = :active AND (attribute_not_exists(visibleToTiers) OR contains(visibleToTiers, :tier))',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pk': partition, ':active': 'ACTIVE', ':tier': tier },
    },
    page,
    { attribute: 'GSI1PK', value: partition },
  );
  return { items: result.items.map((item) => mallView(productFromItem(item))), nextCursor: result.nextCursor };
}

/**
 * A zone's products on sale at `now` (active, inside their sale window), in
 * sort order, at most `max` of them; `more` says whether others were left out.
 * Reads the zone's whole list (GSI1): for short zones such as the flash sales.
 */
export async function productsOnSaleInZone(zone: string, now: Date, max: number): Promise<{ products: Product[]; more: boolean }> {
  const items = await queryAll({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk',
    FilterExpression: '#status = :active',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pk': keys.product.zonePartition(zone), ':active': 'ACTIVE' },
  });
  const onSale = items.map(productFromItem).filter((product) => saleProblem(product, now) === undefined);
  return { products: onSale.slice(0, max), more: onSale.length > max };
}

/** The zone the flash sales are listed in: the operators' `flashSale` filter and the every-minute stock metric (docs/flash-sale.md). */
export const FLASH_SALE_ZONE = 'flash-sale';

export interface ProductFilters {
  readonly type?: Product['type'] | undefined;
  readonly zone?: string | undefined;
  readonly status?: Product['status'] | undefined;
  /** Active and inside the sale window at the time of the request (or the opposite). */
  readonly onSaleNow?: boolean | undefined;
  /** Listed in the flash-sale zone (or not). */
  readonly flashSale?: boolean | undefined;
}

/** Items one page of the operators' product list reads at most: a rare filter answers a short page with a cursor rather than read on. */
const MAX_PRODUCTS_READ_PER_PAGE = 500;

/** Whether a product passes the operators' filters at `now`. */
export function matchesFilters(product: Product, filters: ProductFilters, now: Date): boolean {
  if (filters.type !== undefined && product.type !== filters.type) return false;
  if (filters.zone !== undefined && product.zone !== filters.zone) return false;
  if (filters.status !== undefined && product.status !== filters.status) return false;
  if (filters.onSaleNow !== undefined && (saleProblem(product, now) === undefined) !== filters.onSaleNow) return false;
  if (filters.flashSale !== undefined && (product.zone === FLASH_SALE_ZONE) !== filters.flashSale) return false;
  return true;
}

/**
 * The operators' product list, each product with its stock (total and per
 * shard, one BatchGet per product of the page). Never a Scan: with a zone (or
 * `flashSale=true`, which is the flash-sale zone) it reads that zone's GSI1
 * partition in sort order, else the GSI2 list of every product, newest first;
 * the other filters are applied in code, at most MAX_PRODUCTS_READ_PER_PAGE
 * items read per page (a page may come short, with a cursor, when a filter
 * is rare).
 */
export async function listProductsForOperator(
  filters: ProductFilters,
  page: PageRequest,
  now = new Date(),
): Promise<{ items: (Product & { stock: StockView })[]; nextCursor: string | null }> {
  const zone = filters.zone ?? (filters.flashSale === true ? FLASH_SALE_ZONE : undefined);
  const query =
    zone !== undefined
      ? {
          input: { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': keys.product.zonePartition(zone) } },
          partition: { attribute: 'GSI1PK', value: keys.product.zonePartition(zone) },
        }
      : {
          input: {
            IndexName: 'GSI2',
            KeyConditionExpression: 'GSI2PK = :pk',
            ExpressionAttributeValues: { ':pk': keys.product.listPartition() },
            ScanIndexForward: false,
          },
          partition: { attribute: 'GSI2PK', value: keys.product.listPartition() },
        };
  return queryPageSelecting(
    query.input,
    page,
    query.partition,
    {
      pick: async (items) =>
        items.map((item) => {
          // The zone partitions hold only products; the list partition too, but be strict about what is read.
          if (item.entity !== 'Product') return undefined;
          const product = productFromItem(item);
          return matchesFilters(product, filters, now) ? product : undefined;
        }),
      finish: async (products) =>
        Promise.all(products.map(async (product) => ({ ...product, stock: await readStock(product.productId, product.stockShards, { consistent: false }) }))),
    },
    { maxItemsRead: MAX_PRODUCTS_READ_PER_PAGE },
  );
}
