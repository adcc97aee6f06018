import { BatchGetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { seedTasks, TASKS_POOL_ID } from '../../bin/local/seed-tasks.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../shared/domain/tasks.js';
import { createPool, getPool, type PoolInput } from '../../shared/earning/pools.js';
import { DomainError } from '../../shared/errors.js';
import { fingerprintOf } from '../../shared/ledger/idempotency.js';
import { allLedgerEntries, getWallet } from '../../shared/ledger/reader.js';
import { createProduct } from '../../shared/mall/catalogue.js';
import { registerMember } from '../../shared/members/service.js';
import { db, dbCallCounts, resetDbCallCounts, tableName } from '../../shared/table/client.js';
import { keys } from '../../shared/table/keys.js';
import { completeTask, memberTasks, signInCalendar, type CompletionInput, type CompletionResult } from '../../shared/tasks/completions.js';
import { createTask, forgetCachedTasks, getTask, getTaskWithStats, TASK_COUNTER_SHARDS, updateTask, type TaskInput } from '../../shared/tasks/definitions.js';
import { TestApi, uniqueId, type ApiResponse } from '../support/api.js';
import { expectLedgerExplainsWallet } from '../support/invariants.js';

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await TestApi.create();
  admin = await api.token('admin');
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Noon in Shanghai (04:00 UTC) on a local day. */
const noonOn = (day: string) => new Date(`${day}T04:00:00Z`);

async function newPool(activities: PoolInput['activities'], budgetPoints = 100_000, counterShards?: number): Promise<string> {
  return (await createPool({ name: 'task test pool', budgetPoints, activities, counterShards }, 'test')).poolId;
}

async function newMembers(count: number, prefix: string): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const id = uniqueId(prefix);
      await registerMember(id, {});
      return id;
    }),
  );
}

const signInTask = (poolId: string, extra: Partial<TaskInput> = {}): TaskInput =>
  ({
    type: 'SIGN_IN',
    taskId: uniqueId('t-sign-in'),
    name: 'Daily sign-in',
    description: '',
    points: 5,
    poolId,
    activity: 'sign-in',
    startsAt: '2026-01-01T00:00:00Z',
    endsAt: null,
    status: 'ACTIVE',
    sortOrder: 10,
    counterShards: TASK_COUNTER_SHARDS,
    streakBonuses: [{ day: 7, points: 20 }],
    streakBonusRepeats: false,
    ...extra,
  }) as TaskInput;

/** Completes through the API; like a real client, retries a 409 CONFLICT (ledger contention). */
async function completeOverHttp(token: string, taskId: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResponse<Record<string, unknown>>> {
  for (let attempt = 1; ; attempt += 1) {
    const res = await api.call('POST', `/v1/tasks/${taskId}/completions`, { token, body: options.body ?? {}, headers: options.headers ?? {} });
    if (res.status !== 409 || res.body.code !== 'CONFLICT' || attempt >= 20) return res;
    await sleep(Math.random() * 50);
  }
}

/** Completes through the service (injected clock): the result, or the error code; retries CONFLICT like a client. */
async function tryComplete(input: CompletionInput): Promise<CompletionResult | string> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const outcome = await completeTask(input);
      return outcome.response?.body as CompletionResult;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code !== 'CONFLICT' || attempt >= 20) return error.code;
      await sleep(Math.random() * 50);
    }
  }
}

