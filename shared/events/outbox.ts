/**
 * The outbox: a state change and the domain event announcing it are ONE
 * DynamoDB write (the event is an extra item of the change's transaction),
 * and the table stream puts the event on the bus afterwards. No dual write:
 * an event exists exactly when its change committed, and a failed publish is
 * retried from the stream, so no event is lost and none is invented. Delivery
 * is at least once: consumers deduplicate by `detail.eventId`.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { ulid } from '../runtime/ulid.js';
import { eventSchemas, type EventDetail, type EventType } from '../contracts/events.js';
import type { ExtraWrite } from '../ledger/ledger.js';
import { logger } from '../observability/powertools.js';
import { newImageOf } from '../streams/records.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { recordDeadLetter } from './dead-letters.js';
import { publish, type DomainEvent } from './publisher.js';

/** Outbox items outlive the stream's 24-hour retention; they are only kept for inspection. */
const OUTBOX_TTL_SECONDS = 7 * 24 * 3600;
/**
 * Events about an order (their detail names an `orderId`) are also the order's event list for operators (GSI1
 * `ORDER-EVENTS#<orderId>`, docs/data-model.md), so they are kept as long as an operator may look at the order.
 */
export const ORDER_EVENT_TTL_SECONDS = 400 * 24 * 3600;

export interface OutboxEvent {
  readonly detailType: string;
  /** Schema version of this event type's detail. */
  readonly version: number;
  readonly detail: Record<string, unknown>;
}

/** An outbox event of a type in shared/contracts/events.ts, checked against its schema when written. */
export function typedEvent<T extends EventType>(type: T, detail: EventDetail<T>): OutboxEvent {
  const schema = eventSchemas[type];
  return { detailType: type, version: schema.version, detail: schema.detail.parse(detail) as Record<string, unknown> };
}

/** The extra transaction item that records `event` with the change it belongs to. */
export function outboxWrite(event: OutboxEvent, now: Date, eventId: string = ulid()): ExtraWrite {
  const orderId = typeof event.detail.orderId === 'string' ? event.detail.orderId : undefined;
  const occurredAt = now.toISOString();
  return {
    item: {
      Put: {
        TableName: tableName(),
        Item: {
          ...keys.outbox(eventId),
          ...(orderId ? keys.order.eventEntry(orderId, occurredAt, eventId) : {}),
          entity: 'OutboxEvent',
          eventId,
          detailType: event.detailType,
          version: event.version,
          detail: event.detail,
          occurredAt,
          ttl: Math.floor(now.getTime() / 1000) + (orderId ? ORDER_EVENT_TTL_SECONDS : OUTBOX_TTL_SECONDS),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
  };
}

/** The bus event of an outbox item: its detail carries the event id, version and time for consumers. */
export function busEventOf(image: Record<string, unknown>): DomainEvent {
  return {
    detailType: String(image.detailType),
    detail: {
      ...(image.detail as Record<string, unknown>),
      eventId: String(image.eventId),
      version: Number(image.version ?? 1),
      occurredAt: String(image.occurredAt),
    },
  };
}

/**
 * Times the bus may refuse one outbox event before it is kept as a dead letter
 * (shared/events/dead-letters.ts) and the stream moves on past it: below the
 * stream mapping's 10 retries, after which the whole batch would leave the
 * stream for its DLQ as a description only, without the events.
 */
export const MAX_PUBLISH_ATTEMPTS = 5;

/** Counts a refused publication on the outbox item; answers the attempts so far (MAX_PUBLISH_ATTEMPTS when the item is gone). */
async function countPublishAttempt(eventId: string): Promise<number> {
  try {
    const result = await db().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.outbox(eventId),
        UpdateExpression: 'ADD publishAttempts :one',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.publishAttempts ?? 1);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return MAX_PUBLISH_ATTEMPTS;
    throw error;
  }
}

/**
 * Publishes the outbox items of a stream batch in stream order. When a put
 * fails, the batch's events are tried one at a time to find the one refused:
 * its attempts are counted on its outbox item, and once it reaches
 * MAX_PUBLISH_ATTEMPTS it is kept as a dead letter and the batch goes on;
 * before that, it and every later record are reported as failures, so the
 * stream retries from the first unpublished event (Lambda's partial batch
 * response) and order is kept.
 */
export async function publishOutboxRecords(records: readonly DynamoDBRecord[]): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const pending = records.flatMap((record) => {
    const image = newImageOf(record);
    return image && image.entity === 'OutboxEvent' ? [{ record, eventId: String(image.eventId), event: busEventOf(image) }] : [];
  });
  const failuresFrom = (i: number) => ({ batchItemFailures: pending.slice(i).map((p) => ({ itemIdentifier: p.record.dynamodb?.SequenceNumber ?? '' })) });
  for (let i = 0; i < pending.length; i += 10) {
    const batch = pending.slice(i, i + 10);
    try {
      await publish(batch.map((p) => p.event));
      continue;
    } catch (error) {
      logger.warn('outbox batch not published; trying its events one at a time', { error: error as Error, failedFrom: i, of: pending.length });
    }
    for (let j = 0; j < batch.length; j += 1) {
      const one = batch[j]!;
      try {
        await publish([one.event]);
        continue;
      } catch (error) {
        const attempts = await countPublishAttempt(one.eventId);
        if (attempts < MAX_PUBLISH_ATTEMPTS) {
          logger.error('outbox events not published; the stream will deliver them again', { error: error as Error, eventId: one.eventId, attempts });
          return failuresFrom(i + j);
        }
        await recordDeadLetter({
          deadLetterId: `outbox-${one.eventId}`,
          source: 'outbox',
          target: 'event-bus',
          event: one.event,
          error: (error as Error).message || String(error),
          attempts,
          payload: one.event,
        });
      }
    }
  }
  return { batchItemFailures: [] };
}
