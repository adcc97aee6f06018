import { describe, expect, it } from 'vitest';
import { campaignInputSchema } from '../../shared/contracts/campaigns.js';
import {
  inAudience,
  isRunning,
  localTime,
  spendInPeriod,
  spendPeriodMonths,
  type Audience,
  type CampaignSchedule,
} from '../../shared/domain/campaigns.js';

const weekends: CampaignSchedule = {
  startsAt: '2026-01-01T00:00:00Z',
  endsAt: '2027-01-01T00:00:00Z',
  timezone: 'Asia/Shanghai',
  recurring: { daysOfWeek: [6, 7], from: '00:00', to: '23:59' },
};

describe('campaign windows', () => {
  it.each([
    ['Friday 23:59 in Shanghai (15:59 UTC)', '2026-11-27T15:59:00Z', false],
    ['Saturday 00:00 in Shanghai (Friday 16:00 UTC)', '2026-11-27T16:00:00Z', true],
    ['Sunday 23:59 in Shanghai', '2026-11-29T15:59:30Z', true],
    ['Monday 00:00 in Shanghai (Sunday 16:00 UTC)', '2026-11-29T16:00:00Z', false],
    ['a Saturday before the campaign starts', '2025-12-27T04:00:00Z', false],
    ['a Saturday after it ends', '2027-01-02T04:00:00Z', false],
  ])('runs weekends 00:00-23:59 Asia/Shanghai: %s -> %s', (_, at, expected) => {
    expect(isRunning({ status: 'ACTIVE', schedule: weekends }, new Date(at))).toBe(expected);
  });

  it('does not run while paused', () => {
    expect(isRunning({ status: 'PAUSED', schedule: weekends }, new Date('2026-11-28T04:00:00Z'))).toBe(false);
  });

  it('treats endsAt as exclusive without a recurring window', () => {
    const schedule = { startsAt: '2026-05-01T00:00:00Z', endsAt: '2026-05-02T00:00:00Z', timezone: 'UTC' };
    expect(isRunning({ status: 'ACTIVE', schedule }, new Date('2026-05-01T23:59:59Z'))).toBe(true);
    expect(isRunning({ status: 'ACTIVE', schedule }, new Date('2026-05-02T00:00:00Z'))).toBe(false);
  });

  it('reads local weekday and minute in the zone', () => {
    expect(localTime(new Date('2026-11-23T16:30:00Z'), 'Asia/Shanghai')).toEqual({ isoWeekday: 2, minutes: 30 });
    expect(localTime(new Date('2026-11-23T16:30:00Z'), 'UTC')).toEqual({ isoWeekday: 1, minutes: 16 * 60 + 30 });
  });
});

describe('campaign audiences', () => {
  const gold = { tier: 'gold' as const, tags: ['coffee'], registeredAt: '2026-03-01T00:00:00Z', growthCounters: { monthlySpendCents: {} } };
  const at = new Date('2026-05-10T04:00:00Z');
  it.each([
    [{ kind: 'all' as const }, true],
    [{ kind: 'tiers' as const, tiers: ['gold' as const, 'diamond' as const] }, true],
    [{ kind: 'tiers' as const, tiers: ['silver' as const] }, false],
    [{ kind: 'segment' as const, tags: ['coffee', 'tea'] }, true],
    [{ kind: 'segment' as const, tags: ['tea'] }, false],
    [{ kind: 'segment' as const, registeredFrom: '2026-01-01T00:00:00Z' }, true],
    [{ kind: 'segment' as const, registeredTo: '2026-01-01T00:00:00Z' }, false],
  ])('includes a gold coffee member registered in March for %j: %s', (audience, expected) => {
    expect(inAudience(audience, gold, at)).toBe(expected);
  });
});

