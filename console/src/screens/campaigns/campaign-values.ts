import dayjs, { type Dayjs } from 'dayjs';
import type { components } from '../../api/schema';
import { fromProgrammeInput, PROGRAMME_TIME_ZONE, programmeTime } from '../../format';

export type Campaign = components['schemas']['Campaign'];
export type CampaignListItem = components['schemas']['CampaignListItem'];
export type CampaignInput = components['schemas']['CampaignInput'];
export type CampaignUpdate = components['schemas']['CampaignUpdate'];
export type CampaignState = CampaignListItem['state'];
type Audience = CampaignInput['audience'];
type SegmentAudience = Extract<Audience, { kind: 'segment' }>;
type Spend = NonNullable<SegmentAudience['spend']>;
export type Tier = Extract<Audience, { kind: 'tiers' }>['tiers'][number];

/** The programme's tiers, lowest first (the contract's enum). */
export const TIERS = ['normal', 'silver', 'gold', 'diamond'] as const satisfies readonly Tier[];

/** The states the list filters by (the contract's enum), in the order a campaign lives them. */
export const CAMPAIGN_STATES = ['scheduled', 'running', 'paused', 'budget-exhausted', 'ended'] as const satisfies readonly CampaignState[];

/** ISO weekdays, 1 = Monday ... 7 = Sunday, as the contract's recurring window takes them. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export const WEEKEND = [6, 7] as const;

/**
 * What the campaign dialog's form holds: the API's fields by their API names (so a problem's `errors[]` path lands on
 * the field), with pickers' Dayjs values and money in yuan (the form converts to cents). `recurringOn` and `spendOn`
 * are the form's own switches for the optional parts.
 */
export interface CampaignFormValues {
  name: string;
  status: 'ACTIVE' | 'PAUSED';
  schedule: {
    startsAt?: Dayjs | null;
    endsAt?: Dayjs | null;
    recurring?: { daysOfWeek?: number[]; from?: string; to?: string };
  };
  recurringOn: boolean;
  effect: {
    kind: 'multiplier' | 'bonus';
    multiplier?: number | null;
    points?: number | null;
    /** Yuan in the form, cents in the API. */
    minSpendCents?: number | null;
  };
  audience: {
    kind: Audience['kind'];
    tiers?: Tier[];
    tags?: string[];
    registeredFrom?: Dayjs | null;
    registeredTo?: Dayjs | null;
    spend?: {
      period?: { kind?: 'last-months' | 'months'; months?: number | null; from?: Dayjs | null; to?: Dayjs | null };
      /** Yuan in the form. */
      atLeastCents?: number | null;
      /** Yuan in the form. */
      belowCents?: number | null;
    };
  };
  spendOn: boolean;
  targets: { categories?: string[] };
  budgetPoints?: number | null;
  perMemberCap?: number | null;
}

/**
 * An instant as the pickers hold it: a plain Dayjs whose wall-clock fields are the programme zone's, whatever the
 * browser's zone (fromProgrammeInput reads it back the same way). Pickers then never convert zones themselves.
 */
export function wallClock(iso: string): Dayjs {
  return dayjs(programmeTime(iso).format('YYYY-MM-DDTHH:mm:ss'));
}

/** Now, as the pickers hold it (the programme zone's wall clock). */
export function wallClockNow(now: Dayjs = dayjs()): Dayjs {
  return wallClock(now.toISOString());
}

/**
 * For a date picker's onKeyDown: Enter confirms the date typed (the picker has done so when this runs); it must not
 * also submit the dialog's form, as the browser's implicit submission of a form on Enter would.
 */
export function keepEnterInPicker(event: { readonly key: string; preventDefault(): void }): void {
  if (event.key === 'Enter') event.preventDefault();
}

const yuanToCents = (yuan: number) => Math.round(yuan * 100);
const centsToYuan = (cents: number) => cents / 100;
const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

/** A new campaign's starting values: double points from the next hour for a week, everyone, no limits. */
export function newCampaignValues(now: Dayjs = dayjs()): CampaignFormValues {
  const start = wallClockNow(now).add(1, 'hour').startOf('hour');
  return {
    name: '',
    status: 'ACTIVE',
    schedule: { startsAt: start, endsAt: start.add(7, 'day'), recurring: { daysOfWeek: [...WEEKEND], from: '00:00', to: '23:59' } },
    recurringOn: false,
    effect: { kind: 'multiplier', multiplier: 2 },
    audience: { kind: 'all', spend: { period: { kind: 'last-months', months: 3 } } },
    spendOn: false,
    targets: {},
    budgetPoints: null,
    perMemberCap: null,
  };
}

