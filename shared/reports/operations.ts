/**
 * Operations counters for the dashboard's "needs attention" figures that no
 * index lists: orders whose fulfilment failed (an order item turning FAILED
 * or REJECTED) and callback messages parked for an operator (a ParkedMessage
 * item put). The `points-report` stream consumer counts them from the table
 * stream, each stream record once (a marker per record), per programme-local
 * day and in all; reading them is a Query of a few day items and a GetItem.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { localDate } from '../domain/programme.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import type { Countable } from './counting.js';

/** Order statuses that end a fulfilment that failed: the supplier refused the order, or rejected it later. */
export const FAILED_FULFILMENT_STATUSES: readonly string[] = ['FAILED', 'REJECTED'];

function imageOf(image: unknown): Record<string, unknown> | undefined {
  return image ? unmarshall(image as Record<string, AttributeValue>) : undefined;
}

/** The programme day a change happened: its own time if it has one, else when the stream recorded it. */
function dayOf(record: DynamoDBRecord, at: unknown, now: Date): string {
  if (typeof at === 'string' && !Number.isNaN(Date.parse(at))) return localDate(new Date(at));
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return localDate(created ? new Date(created * 1000) : now);
}

function operationsCountable(record: DynamoDBRecord, counter: string, day: string, now: Date): Countable | undefined {
  if (!record.eventID) return undefined;
  const updatedAt = now.toISOString();
  return {
    marker: keys.report.countedChange(record.eventID),
    deltas: [
      { key: keys.report.operationsDay(day), counters: { [counter]: 1 }, set: { entity: 'OperationsReportDay', day, updatedAt } },
      { key: keys.report.operationsTotal(), counters: { [counter]: 1 }, set: { entity: 'OperationsReportTotal', updatedAt } },
    ],
  };
}

/** An order change that ends its fulfilment as failed counts once, on the day of the change. */
export function orderChangeCountable(record: DynamoDBRecord, now: Date): Countable | undefined {
  const before = imageOf(record.dynamodb?.OldImage);
  const after = imageOf(record.dynamodb?.NewImage);
  if (!after || !FAILED_FULFILMENT_STATUSES.includes(String(after.status))) return undefined;
  if (before && FAILED_FULFILMENT_STATUSES.includes(String(before.status))) return undefined;
  return operationsCountable(record, 'failedFulfilments', dayOf(record, after.updatedAt, now), now);
}

/** A parked callback message counts once, on the day it was parked. */
export function parkedMessageCountable(record: DynamoDBRecord, now: Date): Countable | undefined {
  if (record.eventName !== 'INSERT') return undefined;
  const after = imageOf(record.dynamodb?.NewImage);
  return operationsCountable(record, 'parkedMessages', dayOf(record, after?.parkedAt, now), now);
}

export interface OperationsCounts {
  /** Orders whose fulfilment failed on the programme days `from`..`to`. */
  readonly failedFulfilments: number;
  /** Callback messages parked, all time (nothing resolves one yet). */
  readonly parkedMessages: number;
}

/** The operations counters over programme days `from`..`to` (failed fulfilments) and in all (parked messages). */
export async function operationsCounts(from: string, to: string): Promise<OperationsCounts> {
  const [days, total] = await Promise.all([
    db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': keys.report.operationsDay(from).PK, ':from': keys.report.operationsDay(from).SK, ':to': keys.report.operationsDay(to).SK },
      }),
    ),
    db().send(new GetCommand({ TableName: tableName(), Key: keys.report.operationsTotal() })),
  ]);
  // At most a few dozen small day items: one page.
  const failedFulfilments = (days.Items ?? []).reduce((sum, item) => sum + Number(item.failedFulfilments ?? 0), 0);
  return { failedFulfilments, parkedMessages: Number(total.Item?.parkedMessages ?? 0) };
}
