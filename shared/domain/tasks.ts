/**
 * Task centre rules (docs/tasks.md): which period a completion belongs to,
 * week boundaries and streaks in the programme's time zone, the streak bonus
 * schedule and what the next completion pays. Pure: every function takes the
 * instant or the local day it works on.
 */
import { localDate, PROGRAMME_TIMEZONE } from './programme.js';

export const taskTypes = ['SIGN_IN', 'SHARE', 'BROWSE_PRODUCT', 'CUSTOM', 'STREAK_CHALLENGE'] as const;
export type TaskType = (typeof taskTypes)[number];

/** How often a task can be done again: each programme-local day, each ISO week (Monday to Sunday, local), or once. */
export const taskPeriods = ['DAILY', 'WEEKLY', 'ONCE'] as const;
export type TaskPeriod = (typeof taskPeriods)[number];

export const taskStatuses = ['ACTIVE', 'PAUSED', 'ENDED'] as const;
export type TaskStatus = (typeof taskStatuses)[number];

/** Period key of a task done once: it never changes. */
export const ONCE_PERIOD = 'ONCE';

export interface StreakBonus {
  /** Streak day that pays the bonus (2 = the second day in a row). */
  readonly day: number;
  readonly points: number;
}

/** A task as the rules need it (the stored definition adds names, version and audit fields). */
export interface TaskRules {
  readonly type: TaskType;
  /** Points of each completion, before any streak bonus. */
  readonly points: number;
  readonly period: TaskPeriod;
  /** Completions allowed per period: SHARE's times a day; 1 for every other type. */
  readonly timesPerPeriod: number;
  /** SIGN_IN: bonuses on streak days, added to that day's award. */
  readonly streakBonuses: readonly StreakBonus[];
  /** SIGN_IN: the bonus schedule starts over after its last day (day 14 pays day 7's bonus again), instead of paying once per streak. */
  readonly streakBonusRepeats: boolean;
  /** STREAK_CHALLENGE: the sign-in streak that completes it. */
  readonly streakDays: number | null;
  readonly startsAt: string;
  readonly endsAt: string | null;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayParts(day: string): [number, number, number] {
  const match = DAY.exec(day);
  if (!match) throw new Error(`not a local day (YYYY-MM-DD): ${day}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** The day `days` after `day` (negative: before); calendar arithmetic on `YYYY-MM-DD`, no time zone involved. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = dayParts(day);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (0 for the same day, negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  const [fy, fm, fd] = dayParts(from);
  const [ty, tm, td] = dayParts(to);
  return Math.round((Date.UTC(ty, tm - 1, td) - Date.UTC(fy, fm - 1, fd)) / 86_400_000);
}

/**
 * The ISO week (`YYYY-Www`) of a calendar day: weeks start on Monday and
 * belong to the year of their Thursday, so 2027-01-01 (a Friday) is in 2026-W53.
 */
export function isoWeek(day: string): string {
  const [y, m, d] = dayParts(day);
  const date = new Date(Date.UTC(y, m - 1, d));
  const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  // The Thursday of the same week decides the year.
  const thursday = new Date(Date.UTC(y, m - 1, d + 4 - weekday));
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The Monday (`YYYY-MM-DD`) of the ISO week a day is in. */
export function mondayOf(day: string): string {
  const [y, m, d] = dayParts(day);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return addDays(day, -((weekday + 6) % 7));
}

/** The period key of a completion at `now`: the local day, the local ISO week, or `ONCE`. */
export function periodKey(period: TaskPeriod, now: Date, timezone: string = PROGRAMME_TIMEZONE): string {
  if (period === 'ONCE') return ONCE_PERIOD;
  const day = localDate(now, timezone);
  return period === 'DAILY' ? day : isoWeek(day);
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes the zone's wall clock is ahead of UTC at an instant (480 for Asia/Shanghai). */
export function utcOffsetMinutes(at: Date, timezone: string): number {
  let formatter = offsetFormatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormatters.set(timezone, formatter);
  }
  const p = Object.fromEntries(formatter.formatToParts(at).map((part) => [part.type, Number(part.value)]));
  const wallClock = Date.UTC(p.year as number, (p.month as number) - 1, p.day as number, p.hour as number, p.minute as number, p.second as number);
  return Math.round((wallClock - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** The instant a local day starts (its 00:00 in the zone). */
export function startOfLocalDay(day: string, timezone: string = PROGRAMME_TIMEZONE): Date {
  const [y, m, d] = dayParts(day);
  const midnightAsUtc = Date.UTC(y, m - 1, d);
  // The offset at the guess, then at the corrected instant: right across a daylight-saving change too.
  const guess = midnightAsUtc - utcOffsetMinutes(new Date(midnightAsUtc), timezone) * 60_000;
  return new Date(midnightAsUtc - utcOffsetMinutes(new Date(guess), timezone) * 60_000);
}

/** When the period after the one `now` is in starts; null for ONCE (there is none). */
export function nextPeriodStart(period: TaskPeriod, now: Date, timezone: string = PROGRAMME_TIMEZONE): Date | null {
  if (period === 'ONCE') return null;
  const today = localDate(now, timezone);
  return startOfLocalDay(period === 'DAILY' ? addDays(today, 1) : addDays(mondayOf(today), 7), timezone);
}

/**
 * The streak of a sign-in on `day`, from the last sign-in record before it:
 * one more than yesterday's streak, or 1 when the member did not sign in
 * yesterday (a missed day starts over).
 */
export function streakOn(day: string, previous: { readonly day: string; readonly streak: number } | undefined): number {
  return previous && daysBetween(previous.day, day) === 1 ? previous.streak + 1 : 1;
}

/**
 * The member's current streak on `today`: today's streak if they signed in
 * today, yesterday's if they did then (still alive until today ends), else 0.
 */
export function currentStreak(today: string, latest: { readonly day: string; readonly streak: number } | undefined): number {
  if (!latest) return 0;
  const gap = daysBetween(latest.day, today);
  return gap === 0 || gap === 1 ? latest.streak : 0;
}

/** Length of the bonus schedule: its last bonus day (0 without bonuses). */
export function bonusCycle(bonuses: readonly StreakBonus[]): number {
  return bonuses.reduce((max, b) => Math.max(max, b.day), 0);
}

/**
 * The streak bonus paid on streak day `streak`. Without repeats a bonus is
 * paid on its day only, once per unbroken streak; with repeats the schedule
 * starts over after its last day (a day-7 bonus is paid on days 7, 14, 21 ...).
 */
export function streakBonusFor(rules: Pick<TaskRules, 'streakBonuses' | 'streakBonusRepeats'>, streak: number): number {
  if (streak < 1 || rules.streakBonuses.length === 0) return 0;
  const cycle = bonusCycle(rules.streakBonuses);
  const position = rules.streakBonusRepeats ? ((streak - 1) % cycle) + 1 : streak;
  return rules.streakBonuses.filter((b) => b.day === position).reduce((sum, b) => sum + b.points, 0);
}

/** The most points one member can get from a task on one local day (checked against a pool's daily cap). */
export function maxDailyAward(rules: Pick<TaskRules, 'points' | 'timesPerPeriod' | 'period' | 'streakBonuses'>): number {
  const maxBonus = rules.streakBonuses.reduce((max, b) => Math.max(max, b.points), 0);
  return rules.points * (rules.period === 'DAILY' ? rules.timesPerPeriod : 1) + maxBonus;
}

/** A sign-in day with the streak it recorded. */
export interface SignInDay {
  readonly day: string;
  readonly streak: number;
}

export interface ChallengeProgress {
  /** The sign-in streak alive today, counted from the challenge's first day at the earliest. */
  readonly currentRun: number;
  /** The longest such run so far in the challenge window. */
  readonly bestRun: number;
  /** Whether a run reached the challenge's days inside the window. */
  readonly reached: boolean;
}

/**
 * Progress of a streak challenge over its window (`firstDay` to `lastDay`,
 * local days, both included): a sign-in recorded on day d with streak s
 * covers days d-s+1 ... d; only the days inside the window count.
 */
export function challengeProgress(
  signIns: readonly SignInDay[],
  window: { readonly firstDay: string; readonly lastDay: string },
  today: string,
  streakDays: number,
): ChallengeProgress {
  let bestRun = 0;
  let latest: SignInDay | undefined;
  for (const s of signIns) {
    if (s.day < window.firstDay || s.day > window.lastDay || s.day > today) continue;
    bestRun = Math.max(bestRun, Math.min(s.streak, daysBetween(window.firstDay, s.day) + 1));
    if (!latest || s.day > latest.day) latest = s;
  }
  const alive = latest ? currentStreak(today, latest) : 0;
  const currentRun = latest && alive > 0 ? Math.min(alive, daysBetween(window.firstDay, latest.day) + 1) : 0;
  return { currentRun, bestRun, reached: bestRun >= streakDays };
}

/** A task's local window: its first and last day (the day before the one `endsAt` falls on, if it falls on a midnight). */
export function localWindow(rules: Pick<TaskRules, 'startsAt' | 'endsAt'>, timezone: string = PROGRAMME_TIMEZONE): { firstDay: string; lastDay: string | null } {
  return {
    firstDay: localDate(new Date(rules.startsAt), timezone),
    lastDay: rules.endsAt === null ? null : localDate(new Date(Date.parse(rules.endsAt) - 1), timezone),
  };
}

/** Why a task cannot be done at `now`, if it cannot (paused, ended, not started). */
export function notOpenReason(task: { readonly taskId: string; readonly status: TaskStatus; readonly startsAt: string; readonly endsAt: string | null }, now: Date): string | undefined {
  if (task.status !== 'ACTIVE') return `task ${task.taskId} is ${task.status.toLowerCase()}`;
  if (now.getTime() < Date.parse(task.startsAt)) return `task ${task.taskId} starts at ${task.startsAt}`;
  if (task.endsAt !== null && now.getTime() >= Date.parse(task.endsAt)) return `task ${task.taskId} ended at ${task.endsAt}`;
  return undefined;
}

/** What the next completion of a task pays, and from when. */
export interface NextCompletion {
  readonly points: number;
  readonly bonusPoints: number;
  readonly totalPoints: number;
  /** SIGN_IN: the streak day the next sign-in would be. */
  readonly streakDay: number | null;
  /** From when it can be done: now, the start of the next period, or null when a condition must be met first (a challenge's streak). */
  readonly availableFrom: string | null;
}

/** A member's standing on a task in the current period. */
export interface TaskProgressInput {
  /** Completions in the current period. */
  readonly completions: number;
  /** SIGN_IN: the member's current streak (see `currentStreak`); whether today is among it is `completions > 0`. */
  readonly streak: number;
  /** STREAK_CHALLENGE: whether a run has reached the challenge's days. */
  readonly reached: boolean;
}

/**
 * The next completion a member can make, or null when there is none (a task
 * done once, or ending before its next period).
 */
export function nextCompletion(rules: TaskRules, progress: TaskProgressInput, now: Date, timezone: string = PROGRAMME_TIMEZONE): NextCompletion | null {
  const endsAt = rules.endsAt === null ? Number.POSITIVE_INFINITY : Date.parse(rules.endsAt);
  const doneThisPeriod = progress.completions >= rules.timesPerPeriod;
  let from: Date | null;
  if (!doneThisPeriod) {
    from = now.getTime() < Date.parse(rules.startsAt) ? new Date(rules.startsAt) : now;
  } else {
    from = nextPeriodStart(rules.period, now, timezone);
    if (from === null) return null;
  }
  if (from.getTime() >= endsAt) return null;
  let bonusPoints = 0;
  let streakDay: number | null = null;
  if (rules.type === 'SIGN_IN') {
    // Signed in today: the next sign-in is tomorrow's, one further along; not yet: today's continues the streak.
    streakDay = progress.streak + 1;
    bonusPoints = streakBonusFor(rules, streakDay);
  }
  const availableFrom = rules.type === 'STREAK_CHALLENGE' && !progress.reached ? null : from.toISOString();
  return { points: rules.points, bonusPoints, totalPoints: rules.points + bonusPoints, streakDay, availableFrom };
}
