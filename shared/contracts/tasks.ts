import './zod-openapi.js';
import { daysBetween, localWindow, taskPeriods, taskStatuses, taskTypes } from '../domain/tasks.js';
import { isMonth } from '../domain/months.js';
import * as z from 'zod';
import { idSchema, MAX_VERSION, MAX_VERSION_MESSAGE, pageOf, pageQuerySchema, memberIdParams } from './common.js';
import { operation } from './operation.js';
import { MAX_CHALLENGE_DAYS } from './limits.js';

export { MAX_CHALLENGE_DAYS };


const isoTime = (what: string) => z.iso.datetime({ message: `${what} must be an ISO-8601 UTC time such as 2026-12-01T00:00:00Z` });
const activityName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,31}$/, 'the pool activity that pays, such as "sign-in" or "share" (lower-case letters, digits, hyphens)');

const commonFields = {
  taskId: idSchema.optional().openapi({ description: 'Your id for the task (e.g. `t-sign-in`); generated when left out.' }),
  name: z.string().trim().min(2, 'give the task a name of at least 2 characters').max(120),
  description: z.string().max(2000).default(''),
  points: z
    .number()
    .int('points must be a whole number')
    .positive('points must be positive')
    .max(1_000_000)
    .openapi({ description: 'Points each completion pays (a sign-in streak bonus comes on top).' }),
  poolId: idSchema.openapi({ description: 'The points pool that pays; its budget and per-member daily caps apply to every completion.' }),
  activity: activityName.openapi({ description: "The pool's activity whose share pays." }),
  startsAt: isoTime('startsAt'),
  endsAt: isoTime('endsAt').nullable().default(null).openapi({ description: 'When the task closes; null: open-ended.' }),
  status: z.enum(['ACTIVE', 'PAUSED']).default('ACTIVE'),
  sortOrder: z.number().int().min(0).max(1_000_000).default(1000).openapi({ description: "Position in the members' task list, ascending." }),
};

const streakBonusSchema = z
  .object({
    day: z.number().int().min(2, 'a streak bonus is for day 2 or later').max(MAX_CHALLENGE_DAYS),
    points: z.number().int().positive().max(1_000_000),
  })
  .strict();

export const taskInputSchema = z
  .discriminatedUnion('type', [
    z
      .object({
        type: z.literal('SIGN_IN').openapi({ description: 'Daily check-in, once per programme-local day, with streak bonuses.' }),
        ...commonFields,
        streakBonuses: z
          .array(streakBonusSchema)
          .max(31)
          .default([])
          .refine((list) => new Set(list.map((b) => b.day)).size === list.length, 'each streak day may have one bonus')
          .openapi({ description: 'Bonuses added on streak days, e.g. [{ "day": 7, "points": 20 }].' }),
        streakBonusRepeats: z
          .boolean()
          .default(false)
          .openapi({ description: 'true: the schedule starts over after its last day (day 14 pays the day-7 bonus again); false: each bonus once per unbroken streak.' }),
      })
      .strict(),
    z
      .object({
        type: z.literal('SHARE').openapi({ description: 'Share something: points per share, up to timesPerDay a day.' }),
        ...commonFields,
        timesPerDay: z.number().int('timesPerDay must be a whole number').min(1).max(100),
      })
      .strict(),
    z
      .object({
        type: z.literal('BROWSE_PRODUCT').openapi({ description: 'Browse a mall product, once a day; the completion names the product.' }),
        ...commonFields,
        productId: idSchema.openapi({ description: 'The mall product to browse; it must exist.' }),
      })
      .strict(),
    z
      .object({
        type: z.literal('CUSTOM').openapi({ description: 'A brand-defined task done once per period.' }),
        ...commonFields,
        period: z.enum(taskPeriods).openapi({ description: 'DAILY (local day), WEEKLY (ISO week, Monday to Sunday, local) or ONCE.' }),
      })
      .strict(),
    z
      .object({
        type: z.literal('STREAK_CHALLENGE').openapi({ description: 'Sign in every day for streakDays days inside the window; claimed once.' }),
        ...commonFields,
        endsAt: z.iso
          .datetime({
            error: (issue) =>
              issue.input === undefined
                ? 'a streak challenge needs endsAt: its window is startsAt to endsAt'
                : 'endsAt must be an ISO-8601 UTC time such as 2026-12-01T00:00:00Z',
          })
          .openapi({ description: 'A challenge needs an end: its window is startsAt to endsAt.' }),
        signInTaskId: idSchema.openapi({ description: 'The SIGN_IN task whose sign-ins count.' }),
        streakDays: z.number().int().min(2).max(MAX_CHALLENGE_DAYS).openapi({ description: 'Days in a row that complete the challenge, e.g. 30.' }),
      })
      .strict(),
  ])
  .superRefine((task, ctx) => {
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
  })
  .openapi('TaskInput');

