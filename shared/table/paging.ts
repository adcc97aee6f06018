import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '../errors.js';
import { db, tableName } from './client.js';
import { openCursor, sealCursor, type PageRequest } from './cursor.js';
import { tableDefinition } from './definition.js';

export type { PageRequest } from './cursor.js';

type QueryInput = Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>;

/**
 * Up to `limit` items of a query with a filter: keeps reading until `limit`
 * items passed the filter or the partition ends (a filter alone can return
 * short or empty pages). `lastKey` is where a next page would start.
 */
export async function queryItems(
  input: QueryInput,
  page: { limit: number; start?: Record<string, unknown> | undefined },
): Promise<{ items: Record<string, unknown>[]; lastKey: Record<string, unknown> | undefined }> {
  const items: Record<string, unknown>[] = [];
  let start = page.start;
  do {
    const result = await db().send(
      new QueryCommand({ ...input, TableName: tableName(), Limit: page.limit - items.length, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...(result.Items ?? []));
    start = result.LastEvaluatedKey;
  } while (start && items.length < page.limit);
  return { items, lastKey: start };
}

/**
 * One page of a list for a client: opens the request's cursor (sealed, bound
 * to the request's scope, see ./cursor.ts), reads the page, and seals where
 * the next one starts. `partition` is the key attribute and value the query
 * reads: a cursor whose start lies elsewhere is refused as INVALID_CURSOR
 * rather than sent to DynamoDB (which would refuse it with a 500's worth of
 * ValidationException).
 *
 * `movingLowerBound` is for ascending lists whose key condition starts after
 * a bound that moves up with time (`GSI1SK > :now`: open draws, open
 * auctions). A cursor that stopped at an item since passed by the bound lies
 * outside the condition, which DynamoDB refuses; every item still listed lies
 * after it, so the list goes on from the bound.
 */
export async function queryPage(
  input: QueryInput,
  page: PageRequest,
  partition: { attribute: string; value: string },
  movingLowerBound?: { attribute: string; value: string },
): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
  let start: Record<string, unknown> | undefined = page.cursor === undefined ? undefined : (await openCursor(page.scope, page.cursor)).key;
  if (start && start[partition.attribute] !== partition.value) throw new InvalidCursorError();
  if (start && movingLowerBound && String(start[movingLowerBound.attribute]) <= movingLowerBound.value) start = undefined;
  const { items, lastKey } = await queryItems(input, { limit: page.limit, start });
  return { items, nextCursor: lastKey ? await sealCursor(page.scope, { key: keyOf(lastKey) }) : null };
}

/** How one page of a code-filtered list picks and finishes its items (see queryPageSelecting). */
export interface Selection<U, T> {
  /** For each item read, in order: what to keep of it, or undefined to leave it out. */
  readonly pick: (items: Record<string, unknown>[]) => Promise<(U | undefined)[]>;
  /** Turns the page's picked items into the answer (run once, on the page's items only: the place for costly reads). */
  readonly finish: (picked: U[]) => Promise<T[]>;
}

/** Items read per Query at least, when a filter may leave many out (so a sparse filter does not cost a Query per item). */
const MIN_SELECTING_CHUNK = 25;

/** The key attributes a Query's ExclusiveStartKey needs: the table's, and the index's when it reads one. */
function startKeyOf(item: Record<string, unknown>, indexName: string | undefined): Record<string, unknown> {
  const index = tableDefinition.indexes.find((i) => i.name === indexName);
  const names = [tableDefinition.partitionKey, tableDefinition.sortKey, ...(index ? [index.partitionKey, index.sortKey] : [])];
  return Object.fromEntries(names.map((name) => [name, item[name]]));
}

/**
 * One page of a list whose items are chosen by code, not by DynamoDB (a
 * state computed from another item, a date range the key cannot express):
 * reads the query in chunks (at least MIN_SELECTING_CHUNK items), keeps what
 * `pick` keeps until the page is full or the query ends, and seals where the
 * next page starts: after the last item taken when the page filled inside a
 * chunk, else where the chunk ended. So no item is skipped or listed twice;
 * pages may come short (and, when `maxItemsRead` stops a page, empty with a
 * next cursor). `maxItemsRead` bounds the work of one page.
 *
 * `beyond`: for descending lists whose key condition has a lower bound that
 * moves up with time (`GSI1SK > :now`): a cursor whose key has since fallen
 * to or below the bound means every item after it has too, so the list is done.
 */
export async function queryPageSelecting<U, T>(
  input: QueryInput,
  page: PageRequest,
  partition: { attribute: string; value: string },
  selection: Selection<U, T>,
  options: { maxItemsRead?: number; beyond?: { attribute: string; value: string } } = {},
): Promise<{ items: T[]; nextCursor: string | null }> {
  let start: Record<string, unknown> | undefined = page.cursor === undefined ? undefined : (await openCursor(page.scope, page.cursor)).key;
  if (start && start[partition.attribute] !== partition.value) throw new InvalidCursorError();
  if (start && options.beyond && String(start[options.beyond.attribute]) <= options.beyond.value) return { items: [], nextCursor: null };
  const maxRead = options.maxItemsRead ?? 1000;
  const picked: U[] = [];
  let read = 0;
  do {
    const chunk = Math.min(Math.max(page.limit - picked.length, MIN_SELECTING_CHUNK), maxRead - read);
    const result = await db().send(new QueryCommand({ ...input, TableName: tableName(), Limit: chunk, ...(start ? { ExclusiveStartKey: start } : {}) }));
    const got = result.Items ?? [];
    read += got.length;
    const choices = await selection.pick(got);
    start = result.LastEvaluatedKey;
    for (let i = 0; i < got.length; i += 1) {
      const choice = choices[i];
      if (choice === undefined) continue;
      picked.push(choice);
      if (picked.length === page.limit) {
        // Full inside the chunk: the next page starts after this item, not after the chunk.
        if (i < got.length - 1) start = startKeyOf(got[i] as Record<string, unknown>, input.IndexName);
        break;
      }
    }
  } while (start && picked.length < page.limit && read < maxRead);
  const items = await selection.finish(picked);
  return { items, nextCursor: start ? await sealCursor(page.scope, { key: keyOf(start) }) : null };
}

/** A LastEvaluatedKey as a cursor carries it (the table's keys are strings; numbers allowed for completeness). */
export function keyOf(lastKey: Record<string, unknown>): Record<string, string | number> {
  const key: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(lastKey)) {
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`key attribute ${name} is neither string nor number`);
    key[name] = value;
  }
  return key;
}

