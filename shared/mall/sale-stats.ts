/**
 * The flash-sale monitor's counters (docs/flash-sale.md, "The sale monitor").
 * Nothing here reads orders, and nothing adds a hot item to a redemption:
 *
 * - Orders per minute (flash sales: a sale window or the flash-sale zone):
 *   each redemption's own transaction adds 1 order and its units to the
 *   minute item of the stock shard it took its unit from
 *   (`SALE-STATS#<productId>#<shard>` / `<minute>#ORDERS`), so these writes
 *   spread over partitions exactly as the stock shards do.
 * - Refusals by reason: counted in the function instance's memory and
 *   flushed at most every REFUSAL_FLUSH_MS (and when the minute turns) with
 *   one UpdateItem per product and minute, onto the `<minute>#REFUSED` item of
 *   a shard picked at random among the first few: a sold-out product refused
 *   thousands of times a second costs a few writes per instance and minute,
 *   and no refusal waits for a write.
 * - Stock left: the stock shards (one BatchGet); sold-out time: the product.
 *
 * The monitor reads one Query per stock shard (the minutes asked for; at most
 * MONITOR_QUERIES at a time) and the shards in BatchGets of 100, and caches
 * its answer for MONITOR_CACHE_MS, so any number of open screens polling it
 * cost the same reads.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { saleRefusalReasons } from '../contracts/limits.js';
import { logger } from '../observability/powertools.js';
import { currentBudget, outsideInvocationBudget } from '../runtime/deadline.js';
import type { ExtraWrite } from '../ledger/ledger.js';
import { mapWithConcurrency } from '../jobs/pool.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { FLASH_SALE_ZONE, findProduct, getProduct, saleProblem, type Product } from './catalogue.js';
import { readStock, type StockView } from './stock.js';

/** Redemption refusals the monitor counts: each says the product exists (unknown products are never counted). */
export const refusalReasons = saleRefusalReasons;
export type RefusalReason = (typeof refusalReasons)[number];

export function isRefusalReason(code: string): code is RefusalReason {
  return (refusalReasons as readonly string[]).includes(code);
}

/** How long a function instance keeps refusals before it writes them (also written as soon as their minute has passed). */
const REFUSAL_FLUSH_MS = Number(process.env.REFUSAL_FLUSH_MS ?? 5_000);
/** Refusal items of one minute are spread over at most this many of the product's shards. */
const REFUSAL_SPREAD = 4;
/** Minute items are deleted by TTL after this long. */
const SALE_STATS_TTL_SECONDS = 7 * 24 * 3600;
/** Queries of the per-shard counters the monitor sends at once (a product has up to 256 shards). */
const MONITOR_QUERIES = 32;
/** How long the monitor's answer for a product is reused by this function instance. */
const MONITOR_CACHE_MS = Number(process.env.SALE_MONITOR_CACHE_MS ?? 2_000);

/** The UTC minute of a time, `YYYY-MM-DDTHH:MM`: the key of its counters (sorts in time order). */
export function minuteOf(at: Date): string {
  return at.toISOString().slice(0, 16);
}

/**
 * Whether a product's orders are counted per minute: flash sales, i.e. products
 * with a sale window or listed in the flash-sale zone. Everyday goods do not
 * pay the counter's item in their redemptions (docs/flash-sale.md).
 */
export function ordersCounted(product: Pick<Product, 'zone' | 'saleStartsAt' | 'saleEndsAt'>): boolean {
  return product.zone === FLASH_SALE_ZONE || product.saleStartsAt !== null || product.saleEndsAt !== null;
}

/** The redemption transaction's write counting its order on the minute item of its stock shard. */
export function saleMinuteWrite(productId: string, shard: number, quantity: number, now: Date): ExtraWrite {
  const minute = minuteOf(now);
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.product.saleMinute(productId, shard, minute),
        UpdateExpression: 'ADD orders :one, #units :q SET entity = :entity, productId = :pid, #minute = :minute, #ttl = :ttl',
        // MINUTE is a DynamoDB reserved word.
        ExpressionAttributeNames: { '#ttl': 'ttl', '#minute': 'minute', '#units': 'units' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':q': quantity,
          ':entity': 'SaleMinute',
          ':pid': productId,
          ':minute': minute,
          ':ttl': Math.floor(now.getTime() / 1000) + SALE_STATS_TTL_SECONDS,
        },
      },
    },
  };
}

/** This instance's refusals not yet written: product -> minute -> reason -> count. */
const pending = new Map<string, Map<string, Map<RefusalReason, number>>>();
let lastFlush = Date.now();

