import dayjs, { type Dayjs } from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * The programme's time zone: campaigns, reports and every time the console shows or takes are in it, whatever the
 * operator's browser is set to (an operator abroad still schedules "Saturday 00:00" in China).
 */
export const PROGRAMME_TIME_ZONE = 'Asia/Shanghai';

/** The formats the console shows and the pickers take (always with the zone beside them). */
export const TIME_FORMAT = 'YYYY-MM-DD HH:mm';
export const DATE_FORMAT = 'YYYY-MM-DD';

/** A locale tag Intl understands (the console's locales are BCP 47 already). */
export type LocaleTag = string;

/** Money in CNY with two decimals, in the locale's notation: `¥1,234.50` (zh-CN), `CN¥1,234.50` (en). */
export function formatMoneyCents(cents: number, locale: LocaleTag): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency: 'CNY', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(cents / 100);
}

/** Points as whole numbers with the locale's grouping: `1,234,567`. */
export function formatPoints(points: number, locale: LocaleTag): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0, useGrouping: true }).format(points);
}

/** A plain number with the locale's grouping and up to `fractionDigits` decimals (multipliers, rates). */
export function formatNumber(value: number, locale: LocaleTag, fractionDigits = 4): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: fractionDigits }).format(value);
}

/** An instant (ISO-8601) as a Dayjs in the programme's time zone, for pickers and arithmetic. */
export function programmeTime(iso: string): Dayjs {
  return dayjs(iso).tz(PROGRAMME_TIME_ZONE);
}

/** An instant shown in the programme's time zone, zone visible: `2026-12-04 10:00 (Asia/Shanghai)`. */
export function formatProgrammeTime(iso: string, format: string = TIME_FORMAT): string {
  return `${programmeTime(iso).format(format)} (${PROGRAMME_TIME_ZONE})`;
}

/**
 * What an operator picked (the wall-clock time shown in a picker, meant in the programme's time zone) as the UTC
 * instant the API takes. The picker's own zone is ignored: 10:00 picked is 10:00 in Asia/Shanghai.
 */
export function fromProgrammeInput(picked: Dayjs): string {
  return dayjs.tz(picked.format('YYYY-MM-DDTHH:mm:ss'), PROGRAMME_TIME_ZONE).toISOString();
}
