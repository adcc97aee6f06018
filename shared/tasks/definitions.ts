/**
 * Task definitions (docs/tasks.md): what a task pays, from which pool, when
 * it is open. Operators create and change them; members' lists and
 * completions read them through a short in-function cache. A task's counters
 * are spread over `counterShards` items (a completion updates one at random),
 * each with a copy of the task's status; a completion's transaction is
 * conditional on its shard's copy, and a status change writes every copy in
 * one transaction, so pausing or ending a task stops completions at once,
 * cache or not.
 */
import { BatchGetCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import type * as z from '../zod.js';
import { MAX_CHALLENGE_DAYS } from '../contracts/limits.js';
import type { taskInputSchema, taskPatchSchema } from '../contracts/tasks.js';
import { daysBetween, localWindow, maxDailyAward, notOpenReason, type StreakBonus, type TaskPeriod, type TaskRules, type TaskStatus, type TaskType } from '../domain/tasks.js';
import { getPool } from '../earning/pools.js';
import { findProduct } from '../mall/catalogue.js';
import { auditItems, pickFields } from '../audit/audit.js';
import { DomainError, NotFoundError, ValidationError } from '../errors.js';
import { db, tableName } from '../table/client.js';
import { TtlCache } from '../config/ttl-cache.js';
import { keys } from '../table/keys.js';
import { queryAll, queryPage, type PageRequest } from '../table/paging.js';

export type TaskInput = z.output<typeof taskInputSchema>;
export type TaskPatch = z.output<typeof taskPatchSchema>;

export interface Task extends TaskRules {
  readonly taskId: string;
  readonly name: string;
  readonly description: string;
  readonly poolId: string;
  readonly activity: string;
  readonly status: TaskStatus;
  readonly sortOrder: number;
  readonly productId: string | null;
  readonly signInTaskId: string | null;
  /** Items the task's counters are spread over; fixed at creation (1 for tasks made before sharding). */
  readonly counterShards: number;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly createdBy: string;
}

export interface TaskStats {
  readonly completions: number;
  readonly pointsAwarded: number;
  readonly periods: readonly { readonly period: string; readonly completions: number }[];
}

/** Counter shards of a new task by default: completions spread over them, so one task's counters are not one hot item. */
export { TASK_COUNTER_SHARDS } from '../contracts/limits.js';

/** Attribute of the counters item counting one period's completions. */
export function periodAttribute(period: string): string {
  return `C#${period}`;
}

/** How long a function trusts its copy of a task and of the open-task list. */
const CACHE_TTL_MS = Number(process.env.TASK_CACHE_TTL_MS ?? 5_000);
const cache = new TtlCache<Task>(CACHE_TTL_MS);
let openCache: { tasks: Task[]; since: string; until: number } | undefined;

/** Forgets cached tasks (after this function's own writes, and in tests). */
export function forgetCachedTasks(): void {
  cache.clear();
  openCache = undefined;
}

function taskFromItem(item: Record<string, unknown>): Task {
  return {
    taskId: String(item.taskId),
    type: item.type as TaskType,
    name: String(item.name),
    description: String(item.description ?? ''),
    points: Number(item.points),
    poolId: String(item.poolId),
    activity: String(item.activity),
    period: item.period as TaskPeriod,
    timesPerPeriod: Number(item.timesPerPeriod ?? 1),
    streakBonuses: (item.streakBonuses as StreakBonus[] | undefined) ?? [],
    streakBonusRepeats: item.streakBonusRepeats === true,
    productId: (item.productId as string | undefined) ?? null,
    signInTaskId: (item.signInTaskId as string | undefined) ?? null,
    // A task stored before counter shards has one: its original counters item.
    counterShards: Number(item.counterShards ?? 1),
    streakDays: item.streakDays === undefined || item.streakDays === null ? null : Number(item.streakDays),
    startsAt: String(item.startsAt),
    endsAt: (item.endsAt as string | undefined) ?? null,
    status: item.status as TaskStatus,
    sortOrder: Number(item.sortOrder ?? 1000),
    version: Number(item.version ?? 1),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    createdBy: String(item.createdBy),
  };
}

function taskItem(task: Task) {
  return {
    ...keys.task.definition(task.taskId),
    ...keys.task.listEntry(task.taskId, task.createdAt),
    // Ended tasks leave the open list for good.
    ...(task.status === 'ENDED' ? {} : keys.task.openEntry(task.taskId, task.endsAt)),
    entity: 'Task',
    ...task,
  };
}

/** The stored definition of a new task: each type's fields mapped onto the common rules. */
function definitionOf(input: TaskInput, operator: string, now: Date): Task {
  const at = now.toISOString();
  return {
    taskId: input.taskId ?? `t-${ulid().toLowerCase()}`,
    type: input.type,
    name: input.name,
    description: input.description,
    points: input.points,
    poolId: input.poolId,
    activity: input.activity,
    period: input.type === 'CUSTOM' ? input.period : input.type === 'STREAK_CHALLENGE' ? 'ONCE' : 'DAILY',
    timesPerPeriod: input.type === 'SHARE' ? input.timesPerDay : 1,
    streakBonuses: input.type === 'SIGN_IN' ? [...input.streakBonuses].sort((a, b) => a.day - b.day) : [],
    streakBonusRepeats: input.type === 'SIGN_IN' ? input.streakBonusRepeats : false,
    productId: input.type === 'BROWSE_PRODUCT' ? input.productId : null,
    signInTaskId: input.type === 'STREAK_CHALLENGE' ? input.signInTaskId : null,
    streakDays: input.type === 'STREAK_CHALLENGE' ? input.streakDays : null,
    counterShards: input.counterShards,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    status: input.status,
    sortOrder: input.sortOrder,
    version: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: operator,
  };
}

/**
 * Refuses a task its pool could never pay: the pool must exist and have the
 * activity, one award must fit the activity's share, and what the task pays a
 * member in a day must fit the activity's daily cap per member (otherwise
 * the day-7 sign-in, or the third share, would always be refused).
 */
async function checkPool(task: Task): Promise<void> {
  const pool = await getPool(task.poolId).catch((error: unknown) => {
    if (error instanceof NotFoundError) throw new ValidationError(`poolId: pool ${task.poolId} does not exist`);
    throw error;
  });
  const activity = pool.activities.find((a) => a.activity === task.activity);
  if (!activity) {
    throw new ValidationError(`activity: pool ${pool.poolId} has no activity ${task.activity}; its activities: ${pool.activities.map((a) => a.activity).join(', ')}`);
  }
  const largestAward = task.points + task.streakBonuses.reduce((max, b) => Math.max(max, b.points), 0);
  if (largestAward > activity.sharePoints) {
    throw new ValidationError(`points: an award of ${largestAward} is more than the ${activity.sharePoints} points of ${task.activity}'s share in pool ${pool.poolId}`);
  }
  const perDay = maxDailyAward(task);
  if (activity.dailyCapPerMember !== null && perDay > activity.dailyCapPerMember) {
    throw new ValidationError(
      `activity: the task pays up to ${perDay} points a member a day, over the daily cap of ${activity.dailyCapPerMember} of ${task.activity} in pool ${pool.poolId}; ` +
        'use an activity with a higher cap (or none), or a new pool',
      { maxDailyAward: perDay, dailyCapPerMember: activity.dailyCapPerMember },
    );
  }
}

async function checkReferences(task: Task): Promise<void> {
  await checkPool(task);
  if (task.productId !== null && !(await findProduct(task.productId, { fresh: true }))) {
    throw new ValidationError(`productId: product ${task.productId} does not exist`);
  }
  if (task.signInTaskId !== null) {
    const signIn = await findTask(task.signInTaskId, { fresh: true });
    if (!signIn || signIn.type !== 'SIGN_IN') throw new ValidationError(`signInTaskId: ${task.signInTaskId} is not a SIGN_IN task`);
  }
}

/** Creates a task and its zeroed counter shards (each with the status) in one transaction; an existing id is a 409. */
export async function createTask(input: TaskInput, operator: string, now = new Date()): Promise<Task> {
  const task = definitionOf(input, operator, now);
  await checkReferences(task);
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName(), Item: taskItem(task), ConditionExpression: 'attribute_not_exists(PK)' } },
          ...Array.from({ length: task.counterShards }, (_, shard) => ({
            Put: {
              TableName: tableName(),
              Item: { ...keys.task.counterShard(task.taskId, shard), entity: 'TaskCounters', taskId: task.taskId, shard, status: task.status, completions: 0, pointsAwarded: 0 },
              ConditionExpression: 'attribute_not_exists(PK)',
            },
          })),
          ...auditItems({ target: `task:${task.taskId}`, summary: `created ${task.type} task "${task.name}"`, after: task }, now),
        ],
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException') throw new DomainError('CONFLICT', `task ${task.taskId} already exists`);
    throw error;
  }
  forgetCachedTasks();
  return task;
}

