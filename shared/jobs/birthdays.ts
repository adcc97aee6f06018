/**
 * Birthday bonuses (docs/earning.md, Tiers): each day, members whose birthday
 * is that programme-local day get the bonus of their tier, once per year.
 * Members are found without a Scan: a profile with a birthday carries a GSI1
 * entry `BIRTHDAY#<MM-DD>`. On 28 February of a non-leap year the members
 * born on 29 February are included. The bonus is one commit: an EARN plus a
 * `BIRTHDAY#<year>` marker put only if absent, so it is paid once per member
 * and year however often a day is processed.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { localDate } from '../domain/programme.js';
import type { Tier } from '../domain/tiers.js';
import { bucketForPolicy, getEarningRules } from '../earning/rules-store.js';
import { NotFoundError } from '../errors.js';
import { commit } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { mapWithConcurrency } from './pool.js';

/** Days a run looks back for days it missed (after an outage). */
const LOOKBACK_DAYS = 7;

export interface BirthdayStats {
  daysProcessed: number;
  membersFound: number;
  bonusesGranted: number;
  pointsGranted: number;
  alreadyGranted: number;
  /** Members whose tier has no birthday bonus (0 points). */
  noBonus: number;
  complete: number;
  [key: string]: number;
}

class AlreadyGranted extends Error {}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function emptyStats(): BirthdayStats {
  return { daysProcessed: 0, membersFound: 0, bonusesGranted: 0, pointsGranted: 0, alreadyGranted: 0, noBonus: 0, complete: 1 };
}

/** Month-days whose members celebrate on `day` (`YYYY-MM-DD`). */
export function birthdayMonthDays(day: string): string[] {
  const monthDay = day.slice(5);
  return monthDay === '02-28' && !isLeapYear(Number(day.slice(0, 4))) ? ['02-28', '02-29'] : [monthDay];
}

/**
 * Pays the birthday bonuses of one programme-local day (`YYYY-MM-DD`), for
 * the year of that day. Safe to repeat. Without job state: the daily job
 * below decides which days to process.
 */
export async function grantBirthdayBonuses(day: string, options: { now?: Date; deadline?: number; concurrency?: number } = {}): Promise<BirthdayStats> {
  const now = options.now ?? new Date();
  const year = day.slice(0, 4);
  const rules = await getEarningRules({ fresh: true });
  const bucket = bucketForPolicy(rules.expiry, now);
  const stats = emptyStats();
  const outOfTime = () => options.deadline !== undefined && Date.now() > options.deadline;
  for (const monthDay of birthdayMonthDays(day)) {
    let start: Record<string, unknown> | undefined;
    do {
      if (outOfTime()) return { ...stats, complete: 0 };
      const page = await db().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk',
          ExpressionAttributeValues: { ':pk': keys.birthdays.partition(monthDay) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      await mapWithConcurrency(page.Items ?? [], options.concurrency ?? 8, async (member) => {
        if (outOfTime()) {
          stats.complete = 0;
          return;
        }
        stats.membersFound += 1;
        const memberId = String(member.memberId);
        // The index copy of the profile: its tier may lag a change made seconds ago.
        const tier = (member.tier as Tier | undefined) ?? 'normal';
        const points = rules.tiers.birthdayBonus[tier] ?? 0;
        if (points <= 0) {
          stats.noBonus += 1;
          return;
        }
        try {
          await commit({
            moves: [{ memberId, type: 'EARN', points, bucket, reason: `birthday bonus ${year} (${tier})`, ref: `birthday:${year}` }],
            extra: [
              {
                item: {
                  Put: {
                    TableName: tableName(),
                    Item: { ...keys.member.birthdayGift(memberId, year), entity: 'BirthdayGift', memberId, year, tier, points, day, at: now.toISOString() },
                    ConditionExpression: 'attribute_not_exists(PK)',
                  },
                },
                onConditionFailed: () => new AlreadyGranted(),
              },
            ],
            now,
          });
          stats.bonusesGranted += 1;
          stats.pointsGranted += points;
        } catch (error) {
          if (error instanceof AlreadyGranted) stats.alreadyGranted += 1;
          else if (!(error instanceof NotFoundError)) throw error;
        }
      });
      if (stats.complete === 0) return stats;
      start = page.LastEvaluatedKey;
    } while (start);
  }
  stats.daysProcessed = 1;
  return stats;
}

/**
 * The daily job: every programme-local day from the one after the last
 * finished day (at most LOOKBACK_DAYS back; on the first run, today) up to
 * today, in order; each finished day is recorded in `JOB#birthdays`.
 */
export async function runBirthdaysJob(options: { now?: Date; deadline?: number } = {}): Promise<BirthdayStats> {
  const now = options.now ?? new Date();
  const today = localDate(now);
  const stateKey = keys.jobState('birthdays');
  const state = await db().send(new GetCommand({ TableName: tableName(), Key: stateKey, ConsistentRead: true }));
  const completed = state.Item?.completedThrough as string | undefined;
  const earliest = addDays(today, -LOOKBACK_DAYS);
  let day = completed ? addDays(completed, 1) : today;
  if (day < earliest) day = earliest;
  const total = emptyStats();
  for (; day <= today; day = addDays(day, 1)) {
    const stats = await grantBirthdayBonuses(day, { now, ...(options.deadline === undefined ? {} : { deadline: options.deadline }) });
    for (const [name, value] of Object.entries(stats)) if (name !== 'complete') total[name] = (total[name] ?? 0) + value;
    if (stats.complete === 0) {
      total.complete = 0;
      break;
    }
    try {
      await db().send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...stateKey, entity: 'JobState', completedThrough: day, updatedAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(completedThrough) OR completedThrough < :day',
          ExpressionAttributeValues: { ':day': day },
        }),
      );
    } catch (error) {
      // A concurrent run recorded this day (or a later one) already.
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
  return total;
}
