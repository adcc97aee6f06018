/**
 * Demo tasks for the task centre (docs/tasks.md): a daily sign-in with a
 * day-7 bonus, a share task, browsing a seeded product, a weekly custom task
 * and a 30-day streak challenge, with fixed ids. Safe on every start: tasks
 * and the pool are created once and never changed by later starts.
 */
import { localDate } from '../../shared/domain/programme.js';
import { startOfLocalDay } from '../../shared/domain/tasks.js';
import { DomainError } from '../../shared/errors.js';
import { createPool } from '../../shared/earning/pools.js';
import { createTask, TASK_COUNTER_SHARDS, type TaskInput } from '../../shared/tasks/definitions.js';

/**
 * The demo tasks' pool. The seeded `pool-demo` does not fit them: its sign-in
 * activity is capped at 5 points a member a day (the day-7 sign-in pays 25),
 * it has no activity for browsing, custom tasks or challenges, and pools
 * cannot change once created. So the tasks get a pool of their own.
 */
export const TASKS_POOL_ID = 'pool-tasks';

/** Milliseconds in the longest streak challenge window (366 days). */
const CHALLENGE_WINDOW_MS = 366 * 86_400_000;

async function unlessExists(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
  }
}

/** Seeds the task centre; `p-tea-set` (browsed) must exist already. */
export async function seedTasks(now: Date): Promise<void> {
  await unlessExists(() =>
    createPool(
      {
        name: 'Task centre (demo)',
        budgetPoints: 1_000_000,
        activities: [
          { activity: 'sign-in', weight: 40, dailyCapPerMember: 25 },
          { activity: 'share', weight: 20, dailyCapPerMember: 30 },
          { activity: 'browse', weight: 10, dailyCapPerMember: 5 },
          { activity: 'custom', weight: 10 },
          { activity: 'challenge', weight: 20 },
        ],
      },
      'seed',
      { poolId: TASKS_POOL_ID, now },
    ),
  );
  // Open from the start of the local day of the first start.
  const startsAt = startOfLocalDay(localDate(now)).toISOString();
  const common = { description: '', poolId: TASKS_POOL_ID, startsAt, endsAt: null, status: 'ACTIVE' as const, counterShards: TASK_COUNTER_SHARDS };
  const tasks: TaskInput[] = [
    {
      ...common,
      type: 'SIGN_IN',
      taskId: 't-sign-in',
      name: 'Daily sign-in: 5 points, +20 on every 7th day in a row',
      points: 5,
      activity: 'sign-in',
      sortOrder: 10,
      streakBonuses: [{ day: 7, points: 20 }],
      streakBonusRepeats: true,
    },
    { ...common, type: 'SHARE', taskId: 't-share', name: 'Share a product with a friend (10 points, 3 times a day)', points: 10, activity: 'share', sortOrder: 20, timesPerDay: 3 },
    { ...common, type: 'BROWSE_PRODUCT', taskId: 't-browse-tea-set', name: 'Have a look at our porcelain tea set', points: 5, activity: 'browse', sortOrder: 30, productId: 'p-tea-set' },
    { ...common, type: 'CUSTOM', taskId: 't-weekly-review', name: 'Review a purchase this week', points: 20, activity: 'custom', sortOrder: 40, period: 'WEEKLY' },
    {
      ...common,
      type: 'STREAK_CHALLENGE',
      taskId: 't-streak-30',
      name: 'Sign in 30 days in a row: 300 points',
      points: 300,
      activity: 'challenge',
      sortOrder: 50,
      endsAt: new Date(Date.parse(startsAt) + CHALLENGE_WINDOW_MS).toISOString(),
      signInTaskId: 't-sign-in',
      streakDays: 30,
    },
  ];
  for (const task of tasks) await unlessExists(() => createTask(task, 'seed', now));
}
