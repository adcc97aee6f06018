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
import { claimRefused } from '../audit/operator-idempotency.js';
import { DomainError } from '../errors.js';
import { logger } from '../observability/powertools.js';
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

/**
 * How long shards of a product creation that never finished (a crash between
 * its chunks) block another creation of the same id with other stock: longer
 * than any creation runs (the mall function's timeout is 10 s), so a creation
 * still running is never overwritten.
 */
export const UNFINISHED_CREATION_MS = 15 * 60_000;

/**
 * Puts creating a product's shards with the given available units. Safe to
 * send again (a retry after a crash between a creation's chunks): each put
 * also succeeds over a shard that was never sold from and holds the same
 * units, or that an unfinished creation left more than
 * UNFINISHED_CREATION_MS ago. The shards of a product that exists are never
 * reached: the creation's chunks are conditional on the product not existing.
 */
export function stockShardPuts(productId: string, available: readonly number[], at: string): TransactItem[] {
  const staleBefore = new Date(Date.parse(at) - UNFINISHED_CREATION_MS).toISOString();
  return available.map((units, shard) => ({
    Put: {
      TableName: tableName(),
      Item: { ...keys.product.stockShard(productId, shard), entity: 'StockShard', productId, shard, available: units, sold: 0, updatedAt: at },
      ConditionExpression: 'attribute_not_exists(PK) OR (sold = :zero AND (available = :units OR updatedAt < :staleBefore))',
      ExpressionAttributeValues: { ':zero': 0, ':units': units, ':staleBefore': staleBefore },
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

/** Most items DynamoDB takes in one TransactWriteItems (and most keys in one BatchGetItem). */
export const TRANSACTION_ITEMS = 100;
const BATCH_GET_KEYS = 100;
/** Attempts of one BatchGetItem with unprocessed keys left (throttling): then the read fails rather than wait on. */
const BATCH_GET_ATTEMPTS = 8;

/** One BatchGetItem of at most 100 shard keys, its unprocessed keys asked again with backoff. */
async function readShardItems(keysOf: Record<string, unknown>[], consistent: boolean): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let keysLeft = keysOf;
  for (let attempt = 0; keysLeft.length > 0; attempt += 1) {
    if (attempt >= BATCH_GET_ATTEMPTS) throw new Error(`BatchGetItem left ${keysLeft.length} stock shard keys unprocessed after ${BATCH_GET_ATTEMPTS} attempts`);
    if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 6) * (0.5 + Math.random() / 2)));
    const result = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: keysLeft, ConsistentRead: consistent } } }));
    items.push(...(result.Responses?.[tableName()] ?? []));
    keysLeft = (result.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
  }
  return items;
}

/**
 * Every shard of a product, strongly consistent unless `consistent: false` (half the read cost, may lag a moment).
 * One BatchGetItem per 100 shards, sent together (3 at 256 shards: the latency of one).
 */
