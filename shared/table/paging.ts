import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors.js';
import { db, tableName } from './client.js';

/** An opaque list cursor: the query's LastEvaluatedKey, base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

/** The LastEvaluatedKey in a cursor this API issued for the same list (its keys must start with `expectedPrefix`). */
export function decodeCursor(cursor: string | undefined, expected: { attribute: string; value: string }): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('cursor is not one this API issued; start again without it');
  }
  if (!key || typeof key !== 'object' || (key as Record<string, unknown>)[expected.attribute] !== expected.value) {
    throw new ValidationError('cursor belongs to another list; start again without it');
  }
  return key as Record<string, unknown>;
}

/**
 * One page of a query with a filter: keeps reading until `limit` items passed
 * the filter or the partition ends (a filter alone can return short or empty pages).
 */
export async function queryPage(
  input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
  page: { limit: number; start: Record<string, unknown> | undefined },
): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
  const items: Record<string, unknown>[] = [];
  let start = page.start;
  do {
    const result = await db().send(
      new QueryCommand({ ...input, TableName: tableName(), Limit: page.limit - items.length, ...(start ? { ExclusiveStartKey: start } : {}) }),
    );
    items.push(...(result.Items ?? []));
    start = result.LastEvaluatedKey;
  } while (start && items.length < page.limit);
  return { items, nextCursor: encodeCursor(start) };
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
