/**
 * Lucky draws (docs/draws.md): the definitions operators create, the prize
 * stock counters, the statistics shards, and the views members and operators
 * read. A draw never changes once created: its prize table (weights, order)
 * is what the published odds and every spin's verification rest on.
 */
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import type { z } from 'zod';
import type { drawInputSchema, fallbackReasons, prizeKinds } from '../contracts/draws.js';
import { addDays, drawStatusAt, isDrawDay, publishedOdds, totalWeight } from '../domain/draws.js';
import { localDate } from '../domain/programme.js';
import { getPool } from '../earning/pools.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import { getProduct } from '../mall/catalogue.js';
import { getCouponTemplate, issueProblem } from '../mall/coupons.js';
import { PRIZE_PRODUCT_TYPES } from '../mall/orders.js';
import { db, tableName } from '../table/client.js';
import { DRAW_STATS_SHARDS, keys, type ItemKey } from '../table/keys.js';
import { decodeCursor, queryPage } from '../table/paging.js';
import { ensureSeed } from './seeds.js';

export type DrawInput = z.output<typeof drawInputSchema>;
export type PrizeKind = (typeof prizeKinds)[number];
export type FallbackReason = (typeof fallbackReasons)[number];

export interface DrawPrize {
  readonly prizeId: string;
  readonly name: string;
  readonly kind: PrizeKind;
  readonly points: number | null;
  readonly couponTemplateId: string | null;
  readonly productId: string | null;
  readonly weight: number;
  /** Stock the prize started with; null: unlimited. */
  readonly stock: number | null;
}

