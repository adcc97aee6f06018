/**
 * Task completions (docs/tasks.md). A completion is ONE ledger commit: the
 * completion record, put only if absent (its key holds the period, and the
 * slot for tasks done several times a period), the pool award (EARN plus the
 * pool's budget and daily-cap conditions), the task's counters (conditional
 * on the task still being ACTIVE) and, for a sign-in, a check that
 * yesterday's record is still as read, so the streak stored today is
 * yesterday's + 1 even when two sign-ins straddle midnight.
 */
import { randomInt } from 'node:crypto';
import { GetCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { queryAll, queryPage, type PageRequest } from '../table/paging.js';
import { programmeMonth } from '../domain/months.js';
import { localDate, PROGRAMME_TIMEZONE } from '../domain/programme.js';
import {
  addDays,
  challengeProgress,
  currentStreak,
  localWindow,
  nextCompletion,
  nextPeriodStart,
  notOpenReason,
  periodKey,
  streakBonusFor,
  streakOn,
  type ChallengeProgress,
  type NextCompletion,
  type SignInDay,
} from '../domain/tasks.js';
import { commitPoolAward } from '../earning/pools.js';
import { ConcurrencyConflictError, DomainError, IdempotencyKeyReusedError, NotFoundError, ValidationError } from '../errors.js';
import { storedResponse, type IdempotencySpec } from '../ledger/idempotency.js';
import { commit, type CommitOutcome, type ExtraWrite } from '../ledger/ledger.js';
import { db, tableName } from '../table/client.js';
import { keys } from '../table/keys.js';
import { getTask, openTasks, periodAttribute, type Task } from './definitions.js';

export interface CompletionInput {
  readonly memberId: string;
  readonly taskId: string;
  /** BROWSE_PRODUCT: the product browsed; SHARE: what was shared (optional). */
  readonly productId?: string | undefined;
  readonly idempotency?: IdempotencySpec | undefined;
  /** The completion's time (tests inject a clock); the real clock when left out. */
  readonly now?: Date;
}

/** The answer to a completion, stored with its idempotency record. */
export interface CompletionResult {
  readonly taskId: string;
  readonly type: Task['type'];
  readonly memberId: string;
  readonly period: string;
  readonly slot: number;
  readonly points: number;
  readonly bonusPoints: number;
  readonly totalPoints: number;
  readonly streak: number | null;
  readonly poolId: string;
  readonly activity: string;
  readonly entryId: string;
  readonly completedAt: string;
}

/** The completion record of this slot exists: another request completed it first. */
class SlotTakenError extends Error {
  constructor(readonly slot: number) {
    super(`slot ${slot} is taken`);
  }
}

/** Yesterday's sign-in record changed between the read and the write (a sign-in straddling midnight). */
class StaleStreakError extends Error {}

/** Re-reads of yesterday's sign-in before giving up (each needs a concurrent sign-in of the previous day to fail). */
const MAX_STREAK_ATTEMPTS = 5;

/** A member's own items, read strongly consistent (a completion just written must show). */
function queryMine(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'ConsistentRead'>): Promise<Record<string, unknown>[]> {
  return queryAll({ ...input, ConsistentRead: true });
}

/** A member's sign-ins of a SIGN_IN task from one local day to another, both included, oldest first. */
async function signInDays(memberId: string, taskId: string, fromDay: string, toDay: string): Promise<(SignInDay & { points: number; bonusPoints: number; at: string })[]> {
  if (toDay < fromDay) return [];
  const items = await queryMine({
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': keys.member.profile(memberId).PK,
      ':from': keys.member.taskCompletionPrefix(taskId, fromDay),
      // '~' sorts after the '#<slot>' that follows every day.
      ':to': `${keys.member.taskCompletionPrefix(taskId, toDay)}~`,
    },
  });
  return items.map((i) => ({ day: String(i.day), streak: Number(i.streak), points: Number(i.points), bonusPoints: Number(i.bonusPoints ?? 0), at: String(i.at) }));
}

/** The slots of a period a member has completed. */
async function completedSlots(memberId: string, taskId: string, period: string): Promise<Set<number>> {
  const items = await queryMine({
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.member.profile(memberId).PK, ':prefix': `${keys.member.taskCompletionPrefix(taskId, period)}#` },
    ProjectionExpression: 'slot',
  });
  return new Set(items.map((i) => Number(i.slot)));
}