/** Counts one refused redemption of a product (in memory: written by the next flush that is due). */
export function recordRefusal(productId: string, reason: RefusalReason, now = new Date()): void {
  const minutes = pending.get(productId) ?? new Map<string, Map<RefusalReason, number>>();
  const minute = minuteOf(now);
  const counts = minutes.get(minute) ?? new Map<RefusalReason, number>();
  counts.set(reason, (counts.get(reason) ?? 0) + 1);
  minutes.set(minute, counts);
  pending.set(productId, minutes);
}

function add(productId: string, minute: string, counts: Map<RefusalReason, number>): void {
  const minutes = pending.get(productId) ?? new Map<string, Map<RefusalReason, number>>();
  const mine = minutes.get(minute) ?? new Map<RefusalReason, number>();
  for (const [reason, n] of counts) mine.set(reason, (mine.get(reason) ?? 0) + n);
  minutes.set(minute, mine);
  pending.set(productId, minutes);
}

async function writeRefusals(productId: string, minute: string, counts: Map<RefusalReason, number>, now: Date): Promise<void> {
  const product = await findProduct(productId);
  const spread = Math.max(1, Math.min(REFUSAL_SPREAD, product?.stockShards ?? 1));
  const shard = Math.floor(Math.random() * spread);
  const names: Record<string, string> = { '#ttl': 'ttl', '#minute': 'minute' };
  const values: Record<string, unknown> = {
    ':entity': 'SaleRefusals',
    ':pid': productId,
    ':minute': minute,
    ':ttl': Math.floor(now.getTime() / 1000) + SALE_STATS_TTL_SECONDS,
  };
  const adds = [...counts].map(([reason, n], i) => {
    names[`#r${i}`] = reason;
    values[`:n${i}`] = n;
    return `#r${i} :n${i}`;
  });
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.product.refusalMinute(productId, shard, minute),
      UpdateExpression: `ADD ${adds.join(', ')} SET entity = :entity, productId = :pid, #minute = :minute, #ttl = :ttl`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/**
 * Writes this instance's refusals when due: REFUSAL_FLUSH_MS after the last
 * flush, or at once for a minute that has passed (`force`: everything now).
 * Never throws: counts it could not write stay for the next flush.
 */
export async function flushRefusals(options: { now?: Date; force?: boolean } = {}): Promise<number> {
  const now = options.now ?? new Date();
  if (pending.size === 0) return 0;
  const current = minuteOf(now);
  const due = options.force === true || now.getTime() - lastFlush >= REFUSAL_FLUSH_MS;
  const batch: { productId: string; minute: string; counts: Map<RefusalReason, number> }[] = [];
  for (const [productId, minutes] of pending) {
    for (const [minute, counts] of minutes) {
      if (!due && minute >= current) continue;
      batch.push({ productId, minute, counts });
      minutes.delete(minute);
    }
    if (minutes.size === 0) pending.delete(productId);
  }
  if (batch.length === 0) return 0;
  lastFlush = now.getTime();
  let written = 0;
  await Promise.all(
    batch.map(async ({ productId, minute, counts }) => {
      try {
        await writeRefusals(productId, minute, counts, now);
        written += 1;
      } catch (error) {
        add(productId, minute, counts);
        logger.warn('refusal counts not written; kept for the next flush', { productId, minute, error: (error as Error).name });
      }
    }),
  );
  return written;
}

/** An invocation left with less than this skips the flush: its refusals wait for a later one. */
const FLUSH_MIN_REMAINING_MS = 400;
/** How long a redemption's invocation waits for a flush at most (a slower write finishes on its own). */
const FLUSH_WAIT_MS = 250;

/**
 * The orders function's flush, at the end of a redemption: outside the invocation's budget (the counts are not the
 * request's change: a slow write must not turn its answer into OUTCOME_UNKNOWN), skipped when the invocation is near
 * its deadline, and waited for at most FLUSH_WAIT_MS.
 */
export async function flushRefusalsAfterRedemption(): Promise<void> {
  const budget = currentBudget();
  if (budget && budget.remainingMs() < FLUSH_MIN_REMAINING_MS) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, FLUSH_WAIT_MS);
  });
  try {
    await Promise.race([outsideInvocationBudget(() => flushRefusals()), waited]);
  } finally {
    clearTimeout(timer);
  }
}

/** Forgets refusals not yet written (tests). */
export function forgetPendingRefusals(): void {
  pending.clear();
}

export interface SaleMinute {
  readonly minute: string;
  readonly orders: number;
  readonly units: number;
  readonly refusals: Record<RefusalReason, number>;
}