describe('daily sign-in', () => {
  it('pays 20 parallel sign-ins of one member on one day once; the others answer ALREADY_COMPLETED', async () => {
    // Prepare
    const poolId = await newPool([{ activity: 'sign-in', weight: 1 }]);
    const created = await api.call<{ taskId: string; version: number }>('POST', '/v1/admin/tasks', { token: admin, body: { ...signInTask(poolId) } });
    const { memberId, token } = await api.newMember('signin-rush');

    // Act
    const answers = await Promise.all(Array.from({ length: 20 }, () => completeOverHttp(token, created.body.taskId)));

    // Assess
    expect(created.status).toBe(201);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409 && a.body.code === 'ALREADY_COMPLETED')).toHaveLength(19);
    expect(answers.find((a) => a.status === 201)?.body).toMatchObject({ memberId, points: 5, bonusPoints: 0, totalPoints: 5, streak: 1, slot: 1 });
    const { wallet, entries } = await expectLedgerExplainsWallet(memberId);
    expect(entries.map((e) => [e.type, e.points])).toEqual([['EARN', 5]]);
    expect(wallet.available).toBe(5);
    expect((await getPool(poolId)).issued).toBe(5);
    expect((await getTaskWithStats(created.body.taskId)).stats).toMatchObject({ completions: 1, pointsAwarded: 5 });
  });

  it('pays the day-7 streak bonus: seven local days in a row earn 5 x 6 + (5 + 20); a missed day starts over', async () => {
    // Prepare
    const poolId = await newPool([{ activity: 'sign-in', weight: 1 }]);
    const task = await createTask(signInTask(poolId), 'test');
    const [memberId] = (await newMembers(1, 'signin-streak')) as [string];
    const days = Array.from({ length: 7 }, (_, i) => addDays('2026-10-01', i));

    // Act: days 1-7, then skip 8 October and sign in on the 9th
    const week: (CompletionResult | string)[] = [];
    for (const day of days) week.push(await tryComplete({ memberId, taskId: task.taskId, now: noonOn(day) }));
    const beforeBreak = await memberTasks(memberId, noonOn('2026-10-08'));
    const afterBreak = await tryComplete({ memberId, taskId: task.taskId, now: noonOn('2026-10-09') });

    // Assess
    expect(week.map((r) => (r as CompletionResult).streak)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(week.map((r) => (r as CompletionResult).totalPoints)).toEqual([5, 5, 5, 5, 5, 5, 25]);
    expect(week[6]).toMatchObject({ points: 5, bonusPoints: 20, period: '2026-10-07' });
    // On the 8th, before signing in, the streak of 7 is still alive and the next sign-in would be day 8.
    expect(beforeBreak.items.find((t) => t.taskId === task.taskId)?.progress).toMatchObject({ streak: 7, completions: 0, next: { streakDay: 8, totalPoints: 5 } });
    expect(afterBreak).toMatchObject({ streak: 1, totalPoints: 5 });
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(5 * 6 + (5 + 20) + 5);
    const calendar = await signInCalendar(memberId, { taskId: task.taskId, month: '2026-10' }, noonOn('2026-10-09'));
    expect(calendar.days.map((d) => [d.day, d.streak])).toEqual([...days.map((d, i) => [d, i + 1]), ['2026-10-09', 1]]);
    expect(calendar.currentStreak).toBe(1);
  });

  it('counts a sign-in at 23:59 and one at 00:01 local time as two days (Asia/Shanghai)', async () => {
    // Prepare: 23:59 on 14 October in Shanghai is 15:59 UTC
    const poolId = await newPool([{ activity: 'sign-in', weight: 1 }]);
    const task = await createTask(signInTask(poolId), 'test');
    const [memberId] = (await newMembers(1, 'signin-midnight')) as [string];

    // Act
    const late = await tryComplete({ memberId, taskId: task.taskId, now: new Date('2026-10-14T15:59:00Z') });
    const early = await tryComplete({ memberId, taskId: task.taskId, now: new Date('2026-10-14T16:01:00Z') });
    const again = await tryComplete({ memberId, taskId: task.taskId, now: new Date('2026-10-14T16:02:00Z') });

    // Assess: in UTC both first sign-ins fall on the 14th; locally they are the 14th and the 15th
    expect(late).toMatchObject({ period: '2026-10-14', streak: 1 });
    expect(early).toMatchObject({ period: '2026-10-15', streak: 2 });
    expect(again).toBe('ALREADY_COMPLETED');
    expect((await expectLedgerExplainsWallet(memberId)).wallet.available).toBe(10);
  });

  it("keeps every stored streak its previous day's + 1 when sign-ins straddle midnight", async () => {
    // Prepare: each member has a streak of 1 on the 19th, then signs in at 23:59:59.9 on the 20th and at
    // 00:00:00.1 on the 21st at the same moment (a slow request from before midnight and a fast one after)
    const poolId = await newPool([{ activity: 'sign-in', weight: 1 }]);
    const task = await createTask(signInTask(poolId, { streakBonuses: [] }), 'test');
    const members = await newMembers(15, 'signin-race');
    for (const memberId of members) await tryComplete({ memberId, taskId: task.taskId, now: noonOn('2026-10-19') });

    // Act
    const results = await Promise.all(
      members.map((memberId) =>
        Promise.all([
          tryComplete({ memberId, taskId: task.taskId, now: new Date('2026-10-20T15:59:59.900Z') }),
          tryComplete({ memberId, taskId: task.taskId, now: new Date('2026-10-20T16:00:00.100Z') }),
        ]),
      ),
    );

    // Assess: the 20th first continues into the 21st; the 21st first refuses the late 20th
    for (const [i, [late, early]] of results.entries()) {
      if (typeof late === 'string') {
        expect(late).toBe('ALREADY_COMPLETED');
        expect(early).toMatchObject({ period: '2026-10-21', streak: 1 });
      } else {
        expect(late).toMatchObject({ period: '2026-10-20', streak: 2 });
        expect(early).toMatchObject({ period: '2026-10-21', streak: 3 });
      }
      const calendar = await signInCalendar(members[i] as string, { taskId: task.taskId, month: '2026-10' }, noonOn('2026-10-21'));
      for (const [j, d] of calendar.days.entries()) {
        const previous = calendar.days[j - 1];
        expect(d.streak).toBe(previous && addDays(previous.day, 1) === d.day ? previous.streak + 1 : 1);
      }
      expect((await expectLedgerExplainsWallet(members[i] as string)).wallet.available).toBe(calendar.days.length * 5);
    }
  });

  it('stops paying when the pool share is used up: 30 members at once on a share of 10 sign-ins', async () => {
    // Prepare: budget 50 = ten sign-ins of 5
    const poolId = await newPool([{ activity: 'sign-in', weight: 1 }], 50);
    const task = await createTask(signInTask(poolId, { streakBonuses: [] }), 'test');
    const members = await newMembers(30, 'signin-pool');
    const tokens = await Promise.all(members.map((m) => api.token('member', m)));

    // Act
    const answers = await Promise.all(tokens.map((token) => completeOverHttp(token, task.taskId)));

    // Assess
    expect(answers.filter((a) => a.status === 201)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 409 && a.body.code === 'BUDGET_EXHAUSTED')).toHaveLength(20);
    const pool = await getPool(poolId);
    expect(pool).toMatchObject({ issued: 50, left: 0, awards: 10 });
    expect(pool.activities[0]).toMatchObject({ sharePoints: 50, issued: 50, left: 0 });
    let paid = 0;
    for (const m of members) paid += (await expectLedgerExplainsWallet(m)).wallet.available;
    expect(paid).toBe(50);
    // A refused sign-in records nothing: those members have not signed in.
    const unpaid = members.filter((_, i) => answers[i]?.status !== 201);
    for (const m of unpaid.slice(0, 5)) expect((await signInCalendar(m, { taskId: task.taskId })).days).toEqual([]);
    expect((await getTaskWithStats(task.taskId)).stats).toMatchObject({ completions: 10, pointsAwarded: 50 });
  });

  it('refuses a sign-in task whose day-7 award the pool activity\'s daily cap could never pay', async () => {
    // Prepare: the demo pool's shape, sign-in capped at 5 a member a day
    const poolId = await newPool([{ activity: 'sign-in', weight: 1, dailyCapPerMember: 5 }]);

    // Act
    const refused = await api.call<{ detail: string }>('POST', '/v1/admin/tasks', { token: admin, body: signInTask(poolId) });
    const unknownActivity = await api.call('POST', '/v1/admin/tasks', { token: admin, body: signInTask(poolId, { activity: 'games' }) });
    const unknownPool = await api.call('POST', '/v1/admin/tasks', { token: admin, body: signInTask('pool-nowhere') });
    const withoutBonus = await api.call('POST', '/v1/admin/tasks', { token: admin, body: signInTask(poolId, { streakBonuses: [] }) });

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toMatch(/up to 25 points a member a day, over the daily cap of 5/);
    expect(unknownActivity.status).toBe(400);
    expect(unknownPool.status).toBe(400);
    expect(withoutBonus.status).toBe(201);
  });

  it('spreads a new task over 8 counter shards unless it asks for 1 to 32, and refuses more with a clear 400', async () => {
    // Prepare
    const poolId = await newPool([{ activity: 'sign-in', weight: 1 }]);
    const { counterShards: _default, ...withoutShards } = signInTask(poolId);

    // Act
    const byDefault = await api.call<{ counterShards: number }>('POST', '/v1/admin/tasks', { token: admin, body: withoutShards });
    const asked = await api.call<{ counterShards: number }>('POST', '/v1/admin/tasks', { token: admin, body: signInTask(poolId, { counterShards: 24 }) });
    const tooMany = await api.call<{ detail: string }>('POST', '/v1/admin/tasks', { token: admin, body: signInTask(poolId, { counterShards: 33 }) });

    // Assess
    expect(byDefault.status, byDefault.text).toBe(201);
    expect(byDefault.body.counterShards).toBe(8);
    expect(asked.status, asked.text).toBe(201);
    expect(asked.body.counterShards).toBe(24);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.detail).toContain('counterShards must be at most 32');
  });
});

