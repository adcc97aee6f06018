import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { endSession } from '../../auth/session';
import type { Role } from '../../roles';
import { json, renderWithConsole, signInAs, stubApi, type FakeApi } from '../campaigns/test-support';
import type { ProductWithStock } from './product-values';
import { FEED_POLL_MS } from './stock-feed-dialog';
import type { StockFeed, StockFeedResult } from './stock-feed-values';
import { ProductsPage } from './products-page';

const mug: ProductWithStock = {
  productId: 'p-mug',
  name: 'Mug',
  description: '',
  type: 'PHYSICAL',
  zone: 'main',
  pricePoints: 500,
  pointsCash: null,
  visibleToTiers: null,
  limits: { perDay: null, lifetime: null },
  saleStartsAt: null,
  saleEndsAt: null,
  soldOut: false,
  supplier: null,
  couponTemplateId: null,
  status: 'ACTIVE',
  sortOrder: 1000,
  stockShards: 1,
  soldOutAt: null,
  version: 1,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  stock: { productId: 'p-mug', available: 250, sold: 0, shards: [{ shard: 0, available: 250, sold: 0 }] },
};

function feedOf(feedId: string, overrides: Partial<StockFeed>): StockFeed {
  return {
    feedId,
    state: 'DONE',
    lineCount: 3,
    sentBy: { kind: 'operator', id: 'op-marketer', role: 'marketer' },
    createdAt: '2026-12-05T06:00:00.000Z',
    updatedAt: '2026-12-05T06:00:01.000Z',
    finishedAt: '2026-12-05T06:00:01.000Z',
    progress: { linesDone: 3, applied: 3, refused: 0, chunks: 1, chunksDone: 1 },
    results: [],
    nextCursor: null,
    error: null,
    ...overrides,
  };
}

const applied = (index: number, productId: string, mode: string, quantity: number, before: number, after: number): StockFeedResult => ({
  index,
  productId,
  mode,
  quantity,
  status: 'APPLIED',
  before,
  after,
  problem: null,
});

const unknown = (index: number, productId: string): StockFeedResult => ({
  index,
  productId,
  mode: 'set',
  quantity: 5,
  status: 'REFUSED',
  before: null,
  after: null,
  problem: { code: 'NOT_FOUND', status: 404, detail: `product ${productId} does not exist` },
});

/** The fake API: the products list (the mug at `available`), the feed's POST answers in turn, and its reads. */
let available = 250;
let posts: ((feedId: string) => Response)[] = [];
let readFeed: (feedId: string, url: URL) => Response = () => {
  throw new Error('no feed to read');
};
let api: FakeApi;

beforeEach(() => {
  available = 250;
  posts = [];
  api = stubApi(({ method, url, body }) => {
    if (url.pathname === '/v1/admin/products') return json({ items: [{ ...mug, stock: { ...mug.stock, available } }], nextCursor: null });
    if (method === 'POST' && url.pathname === '/v1/admin/stock-feeds') {
      const answer = posts.shift();
      if (!answer) throw new Error('unexpected POST');
      return answer((body as { feedId: string }).feedId);
    }
    const read = /^\/v1\/admin\/stock-feeds\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && read) return readFeed(decodeURIComponent(read[1] ?? ''), url);
    throw new Error(`unexpected call ${method} ${url.pathname}`);
  });
  signInAs('marketer');
});

afterEach(() => {
  endSession();
  vi.unstubAllGlobals();
});

const feedPosts = () => api.requests.filter((r) => r.method === 'POST');
const productReads = () => api.requests.filter((r) => r.url.pathname === '/v1/admin/products');
/** The polls of a running feed: its state and counts, one result. */
const progressReads = () => api.requests.filter((r) => r.url.pathname.startsWith('/v1/admin/stock-feeds/') && !r.url.searchParams.has('status'));

