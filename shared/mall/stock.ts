/**
 * Sharded stock. A product's stock is spread over N shard items, each its own
 * partition (`STOCK#<productId>#<n>`), so a flash sale's writes spread over
 * partitions instead of queueing on one item. A redemption decrements one
 * shard conditionally (enough left) inside its transaction; an empty shard
 * sends it to the next. Operators set or add stock (spread evenly) and
 * rebalance what is left. See docs/flash-sale.md for the sizing.
 */
import { BatchGetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { auditItems } from '../audit/audit.js';
import { DomainError } from '../errors.js';
import type { TransactItem } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';

export interface ShardStock {
  readonly shard: number;
  readonly available: number;
  readonly sold: number;
}

export interface StockView {
  readonly productId: string;
  readonly available: number;
  readonly sold: number;
  readonly shards: readonly ShardStock[];
}

/** `total` spread over `shards` as evenly as whole units allow (the first shards get the remainder). */
export function evenSplit(total: number, shards: number): number[] {
  const base = Math.floor(total / shards);
  const extra = total % shards;
  return Array.from({ length: shards }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Puts creating a product's shards with the given available units. */
export function stockShardPuts(productId: string, available: readonly number[], at: string): TransactItem[] {
  return available.map((units, shard) => ({
    Put: {
      TableName: tableName(),
      Item: { ...keys.product.stockShard(productId, shard), entity: 'StockShard', productId, shard, available: units, sold: 0, updatedAt: at },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  }));
}

/** The transaction item taking `quantity` units from one shard (condition: that many left). */
export function takeFromShard(productId: string, shard: number, quantity: number, at: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.product.stockShard(productId, shard),
      UpdateExpression: 'SET available = available - :q, sold = sold + :q, updatedAt = :at',
      ConditionExpression: 'available >= :q',
      ExpressionAttributeValues: { ':q': quantity, ':at': at },
    },
  };
}

/** The transaction item putting `quantity` units back on a shard (cancellations, releases, refunds). */
export function returnToShard(productId: string, shard: number, quantity: number, at: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.product.stockShard(productId, shard),
      UpdateExpression: 'SET available = available + :q, sold = sold - :q, updatedAt = :at',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':q': quantity, ':at': at },
    },
  };
}

/** Every shard of a product, strongly consistent unless `consistent: false` (half the read cost, may lag a moment). */
export async function readStock(productId: string, count: number, options: { consistent?: boolean } = {}): Promise<StockView> {
  const requested = Array.from({ length: count }, (_, shard) => ({ ...keys.product.stockShard(productId, shard) }) as Record<string, unknown>);
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < requested.length; i += 100) {
    let keysLeft = requested.slice(i, i + 100);
    for (let attempt = 0; keysLeft.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 6)));
      const result = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: keysLeft, ConsistentRead: options.consistent ?? true } } }));
      items.push(...(result.Responses?.[tableName()] ?? []));
      keysLeft = (result.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  const shards = items
    .map((item) => ({ shard: Number(item.shard), available: Number(item.available ?? 0), sold: Number(item.sold ?? 0) }))
    .sort((a, b) => a.shard - b.shard);
  return {
    productId,
    available: shards.reduce((sum, s) => sum + s.available, 0),
    sold: shards.reduce((sum, s) => sum + s.sold, 0),
    shards,
  };
}

/** Clears the sold-out flag after stock was added. */
export async function clearSoldOut(productId: string): Promise<void> {
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.product.item(productId),
      UpdateExpression: 'SET soldOut = :false REMOVE soldOutAt',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':false': false },
    }),
  );
}

/**
 * Sets (`set`) or adds to (`add`) a product's available stock, spread evenly
 * over its shards, and clears the sold-out flag, in one transaction with the
 * operator's audit record (at most 64 shards, so it fits). The product update
 * is conditional on its shard count, so a rebalance in between makes it a
 * 409. A set overwrites each shard's available units; redemptions running at
 * that moment land before or after it.
 */
