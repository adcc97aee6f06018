/**
 * Exactly-once counting over an at-least-once stream: every counted thing (a
 * ledger entry, a wallet or order change) is written together with a marker
 * item of its own, in one transaction whose marker put requires the marker to
 * be absent. A thing delivered again finds its marker and is skipped; a batch
 * cut differently on its next delivery changes nothing.
 *
 * The reports' counters (shared/reports/points-report.ts, expiry-forecast.ts,
 * operations.ts) are all kept this way, by the `points-report` stream consumer.
 */
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { db, tableName } from '../table/client.js';
import type { ItemKey } from '../table/keys.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Numbers to ADD to one counter item, and attributes to SET on it (entity, names, updatedAt). */
export interface CounterDelta {
  readonly key: ItemKey;
  readonly counters: Readonly<Record<string, number>>;
  readonly set: Readonly<Record<string, string>>;
}

/** One thing to count once: its marker and what it adds to which counters. */
export interface Countable {
  readonly marker: ItemKey;
  readonly deltas: readonly CounterDelta[];
}

/** Markers outlive the stream's 24-hour retention and Lambda's retries with a wide margin. */
const MARKER_TTL_SECONDS = 7 * 24 * 3600;
/** TransactWriteItems takes at most 100 items. */
const MAX_TRANSACTION_ITEMS = 100;
const MAX_ATTEMPTS = 8;

const keyText = (key: ItemKey) => `${key.PK}\u0000${key.SK}`;

function counterUpdate(key: ItemKey, counters: Record<string, number>, set: Record<string, string>): TransactItem | undefined {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds = Object.entries(counters)
    .filter(([, value]) => value !== 0)
    .map(([name, value], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = value;
      return `#c${i} :c${i}`;
    });
  if (adds.length === 0) return undefined;
  const sets = Object.entries(set).map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  return {
    Update: {
      TableName: tableName(),
      Key: key,
      UpdateExpression: `ADD ${adds.join(', ')}${sets.length > 0 ? ` SET ${sets.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

function markerPut(marker: ItemKey, now: Date): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: { ...marker, entity: 'ReportedEntry', ttl: Math.floor(now.getTime() / 1000) + MARKER_TTL_SECONDS },
      ConditionExpression: 'attribute_not_exists(PK)',
    },
  };
}

/** The transaction items that count `things` once: a marker each, first and in order, then one update per counter item touched. */
function countingItems(things: readonly Countable[], now: Date): TransactItem[] {
  const merged = new Map<string, { key: ItemKey; counters: Record<string, number>; set: Record<string, string> }>();
  for (const thing of things) {
    for (const delta of thing.deltas) {
      const entry = merged.get(keyText(delta.key)) ?? { key: delta.key, counters: {}, set: {} };
      for (const [name, value] of Object.entries(delta.counters)) entry.counters[name] = (entry.counters[name] ?? 0) + value;
      Object.assign(entry.set, delta.set);
      merged.set(keyText(delta.key), entry);
    }
  }
  const items = things.map((thing) => markerPut(thing.marker, now));
  for (const { key, counters, set } of merged.values()) {
    const update = counterUpdate(key, counters, set);
    if (update) items.push(update);
  }
  return items;
}

/** Splits things into chunks whose transaction (markers plus counter updates) fits the 100-item limit. */
function chunksOf<T extends Countable>(things: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  const counterItems = new Set<string>();
  for (const thing of things) {
    const fresh = new Set(thing.deltas.map((d) => keyText(d.key)).filter((k) => !counterItems.has(k)));
    if (chunk.length > 0 && chunk.length + counterItems.size + 1 + fresh.size > MAX_TRANSACTION_ITEMS) {
      chunks.push(chunk);
      chunk = [];
      counterItems.clear();
    }
    chunk.push(thing);
    for (const delta of thing.deltas) counterItems.add(keyText(delta.key));
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function countChunk<T extends Countable>(chunk: readonly T[], now: Date): Promise<{ counted: T[]; skipped: number }> {
  let pending = [...chunk];
  let skipped = 0;
  for (let attempt = 0; pending.length > 0; attempt += 1) {
    try {
      await db().send(new TransactWriteCommand({ TransactItems: countingItems(pending, now) }));
      return { counted: pending, skipped };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || attempt + 1 >= MAX_ATTEMPTS) throw error;
      const reasons = error.CancellationReasons ?? [];
      // Markers come first, one per pending thing, in order: a failed marker condition means that thing was counted before.
      const seen = new Set(pending.flatMap((_, i) => (reasons[i]?.Code === 'ConditionalCheckFailed' ? [i] : [])));
      if (seen.size > 0) {
        skipped += seen.size;
        pending = pending.filter((_, i) => !seen.has(i));
        continue;
      }
      // Conflicts with another writer of the same counters, or throttling: back off and try again.
      await sleep(Math.min(1000, 20 * 2 ** attempt) * (0.5 + Math.random()));
    }
  }
  return { counted: [], skipped };
}

/**
 * Counts each thing exactly once however often it is delivered, chunk by
 * chunk; `onCounted` sees each chunk's newly counted things right after its
 * transaction. Throws when DynamoDB keeps refusing (the stream retries the
 * batch, and the things already counted are then skipped).
 */
export async function countOnce<T extends Countable>(
  things: readonly T[],
  now: Date,
  onCounted: (counted: readonly T[]) => void = () => undefined,
): Promise<{ counted: number; skipped: number }> {
  let counted = 0;
  let skipped = 0;
  for (const chunk of chunksOf(things)) {
    const result = await countChunk(chunk, now);
    onCounted(result.counted);
    counted += result.counted.length;
    skipped += result.skipped;
  }
  return { counted, skipped };
}