/** A streak challenge's standing: the runs of its sign-in task's streak inside the challenge window, up to today. */
async function challengeStanding(memberId: string, task: Task, today: string): Promise<ChallengeProgress> {
  const window = localWindow(task);
  const lastDay = window.lastDay === null || window.lastDay > today ? today : window.lastDay;
  const signIns = await signInDays(memberId, task.signInTaskId as string, window.firstDay, lastDay);
  return challengeProgress(signIns, { firstDay: window.firstDay, lastDay }, today, task.streakDays ?? Number.POSITIVE_INFINITY);
}

function checkProduct(task: Task, productId: string | undefined): void {
  if (task.type === 'BROWSE_PRODUCT') {
    if (productId === undefined) throw new ValidationError(`body.productId: name the product browsed (${task.productId})`);
    if (productId !== task.productId) throw new ValidationError(`body.productId: task ${task.taskId} is done by browsing product ${task.productId}, not ${productId}`);
  } else if (productId !== undefined && task.type !== 'SHARE') {
    throw new ValidationError(`body.productId: only BROWSE_PRODUCT and SHARE tasks take a productId; ${task.taskId} is ${task.type}`);
  }
}

function alreadyCompleted(task: Task, period: string, now: Date): DomainError {
  const next = nextPeriodStart(task.period, now);
  const nextText = next && (task.endsAt === null || next.getTime() < Date.parse(task.endsAt)) ? `; next from ${next.toISOString()}` : '';
  const what =
    task.type === 'SIGN_IN'
      ? `already signed in on ${period}`
      : task.timesPerPeriod > 1
        ? `task ${task.taskId} is already done ${task.timesPerPeriod} of ${task.timesPerPeriod} times in ${period}`
        : period === 'ONCE'
          ? `task ${task.taskId} is already completed (once only)`
          : `task ${task.taskId} is already completed for ${period}`;
  return new DomainError('ALREADY_COMPLETED', `${what}${nextText}`, {
    taskId: task.taskId,
    period,
    nextPeriodStartsAt: next?.toISOString() ?? null,
  });
}

/**
 * What a sign-in pays and checks beyond its record: the streak from
 * yesterday's record, with checks that yesterday's record is still as read
 * and that no sign-in of tomorrow exists. Together they make each member's
 * sign-ins commit in day order, so every stored streak is its previous day's
 * + 1 even when two sign-ins straddle midnight: a later day committed first
 * refuses the earlier one. Since the first check catches a stale read,
 * yesterday's record may be read eventually consistent (half the read's
 * cost); the re-read after a failed check is strongly consistent.
 */
async function signInPlan(
  memberId: string,
  task: Task,
  day: string,
  read: { consistent: boolean },
): Promise<{ streak: number; bonusPoints: number; checks: ExtraWrite[] }> {
  const yesterdayKey = keys.member.taskCompletion(memberId, task.taskId, addDays(day, -1), 1);
  const stored = await db().send(new GetCommand({ TableName: tableName(), Key: yesterdayKey, ConsistentRead: read.consistent }));
  const yesterday = stored.Item ? { day: String(stored.Item.day), streak: Number(stored.Item.streak) } : undefined;
  const streak = streakOn(day, yesterday);
  const yesterdayAsRead: ExtraWrite = {
    item: {
      ConditionCheck: {
        TableName: tableName(),
        Key: yesterdayKey,
        ...(yesterday
          ? { ConditionExpression: 'streak = :streak', ExpressionAttributeValues: { ':streak': yesterday.streak } }
          : { ConditionExpression: 'attribute_not_exists(PK)' }),
      },
    },
    onConditionFailed: () => new StaleStreakError(),
  };
  const tomorrow = addDays(day, 1);
  const noLaterSignIn: ExtraWrite = {
    item: { ConditionCheck: { TableName: tableName(), Key: keys.member.taskCompletion(memberId, task.taskId, tomorrow, 1), ConditionExpression: 'attribute_not_exists(PK)' } },
    onConditionFailed: () =>
      new DomainError('ALREADY_COMPLETED', `the sign-in of ${tomorrow} is already recorded; this sign-in for ${day} came too late`, {
        taskId: task.taskId,
        period: day,
        nextPeriodStartsAt: null,
      }),
  };
  return { streak, bonusPoints: streakBonusFor(task, streak), checks: [yesterdayAsRead, noLaterSignIn] };
}

