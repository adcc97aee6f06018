import { describe, expect, it } from 'vitest';
import { taskPatchSchema } from '../../shared/contracts/tasks.js';
import {
  addDays,
  challengeProgress,
  currentStreak,
  daysBetween,
  isoWeek,
  localWindow,
  maxDailyAward,
  mondayOf,
  nextCompletion,
  nextPeriodStart,
  notOpenReason,
  periodKey,
  startOfLocalDay,
  streakBonusFor,
  streakOn,
  utcOffsetMinutes,
  type TaskRules,
} from '../../shared/domain/tasks.js';

const signIn: TaskRules = {
  type: 'SIGN_IN',
  points: 5,
  period: 'DAILY',
  timesPerPeriod: 1,
  streakBonuses: [{ day: 7, points: 20 }],
  streakBonusRepeats: false,
  streakDays: null,
  startsAt: '2026-01-01T00:00:00Z',
  endsAt: null,
};

describe('task periods in the programme time zone (Asia/Shanghai, UTC+8)', () => {
  it('counts 23:59 and 00:01 local time as two days', () => {
    // Prepare: 23:59 on 23 November in Shanghai is 15:59 UTC; 00:01 on the 24th is 16:01 UTC
    const late = new Date('2026-11-23T15:59:00Z');
    const early = new Date('2026-11-23T16:01:00Z');

    // Act
    const keys = [periodKey('DAILY', late), periodKey('DAILY', early)];

    // Assess
    expect(keys).toEqual(['2026-11-23', '2026-11-24']);
  });

  it('names ISO weeks by the year of their Thursday', () => {
    expect(isoWeek('2026-01-01')).toBe('2026-W01'); // a Thursday
    expect(isoWeek('2027-01-01')).toBe('2026-W53'); // a Friday: the week of 2026-12-31
    expect(isoWeek('2024-12-30')).toBe('2025-W01'); // a Monday whose Thursday is 2025-01-02
    expect(isoWeek('2026-11-22')).toBe('2026-W47'); // Sunday
    expect(isoWeek('2026-11-23')).toBe('2026-W48'); // Monday
  });

  it('starts a week on Monday at local midnight', () => {
    // Prepare: Sunday 22 November 23:30 local, then Monday 00:30 local
    const sunday = new Date('2026-11-22T15:30:00Z');
    const monday = new Date('2026-11-22T16:30:00Z');

    // Act
    const keys = [periodKey('WEEKLY', sunday), periodKey('WEEKLY', monday)];
    const next = nextPeriodStart('WEEKLY', sunday);

    // Assess
    expect(keys).toEqual(['2026-W47', '2026-W48']);
    expect(next?.toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(mondayOf('2026-11-29')).toBe('2026-11-23');
  });

  it('keeps ONCE for ever and has no next period for it', () => {
    expect(periodKey('ONCE', new Date('2020-01-01T00:00:00Z'))).toBe('ONCE');
    expect(nextPeriodStart('ONCE', new Date())).toBeNull();
  });

  it('finds local midnight in a zone with daylight saving time too', () => {
    // Shanghai: fixed +8. New York: 2026-03-08 starts at -5, the 9th at -4 (DST began at 02:00 on the 8th).
    expect(startOfLocalDay('2026-11-24').toISOString()).toBe('2026-11-23T16:00:00.000Z');
    expect(utcOffsetMinutes(new Date('2026-11-23T16:00:00Z'), 'Asia/Shanghai')).toBe(480);
    expect(startOfLocalDay('2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(startOfLocalDay('2026-03-09', 'America/New_York').toISOString()).toBe('2026-03-09T04:00:00.000Z');
  });

  it('does calendar arithmetic on local days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(daysBetween('2026-11-23', '2026-12-03')).toBe(10);
    expect(daysBetween('2026-11-23', '2026-11-22')).toBe(-1);
  });

  it('gives a task the local window from its start to the day before a midnight end', () => {
    // A November challenge: 1 November 00:00 local to 1 December 00:00 local
    const window = localWindow({ startsAt: '2026-10-31T16:00:00Z', endsAt: '2026-11-30T16:00:00Z' });
    expect(window).toEqual({ firstDay: '2026-11-01', lastDay: '2026-11-30' });
    expect(localWindow({ startsAt: '2026-10-31T16:00:00Z', endsAt: null }).lastDay).toBeNull();
  });
});

describe('sign-in streaks and bonuses', () => {
  it('adds one to yesterday\'s streak and starts over after a missed day', () => {
    expect(streakOn('2026-11-23', undefined)).toBe(1);
    expect(streakOn('2026-11-23', { day: '2026-11-22', streak: 6 })).toBe(7);
    expect(streakOn('2026-11-23', { day: '2026-11-21', streak: 6 })).toBe(1);
    expect(streakOn('2027-01-01', { day: '2026-12-31', streak: 3 })).toBe(4);
  });

  it('keeps yesterday\'s streak alive until today ends', () => {
    expect(currentStreak('2026-11-23', { day: '2026-11-23', streak: 4 })).toBe(4);
    expect(currentStreak('2026-11-23', { day: '2026-11-22', streak: 3 })).toBe(3);
    expect(currentStreak('2026-11-23', { day: '2026-11-21', streak: 9 })).toBe(0);
    expect(currentStreak('2026-11-23', undefined)).toBe(0);
  });

  it('pays a day-7 bonus once per streak, or every 7 days when it repeats', () => {
    // Act
    const once = [1, 6, 7, 8, 14].map((s) => streakBonusFor(signIn, s));
    const repeating = [1, 7, 8, 14, 21, 22].map((s) => streakBonusFor({ ...signIn, streakBonusRepeats: true }, s));

    // Assess
    expect(once).toEqual([0, 0, 20, 0, 0]);
    expect(repeating).toEqual([0, 20, 0, 20, 20, 0]);
  });

  it('pays a schedule of several bonuses on their days', () => {
    const ladder = { streakBonuses: [{ day: 3, points: 5 }, { day: 7, points: 20 }], streakBonusRepeats: true };
    expect(Array.from({ length: 10 }, (_, i) => streakBonusFor(ladder, i + 1))).toEqual([0, 0, 5, 0, 0, 0, 20, 0, 0, 5]);
  });

  it('pays 5 x 6 + (5 + 20) over seven days in a row', () => {
    let previous: { day: string; streak: number } | undefined;
    let total = 0;
    for (let i = 0; i < 7; i += 1) {
      const day = addDays('2026-11-20', i);
      const streak = streakOn(day, previous);
      total += signIn.points + streakBonusFor(signIn, streak);
      previous = { day, streak };
    }
    expect(total).toBe(5 * 6 + (5 + 20));
  });

  it('knows the most a task can pay one member in a day', () => {
    expect(maxDailyAward(signIn)).toBe(25);
    expect(maxDailyAward({ points: 10, timesPerPeriod: 3, period: 'DAILY', streakBonuses: [] })).toBe(30);
    expect(maxDailyAward({ points: 50, timesPerPeriod: 1, period: 'WEEKLY', streakBonuses: [] })).toBe(50);
  });
});

describe('streak challenges', () => {
  const window = { firstDay: '2026-11-01', lastDay: '2026-11-30' };

  it('counts only the days of a run inside the window', () => {
    // Prepare: a streak begun in October is 12 long on 5 November, but only 5 of its days are in the window
    const signIns = [{ day: '2026-11-05', streak: 12 }];

    // Act
    const progress = challengeProgress(signIns, window, '2026-11-05', 5);

    // Assess
    expect(progress).toEqual({ currentRun: 5, bestRun: 5, reached: true });
  });

  it('remembers a run that reached the goal after the streak broke', () => {
    const signIns = [
      { day: '2026-11-10', streak: 10 },
      { day: '2026-11-12', streak: 1 },
    ];
    expect(challengeProgress(signIns, window, '2026-11-12', 10)).toEqual({ currentRun: 1, bestRun: 10, reached: true });
    expect(challengeProgress(signIns, window, '2026-11-14', 11)).toEqual({ currentRun: 0, bestRun: 10, reached: false });
  });
});

describe('what the next completion pays', () => {
  const now = new Date('2026-11-23T04:00:00Z'); // noon in Shanghai

  it('pays today\'s sign-in with the streak bonus it would reach', () => {
    // Signed in six days up to yesterday: today is day 7
    expect(nextCompletion(signIn, { completions: 0, streak: 6, reached: false }, now)).toEqual({
      points: 5,
      bonusPoints: 20,
      totalPoints: 25,
      streakDay: 7,
      availableFrom: now.toISOString(),
    });
  });

  it('points at tomorrow once today is done, and at nothing past the end', () => {
    const tomorrow = nextCompletion(signIn, { completions: 1, streak: 7, reached: false }, now);
    expect(tomorrow).toMatchObject({ totalPoints: 5, streakDay: 8, availableFrom: '2026-11-23T16:00:00.000Z' });
    expect(nextCompletion({ ...signIn, endsAt: '2026-11-23T16:00:00Z' }, { completions: 1, streak: 7, reached: false }, now)).toBeNull();
  });

  it('counts a share task\'s times a day and ends ONCE tasks when done', () => {
    const share: TaskRules = { ...signIn, type: 'SHARE', points: 10, timesPerPeriod: 3, streakBonuses: [] };
    expect(nextCompletion(share, { completions: 2, streak: 0, reached: false }, now)?.availableFrom).toBe(now.toISOString());
    expect(nextCompletion(share, { completions: 3, streak: 0, reached: false }, now)?.availableFrom).toBe('2026-11-23T16:00:00.000Z');
    const once: TaskRules = { ...share, type: 'CUSTOM', period: 'ONCE', timesPerPeriod: 1 };
    expect(nextCompletion(once, { completions: 1, streak: 0, reached: false }, now)).toBeNull();
  });

  it('has no date for a challenge until its streak is reached', () => {
    const challenge: TaskRules = { ...signIn, type: 'STREAK_CHALLENGE', period: 'ONCE', points: 100, streakBonuses: [], streakDays: 30 };
    expect(nextCompletion(challenge, { completions: 0, streak: 0, reached: false }, now)).toMatchObject({ totalPoints: 100, availableFrom: null });
    expect(nextCompletion(challenge, { completions: 0, streak: 0, reached: true }, now)?.availableFrom).toBe(now.toISOString());
  });

  it('says why a task is not open', () => {
    const task = { taskId: 't-1', status: 'ACTIVE' as const, startsAt: '2026-11-01T00:00:00Z', endsAt: '2026-12-01T00:00:00Z' };
    expect(notOpenReason(task, now)).toBeUndefined();
    expect(notOpenReason({ ...task, status: 'PAUSED' }, now)).toMatch(/paused/);
    expect(notOpenReason(task, new Date('2026-10-01T00:00:00Z'))).toMatch(/starts at/);
    expect(notOpenReason(task, new Date('2026-12-01T00:00:00Z'))).toMatch(/ended at/);
  });
});

describe('a task change (PATCH)', () => {
  it('changes only the fields it names: no sortOrder sent, none changed', () => {
    // Act
    const renamed = taskPatchSchema.safeParse({ expectedVersion: 2, name: 'Daily check-in' });
    const nothing = taskPatchSchema.safeParse({ expectedVersion: 2 });

    // Assess
    expect(renamed.success && renamed.data).toEqual({ expectedVersion: 2, name: 'Daily check-in' });
    expect(nothing.success).toBe(false);
  });
});
