/**
 * Lucky draws (docs/draws.md): the definitions operators create and change,
 * the prize stock counters, the statistics shards, and the views members and
 * operators read. The prize table (weights, order) and the spin rules never
 * change: they are what the published odds and every spin's verification rest
 * on. An operator may pause, resume or end a draw, rename it, move its end
 * and top up prize stock; the status and end are copied onto the 16
 * statistics shards in the same transaction, and every spin's transaction is
 * conditional on its shard's copy, so a pause stops spins at once in every
 * function instance, whatever its cache holds.
 */
import { BatchGetCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ulid } from 'ulid';
import type * as z from '../zod.js';
import { DRAW_HISTORY_SHOWN, PRIZE_TABLE_FROZEN_BEFORE_START_MS } from '../contracts/limits.js';
import type { drawInputSchema, drawPatchSchema, drawPrizeTableSchema, fallbackReasons, prizeKinds } from '../contracts/draws.js';
import { drawChangeRefusal, drawStatusAt, publishedOdds, seedDaysAhead, totalWeight, type DrawOperatorStatus, type DrawStatus } from '../domain/draws.js';
import { localDate } from '../domain/programme.js';
import { getPool } from '../earning/pools.js';
import { auditItems, nothingChanged } from '../audit/audit.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import { getProduct } from '../mall/catalogue.js';
import { getCouponTemplate, issueProblem } from '../mall/coupons.js';
import { PRIZE_PRODUCT_TYPES } from '../mall/orders.js';
import { db, tableName } from '../table/client.js';
import { TtlCache } from '../config/ttl-cache.js';
import { DRAW_STATS_SHARDS, keys, type ItemKey } from '../table/keys.js';
import { queryAll, queryPage, queryPageSelecting, type PageRequest } from '../table/paging.js';
import { ensureSeed } from './seeds.js';

export type DrawInput = z.output<typeof drawInputSchema>;
export type DrawPatch = z.output<typeof drawPatchSchema>;
export type DrawPrizeTable = z.output<typeof drawPrizeTableSchema>;
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
  /** Stock the prize started with (top-ups are counted on its stock item); null: unlimited. */
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
  /** What the operator set; what the draw is at an instant is `drawStatusAt`. */
  readonly operatorStatus: DrawOperatorStatus;
  /** 1 at creation, + 1 by each operator change (optimistic concurrency). */
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
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

/**
 * How long a function trusts its copy of a draw. Only the name, description,
 * end and status can change, and spins do not rely on the copy for the last
 * two: their transaction is conditional on the status and end stored on the
 * statistics shards.
 */
const CACHE_TTL_MS = Number(process.env.DRAW_CACHE_TTL_MS ?? 5_000);
const definitions = new TtlCache<DrawDefinition>(CACHE_TTL_MS);

/** Forgets this function's copy of a draw (after its own change, or a spin refused by the stored status). */
export function forgetCachedDraw(drawId: string): void {
  definitions.delete(drawId);
}

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
    // Draws stored before operators could change them: active, version 1, never updated.
    operatorStatus: (item.operatorStatus as DrawOperatorStatus | undefined) ?? 'ACTIVE',
    version: Number(item.version ?? 1),
    createdAt: String(item.createdAt),
    createdBy: String(item.createdBy),
    updatedAt: String(item.updatedAt ?? item.createdAt),
    updatedBy: String(item.updatedBy ?? item.createdBy),
  };
}

/**
 * The definition item: on the list of draws not ended (GSI1, by end) unless an operator ended it, and always on the
 * operators' list of every draw (GSI2, by creation).
 */
function definitionItem(draw: DrawDefinition) {
  return {
    ...keys.draw.definition(draw.drawId),
    ...(draw.operatorStatus === 'ENDED' ? {} : keys.draw.listEntry(draw.drawId, draw.endsAt)),
    ...keys.draw.adminEntry(draw.drawId, draw.createdAt),
    entity: 'Draw',
    ...draw,
  };
}

/**
 * Checks what the prizes refer to, as it stands now: the pool has the
 * activity and can ever pay each POINTS prize (within the activity's share
 * and a member's daily cap), coupon templates exist and are still issued,
 * GOODS are PHYSICAL or SUPPLIER products.
 */
