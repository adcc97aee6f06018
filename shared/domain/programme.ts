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
