/**
 * Reading the outbox items a test's code wrote, by event id (GetItem): the
 * shared test table has no stream, and a Scan of it would read every test's items.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { busEventOf } from '../../shared/events/outbox.js';
import type { DomainEvent } from '../../shared/events/publisher.js';
import { db, tableName } from '../../shared/table/client.js';
import { keys, type ItemKey } from '../../shared/table/keys.js';

/** `key` may be a key builder's whole answer: only PK and SK are sent (index keys are not part of the item key). */
async function item({ PK, SK }: ItemKey): Promise<Record<string, unknown> | undefined> {
  return (await db().send(new GetCommand({ TableName: tableName(), Key: { PK, SK }, ConsistentRead: true }))).Item;
}

/** The event of outbox item `eventId` as the outbox publisher would put it on the bus, or undefined if there is none. */
export async function outboxEvent(eventId: string): Promise<DomainEvent | undefined> {
  const stored = await item(keys.outbox(eventId));
  return stored ? busEventOf(stored) : undefined;
}

/**
 * The event named by attribute `eventIdAttribute` of the item at `key` (a
 * reminder claim records its event's id there), or undefined if the item
 * names none.
 */
export async function eventNamedBy(key: ItemKey, eventIdAttribute: string): Promise<DomainEvent | undefined> {
  const eventId = (await item(key))?.[eventIdAttribute];
  return typeof eventId === 'string' ? outboxEvent(eventId) : undefined;
}