async function checkPrizeReferences(input: Pick<DrawInput, 'poolId' | 'activity' | 'prizes'>, now: Date): Promise<void> {
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
    operatorStatus: 'ACTIVE',
    version: 1,
    createdAt: now.toISOString(),
    createdBy: operator,
    updatedAt: now.toISOString(),
    updatedBy: operator,
  };
  const stockPuts = draw.prizes
    .filter((p) => p.stock !== null)
    .map((p) => ({
      Put: {
        TableName: tableName(),
        Item: { ...keys.draw.prizeStock(draw.drawId, p.prizeId), entity: 'DrawPrizeStock', drawId: draw.drawId, prizeId: p.prizeId, left: p.stock, awarded: 0, added: 0 },
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
              Item: definitionItem(draw),
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...stockPuts,
          ...auditItems({ target: `draw:${draw.drawId}`, summary: `created draw "${draw.name}" with ${draw.prizes.length} prizes`, after: draw }, now),
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.slice(0, 1 + stockPuts.length).some((r) => r.Code === 'ConditionalCheckFailed')) {
      throw new DomainError('CONFLICT', `draw ${draw.drawId} already exists; create the draw under another id (an existing draw is changed with PATCH)`);
    }
    throw error;
  }
  definitions.set(draw.drawId, draw);
  for (const day of seedDaysAhead(draw, localDate(now))) await ensureSeed(draw.drawId, day, 'create');
  const stocks = new Map(draw.prizes.map((p) => [p.prizeId, p.stock === null ? null : { left: p.stock, awarded: 0, added: 0 }]));
  return adminViewOf(draw, stocks, emptyStats(), [], now);
}

/** A draw, from the function's copy when fresh enough; `fresh` reads it strongly consistent. */
export async function findDraw(drawId: string, options: { fresh?: boolean } = {}): Promise<DrawDefinition | undefined> {
  const cached = options.fresh ? undefined : definitions.lookup(drawId);
  if (cached) return cached.value;
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.draw.definition(drawId), ConsistentRead: true }));
  if (!result.Item) return undefined;
  const draw = definitionFromItem(result.Item);
  definitions.set(drawId, draw);
  return draw;
}