export async function readStock(productId: string, count: number, options: { consistent?: boolean } = {}): Promise<StockView> {
  const requested = Array.from({ length: count }, (_, shard) => ({ ...keys.product.stockShard(productId, shard) }) as Record<string, unknown>);
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < requested.length; i += BATCH_GET_KEYS) batches.push(requested.slice(i, i + BATCH_GET_KEYS));
  const items = (await Promise.all(batches.map((batch) => readShardItems(batch, options.consistent ?? true)))).flat();
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
 * Units moved from one shard to another by a rebalance or a restock. The rule
 * every chunked stock write keeps (docs/flash-sale.md, "Rebalancing and
 * restocking"): the units on a product's shards change only through
 * redemptions and returns (each in its own transaction) and through the one
 * transaction that carries the operator's audit record; every other
 * transaction is a set of moves whose sum is zero, each source conditional on
 * still holding the units it gives. Any prefix of the chunks conserves the
 * stock, so a failure between chunks leaves it conserved (perhaps uneven) and
 * a retry reads again and goes on.
 */
export interface ShardMove {
  readonly from: number;
  readonly to: number;
  readonly units: number;
}

/** The units of shards 0..count-1 as read (a shard item not written yet holds 0). */
export function unitsByShard(stock: StockView, count: number): number[] {
  const units = new Array<number>(count).fill(0);
  for (const s of stock.shards) if (s.shard < count) units[s.shard] = s.available;
  return units;
}

/**
 * Moves turning `current` into `desired` (same length, same total): surplus
 * shards give to shards below their share, both taken in shard order, so
 * consecutive moves share a shard and a chunk of them touches few shards.
 */
export function planMoves(current: readonly number[], desired: readonly number[]): ShardMove[] {
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  if (current.length !== desired.length || sum(current) !== sum(desired)) throw new Error('planMoves: current and desired must cover the same shards and units');
  const surplus = current.map((units, shard) => ({ shard, left: units - (desired[shard] ?? 0) })).filter((s) => s.left > 0);
  const deficit = current.map((units, shard) => ({ shard, left: (desired[shard] ?? 0) - units })).filter((s) => s.left > 0);
  const moves: ShardMove[] = [];
  let i = 0;
  let j = 0;
  while (i < surplus.length && j < deficit.length) {
    const give = surplus[i] as { shard: number; left: number };
    const take = deficit[j] as { shard: number; left: number };
    const units = Math.min(give.left, take.left);
    moves.push({ from: give.shard, to: take.shard, units });
    give.left -= units;
    take.left -= units;
    if (give.left === 0) i += 1;
    if (take.left === 0) j += 1;
  }
  return moves;
}

/**
 * Groups moves, in order, into transactions touching at most `limit` shards
 * each: per transaction, each shard's net change (shard → units). Each group
 * holds whole moves, so its changes sum to zero; a shard at the boundary of
 * two groups appears in both. (No shard both gives and takes: `planMoves`.)
 */
export function chunkMoves(moves: readonly ShardMove[], limit = TRANSACTION_ITEMS): Map<number, number>[] {
  const chunks: Map<number, number>[] = [];
  let chunk = new Map<number, number>();
  for (const move of moves) {
    const added = (chunk.has(move.from) ? 0 : 1) + (chunk.has(move.to) ? 0 : 1);
    if (chunk.size + added > limit) {
      chunks.push(chunk);
      chunk = new Map();
    }
    chunk.set(move.from, (chunk.get(move.from) ?? 0) - move.units);
    chunk.set(move.to, (chunk.get(move.to) ?? 0) + move.units);
  }
  if (chunk.size > 0) chunks.push(chunk);
  return chunks;
}

/**
 * The transaction item changing one shard by `delta` units: a source only if it
 * still holds them (a redemption since the read may have taken them), a
 * destination created when missing (a shard a rebalance adds).
 */
export function shardDelta(productId: string, shard: number, delta: number, at: string): TransactItem {
  if (delta < 0) {
    return {
      Update: {
        TableName: tableName(),
        Key: keys.product.stockShard(productId, shard),
        UpdateExpression: 'SET available = available - :n, updatedAt = :at',
        ConditionExpression: 'available >= :n',
        ExpressionAttributeValues: { ':n': -delta, ':at': at },
      },
    };
  }
  return {
    Update: {
      TableName: tableName(),
      Key: keys.product.stockShard(productId, shard),
      UpdateExpression:
        'SET available = if_not_exists(available, :zero) + :n, sold = if_not_exists(sold, :zero), entity = :entity, productId = :pid, #shard = :shard, updatedAt = :at',
      ExpressionAttributeNames: { '#shard': 'shard' },
      ExpressionAttributeValues: { ':n': delta, ':zero': 0, ':entity': 'StockShard', ':pid': productId, ':shard': shard, ':at': at },
    },
  };
}

/**
 * Applies moves chunk by chunk (each chunk one transaction, net zero).
 * Answers false when a chunk was cancelled: a source no longer held what it
 * was to give, or a redemption met the chunk on a shard. The chunks before it
 * stay applied (each conserved the stock); the caller reads again and plans
 * what is left.
 */
async function applyMoves(productId: string, moves: readonly ShardMove[], at: string): Promise<boolean> {
  for (const chunk of chunkMoves(moves)) {
    try {
      await db().send(new TransactWriteCommand({ TransactItems: [...chunk].map(([shard, delta]) => shardDelta(productId, shard, delta, at)) }));
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }
  return true;
}

/** Reads, plans and moves until the shards hold `desired(total)` or the attempts run out (sales keep moving them). */
async function moveUntil(
  productId: string,
  count: number,
  desired: (total: number) => number[],
  at: string,
): Promise<{ done: boolean; stock: StockView }> {
  for (let attempt = 0; ; attempt += 1) {
    const stock = await readStock(productId, count);
    const current = unitsByShard(stock, count);
    const target = desired(current.reduce((a, b) => a + b, 0));
    if (await applyMoves(productId, planMoves(current, target), at)) return { done: true, stock };
    if (attempt + 1 >= MOVE_ATTEMPTS) return { done: false, stock };
    await pause(attempt);
  }
}

/**
 * The moves after a change already committed (with its record): they only even
 * the shards out, so a failure here is logged, not answered. The stock is
 * right, perhaps uneven, and a rebalance evens it.
 */
async function evenOutAfterChange(productId: string, count: number, desired: (total: number) => number[], at: string): Promise<void> {
  try {
    const { done } = await moveUntil(productId, count, desired, at);
    if (!done) logger.warn('stock changed but left uneven: sales kept moving the shards', { productId });
  } catch (error) {
    logger.warn('stock changed but left uneven: a move failed', { productId, error: (error as Error).name });
  }
}

/** Attempts of a chunked rebalance or restock (each reads the shards again) before it answers 409. */
const MOVE_ATTEMPTS = 6;

function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 10 * 2 ** Math.min(attempt, 5) * (0.5 + Math.random())));
}

