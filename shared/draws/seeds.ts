/**
 * Server seeds of lucky draws (docs/draws.md, Provably fair): one per draw
 * and programme-local day, 32 bytes from node:crypto's CSPRNG. Its SHA-256
 * hash is published as soon as it exists (the daily `draw-seeds` job makes
 * today's and tomorrow's in advance; the first read or spin of a day makes it
 * otherwise, put-if-absent so concurrent callers agree on one seed); the seed
 * itself is answered only once its day has ended.
 */
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SEED_BYTES, seedHash } from '../domain/draws.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { queryItems, queryPage, type PageRequest } from '../table/paging.js';

export interface DaySeed {
  readonly drawId: string;
  readonly day: string;
  /** 64 hex characters; secret until the day has ended. */
  readonly seed: string;
  readonly seedHash: string;
  /** When the seed was stored, so its hash could be read from then on (real clock). */
  readonly hashPublishedAt: string;
  /** Who made it: the daily job, draw creation, an operator's change of the draw, or the day's first read or spin. */
  readonly createdBy: 'job' | 'create' | 'update' | 'read' | 'spin';
}

/** Seeds never change once stored, so one read is good for the life of the process. */
const seeds = new Map<string, DaySeed>();

function seedFromItem(item: Record<string, unknown>): DaySeed {
  return {
    drawId: String(item.drawId),
    day: String(item.day),
    seed: String(item.seed),
    seedHash: String(item.seedHash),
    hashPublishedAt: String(item.hashPublishedAt),
    createdBy: item.createdBy as DaySeed['createdBy'],
  };
}

/** The seed of a day if it exists (strongly consistent on a miss). */
export async function findSeed(drawId: string, day: string): Promise<DaySeed | undefined> {
  const cached = seeds.get(`${drawId}|${day}`);
  if (cached) return cached;
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.draw.seed(drawId, day), ConsistentRead: true }));
  if (!result.Item) return undefined;
  const seed = seedFromItem(result.Item);
  seeds.set(`${drawId}|${day}`, seed);
  return seed;
}

/**
 * The seed of a day, made now if it does not exist yet: 32 random bytes put
 * with `attribute_not_exists`, so when two callers race, one seed is stored
 * and both use it. Answers whether this call made it.
 */
export async function ensureSeed(drawId: string, day: string, by: DaySeed['createdBy']): Promise<DaySeed & { readonly created: boolean }> {
  const found = await findSeed(drawId, day);
  if (found) return { ...found, created: false };
  const secret = randomBytes(SEED_BYTES).toString('hex');
  const seed: DaySeed = { drawId, day, seed: secret, seedHash: seedHash(secret), hashPublishedAt: new Date().toISOString(), createdBy: by };
  try {
    await db().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.draw.seed(drawId, day), entity: 'DrawSeed', ...seed },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const winner = await findSeed(drawId, day);
    if (!winner) throw new Error(`seed of ${drawId} for ${day} exists but cannot be read`, { cause: error });
    return { ...winner, created: false };
  }
  seeds.set(`${drawId}|${day}`, seed);
  return { ...seed, created: true };
}

/** What may be shown of a seed whose day has not ended: its hash. */
export function publishedHash(seed: DaySeed | undefined): { day: string; seedHash: string; hashPublishedAt: string } | null {
  return seed ? { day: seed.day, seedHash: seed.seedHash, hashPublishedAt: seed.hashPublishedAt } : null;
}

/** A seed whose day has ended, as revealed. */
function revealedView(seed: DaySeed) {
  return { day: seed.day, seed: seed.seed, seedHash: seed.seedHash, hashPublishedAt: seed.hashPublishedAt };
}

/**
 * Seeds of the days before `today` (their days have ended), newest first. The
 * key condition itself stops at today, so no query can answer a seed still in use.
 */
function revealedQuery(drawId: string, today: string) {
  return {
    KeyConditionExpression: 'PK = :pk AND SK < :today',
    ExpressionAttributeValues: { ':pk': keys.draw.seedPartition(drawId), ':today': keys.draw.seedsBefore(today) },
    ScanIndexForward: false,
  };
}

/** One page of a draw's revealed seeds, newest first. */
export async function revealedSeeds(drawId: string, today: string, page: PageRequest) {
  const result = await queryPage(revealedQuery(drawId, today), page, { attribute: 'PK', value: keys.draw.seedPartition(drawId) });
  return { items: result.items.map((item) => revealedView(seedFromItem(item))), nextCursor: result.nextCursor };
}

/** The latest revealed seeds of a draw (no cursor: the draw view shows only these). */
export async function recentRevealedSeeds(drawId: string, today: string, limit: number) {
  return (await queryItems(revealedQuery(drawId, today), { limit })).items.map((item) => revealedView(seedFromItem(item)));
}