export async function getDraw(drawId: string, options: { fresh?: boolean } = {}): Promise<DrawDefinition> {
  const draw = await findDraw(drawId, options);
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

/** A limited prize's stock item: `left + awarded` is its stock in all (the start plus the net top-ups, `added`). */
export interface PrizeStock {
  readonly left: number;
  readonly awarded: number;
  readonly added: number;
}

/** The stock item of each limited prize (null for unlimited ones), strongly consistent. */
export async function prizeStocks(draw: DrawDefinition): Promise<Map<string, PrizeStock | null>> {
  const limited = draw.prizes.filter((p) => p.stock !== null);
  const items = await readItems(limited.map((p) => keys.draw.prizeStock(draw.drawId, p.prizeId)));
  return new Map(
    draw.prizes.map((p) => {
      if (p.stock === null) return [p.prizeId, null];
      const key = keys.draw.prizeStock(draw.drawId, p.prizeId);
      const item = items.get(`${key.PK}|${key.SK}`);
      return [p.prizeId, { left: Number(item?.left ?? 0), awarded: Number(item?.awarded ?? 0), added: Number(item?.added ?? 0) }];
    }),
  );
}

/** Stock left of each limited prize (null for unlimited ones). */
export async function prizeStockLeft(draw: DrawDefinition): Promise<Map<string, number | null>> {
  const stocks = await prizeStocks(draw);
  return new Map([...stocks].map(([prizeId, stock]) => [prizeId, stock === null ? null : stock.left]));
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

/** One operator change of a draw, as kept in its history. */
export interface DrawChange {
  readonly version: number;
  readonly at: string;
  readonly by: string;
  readonly changes: Readonly<Record<string, { readonly from: string; readonly to: string }>>;
  readonly stockTopUps: readonly { readonly prizeId: string; readonly add: number; readonly stockBefore: number; readonly stockAfter: number }[];
}

function adminViewOf(draw: DrawDefinition, stocks: Map<string, PrizeStock | null>, stats: DrawStats, history: readonly DrawChange[], now: Date) {
  const consolation = draw.consolationPrizeId;
  return {
    ...summaryOf(draw, now),
    operatorStatus: draw.operatorStatus,
    version: draw.version,
    poolId: draw.poolId,
    activity: draw.activity,
    prizes: publishedOdds(draw.prizes).map((p) => {
      const counts = stats.perPrize.get(p.prizeId) ?? { drawn: 0, awarded: 0 };
      // The consolation's awards include the fallbacks; a prize "fell back" when drawn but not given.
      const givenAsDrawn = p.prizeId === consolation ? counts.drawn : counts.awarded;
      const stock = stocks.get(p.prizeId) ?? null;
      return {
        ...awardedPrizeView(p),
        weight: p.weight,
        odds: p.odds,
        stock: stock === null ? null : stock.left + stock.awarded,
        stockAdded: stock === null ? null : stock.added,
        stockLeft: stock === null ? null : stock.left,
        drawn: counts.drawn,
        awarded: counts.awarded,
        fellBack: counts.drawn - givenAsDrawn,
      };
    }),
    totals: { spins: stats.spins, paidSpins: stats.paidSpins, costPoints: stats.costPoints, pointsAwarded: stats.pointsAwarded, fallbacks: stats.fallbacks },
    createdAt: draw.createdAt,
    createdBy: draw.createdBy,
    updatedAt: draw.updatedAt,
    updatedBy: draw.updatedBy,
    history,
  };
}

/** The latest operator changes of a draw, newest first. */
async function drawHistory(drawId: string): Promise<DrawChange[]> {
  const result = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.draw.definition(drawId).PK, ':prefix': keys.draw.changePrefix() },
      ScanIndexForward: false,
      Limit: DRAW_HISTORY_SHOWN,
      ConsistentRead: true,
    }),
  );
  return (result.Items ?? []).map((item) => ({
    version: Number(item.version),
    at: String(item.at),
    by: String(item.by),
    changes: (item.changes as DrawChange['changes'] | undefined) ?? {},
    stockTopUps: (item.stockTopUps as DrawChange['stockTopUps'] | undefined) ?? [],
  }));
}

/** A draw for operators (read fresh): stock per prize, how often each prize was drawn, awarded, or fell back, and its changes. */
export async function drawAdminView(drawId: string, now = new Date()): Promise<DrawAdminView> {
  const draw = await getDraw(drawId, { fresh: true });
  const [stocks, stats, history] = await Promise.all([prizeStocks(draw), readStats(draw), drawHistory(drawId)]);
  return adminViewOf(draw, stocks, stats, history, now);
}

/** Tries of an operator change when spins keep its items busy (DynamoDB cancels a transaction meeting another on an item). */
const MAX_CHANGE_ATTEMPTS = 10;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * An operator's change of a draw (optimistic on its version). One
 * transaction: the definition (condition: still at `expectedVersion`), the
 * status and end copied onto all 16 statistics shards when either changes
 * (each spin's transaction is conditional on its shard's copy, so PAUSED
 * and ENDED stop spins at once in every function instance; each shard also
 * notes the spins it had counted then), each stock top-up (condition: a
 * negative one leaves `left` at 0 or more, so stock never goes below what was
 * awarded), and the change's history item. ENDED is final; so is a draw past
 * its end. A change that changes nothing writes nothing.
 */