describe('share, browse and custom tasks', () => {
  it('pays a share up to 3 times a day, one slot each, even when the shares race', async () => {
    // Prepare
    const poolId = await newPool([{ activity: 'share', weight: 1, dailyCapPerMember: 30 }]);
    const task = await createTask(
      { type: 'SHARE', taskId: uniqueId('t-share'), name: 'Share a product', description: '', points: 10, poolId, activity: 'share', startsAt: '2026-01-01T00:00:00Z', endsAt: null, status: 'ACTIVE', counterShards: TASK_COUNTER_SHARDS, sortOrder: 20, timesPerDay: 3 },
      'test',
    );
    const { memberId, token } = await api.newMember('share');

    // Act: five shares at once, then a retry of the first successful one with its key, then tomorrow
    const keyed = await completeOverHttp(token, task.taskId, { headers: { 'idempotency-key': `share-${memberId}-1` }, body: { productId: 'p-tea-set' } });
    const rush = await Promise.all(Array.from({ length: 4 }, () => completeOverHttp(token, task.taskId)));
    const retry = await completeOverHttp(token, task.taskId, { headers: { 'idempotency-key': `share-${memberId}-1` }, body: { productId: 'p-tea-set' } });
    const tomorrow = await tryComplete({ memberId, taskId: task.taskId, now: new Date(Date.now() + 86_400_000) });

    // Assess
    const paid = [keyed, ...rush].filter((a) => a.status === 201);
    expect(paid.map((a) => a.body.slot).sort()).toEqual([1, 2, 3]);
    expect(rush.filter((a) => a.status === 409 && a.body.code === 'ALREADY_COMPLETED')).toHaveLength(2);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(keyed.body);
    expect(tomorrow).toMatchObject({ slot: 1, totalPoints: 10 });
    const { wallet } = await expectLedgerExplainsWallet(memberId);
    expect(wallet.available).toBe(40);
  });

  it('pays browsing the task\'s product once a day and refuses another product, writing nothing', async () => {
    // Prepare
    const productId = uniqueId('p-browse');
    await createProduct({
      productId, name: 'Browse me', description: '', type: 'PHYSICAL', zone: 'main', pricePoints: 100, pointsCash: null, visibleToTiers: null,
      limits: { perDay: null, lifetime: null }, saleStartsAt: null, saleEndsAt: null, supplier: null, couponTemplateId: null,
      status: 'ACTIVE', sortOrder: 1000, stockShards: 1, initialStock: 1,
    });
    const poolId = await newPool([{ activity: 'browse', weight: 1 }]);
    const body = { type: 'BROWSE_PRODUCT', taskId: uniqueId('t-browse'), name: 'Look at our new product', points: 3, poolId, activity: 'browse', startsAt: '2026-01-01T00:00:00Z', productId };
    const created = await api.call<{ taskId: string }>('POST', '/v1/admin/tasks', { token: admin, body });
    const missingProduct = await api.call('POST', '/v1/admin/tasks', { token: admin, body: { ...body, taskId: uniqueId('t-browse'), productId: 'p-nowhere' } });
    const { memberId, token } = await api.newMember('browse');

    // Act
    const wrong = await completeOverHttp(token, created.body.taskId, { body: { productId: 'p-tea-set' } });
    const none = await completeOverHttp(token, created.body.taskId);
    const afterRefusals = await getWallet(memberId, 'points');
    const right = await completeOverHttp(token, created.body.taskId, { body: { productId } });
    const twice = await completeOverHttp(token, created.body.taskId, { body: { productId } });

    // Assess
    expect(created.status).toBe(201);
    expect(missingProduct.status).toBe(400);
    expect(wrong.status).toBe(400);
    expect(wrong.headers['content-type']).toBe('application/problem+json');
    expect(wrong.body.detail).toMatch(/browsing product/);
    expect(none.status).toBe(400);
    expect(afterRefusals.available).toBe(0);
    expect(right.status).toBe(201);
    expect(twice.body.code).toBe('ALREADY_COMPLETED');
    expect((await allLedgerEntries(memberId, 'points')).map((e) => e.points)).toEqual([3]);
  });

  it('completes a weekly custom task once per local ISO week and a ONCE task once ever', async () => {
    // Prepare
    const poolId = await newPool([{ activity: 'custom', weight: 1 }]);
    const custom = (period: 'WEEKLY' | 'ONCE'): TaskInput =>
      ({ type: 'CUSTOM', taskId: uniqueId('t-custom'), name: `Custom ${period}`, description: '', points: 50, poolId, activity: 'custom', startsAt: '2026-01-01T00:00:00Z', endsAt: null, status: 'ACTIVE', counterShards: TASK_COUNTER_SHARDS, sortOrder: 30, period }) as TaskInput;
    const weekly = await createTask(custom('WEEKLY'), 'test');
    const once = await createTask(custom('ONCE'), 'test');
    const [memberId] = (await newMembers(1, 'custom')) as [string];

    // Act: Monday 16 November, Sunday 22 November 23:30 local (15:30 UTC), Monday 23 November 00:30 local
    const monday = await tryComplete({ memberId, taskId: weekly.taskId, now: noonOn('2026-11-16') });
    const sunday = await tryComplete({ memberId, taskId: weekly.taskId, now: new Date('2026-11-22T15:30:00Z') });
    const nextMonday = await tryComplete({ memberId, taskId: weekly.taskId, now: new Date('2026-11-22T16:30:00Z') });
    const first = await tryComplete({ memberId, taskId: once.taskId, now: noonOn('2026-11-16') });
    const later = await tryComplete({ memberId, taskId: once.taskId, now: noonOn('2026-11-20') });

    // Assess
    expect(monday).toMatchObject({ period: '2026-W47' });
    expect(sunday).toBe('ALREADY_COMPLETED');
    expect(nextMonday).toMatchObject({ period: '2026-W48' });
    expect(first).toMatchObject({ period: 'ONCE' });
    expect(later).toBe('ALREADY_COMPLETED');
    expect((await expectLedgerExplainsWallet(memberId)).wallet.available).toBe(150);
  });
});

