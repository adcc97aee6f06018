/**
 * Campaign rules that need no I/O: when a campaign is running (time zone and
 * recurring days aware) and whether its audience includes a member.
 */
import type { CampaignEffect, CampaignTargets } from './earning.js';
import { programmeMonth, shiftMonth } from './months.js';
import type { GrowthCounters, Tier } from './tiers.js';

export interface RecurringWindow {
  /** ISO weekdays, 1 = Monday ... 7 = Sunday. */
  readonly daysOfWeek: readonly number[];
  /** Local start time `HH:mm` (inclusive). */
  readonly from: string;
  /** Local end time `HH:mm` (inclusive to the minute: 23:59 covers the whole day). */
  readonly to: string;
}

export interface CampaignSchedule {
  readonly startsAt: string;
  /** Exclusive. */
  readonly endsAt: string;
  /** IANA time zone the recurring window is read in, e.g. Asia/Shanghai. */
  readonly timezone: string;
  readonly recurring?: RecurringWindow | null;
}

/**
 * Programme-local calendar months (`PROGRAMME_TIMEZONE`) whose spend counts:
 * `last-months` is the month of the earning time and the `months - 1` before
 * it (3 in March: January, February and March so far); `months` is a fixed
 * range, both ends included.
 */
export type SpendPeriod =
  | { readonly kind: 'last-months'; readonly months: number }
  | { readonly kind: 'months'; readonly from: string; readonly to: string };

/** Spend in a period: at least `atLeastCents` and/or below `belowCents` (net of refunds, before the purchase being earned on). */
export interface SpendCriterion {
  readonly period: SpendPeriod;
  readonly atLeastCents?: number;
  readonly belowCents?: number;
}

export type Audience =
  | { readonly kind: 'all' }
  | { readonly kind: 'tiers'; readonly tiers: readonly Tier[] }
  | {
      readonly kind: 'segment';
      /** Members with any of these tags. */
      readonly tags?: readonly string[];
      readonly registeredFrom?: string;
      readonly registeredTo?: string;
      readonly spend?: SpendCriterion;
    };

export interface CampaignDefinition {
  readonly campaignId: string;
  readonly name: string;
  readonly status: 'ACTIVE' | 'PAUSED';
  readonly effect: CampaignEffect;
  readonly schedule: CampaignSchedule;
  readonly audience: Audience;
  readonly targets: CampaignTargets;
  /** Points the campaign may issue in all (null: unlimited). */
  readonly budgetPoints: number | null;
  /** Points one member may get from the campaign (null: unlimited). */
  readonly perMemberCap: number | null;
}

export interface AudienceMember {
  readonly tier: Tier;
  readonly tags: readonly string[];
  readonly registeredAt: string;
  /** The profile's spend per programme-local month (an anonymous preview member has none). */
  readonly growthCounters: Pick<GrowthCounters, 'monthlySpendCents'>;
}

interface LocalTime {
  readonly isoWeekday: number;
  readonly minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Weekday and minute of the day of an instant in a time zone (the platform's tz database does the work). */
export function localTime(at: Date, timezone: string): LocalTime {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((p) => [p.type, p.value]));
  const isoWeekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(String(parts.weekday)) + 1;
  return { isoWeekday, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** True if the zone is one the platform knows. */
export function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** Whether a campaign is running at an instant: status, start/end, and its recurring local window. */
export function isRunning(campaign: Pick<CampaignDefinition, 'status' | 'schedule'>, at: Date): boolean {
  if (campaign.status !== 'ACTIVE') return false;
  const t = at.getTime();
  if (t < Date.parse(campaign.schedule.startsAt) || t >= Date.parse(campaign.schedule.endsAt)) return false;
  const window = campaign.schedule.recurring;
  if (!window) return true;
  const local = localTime(at, campaign.schedule.timezone);
  if (!window.daysOfWeek.includes(local.isoWeekday)) return false;
  return local.minutes >= minutesOf(window.from) && local.minutes <= minutesOf(window.to);
}

/** The months (`YYYY-MM`, first and last included) a spend period covers when earning at `at`. */
export function spendPeriodMonths(period: SpendPeriod, at: Date): { readonly from: string; readonly to: string } {
  if (period.kind === 'months') return { from: period.from, to: period.to };
  const to = programmeMonth(at);
  return { from: shiftMonth(to, -(period.months - 1)), to };
}

/** Cents spent in the period's months, from the per-month counters (net of refunds). */
export function spendInPeriod(monthlySpendCents: Readonly<Record<string, number>>, period: SpendPeriod, at: Date): number {
  const { from, to } = spendPeriodMonths(period, at);
  let cents = 0;
  for (const [month, spent] of Object.entries(monthlySpendCents)) {
    if (month >= from && month <= to) cents += spent;
  }
  return cents;
}

/** Whether the member's spend in the criterion's period is within its bounds. */
export function meetsSpend(criterion: SpendCriterion, member: AudienceMember, at: Date): boolean {
  const cents = spendInPeriod(member.growthCounters.monthlySpendCents, criterion.period, at);
  if (criterion.atLeastCents !== undefined && cents < criterion.atLeastCents) return false;
  if (criterion.belowCents !== undefined && cents >= criterion.belowCents) return false;
  return true;
}

/** Whether the audience includes the member when earning at `at` (segment criteria all apply). */
export function inAudience(audience: Audience, member: AudienceMember, at: Date): boolean {
  switch (audience.kind) {
    case 'all':
      return true;
    case 'tiers':
      return audience.tiers.includes(member.tier);
    case 'segment': {
      if (audience.tags?.length && !audience.tags.some((t) => member.tags.includes(t))) return false;
      if (audience.registeredFrom && member.registeredAt < audience.registeredFrom) return false;
      if (audience.registeredTo && member.registeredAt >= audience.registeredTo) return false;
      if (audience.spend && !meetsSpend(audience.spend, member, at)) return false;
      return true;
    }
  }
}

/** What a campaign is at an instant, as operators' lists and filters show it. */
export const campaignStates = ['scheduled', 'running', 'paused', 'budget-exhausted', 'ended'] as const;
export type CampaignState = (typeof campaignStates)[number];

/**
 * A campaign's state at `now` from its definition and the points it has issued.
 * First that applies: `ended` (at or after `endsAt`), `budget-exhausted` (a
 * budget, all issued), `paused` (status PAUSED), `scheduled` (before
 * `startsAt`), else `running` (its window has begun: a recurring campaign is
 * running between its weekly windows too; `isRunning` says whether it pays
 * at an instant).
 */
export function campaignState(
  campaign: Pick<CampaignDefinition, 'status' | 'schedule' | 'budgetPoints'>,
  issued: number,
  now: Date,
): CampaignState {
  const t = now.getTime();
  if (t >= Date.parse(campaign.schedule.endsAt)) return 'ended';
  if (campaign.budgetPoints !== null && issued >= campaign.budgetPoints) return 'budget-exhausted';
  if (campaign.status === 'PAUSED') return 'paused';
  if (t < Date.parse(campaign.schedule.startsAt)) return 'scheduled';
  return 'running';
}