const nextCompletionSchema = z
  .object({
    points: z.number().int(),
    bonusPoints: z.number().int().openapi({ description: 'Sign-in: the streak bonus the next sign-in would add.' }),
    totalPoints: z.number().int(),
    streakDay: z.number().int().nullable().openapi({ description: 'Sign-in: the streak day the next sign-in would be.' }),
    availableFrom: z
      .string()
      .nullable()
      .openapi({ description: 'From when: now, the start of the next period, or null while a challenge streak is not reached.' }),
  })
  .openapi('NextCompletion');

const taskViewFields = {
  taskId: z.string(),
  type: z.enum(taskTypes),
  name: z.string(),
  description: z.string(),
  points: z.number().int(),
  period: z.enum(taskPeriods).openapi({ description: 'SIGN_IN, SHARE and BROWSE_PRODUCT: DAILY; STREAK_CHALLENGE: ONCE; CUSTOM: as created.' }),
  timesPerPeriod: z.number().int().openapi({ description: "SHARE: its timesPerDay; 1 for the other types." }),
  streakBonuses: z.array(z.object({ day: z.number().int(), points: z.number().int() })),
  streakBonusRepeats: z.boolean(),
  productId: z.string().nullable(),
  signInTaskId: z.string().nullable(),
  streakDays: z.number().int().nullable(),
  startsAt: z.string(),
  endsAt: z.string().nullable(),
};