describe('streak challenges', () => {
  it('refuses a challenge whose end is not a time with 400 naming the field, not a 500 from its window check', async () => {
    // Prepare
    const body = {
      type: 'STREAK_CHALLENGE', name: 'Bad window', points: 1, poolId: 'pool-nowhere', activity: 'sign-in',
      startsAt: '2026-11-01T16:00:00Z', endsAt: '', signInTaskId: 't-sign-in', streakDays: 2,
    };

    // Act
    const refused = await api.call<{ errors: { path: string }[] }>('POST', '/v1/admin/tasks', { token: admin, body });
    const badStart = await api.call<{ errors: { path: string }[] }>('POST', '/v1/admin/tasks', { token: admin, body: { ...body, startsAt: 'soon', endsAt: '2026-11-08T16:00:00Z' } });

    // Assess
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e) => e.path)).toContain('body.endsAt');
    expect(badStart.status).toBe(400);
    expect(badStart.body.errors.map((e) => e.path)).toContain('body.startsAt');
  });

  it('pays a challenge once when the sign-in streak inside its window reaches its days', async () => {
    // Prepare: a 3-day challenge in the local week of 2 to 8 November
    const poolId = await newPool([{ activity: 'sign-in', weight: 1 }, { activity: 'challenge', weight: 1 }]);
    const signIn = await createTask(signInTask(poolId, { streakBonuses: [] }), 'test');
    const challenge = await createTask(
      {
        type: 'STREAK_CHALLENGE', taskId: uniqueId('t-challenge'), name: 'Three days in a row', description: '', points: 100, poolId, activity: 'challenge',
        startsAt: '2026-11-01T16:00:00Z', endsAt: '2026-11-08T16:00:00Z', status: 'ACTIVE', counterShards: TASK_COUNTER_SHARDS, sortOrder: 40, signInTaskId: signIn.taskId, streakDays: 3,
      },
      'test',
    );
    const [memberId] = (await newMembers(1, 'challenge')) as [string];
    // 1 November is before the window: it must not count.
    for (const day of ['2026-11-01', '2026-11-02', '2026-11-03']) await tryComplete({ memberId, taskId: signIn.taskId, now: noonOn(day) });

    // Act
    const early = await tryComplete({ memberId, taskId: challenge.taskId, now: noonOn('2026-11-03') });
    const progress = await memberTasks(memberId, noonOn('2026-11-03'));
    await tryComplete({ memberId, taskId: signIn.taskId, now: noonOn('2026-11-04') });
    const claimed = await tryComplete({ memberId, taskId: challenge.taskId, now: noonOn('2026-11-05') });
    const again = await tryComplete({ memberId, taskId: challenge.taskId, now: noonOn('2026-11-06') });

    // Assess
    expect(early).toBe('THRESHOLD_NOT_MET');
    expect(progress.items.find((t) => t.taskId === challenge.taskId)?.progress).toMatchObject({ streak: 2, bestRun: 2, done: false, next: { totalPoints: 100, availableFrom: null } });
    expect(claimed).toMatchObject({ period: 'ONCE', totalPoints: 100 });
    expect(again).toBe('ALREADY_COMPLETED');
    expect((await expectLedgerExplainsWallet(memberId)).wallet.available).toBe(4 * 5 + 100);
  });
});