/** The products list, its "Upload stock levels" dialog, and `csv` chosen as stock.csv. */
async function chooseFile(csv: string): Promise<HTMLElement> {
  renderWithConsole(<ProductsPage />);
  await screen.findByText('Mug');
  await userEvent.click(screen.getByRole('button', { name: 'Upload stock levels' }));
  // antd names its dialogs by an id that is the same for all under test: found by its title's text instead.
  const dialog = await screen.findByRole('dialog');
  within(dialog).getByText('Upload stock levels');
  await userEvent.upload(within(dialog).getByLabelText('File'), new File([csv], 'stock.csv', { type: 'text/csv' }));
  return dialog;
}

const uploadButton = (dialog: HTMLElement) => within(dialog).getByRole('button', { name: 'Upload' }) as HTMLButtonElement;

/** The cells of a table's body rows, as text. */
function rowsOf(table: HTMLElement): string[][] {
  return [...table.querySelectorAll('tbody tr.ant-table-row')].map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? ''));
}

// antd dialogs in jsdom: slow on a busy two-core machine, so more time than the default.
describe('uploading stock levels from a CSV file', { timeout: 120_000 }, () => {
  it('shows the lines the browser can tell are wrong, with their numbers and what to fix, and sends nothing until the file is fixed', async () => {
    // Prepare
    const dialog = await chooseFile('productId,mode,quantity\np-mug,set,300\np-cap,sett,5\np-mug,add,1\np-pen,add\n');

    // Assess: three lines refused, the upload blocked
    await within(dialog).findByText('3 line(s) of stock.csv cannot be sent: fix them in the file and choose it again. Nothing was uploaded.');
    expect(rowsOf(within(dialog).getByTestId('feed-problems'))).toEqual([
      ['3', 'p-cap,sett,5', 'The mode is set or add'],
      ['4', 'p-mug,add,1', 'The product is already on line 2: keep one line per product'],
      ['5', 'p-pen,add', 'Write three fields: productId,mode,quantity'],
    ]);
    within(dialog).getByText('Line 1 is read as the header: productId,mode,quantity');
    expect(uploadButton(dialog).disabled).toBe(true);

    // Act: the fixed file
    await userEvent.upload(within(dialog).getByLabelText('File'), new File(['p-mug,set,300\np-cap,set,5\n'], 'fixed.csv', { type: 'text/csv' }));

    // Assess: ready, and still nothing sent
    await within(dialog).findByText('2 line(s) read from fixed.csv, ready to upload');
    expect(within(dialog).queryByTestId('feed-problems')).toBeNull();
    expect(uploadButton(dialog).disabled).toBe(false);
    expect(feedPosts()).toEqual([]);
  });

  it('sends the file as one feed, resends the same feed after a lost answer, and shows the refused lines by their file line and the applied ones', async () => {
    // Prepare: the first send gets no answer; the second is applied at once (201), one unknown product refused
    posts = [
      () => {
        throw new TypeError('Failed to fetch');
      },
      (feedId) => {
        available = 300;
        return json(
          feedOf(feedId, {
            progress: { linesDone: 3, applied: 2, refused: 1, chunks: 1, chunksDone: 1 },
            results: [applied(0, 'p-mug', 'set', 300, 250, 300), unknown(1, 'p-nowhere'), applied(2, 'p-cap', 'add', 40, 0, 40)],
          }),
          201,
        );
      },
    ];
    const dialog = await chooseFile('productId,mode,quantity\np-mug,set,300\n\np-nowhere,set,5\np-cap,add,40\n');
    await within(dialog).findByText('3 line(s) read from stock.csv, ready to upload');
    expect(productReads()).toHaveLength(1);

    // Act: upload, no answer
    await userEvent.click(uploadButton(dialog));

    // Assess
    await screen.findByText('The API cannot be reached. Check your connection and retry.');

    // Act: upload again
    await userEvent.click(uploadButton(dialog));

    // Assess: both sends are the same feed, under one id and key
    await within(dialog).findByText('2 line(s) applied, 1 refused');
    const [first, second] = feedPosts();
    const body = first?.body as { feedId: string; lines: unknown[] };
    expect(body.feedId).toMatch(/^console-[0-9a-f-]{36}$/);
    expect(body.lines).toEqual([
      { productId: 'p-mug', mode: 'set', quantity: 300 },
      { productId: 'p-nowhere', mode: 'set', quantity: 5 },
      { productId: 'p-cap', mode: 'add', quantity: 40 },
    ]);
    expect(second?.body).toEqual(body);
    expect(first?.headers.get('idempotency-key')).toBe(body.feedId);
    expect(second?.headers.get('idempotency-key')).toBe(body.feedId);
    // The refused line, numbered as in the file (after the header and a blank line), with the API's problem
    expect(rowsOf(within(dialog).getByTestId('feed-results-REFUSED'))).toEqual([['4', 'p-nowhere', 'set to 5', 'NOT_FOUNDproduct p-nowhere does not exist']]);

    // Act: the applied lines
    await userEvent.click(within(dialog).getByRole('tab', { name: 'Applied (2)' }));

    // Assess: their stock before and after; the products list read again shows the new stock
    await waitFor(() =>
      expect(rowsOf(within(dialog).getByTestId('feed-results-APPLIED'))).toEqual([
        ['2', 'p-mug', 'set to 300', '250', '300'],
        ['5', 'p-cap', 'add 40', '0', '40'],
      ]),
    );
    await screen.findByText('300 left · 0 sold · 1 shard(s)');
    expect(feedPosts()).toHaveLength(2);
  });

  it('follows a feed answered 202 by reading it every 2 s until DONE, then pages its refused lines with the cursor', async () => {
    // Prepare: queued, then running with one line done, then done with two lines refused over two pages
    posts = [(feedId) => json(feedOf(feedId, { state: 'QUEUED', finishedAt: null, progress: { linesDone: 0, applied: 0, refused: 0, chunks: 1, chunksDone: 0 } }), 202)];
    const running = { state: 'RUNNING', finishedAt: null, progress: { linesDone: 1, applied: 0, refused: 1, chunks: 1, chunksDone: 0 } } as const;
    const done = { state: 'DONE', progress: { linesDone: 3, applied: 1, refused: 2, chunks: 1, chunksDone: 1 } } as const;
    readFeed = (feedId, url) => {
      if (url.searchParams.get('status') === 'REFUSED') {
        const page = url.searchParams.get('cursor') === 'refused-2' ? { results: [unknown(2, 'p-gone')], nextCursor: null } : { results: [unknown(1, 'p-nowhere')], nextCursor: 'refused-2' };
        return json(feedOf(feedId, { ...done, ...page }));
      }
      // The request being answered is already counted: the first read finds it running, the next one done.
      return json(feedOf(feedId, progressReads().length === 1 ? running : done));
    };
    const dialog = await chooseFile('p-mug,set,300\np-nowhere,set,5\np-gone,set,5\n');
    await within(dialog).findByText('3 line(s) read from stock.csv, ready to upload');

    // Act
    await userEvent.click(uploadButton(dialog));

    // Assess: its progress while it runs, then its counts
    await within(dialog).findByText('1 of 3 line(s) done: 0 applied, 1 refused');
    within(dialog).getByText('Running');
    await within(dialog).findByText('1 line(s) applied, 2 refused', undefined, { timeout: FEED_POLL_MS * 3 });
    within(dialog).getByText('Done');
    expect(progressReads().map((r) => r.url.searchParams.get('limit'))).toEqual(['1', '1']);
    await waitFor(() => expect(rowsOf(within(dialog).getByTestId('feed-results-REFUSED'))).toEqual([['2', 'p-nowhere', 'set to 5', 'NOT_FOUNDproduct p-nowhere does not exist']]));

    // Act: the next page of refused lines
    await userEvent.click(within(dialog).getByRole('button', { name: 'Load more' }));

    // Assess
    await waitFor(() => expect(rowsOf(within(dialog).getByTestId('feed-results-REFUSED'))).toHaveLength(2));
    expect(rowsOf(within(dialog).getByTestId('feed-results-REFUSED'))[1]).toEqual(['3', 'p-gone', 'set to 5', 'NOT_FOUNDproduct p-gone does not exist']);
    const refusedReads = api.requests.filter((r) => r.url.searchParams.get('status') === 'REFUSED').map((r) => [r.url.searchParams.get('limit'), r.url.searchParams.get('cursor')]);
    expect(refusedReads).toEqual([
      ['100', null],
      ['100', 'refused-2'],
    ]);
    // The products list is read again once the feed is over, and the feed no more
    await waitFor(() => expect(productReads()).toHaveLength(2));
    expect(progressReads()).toHaveLength(2);
  });

  it('shows why a feed FAILED, with the lines applied before it stopped', async () => {
    // Prepare
    posts = [(feedId) => json(feedOf(feedId, { state: 'QUEUED', finishedAt: null, progress: { linesDone: 0, applied: 0, refused: 0, chunks: 1, chunksDone: 0 } }), 202)];
    const failed = { state: 'FAILED', error: 'the run met an internal error', progress: { linesDone: 1, applied: 1, refused: 0, chunks: 1, chunksDone: 0 } } as const;
    readFeed = (feedId, url) => json(feedOf(feedId, { ...failed, ...(url.searchParams.get('status') === 'APPLIED' ? { results: [applied(0, 'p-mug', 'set', 300, 250, 300)] } : {}) }));
    const dialog = await chooseFile('p-mug,set,300\np-cap,set,5\np-pen,set,5\n');
    await within(dialog).findByText('3 line(s) read from stock.csv, ready to upload');

    // Act
    await userEvent.click(uploadButton(dialog));

    // Assess
    await within(dialog).findByText('The upload stopped before its end: the run met an internal error. The lines applied stand; upload the others in a new file.');
    within(dialog).getByText('Failed');
    await waitFor(() => expect(rowsOf(within(dialog).getByTestId('feed-results-APPLIED'))).toEqual([['1', 'p-mug', 'set to 300', '250', '300']]));
  });

  it('stops reading a running feed when the dialog is closed', async () => {
    // Prepare
    posts = [(feedId) => json(feedOf(feedId, { state: 'QUEUED', finishedAt: null, progress: { linesDone: 0, applied: 0, refused: 0, chunks: 1, chunksDone: 0 } }), 202)];
    readFeed = (feedId) => json(feedOf(feedId, { state: 'RUNNING', finishedAt: null, progress: { linesDone: 1, applied: 1, refused: 0, chunks: 1, chunksDone: 0 } }));
    const dialog = await chooseFile('p-mug,set,300\np-cap,set,5\np-pen,set,5\n');
    await within(dialog).findByText('3 line(s) read from stock.csv, ready to upload');
    await userEvent.click(uploadButton(dialog));
    await within(dialog).findByText('1 of 3 line(s) done: 1 applied, 0 refused');
    const reads = progressReads().length;

    // Act
    await userEvent.click(within(dialog).getAllByRole('button', { name: 'Close' }).at(-1) as HTMLElement);

    // Assess: no read past the next poll's time
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await new Promise((resolve) => setTimeout(resolve, FEED_POLL_MS + 500));
    expect(progressReads()).toHaveLength(reads);
  });
});

describe('who may upload stock levels', { timeout: 120_000 }, () => {
  it('shows the button to the admin and the marketer (in their language), not to support or the analyst', async () => {
    const cases: [Role, 'en' | 'zh-CN', string, boolean][] = [
      ['admin', 'en', 'Upload stock levels', true],
      ['marketer', 'zh-CN', '批量上传库存', true],
      ['support', 'en', 'Upload stock levels', false],
      ['analyst', 'en', 'Upload stock levels', false],
    ];
    for (const [role, locale, label, shown] of cases) {
      endSession();
      signInAs(role);
      const view = renderWithConsole(<ProductsPage />, { locale });
      await screen.findByText('Mug');
      expect(screen.queryAllByRole('button', { name: label }), role).toHaveLength(shown ? 1 : 0);
      view.unmount();
    }
  });
});
