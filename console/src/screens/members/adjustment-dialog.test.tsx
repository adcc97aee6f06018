import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newQueryClient } from '../../app';
import { ApiContext, createApiClient } from '../../api/client';
import type { components } from '../../api/schema';
import { LocaleProvider, type Locale } from '../../i18n/locale';
import { AdjustmentDialog } from './adjustment-dialog';

type Problem = components['schemas']['Problem'];

const json = (status: number, body: unknown, type = 'application/json') => new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

const settings = { approvalThresholdPoints: 10_000_000, supportMaxPointsPerAdjustment: 10_000, supportMaxPointsPerDay: 50_000, version: 0 };
const entry = { id: 'e-1', type: 'ADJUST', currency: 'points', points: 500, heldDelta: 0, pendingDelta: 0, reason: 'goodwill credit', ref: 'operator:op-support', at: '2026-12-04T02:00:00.000Z' };
const approval = {
  approvalId: 'ap-1',
  kind: 'ADJUSTMENT',
  status: 'PENDING',
  memberId: 'm-gold',
  points: 20_000_000,
  currency: 'points',
  reason: 'migration',
  requestedBy: 'op-support',
  requestedRole: 'support',
  createdAt: '2026-12-04T02:00:00.000Z',
};

/** What the fake API answers each adjustment POST with, in turn (a thrown error: no answer at all). */
let answers: (() => Response)[] = [];
const posts: { key: string | null; body: unknown }[] = [];