/** Every item of a query, page after page (for lists known to be short: open campaigns, draws, tasks, a member's month). */
export async function queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const result = await db().send(new QueryCommand({ ...input, TableName: tableName(), ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(result.Items ?? []));
    start = result.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A list spread over several partitions of one index, each sorted by the same sort key (sharded lists). */
export interface MergedQuery {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Partition key values to read; every one is read for every page. */
  readonly partitions: readonly string[];
  /** Inclusive lower bound of the sort key. */
  readonly lowerBound?: string | undefined;
  /** Exclusive upper bound of the sort key. */
  readonly upperBound?: string | undefined;
}

/**
 * One page of a sharded list, newest (highest sort key) first, merged across
 * its partitions. Each partition is read from the page's upper bound down, at
 * most a page's worth, and the highest `limit` of all are answered. Every item
 * above the last one answered has then been answered (from whichever
 * partition), so the next page starts strictly below that one sort key: the
 * cursor carries just it, whatever the number of partitions. Sort keys must be
 * unique across the partitions (they end with an item's own id).
 */
export async function queryMergedPage(query: MergedQuery, page: PageRequest): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
  let upper = query.upperBound;
  if (page.cursor !== undefined) {
    const { key } = await openCursor(page.scope, page.cursor);
    const below = key[query.sortKey];
    // Sealed for this list and filters: a start outside the bounds is a server bug, never sent to DynamoDB.
    if (typeof below !== 'string' || Object.keys(key).length !== 1) throw new InvalidCursorError();
    if ((query.lowerBound !== undefined && below < query.lowerBound) || (upper !== undefined && below >= upper)) throw new InvalidCursorError();
    upper = below;
  }
  const bounded = upper !== undefined || query.lowerBound !== undefined;
  // DynamoDB refuses a name the expression does not use.
  const names: Record<string, string> = bounded ? { '#pk': query.partitionKey, '#sk': query.sortKey } : { '#pk': query.partitionKey };
  // An exclusive upper bound with a lower one is a BETWEEN (inclusive): one more item is read and the bound itself dropped.
  const between = upper !== undefined && query.lowerBound !== undefined;
  const condition =
    between ? '#pk = :pk AND #sk BETWEEN :lower AND :upper'
    : upper !== undefined ? '#pk = :pk AND #sk < :upper'
    : query.lowerBound !== undefined ? '#pk = :pk AND #sk >= :lower'
    : '#pk = :pk';
  // One item more than a page from each partition: when the partitions hold nothing beyond the page, no cursor is answered.
  const request = page.limit + 1 + (between ? 1 : 0);
  const results = await Promise.all(
    query.partitions.map(async (partition) => {
      const result = await db().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: query.indexName,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ':pk': partition,
            ...(upper !== undefined ? { ':upper': upper } : {}),
            ...(query.lowerBound !== undefined ? { ':lower': query.lowerBound } : {}),
          },
          ScanIndexForward: false,
          Limit: request,
        }),
      );
      const read = result.Items ?? [];
      // Cut short by DynamoDB's 1 MB page, not by the limit: the partition may hold more below what it answered.
      const cutShort = result.LastEvaluatedKey !== undefined && read.length < request;
      return { items: read.filter((item) => !between || item[query.sortKey] !== upper), cutShort, lowest: read.at(-1) };
    }),
  );
  const sortKeyOf = (item: Record<string, unknown>) => String(item[query.sortKey]);
  // Below the lowest item of a partition cut short, that partition's items are unknown: the page stops there.
  const floor = results.reduce<string | undefined>((f, r) => (r.cutShort && r.lowest && (f === undefined || sortKeyOf(r.lowest) > f) ? sortKeyOf(r.lowest) : f), undefined);
  const all = results
    .flatMap((r) => r.items)
    .filter((item) => floor === undefined || sortKeyOf(item) >= floor)
    .sort((a, b) => (sortKeyOf(a) < sortKeyOf(b) ? 1 : sortKeyOf(a) > sortKeyOf(b) ? -1 : 0));
  const items = all.slice(0, page.limit);
  const more = all.length > items.length || floor !== undefined;
  const last = items.at(-1);
  return { items, nextCursor: more && last ? await sealCursor(page.scope, { key: { [query.sortKey]: sortKeyOf(last) } }) : null };
}