/** Items of the transaction making the change besides the shards: the product, the audit record, the Idempotency-Key's claim. */
const CHANGE_ITEMS = 3;

/** `total` over `shards`, then zeros up to `count` (the shards a rebalance empties). */
function evenOver(total: number, shards: number, count: number): number[] {
  return [...evenSplit(total, shards), ...new Array<number>(Math.max(0, count - shards)).fill(0)];
}

/**
 * Sends the transaction that makes a stock change whole: the product's update
 * first (its condition is the change's own), the audit record and claim, and
 * any shard items. Answers false when a shard item's condition failed or a
 * sale met it (read again and retry); a refused product condition is the
 * caller's 409, a refused claim goes to the handler as it is.
 */
async function commitChange(items: TransactItem[], productChanged: () => DomainError, callerItemsFrom = items.length): Promise<boolean> {
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    if (claimRefused(error)) throw error;
    if (callerItemRefused(error, callerItemsFrom)) throw error;
    if (error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') throw productChanged();
    return false;
  }
}

/**
 * Items a caller adds to a stock change's transaction (`StockChangeOptions.extraItems`): a stock feed's result of
 * the line, conditional on not being there yet, so the line is applied once however often it is tried.
 */
export interface StockChangeOptions {
  /** Built with the available stock as read just before the change (what the change's record shows as before). */
  readonly extraItems?: (before: number) => TransactItem[];
}

/** Whether a cancelled change was refused by one of the caller's own items (the last ones, from `from`): the caller's answer, not a retry. */
function callerItemRefused(error: TransactionCanceledException, from: number): boolean {
  return (error.CancellationReasons ?? []).some((reason, index) => index >= from && reason.Code === 'ConditionalCheckFailed');
}