function reasonOf(task: Task, streak: number | null, bonusPoints: number): string {
  if (task.type === 'SIGN_IN') return `daily sign-in, day ${streak}${bonusPoints > 0 ? ` (streak bonus ${bonusPoints})` : ''}`;
  if (task.type === 'STREAK_CHALLENGE') return `streak challenge: ${task.name}`;
  return `task: ${task.name}`;
}

/** One attempt: the single commit of a completion in `slot`. */
async function commitCompletion(
  task: Task,
  input: CompletionInput,
  at: { now: Date; day: string; period: string; slot: number },
  plan: { streak: number | null; bonusPoints: number; checks: readonly ExtraWrite[] },
): Promise<CommitOutcome> {
  const { now, day, period, slot } = at;
  const totalPoints = task.points + plan.bonusPoints;
  const ref = `task:${task.taskId}:${period}${task.timesPerPeriod > 1 ? `:${slot}` : ''}`;
  const record: ExtraWrite = {
    item: {
      Put: {
        TableName: tableName(),
        Item: {
          ...keys.member.taskCompletion(input.memberId, task.taskId, period, slot),
          // The member's completions of every task by time (operators: GET /v1/admin/members/{memberId}/task-completions).
          ...keys.member.taskCompletionEntry(input.memberId, now.toISOString(), task.taskId, period, slot),
          entity: 'TaskCompletion',
          memberId: input.memberId,
          taskId: task.taskId,
          type: task.type,
          period,
          slot,
          day,
          points: task.points,
          bonusPoints: plan.bonusPoints,
          totalPoints,
          ...(plan.streak === null ? {} : { streak: plan.streak }),
          ...(input.productId === undefined ? {} : { productId: input.productId }),
          poolId: task.poolId,
          activity: task.activity,
          ref,
          at: now.toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    },
    onConditionFailed: () => new SlotTakenError(slot),
  };
  const counters: ExtraWrite = {
    item: {
      Update: {
        TableName: tableName(),
        // One counter shard at random (each holds the status, all changed together), so completions spread over them.
        Key: keys.task.counterShard(task.taskId, randomInt(task.counterShards)),
        UpdateExpression: 'ADD completions :one, pointsAwarded :points, #period :one',
        ConditionExpression: '#status = :active',
        ExpressionAttributeNames: { '#status': 'status', '#period': periodAttribute(period) },
        ExpressionAttributeValues: { ':one': 1, ':points': totalPoints, ':active': 'ACTIVE' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    },
    onConditionFailed: (current) => {
      const status = String(current?.status ?? 'gone');
      return new DomainError('CONFLICT', `task ${task.taskId} is ${status.toLowerCase()}; it cannot be completed now`, { taskId: task.taskId, status });
    },
  };
  const award = {
    poolId: task.poolId,
    activity: task.activity,
    memberId: input.memberId,
    points: totalPoints,
    reason: reasonOf(task, plan.streak, plan.bonusPoints),
    ref,
    now,
  };
  // The points come from one counter shard of the pool; a short shard makes commitPoolAward run this on another.
  return commitPoolAward(award, (parts) =>
    commit({
      moves: [parts.move],
      // The record first: a repeat answers ALREADY_COMPLETED even when the pool is empty too.
      extra: [record, ...plan.checks, counters, ...parts.extra],
      ...(input.idempotency ? { idempotency: input.idempotency } : {}),
      response: (entries) => ({
        status: 201,
        body: {
          taskId: task.taskId,
          type: task.type,
          memberId: input.memberId,
          period,
          slot,
          points: task.points,
          bonusPoints: plan.bonusPoints,
          totalPoints,
          streak: plan.streak,
          poolId: task.poolId,
          activity: task.activity,
          entryId: entries[0]?.id ?? '',
          completedAt: now.toISOString(),
        } satisfies CompletionResult,
      }),
      now,
    }),
  );
}

/**
 * Completes a task for a member and pays it from the task's pool, in one
 * commit. Refusals write nothing: ALREADY_COMPLETED (the period's slots are
 * taken), BUDGET_EXHAUSTED / LIMIT_REACHED (the pool), THRESHOLD_NOT_MET (a
 * challenge's streak not reached), CONFLICT (task not open), 400 (wrong
 * product). With an idempotency key, a repeat replays the first answer.
 *
 * No read of the idempotency record comes before the write: the commit puts
 * the record on condition that it is absent, and a repeat that reaches the
 * write is answered from the record that condition returns. A repeat refused
 * before the write (the day done, the task paused since) or by another item's
 * condition reads the record then, so a stored answer still wins over
 * everything that changed since; a first request, the usual case, saves the
 * read.
 */
export async function completeTask(input: CompletionInput): Promise<CommitOutcome> {
  try {
    return await completeWithoutReplayCheck(input);
  } catch (error) {
    if (input.idempotency && isRefusal(error)) {
      const stored = await storedResponse(input.idempotency);
      if (stored) return { replayed: true, response: stored };
    }
    throw error;
  }
}

/** A 4xx the request's own earlier success may explain; not the idempotency verdict itself, not an overload or an unknown outcome. */
function isRefusal(error: unknown): boolean {
  return error instanceof DomainError && !(error instanceof IdempotencyKeyReusedError) && error.code !== 'UNAVAILABLE' && error.code !== 'OUTCOME_UNKNOWN';
}

async function completeWithoutReplayCheck(input: CompletionInput): Promise<CommitOutcome> {
  const now = input.now ?? new Date();
  let task = await getTask(input.taskId);
  // A cached copy may predate a resume or a new end in another function: confirm a refusal on a fresh read.
  if (notOpenReason(task, now)) task = await getTask(input.taskId, { fresh: true });
  const closed = notOpenReason(task, now);
  if (closed) throw new DomainError('CONFLICT', `${closed}; it cannot be completed now`, { taskId: task.taskId, status: task.status });
  checkProduct(task, input.productId);
  const day = localDate(now);
  const period = periodKey(task.period, now);

  if (task.type === 'STREAK_CHALLENGE') {
    const standing = await challengeStanding(input.memberId, task, day);
    if (!standing.reached) {
      throw new DomainError(
        'THRESHOLD_NOT_MET',
        `sign in ${task.streakDays} days in a row between ${localWindow(task).firstDay} and ${localWindow(task).lastDay} to complete ${task.taskId}; your best run so far is ${standing.bestRun}`,
        { taskId: task.taskId, streakDays: task.streakDays, currentRun: standing.currentRun, bestRun: standing.bestRun },
      );
    }
  }

  // Slots to try, lowest free first; a slot is never freed, so one taken meanwhile means trying the next.
  const taken = task.timesPerPeriod > 1 ? await completedSlots(input.memberId, task.taskId, period) : new Set<number>();
  const free = Array.from({ length: task.timesPerPeriod }, (_, i) => i + 1).filter((slot) => !taken.has(slot));
  let streakAttempts = 0;
  for (let i = 0; i < free.length; ) {
    const slot = free[i] as number;
    const plan =
      task.type === 'SIGN_IN'
        ? await signInPlan(input.memberId, task, day, { consistent: streakAttempts > 0 })
        : { streak: null, bonusPoints: 0, checks: [] };
    try {
      return await commitCompletion(task, input, { now, day, period, slot }, plan);
    } catch (error) {
      if (error instanceof SlotTakenError) {
        i += 1;
        continue;
      }
      if (error instanceof StaleStreakError) {
        streakAttempts += 1;
        if (streakAttempts >= MAX_STREAK_ATTEMPTS) throw new ConcurrencyConflictError(`the sign-in streak of ${input.memberId}`);
        continue;
      }
      throw error;
    }
  }
  throw alreadyCompleted(task, period, now);
}

export interface MemberTaskProgress {
  readonly period: string;
  readonly completions: number;
  readonly done: boolean;
  readonly streak: number | null;
  readonly bestRun: number | null;
  readonly next: NextCompletion | null;
}

async function progressOf(memberId: string, task: Task, now: Date, day: string): Promise<MemberTaskProgress> {
  const period = periodKey(task.period, now);
  let completions: number;
  let streak: number | null = null;
  let bestRun: number | null = null;
  let reached = false;
  if (task.type === 'SIGN_IN') {
    const recent = await signInDays(memberId, task.taskId, addDays(day, -1), day);
    completions = recent.some((s) => s.day === day) ? 1 : 0;
    streak = currentStreak(day, recent[recent.length - 1]);
  } else {
    completions = (await completedSlots(memberId, task.taskId, period)).size;
    if (task.type === 'STREAK_CHALLENGE') {
      const standing = await challengeStanding(memberId, task, day);
      streak = standing.currentRun;
      bestRun = standing.bestRun;
      reached = standing.reached;
    }
  }
  return {
    period,
    completions,
    done: completions >= task.timesPerPeriod,
    streak,
    bestRun,
    next: nextCompletion(task, { completions, streak: streak ?? 0, reached }, now),
  };
}

/** The tasks a member can do now, each with their progress in the current period. */
export async function memberTasks(memberId: string, now = new Date()): Promise<{ day: string; timezone: string; items: (Task & { progress: MemberTaskProgress })[] }> {
  const day = localDate(now);
  const tasks = await openTasks(now);
  const items = await Promise.all(tasks.map(async (task) => ({ ...task, progress: await progressOf(memberId, task, now, day) })));
  return { day, timezone: PROGRAMME_TIMEZONE, items };
}

/** A member's sign-ins in a programme-local month (the calendar apps show), with their current streak. */
export async function signInCalendar(memberId: string, options: { month?: string | undefined; taskId?: string | undefined }, now = new Date()) {
  let task: Task;
  if (options.taskId !== undefined) {
    task = await getTask(options.taskId);
    if (task.type !== 'SIGN_IN') throw new ValidationError(`query.taskId: ${task.taskId} is a ${task.type} task, not SIGN_IN`);
  } else {
    const open = (await openTasks(now)).find((t) => t.type === 'SIGN_IN');
    if (!open) throw new NotFoundError('no sign-in task is open; name one with ?taskId=');
    task = open;
  }
  const month = options.month ?? programmeMonth(now);
  const today = localDate(now);
  const [days, recent] = await Promise.all([
    signInDays(memberId, task.taskId, `${month}-01`, `${month}-31`),
    signInDays(memberId, task.taskId, addDays(today, -1), today),
  ]);
  return {
    taskId: task.taskId,
    month,
    timezone: PROGRAMME_TIMEZONE,
    today,
    currentStreak: currentStreak(today, recent[recent.length - 1]),
    days,
  };
}

/** A completion record as operators see it. */
export interface CompletionRecord {
  readonly taskId: string;
  readonly type: Task['type'];
  readonly memberId: string;
  readonly period: string;
  readonly slot: number;
  readonly day: string;
  readonly points: number;
  readonly bonusPoints: number;
  readonly totalPoints: number;
  readonly streak: number | null;
  readonly productId?: string;
  readonly poolId: string;
  readonly activity: string;
  readonly ref: string;
  readonly completedAt: string;
}

function completionRecordOf(item: Record<string, unknown>): CompletionRecord {
  return {
    taskId: String(item.taskId),
    type: item.type as Task['type'],
    memberId: String(item.memberId),
    period: String(item.period),
    slot: Number(item.slot),
    day: String(item.day),
    points: Number(item.points),
    bonusPoints: Number(item.bonusPoints ?? 0),
    totalPoints: Number(item.totalPoints ?? item.points),
    streak: item.streak === undefined || item.streak === null ? null : Number(item.streak),
    ...(item.productId === undefined ? {} : { productId: String(item.productId) }),
    poolId: String(item.poolId),
    activity: String(item.activity),
    ref: String(item.ref),
    completedAt: String(item.at),
  };
}

/**
 * A member's task completions, newest first (operators). Of every task: GSI1
 * `MEMBER-TASKS#<memberId>` (completions made before that index entry existed
 * are listed once the backfill, shared/members/backfill.ts, gave them theirs).
 * Of one task: the member's partition, by period, which holds them all.
 */
export async function listMemberCompletions(memberId: string, page: PageRequest & { readonly taskId?: string | undefined }) {
  if (page.taskId === undefined) {
    const partition = keys.member.taskCompletionsPartition(memberId);
    const result = await queryPage(
      { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false },
      page,
      { attribute: 'GSI1PK', value: partition },
    );
    return { items: result.items.map(completionRecordOf), nextCursor: result.nextCursor };
  }
  const { PK } = keys.member.profile(memberId);
  const result = await queryPage(
    {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      // The task id ends with '#' here, so task t-1 does not list the completions of t-10.
      ExpressionAttributeValues: { ':pk': PK, ':prefix': keys.member.taskCompletionPrefix(page.taskId) },
      ScanIndexForward: false,
    },
    page,
    { attribute: 'PK', value: PK },
  );
  return { items: result.items.map(completionRecordOf), nextCursor: result.nextCursor };
}
