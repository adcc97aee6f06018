import { fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { endSession } from '../../auth/session';
import { json, renderWithConsole, signInAs, stubApi } from '../campaigns/test-support';
import { DrawFormDialog } from './draw-form';
import { expectedPointsPerSpin, oddsComplete, percentsOfWeights, totalPercent, weightOfPercent, type DrawAdmin } from './draw-values';

const fill = (input: HTMLElement, value: string) => fireEvent.change(input, { target: { value } });

const draw: DrawAdmin = {
  drawId: 'd-base',
  name: 'Base wheel',
  description: '',
  status: 'OPEN',
  startsAt: '2026-12-01T00:00:00.000Z',
  endsAt: '2026-12-08T00:00:00.000Z',
  freeSpinsPerDay: 3,
  spinCostPoints: 10,
  maxSpinsPerDay: 10,
  consolationPrizeId: 'thanks',
  totalWeight: 3,
  operatorStatus: 'ACTIVE',
  version: 1,
  poolId: 'pool-demo',
  activity: 'games',
  prizes: [
    { prizeId: 'p100', name: '100 points', kind: 'POINTS', points: 100, couponTemplateId: null, productId: null, weight: 1, odds: 1 / 3, stock: null, stockAdded: null, stockLeft: null, drawn: 0, awarded: 0, fellBack: 0 },
    { prizeId: 'mug', name: 'Mug', kind: 'GOODS', points: null, couponTemplateId: null, productId: 'p-mug', weight: 1, odds: 1 / 3, stock: 5, stockAdded: 0, stockLeft: 5, drawn: 0, awarded: 0, fellBack: 0 },
    { prizeId: 'thanks', name: 'Thanks', kind: 'NOTHING', points: null, couponTemplateId: null, productId: null, weight: 1, odds: 1 / 3, stock: null, stockAdded: null, stockLeft: null, drawn: 0, awarded: 0, fellBack: 0 },
  ],
  totals: { spins: 0, paidSpins: 0, costPoints: 0, pointsAwarded: 0, fallbacks: 0 },
  createdAt: '2026-12-01T00:00:00.000Z',
  createdBy: 'op-marketer',
  updatedAt: '2026-12-01T00:00:00.000Z',
  updatedBy: 'op-marketer',
  history: [],
};

describe('odds as percentages', () => {
  it('shows weights as percentages with two decimals adding up to exactly 100', () => {
    expect(percentsOfWeights([1, 1, 1])).toEqual([33.34, 33.33, 33.33]);
    expect(percentsOfWeights([2, 10, 25, 8, 1, 54])).toEqual([2, 10, 25, 8, 1, 54]);
    expect(percentsOfWeights([1, 3, 6]).reduce((a, b) => a + b, 0)).toBeCloseTo(100, 10);
  });

  it('sends a percentage as hundredths (the weights of a complete table add up to 10,000) and sums them exactly', () => {
    expect(weightOfPercent(12.5)).toBe(1250);
    expect(weightOfPercent(33.33)).toBe(3333);
    const prizes = [{ percent: 33.34 }, { percent: 33.33 }, { percent: 33.33 }];
    expect(totalPercent(prizes)).toBe(100);
    expect(oddsComplete(prizes)).toBe(true);
    expect(oddsComplete([{ percent: 50 }, { percent: 49.99 }])).toBe(false);
  });

  it('computes the points paid out per spin from the points prizes and their odds', () => {
    expect(expectedPointsPerSpin([{ kind: 'POINTS', points: 100, percent: 2 }, { kind: 'POINTS', points: 20, percent: 10 }, { kind: 'COUPON', percent: 8 }, { kind: 'NOTHING', percent: 80 }])).toBeCloseTo(4, 10);
  });
});

beforeEach(() => signInAs('marketer'));
afterEach(() => {
  endSession();
  vi.unstubAllGlobals();
});

// antd dialogs in jsdom: slow on a busy two-core machine, so more time than the default.
describe('the new draw dialog, from an existing draw', { timeout: 120_000 }, () => {
  it('refuses odds that do not add up to 100 % on every odds field without calling the API, then sends weights in hundredths', async () => {
    // Prepare
    const api = stubApi(({ body }) => json({ ...draw, ...(body as object), drawId: 'd-next', version: 1 }, 201));
    renderWithConsole(<DrawFormDialog open from={draw} onClose={vi.fn()} />);
    expect((await screen.findByLabelText('Odds (%) 1')).getAttribute('value')).toBe('33.34');
    fill(screen.getByLabelText('Name'), 'Next wheel');

    // Act: 40 % for the first prize makes 106.66 %
    fill(screen.getByLabelText('Odds (%) 1'), '40');
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    // Assess: refused on the fields, nothing sent
    expect((await screen.findByTestId('odds-refusal')).textContent).toBe('The odds add up to 106.66 %; they must add up to 100 %.');
    // antd validates each field on its own tick: wait until all three show the refusal
    await waitFor(() => expect(screen.getAllByText('Total 106.66 %, not 100 %')).toHaveLength(3));
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(0);

    // Act: 26.67 % for the second one makes 100 %
    fill(screen.getByLabelText('Odds (%) 2'), '26.67');
    await waitFor(() => expect(screen.getByTestId('odds-total').textContent).toBe('Odds total: 100 %'));
    await userEvent.click(screen.getByRole('button', { name: 'Create' }));

    // Assess
    await waitFor(() => expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1));
    const body = api.requests.find((r) => r.method === 'POST')?.body as { name: string; prizes: { prizeId: string; weight: number; stock: number | null; kind: string }[]; consolationPrizeId: string };
    expect(body.name).toBe('Next wheel');
    expect(body.prizes.map((p) => [p.prizeId, p.kind, p.weight, p.stock])).toEqual([
      ['p100', 'POINTS', 4000, null],
      ['mug', 'GOODS', 2667, 5],
      ['thanks', 'NOTHING', 3333, null],
    ]);
    expect(body.consolationPrizeId).toBe('thanks');
  });
});
