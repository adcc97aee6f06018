import { Button, type TableColumnsType } from 'antd';
import type { ReactNode } from 'react';
import { formatProgrammeTime } from '../../format';
import type { ScreenI18n } from '../../i18n/locale';
import { buildCsv, downloadCsv, type CsvColumn, type CsvKind } from './csv';
import type { ReportMessageKey } from './messages';

export type ReportI18n = ScreenI18n<ReportMessageKey>;

/**
 * A report table's column, one definition for what the table shows and what its CSV holds: the same header, the
 * same value (shown in the locale's format, written as a plain number or a programme-zone time), so the file is the
 * table.
 */
export interface ReportColumn<Row> extends CsvColumn<Row> {
  readonly key: string;
  /** What the table shows instead of the formatted value (a tag, a link); the CSV keeps the value. */
  readonly render?: (row: Row) => ReactNode;
}

function shown(kind: CsvKind, value: number | string | null, i18n: ReportI18n): ReactNode {
  if (value === null) return '';
  if (typeof value === 'string') return kind === 'time' ? formatProgrammeTime(value) : value;
  return kind === 'money' ? i18n.money(value) : i18n.points(value);
}

/** The columns as antd's Table takes them: numbers right-aligned in the locale's format. */
export function tableColumns<Row>(columns: readonly ReportColumn<Row>[], i18n: ReportI18n): TableColumnsType<Row> {
  return columns.map((c) => ({
    key: c.key,
    title: c.header,
    align: c.kind === 'number' || c.kind === 'money' ? ('right' as const) : undefined,
    render: (_: unknown, row: Row) => (c.render ? c.render(row) : shown(c.kind, c.value(row), i18n)),
  }));
}

/** Exports the rows the table shows, with its columns, as a CSV file built in the browser. */
export function ExportCsvButton<Row>({
  columns,
  rows,
  fileName,
  i18n,
}: {
  readonly columns: readonly ReportColumn<Row>[];
  readonly rows: readonly Row[];
  readonly fileName: string;
  readonly i18n: ReportI18n;
}) {
  return (
    <Button disabled={rows.length === 0} onClick={() => downloadCsv(fileName, buildCsv(columns, rows))}>
      {i18n.t('reports.exportCsv')}
    </Button>
  );
}