/** A task, from the function's cache when fresh enough; `fresh` reads it strongly consistent. */
export async function findTask(taskId: string, options: { fresh?: boolean } = {}): Promise<Task | undefined> {
  const cached = options.fresh ? undefined : cache.lookup(taskId);
  if (cached) return cached.value;
  const result = await db().send(new GetCommand({ TableName: tableName(), Key: keys.task.definition(taskId), ConsistentRead: true }));
  if (!result.Item) return undefined;
  const task = taskFromItem(result.Item);
  cache.set(taskId, task);
  return task;
}

export async function getTask(taskId: string, options: { fresh?: boolean } = {}): Promise<Task> {
  const task = await findTask(taskId, options);
  if (!task) throw new NotFoundError(`task ${taskId} does not exist`);
  return task;
}

/** Every counter shard of a task (one BatchGetItem, strongly consistent). */
async function readCounterShards(task: Task): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let keysLeft = Array.from({ length: task.counterShards }, (_, shard) => ({ ...keys.task.counterShard(task.taskId, shard) }) as Record<string, unknown>);
  for (let attempt = 0; keysLeft.length > 0; attempt += 1) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** Math.min(attempt, 6)));
    const result = await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: keysLeft, ConsistentRead: true } } }));
    items.push(...(result.Responses?.[tableName()] ?? []));
    keysLeft = (result.UnprocessedKeys?.[tableName()]?.Keys ?? []) as Record<string, unknown>[];
  }
  return items;
}