export const taskSchema = z
  .object({
    ...taskViewFields,
    poolId: z.string(),
    activity: z.string(),
    status: z.enum(taskStatuses),
    sortOrder: z.number().int(),
    counterShards: z.number().int().openapi({ description: "Items the task's counters are spread over (8; 1 for a task created before sharding); the stats are their sums." }),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('Task');

export const taskWithStatsSchema = z
  .object({
    ...taskSchema.shape,
    stats: z.object({
      completions: z.number().int(),
      pointsAwarded: z.number().int(),
      periods: z
        .array(z.object({ period: z.string(), completions: z.number().int() }))
        .openapi({ description: 'Completions per period, the latest 31 periods, newest first.' }),
    }),
  })
  .openapi('TaskWithStats');

export const taskPatchSchema = z
  .object({
    expectedVersion: z.number().int().min(1).max(MAX_VERSION, MAX_VERSION_MESSAGE).openapi({ description: 'The version you read; refused with 409 if the task changed since.' }),
    status: z.enum(taskStatuses).optional().openapi({ description: 'PAUSED stops completions at once; ENDED is final.' }),
    name: commonFields.name.optional(),
    description: z.string().max(2000).optional(),
    endsAt: isoTime('endsAt').nullable().optional(),
    // Not commonFields.sortOrder: its default would put every task a patch leaves it out of back to 1000.
    sortOrder: z.number().int().min(0).max(1_000_000).optional().openapi({ description: "Position in the members' task list, ascending." }),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 1, { message: 'change at least one of status, name, description, endsAt, sortOrder' })
  .openapi('TaskPatch');

export const memberTaskSchema = z
  .object({
    ...taskViewFields,
    progress: z.object({
      period: z.string().openapi({ description: 'The current period: local day (YYYY-MM-DD), ISO week (YYYY-Www) or ONCE.' }),
      completions: z.number().int().openapi({ description: 'Completions in the current period.' }),
      done: z.boolean().openapi({ description: 'No completion left in the current period.' }),
      streak: z.number().int().nullable().openapi({ description: 'SIGN_IN: the current streak (yesterday\'s until you sign in today); STREAK_CHALLENGE: the current run inside the window.' }),
      bestRun: z.number().int().nullable().openapi({ description: 'STREAK_CHALLENGE: the longest run inside the window so far.' }),
      next: nextCompletionSchema.nullable().openapi({ description: 'What the next completion pays and from when; null: nothing more to earn.' }),
    }),
  })
  .openapi('MemberTask');

export const completionSchema = z
  .object({
    taskId: z.string(),
    type: z.enum(taskTypes),
    memberId: z.string(),
    period: z.string(),
    slot: z.number().int().openapi({ description: 'Which of the period\'s completions this is (SHARE: 1 to timesPerDay).' }),
    points: z.number().int(),
    bonusPoints: z.number().int(),
    totalPoints: z.number().int(),
    streak: z.number().int().nullable().openapi({ description: 'SIGN_IN: the streak this sign-in makes.' }),
    poolId: z.string(),
    activity: z.string(),
    entryId: z.string().openapi({ description: 'The EARN ledger entry.' }),
    completedAt: z.string(),
  })
  .openapi('TaskCompletion');

/** A completion as stored, for operators (the ledger entry it paid carries the same `ref`). */
export const completionRecordSchema = z
  .object({
    taskId: z.string(),
    type: z.enum(taskTypes),
    memberId: z.string(),
    period: z.string().openapi({ description: 'The period it counts for: a programme-local day, an ISO week, or ONCE.' }),
    slot: z.number().int(),
    day: z.string().openapi({ description: 'Programme-local day it was done.' }),
    points: z.number().int(),
    bonusPoints: z.number().int(),
    totalPoints: z.number().int(),
    streak: z.number().int().nullable(),
    productId: z.string().optional().openapi({ description: 'BROWSE_PRODUCT: the product browsed.' }),
    poolId: z.string(),
    activity: z.string(),
    ref: z.string().openapi({ description: 'The `ref` of the EARN ledger entry that paid it.' }),
    completedAt: z.string(),
  })
  .openapi('TaskCompletionRecord');

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
    response: pageOf(taskSchema).openapi('TaskPage'),
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
    response: z
      .object({
        day: z.string().openapi({ description: 'Today, programme-local (YYYY-MM-DD).' }),
        timezone: z.string(),
        items: z.array(memberTaskSchema),
      })
      .openapi('MemberTaskList'),
  }),
  completeTask: operation({
    summary: 'Complete a task (daily sign-in is the task of type SIGN_IN); pays its points from its pool',
    description:
      'Once per period (SHARE: up to timesPerDay a day), enforced by a conditional write: a repeat answers 409 ALREADY_COMPLETED, ' +
      'an exhausted pool BUDGET_EXHAUSTED, a reached daily cap LIMIT_REACHED, a challenge whose streak is not reached THRESHOLD_NOT_MET; ' +
      'nothing is written then. Idempotency-Key is optional (completions are once per period anyway; a key makes a SHARE retry safe).',
    tags: ['tasks'],
    params: taskParams,
    body: z
      .object({
        productId: idSchema.optional().openapi({ description: 'BROWSE_PRODUCT: the product browsed (must be the task\'s); SHARE: what was shared (optional).' }),
      })
      .strict()
      .openapi('CompletionInput'),
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
    query: pageQuerySchema.extend({ taskId: idSchema.optional().openapi({ description: 'Only the completions of this task.' }) }),
    response: pageOf(completionRecordSchema).openapi('TaskCompletionRecordPage'),
    errors: ['NOT_FOUND'],
  }),
  listMySignIns: operation({
    summary: 'My sign-in calendar for a month: the days I signed in, each with its streak and points',
    tags: ['tasks'],
    query: z.object({
      month: z
        .string()
        .refine(isMonth, 'a month like 2026-11')
        .optional()
        .openapi({ description: 'Programme-local month (YYYY-MM); the current one when left out.' }),
      taskId: idSchema.optional().openapi({ description: 'The SIGN_IN task; the first open one when left out.' }),
    }),
    response: z
      .object({
        taskId: z.string(),
        month: z.string(),
        timezone: z.string(),
        today: z.string(),
        currentStreak: z.number().int(),
        days: z.array(
          z.object({ day: z.string(), streak: z.number().int(), points: z.number().int(), bonusPoints: z.number().int(), at: z.string() }),
        ),
      })
      .openapi('SignInCalendar'),
    errors: ['NOT_FOUND'],
  }),
};