/**
 * Sets (`set`) or adds to (`add`) a product's available stock, spread evenly
 * over its shards, and clears the sold-out flag, with the operator's audit
 * record. The product update is conditional on its shard count, so a
 * rebalance in between makes it a 409. Up to 97 shards: one transaction, a
 * set overwriting each shard (redemptions running at that moment land before
 * or after it). Above that: chunks, see `changeStockInChunks`. The caller's
 * `extraItems` join the transaction that changes the total (a refusal of one
 * of them is thrown as it is, the cancelled transaction having changed nothing).
 */
export async function changeStock(
  productId: string,
  shards: number,
  mode: 'set' | 'add',
  quantity: number,
  now = new Date(),
  options: StockChangeOptions = {},
): Promise<StockView> {
  const extra = options.extraItems ?? (() => []);
  // The caller's items count against the transaction's 100 (their number does not depend on the stock read).
  const callerItems = extra(0).length;
  if (shards + CHANGE_ITEMS + callerItems > TRANSACTION_ITEMS) return changeStockInChunks(productId, shards, mode, quantity, now, extra, callerItems);
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
  items.push(clearSoldOutItem(productId, shards), ...stockChangeRecord(productId, shards, mode, quantity, before.available, now));
  const callerItemsFrom = items.length;
  items.push(...extra(before.available));
  try {
    await db().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    if (callerItemRefused(error, callerItemsFrom)) throw error;
    const reasons = error.CancellationReasons ?? [];
    if (reasons[shards]?.Code === 'ConditionalCheckFailed') throw shardsRebalanced(productId);
    if (reasons.some((r) => r.Code === 'TransactionConflict')) {
      throw new DomainError('CONFLICT', `the stock of ${productId} is busy with sales; try again`);
    }
    throw error;
  }
  return readStock(productId, shards);
}

function clearSoldOutItem(productId: string, shards: number): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.product.item(productId),
      UpdateExpression: 'SET soldOut = :false REMOVE soldOutAt',
      ConditionExpression: 'attribute_exists(PK) AND stockShards = :shards',
      ExpressionAttributeValues: { ':false': false, ':shards': shards },
    },
  };
}

function stockChangeRecord(productId: string, shards: number, mode: 'set' | 'add', quantity: number, before: number, now: Date): TransactItem[] {
  return auditItems(
    {
      target: `product:${productId}`,
      summary: mode === 'set' ? `set stock to ${quantity} over ${shards} shards` : `added ${quantity} to stock over ${shards} shards`,
      before: { available: before },
      after: mode === 'set' ? { available: quantity } : { added: quantity },
    },
    now,
  );
}

function shardsRebalanced(productId: string): DomainError {
  return new DomainError('CONFLICT', `the shards of ${productId} were rebalanced while the stock was being changed; read the product and try again`);
}

/**
 * A set or add over more shards than one transaction holds. The change of the
 * total is one transaction (with the product's update, the audit record and
 * the claim), touching at most 97 shards; everything else is net-zero moves:
 *
 * - add (or a set above what is left): the units go onto the shards furthest
 *   below their share, then moves even the shards out. A failure after the
 *   change leaves the stock right but uneven (still sellable).
 * - a set below what is left: moves first gather, on 97 shards, their share
 *   plus the units to remove; then the change takes those units off them,
 *   each conditional on still holding them. A failure before the change
 *   leaves the total as it was.
 *
 * A set is the difference to the total read just before (strongly
 * consistent): a redemption between that read and the change counts as one
 * after the set, as it would land after the one-transaction set. Sales that
 * take a source's units send it round again (read, plan); after MOVE_ATTEMPTS
 * it answers 409 with nothing changed, or, once the change committed, the
 * stock as it is.
 */
