import { describe, expect, it } from 'vitest';
import { inAudience, isRunning, localTime, type CampaignSchedule } from '../../shared/domain/campaigns.js';

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
  const gold = { tier: 'gold' as const, tags: ['coffee'], registeredAt: '2026-03-01T00:00:00Z' };
  it.each([
    [{ kind: 'all' as const }, true],
    [{ kind: 'tiers' as const, tiers: ['gold' as const, 'diamond' as const] }, true],
    [{ kind: 'tiers' as const, tiers: ['silver' as const] }, false],
    [{ kind: 'segment' as const, tags: ['coffee', 'tea'] }, true],
    [{ kind: 'segment' as const, tags: ['tea'] }, false],
    [{ kind: 'segment' as const, registeredFrom: '2026-01-01T00:00:00Z' }, true],
    [{ kind: 'segment' as const, registeredTo: '2026-01-01T00:00:00Z' }, false],
  ])('includes a gold coffee member registered in March for %j: %s', (audience, expected) => {
    expect(inAudience(audience, gold)).toBe(expected);
  });
});
