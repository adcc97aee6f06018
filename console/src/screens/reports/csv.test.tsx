import { describe, expect, it } from 'vitest';
import { buildCsv, type CsvColumn } from './csv';

interface Row {
  readonly name: string;
  readonly points: number;
  readonly cents: number;
  readonly at: string;
  readonly day: string;
}

const columns: CsvColumn<Row>[] = [
  { header: 'Name', kind: 'text', value: (r) => r.name },
  { header: 'Points', kind: 'number', value: (r) => r.points },
  { header: 'Sales (CNY)', kind: 'money', value: (r) => r.cents },
  { header: 'Starts', kind: 'time', value: (r) => r.at },
  { header: 'Day', kind: 'date', value: (r) => r.day },
];

const row = (fields: Partial<Row> = {}): Row => ({ name: 'Double points', points: 1234567, cents: 123450, at: '2026-12-04T16:00:00.000Z', day: '2026-12-05', ...fields });

describe('buildCsv', () => {
  it('writes a header row and one line per row, CRLF, numbers without grouping, money in yuan with two decimals', () => {
    // Act
    const csv = buildCsv(columns, [row(), row({ points: -250, cents: -5 })]);

    // Assess
    expect(csv).toBe(
      'Name,Points,Sales (CNY),Starts (Asia/Shanghai),Day\r\n' +
        'Double points,1234567,1234.50,2026-12-05 00:00:00,2026-12-05\r\n' +
        'Double points,-250,-0.05,2026-12-05 00:00:00,2026-12-05\r\n',
    );
  });

  it('quotes fields with commas, quotes and line breaks, doubling the quotes', () => {
    // Act
    const csv = buildCsv(columns.slice(0, 1), [row({ name: 'Spring, "VIP" sale' }), row({ name: 'two\nlines' }), row({ name: 'cr\rhere' })]);

    // Assess
    expect(csv.split('\r\n')).toEqual(['Name', '"Spring, ""VIP"" sale"', '"two\nlines"', '"cr\rhere"', '']);
  });

  it('keeps text that a spreadsheet would run as a formula as text, and negative numbers as numbers', () => {
    // Act
    const csv = buildCsv(columns.slice(0, 2), [row({ name: '=HYPERLINK("http://x")', points: -3 }), row({ name: '+1', points: 0 }), row({ name: '@SUM(A1)' })]);

    // Assess
    expect(csv.split('\r\n').slice(1, 4)).toEqual(['"\'=HYPERLINK(""http://x"")",-3', "'+1,0", "'@SUM(A1),1234567"]);
  });

  it('writes times in the zone it is given, naming it in the header', () => {
    // Act
    const shanghai = buildCsv([columns[3] as CsvColumn<Row>], [row({ at: '2026-03-31T20:30:15.000Z' })]);
    const utc = buildCsv([columns[3] as CsvColumn<Row>], [row({ at: '2026-03-31T20:30:15.000Z' })], { timeZone: 'UTC' });

    // Assess: 20:30 UTC is already the next day in Shanghai
    expect(shanghai).toBe('Starts (Asia/Shanghai)\r\n2026-04-01 04:30:15\r\n');
    expect(utc).toBe('Starts (UTC)\r\n2026-03-31 20:30:15\r\n');
  });

  it('leaves empty cells for null values and non-finite numbers, and the headers in any language', () => {
    // Act
    const csv = buildCsv<{ v: number | null }>(
      [
        { header: '预算（积分）', kind: 'number', value: (r) => r.v },
        { header: '金额', kind: 'money', value: (r) => r.v },
      ],
      [{ v: null }, { v: Number.NaN }, { v: 0 }],
    );

    // Assess
    expect(csv).toBe('预算（积分）,金额\r\n,\r\n,\r\n0,0.00\r\n');
  });
});