export async function changeStock(productId: string, shards: number, mode: 'set' | 'add', quantity: number, now = new Date()): Promise<StockView> {
  const at = now.toISOString();
  const split = evenSplit(quantity, shards);
  // What the record shows as before: the stock as read just before the change (sales may land in between).
  const before = await readStock(productId, shards);
  const items: TransactItem[] = split.map((units, shard) => ({
    Update: {
      TableName: tableName(),
      Key: keys.product.stockShard(productId, shard),
      UpdateExpression:
        mode === 'set'
          ? 'SET available = :u, sold = if_not_exists(sold, :zero), entity = :entity, productId = :pid, #shard = :shard, updatedAt = :at'
          : 'SET available = if_not_exists(available, :zero) + :u, sold = if_not_exists(sold, :zero), entity = :entity, productId = :pid, #shard = :shard, updatedAt = :at',
      ExpressionAttributeNames: { '#shard': 'shard' },
      ExpressionAttributeValues: { ':u': units, ':zero': 0, ':entity': 'StockShard', ':pid': productId, ':shard': shard, ':at': at },
    },
  }));
  items.push(
    {
      Update: {
        TableName: tableName(),
        Key: keys.product.item(productId),
        UpdateExpression: 'SET soldOut = :false REMOVE soldOutAt',
        ConditionExpression: 'attribute_exists(PK) AND stockShards = :shards',
        ExpressionAttributeValues: { ':false': false, ':shards': shards },
      },
    },
    ...auditItems(
      {
        target: `product:${productId}`,
        summary: mode === 'set' ? `set stock to ${quantity} over ${shards} shards` : `added ${quantity} to stock over ${shards} shards`,
        before: { available: before.available },
        after: mode === 'set' ? { available: quantity } : { added: quantity },
      },
      now,
    ),
  );
  if (items.length > 100) throw new DomainError('CONFLICT', 'changing the stock of more than 97 shards at once is not supported');
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (reasons[shards]?.Code === 'ConditionalCheckFailed') {
      throw new DomainError('CONFLICT', `the shards of ${productId} were rebalanced while the stock was being changed; read the product and try again`);
    }
    if (reasons.some((r) => r.Code === 'TransactionConflict')) {
      throw new DomainError('CONFLICT', `the stock of ${productId} is busy with sales; try again`);
    }
    throw error;
  }
  return readStock(productId, shards);
}

/**
 * Spreads what is left evenly over `toShards` shards (optionally a new count),
 * conditional on every shard still holding what was read: a sale in between
 * makes it answer 409, and the operator retries. The product's shard count is
 * updated in the same transaction.
 */
export async function rebalanceStock(
  productId: string,
  fromShards: number,
  toShards: number,
  now = new Date(),
  /** The most shards the product ever had, before this rebalance (the sale monitor's counters live on that many). */
  statsShards = fromShards,
): Promise<StockView> {
  const current = await readStock(productId, Math.max(fromShards, toShards));
  const target = evenSplit(current.available, toShards);
  const at = now.toISOString();
  const items: TransactItem[] = [];
  const count = Math.max(fromShards, toShards);
  for (let shard = 0; shard < count; shard += 1) {
    const before = current.shards.find((s) => s.shard === shard);
    const units = target[shard] ?? 0;
    items.push({
      Update: {
        TableName: tableName(),
        Key: keys.product.stockShard(productId, shard),
        UpdateExpression: 'SET available = :u, sold = if_not_exists(sold, :zero), entity = :entity, productId = :pid, #shard = :shard, updatedAt = :at',
        ConditionExpression: before ? 'available = :before' : 'attribute_not_exists(PK)',
        ExpressionAttributeNames: { '#shard': 'shard' },
        ExpressionAttributeValues: {
          ':u': units,
          ':zero': 0,
          ':entity': 'StockShard',
          ':pid': productId,
          ':shard': shard,
          ':at': at,
          ...(before ? { ':before': before.available } : {}),
        },
      },
    });
  }
  items.push({
    Update: {
      TableName: tableName(),
      Key: keys.product.item(productId),
      UpdateExpression: 'SET stockShards = :n, saleStatsShards = :stats, soldOut = :soldOut, version = version + :one, updatedAt = :at',
      ConditionExpression: 'stockShards = :from',
      ExpressionAttributeValues: {
        ':n': toShards,
        ':from': fromShards,
        ':stats': Math.max(statsShards, fromShards, toShards),
        ':soldOut': current.available === 0,
        ':one': 1,
        ':at': at,
      },
    },
  });
  items.push(
    ...auditItems(
      {
        target: `product:${productId}`,
        summary: `rebalanced ${current.available} available over ${toShards} shards${toShards === fromShards ? '' : ` (was ${fromShards})`}`,
        before: { stockShards: fromShards, available: current.shards.map((s) => s.available) },
        after: { stockShards: toShards, available: target },
      },
      now,
    ),
  );
  if (items.length > 100) throw new DomainError('CONFLICT', 'rebalancing more than 97 shards at once is not supported');
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      throw new DomainError('CONFLICT', `the stock of ${productId} changed while it was being rebalanced (a sale went through); try again`);
    }
    throw error;
  }
  return readStock(productId, toShards);
}
