import type { components } from '../../api/schema';

export type StockFeed = components['schemas']['StockFeed'];
export type StockFeedResult = components['schemas']['StockFeedResult'];
export type StockFeedLine = components['schemas']['StockFeedLine'];
export type StockFeedState = StockFeed['state'];
export type StockFeedLineStatus = StockFeedResult['status'];

/** Lines one feed may carry (the API's MAX_STOCK_FEED_LINES). */
export const MAX_FEED_LINES = 10_000;
/** The most units a line may set or add (the API's stock rule, as PUT /v1/admin/products/{productId}/stock). */
export const MAX_QUANTITY = 100_000_000;
/** A product id as the API takes one (idSchema): a line with another is refused on its line. */
const PRODUCT_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const MODES = ['set', 'add'] as const;

/** What is wrong with one line of the file, each said by its own message (stock-feed messages `feed.issue.*`). */
export type CsvIssue = { readonly kind: 'fields' | 'productId' | 'mode' | 'quantity' } | { readonly kind: 'repeat'; readonly firstLine: number };

export interface CsvLineProblem {
  /** The line's number in the file, from 1 (blank lines and the header counted): where the operator finds it. */
  readonly line: number;
  readonly text: string;
  readonly issues: readonly CsvIssue[];
}

export interface StockCsv {
  /** The lines to send, in file order; complete only when `problems` is empty. */
  readonly lines: StockFeedLine[];
  /** The file line number of each entry of `lines`: a result's `index` is shown as the line the operator wrote. */
  readonly fileLines: number[];
  readonly problems: CsvLineProblem[];
  /** The header, when the first line was one: `{ line, text }`, so the operator sees which line was not read as stock. */
  readonly header: { readonly line: number; readonly text: string } | null;
  /** Stock lines in the file, good and bad (blank lines and the header not counted). */
  readonly count: number;
}

/** A field as a spreadsheet writes it: spaces around it and a pair of double quotes dropped. */
const unquoted = (field: string) => field.trim().replace(/^"(.*)"$/, '$1').trim();

const isMode = (value: string): value is (typeof MODES)[number] => (MODES as readonly string[]).includes(value);

/**
 * The first line is a header when it reads as column names: three fields, the second not a mode and the third
 * without a digit (`productId,mode,quantity`, `product,Mode,Qty`). A stock line with a typo keeps its digits and is
 * reported instead of skipped.
 */
function isHeader(fields: readonly string[]): boolean {
  return fields.length === 3 && !isMode(fields[1]?.toLowerCase() ?? '') && !/\d/.test(fields[2] ?? '');
}

/**
 * The stock lines of an uploaded CSV file, `productId,mode,quantity` per line (commas, or the semicolons or tabs a
 * spreadsheet may write), checked as far as the browser can: three fields, a product id, mode `set` or `add` (any
 * case), a quantity that is a whole number from 0 to 100,000,000, each product once. A header line is optional and
 * blank lines are ignored. Whether a product exists is the API's to say, on the line's result.
 */
export function stockLinesOfCsv(text: string): StockCsv {
  const lines: StockFeedLine[] = [];
  const fileLines: number[] = [];
  const problems: CsvLineProblem[] = [];
  const firstLineOf = new Map<string, number>();
  let header: StockCsv['header'] = null;
  let count = 0;
  // Excel's "CSV UTF-8" starts the file with a byte-order mark.
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let firstRow = true;
  for (const [i, row] of rows.entries()) {
    const line = i + 1;
    if (row.trim() === '') continue;
    const fields = row.split(/[,;\t]/).map(unquoted);
    // Trailing empty fields are the separators a spreadsheet adds for its empty columns.
    while (fields.length > 3 && fields.at(-1) === '') fields.pop();
    if (firstRow) {
      firstRow = false;
      if (isHeader(fields)) {
        header = { line, text: row.trim() };
        continue;
      }
    }
    count += 1;
    const [productId = '', modeText = '', quantityText = ''] = fields;
    const mode = modeText.toLowerCase();
    const issues: CsvIssue[] = [];
    if (fields.length !== 3 || fields.some((field) => field === '')) issues.push({ kind: 'fields' });
    if (productId !== '' && !PRODUCT_ID.test(productId)) issues.push({ kind: 'productId' });
    if (modeText !== '' && !isMode(mode)) issues.push({ kind: 'mode' });
    const quantity = /^\d+$/.test(quantityText) ? Number(quantityText) : Number.NaN;
    if (quantityText !== '' && (Number.isNaN(quantity) || quantity > MAX_QUANTITY)) issues.push({ kind: 'quantity' });
    const firstLine = firstLineOf.get(productId);
    if (firstLine !== undefined) issues.push({ kind: 'repeat', firstLine });
    else if (PRODUCT_ID.test(productId)) firstLineOf.set(productId, line);
    if (issues.length > 0) {
      problems.push({ line, text: row.trim(), issues });
      continue;
    }
    lines.push({ productId, mode, quantity });
    fileLines.push(line);
  }
  return { lines, fileLines, problems, header, count };
}

/** Whether the file may be sent: stock lines, none wrong, no more than a feed carries. */
export function csvReady(csv: StockCsv): boolean {
  return csv.count > 0 && csv.count <= MAX_FEED_LINES && csv.problems.length === 0;
}

/** DONE and FAILED are final: the feed changes no more, so polling stops. */
export function feedFinished(state: StockFeedState | undefined): boolean {
  return state === 'DONE' || state === 'FAILED';
}
