import { describe, expect, it } from 'vitest';
import { campaignState } from '../../shared/domain/campaigns.js';
import { daysFromTo, hoursOfDays, localHour, shiftDay } from '../../shared/domain/programme.js';
import { bucketDeltas } from '../../shared/reports/expiry-forecast.js';

const schedule = { startsAt: '2026-03-01T00:00:00Z', endsAt: '2026-04-01T00:00:00Z', timezone: 'Asia/Shanghai' };

describe('campaign state', () => {
  it.each([
    ['before its start', { status: 'ACTIVE', budgetPoints: null }, 0, '2026-02-28T23:59:59Z', 'scheduled'],
    ['inside its window', { status: 'ACTIVE', budgetPoints: 1000 }, 999, '2026-03-10T00:00:00Z', 'running'],
    ['paused inside its window', { status: 'PAUSED', budgetPoints: null }, 0, '2026-03-10T00:00:00Z', 'paused'],
    ['paused before its start', { status: 'PAUSED', budgetPoints: null }, 0, '2026-02-01T00:00:00Z', 'paused'],
    ['with its budget all issued, even paused', { status: 'PAUSED', budgetPoints: 1000 }, 1000, '2026-03-10T00:00:00Z', 'budget-exhausted'],
    ['at its end, whatever else', { status: 'PAUSED', budgetPoints: 1000 }, 1000, '2026-04-01T00:00:00Z', 'ended'],
  ] as const)('is what it is %s', (_, campaign, issued, now, state) => {
    // Act / Assess
    expect(campaignState({ ...campaign, schedule }, issued, new Date(now))).toBe(state);
  });
});

describe('programme-local hours and days', () => {
  it('names the local hour of an instant', () => {
    // 2026-03-01 23:30 UTC is 07:30 on 2 March in Shanghai, 05:00 in Kolkata
    expect(localHour(new Date('2026-03-01T23:30:00Z'), 'Asia/Shanghai')).toBe('2026-03-02T07');
    expect(localHour(new Date('2026-03-01T23:30:00Z'), 'Asia/Kolkata')).toBe('2026-03-02T05');
  });

  it('lists 24 hours a day, and 23 or 25 on the days a daylight-saving change shortens or lengthens', () => {
    expect(hoursOfDays('2026-03-01', '2026-03-02', 'Asia/Shanghai')).toHaveLength(48);
    expect(hoursOfDays('2026-03-01', '2026-03-01', 'Asia/Kolkata')[0]).toBe('2026-03-01T00');
    expect(hoursOfDays('2026-03-08', '2026-03-08', 'America/New_York')).toHaveLength(23);
    expect(hoursOfDays('2026-11-01', '2026-11-01', 'America/New_York')).toHaveLength(24);
    expect(hoursOfDays('2026-11-01', '2026-11-01', 'America/New_York').filter((h) => h === '2026-11-01T01')).toHaveLength(1);
  });

  it('walks calendar days across months and leap days', () => {
    expect(daysFromTo('2028-02-28', '2028-03-01')).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    expect(daysFromTo('2026-01-02', '2026-01-01')).toEqual([]);
    expect(shiftDay('2026-01-01', -1)).toBe('2025-12-31');
  });
});

describe('expiry forecast deltas of a wallet change', () => {
  const wallet = (fields: Record<string, unknown>) => ({ memberId: 'm1', currency: 'points', available: 0, held: 0, debited: 0, spent: 0, expired: 0, ...fields });

  it('takes a spend from the soonest buckets', () => {
    // Prepare: 100 expiring with 2026-01, 50 with 2026-03; a spend of 120
    const before = wallet({ 'B#2026-01': 100, 'B#2026-03': 50, available: 150 });
    const after = wallet({ 'B#2026-01': 100, 'B#2026-03': 50, available: 30, debited: 120, spent: 120 });

    // Act / Assess
    expect(Object.fromEntries(bucketDeltas(before, after))).toEqual({ '2026-01': -100, '2026-03': -20 });
  });

  it('moves nothing for a wallet created empty, and adds a first credit whole', () => {
    expect(bucketDeltas(undefined, wallet({})).size).toBe(0);
    expect(Object.fromEntries(bucketDeltas(wallet({}), wallet({ 'B#2027-01': 40, available: 40 })))).toEqual({ '2027-01': 40 });
  });

  it('removes an expired bucket and nothing else', () => {
    // Prepare: the expiry job removes the 30 left of 2026-01
    const before = wallet({ 'B#2026-01': 100, 'B#2026-03': 50, available: 80, debited: 70, spent: 70 });
    const after = wallet({ 'B#2026-01': 100, 'B#2026-03': 50, available: 50, debited: 70, spent: 70, expired: 30, expiredThrough: '2026-01' });

    // Act / Assess
    expect(Object.fromEntries(bucketDeltas(before, after))).toEqual({ '2026-01': -30 });
  });
});