describe('campaign audiences by spend in a period', () => {
  // Spend per programme-local month (Asia/Shanghai), net of refunds: 2026-03 had a refund larger than its purchases.
  const monthlySpendCents = { '2025-12': 500_00, '2026-01': 300_00, '2026-02': 0, '2026-03': -50_00, '2026-04': 600_00, '2026-05': 200_00 };
  const member = { tier: 'normal' as const, tags: ['coffee'], registeredAt: '2025-01-01T00:00:00Z', growthCounters: { monthlySpendCents } };
  const midMay = new Date('2026-05-10T04:00:00Z');

  it('counts the month of the earning time and the months - 1 before it', () => {
    expect(spendPeriodMonths({ kind: 'last-months', months: 3 }, midMay)).toEqual({ from: '2026-03', to: '2026-05' });
    expect(spendInPeriod(monthlySpendCents, { kind: 'last-months', months: 3 }, midMay)).toBe(750_00);
    expect(spendInPeriod(monthlySpendCents, { kind: 'last-months', months: 1 }, midMay)).toBe(200_00);
    expect(spendInPeriod(monthlySpendCents, { kind: 'last-months', months: 12 }, midMay)).toBe(1_550_00);
  });

  it('reads months in the programme time zone, across a year end', () => {
    // 2026-12-31T16:30Z is 2027-01-01 00:30 in Shanghai: the last month is January 2027.
    const newYear = new Date('2026-12-31T16:30:00Z');
    expect(spendPeriodMonths({ kind: 'last-months', months: 2 }, newYear)).toEqual({ from: '2026-12', to: '2027-01' });
    expect(spendPeriodMonths({ kind: 'last-months', months: 2 }, new Date('2026-12-31T15:59:00Z'))).toEqual({ from: '2026-11', to: '2026-12' });
  });

  it('sums a fixed range of months, both ends included, whatever the earning time', () => {
    const period = { kind: 'months' as const, from: '2025-12', to: '2026-02' };
    expect(spendInPeriod(monthlySpendCents, period, midMay)).toBe(800_00);
    expect(spendInPeriod(monthlySpendCents, period, new Date('2030-01-01T00:00:00Z'))).toBe(800_00);
  });

  it.each([
    ['at least 750 CNY in the last 3 months (exactly 750)', { atLeastCents: 750_00 }, true],
    ['at least 750.01 CNY in the last 3 months', { atLeastCents: 750_01 }, false],
    ['below 750 CNY in the last 3 months (exactly 750)', { belowCents: 750_00 }, false],
    ['below 750.01 CNY in the last 3 months', { belowCents: 750_01 }, true],
    ['between 500 and 1,000 CNY in the last 3 months', { atLeastCents: 500_00, belowCents: 1_000_00 }, true],
  ])('%s: %s', (_, bounds, expected) => {
    const audience: Audience = { kind: 'segment', spend: { period: { kind: 'last-months', months: 3 }, ...bounds } };
    expect(inAudience(audience, member, midMay)).toBe(expected);
  });

  it('combines spend with the other segment criteria (all must hold)', () => {
    const spend = { period: { kind: 'last-months' as const, months: 3 }, atLeastCents: 100_00 };
    expect(inAudience({ kind: 'segment', tags: ['coffee'], spend }, member, midMay)).toBe(true);
    expect(inAudience({ kind: 'segment', tags: ['tea'], spend }, member, midMay)).toBe(false);
    expect(inAudience({ kind: 'segment', registeredFrom: '2026-01-01T00:00:00Z', spend }, member, midMay)).toBe(false);
  });

  it('treats a member without counters (new, or an anonymous preview) as having spent nothing', () => {
    const newcomer = { ...member, growthCounters: { monthlySpendCents: {} } };
    const period = { kind: 'last-months' as const, months: 3 };
    expect(inAudience({ kind: 'segment', spend: { period, atLeastCents: 1 } }, newcomer, midMay)).toBe(false);
    expect(inAudience({ kind: 'segment', spend: { period, belowCents: 1 } }, newcomer, midMay)).toBe(true);
  });
});

describe('campaign contract: spend audiences', () => {
  const base = { name: 'spenders', effect: { kind: 'bonus', points: 10 }, schedule: { startsAt: '2026-01-01T00:00:00Z', endsAt: '2027-01-01T00:00:00Z' } };
  const parse = (spend: unknown) => campaignInputSchema.safeParse({ ...base, audience: { kind: 'segment', spend } });

  it('accepts a rolling and a fixed period', () => {
    expect(parse({ period: { kind: 'last-months', months: 3 }, atLeastCents: 100_000 }).success).toBe(true);
    expect(parse({ period: { kind: 'months', from: '2025-11', to: '2026-01' }, belowCents: 5_000 }).success).toBe(true);
  });

  it.each([
    ['no bound', { period: { kind: 'last-months', months: 3 } }],
    ['bounds the wrong way round', { period: { kind: 'last-months', months: 3 }, atLeastCents: 500, belowCents: 500 }],
    ['0 months', { period: { kind: 'last-months', months: 0 } , atLeastCents: 1 }],
    ['more than 36 months', { period: { kind: 'last-months', months: 37 }, atLeastCents: 1 }],
    ['a fixed range of 37 months', { period: { kind: 'months', from: '2023-01', to: '2026-01' }, atLeastCents: 1 }],
    ['a fixed range ending before it starts', { period: { kind: 'months', from: '2026-02', to: '2026-01' }, atLeastCents: 1 }],
    ['a month that is not one', { period: { kind: 'months', from: '2026-13', to: '2026-14' }, atLeastCents: 1 }],
    ['fractional cents', { period: { kind: 'last-months', months: 3 }, atLeastCents: 10.5 }],
    ['an unknown field', { period: { kind: 'last-months', months: 3 }, atLeastCents: 1, currency: 'CNY' }],
  ])('refuses %s', (_, spend) => {
    expect(parse(spend).success).toBe(false);
  });
});
