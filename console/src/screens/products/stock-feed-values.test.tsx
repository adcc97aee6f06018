import { describe, expect, it } from 'vitest';
import { csvReady, MAX_FEED_LINES, stockLinesOfCsv } from './stock-feed-values';

describe('stock lines from a CSV file', () => {
  it('reads productId,mode,quantity per line, skipping a header and blank lines, as a spreadsheet writes them', () => {
    // Excel's byte-order mark, CRLF, quotes, spaces, an upper-case mode, a semicolon, trailing empty columns
    const csv = '\uFEFFproductId,mode,quantity\r\np-mug,set,300\r\n\r\n"p-cap", ADD ,40,,\r\np-pen;set;0\r\n';

    const read = stockLinesOfCsv(csv);

    expect(read.lines).toEqual([
      { productId: 'p-mug', mode: 'set', quantity: 300 },
      { productId: 'p-cap', mode: 'add', quantity: 40 },
      { productId: 'p-pen', mode: 'set', quantity: 0 },
    ]);
    // Each line as numbered in the file: a result's index is shown as the line the operator wrote
    expect(read.fileLines).toEqual([2, 4, 5]);
    expect(read.header).toEqual({ line: 1, text: 'productId,mode,quantity' });
    expect(read).toMatchObject({ problems: [], count: 3 });
    expect(csvReady(read)).toBe(true);
  });

  it('reads a file without a header from its first line', () => {
    const read = stockLinesOfCsv('p-mug,set,5\np-cap,add,1');
    expect(read.header).toBeNull();
    expect(read.fileLines).toEqual([1, 2]);
  });

  it('reports each wrong line with its number and everything wrong with it, and the file is not ready', () => {
    const csv = [
      'productId,mode,quantity',
      'p-mug,set,300',
      'p-cap,add',
      'p-pen,sett,5',
      'p-bag,set,-1',
      'p-hat,add,2.5',
      'p-box,set,100000001',
      'p mug,set,1',
      'p-mug,add,10',
      'p-cup,replace,many',
      'p-key,set,1,extra',
    ].join('\n');

    const read = stockLinesOfCsv(csv);

    expect(read.problems).toEqual([
      { line: 3, text: 'p-cap,add', issues: [{ kind: 'fields' }] },
      { line: 4, text: 'p-pen,sett,5', issues: [{ kind: 'mode' }] },
      { line: 5, text: 'p-bag,set,-1', issues: [{ kind: 'quantity' }] },
      { line: 6, text: 'p-hat,add,2.5', issues: [{ kind: 'quantity' }] },
      { line: 7, text: 'p-box,set,100000001', issues: [{ kind: 'quantity' }] },
      { line: 8, text: 'p mug,set,1', issues: [{ kind: 'productId' }] },
      { line: 9, text: 'p-mug,add,10', issues: [{ kind: 'repeat', firstLine: 2 }] },
      { line: 10, text: 'p-cup,replace,many', issues: [{ kind: 'mode' }, { kind: 'quantity' }] },
      { line: 11, text: 'p-key,set,1,extra', issues: [{ kind: 'fields' }] },
    ]);
    expect(read.lines).toEqual([{ productId: 'p-mug', mode: 'set', quantity: 300 }]);
    expect(read.count).toBe(10);
    expect(csvReady(read)).toBe(false);
  });

  it('reports a first line with a typo rather than taking it for a header', () => {
    const read = stockLinesOfCsv('p-mug,sett,5\np-cap,add,1\n');
    expect(read.header).toBeNull();
    expect(read.problems).toEqual([{ line: 1, text: 'p-mug,sett,5', issues: [{ kind: 'mode' }] }]);
  });

  it('is not ready with no stock lines, or with more lines than one feed carries', () => {
    const empty = stockLinesOfCsv('productId,mode,quantity\n\n');
    expect(empty.count).toBe(0);
    expect(csvReady(empty)).toBe(false);

    const lines = Array.from({ length: MAX_FEED_LINES + 1 }, (_, i) => `p-${i},set,1`);
    const tooMany = stockLinesOfCsv(lines.join('\n'));
    expect(tooMany.problems).toEqual([]);
    expect(tooMany.count).toBe(MAX_FEED_LINES + 1);
    expect(csvReady(tooMany)).toBe(false);
    expect(csvReady(stockLinesOfCsv(lines.slice(1).join('\n')))).toBe(true);
  });
});
