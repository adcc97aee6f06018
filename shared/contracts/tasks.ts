import { daysBetween, localWindow, taskPeriods, taskStatuses, taskTypes } from '../domain/tasks.js';
import { isMonth } from '../domain/months.js';
import * as z from '../zod.js';
import { doc, docExtend } from './doc.js';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema, memberIdParams } from './common.js';
import { operation } from './operation.js';
import { MAX_CHALLENGE_DAYS, MAX_TASK_COUNTER_SHARDS, TASK_COUNTER_SHARDS } from './limits.js';

export { MAX_CHALLENGE_DAYS };


const isoTime = (what: string) => z.iso.datetime({ message: `${what} must be an ISO-8601 UTC time such as 2026-12-01T00:00:00Z` });
const activityName = z.string().check(z.regex(/^[a-z][a-z0-9-]{1,31}$/, 'the pool activity that pays, such as "sign-in" or "share" (lower-case letters, digits, hyphens)'));

const commonFields = {
  taskId: doc(z.optional(idSchema), { description: 'Your id for the task (e.g. `t-sign-in`); generated when left out.' }),
  name: z.string().check(z.trim(), z.minLength(2, 'give the task a name of at least 2 characters'), z.maxLength(120)),
  description: z._default(z.string().check(z.maxLength(2000)), ''),
  points: doc(z.number().check(z.int('points must be a whole number'), z.positive('points must be positive'), z.lte(1_000_000)), { description: 'Points each completion pays (a sign-in streak bonus comes on top).' }),
  poolId: doc(idSchema, { description: 'The points pool that pays; its budget and per-member daily caps apply to every completion.' }),
  activity: doc(activityName, { description: "The pool's activity whose share pays." }),
  startsAt: isoTime('startsAt'),
  endsAt: doc(z._default(z.nullable(isoTime('endsAt')), null), { description: 'When the task closes; null: open-ended.' }),
  status: z._default(z.enum(['ACTIVE', 'PAUSED']), 'ACTIVE'),
  sortOrder: doc(z._default(z.number().check(z.int(), z.gte(0), z.lte(1_000_000)), 1000), { description: "Position in the members' task list, ascending." }),
  counterShards: doc(z._default(z.number().check(z.int('counterShards must be a whole number'), z.gte(1, 'counterShards must be at least 1'), z.lte(MAX_TASK_COUNTER_SHARDS, `counterShards must be at most ${MAX_TASK_COUNTER_SHARDS}`)), TASK_COUNTER_SHARDS), {
    description:
      `Items the task's counters are spread over, each completion updating one at random, so a sign-in peak does not queue on one item (about 1,000 completions a second each on DynamoDB). Fixed at creation. Default ${TASK_COUNTER_SHARDS}, at most ${MAX_TASK_COUNTER_SHARDS}; give a sign-in task of a large programme more, and its pool as many (the pool's counters take the same completions).`,
  }),
};

const streakBonusSchema = z.strictObject({
  day: z.number().check(z.int(), z.gte(2, 'a streak bonus is for day 2 or later'), z.lte(MAX_CHALLENGE_DAYS)),
  points: z.number().check(z.int(), z.positive(), z.lte(1_000_000)),
});

