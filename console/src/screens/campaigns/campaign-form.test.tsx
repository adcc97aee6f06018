import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { components } from '../../api/schema';
import { endSession } from '../../auth/session';
import { CampaignFormDialog } from './campaign-form';
import { json, renderWithConsole, signInAs, stubApi } from './test-support';

type Campaign = components['schemas']['Campaign'];

const existing: Campaign = {
  campaignId: 'c-weekend',
  name: 'Weekend double points',
  status: 'ACTIVE',
  effect: { kind: 'multiplier', multiplier: 2 },
  schedule: {
    startsAt: '2026-12-04T16:00:00.000Z',
    endsAt: '2026-12-20T16:00:00.000Z',
    timezone: 'Asia/Shanghai',
    recurring: { daysOfWeek: [6, 7], from: '00:00', to: '23:59' },
  },
  audience: { kind: 'tiers', tiers: ['gold', 'diamond'] },
  targets: { categories: ['B'], skus: ['sku-1'] },
  budgetPoints: 100_000,
  perMemberCap: null,
  version: 3,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T02:30:00.000Z',
  createdBy: 'op-marketer',
};

const validationProblem = {
  type: 'https://points-mall.dev/problems/validation-failed',
  title: 'Request is not valid',
  status: 400,
  code: 'VALIDATION_FAILED',
  detail: 'see errors',
  errors: [
    { path: 'body.schedule.endsAt', message: 'endsAt must be after startsAt' },
    { path: 'body.budgetPoints', message: 'Too big: expected number to be <=9007199254740991' },
    { path: 'body.schedule.recurring.to', message: 'from must not be after to' },
  ],
};

function formItem(label: string | RegExp): HTMLElement {
  const item = screen.getByLabelText(label).closest('.ant-form-item');
  if (!(item instanceof HTMLElement)) throw new Error(`no form item labelled ${String(label)}`);
  return item;
}

/** Enters a time into an antd date picker as an operator does: typed into its input, then Enter. */
function typeTime(label: RegExp, value: string) {
  const input = screen.getByLabelText(label);
  fireEvent.mouseDown(input);
  fireEvent.focus(input);
  fireEvent.change(input, { target: { value } });
  fireEvent.keyDown(input, { key: 'Enter', code: 'Enter' });
}

/** Fills a text input at once (typing key by key re-renders the dialog per key: slow in jsdom, no more telling). */
function fill(input: HTMLElement, value: string) {
  fireEvent.change(input, { target: { value } });
}

beforeEach(() => signInAs('marketer'));
afterEach(() => {
  endSession();
  vi.unstubAllGlobals();
});

