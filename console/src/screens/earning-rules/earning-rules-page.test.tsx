import { QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newQueryClient } from '../../app';
import { ApiContext, createApiClient } from '../../api/client';
import { endSession, startSession } from '../../auth/session';
import { LocaleProvider } from '../../i18n/locale';
import { EarningRulesPage } from './earning-rules-page';
import { diffDocuments, documentOf, draftOf, formValuesOf, type EarningRules } from './rules-document';

/** Rules as an operator left them: nothing at its default, so a field the form dropped or reset would show. */
const loaded: EarningRules = {
  bands: [
    { overYuan: 0, rate: 1 },
    { overYuan: 800, rate: 1.25 },
  ],
  bandMode: 'marginal',
  categoryMultipliers: { B: 2, 'fresh-food': 1.5 },
  tierMultipliers: { normal: 1, silver: 1.2, gold: 1.5, diamond: 2 },
  stacking: 'highest',
  rounding: { mode: 'round', scope: 'line' },
  maxPointsPerPurchase: 50_000,
  pointsPerYuan: 120,
  topUpRatePerYuan: 0.25,
  expiry: { policy: 'year-end', extraYears: 1 },
  reminderDays: 14,
  returnWindowDays: 7,
  referrals: {
    ladder: [
      { fromReferral: 1, points: 80 },
      { fromReferral: 5, points: 120 },
    ],
    refereeWelcomePoints: 30,
    firstPurchaseReferrerPoints: 0,
    maxRewardedReferrals: null,
  },
  tiers: {
    thresholds: { silver: 900, gold: 4000, diamond: 18_000 },
    growthPerPurchase: 3,
    upgradePrices: { silver: 400, gold: 900, diamond: null },
    birthdayBonus: { normal: 0, silver: 50, gold: 150, diamond: 400 },
  },
  posLimits: {
    maxPurchaseAmountCents: 5_000_000,
    maxPurchasePoints: 500_000,
    dailyPointsPerMember: null,
    dailyPointsPerStore: 10_000_000,
    reviewAbovePoints: 80_000,
    reviewAboveAmountCents: null,
    maxPurchaseAgeDays: 7,
  },
  version: 7,
  updatedAt: '2026-12-01T02:30:00.000Z',
  updatedBy: 'op-marketer',
};

/** A section a newer API might add that this console has no input for: it must go back as loaded. */
const withUnknownSection = { ...loaded, loyaltyExperiments: { enabled: true, arms: ['a', 'b'] } } as EarningRules;

function fakeToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'none' })}.${part(claims)}.signature`;
}

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly headers: Headers;
  readonly body: unknown;
}
const sent: Sent[] = [];
type Answer = { status: number; body: unknown };
let answers: Record<string, Answer[]> = {};

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' } });

beforeEach(() => {
  sent.length = 0;
  answers = {};
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      const path = new URL(request.url).pathname;
      const text = request.method === 'GET' ? '' : await request.text();
      sent.push({ method: request.method, path, headers: request.headers, body: text ? JSON.parse(text) : undefined });
      const queue = answers[`${request.method} ${path}`] ?? [];
      const answer = queue.length > 1 ? queue.shift() : queue[0];
      if (answer) return json(answer.status, answer.body);
      if (path === '/v1/admin/earning-rules/versions' || path === '/v1/admin/what-if-replays') return json(200, { items: [], nextCursor: null });
      return json(404, { type: 'about:blank', title: 'Not found', status: 404, detail: path, code: 'NOT_FOUND' });
    }),
  );
  startSession(fakeToken({ sub: 'op-marketer', 'cognito:groups': ['marketer'], exp: Date.now() / 1000 + 3600 }));
});

afterEach(() => {
  endSession();
  vi.unstubAllGlobals();
});

function renderPage() {
  return render(
    <ApiContext value={createApiClient('http://api.test')}>
      <QueryClientProvider client={newQueryClient()}>
        <LocaleProvider initial="en">
          <EarningRulesPage />
        </LocaleProvider>
      </QueryClientProvider>
    </ApiContext>,
  );
}

function formItemOf(input: HTMLElement): HTMLElement {
  const item = input.closest('.ant-form-item');
  if (!(item instanceof HTMLElement)) throw new Error('no form item');
  return item;
}

/** Types a number into an input (a change and a blur: userEvent's keystrokes cost seconds each on a page this size in jsdom). */
async function setNumber(label: string, value: string) {
  const input = await screen.findByLabelText(label);
  fireEvent.focus(input);
  fireEvent.change(input, { target: { value } });
  fireEvent.blur(input);
}

/** Rendering every section of the form in jsdom takes seconds on a busy machine. */
const SLOW = 120_000;

/** Queries by text and test id: *ByRole computes the accessibility tree of this large page at every poll (seconds in jsdom). */
async function loadedVersion(version: number) {
  await waitFor(() => expect(screen.getByTestId('rules-version').textContent).toContain(`Version ${version} in force`), { timeout: 30_000 });
}
const click = (text: string, scope: HTMLElement | Document = document) => {
  const label = [...scope.querySelectorAll('button span, [role=tab]')].find((el) => el.textContent === text);
  if (!label) throw new Error(`no button or tab "${text}"`);
  fireEvent.click(label);
};
const hasButton = (text: string) => [...document.querySelectorAll('button span')].some((el) => el.textContent === text);
async function reviewDialog(version: number): Promise<HTMLElement> {
  const title = await screen.findByText(`Save these changes to version ${version}?`);
  return title.closest('.ant-modal') as HTMLElement;
}

const puts = () => sent.filter((s) => s.method === 'PUT');

describe('the earning rules form', () => {
  it('saves a one-field change as the whole loaded document, after showing the diff', async () => {
    // Prepare
    answers['GET /v1/admin/earning-rules'] = [{ status: 200, body: withUnknownSection }];
    answers['PUT /v1/admin/earning-rules'] = [{ status: 200, body: { ...withUnknownSection, tierMultipliers: { ...loaded.tierMultipliers, gold: 2.5 }, version: 8 } }];
    renderPage();
    await loadedVersion(7);

    // Act: one field changed, then "Review and save"
    await setNumber('Gold multiplier', '2.5');
    await screen.findByText('1 unsaved change(s)');
    click('Review and save');

    // Assess: the diff first, nothing sent yet
    const dialog = await reviewDialog(7);
    const rows = [...dialog.querySelectorAll('tbody tr')];
    expect(rows.map((row) => row.textContent)).toEqual(['tierMultipliers.gold1.52.5']);
    expect(puts()).toHaveLength(0);

    // Act
    click('Save', dialog);

    // Assess: every field as loaded (the unknown section too), the one change, the version read
    await screen.findByText('Saved as version 8');
    expect(puts()).toHaveLength(1);
    const { version: _v, updatedAt: _a, updatedBy: _b, ...document } = withUnknownSection;
    expect(puts()[0]?.body).toEqual({ ...document, tierMultipliers: { ...loaded.tierMultipliers, gold: 2.5 }, expectedVersion: 7 });
    expect(puts()[0]?.headers.get('idempotency-key')).toMatch(/^[0-9a-f-]{36}$/);
    await loadedVersion(8);
    expect(screen.getByText('No unsaved changes')).toBeTruthy();
  }, SLOW);

  it('places the API field errors on the inputs they name and lists the others', async () => {
    // Prepare
    answers['GET /v1/admin/earning-rules'] = [{ status: 200, body: loaded }];
    answers['PUT /v1/admin/earning-rules'] = [
      {
        status: 400,
        body: {
          type: 'about:blank',
          title: 'Request is not valid',
          status: 400,
          detail: 'body.bands.0.rate: rate has at most 4 decimals',
          code: 'VALIDATION_FAILED',
          errors: [
            { path: 'body.bands.0.rate', message: 'rate has at most 4 decimals' },
            { path: 'body.posLimits.dailyPointsPerStore', message: 'dailyPointsPerStore must be positive' },
            { path: 'body.tiers.thresholds', message: 'thresholds must increase: silver < gold < diamond' },
          ],
        },
      },
    ];
    renderPage();
    await loadedVersion(7);

    // Act
    await setNumber('Band 1 rate (points per CNY)', '1.00001');
    click('Review and save');
    click('Save', await reviewDialog(7));

    // Assess: on Band 1's rate and on the store cap; the thresholds (no one input) in the message
    const rate = formItemOf(screen.getByLabelText('Band 1 rate (points per CNY)'));
    await waitFor(() => expect(rate.textContent).toContain('rate has at most 4 decimals'));
    expect(rate.className).toContain('ant-form-item-has-error');
    expect(formItemOf(screen.getByLabelText('Daily points per store')).textContent).toContain('dailyPointsPerStore must be positive');
    expect(formItemOf(screen.getByLabelText('Band 2 rate (points per CNY)')).className).not.toContain('ant-form-item-has-error');
    const notice = await screen.findByText('Some values are not valid');
    expect(notice.parentElement?.textContent).toContain('body.tiers.thresholds: thresholds must increase');
    expect(notice.parentElement?.textContent).not.toContain('body.bands.0.rate');
  }, SLOW);

  it('says when someone saved meanwhile and reloads the version in force', async () => {
    // Prepare
    const theirs: EarningRules = { ...loaded, pointsPerYuan: 150, version: 8, updatedBy: 'op-admin' };
    answers['GET /v1/admin/earning-rules'] = [
      { status: 200, body: loaded },
      { status: 200, body: theirs },
    ];
    answers['PUT /v1/admin/earning-rules'] = [
      { status: 409, body: { type: 'about:blank', title: 'Conflict', status: 409, detail: 'the rules changed', code: 'CONFLICT', currentVersion: 8 } },
    ];
    renderPage();
    await loadedVersion(7);

    // Act
    await setNumber('Return window (days)', '10');
    click('Review and save');
    click('Save', await reviewDialog(7));

    // Assess
    const alert = await screen.findByTestId('rules-conflict');
    expect(alert.textContent).toContain('Version 8 is now in force; your changes were not saved.');

    // Act
    click('Reload the rules', alert);

    // Assess: their version, the form on it, no draft left
    await loadedVersion(8);
    await waitFor(() => expect(screen.queryByTestId('rules-conflict')).toBeNull());
    expect((screen.getByLabelText('Point value (points worth CNY 1)') as HTMLInputElement).value).toBe('150');
    expect((screen.getByLabelText('Return window (days)') as HTMLInputElement).value).toBe('7');
    expect(screen.getByText('No unsaved changes')).toBeTruthy();
  }, SLOW);

  it('hides the save from an analyst, who can still edit a draft for previews', async () => {
    // Prepare
    startSession(fakeToken({ sub: 'op-analyst', 'cognito:groups': ['analyst'], exp: Date.now() / 1000 + 3600 }));
    answers['GET /v1/admin/earning-rules'] = [{ status: 200, body: loaded }];
    renderPage();
    await loadedVersion(7);

    // Act
    await setNumber('Gold multiplier', '3');

    // Assess
    await screen.findByText('1 unsaved change(s)');
    expect(hasButton('Review and save')).toBe(false);
    click('What-if replay');
    await screen.findByText('Earlier replays');
    expect(screen.getByText('Rules draft: 1 change(s)')).toBeTruthy();
    expect(hasButton('Run the replay')).toBe(false);
  }, SLOW);
});

describe('the preview calculator', () => {
  it('sends the unsaved draft and puts its field errors on the rules form and the basket', async () => {
    // Prepare
    answers['GET /v1/admin/earning-rules'] = [{ status: 200, body: loaded }];
    answers['POST /v1/admin/earning-previews'] = [
      {
        status: 400,
        body: {
          type: 'about:blank',
          title: 'Request is not valid',
          status: 400,
          detail: 'two errors',
          code: 'VALIDATION_FAILED',
          errors: [
            { path: 'body.draftRules.tierMultipliers.gold', message: 'gold multiplier must be at most 1000' },
            { path: 'body.lines.0.amountCents', message: 'at most 10,000,000 CNY' },
          ],
        },
      },
    ];
    renderPage();
    await loadedVersion(7);

    // Act: a draft change, then a preview of the default basket
    await setNumber('Gold multiplier', '1001');
    click('Preview');
    await screen.findByText('Calculate');
    click('Calculate');

    // Assess: the request carried the whole draft; each error on its input, on either tab
    await screen.findByText('Some values are not valid');
    const request = sent.find((s) => s.method === 'POST' && s.path === '/v1/admin/earning-previews');
    const { version: _v, updatedAt: _a, updatedBy: _b, ...document } = loaded;
    expect(request?.body).toEqual({
      tier: 'normal',
      lines: [{ sku: 'sku-1', category: 'A', amountCents: 10_000, quantity: 1 }],
      draftRules: { ...document, tierMultipliers: { ...loaded.tierMultipliers, gold: 1001 } },
    });
    await waitFor(() => expect(formItemOf(screen.getByLabelText('Gold multiplier')).textContent).toContain('gold multiplier must be at most 1000'));
    expect(formItemOf(screen.getByLabelText('Line 1 amount (CNY)')).textContent).toContain('at most 10,000,000 CNY');
    expect(screen.getByText(/Check the highlighted fields \(on the Rules tab/)).toBeTruthy();
  }, SLOW);
});

describe('the rules draft', () => {
  const document = documentOf(loaded);

  it('is the loaded document exactly when nothing was edited', () => {
    // Act
    const draft = draftOf(document, formValuesOf(document));

    // Assess
    expect(draft).toEqual(document);
    expect(diffDocuments(document, draft)).toEqual([]);
  });

  it('replaces the sections whose shape changes and keeps the rest', () => {
    // Prepare
    const values = formValuesOf(document);
    values.categoryMultipliers = [{ category: 'B', multiplier: 3 }];
    values.expiry = { policy: 'rolling-months', months: 18, extraYears: 1 };
    values.bands = [{ overYuan: 0, rate: 1 }];

    // Act
    const draft = draftOf(document, values);

    // Assess
    expect(draft).toEqual({ ...document, categoryMultipliers: { B: 3 }, expiry: { policy: 'rolling-months', months: 18 }, bands: [{ overYuan: 0, rate: 1 }] });
    expect(diffDocuments(document, draft)).toEqual([
      { path: 'bands.1', before: { overYuan: 800, rate: 1.25 }, after: undefined },
      { path: 'categoryMultipliers.B', before: 2, after: 3 },
      { path: 'categoryMultipliers.fresh-food', before: 1.5, after: undefined },
      { path: 'expiry.policy', before: 'year-end', after: 'rolling-months' },
      { path: 'expiry.extraYears', before: 1, after: undefined },
      { path: 'expiry.months', before: undefined, after: 18 },
    ]);
  });
});