export interface DrawDefinition {
  readonly drawId: string;
  readonly name: string;
  readonly description: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly freeSpinsPerDay: number;
  readonly spinCostPoints: number;
  readonly maxSpinsPerDay: number;
  readonly poolId: string | null;
  readonly activity: string | null;
  /** In the published order: the outcome maps onto their cumulative weights. */
  readonly prizes: readonly DrawPrize[];
  readonly consolationPrizeId: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

/** The consolation rule as members read it. */
export function consolationRule(draw: DrawDefinition): string {
  const consolation = consolationOf(draw);
  return (
    `When the prize drawn cannot be given (a limited prize out of stock, the points pool exhausted or your daily points cap ` +
    `for ${draw.activity ?? 'the pool activity'} reached, a coupon no longer issued), the same spin gives "${consolation.name}" instead.`
  );
}

export function consolationOf(draw: DrawDefinition): DrawPrize {
  const prize = draw.prizes.find((p) => p.prizeId === draw.consolationPrizeId);
  if (!prize) throw new Error(`draw ${draw.drawId} has no consolation prize ${draw.consolationPrizeId}`);
  return prize;
}

/** A prize as a spin awards it (no weight or stock). */
export function awardedPrizeView(prize: DrawPrize) {
  return {
    prizeId: prize.prizeId,
    name: prize.name,
    kind: prize.kind,
    points: prize.points,
    couponTemplateId: prize.couponTemplateId,
    productId: prize.productId,
  };
}

function prizeOf(input: DrawInput['prizes'][number]): DrawPrize {
  return {
    prizeId: input.prizeId,
    name: input.name,
    kind: input.kind,
    points: input.kind === 'POINTS' ? input.points : null,
    couponTemplateId: input.kind === 'COUPON' ? input.couponTemplateId : null,
    productId: input.kind === 'GOODS' ? input.productId : null,
    weight: input.weight,
    stock: input.stock,
  };
}

/** Draws never change once created, so a definition read once is good for the life of the process. */
const definitions = new Map<string, DrawDefinition>();

function definitionFromItem(item: Record<string, unknown>): DrawDefinition {
  return {
    drawId: String(item.drawId),
    name: String(item.name),
    description: String(item.description ?? ''),
    startsAt: String(item.startsAt),
    endsAt: String(item.endsAt),
    freeSpinsPerDay: Number(item.freeSpinsPerDay),
    spinCostPoints: Number(item.spinCostPoints),
    maxSpinsPerDay: Number(item.maxSpinsPerDay),
    poolId: (item.poolId as string | null | undefined) ?? null,
    activity: (item.activity as string | null | undefined) ?? null,
    prizes: item.prizes as DrawPrize[],
    consolationPrizeId: String(item.consolationPrizeId),
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
  };
}

/**
 * Checks what the prizes refer to, as it stands now: the pool has the
 * activity and can ever pay each POINTS prize (within the activity's share
 * and a member's daily cap), coupon templates exist and are still issued,
 * GOODS are PHYSICAL or SUPPLIER products.
 */
async function checkPrizeReferences(input: DrawInput, now: Date): Promise<void> {
  const pointsPrizes = input.prizes.filter((p) => p.kind === 'POINTS');
  if (input.poolId !== null && input.activity !== null) {
    const pool = await getPool(input.poolId);
    const activity = pool.activities.find((a) => a.activity === input.activity);
    if (!activity) {
      throw new ValidationError(`pool ${pool.poolId} has no activity ${input.activity}; its activities: ${pool.activities.map((a) => a.activity).join(', ')}`);
    }
    for (const prize of pointsPrizes) {
      if (prize.points > activity.sharePoints) {
        throw new ValidationError(`prize ${prize.prizeId} pays ${prize.points} points, more than the ${activity.sharePoints} of ${input.activity} in pool ${pool.poolId}`);
      }
      if (activity.dailyCapPerMember !== null && prize.points > activity.dailyCapPerMember) {
        throw new ValidationError(
          `prize ${prize.prizeId} pays ${prize.points} points, more than the daily cap of ${activity.dailyCapPerMember} per member for ${input.activity}: it could never be paid`,
        );
      }
    }
  }
  for (const prize of input.prizes) {
    if (prize.kind === 'COUPON') {
      const template = await getCouponTemplate(prize.couponTemplateId);
      const problem = issueProblem(template, now);
      if (problem) throw new ValidationError(`prize ${prize.prizeId}: ${problem}`);
    }
    if (prize.kind === 'GOODS') {
      const product = await getProduct(prize.productId, { fresh: true });
      if (!PRIZE_PRODUCT_TYPES.includes(product.type)) {
        throw new ValidationError(`prize ${prize.prizeId}: product ${product.productId} is ${product.type}; goods prizes are ${PRIZE_PRODUCT_TYPES.join(' or ')} products`);
      }
    }
  }
}

/**
 * Creates a draw: its definition and a stock counter per limited prize, in
 * one transaction, after checking what the prizes refer to. The seeds of
 * today and tomorrow are made at once (for the days the draw covers), so
 * their hashes are published before any spin. `drawId` is generated unless
 * given; an id in use is a 409.
 */
export async function createDraw(input: DrawInput, operator: string, now = new Date()): Promise<DrawAdminView> {
  if (Date.parse(input.endsAt) <= now.getTime()) throw new ValidationError(`endsAt ${input.endsAt} has passed; a draw must end in the future`);
  totalWeight(input.prizes);
  await checkPrizeReferences(input, now);
  const draw: DrawDefinition = {
    drawId: input.drawId ?? `d-${ulid().toLowerCase()}`,
    name: input.name,
    description: input.description,
    startsAt: new Date(input.startsAt).toISOString(),
    endsAt: new Date(input.endsAt).toISOString(),
    freeSpinsPerDay: input.freeSpinsPerDay,
    spinCostPoints: input.spinCostPoints,
    maxSpinsPerDay: input.maxSpinsPerDay,
    poolId: input.poolId,
    activity: input.activity,
    prizes: input.prizes.map(prizeOf),
    consolationPrizeId: input.consolationPrizeId,
    createdAt: now.toISOString(),
    createdBy: operator,
  };
  const stockPuts = draw.prizes
    .filter((p) => p.stock !== null)
    .map((p) => ({
      Put: {
        TableName: tableName(),
        Item: { ...keys.draw.prizeStock(draw.drawId, p.prizeId), entity: 'DrawPrizeStock', drawId: draw.drawId, prizeId: p.prizeId, left: p.stock, awarded: 0 },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    }));
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.draw.definition(draw.drawId), ...keys.draw.listEntry(draw.drawId, draw.endsAt), entity: 'Draw', ...draw },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...stockPuts,
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) {
      throw new DomainError('CONFLICT', `draw ${draw.drawId} already exists; draws do not change, create another`);
    }
    throw error;
  }
  definitions.set(draw.drawId, draw);
  const today = localDate(now);
  for (const day of [today, addDays(today, 1)]) {
    if (isDrawDay(draw, day)) await ensureSeed(draw.drawId, day, 'create');
  }
  return adminViewOf(draw, new Map(draw.prizes.map((p) => [p.prizeId, p.stock])), emptyStats());
}