export interface SaleMonitor {
  readonly productId: string;
  readonly name: string;
  readonly zone: string;
  readonly onSaleNow: boolean;
  readonly ordersCounted: boolean;
  readonly saleStartsAt: string | null;
  readonly saleEndsAt: string | null;
  readonly stock: StockView;
  readonly soldOut: boolean;
  readonly soldOutAt: string | null;
  readonly ordersPerMinute: number;
  readonly ordersThisMinute: number;
  readonly orders: number;
  readonly units: number;
  readonly refusals: Record<RefusalReason, number>;
  readonly minutes: readonly SaleMinute[];
  readonly asOf: string;
}

function noRefusals(): Record<RefusalReason, number> {
  return Object.fromEntries(refusalReasons.map((r) => [r, 0])) as Record<RefusalReason, number>;
}

const monitorCache = new Map<string, { answer: SaleMonitor; until: number }>();

/** Forgets cached monitor answers (tests). */
export function forgetSaleMonitor(): void {
  monitorCache.clear();
}

/**
 * The sale monitor of a product over the last `window` minutes (the current
 * one included), from the counters above: stock left (eventually consistent,
 * may lag a second), orders and units per minute, refusals by reason per
 * minute and in all, the sold-out time.
 */
export async function saleMonitor(productId: string, window: number, now = new Date()): Promise<SaleMonitor> {
  const cacheKey = `${productId}#${window}`;
  const cached = monitorCache.get(cacheKey);
  if (cached && cached.until > Date.now()) return cached.answer;

  const product = await getProduct(productId);
  const minuteKeys = Array.from({ length: window }, (_, i) => minuteOf(new Date(now.getTime() - (window - 1 - i) * 60_000)));
  const from = minuteKeys[0] as string;
  const byMinute = new Map<string, { orders: number; units: number; refusals: Record<RefusalReason, number> }>(
    minuteKeys.map((m) => [m, { orders: 0, units: 0, refusals: noRefusals() }]),
  );
  const [stock, shardItems] = await Promise.all([
    readStock(product.productId, product.stockShards, { consistent: false }),
    // Every shard the product ever had: a rebalance to fewer leaves the earlier minutes' counts on the shards it removed.
    // At most MONITOR_QUERIES at a time: 256 shards must not queue on (and warn about) the SDK's socket pool.
    mapWithConcurrency(Array.from({ length: product.saleStatsShards }, (_, shard) => shard), MONITOR_QUERIES, async (shard) => {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const result = await db().send(
          new QueryCommand({
            TableName: tableName(),
            KeyConditionExpression: 'PK = :pk AND SK >= :from',
            ExpressionAttributeValues: { ':pk': keys.product.saleStatsPartition(product.productId, shard), ':from': from },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        items.push(...(result.Items ?? []));
        start = result.LastEvaluatedKey;
      } while (start);
      return items;
    }),
  ]);
  for (const item of shardItems.flat()) {
    const slot = byMinute.get(String(item.minute));
    if (!slot) continue;
    if (item.entity === 'SaleMinute') {
      slot.orders += Number(item.orders ?? 0);
      slot.units += Number(item.units ?? 0);
    } else if (item.entity === 'SaleRefusals') {
      for (const reason of refusalReasons) slot.refusals[reason] += Number(item[reason] ?? 0);
    }
  }
  const minutes = minuteKeys.map((minute) => ({ minute, ...(byMinute.get(minute) as NonNullable<ReturnType<typeof byMinute.get>>) }));
  const refusals = noRefusals();
  for (const m of minutes) for (const reason of refusalReasons) refusals[reason] += m.refusals[reason];
  const answer: SaleMonitor = {
    productId: product.productId,
    name: product.name,
    zone: product.zone,
    onSaleNow: saleProblem(product, now) === undefined,
    ordersCounted: ordersCounted(product),
    saleStartsAt: product.saleStartsAt,
    saleEndsAt: product.saleEndsAt,
    stock,
    soldOut: product.soldOut,
    soldOutAt: product.soldOutAt,
    ordersPerMinute: minutes.at(-2)?.orders ?? 0,
    ordersThisMinute: minutes.at(-1)?.orders ?? 0,
    orders: minutes.reduce((sum, m) => sum + m.orders, 0),
    units: minutes.reduce((sum, m) => sum + m.units, 0),
    refusals,
    minutes,
    asOf: now.toISOString(),
  };
  monitorCache.set(cacheKey, { answer, until: Date.now() + MONITOR_CACHE_MS });
  return answer;
}
