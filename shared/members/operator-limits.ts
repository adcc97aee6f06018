/**
 * The daily limit of a support operator's adjustments: a counter per operator
 * and programme day, added to in the adjustment's own transaction, on
 * condition that it stays within the limit (so concurrent adjustments cannot
 * pass it together).
 */
import { DomainError } from '../errors.js';
import { localDate } from '../domain/programme.js';
import type { ExtraWrite } from '../ledger/ledger.js';
import { tableName } from '../table/client.js';
import { keys } from '../table/keys.js';

export function supportDailyLimitWrite(operatorId: string, points: number, maxPerDay: number, now = new Date()): ExtraWrite {
  const day = localDate(now);
  if (points > maxPerDay) {
    throw new DomainError('LIMIT_REACHED', `support may adjust at most ${maxPerDay} points a day; ${points} is more than that; ask an admin`, { limit: maxPerDay });
  }
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.operatorDay(operatorId, day),
        UpdateExpression: 'ADD adjusted :points SET entity = :entity, operatorId = :operator, #day = :day, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(adjusted) OR adjusted <= :room',
        ExpressionAttributeNames: { '#day': 'day', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':points': points,
          ':room': maxPerDay - points,
          ':entity': 'OperatorDay',
          ':operator': operatorId,
          ':day': day,
          // Kept a few days past the day it counts.
          ':ttl': Math.floor(now.getTime() / 1000) + 3 * 24 * 3600,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) =>
      new DomainError(
        'LIMIT_REACHED',
        `support may adjust at most ${maxPerDay} points a day; ${String(current?.adjusted ?? 0)} adjusted today (${day}), so ${points} more would pass the limit; ask an admin`,
        { limit: maxPerDay, adjustedToday: Number(current?.adjusted ?? 0) },
      ),
  };
}