describe('operators and the member list', () => {
  it('stops paying at the share of a pool of 5 counter shards too: 30 members at once on a share of 10 sign-ins', async () => {
    // Prepare: budget 50 over 5 shards of 10 = two sign-ins of 5 each
    const poolId = await newPool([{ activity: 'sign-in', weight: 1 }], 50, 5);
    const task = await createTask(signInTask(poolId, { streakBonuses: [] }), 'test');
    const members = await newMembers(30, 'signin-shards');
    const tokens = await Promise.all(members.map((m) => api.token('member', m)));

    // Act
    const answers = await Promise.all(tokens.map((token) => completeOverHttp(token, task.taskId)));

    // Assess
    expect(answers.filter((a) => a.status === 201)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 409 && a.body.code === 'BUDGET_EXHAUSTED')).toHaveLength(20);
    expect(await getPool(poolId)).toMatchObject({ counterShards: 5, issued: 50, left: 0, awards: 10 });
    let paid = 0;
    for (const m of members) paid += (await expectLedgerExplainsWallet(m)).wallet.available;
    expect(paid).toBe(50);
  });

  it('pauses, resumes and ends a task; completions follow its status, and counts show per period', async () => {
    // Prepare
    const poolId = await newPool([{ activity: 'custom', weight: 1 }]);
    const body = { type: 'CUSTOM', taskId: uniqueId('t-ops'), name: 'Follow our account', points: 8, poolId, activity: 'custom', startsAt: '2026-01-01T00:00:00Z', period: 'DAILY' };
    const created = await api.call<{ taskId: string; version: number }>('POST', '/v1/admin/tasks', { token: admin, body });
    const taskId = created.body.taskId;
    const { token } = await api.newMember('ops');
    const [other] = (await newMembers(1, 'ops-other')) as [string];

    // Act
    const paused = await api.call<{ version: number; status: string }>('PATCH', `/v1/admin/tasks/${taskId}`, { token: admin, body: { expectedVersion: 1, status: 'PAUSED' } });
    const whilePaused = await completeOverHttp(token, taskId);
    const listedWhilePaused = await api.call<{ items: { taskId: string }[] }>('GET', '/v1/tasks', { token });
    const stale = await api.call('PATCH', `/v1/admin/tasks/${taskId}`, { token: admin, body: { expectedVersion: 1, status: 'ACTIVE' } });
    const resumed = await api.call('PATCH', `/v1/admin/tasks/${taskId}`, { token: admin, body: { expectedVersion: 2, status: 'ACTIVE' } });
    const done = await completeOverHttp(token, taskId);
    const listed = await api.call<{ items: { taskId: string; progress: { completions: number; done: boolean } }[] }>('GET', '/v1/tasks', { token });
    const duplicate = await api.call('POST', '/v1/admin/tasks', { token: admin, body });
    const stats = await api.call<{ stats: { completions: number; pointsAwarded: number; periods: { period: string; completions: number }[] } }>('GET', `/v1/admin/tasks/${taskId}`, { token: admin });
    const ended = await api.call('PATCH', `/v1/admin/tasks/${taskId}`, { token: admin, body: { expectedVersion: 3, status: 'ENDED' } });
    const afterEnd = await tryComplete({ memberId: other, taskId });
    const reopen = await api.call('PATCH', `/v1/admin/tasks/${taskId}`, { token: admin, body: { expectedVersion: 4, status: 'ACTIVE' } });
    const list = await api.call<{ items: { taskId: string; status: string }[] }>('GET', '/v1/admin/tasks?limit=100', { token: admin });

    // Assess
    expect(paused.body).toMatchObject({ status: 'PAUSED', version: 2 });
    expect(whilePaused.status).toBe(409);
    expect(whilePaused.body).toMatchObject({ code: 'CONFLICT', status: 409 });
    expect(listedWhilePaused.body.items.map((t) => t.taskId)).not.toContain(taskId);
    expect(stale.status).toBe(409);
    expect(resumed.status).toBe(200);
    expect(done.status).toBe(201);
    expect(listed.body.items.find((t) => t.taskId === taskId)?.progress).toMatchObject({ completions: 1, done: true });
    expect(duplicate.status).toBe(409);
    expect(stats.body.stats).toMatchObject({ completions: 1, pointsAwarded: 8, periods: [{ completions: 1 }] });
    expect(ended.status).toBe(200);
    expect(afterEnd).toBe('CONFLICT');
    expect(reopen.status).toBe(409);
    expect(list.body.items.find((t) => t.taskId === taskId)).toMatchObject({ status: 'ENDED' });
  });

  it("spreads a task's counts over the counter shards it asked for (32, the most), sums them, and pauses every shard in one change", async () => {
    // Prepare
    const poolId = await newPool([{ activity: 'custom', weight: 1 }]);
    const task = await createTask(
      { type: 'CUSTOM', taskId: uniqueId('t-shards'), name: 'Sharded counts', description: '', points: 2, poolId, activity: 'custom', startsAt: '2026-01-01T00:00:00Z', endsAt: null, status: 'ACTIVE', counterShards: 32, sortOrder: 1, period: 'DAILY' },
      'test',
    );
    const members = await newMembers(40, 'task-shards');

    // Act: 40 completions at once, then a pause, then 20 more attempts
    const paid = await Promise.all(members.map((memberId) => completeTask({ memberId, taskId: task.taskId }).then(() => 'ok', (e: DomainError) => e.code)));
    await updateTask(task.taskId, { expectedVersion: 1, status: 'PAUSED' });
    const afterPause = await Promise.all((await newMembers(20, 'task-paused')).map((memberId) => completeTask({ memberId, taskId: task.taskId }).then(() => 'ok', (e: DomainError) => e.code)));
    const Keys = Array.from({ length: 32 }, (_, shard) => keys.task.counterShard(task.taskId, shard));
    const shards = (await db().send(new BatchGetCommand({ RequestItems: { [tableName()]: { Keys, ConsistentRead: true } } }))).Responses?.[tableName()] ?? [];

    // Assess
    expect(task.counterShards).toBe(32);
    expect(paid.filter((o) => o === 'ok')).toHaveLength(40);
    expect(afterPause).toEqual(Array.from({ length: 20 }, () => 'CONFLICT'));
    expect(shards).toHaveLength(32);
    expect(shards.every((item) => item.status === 'PAUSED')).toBe(true);
    // More than one shard took completions, and their sums are the task's stats
    expect(shards.filter((item) => Number(item.completions) > 0).length).toBeGreaterThan(1);
    const stats = (await getTaskWithStats(task.taskId)).stats;
    expect(stats).toMatchObject({ completions: 40, pointsAwarded: 80 });
    expect(stats.periods).toHaveLength(1);
    expect(stats.periods[0]?.completions).toBe(40);
  });

  it('keeps completing, counting and pausing a task stored before counter shards (no shard count, one counters item)', async () => {
    // Prepare: a task as stored before counter shards existed
    const poolId = await newPool([{ activity: 'custom', weight: 1 }]);
    const taskId = uniqueId('t-legacy');
    const at = '2026-01-01T00:00:00.000Z';
    const definition = { taskId, type: 'CUSTOM', name: 'Legacy task', description: '', points: 3, poolId, activity: 'custom', period: 'DAILY', timesPerPeriod: 1, streakBonuses: [], streakBonusRepeats: false, productId: null, signInTaskId: null, streakDays: null, startsAt: at, endsAt: null, status: 'ACTIVE', sortOrder: 1, version: 1, createdAt: at, updatedAt: at, createdBy: 'test' };
    await db().send(new PutCommand({ TableName: tableName(), Item: { ...keys.task.definition(taskId), ...keys.task.listEntry(taskId, at), ...keys.task.openEntry(taskId, null), entity: 'Task', ...definition } }));
    await db().send(new PutCommand({ TableName: tableName(), Item: { PK: `TASK#${taskId}`, SK: 'COUNTERS', entity: 'TaskCounters', taskId, status: 'ACTIVE', completions: 7, pointsAwarded: 21 } }));
    forgetCachedTasks();
    const members = await newMembers(6, 'task-legacy');

    // Act
    const before = await Promise.all(members.slice(0, 3).map((memberId) => completeTask({ memberId, taskId })));
    await updateTask(taskId, { expectedVersion: 1, status: 'PAUSED' });
    const after = await Promise.all(members.slice(3).map((memberId) => completeTask({ memberId, taskId }).then(() => 'ok', (e: DomainError) => e.code)));

    // Assess
    expect(before.map((o) => o.response?.status)).toEqual([201, 201, 201]);
    expect(after).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT']);
    expect(await getTaskWithStats(taskId)).toMatchObject({ counterShards: 1, status: 'PAUSED', stats: { completions: 10, pointsAwarded: 30 } });
  });

  it('refuses a completion in the same transaction when another instance paused the task after this one cached it', async () => {
    // Prepare: this instance caches the task as ACTIVE; another pauses it (definition and counters in one transaction)
    const poolId = await newPool([{ activity: 'custom', weight: 1 }]);
    const task = await createTask(
      { type: 'CUSTOM', taskId: uniqueId('t-stale'), name: 'Stale cache', description: '', points: 4, poolId, activity: 'custom', startsAt: '2026-01-01T00:00:00Z', endsAt: null, status: 'ACTIVE', counterShards: TASK_COUNTER_SHARDS, sortOrder: 1, period: 'DAILY' },
      'test',
    );
    await getTask(task.taskId);
    await db().send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: { TableName: tableName(), Key: keys.task.definition(task.taskId), UpdateExpression: 'SET #s = :p, version = :v', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':p': 'PAUSED', ':v': 2 } } },
          ...Array.from({ length: task.counterShards }, (_, shard) => ({
            Update: { TableName: tableName(), Key: keys.task.counterShard(task.taskId, shard), UpdateExpression: 'SET #s = :p', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':p': 'PAUSED' } },
          })),
        ],
      }),
    );
    const [memberId] = (await newMembers(1, 'stale')) as [string];

    // Act
    const outcome = await completeTask({ memberId, taskId: task.taskId }).catch((error: unknown) => error);

    // Assess
    expect(outcome).toBeInstanceOf(DomainError);
    expect(outcome).toMatchObject({ code: 'CONFLICT', extensions: { status: 'PAUSED' } });
    expect((await getWallet(memberId, 'points')).available).toBe(0);
    expect((await getPool(poolId)).issued).toBe(0);
  });

  it('shows a member the open tasks with progress and what the next sign-in pays, and their sign-in calendar', async () => {
    // Prepare
    const poolId = await newPool([{ activity: 'sign-in', weight: 1 }]);
    const created = await api.call<{ taskId: string }>('POST', '/v1/admin/tasks', { token: admin, body: signInTask(poolId) });
    const { token } = await api.newMember('list');

    // Act
    const before = await api.call<{ day: string; items: { taskId: string; progress: Record<string, unknown> }[] }>('GET', '/v1/tasks', { token });
    const signedIn = await completeOverHttp(token, created.body.taskId, { headers: { 'idempotency-key': `sign-in-${created.body.taskId}` } });
    const after = await api.call<{ day: string; items: { taskId: string; progress: Record<string, unknown> }[] }>('GET', '/v1/tasks', { token });
    const calendar = await api.call<{ days: { day: string; streak: number }[]; currentStreak: number }>('GET', `/v1/me/sign-ins?taskId=${created.body.taskId}`, { token });
    const otherMonth = await api.call<{ days: unknown[] }>('GET', `/v1/me/sign-ins?taskId=${created.body.taskId}&month=2020-01`, { token });

    // Assess
    const mine = (list: typeof before) => list.body.items.find((t) => t.taskId === created.body.taskId);
    expect(mine(before)).toMatchObject({ type: 'SIGN_IN', points: 5, progress: { period: before.body.day, completions: 0, done: false, streak: 0, next: { streakDay: 1, totalPoints: 5 } } });
    expect(mine(before)).not.toHaveProperty('poolId');
    expect(signedIn.status).toBe(201);
    expect(mine(after)?.progress).toMatchObject({ completions: 1, done: true, streak: 1, next: { streakDay: 2, totalPoints: 5 } });
    expect(calendar.body).toMatchObject({ currentStreak: 1, days: [{ day: after.body.day, streak: 1 }] });
    expect(otherMonth.body.days).toEqual([]);
  });

  it('replays a keyed sign-in after the day is done and refuses the key with another task', async () => {
    // Prepare
    const poolId = await newPool([{ activity: 'sign-in', weight: 1 }]);
    const task = await createTask(signInTask(poolId), 'test');
    const [memberId] = (await newMembers(1, 'signin-key')) as [string];
    const idempotency = (body: unknown) => ({ scope: `${memberId}:completeTask`, key: 'sign-in-key-1', fingerprint: fingerprintOf(body) });

    // Act
    const first = await completeTask({ memberId, taskId: task.taskId, idempotency: idempotency({ taskId: task.taskId }) });
    const replay = await completeTask({ memberId, taskId: task.taskId, idempotency: idempotency({ taskId: task.taskId }) });
    const reused = await completeTask({ memberId, taskId: task.taskId, idempotency: idempotency({ taskId: 'other' }) }).catch((e: DomainError) => e.code);

    // Assess
    expect(first.replayed).toBe(false);
    expect(replay).toMatchObject({ replayed: true, response: first.response });
    expect(reused).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await allLedgerEntries(memberId, 'points')).length).toBe(1);
  });
});

