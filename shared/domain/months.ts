/**
 * Calendar months as `YYYY-MM` strings: they sort like the months they name,
 * so ranges are string comparisons and month-keyed attributes and index keys
 * need no parsing to be ordered.
 */
import { localDate, PROGRAMME_TIMEZONE } from './programme.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Validates a month key (`YYYY-MM`). */
export function isMonth(value: string): boolean {
  return MONTH.test(value);
}

/** The month `months` after `month` (negative: before). */
export function shiftMonth(month: string, months: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + months, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Months from `from` to `to`, both included (1 when equal, 0 or less when `to` is earlier). */
export function monthsSpanned(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
}

/** The UTC month of an instant (the calendar expiry buckets and activity months use). */
export function utcMonth(at: Date | string): string {
  return (typeof at === 'string' ? at : at.toISOString()).slice(0, 7);
}

/** The programme-local month of an instant (the calendar spend counters use). */
export function programmeMonth(at: Date, timezone: string = PROGRAMME_TIMEZONE): string {
  return localDate(at, timezone).slice(0, 7);
}
