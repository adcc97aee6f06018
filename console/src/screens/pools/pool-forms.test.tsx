import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { components } from '../../api/schema';
import { endSession } from '../../auth/session';
import { json, renderWithConsole, signInAs, stubApi } from '../campaigns/test-support';
import { PoolFormDialog } from './pool-form';
import { TaskFormDialog } from './task-form';

type Pool = components['schemas']['Pool'];

const pool: Pool = {
  poolId: 'pool-tasks',
  name: 'Task centre',
  budgetPoints: 1_000_000,
  issued: 0,
  left: 1_000_000,
  awards: 0,
  activities: [
    { activity: 'sign-in', weight: 40, sharePoints: 800_000, dailyCapPerMember: 25, issued: 0, left: 800_000 },
    { activity: 'share', weight: 10, sharePoints: 200_000, dailyCapPerMember: null, issued: 0, left: 200_000 },
  ],
  counterShards: 8,
  createdAt: '2026-12-01T00:00:00.000Z',
  createdBy: 'seed',
};

function formItem(label: string): HTMLElement {
  const item = screen.getByLabelText(label).closest('.ant-form-item');
  if (!(item instanceof HTMLElement)) throw new Error(`no form item labelled ${label}`);
  return item;
}

const fill = (input: HTMLElement, value: string) => fireEvent.change(input, { target: { value } });

beforeEach(() => signInAs('marketer'));
afterEach(() => {
  endSession();
  vi.unstubAllGlobals();
});

// antd dialogs in jsdom: slow on a busy two-core machine, so more time than the default.
describe('the task dialog', { timeout: 120_000 }, () => {
  it('creates a sign-in task with its streak bonuses, paid from the chosen pool activity', async () => {
    // Prepare
    const api = stubApi(({ body }) => json({ ...(body as object), version: 1 }, 201));
    const onClose = vi.fn();
    renderWithConsole(<TaskFormDialog open pools={[pool]} onClose={onClose} />);
    fill(await screen.findByLabelText('Name'), 'Daily check-in');
    fill(screen.getByLabelText('Points per completion'), '5');
    fireEvent.mouseDown(screen.getByLabelText('Pool activity'));
    await userEvent.click(await screen.findByTitle('sign-in'));
    await userEvent.click(screen.getByRole('button', { name: 'Add a streak bonus' }));
    fill(screen.getByLabelText('On day (2)'), '30');
    fill(screen.getByLabelText('Bonus points (2)'), '100');
    // A large programme's sign-in: more counter shards than the 8 offered
    expect(screen.getByLabelText('Counter shards').getAttribute('value')).toBe('8');
    fill(screen.getByLabelText('Counter shards'), '24');

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    // Assess
    await vi.waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(api.requests[0]?.body).toMatchObject({
      type: 'SIGN_IN',
      name: 'Daily check-in',
      points: 5,
      poolId: 'pool-tasks',
      activity: 'sign-in',
      streakBonuses: [
        { day: 7, points: 20 },
        { day: 30, points: 100 },
      ],
      streakBonusRepeats: false,
      endsAt: null,
      status: 'ACTIVE',
      counterShards: 24,
    });
    expect(api.requests[0]?.headers.get('idempotency-key')).toBeTruthy();
  });

  it('refuses a bonus day given twice, and places the API’s field errors on the fields they name', async () => {
    // Prepare
    const api = stubApi(() =>
      json(
        {
          type: 'about:blank',
          title: 'Request is not valid',
          status: 400,
          code: 'VALIDATION_FAILED',
          detail: 'see errors',
          errors: [
            { path: 'body.points', message: "the activity's daily cap (25) does not cover 5 + 100" },
            { path: 'body.streakBonuses.0.points', message: 'Too big' },
          ],
        },
        400,
      ),
    );
    renderWithConsole(<TaskFormDialog open pools={[pool]} onClose={() => undefined} />);
    fill(await screen.findByLabelText('Name'), 'Daily check-in');
    fill(screen.getByLabelText('Points per completion'), '5');
    fireEvent.mouseDown(screen.getByLabelText('Pool activity'));
    await userEvent.click(await screen.findByTitle('sign-in'));
    await userEvent.click(screen.getByRole('button', { name: 'Add a streak bonus' }));
    fill(screen.getByLabelText('On day (2)'), '7');
    fill(screen.getByLabelText('Bonus points (2)'), '10');

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    // Assess: refused here, nothing sent
    expect(await screen.findByText('Each streak day may have one bonus.')).toBeTruthy();
    expect(api.requests).toHaveLength(0);

    // Act: a day of its own, and the API refuses it
    fill(screen.getByLabelText('On day (2)'), '14');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    // Assess
    expect(await within(formItem('Points per completion')).findByText("the activity's daily cap (25) does not cover 5 + 100")).toBeTruthy();
    expect(within(screen.getByLabelText('Bonus points (1)').closest('.ant-form-item') as HTMLElement).getByText('Too big')).toBeTruthy();
    expect(api.requests).toHaveLength(1);
  });
});

describe('the pool dialog', { timeout: 120_000 }, () => {
  it('refuses an activity named twice, then sends the pool and places the API’s field errors', async () => {
    // Prepare
    const api = stubApi(() =>
      json(
        { type: 'about:blank', title: 'Request is not valid', status: 400, code: 'VALIDATION_FAILED', detail: 'see errors', errors: [{ path: 'body.activities.1.weight', message: 'Too big' }] },
        400,
      ),
    );
    renderWithConsole(<PoolFormDialog open onClose={() => undefined} />);
    fill(await screen.findByLabelText('Name'), 'Check-ins');
    fill(screen.getByLabelText('Budget (points)'), '10000');
    await userEvent.click(screen.getByRole('button', { name: 'Add an activity' }));
    fill(screen.getByLabelText('Activity 2'), 'sign-in');

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    // Assess
    expect(await screen.findByText('Each activity may appear only once.')).toBeTruthy();
    expect(api.requests).toHaveLength(0);

    // Act
    fill(screen.getByLabelText('Activity 2'), 'share');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    // Assess
    expect(await within(screen.getByLabelText('Weight 2').closest('.ant-form-item') as HTMLElement).findByText('Too big')).toBeTruthy();
    expect(api.requests[0]?.body).toEqual({
      name: 'Check-ins',
      budgetPoints: 10_000,
      activities: [
        { activity: 'sign-in', weight: 50, dailyCapPerMember: null },
        { activity: 'share', weight: 10, dailyCapPerMember: null },
      ],
    });
  });
});