describe('reads before the write', () => {
  it('reads only what the write needs: yesterday\'s sign-in for a sign-in, the day\'s slots for a share, no idempotency record', async () => {
    // Prepare: both tasks, and one completion of another member so the task, pool and rules caches are warm
    const poolId = await newPool([
      { activity: 'sign-in', weight: 1 },
      { activity: 'share', weight: 1 },
    ]);
    const signIn = await createTask(signInTask(poolId), 'test');
    const share = await createTask(
      { type: 'SHARE', taskId: uniqueId('t-share'), name: 'Share', description: '', points: 10, poolId, activity: 'share', startsAt: '2026-01-01T00:00:00Z', endsAt: null, status: 'ACTIVE', counterShards: TASK_COUNTER_SHARDS, sortOrder: 20, timesPerDay: 3 },
      'test',
    );
    const [warm, memberId] = (await newMembers(2, 'reads')) as [string, string];
    await completeTask({ memberId: warm, taskId: signIn.taskId });
    await completeTask({ memberId: warm, taskId: share.taskId });
    const keyed = (key: string, taskId: string) => ({ scope: `${memberId}:completeTask`, key, fingerprint: fingerprintOf({ taskId }) });

    // Act
    resetDbCallCounts();
    const signedIn = await completeTask({ memberId, taskId: signIn.taskId, idempotency: keyed('reads-sign-in-1', signIn.taskId) });
    const signInCalls = dbCallCounts().byOperation;
    resetDbCallCounts();
    const shared = await completeTask({ memberId, taskId: share.taskId, idempotency: keyed('reads-share-1', share.taskId) });
    const shareCalls = dbCallCounts().byOperation;

    // Assess
    expect(signedIn.replayed).toBe(false);
    expect(signInCalls).toEqual({ GetItem: 1, TransactWriteItems: 1 });
    expect(shared.replayed).toBe(false);
    expect(shareCalls).toEqual({ Query: 1, TransactWriteItems: 1 });
  });

  it('replays a keyed completion that is refused before its write: every slot taken since, or the task paused since', async () => {
    // Prepare
    const poolId = await newPool([{ activity: 'share', weight: 1 }]);
    const share = await createTask(
      { type: 'SHARE', taskId: uniqueId('t-share'), name: 'Share twice', description: '', points: 10, poolId, activity: 'share', startsAt: '2026-01-01T00:00:00Z', endsAt: null, status: 'ACTIVE', counterShards: TASK_COUNTER_SHARDS, sortOrder: 20, timesPerDay: 2 },
      'test',
    );
    const [memberId] = (await newMembers(1, 'replay-refused')) as [string];
    const keyed = (key: string) => ({ scope: `${memberId}:completeTask`, key, fingerprint: fingerprintOf({ taskId: share.taskId }) });
    const first = await completeTask({ memberId, taskId: share.taskId, idempotency: keyed('replay-refused-1') });
    const second = await completeTask({ memberId, taskId: share.taskId, idempotency: keyed('replay-refused-2') });

    // Act: both slots are taken, so the first key's repeat finds no slot to write; then the task is paused
    const slotsTaken = await completeTask({ memberId, taskId: share.taskId, idempotency: keyed('replay-refused-1') });
    const newKeyWhenFull = await tryComplete({ memberId, taskId: share.taskId, idempotency: keyed('replay-refused-3') });
    await updateTask(share.taskId, { expectedVersion: 1, status: 'PAUSED' });
    const paused = await completeTask({ memberId, taskId: share.taskId, idempotency: keyed('replay-refused-2') });
    const newKeyWhenPaused = await completeTask({ memberId, taskId: share.taskId, idempotency: keyed('replay-refused-4') }).catch((e: DomainError) => e.code);
    const reused = await completeTask({ memberId, taskId: share.taskId, idempotency: { ...keyed('replay-refused-1'), fingerprint: fingerprintOf({ taskId: 'other' }) } }).catch(
      (e: DomainError) => e.code,
    );

    // Assess
    expect(slotsTaken).toMatchObject({ replayed: true, response: first.response });
    expect(newKeyWhenFull).toBe('ALREADY_COMPLETED');
    expect(paused).toMatchObject({ replayed: true, response: second.response });
    expect(newKeyWhenPaused).toBe('CONFLICT');
    expect(reused).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await allLedgerEntries(memberId, 'points')).length).toBe(2);
    expect((await getPool(poolId)).issued).toBe(20);
  });
});

