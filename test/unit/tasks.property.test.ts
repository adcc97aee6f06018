import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../../shared/domain/programme.js';
import {
  addDays,
  daysBetween,
  isoWeek,
  mondayOf,
  nextPeriodStart,
  periodKey,
  startOfLocalDay,
  streakBonusFor,
  streakOn,
} from '../../shared/domain/tasks.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Instants from 2000 to 2100.
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
const day = instant.map((t) => new Date(t).toISOString().slice(0, 10));

describe('task periods (properties)', () => {
  it('keeps the day key within a local day and changes it at local midnight (16:00 UTC in Shanghai)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: DAY - 1 }), (t, offset) => {
        // Prepare: the Shanghai day that contains t starts at 16:00 UTC the day before (no DST there)
        const start = Math.floor((t + 8 * HOUR) / DAY) * DAY - 8 * HOUR;

        // Act
        const key = periodKey('DAILY', new Date(t));
        const sameDay = periodKey('DAILY', new Date(start + offset));
        const next = periodKey('DAILY', new Date(start + DAY));
        const before = periodKey('DAILY', new Date(start - 1));

        // Assess
        expect(sameDay).toBe(key);
        expect(next).toBe(addDays(key, 1));
        expect(before).toBe(addDays(key, -1));
        expect(startOfLocalDay(key).getTime()).toBe(start);
        expect(nextPeriodStart('DAILY', new Date(t))?.getTime()).toBe(start + DAY);
      }),
    );
  });

  it('gives the seven days from a Monday one week key, and the next Monday another', () => {
    fc.assert(
      fc.property(day, (d) => {
        const monday = mondayOf(d);
        const keys = Array.from({ length: 7 }, (_, i) => isoWeek(addDays(monday, i)));
        expect(new Set(keys).size).toBe(1);
        expect(keys).toContain(isoWeek(d));
        expect(isoWeek(addDays(monday, 7))).not.toBe(keys[0]);
        expect(isoWeek(addDays(monday, -1))).not.toBe(keys[0]);
        // The Monday's week starts the local day that begins at its midnight.
        expect(localDate(startOfLocalDay(monday))).toBe(monday);
      }),
    );
  });

  it('does day arithmetic that round-trips', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: -5000, max: 5000 }), (d, n) => {
        expect(daysBetween(d, addDays(d, n))).toBe(n);
        expect(addDays(addDays(d, n), -n)).toBe(d);
      }),
    );
  });
});

describe('streaks (properties)', () => {
  it('records on each sign-in day the length of the run of consecutive days ending there', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 120 }), (signedIn) => {
        // Prepare: day i is signed in when signedIn[i]
        const first = '2026-10-01';
        let previous: { day: string; streak: number } | undefined;

        for (let i = 0; i < signedIn.length; i += 1) {
          if (!signedIn[i]) continue;
          const d = addDays(first, i);

          // Act
          const streak = streakOn(d, previous);
          previous = { day: d, streak };

          // Assess: the slow way, counting back the signed-in days
          let run = 0;
          for (let j = i; j >= 0 && signedIn[j]; j -= 1) run += 1;
          expect(streak).toBe(run);
        }
      }),
    );
  });

  it('pays a repeating schedule every cycle and a one-off schedule once per streak', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 400 }), (cycle, points, length) => {
        const bonuses = [{ day: cycle, points }];

        // Act: what a streak of `length` days collects in bonuses
        let repeating = 0;
        let once = 0;
        for (let s = 1; s <= length; s += 1) {
          repeating += streakBonusFor({ streakBonuses: bonuses, streakBonusRepeats: true }, s);
          once += streakBonusFor({ streakBonuses: bonuses, streakBonusRepeats: false }, s);
        }

        // Assess
        expect(repeating).toBe(Math.floor(length / cycle) * points);
        expect(once).toBe(length >= cycle ? points : 0);
      }),
    );
  });
});
