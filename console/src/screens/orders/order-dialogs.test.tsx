import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newQueryClient } from '../../app';
import { ApiContext, createApiClient } from '../../api/client';
import type { components } from '../../api/schema';
import { LocaleProvider, type Locale } from '../../i18n/locale';
import { RefundOrderDialog } from './order-dialogs';

type Order = components['schemas']['Order'];

const json = (status: number, body: unknown, type = 'application/json') => new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

const delivered: Order = {
  orderId: 'o-1',
  memberId: 'm-gold',
  productId: 'p-headphones',
  productName: 'Wireless headphones',
  productType: 'SUPPLIER',
  quantity: 1,
  payment: 'POINTS_CASH',
  points: 6000,
  cashCents: 9900,
  status: 'DELIVERED',
  payBy: null,
  supplier: { supplierId: 'jd', sku: '1000' },
  history: [
    { status: 'PENDING_PAYMENT', at: '2026-12-04T02:00:00.000Z', reason: 'points held' },
    { status: 'PAID', at: '2026-12-04T02:01:00.000Z', reason: 'cash part paid' },
    { status: 'DELIVERED', at: '2026-12-05T02:00:00.000Z', reason: 'jd: DELIVERED' },
  ],
  createdAt: '2026-12-04T02:00:00.000Z',
  updatedAt: '2026-12-05T02:00:00.000Z',
};
const refunded: Order = { ...delivered, status: 'REFUNDED' };

/** What the fake API answers each refund POST with, in turn (a thrown error: no answer at all). */
let answers: (() => Response | Promise<Response>)[] = [];
const posts: { key: string | null; body: unknown }[] = [];

beforeEach(() => {
  answers = [];
  posts.length = 0;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      posts.push({ key: request.headers.get('idempotency-key'), body: await request.json() });
      const answer = answers.shift();
      if (!answer) throw new Error(`unexpected call ${request.method} ${url.pathname}`);
      return answer();
    }),
  );
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function Harness({ order, onDone }: { readonly order: Order; readonly onDone: (o: Order) => void }) {
  const [open, setOpen] = useState(true);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        reopen
      </button>
      <RefundOrderDialog
        order={order}
        open={open}
        onClose={() => setOpen(false)}
        onDone={(o) => {
          setOpen(false);
          onDone(o);
        }}
      />
    </>
  );
}

function renderDialog(order: Order = delivered, locale: Locale = 'en') {
  const onDone = vi.fn();
  render(
    <ApiContext value={createApiClient('http://api.test')}>
      <QueryClientProvider client={newQueryClient()}>
        <LocaleProvider initial={locale}>
          <Harness order={order} onDone={onDone} />
        </LocaleProvider>
      </QueryClientProvider>
    </ApiContext>,
  );
  return { onDone };
}

const refundButton = () => screen.getByRole('button', { name: 'Refund' });

async function reason(text: string) {
  const input = screen.getByLabelText('Reason');
  await userEvent.clear(input);
  if (text) await userEvent.paste(text);
}

describe('the refund dialog', () => {
  it('says what comes back, refuses an empty reason on the field and sends nothing', async () => {
    renderDialog();
    expect(await screen.findByText('6,000 points go back to m-gold through the ledger.')).toBeTruthy();
    expect(screen.getByText(/CN¥99\.00 will be asked back from the payment provider/)).toBeTruthy();
    await userEvent.click(refundButton());
    expect(await screen.findByText('Give a reason')).toBeTruthy();
    expect(posts).toEqual([]);
  });

  it('sends one request for a double click, and the same key again after a lost answer', async () => {
    // Prepare: the first answer never arrives; the second comes slowly
    answers.push(() => {
      throw new TypeError('Failed to fetch');
    });
    answers.push(() => new Promise((resolve) => setTimeout(() => resolve(json(200, refunded)), 50)));
    const { onDone } = renderDialog();
    await reason('arrived broken');

    // Act: submit, no answer; then a double click
    await userEvent.click(refundButton());
    expect(await screen.findByText('The API cannot be reached. Check your connection and retry.')).toBeTruthy();
    await userEvent.dblClick(refundButton());

    // Assess: two requests in all, one key, the refunded order handed over
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(refunded));
    expect(posts).toHaveLength(2);
    expect(posts[1]?.key).toBe(posts[0]?.key);
    expect(posts[0]?.body).toEqual({ reason: 'arrived broken' });
  });

  it('shows a second refund refused (409) and says a failed order only closes', async () => {
    answers.push(() =>
      json(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'order o-1 was refunded already; an order is refunded once', code: 'CONFLICT' }, 'application/problem+json'),
    );
    renderDialog({ ...delivered, status: 'FAILED' });
    expect(await screen.findByText('This order failed: its points and cash were given back then. The refund only closes it.')).toBeTruthy();
    await reason('close it');
    await userEvent.click(refundButton());
    expect(await screen.findByText('order o-1 was refunded already; an order is refunded once')).toBeTruthy();
  });
});