beforeEach(() => {
  answers = [];
  posts.length = 0;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      const url = new URL(request.url);
      if (url.pathname === '/v1/admin/settings') return json(200, settings);
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

/** The dialog as the member page opens it: closes on success, reopened with the button. */
function Harness({ onApplied, onPending }: { readonly onApplied: (e: unknown) => void; readonly onPending: (a: unknown) => void }) {
  const [open, setOpen] = useState(true);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        reopen
      </button>
      <AdjustmentDialog
        memberId="m-gold"
        currencies={['points', 'partner-miles']}
        open={open}
        onClose={() => setOpen(false)}
        onApplied={(e) => {
          setOpen(false);
          onApplied(e);
        }}
        onPending={(a) => {
          setOpen(false);
          onPending(a);
        }}
      />
    </>
  );
}

function renderDialog(locale: Locale = 'en') {
  const onApplied = vi.fn();
  const onPending = vi.fn();
  render(
    <ApiContext value={createApiClient('http://api.test')}>
      <QueryClientProvider client={newQueryClient()}>
        <LocaleProvider initial={locale}>
          <Harness onApplied={onApplied} onPending={onPending} />
        </LocaleProvider>
      </QueryClientProvider>
    </ApiContext>,
  );
  return { onApplied, onPending };
}

function formItemOf(label: string): HTMLElement {
  const item = screen.getByLabelText(label).closest('.ant-form-item');
  if (!(item instanceof HTMLElement)) throw new Error(`no form item for ${label}`);
  return item;
}

const submit = () => userEvent.click(screen.getByRole('button', { name: 'Adjust' }));

/** Replaces a field's text as a paste would (one input event: typing key by key into antd is slow in jsdom). */
async function enter(label: string, text: string) {
  const input = screen.getByLabelText(label);
  await userEvent.clear(input);
  if (text) await userEvent.paste(text);
}

async function fill(points: string, reason: string) {
  await enter('Points', points);
  await enter('Reason', reason);
}

describe('the adjustment dialog', () => {
  it('refuses missing points, 0 points and a short reason on the fields, and sends nothing', async () => {
    // Prepare
    renderDialog();
    await screen.findByText('Above 10,000,000 points a second operator must approve the adjustment.');

    // Act: nothing filled
    await submit();

    // Assess
    await waitFor(() => expect(formItemOf('Points').textContent).toContain('Enter the points to credit or debit'));
    expect(formItemOf('Reason').textContent).toContain('Give a reason of at least 3 characters');

    // Act: 0 points, a reason of two characters
    await fill('0', 'ok');
    await submit();

    // Assess
    await waitFor(() => expect(formItemOf('Points').textContent).toContain('Points must not be 0'));
    expect(formItemOf('Reason').textContent).toContain('Give a reason of at least 3 characters');

    // Act: beyond the API's bound
    await fill('200000000', 'far too much');
    await submit();

    // Assess
    await waitFor(() => expect(formItemOf('Points').textContent).toContain('At most ±100,000,000 points'));
    expect(posts).toEqual([]);
  });

  it('puts the field errors of a 400 answer on the fields they name', async () => {
    // Prepare
    const problem: Problem = {
      type: 'https://points-mall.dev/problems/validation-failed',
      title: 'Request is not valid',
      status: 400,
      detail: 'body.currency: unknown currency "partner-miles"; body.reason: reason must not be only digits',
      code: 'VALIDATION_FAILED',
      errors: [
        { path: 'body.currency', message: 'unknown currency "partner-miles"' },
        { path: 'body.reason', message: 'reason must not be only digits' },
      ],
    };
    answers.push(() => json(400, problem, 'application/problem+json'));
    renderDialog();
    await fill('-250', '12345');

    // Act
    await submit();

    // Assess: each message under its field, the toast points at them; the body as typed (a debit)
    await waitFor(() => expect(formItemOf('Currency').textContent).toContain('unknown currency "partner-miles"'));
    expect(formItemOf('Reason').textContent).toContain('reason must not be only digits');
    expect(await screen.findByText('Check the highlighted fields.')).toBeTruthy();
    expect(posts).toEqual([{ key: expect.stringMatching(/^[0-9a-f-]{36}$/), body: { points: -250, currency: 'points', reason: '12345' } }]);
  });

  it('sends the same Idempotency-Key again after a lost answer, and a new one for the next adjustment', async () => {
    // Prepare: the first answer never arrives
    answers.push(() => {
      throw new TypeError('Failed to fetch');
    });
    answers.push(() => json(201, { entry }));
    answers.push(() => json(201, { entry: { ...entry, id: 'e-2' } }));
    const { onApplied } = renderDialog();
    await fill('500', 'goodwill credit');

    // Act: submit, no answer; submit again
    await submit();
    expect(await screen.findByText('The API cannot be reached. Check your connection and retry.')).toBeTruthy();
    await submit();

    // Assess: one key for both, the entry handed over
    await waitFor(() => expect(onApplied).toHaveBeenCalledWith(entry));
    expect(posts).toHaveLength(2);
    expect(posts[1]?.key).toBe(posts[0]?.key);

    // Act: the next opening is a new adjustment
    await userEvent.click(screen.getByRole('button', { name: 'reopen' }));
    await fill('500', 'goodwill credit');
    await submit();

    // Assess
    await waitFor(() => expect(onApplied).toHaveBeenCalledTimes(2));
    expect(posts[2]?.key).not.toBe(posts[0]?.key);
  });

  it('hands a 202 approval request over as waiting, not as applied', async () => {
    // Prepare
    answers.push(() => json(202, approval));
    const { onApplied, onPending } = renderDialog();
    await fill('20000000', 'migration');

    // Act
    await submit();

    // Assess
    await waitFor(() => expect(onPending).toHaveBeenCalledWith(approval));
    expect(onApplied).not.toHaveBeenCalled();
  });

  it('speaks Chinese', async () => {
    // Prepare
    renderDialog('zh-CN');

    // Act
    await userEvent.click(await screen.findByRole('button', { name: /调\s*整/ }));

    // Assess
    expect(await screen.findByText('请输入要增加或扣减的积分')).toBeTruthy();
    expect(screen.getByText('超过 10,000,000 积分的调整需要另一位操作员审批。')).toBeTruthy();
  });
});