/** A task with its completion counts (its counter shards summed): in all, and for the latest 31 periods. */
export async function getTaskWithStats(taskId: string): Promise<Task & { stats: TaskStats }> {
  const task = await getTask(taskId, { fresh: true });
  const shards = await readCounterShards(task);
  const total = (attribute: string) => shards.reduce((sum, item) => sum + Number(item[attribute] ?? 0), 0);
  const periodNames = new Set(shards.flatMap((item) => Object.keys(item).filter((name) => name.startsWith('C#'))));
  const periods = [...periodNames]
    .map((name) => ({ period: name.slice(2), completions: total(name) }))
    .sort((a, b) => (a.period < b.period ? 1 : -1))
    .slice(0, 31);
  return { ...task, stats: { completions: total('completions'), pointsAwarded: total('pointsAwarded'), periods } };
}

/** Tasks in every status, newest first (operators). */
export async function listTasks(page: PageRequest): Promise<{ items: Task[]; nextCursor: string | null }> {
  const partition = keys.task.listPartition();
  const result = await queryPage(
    { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk', ExpressionAttributeValues: { ':pk': partition }, ScanIndexForward: false },
    page,
    { attribute: 'GSI1PK', value: partition },
  );
  return { items: result.items.map(taskFromItem), nextCursor: result.nextCursor };
}

/**
 * The tasks members can do at `now`, by sort order: active, started, not
 * ended. The open list (tasks not ENDED that end after now) is one query,
 * cached briefly in the function.
 */
export async function openTasks(now: Date): Promise<Task[]> {
  const since = now.toISOString();
  // A list read for an earlier instant holds every task ending after this one too.
  if (!openCache || openCache.until <= Date.now() || openCache.since > since) {
    const items = await queryAll({
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK > :now',
      ExpressionAttributeValues: { ':pk': keys.task.openPartition(), ':now': since },
    });
    const tasks = items.map(taskFromItem);
    openCache = { tasks, since, until: Date.now() + CACHE_TTL_MS };
  }
  return openCache.tasks
    .filter((t) => notOpenReason(t, now) === undefined)
    .sort((a, b) => a.sortOrder - b.sortOrder || (a.taskId < b.taskId ? -1 : 1));
}

/**
 * Changes a task (optimistic on its version). The status is written to the
 * definition and to every counter shard in one transaction: completions are
 * conditional on their shard's copy, so PAUSED and ENDED take effect at once.
 * ENDED is final.
 */
export async function updateTask(taskId: string, patch: TaskPatch, now = new Date()): Promise<Task> {
  const current = await getTask(taskId, { fresh: true });
  if (current.version !== patch.expectedVersion) {
    throw new DomainError('CONFLICT', `task ${taskId} is at version ${current.version}, not ${patch.expectedVersion}; reload it`, { currentVersion: current.version });
  }
  if (current.status === 'ENDED') throw new DomainError('CONFLICT', `task ${taskId} has ended; an ended task cannot change (create a new one)`);
  const { expectedVersion, ...changes } = patch;
  const next: Task = {
    ...current,
    ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)),
    version: current.version + 1,
    updatedAt: now.toISOString(),
  };
  const changed = Object.keys(changes).filter((field) => (changes as Record<string, unknown>)[field] !== undefined);
  if (next.endsAt !== null && Date.parse(next.endsAt) <= Date.parse(next.startsAt)) throw new ValidationError('body.endsAt: endsAt must be after startsAt');
  if (next.type === 'STREAK_CHALLENGE') {
    if (next.endsAt === null) throw new ValidationError('body.endsAt: a streak challenge needs an end');
    const window = localWindow(next);
    const days = daysBetween(window.firstDay, window.lastDay as string) + 1;
    if (days < (next.streakDays ?? 0)) throw new ValidationError(`body.endsAt: the window would have ${days} local days, fewer than the challenge's ${next.streakDays}`);
    if (days > MAX_CHALLENGE_DAYS) throw new ValidationError(`body.endsAt: a challenge window is at most ${MAX_CHALLENGE_DAYS} days`);
  }
  try {
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: tableName(),
              Item: taskItem(next),
              ConditionExpression: 'version = :v',
              ExpressionAttributeValues: { ':v': expectedVersion },
            },
          },
          ...Array.from({ length: current.counterShards }, (_, shard) => ({
            Update: {
              TableName: tableName(),
              Key: keys.task.counterShard(taskId, shard),
              UpdateExpression: 'SET #status = :status',
              ConditionExpression: 'attribute_exists(PK)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':status': next.status },
            },
          })),
          ...auditItems({ target: `task:${taskId}`, summary: `${changed.length > 0 ? `changed ${changed.join(', ')}` : 'saved without changes'} (version ${next.version})`, before: pickFields(current, changed), after: pickFields(next, changed) }, now),
        ],
      }),
    );
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException') throw new DomainError('CONFLICT', `task ${taskId} changed meanwhile; reload it`);
    throw error;
  }
  forgetCachedTasks();
  return next;
}
