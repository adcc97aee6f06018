import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { InvalidCursorError } from '../errors.js';
import { db, tableName } from './client.js';
import { openCursor, sealCursor, type PageRequest } from './cursor.js';

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