async function changeStockInChunks(
  productId: string,
  shards: number,
  mode: 'set' | 'add',
  quantity: number,
  now: Date,
  extra: (before: number) => TransactItem[],
  callerItems: number,
): Promise<StockView> {
  const at = now.toISOString();
  const room = TRANSACTION_ITEMS - CHANGE_ITEMS - callerItems;
  for (let attempt = 0; attempt < MOVE_ATTEMPTS; attempt += 1) {
    if (attempt > 0) await pause(attempt);
    const stock = await readStock(productId, shards);
    const current = unitsByShard(stock, shards);
    const total = current.reduce((a, b) => a + b, 0);
    const delta = mode === 'add' ? quantity : quantity - total;
    const final = evenSplit(total + delta, shards);
    const changes = new Map<number, number>();
    if (delta < 0) {
      // Gather, on the first `room` shards, their final share plus what the change takes off them.
      const takers = Math.min(room, shards);
      const takes = evenSplit(-delta, takers);
      const gathered = final.map((units, shard) => units + (shard < takers ? (takes[shard] ?? 0) : 0));
      if (!(await applyMoves(productId, planMoves(current, gathered), at))) continue;
      for (const [shard, units] of takes.entries()) if (units > 0) changes.set(shard, -units);
    } else if (delta > 0) {
      // The shards furthest below their final share get the units.
      const neediest = current
        .map((units, shard) => ({ shard, need: (final[shard] ?? 0) - units }))
        .sort((a, b) => b.need - a.need || a.shard - b.shard)
        .slice(0, room);
      let left = delta;
      for (const { shard, need } of neediest) {
        const units = Math.min(Math.max(need, 0), left);
        if (units > 0) changes.set(shard, units);
        left -= units;
      }
      for (const [i, units] of evenSplit(left, neediest.length).entries()) {
        const shard = (neediest[i] as { shard: number }).shard;
        if (units > 0) changes.set(shard, (changes.get(shard) ?? 0) + units);
      }
    }
    const items = [
      clearSoldOutItem(productId, shards),
      ...[...changes].map(([shard, units]) => shardDelta(productId, shard, units, at)),
      ...stockChangeRecord(productId, shards, mode, quantity, total, now),
    ];
    const callerItemsFrom = items.length;
    items.push(...extra(total));
    if (!(await commitChange(items, () => shardsRebalanced(productId), callerItemsFrom))) continue;
    // The change is whole; even the shards out (best effort: what a sale takes meanwhile only makes them less even).
    if (delta >= 0) await evenOutAfterChange(productId, shards, (units) => evenSplit(units, shards), at);
    return readStock(productId, shards);
  }
  throw new DomainError('CONFLICT', `sales kept changing the stock of ${productId} while it was being changed; nothing was added or taken, try again`);
}

/**
 * Spreads what is left evenly over `toShards` shards (optionally a new count),
 * and updates the product's shard count. Up to 97 shards: one transaction,
 * conditional on every shard still holding what was read (a sale in between
 * makes it answer 409, and the operator retries). Above that: chunks, see
 * `rebalanceInChunks`.
 */