export const taskInputSchema = doc(z.discriminatedUnion('type', [
  z.strictObject({
    type: doc(z.literal('SIGN_IN'), { description: 'Daily check-in, once per programme-local day, with streak bonuses.' }),
    ...commonFields,
    streakBonuses: doc(z._default(z.array(streakBonusSchema).check(z.maxLength(31)), []).check(z.refine((list) => new Set(list.map((b) => b.day)).size === list.length, 'each streak day may have one bonus')), { description: 'Bonuses added on streak days, e.g. [{ "day": 7, "points": 20 }].' }),
    streakBonusRepeats: doc(z._default(z.boolean(), false), { description: 'true: the schedule starts over after its last day (day 14 pays the day-7 bonus again); false: each bonus once per unbroken streak.' }),
  }),
  z.strictObject({
    type: doc(z.literal('SHARE'), { description: 'Share something: points per share, up to timesPerDay a day.' }),
    ...commonFields,
    timesPerDay: z.number().check(z.int('timesPerDay must be a whole number'), z.gte(1), z.lte(100)),
  }),
  z.strictObject({
    type: doc(z.literal('BROWSE_PRODUCT'), { description: 'Browse a mall product, once a day; the completion names the product.' }),
    ...commonFields,
    productId: doc(idSchema, { description: 'The mall product to browse; it must exist.' }),
  }),
  z.strictObject({
    type: doc(z.literal('CUSTOM'), { description: 'A brand-defined task done once per period.' }),
    ...commonFields,
    period: doc(z.enum(taskPeriods), { description: 'DAILY (local day), WEEKLY (ISO week, Monday to Sunday, local) or ONCE.' }),
  }),
  z.strictObject({
    type: doc(z.literal('STREAK_CHALLENGE'), { description: 'Sign in every day for streakDays days inside the window; claimed once.' }),
    ...commonFields,
    endsAt: doc(z.iso
      .datetime({
        error: (issue) =>
          issue.input === undefined
            ? 'a streak challenge needs endsAt: its window is startsAt to endsAt'
            : 'endsAt must be an ISO-8601 UTC time such as 2026-12-01T00:00:00Z',
      }), { description: 'A challenge needs an end: its window is startsAt to endsAt.' }),
    signInTaskId: doc(idSchema, { description: 'The SIGN_IN task whose sign-ins count.' }),
    streakDays: doc(z.number().check(z.int(), z.gte(2), z.lte(MAX_CHALLENGE_DAYS)), { description: 'Days in a row that complete the challenge, e.g. 30.' }),
  }),
]).check(z.superRefine((task, ctx) => {
  // Zod runs this refinement even when a field above failed (its issue is already reported): unreadable times stop here.
  if (Number.isNaN(Date.parse(task.startsAt)) || (task.endsAt !== null && Number.isNaN(Date.parse(task.endsAt)))) return;
  if (task.endsAt !== null && Date.parse(task.endsAt) <= Date.parse(task.startsAt)) {
    ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'endsAt must be after startsAt' });
    return;
  }
  if (task.type === 'STREAK_CHALLENGE') {
    const window = localWindow(task);
    const days = daysBetween(window.firstDay, window.lastDay as string) + 1;
    if (days < task.streakDays) ctx.addIssue({ code: 'custom', path: ['streakDays'], message: `the window has ${days} local days, fewer than streakDays (${task.streakDays})` });
    if (days > MAX_CHALLENGE_DAYS) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: `a challenge window is at most ${MAX_CHALLENGE_DAYS} days` });
  }
})), 'TaskInput');

const nextCompletionSchema = doc(z.object({
  points: z.number().check(z.int()),
  bonusPoints: doc(z.number().check(z.int()), { description: 'Sign-in: the streak bonus the next sign-in would add.' }),
  totalPoints: z.number().check(z.int()),
  streakDay: doc(z.nullable(z.number().check(z.int())), { description: 'Sign-in: the streak day the next sign-in would be.' }),
  availableFrom: doc(z.nullable(z.string()), { description: 'From when: now, the start of the next period, or null while a challenge streak is not reached.' }),
}), 'NextCompletion');

const taskViewFields = {
  taskId: z.string(),
  type: z.enum(taskTypes),
  name: z.string(),
  description: z.string(),
  points: z.number().check(z.int()),
  period: doc(z.enum(taskPeriods), { description: 'SIGN_IN, SHARE and BROWSE_PRODUCT: DAILY; STREAK_CHALLENGE: ONCE; CUSTOM: as created.' }),
  timesPerPeriod: doc(z.number().check(z.int()), { description: "SHARE: its timesPerDay; 1 for the other types." }),
  streakBonuses: z.array(z.object({ day: z.number().check(z.int()), points: z.number().check(z.int()) })),
  streakBonusRepeats: z.boolean(),
  productId: z.nullable(z.string()),
  signInTaskId: z.nullable(z.string()),
  streakDays: z.nullable(z.number().check(z.int())),
  startsAt: z.string(),
  endsAt: z.nullable(z.string()),
};

export const taskSchema = doc(z.object({
  ...taskViewFields,
  poolId: z.string(),
  activity: z.string(),
  status: z.enum(taskStatuses),
  sortOrder: z.number().check(z.int()),
  counterShards: doc(z.number().check(z.int()), { description: "Items the task's counters are spread over (as created, 8 by default; 1 for a task created before sharding); the stats are their sums." }),
  version: z.number().check(z.int()),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
}), 'Task');