// A dialog of some forty antd fields in jsdom: slow on a busy two-core machine, so more time than the default.
describe('the campaign dialog', { timeout: 120_000 }, () => {
  it('refuses a schedule that ends before it starts, without calling the API', async () => {
    // Prepare
    const api = stubApi(() => json(existing, 201));
    renderWithConsole(<CampaignFormDialog open onClose={() => undefined} />);
    fill(await screen.findByLabelText('Name'), 'Backwards campaign');
    typeTime(/^Starts/, '2026-12-10 10:00');
    typeTime(/^Ends/, '2026-12-09 10:00');

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    // Assess
    expect(await within(formItem(/^Ends/)).findByText('It must end after it starts.')).toBeTruthy();
    expect(api.requests).toHaveLength(0);
  });

  it('refuses days and hours whose end is before their start', async () => {
    // Prepare
    const api = stubApi(() => json(existing, 201));
    renderWithConsole(<CampaignFormDialog open onClose={() => undefined} />);
    fill(await screen.findByLabelText('Name'), 'Evening campaign');
    await userEvent.click(screen.getByLabelText('Only on some days and hours'));
    fill(screen.getByLabelText('From (HH:mm)'), '20:00');
    fill(screen.getByLabelText('To (HH:mm, inclusive)'), '18:00');

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    // Assess
    expect(await within(formItem('To (HH:mm, inclusive)')).findByText('“To” must not be before “From”.')).toBeTruthy();
    expect(api.requests).toHaveLength(0);
  });

  it('puts the API’s field errors on the fields they name, and resends the same Idempotency-Key', async () => {
    // Prepare
    const api = stubApi(() => json(validationProblem, 400));
    renderWithConsole(<CampaignFormDialog open onClose={() => undefined} />);
    fill(await screen.findByLabelText('Name'), 'Weekend double points');
    await userEvent.click(screen.getByLabelText('Only on some days and hours'));
    await userEvent.click(screen.getByRole('button', { name: 'Weekends, all day' }));
    fill(screen.getByLabelText('Budget (points; empty: no limit)'), '50000');

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    // Assess: each error under its field; the toast says to look at them
    expect(await within(formItem(/^Ends/)).findByText('endsAt must be after startsAt')).toBeTruthy();
    expect(within(formItem('Budget (points; empty: no limit)')).getByText(/Too big/)).toBeTruthy();
    expect(within(formItem('To (HH:mm, inclusive)')).getByText('from must not be after to')).toBeTruthy();
    expect(await screen.findByText('Check the highlighted fields.')).toBeTruthy();
    const [first] = api.requests;
    expect(first?.method).toBe('POST');
    expect(first?.body).toMatchObject({
      name: 'Weekend double points',
      status: 'ACTIVE',
      effect: { kind: 'multiplier', multiplier: 2 },
      schedule: { timezone: 'Asia/Shanghai', recurring: { daysOfWeek: [6, 7], from: '00:00', to: '23:59' } },
      audience: { kind: 'all' },
      budgetPoints: 50_000,
      perMemberCap: null,
    });

    // Act: the operator retries
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    // Assess: the same dialog opening, the same key
    await vi.waitFor(() => expect(api.requests).toHaveLength(2));
    expect(api.requests[1]?.headers.get('idempotency-key')).toBe(first?.headers.get('idempotency-key'));
  });

  it('sends times entered in the programme zone as UTC instants', async () => {
    // Prepare
    const api = stubApi(({ body }) => json({ ...existing, ...(body as object), campaignId: 'c-new', version: 1 }, 201));
    const onSaved = vi.fn();
    renderWithConsole(<CampaignFormDialog open onClose={() => undefined} onSaved={onSaved} />);
    fill(await screen.findByLabelText('Name'), 'December bonus');
    typeTime(/^Starts/, '2026-12-05 00:00');
    typeTime(/^Ends/, '2026-12-07 00:00');
    await userEvent.click(screen.getByLabelText('Bonus points'));
    fill(screen.getByLabelText('Bonus points per purchase'), '500');
    fill(screen.getByLabelText('Minimum spend (CNY, optional)'), '100');
    await userEvent.click(screen.getByLabelText('By tier'));
    await userEvent.click(screen.getByLabelText('Gold'));

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    // Assess
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(api.requests[0]?.body).toMatchObject({
      schedule: { startsAt: '2026-12-04T16:00:00.000Z', endsAt: '2026-12-06T16:00:00.000Z', recurring: null },
      effect: { kind: 'bonus', points: 500, minSpendCents: 10_000 },
      audience: { kind: 'tiers', tiers: ['gold'] },
    });
  });

  it('edits with the version read, sends only what changed, and after a conflict saves the same change on the newer version', async () => {
    // Prepare: the first PATCH meets a newer version (someone renamed it); the second goes through
    const newer: Campaign = { ...existing, name: 'Weekend double points (renamed)', version: 4, updatedAt: '2026-12-02T01:00:00.000Z' };
    let patches = 0;
    const api = stubApi(({ method, body }) => {
      if (method === 'GET') return json(newer);
      patches += 1;
      if (patches === 1) return json({ type: 'about:blank', title: 'Conflict', status: 409, code: 'CONFLICT', detail: 'campaign c-weekend is at version 4, not 3; reload it' }, 409);
      return json({ ...newer, ...(body as object), version: 5 });
    });
    const onSaved = vi.fn();
    renderWithConsole(<CampaignFormDialog open campaign={existing} onClose={() => undefined} onSaved={onSaved} />);
    const budget = await screen.findByLabelText('Budget (points; empty: no limit)');
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Weekend double points');
    expect((screen.getByLabelText(/^Starts/) as HTMLInputElement).value).toBe('2026-12-05 00:00');
    fill(budget, '200000');

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    // Assess: only the budget, on version 3; refused; the dialog says what happened
    expect(await screen.findByText(/Someone else saved this campaign while you were editing \(it is now version 4/)).toBeTruthy();
    expect(api.requests[0]?.body).toEqual({ expectedVersion: 3, budgetPoints: 200_000 });

    // Act: save again
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    // Assess: the same change on version 4 (the other operator's new name is left alone), the same key
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalled());
    const patchesSent = api.requests.filter((r) => r.method === 'PATCH');
    expect(patchesSent[1]?.body).toEqual({ expectedVersion: 4, budgetPoints: 200_000 });
    expect(patchesSent[1]?.headers.get('idempotency-key')).toBe(patchesSent[0]?.headers.get('idempotency-key'));
  });

  it('keeps a campaign’s SKU targets and zone when another field changes', async () => {
    // Prepare
    const api = stubApi(({ body }) => json({ ...existing, ...(body as object), version: 4 }));
    renderWithConsole(<CampaignFormDialog open campaign={existing} onClose={() => undefined} />);
    const categories = await screen.findByLabelText('Only these categories (empty: every line)');
    fireEvent.change(categories, { target: { value: 'C' } });
    fireEvent.keyDown(categories, { key: 'Enter', code: 'Enter' });
    await userEvent.click(screen.getByLabelText('Diamond'));

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));

    // Assess
    await vi.waitFor(() => expect(api.requests).toHaveLength(1));
    expect(api.requests[0]?.body).toEqual({
      expectedVersion: 3,
      audience: { kind: 'tiers', tiers: ['gold'] },
      targets: { categories: ['B', 'C'], skus: ['sku-1'] },
    });
  });
});