export async function updateDraw(drawId: string, patch: DrawPatch, operator: string, now = new Date()): Promise<DrawAdminView> {
  const current = await getDraw(drawId, { fresh: true });
  if (current.version !== patch.expectedVersion) {
    throw new DomainError('CONFLICT', `draw ${drawId} is at version ${current.version}, not ${patch.expectedVersion}; reload it and decide again`, {
      currentVersion: current.version,
    });
  }
  const endsAt = patch.endsAt === undefined ? undefined : new Date(patch.endsAt).toISOString();
  const refusal = drawChangeRefusal(current, { status: patch.status, endsAt }, now);
  if (refusal?.kind === 'conflict') throw new DomainError('CONFLICT', refusal.message, { operatorStatus: current.operatorStatus, endsAt: current.endsAt });
  if (refusal) throw new ValidationError(refusal.message);
  const topUps = patch.stockTopUps ?? [];
  topUps.forEach((topUp, i) => {
    const prize = current.prizes.find((p) => p.prizeId === topUp.prizeId);
    if (!prize) throw new ValidationError(`body.stockTopUps.${i}.prizeId: draw ${drawId} has no prize ${topUp.prizeId}; its prizes: ${current.prizes.map((p) => p.prizeId).join(', ')}`);
    if (prize.stock === null) throw new ValidationError(`body.stockTopUps.${i}.prizeId: prize ${topUp.prizeId} has unlimited stock; only limited prizes are topped up`);
  });

  const next: DrawDefinition = {
    ...current,
    name: patch.name ?? current.name,
    description: patch.description ?? current.description,
    endsAt: endsAt ?? current.endsAt,
    operatorStatus: patch.status ?? current.operatorStatus,
    version: current.version + 1,
    updatedAt: now.toISOString(),
    updatedBy: operator,
  };
  const changes: Record<string, { from: string; to: string }> = {};
  if (next.operatorStatus !== current.operatorStatus) changes.status = { from: current.operatorStatus, to: next.operatorStatus };
  if (next.name !== current.name) changes.name = { from: current.name, to: next.name };
  if (next.description !== current.description) changes.description = { from: current.description, to: next.description };
  if (next.endsAt !== current.endsAt) changes.endsAt = { from: current.endsAt, to: next.endsAt };
  if (Object.keys(changes).length === 0 && topUps.length === 0) {
    nothingChanged();
    return drawAdminView(drawId, now);
  }

  // Spins move stock from left to awarded, so left + awarded (the stock in all) is exact here: only a change, which the version guards, moves it.
  const stocks = topUps.length > 0 ? await prizeStocks(current) : new Map<string, PrizeStock | null>();
  const stockChanges = topUps.map((topUp) => {
    const stock = stocks.get(topUp.prizeId) as PrizeStock;
    const before = stock.left + stock.awarded;
    return { prizeId: topUp.prizeId, add: topUp.add, stockBefore: before, stockAfter: before + topUp.add };
  });
  const windowChanged = changes.status !== undefined || changes.endsAt !== undefined;
  const items = [
    {
      Put: {
        TableName: tableName(),
        Item: definitionItem(next),
        // Draws stored before versions existed are version 1 without the attribute.
        ConditionExpression: current.version === 1 ? 'attribute_exists(PK) AND (attribute_not_exists(version) OR version = :v)' : 'version = :v',
        ExpressionAttributeValues: { ':v': current.version },
      },
    },
    ...(windowChanged
      ? Array.from({ length: DRAW_STATS_SHARDS }, (_, shard) => ({
          Update: {
            TableName: tableName(),
            Key: keys.draw.statsShard(drawId, shard),
            UpdateExpression:
              'SET operatorStatus = :status, endsAt = :endsAt, drawVersion = :version, spinsAtChange = if_not_exists(spins, :zero), entity = :entity, drawId = :drawId',
            ExpressionAttributeValues: {
              ':status': next.operatorStatus,
              ':endsAt': next.endsAt,
              ':version': next.version,
              ':zero': 0,
              ':entity': 'DrawStats',
              ':drawId': drawId,
            },
          },
        }))
      : []),
    ...topUps.map((topUp) => ({
      Update: {
        TableName: tableName(),
        Key: keys.draw.prizeStock(drawId, topUp.prizeId),
        UpdateExpression: 'ADD #left :add, added :add',
        ConditionExpression: topUp.add < 0 ? 'attribute_exists(PK) AND #left >= :takeBack' : 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#left': 'left' },
        ExpressionAttributeValues: { ':add': topUp.add, ...(topUp.add < 0 ? { ':takeBack': -topUp.add } : {}) },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      },
    })),
    {
      Put: {
        TableName: tableName(),
        Item: { ...keys.draw.change(drawId, next.version), entity: 'DrawChange', drawId, version: next.version, at: next.updatedAt, by: operator, changes, stockTopUps: stockChanges },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    ...auditItems(
      {
        target: `draw:${drawId}`,
        summary: [
          ...(Object.keys(changes).length > 0 ? [`changed ${Object.keys(changes).join(', ')}`] : []),
          ...stockChanges.map((c) => `stock of prize ${c.prizeId} ${c.add > 0 ? '+' : ''}${c.add} (${c.stockBefore} → ${c.stockAfter})`),
        ].join('; ') + ` (version ${next.version})`,
        before: {
          ...Object.fromEntries(Object.entries(changes).map(([name, change]) => [name, change.from])),
          ...(stockChanges.length > 0 ? { stock: Object.fromEntries(stockChanges.map((c) => [c.prizeId, c.stockBefore])) } : {}),
        },
        after: {
          ...Object.fromEntries(Object.entries(changes).map(([name, change]) => [name, change.to])),
          ...(stockChanges.length > 0 ? { stock: Object.fromEntries(stockChanges.map((c) => [c.prizeId, c.stockAfter])) } : {}),
        },
      },
      now,
    ),
  ];
  const firstStock = 1 + (windowChanged ? DRAW_STATS_SHARDS : 0);

  for (let attempt = 1; ; attempt += 1) {
    try {
      await db().send(new TransactWriteCommand({ TransactItems: items }));
      break;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons[0]?.Code === 'ConditionalCheckFailed') {
        throw new DomainError('CONFLICT', `draw ${drawId} changed meanwhile; reload it and decide again`);
      }
      const short = topUps.findIndex((_, i) => reasons[firstStock + i]?.Code === 'ConditionalCheckFailed');
      if (short >= 0) {
        const topUp = topUps[short] as { prizeId: string; add: number };
        const old = reasons[firstStock + short]?.Item;
        const left = Number((old ? unmarshall(old) : {}).left ?? 0);
        throw new DomainError('CONFLICT', `prize ${topUp.prizeId} has ${left} left, not yet awarded; stock never goes below what was awarded, so at most ${left} can be taken back`, {
          prizeId: topUp.prizeId,
          left,
        });
      }
      // What is left is contention: spins writing a shard or a stock item at the same moment. Try again.
      if (!reasons.some((r) => r.Code === 'TransactionConflict')) throw error;
      if (attempt >= MAX_CHANGE_ATTEMPTS) throw new DomainError('CONFLICT', `draw ${drawId} is busy with spins; send the same change again`);
      await sleep(Math.random() * Math.min(500, 20 * 2 ** attempt));
    }
  }
  definitions.set(drawId, next);
  // A draw still running needs its seeds a day ahead (an end moved later may now cover tomorrow); shortening one deletes nothing.
  if (next.operatorStatus !== 'ENDED') {
    for (const day of seedDaysAhead(next, localDate(now))) await ensureSeed(drawId, day, 'update');
  }
  return drawAdminView(drawId, now);
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

/** Draws not yet ended at `now` (running, upcoming or paused), the soonest ending first. */
export async function listOpenDraws(page: PageRequest, now = new Date()) {
  const partition = keys.draw.listPartition();
  const result = await queryPage(
    {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK > :now',
      ExpressionAttributeValues: { ':pk': partition, ':now': now.toISOString() },
    },
    page,
    { attribute: 'GSI1PK', value: partition },
    { attribute: 'GSI1SK', value: now.toISOString() },
  );
  // An ended draw leaves the index with the change that ended it; the filter covers the index's brief lag.
  const draws = result.items.map(definitionFromItem).filter((d) => d.operatorStatus !== 'ENDED');
  return { items: draws.map((d) => summaryOf(d, now)), nextCursor: result.nextCursor };
}

/** Every draw not yet ended at `now`, paused ones included (the seeds job). */
export async function allOpenDraws(now: Date): Promise<DrawDefinition[]> {
  const items = await queryAll({
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK > :now',
    ExpressionAttributeValues: { ':pk': keys.draw.listPartition(), ':now': now.toISOString() },
  });
  return items.map(definitionFromItem).filter((d) => d.operatorStatus !== 'ENDED');
}

/** Definitions read at most to fill one filtered page of the operators' list (bounds a page whose filter keeps few). */
const MAX_DRAWS_READ_PER_PAGE = 500;

/** A draw in the operators' list: its settings, its status now and what the operator set. */
export function adminSummaryOf(draw: DrawDefinition, now: Date) {
  return {
    ...summaryOf(draw, now),
    operatorStatus: draw.operatorStatus,
    version: draw.version,
    prizeCount: draw.prizes.length,
    createdAt: draw.createdAt,
    createdBy: draw.createdBy,
    updatedAt: draw.updatedAt,
  };
}

/**
 * Every draw, ended ones included, newest first (GSI2 `DRAWS-ALL`, by creation), optionally only those in one
 * status at `now`. The status is computed (an end passing ends a draw without a write), so a filter keeps what it
 * reads: pages may come short, and the cursor continues after the last draw read.
 */
export async function listDrawsForOperator(page: PageRequest, filter: { status?: DrawStatus | undefined } = {}, now = new Date()) {
  const partition = keys.draw.adminPartition();
  return queryPageSelecting(
    { IndexName: 'GSI2', KeyConditionExpression: 'GSI2PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false },
    page,
    { attribute: 'GSI2PK', value: partition },
    {
      pick: async (items) =>
        items.map((item) => {
          const draw = definitionFromItem(item);
          return filter.status === undefined || drawStatusAt(draw, now) === filter.status ? adminSummaryOf(draw, now) : undefined;
        }),
      finish: async (picked) => picked,
    },
    { maxItemsRead: MAX_DRAWS_READ_PER_PAGE },
  );
}

/**
 * Puts draws stored before the operators' list existed on it (their GSI2 entry): those not ended, which the GSI1
 * list still holds. Idempotent (only a definition without the entry is written); an ended draw stored before it
 * joins the list with nothing but a direct write. Returns how many were added.
 */
export async function addOpenDrawsToOperatorList(now = new Date()): Promise<number> {
  let added = 0;
  for (const draw of await allOpenDraws(now)) {
    const entry = keys.draw.adminEntry(draw.drawId, draw.createdAt);
    try {
      await db().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.draw.definition(draw.drawId),
          UpdateExpression: 'SET GSI2PK = :pk, GSI2SK = :sk',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(GSI2PK)',
          ExpressionAttributeValues: { ':pk': entry.GSI2PK, ':sk': entry.GSI2SK },
        }),
      );
      added += 1;
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    }
  }
  return added;
}