export const taskWithStatsSchema = doc(z.object({
  ...taskSchema.shape,
  stats: z.object({
    completions: z.number().check(z.int()),
    pointsAwarded: z.number().check(z.int()),
    periods: doc(z.array(z.object({ period: z.string(), completions: z.number().check(z.int()) })), { description: 'Completions per period, the latest 31 periods, newest first.' }),
  }),
}), 'TaskWithStats');

export const taskPatchSchema = doc(z.strictObject({
  expectedVersion: doc(z.number().check(z.int(), z.gte(1), z.lte(MAX_VERSION, MAX_VERSION_MESSAGE)), { description: 'The version you read; refused with 409 if the task changed since.' }),
  status: doc(z.optional(z.enum(taskStatuses)), { description: 'PAUSED stops completions at once; ENDED is final.' }),
  name: z.optional(commonFields.name),
  description: z.optional(z.string().check(z.maxLength(2000))),
  endsAt: z.optional(z.nullable(isoTime('endsAt'))),
  // Not commonFields.sortOrder: its default would put every task a patch leaves it out of back to 1000.
  sortOrder: doc(z.optional(z.number().check(z.int(), z.gte(0), z.lte(1_000_000))), { description: "Position in the members' task list, ascending." }),
}).check(z.refine((p) => Object.keys(p).length > 1, { message: 'change at least one of status, name, description, endsAt, sortOrder' })), 'TaskPatch');

export const memberTaskSchema = doc(z.object({
  ...taskViewFields,
  progress: z.object({
    period: doc(z.string(), { description: 'The current period: local day (YYYY-MM-DD), ISO week (YYYY-Www) or ONCE.' }),
    completions: doc(z.number().check(z.int()), { description: 'Completions in the current period.' }),
    done: doc(z.boolean(), { description: 'No completion left in the current period.' }),
    streak: doc(z.nullable(z.number().check(z.int())), { description: 'SIGN_IN: the current streak (yesterday\'s until you sign in today); STREAK_CHALLENGE: the current run inside the window.' }),
    bestRun: doc(z.nullable(z.number().check(z.int())), { description: 'STREAK_CHALLENGE: the longest run inside the window so far.' }),
    next: doc(z.nullable(nextCompletionSchema), { description: 'What the next completion pays and from when; null: nothing more to earn.' }),
  }),
}), 'MemberTask');

export const completionSchema = doc(z.object({
  taskId: z.string(),
  type: z.enum(taskTypes),
  memberId: z.string(),
  period: z.string(),
  slot: doc(z.number().check(z.int()), { description: 'Which of the period\'s completions this is (SHARE: 1 to timesPerDay).' }),
  points: z.number().check(z.int()),
  bonusPoints: z.number().check(z.int()),
  totalPoints: z.number().check(z.int()),
  streak: doc(z.nullable(z.number().check(z.int())), { description: 'SIGN_IN: the streak this sign-in makes.' }),
  poolId: z.string(),
  activity: z.string(),
  entryId: doc(z.string(), { description: 'The EARN ledger entry.' }),
  completedAt: z.string(),
}), 'TaskCompletion');

/** A completion as stored, for operators (the ledger entry it paid carries the same `ref`). */
export const completionRecordSchema = doc(z.object({
  taskId: z.string(),
  type: z.enum(taskTypes),
  memberId: z.string(),
  period: doc(z.string(), { description: 'The period it counts for: a programme-local day, an ISO week, or ONCE.' }),
  slot: z.number().check(z.int()),
  day: doc(z.string(), { description: 'Programme-local day it was done.' }),
  points: z.number().check(z.int()),
  bonusPoints: z.number().check(z.int()),
  totalPoints: z.number().check(z.int()),
  streak: z.nullable(z.number().check(z.int())),
  productId: doc(z.optional(z.string()), { description: 'BROWSE_PRODUCT: the product browsed.' }),
  poolId: z.string(),
  activity: z.string(),
  ref: doc(z.string(), { description: 'The `ref` of the EARN ledger entry that paid it.' }),
  completedAt: z.string(),
}), 'TaskCompletionRecord');

const taskParams = z.object({ taskId: idSchema });

