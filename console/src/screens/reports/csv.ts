import dayjs from 'dayjs';
// format.ts extends dayjs with its utc and timezone plugins.
import { PROGRAMME_TIME_ZONE } from '../../format';

/**
 * How a column's values are written:
 * - `number`: the number as a spreadsheet reads it (no grouping, `.` for decimals, `-` for negatives);
 * - `money`: CNY cents written as yuan with two decimals (`1234.50`);
 * - `date`: a programme-local day `YYYY-MM-DD`, as it is;
 * - `time`: an instant (ISO-8601) written in the programme's zone as `YYYY-MM-DD HH:mm:ss`, the zone in the header;
 * - `text`: anything else, quoted when it must be, guarded against formula injection.
 */
export type CsvKind = 'number' | 'money' | 'date' | 'time' | 'text';

export interface CsvColumn<Row> {
  readonly header: string;
  readonly kind: CsvKind;
  /** The cell's value: a number for number and money (cents), a string otherwise; null for an empty cell. */
  readonly value: (row: Row) => number | string | null;
}

export interface CsvOptions {
  /** The zone `time` columns are written in; the programme's by default. */
  readonly timeZone?: string;
}

/** RFC 4180 quoting: a field with a quote, a comma or a line break is quoted, its quotes doubled. */
function quoted(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/**
 * A text cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return before one)
 * gets a leading apostrophe, so a campaign named `=HYPERLINK(...)` stays text (OWASP's CSV injection advice). Numbers
 * are written by the number kinds and never guarded: `-12` stays a negative number.
 */
function guarded(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function moneyText(cents: number): string {
  // Integer arithmetic: cents / 100 in floating point would print 0.1 + 0.2 artefacts for some values.
  const whole = Math.round(cents);
  const sign = whole < 0 ? '-' : '';
  const abs = Math.abs(whole);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function cell(kind: CsvKind, value: number | string | null, zone: string): string {
  if (value === null || value === '') return '';
  switch (kind) {
    case 'number':
    case 'money':
      if (typeof value !== 'number') return quoted(guarded(value));
      if (!Number.isFinite(value)) return '';
      return kind === 'money' ? moneyText(value) : String(value);
    case 'date':
      return quoted(guarded(String(value)));
    case 'time':
      return dayjs(String(value)).tz(zone).format('YYYY-MM-DD HH:mm:ss');
    case 'text':
      return quoted(guarded(String(value)));
  }
}

/**
 * The CSV of a table: a header row (the columns' headers; a time column's header names the zone its times are in)
 * and a row per row given, lines ending CRLF. Build it from the rows the table shows, with the table's columns, and
 * the file is exactly what the operator saw.
 */
export function buildCsv<Row>(columns: readonly CsvColumn<Row>[], rows: readonly Row[], options: CsvOptions = {}): string {
  const zone = options.timeZone ?? PROGRAMME_TIME_ZONE;
  const header = columns.map((c) => quoted(guarded(c.kind === 'time' ? `${c.header} (${zone})` : c.header)));
  const lines = [header.join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(c.kind, c.value(row), zone)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Saves CSV text as a file through a Blob, with a UTF-8 byte order mark so that spreadsheet programs read the
 * Chinese headers right.
 */
export function downloadCsv(fileName: string, csv: string): void {
  const blob = new Blob(['\uFEFF', csv], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has handed the Blob to the download; revoking at once can cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
