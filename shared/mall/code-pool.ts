/**
 * The code pool of VIRTUAL products (top-up cards, coupon codes).
 *
 * Design. Each code is bound to one stock shard: the shard its SHA-256 hash
 * picks. The code item lives in that shard's own code partition
 * (`CODES#<productId>#<shard>`), keyed by the hash, so uploading the same code
 * again hits the same key and is refused by `attribute_not_exists`: uploads
 * are idempotent per code. A code's upload and the unit it adds to its shard's
 * `available` are one transaction, and so are a sale's claim of one code and
 * the unit it takes from that shard: the shard's `available` is always the
 * number of its unclaimed codes, so a shard with stock has a code to give.
 *
 * A redemption transaction cannot read, so it cannot ask the shard "which code
 * is next". Instead the function picks a SPECIFIC unclaimed code of the shard
 * from the shard's free list (sparse GSI2 entries `CODES-FREE#<productId>#<shard>`
 * that the claim removes) and claims it conditionally (`attribute_not_exists(orderId)`)
 * in the same transaction as the shard decrement, the points and the order.
 * Two orders picking the same code: one claim wins, the other fails on that
 * condition and picks another code; each code therefore goes to at most one
 * order and each order gets exactly one. Picks are random among a page of free
 * codes, so concurrent orders on one shard rarely collide, and a flash sale
 * spreads over the shards' partitions exactly as physical stock does.
 */
import { createHash } from 'node:crypto';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { auditItems, nothingChanged } from '../audit/audit.js';
import { DomainError } from '../errors.js';
import type { TransactItem } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys, stableHash } from '../table/keys.js';
import { forgetCachedProduct, type Product } from './catalogue.js';
import { clearSoldOut } from './stock.js';

/** Code items per upload transaction (one shard update joins them; DynamoDB allows 100 items). */
const CODES_PER_TRANSACTION = 90;
/** Free codes fetched per shard; a pick is random among them. */
const FREE_PAGE = 25;
/** How long a function trusts its page of free codes (claims by others show up as failed picks meanwhile). */
const FREE_CACHE_MS = 5_000;

export function codeHash(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}

/** The stock shard a code belongs to, for good. */
export function shardOfCode(hash: string, shards: number): number {
  return stableHash(hash) % shards;
}