describe('demo tasks (bin/local/seed-tasks.ts)', () => {
  it('seeds the task centre once, so a new member can sign in, share and browse at once', async () => {
    // Prepare: the product the browse task names (the main seed creates it first)
    await createProduct({
      productId: 'p-tea-set', name: 'Porcelain tea set', description: '', type: 'PHYSICAL', zone: 'main', pricePoints: 2000, pointsCash: null, visibleToTiers: null,
      limits: { perDay: null, lifetime: null }, saleStartsAt: null, saleEndsAt: null, supplier: null, couponTemplateId: null,
      status: 'ACTIVE', sortOrder: 10, stockShards: 1, initialStock: 5,
    }).catch((error: unknown) => {
      if (!(error instanceof DomainError && error.code === 'CONFLICT')) throw error;
    });

    // Act: two starts, then a new member's first day
    await seedTasks(new Date());
    await seedTasks(new Date());
    const { memberId, token } = await api.newMember('demo');
    const listed = await api.call<{ items: { taskId: string }[] }>('GET', '/v1/tasks', { token });
    const signIn = await completeOverHttp(token, 't-sign-in');
    const share = await completeOverHttp(token, 't-share');
    const browse = await completeOverHttp(token, 't-browse-tea-set', { body: { productId: 'p-tea-set' } });
    const review = await completeOverHttp(token, 't-weekly-review');

    // Assess
    expect(listed.body.items.map((t) => t.taskId)).toEqual(expect.arrayContaining(['t-sign-in', 't-share', 't-browse-tea-set', 't-weekly-review', 't-streak-30']));
    expect([signIn.status, share.status, browse.status, review.status]).toEqual([201, 201, 201, 201]);
    expect((await getTask('t-sign-in', { fresh: true })).version).toBe(1);
    expect((await getPool(TASKS_POOL_ID)).issued).toBe(5 + 10 + 5 + 20);
    expect((await expectLedgerExplainsWallet(memberId)).wallet.available).toBe(40);
  });
});