/** Whether two prize tables are the same, field by field, in order (a stored item's keys come back in any order). */
function samePrizes(a: readonly DrawPrize[], b: readonly DrawPrize[]): boolean {
  const fields = ['prizeId', 'name', 'kind', 'points', 'couponTemplateId', 'productId', 'weight', 'stock'] as const;
  return a.length === b.length && a.every((p, i) => fields.every((f) => (p[f] ?? null) === (b[i]?.[f] ?? null)));
}

/** A prize table in one line for a change record: `prizeId weight[/stock]`, in the published order. */
function prizeTableText(prizes: readonly DrawPrize[], consolationPrizeId: string): string {
  return `${prizes.map((p) => `${p.prizeId} ${p.weight}${p.stock === null ? '' : `/${p.stock}`}`).join(', ')}; consolation ${consolationPrizeId}`;
}

/**
 * Replaces the prize table (prizes, weights, stock, consolation, pool activity) of a draw nobody can have spun
 * yet: until PRIZE_TABLE_FROZEN_BEFORE_START_MS before it opens, so every function's copy of the draw (5 seconds)
 * has the new table before the first spin. The statistics are checked empty, the table checked as at creation.
 * One transaction: the definition (at `expectedVersion`), the stock items rebuilt (each only while nothing of it
 * was awarded), the change record and the audit record. The seeds are untouched: they do not depend on the table.
 */