/** Stock of a VIRTUAL product is its code pool: only uploads add to it and only sales take from it. */
export function refuseStockChangeOfCodePool(product: Pick<Product, 'type' | 'productId'>): void {
  if (product.type === 'VIRTUAL') {
    throw new DomainError('CONFLICT', `the stock of VIRTUAL product ${product.productId} is its code pool; upload codes instead of setting or moving stock`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Adds codes to a VIRTUAL product. Per shard, chunks of codes are put (each
 * only if new) together with one update adding their count to the shard; a
 * chunk refused for codes already there is retried without them.
 *
 * The operator's audit record joins the FIRST chunk that commits (each chunk
 * makes its codes sellable at once, so the first one is where the change
 * begins to exist). It says how many codes were sent, never the codes. An
 * upload whose codes were all in the pool already changes nothing and
 * records nothing.
 */
export async function uploadCodes(product: Product, codes: readonly string[], now = new Date()): Promise<{ accepted: number; duplicates: number }> {
  if (product.type !== 'VIRTUAL') throw new DomainError('CONFLICT', `product ${product.productId} is ${product.type}; only VIRTUAL products take codes`);
  const unique = [...new Set(codes)];
  let duplicates = codes.length - unique.length;
  const byShard = new Map<number, { code: string; hash: string }[]>();
  for (const code of unique) {
    const hash = codeHash(code);
    const shard = shardOfCode(hash, product.stockShards);
    byShard.set(shard, [...(byShard.get(shard) ?? []), { code, hash }]);
  }
  const at = now.toISOString();
  let accepted = 0;
  const audit = () =>
    auditItems(
      {
        target: `product:${product.productId}`,
        summary: `uploaded ${codes.length} codes (${unique.length} distinct; any already in the pool are not added again)`,
        after: { codesSent: codes.length, distinct: unique.length, shards: byShard.size },
      },
      now,
    );
  for (const [shard, entries] of byShard) {
    for (let i = 0; i < entries.length; i += CODES_PER_TRANSACTION) {
      let chunk = entries.slice(i, i + CODES_PER_TRANSACTION);
      for (let attempt = 1; chunk.length > 0; attempt += 1) {
        const items: TransactItem[] = chunk.map(({ code, hash }) => ({
          Put: {
            TableName: tableName(),
            Item: {
              ...keys.codePool.code(product.productId, shard, hash),
              ...keys.codePool.freeEntry(product.productId, shard, at, hash),
              entity: 'ProductCode',
              productId: product.productId,
              shard,
              codeHash: hash,
              code,
              uploadedAt: at,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        }));
        items.push({
          Update: {
            TableName: tableName(),
            Key: keys.product.stockShard(product.productId, shard),
            UpdateExpression: 'SET available = available + :n, updatedAt = :at',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: { ':n': chunk.length, ':at': at },
          },
        });
        // Until a chunk has committed, each attempt carries the record (and the claim of the Idempotency-Key); it goes last.
        if (accepted === 0) items.push(...audit());
        try {
          await db().send(new TransactWriteCommand({ TransactItems: items }));
          accepted += chunk.length;
          break;
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const reasons = error.CancellationReasons ?? [];
          const known = new Set(reasons.flatMap((r, index) => (r.Code === 'ConditionalCheckFailed' && index < chunk.length ? [index] : [])));
          if (reasons[chunk.length]?.Code === 'ConditionalCheckFailed') throw new Error(`stock shard ${shard} of ${product.productId} is missing`, { cause: error });
          // The Idempotency-Key claimed by another request: the handler answers that (replay or 409).
          if (reasons.slice(chunk.length + 1).some((r) => r.Code === 'ConditionalCheckFailed')) throw error;
          if (known.size === 0 && attempt >= 10) throw new DomainError('CONFLICT', `stock shard ${shard} is busy; upload the same codes again (they are idempotent)`);
          duplicates += known.size;
          chunk = chunk.filter((_, index) => !known.has(index));
          // Contended with sales on the shard: back off before trying again.
          if (known.size === 0) await sleep(Math.random() * 20 * attempt);
        }
      }
    }
  }
  if (accepted > 0) {
    await clearSoldOut(product.productId);
    forgetCachedProduct(product.productId);
  } else {
    nothingChanged();
  }
  return { accepted, duplicates };
}

export interface FreeCode {
  readonly hash: string;
  readonly code: string;
}

const freeCodes = new Map<string, { codes: FreeCode[]; until: number }>();

/**
 * A free code of the shard to claim, picked at random among a page of the
 * shard's free list (cached briefly); undefined when the list is empty.
 */
export async function pickFreeCode(productId: string, shard: number, random = Math.random): Promise<FreeCode | undefined> {
  const key = `${productId}#${shard}`;
  let cached = freeCodes.get(key);
  if (!cached || cached.until <= Date.now() || cached.codes.length === 0) {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.codePool.freePartition(productId, shard) },
        Limit: FREE_PAGE,
      }),
    );
    const codes = (page.Items ?? []).map((item) => ({ hash: String(item.codeHash), code: String(item.code) }));
    cached = { codes, until: Date.now() + FREE_CACHE_MS };
    freeCodes.set(key, cached);
  }
  return cached.codes[Math.floor(random() * cached.codes.length)];
}

/** Drops a code from this function's free list (claimed, by this order or another). */
export function forgetFreeCode(productId: string, shard: number, hash: string): void {
  const cached = freeCodes.get(`${productId}#${shard}`);
  if (cached) cached.codes = cached.codes.filter((c) => c.hash !== hash);
}

/** The transaction item claiming one code for an order (condition: nobody claimed it); it leaves the free list. */
export function claimCode(productId: string, shard: number, hash: string, orderId: string, memberId: string, at: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.codePool.code(productId, shard, hash),
      UpdateExpression: 'SET orderId = :order, memberId = :member, claimedAt = :at REMOVE GSI2PK, GSI2SK',
      ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(orderId)',
      ExpressionAttributeValues: { ':order': orderId, ':member': memberId, ':at': at },
    },
  };
}
