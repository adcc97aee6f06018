/** The programme's time zone: what "a day" means for reports, sign-ins and birthdays. */
export const PROGRAMME_TIMEZONE = process.env.PROGRAMME_TIMEZONE ?? 'Asia/Shanghai';

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date (`YYYY-MM-DD`) of an instant in a time zone. */
export function localDate(at: Date, timezone: string = PROGRAMME_TIMEZONE): string {
  let formatter = dateFormatters.get(timezone);
  if (!formatter) {
    // en-CA formats dates as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(timezone, formatter);
  }
  return formatter.format(at);
}

const hourFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The local calendar hour (`YYYY-MM-DDTHH`, 00-23) of an instant in a time zone: the bucket of hourly series.
 * Where a zone repeats an hour (daylight saving ends) both real hours share one bucket.
 */
export function localHour(at: Date, timezone: string = PROGRAMME_TIMEZONE): string {
  let formatter = hourFormatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
    hourFormatters.set(timezone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}`;
}

/** The calendar day `days` after `day` (`YYYY-MM-DD`; negative: before). */
export function shiftDay(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (`YYYY-MM-DD`, both included; none when `to` is earlier). */
export function daysFromTo(from: string, to: string): string[] {
  const days: string[] = [];
  for (let day = from; day <= to; day = shiftDay(day, 1)) days.push(day);
  return days;
}

/**
 * The local hours (`YYYY-MM-DDTHH`) of the local days `from` to `to`, in order: 24 a day, 23 or 25 on a day
 * a daylight-saving change shortens or lengthens (a repeated hour is one bucket, see localHour).
 */
export function hoursOfDays(from: string, to: string, timezone: string = PROGRAMME_TIMEZONE): string[] {
  const hours: string[] = [];
  // Every UTC hour that can fall on those local days (zones are at most 14 hours from UTC); each local hour
  // starts within one of them, at the same minute offset.
  const first = Date.parse(`${from}T00:00:00Z`) - 14 * 3600_000;
  const last = Date.parse(`${to}T23:00:00Z`) + 14 * 3600_000;
  for (let t = first; t <= last; t += 3600_000) {
    const hour = localHour(new Date(t), timezone);
    const day = hour.slice(0, 10);
    if (day >= from && day <= to && hours.at(-1) !== hour) hours.push(hour);
  }
  return hours;
}