/** A campaign as the form shows it (times in the programme's zone, money in yuan). */
export function valuesOfCampaign(campaign: Campaign): CampaignFormValues {
  const { schedule, effect, audience } = campaign;
  const spend = audience.kind === 'segment' ? audience.spend : undefined;
  return {
    name: campaign.name,
    status: campaign.status,
    schedule: {
      startsAt: wallClock(schedule.startsAt),
      endsAt: wallClock(schedule.endsAt),
      recurring: schedule.recurring
        ? { daysOfWeek: [...schedule.recurring.daysOfWeek], from: schedule.recurring.from, to: schedule.recurring.to }
        : { daysOfWeek: [...WEEKEND], from: '00:00', to: '23:59' },
    },
    recurringOn: Boolean(schedule.recurring),
    effect:
      effect.kind === 'multiplier'
        ? { kind: 'multiplier', multiplier: effect.multiplier }
        : { kind: 'bonus', points: effect.points, minSpendCents: present(effect.minSpendCents) ? centsToYuan(effect.minSpendCents) : null },
    audience: {
      kind: audience.kind,
      ...(audience.kind === 'tiers' ? { tiers: [...audience.tiers] } : {}),
      ...(audience.kind === 'segment'
        ? {
            tags: [...(audience.tags ?? [])],
            registeredFrom: audience.registeredFrom ? wallClock(audience.registeredFrom) : null,
            registeredTo: audience.registeredTo ? wallClock(audience.registeredTo) : null,
          }
        : {}),
      spend: spend
        ? {
            period:
              spend.period.kind === 'last-months'
                ? { kind: 'last-months', months: spend.period.months }
                : { kind: 'months', from: dayjs(`${spend.period.from}-01`), to: dayjs(`${spend.period.to}-01`) },
            atLeastCents: present(spend.atLeastCents) ? centsToYuan(spend.atLeastCents) : null,
            belowCents: present(spend.belowCents) ? centsToYuan(spend.belowCents) : null,
          }
        : { period: { kind: 'last-months', months: 3 } },
    },
    spendOn: Boolean(spend),
    targets: { categories: [...(campaign.targets.categories ?? [])] },
    budgetPoints: campaign.budgetPoints,
    perMemberCap: campaign.perMemberCap,
  };
}

function spendOf(values: CampaignFormValues['audience']['spend']): Spend {
  const period = values?.period;
  return {
    period:
      period?.kind === 'months'
        ? { kind: 'months', from: (period.from ?? dayjs()).format('YYYY-MM'), to: (period.to ?? dayjs()).format('YYYY-MM') }
        : { kind: 'last-months', months: period?.months ?? 1 },
    ...(present(values?.atLeastCents) ? { atLeastCents: yuanToCents(values.atLeastCents) } : {}),
    ...(present(values?.belowCents) ? { belowCents: yuanToCents(values.belowCents) } : {}),
  };
}

function audienceOf(values: CampaignFormValues): Audience {
  const { audience } = values;
  if (audience.kind === 'tiers') return { kind: 'tiers', tiers: [...(audience.tiers ?? [])] };
  if (audience.kind === 'segment') {
    return {
      kind: 'segment',
      ...(audience.tags?.length ? { tags: [...audience.tags] } : {}),
      ...(audience.registeredFrom ? { registeredFrom: fromProgrammeInput(audience.registeredFrom) } : {}),
      ...(audience.registeredTo ? { registeredTo: fromProgrammeInput(audience.registeredTo) } : {}),
      ...(values.spendOn ? { spend: spendOf(audience.spend) } : {}),
    };
  }
  return { kind: 'all' };
}

/**
 * The form's values as the API's campaign. `base` is the campaign being edited: what the form does not show (its
 * time zone, SKU targets) is kept from it.
 */
export function inputOfValues(values: CampaignFormValues, base?: Campaign): CampaignInput {
  const { schedule, effect } = values;
  const recurring = schedule.recurring;
  const skus = base?.targets.skus;
  return {
    name: values.name.trim(),
    status: values.status,
    effect:
      effect.kind === 'bonus'
        ? { kind: 'bonus', points: effect.points ?? 0, ...(present(effect.minSpendCents) ? { minSpendCents: yuanToCents(effect.minSpendCents) } : {}) }
        : { kind: 'multiplier', multiplier: effect.multiplier ?? 0 },
    schedule: {
      startsAt: schedule.startsAt ? fromProgrammeInput(schedule.startsAt) : '',
      endsAt: schedule.endsAt ? fromProgrammeInput(schedule.endsAt) : '',
      timezone: base?.schedule.timezone ?? PROGRAMME_TIME_ZONE,
      recurring:
        values.recurringOn && recurring
          ? { daysOfWeek: [...(recurring.daysOfWeek ?? [])].sort((a, b) => a - b), from: recurring.from ?? '', to: recurring.to ?? '' }
          : null,
    },
    audience: audienceOf(values),
    targets: {
      ...(values.targets.categories?.length ? { categories: [...values.targets.categories] } : {}),
      ...(skus?.length ? { skus: [...skus] } : {}),
    },
    budgetPoints: values.budgetPoints ?? null,
    perMemberCap: values.perMemberCap ?? null,
  };
}

const EDITABLE = ['name', 'status', 'effect', 'schedule', 'audience', 'targets', 'budgetPoints', 'perMemberCap'] as const;
type Editable = Pick<CampaignUpdate, (typeof EDITABLE)[number]>;

/**
 * The PATCH of an edit: only the fields the operator changed against what the dialog opened with (`before`, the same
 * conversion of the same form, so formatting never counts as a change). After a version conflict the operator's
 * changes are sent again on the newer version, leaving the other operator's changes to other fields in place.
 */
export function changesOf(before: CampaignInput, after: CampaignInput): Editable {
  const changes: Record<string, unknown> = {};
  for (const field of EDITABLE) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) changes[field] = after[field];
  }
  return changes as Editable;
}