export async function replaceDrawPrizes(drawId: string, table: DrawPrizeTable, operator: string, now = new Date()): Promise<DrawAdminView> {
  const current = await getDraw(drawId, { fresh: true });
  if (current.version !== table.expectedVersion) {
    throw new DomainError('CONFLICT', `draw ${drawId} is at version ${current.version}, not ${table.expectedVersion}; reload it and decide again`, {
      currentVersion: current.version,
    });
  }
  const frozenAt = Date.parse(current.startsAt) - PRIZE_TABLE_FROZEN_BEFORE_START_MS;
  if (current.operatorStatus === 'ENDED' || now.getTime() >= frozenAt) {
    throw new DomainError(
      'CONFLICT',
      `draw ${drawId} ${current.operatorStatus === 'ENDED' ? 'was ended' : `opens at ${current.startsAt}`}: its prizes and odds are fixed from a minute before it opens (members spin on the published odds); create another draw`,
      { startsAt: current.startsAt, operatorStatus: current.operatorStatus },
    );
  }
  totalWeight(table.prizes);
  await checkPrizeReferences(table, now);
  const stats = await readStats(current);
  if (stats.spins > 0) throw new DomainError('CONFLICT', `draw ${drawId} has ${stats.spins} spins: its prizes and odds are fixed`);

  const prizes = table.prizes.map(prizeOf);
  const next: DrawDefinition = {
    ...current,
    prizes,
    consolationPrizeId: table.consolationPrizeId,
    poolId: table.poolId,
    activity: table.activity,
    version: current.version + 1,
    updatedAt: now.toISOString(),
    updatedBy: operator,
  };
  const before = prizeTableText(current.prizes, current.consolationPrizeId);
  const after = prizeTableText(prizes, table.consolationPrizeId);
  const poolBefore = `${current.poolId ?? '-'}/${current.activity ?? '-'}`;
  const poolAfter = `${next.poolId ?? '-'}/${next.activity ?? '-'}`;
  const changes: Record<string, { from: string; to: string }> = {};
  if (!samePrizes(current.prizes, prizes) || current.consolationPrizeId !== next.consolationPrizeId) changes.prizes = { from: before, to: after };
  if (poolBefore !== poolAfter) changes.pool = { from: poolBefore, to: poolAfter };
  if (Object.keys(changes).length === 0) {
    nothingChanged();
    return drawAdminView(drawId, now);
  }

  // Nothing was awarded (no spin yet), so each limited prize's stock starts again at what the table says.
  const untouched = { ConditionExpression: 'attribute_not_exists(PK) OR awarded = :zero', ExpressionAttributeValues: { ':zero': 0 } };
  const stockWrites = [
    ...current.prizes
      .filter((p) => p.stock !== null && !prizes.some((q) => q.prizeId === p.prizeId && q.stock !== null))
      .map((p) => ({ Delete: { TableName: tableName(), Key: keys.draw.prizeStock(drawId, p.prizeId), ...untouched } })),
    ...prizes
      .filter((p) => p.stock !== null)
      .map((p) => ({
        Put: {
          TableName: tableName(),
          Item: { ...keys.draw.prizeStock(drawId, p.prizeId), entity: 'DrawPrizeStock', drawId, prizeId: p.prizeId, left: p.stock, awarded: 0, added: 0 },
          ...untouched,
        },
      })),
  ];
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: definitionItem(next),
              ConditionExpression: current.version === 1 ? 'attribute_exists(PK) AND (attribute_not_exists(version) OR version = :v)' : 'version = :v',
              ExpressionAttributeValues: { ':v': current.version },
            },
          },
          ...stockWrites,
          {
            Put: {
              TableName: tableName(),
              Item: { ...keys.draw.change(drawId, next.version), entity: 'DrawChange', drawId, version: next.version, at: next.updatedAt, by: operator, changes, stockTopUps: [] },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          },
          ...auditItems(
            {
              target: `draw:${drawId}`,
              summary: `replaced the prizes and odds of upcoming draw "${current.name}" (version ${next.version})`,
              before: { prizes: current.prizes, consolationPrizeId: current.consolationPrizeId, poolId: current.poolId, activity: current.activity },
              after: { prizes, consolationPrizeId: next.consolationPrizeId, poolId: next.poolId, activity: next.activity },
            },
            now,
          ),
        ],
      }),
    );
  } catch (error) {
    if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) {
      throw new DomainError('CONFLICT', `draw ${drawId} changed meanwhile; reload it and decide again`);
    }
    throw error;
  }
  definitions.set(drawId, next);
  return drawAdminView(drawId, now);
}