export async function findDraw(drawId: string): Promise<DrawDefinition | undefined> {
  const cached = definitions.get(drawId);
  if (cached) return cached;
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.draw.definition(drawId), ConsistentRead: true }));
  if (!result.Item) return undefined;
  const draw = definitionFromItem(result.Item);
  definitions.set(drawId, draw);
  return draw;
}

export async function getDraw(drawId: string): Promise<DrawDefinition> {
  const draw = await findDraw(drawId);
  if (!draw) throw new NotFoundError(`draw ${drawId} does not exist`);
  return draw;
}

/** Every item of `keysToRead`, by BatchGetItem (strongly consistent), retrying what DynamoDB leaves unprocessed. */
async function readItems(keysToRead: readonly ItemKey[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < keysToRead.length; i += 100) {
    let pending: Record<string, unknown>[] = keysToRead.slice(i, i + 100).map((k) => ({ PK: k.PK, SK: k.SK }));
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const result = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of result.Responses?.[tableName()] ?? []) found.set(`${String(item.PK)}|${String(item.SK)}`, item);
      pending = (result.UnprocessedKeys?.[tableName()]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  return found;
}

/** Stock left of each limited prize (null for unlimited ones). */
export async function prizeStockLeft(draw: DrawDefinition): Promise<Map<string, number | null>> {
  const limited = draw.prizes.filter((p) => p.stock !== null);
  const items = await readItems(limited.map((p) => keys.draw.prizeStock(draw.drawId, p.prizeId)));
  return new Map(
    draw.prizes.map((p) => {
      if (p.stock === null) return [p.prizeId, null];
      const key = keys.draw.prizeStock(draw.drawId, p.prizeId);
      return [p.prizeId, Number(items.get(`${key.PK}|${key.SK}`)?.left ?? 0)];
    }),
  );
}

/** Attributes of a statistics shard: totals, and per prize drawn (`D#`) and awarded (`A#`). */
export const statsAttribute = {
  drawn: (prizeId: string): string => `D#${prizeId}`,
  awarded: (prizeId: string): string => `A#${prizeId}`,
};

interface DrawStats {
  readonly spins: number;
  readonly paidSpins: number;
  readonly costPoints: number;
  readonly pointsAwarded: number;
  readonly fallbacks: number;
  readonly perPrize: Map<string, { drawn: number; awarded: number }>;
}

function emptyStats(): DrawStats {
  return { spins: 0, paidSpins: 0, costPoints: 0, pointsAwarded: 0, fallbacks: 0, perPrize: new Map() };
}

async function readStats(draw: DrawDefinition): Promise<DrawStats> {
  const shards = await readItems(Array.from({ length: DRAW_STATS_SHARDS }, (_, shard) => keys.draw.statsShard(draw.drawId, shard)));
  const sum = (name: string) => [...shards.values()].reduce((total, item) => total + Number(item[name] ?? 0), 0);
  return {
    spins: sum('spins'),
    paidSpins: sum('paidSpins'),
    costPoints: sum('costPoints'),
    pointsAwarded: sum('pointsAwarded'),
    fallbacks: sum('fallbacks'),
    perPrize: new Map(draw.prizes.map((p) => [p.prizeId, { drawn: sum(statsAttribute.drawn(p.prizeId)), awarded: sum(statsAttribute.awarded(p.prizeId)) }])),
  };
}

export type DrawAdminView = ReturnType<typeof adminViewOf>;

function adminViewOf(draw: DrawDefinition, stockLeft: Map<string, number | null>, stats: DrawStats, now = new Date()) {
  const consolation = draw.consolationPrizeId;
  return {
    ...summaryOf(draw, now),
    poolId: draw.poolId,
    activity: draw.activity,
    prizes: publishedOdds(draw.prizes).map((p) => {
      const counts = stats.perPrize.get(p.prizeId) ?? { drawn: 0, awarded: 0 };
      // The consolation's awards include the fallbacks; a prize "fell back" when drawn but not given.
      const givenAsDrawn = p.prizeId === consolation ? counts.drawn : counts.awarded;
      return {
        ...awardedPrizeView(p),
        weight: p.weight,
        odds: p.odds,
        stock: p.stock,
        stockLeft: stockLeft.get(p.prizeId) ?? null,
        drawn: counts.drawn,
        awarded: counts.awarded,
        fellBack: counts.drawn - givenAsDrawn,
      };
    }),
    totals: { spins: stats.spins, paidSpins: stats.paidSpins, costPoints: stats.costPoints, pointsAwarded: stats.pointsAwarded, fallbacks: stats.fallbacks },
    createdAt: draw.createdAt,
    createdBy: draw.createdBy,
  };
}

/** A draw for operators: stock left per prize, and how often each prize was drawn, awarded, or fell back. */
export async function drawAdminView(drawId: string, now = new Date()): Promise<DrawAdminView> {
  const draw = await getDraw(drawId);
  const [stockLeft, stats] = await Promise.all([prizeStockLeft(draw), readStats(draw)]);
  return adminViewOf(draw, stockLeft, stats, now);
}

/** What every view of a draw shows of its settings. */
export function summaryOf(draw: DrawDefinition, now: Date) {
  return {
    drawId: draw.drawId,
    name: draw.name,
    description: draw.description,
    status: drawStatusAt(draw, now),
    startsAt: draw.startsAt,
    endsAt: draw.endsAt,
    freeSpinsPerDay: draw.freeSpinsPerDay,
    spinCostPoints: draw.spinCostPoints,
    maxSpinsPerDay: draw.maxSpinsPerDay,
    consolationPrizeId: draw.consolationPrizeId,
    totalWeight: totalWeight(draw.prizes),
  };
}

/** Draws not yet ended at `now`, the soonest ending first. */
export async function listOpenDraws(page: { limit: number; cursor?: string | undefined }, now = new Date()) {
  const partition = keys.draw.listPartition();
  const result = await queryPage(
    {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK > :now',
      ExpressionAttributeValues: { ':pk': partition, ':now': now.toISOString() },
    },
    { limit: page.limit, start: decodeCursor(page.cursor, { attribute: 'GSI1PK', value: partition }) },
  );
  return { items: result.items.map((item) => summaryOf(definitionFromItem(item), now)), nextCursor: result.nextCursor };
}

/** Every draw not yet ended at `now` (the seeds job). */
export async function allOpenDraws(now: Date): Promise<DrawDefinition[]> {
  const draws: DrawDefinition[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const result = await db().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK > :now',
        ExpressionAttributeValues: { ':pk': keys.draw.listPartition(), ':now': now.toISOString() },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    draws.push(...(result.Items ?? []).map(definitionFromItem));
    start = result.LastEvaluatedKey;
  } while (start);
  return draws;
}