export const taskOperations = {
  createTask: operation({
    summary: 'Create a task: sign-in, share, browse a product, custom, or streak challenge, paid from a points pool (operator)',
    description:
      "The pool must have the activity, and the activity's daily cap per member (if any) must cover the most the task pays a member in a day " +
      '(sign-in: points plus the largest streak bonus; share: points x timesPerDay).',
    tags: ['tasks'],
    body: taskInputSchema,
    response: taskSchema,
    status: 201,
    errors: ['CONFLICT'],
  }),
  listTasks: operation({
    summary: 'Tasks, newest first, in every status (operator)',
    tags: ['tasks'],
    query: pageQuerySchema,
    response: doc(pageOf(taskSchema), 'TaskPage'),
  }),
  getTask: operation({
    summary: 'One task with its completion counts, in all and per period (operator)',
    tags: ['tasks'],
    params: taskParams,
    response: taskWithStatsSchema,
    errors: ['NOT_FOUND'],
  }),
  updateTask: operation({
    summary: 'Pause, resume or end a task, rename it, move its end (operator)',
    tags: ['tasks'],
    params: taskParams,
    body: taskPatchSchema,
    response: taskSchema,
    errors: ['NOT_FOUND', 'CONFLICT'],
  }),
  listMyTasks: operation({
    summary: "Open tasks with my progress: this period's completions, my streak, what the next completion pays",
    tags: ['tasks'],
    response: doc(z.object({
      day: doc(z.string(), { description: 'Today, programme-local (YYYY-MM-DD).' }),
      timezone: z.string(),
      items: z.array(memberTaskSchema),
    }), 'MemberTaskList'),
  }),
  completeTask: operation({
    summary: 'Complete a task (daily sign-in is the task of type SIGN_IN); pays its points from its pool',
    description:
      'Once per period (SHARE: up to timesPerDay a day), enforced by a conditional write: a repeat answers 409 ALREADY_COMPLETED, ' +
      'an exhausted pool BUDGET_EXHAUSTED, a reached daily cap LIMIT_REACHED, a challenge whose streak is not reached THRESHOLD_NOT_MET; ' +
      'nothing is written then. Idempotency-Key is optional (completions are once per period anyway; a key makes a SHARE retry safe).',
    tags: ['tasks'],
    params: taskParams,
    body: doc(z.strictObject({
      productId: doc(z.optional(idSchema), { description: 'BROWSE_PRODUCT: the product browsed (must be the task\'s); SHARE: what was shared (optional).' }),
    }), 'CompletionInput'),
    response: completionSchema,
    status: 201,
    idempotency: 'optional',
    errors: ['NOT_FOUND', 'ALREADY_COMPLETED', 'BUDGET_EXHAUSTED', 'LIMIT_REACHED', 'THRESHOLD_NOT_MET', 'CONFLICT'],
  }),
  listMemberTaskCompletions: operation({
    summary: "A member's task completions (sign-ins included), newest first (operator)",
    description: 'Of every task, or with `taskId` of one task.',
    tags: ['admin'],
    params: memberIdParams,
    query: docExtend(pageQuerySchema, { taskId: doc(z.optional(idSchema), { description: 'Only the completions of this task.' }) }),
    response: doc(pageOf(completionRecordSchema), 'TaskCompletionRecordPage'),
    errors: ['NOT_FOUND'],
  }),
  listMySignIns: operation({
    summary: 'My sign-in calendar for a month: the days I signed in, each with its streak and points',
    tags: ['tasks'],
    query: z.object({
      month: doc(z.optional(z.string().check(z.refine(isMonth, 'a month like 2026-11'))), { description: 'Programme-local month (YYYY-MM); the current one when left out.' }),
      taskId: doc(z.optional(idSchema), { description: 'The SIGN_IN task; the first open one when left out.' }),
    }),
    response: doc(z.object({
      taskId: z.string(),
      month: z.string(),
      timezone: z.string(),
      today: z.string(),
      currentStreak: z.number().check(z.int()),
      days: z.array(
        z.object({ day: z.string(), streak: z.number().check(z.int()), points: z.number().check(z.int()), bonusPoints: z.number().check(z.int()), at: z.string() }),
      ),
    }), 'SignInCalendar'),
    errors: ['NOT_FOUND'],
  }),
};