export async function rebalanceStock(
  productId: string,
  fromShards: number,
  toShards: number,
  now = new Date(),
  /** The most shards the product ever had, before this rebalance (the sale monitor's counters live on that many). */
  statsShards = fromShards,
): Promise<StockView> {
  // A product that ever had more shards than one transaction holds goes in chunks too: they read every shard it had.
  if (Math.max(fromShards, toShards, statsShards) + CHANGE_ITEMS > TRANSACTION_ITEMS) return rebalanceInChunks(productId, fromShards, toShards, now, statsShards);
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
  items.push(rebalancedProductItem(productId, fromShards, toShards, statsShards, current.available === 0, at));
  items.push(...rebalanceRecord(productId, fromShards, toShards, current, target, now));
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

function rebalancedProductItem(productId: string, fromShards: number, toShards: number, statsShards: number, soldOut: boolean, at: string): TransactItem {
  return {
    Update: {
      TableName: tableName(),
      Key: keys.product.item(productId),
      UpdateExpression: 'SET stockShards = :n, saleStatsShards = :stats, soldOut = :soldOut, version = version + :one, updatedAt = :at',
      ConditionExpression: 'stockShards = :from',
      ExpressionAttributeValues: {
        ':n': toShards,
        ':from': fromShards,
        ':stats': Math.max(statsShards, fromShards, toShards),
        ':soldOut': soldOut,
        ':one': 1,
        ':at': at,
      },
    },
  };
}

function rebalanceRecord(productId: string, fromShards: number, toShards: number, current: StockView, target: readonly number[], now: Date): TransactItem[] {
  return auditItems(
    {
      target: `product:${productId}`,
      summary: `rebalanced ${current.available} available over ${toShards} shards${toShards === fromShards ? '' : ` (was ${fromShards})`}`,
      before: { stockShards: fromShards, available: current.shards.map((s) => s.available) },
      after: { stockShards: toShards, available: target },
    },
    now,
  );
}

/**
 * A rebalance over more shards than one transaction holds: net-zero moves in
 * chunks (each source conditional on still holding what it gives), and one
 * transaction with the product's new shard count, the audit record and the
 * claim. Where that transaction goes is chosen so that no unit is ever on a
 * shard redemptions do not pick from (they pick among the product's
 * `stockShards`):
 *
 * - fewer shards, or as many: the moves first (every shard is still the
 *   product's), emptying the shards being removed; then the product's count.
 *   A failure before the count changes leaves the count and the total as they
 *   were, the units perhaps part-moved; a retry finishes.
 * - more shards: the product's count first (the added shards, not written
 *   yet, read as empty: a redemption picking one moves on to the others, as
 *   from any empty shard), then the moves into them. A failure after the
 *   count changed leaves the stock right but uneven; a rebalance evens it.
 *
 * It reads every shard the product ever had (`statsShards`), so units a
 * cancellation returned to a shard an earlier rebalance removed are gathered
 * back too.
 */
async function rebalanceInChunks(productId: string, fromShards: number, toShards: number, now: Date, statsShards: number): Promise<StockView> {
  const at = now.toISOString();
  const count = Math.max(fromShards, toShards, statsShards);
  const desired = (total: number) => evenOver(total, toShards, count);
  // The record shows the shards as the rebalance found them, and the even spread it makes of what is left.
  const found = await readStock(productId, count);
  const changeItems = (stock: StockView) => [
    rebalancedProductItem(productId, fromShards, toShards, statsShards, stock.available === 0, at),
    ...rebalanceRecord(productId, fromShards, toShards, { ...found, available: stock.available }, evenSplit(stock.available, toShards), now),
  ];
  const productChanged = () =>
    new DomainError('CONFLICT', `the shards of ${productId} were changed by another rebalance meanwhile; read the product and try again`);
  if (toShards > fromShards) {
    for (let attempt = 0; ; attempt += 1) {
      if (attempt > 0) await pause(attempt);
      if (await commitChange(changeItems(attempt === 0 ? found : await readStock(productId, count)), productChanged)) break;
      if (attempt + 1 >= MOVE_ATTEMPTS) throw new DomainError('CONFLICT', `the product ${productId} is busy; try again`);
    }
    await evenOutAfterChange(productId, count, desired, at);
    return readStock(productId, toShards);
  }
  for (let attempt = 0; attempt < MOVE_ATTEMPTS; attempt += 1) {
    if (attempt > 0) await pause(attempt);
    const moved = await moveUntil(productId, count, desired, at);
    if (!moved.done) break;
    // The stock as moved (sales since only took from it): the record's and the sold-out flag's figures.
    if (await commitChange(changeItems(await readStock(productId, count)), productChanged)) return readStock(productId, toShards);
  }
  throw new DomainError(
    'CONFLICT',
    `sales kept changing the stock of ${productId} while it was being rebalanced; no unit was created or lost and the shard count is unchanged, try again`,
  );
}
