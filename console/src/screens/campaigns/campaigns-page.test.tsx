import { QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { newQueryClient } from '../../app';
import { ApiContext, createApiClient } from '../../api/client';
import type { components } from '../../api/schema';
import { endSession, startSession } from '../../auth/session';
import { LocaleProvider, type Locale } from '../../i18n/locale';
import { CampaignsPage } from './campaigns-page';

type Campaign = CampaignPage['items'][number];
type CampaignPage = components['schemas']['CampaignPage'];

function campaign(id: string, overrides: Partial<Campaign> = {}): Campaign {
  return {
    campaignId: id,
    name: `Campaign ${id}`,
    status: 'ACTIVE',
    effect: { kind: 'multiplier', multiplier: 2 },
    schedule: { startsAt: '2026-12-04T16:00:00.000Z', endsAt: '2026-12-06T16:00:00.000Z', timezone: 'Asia/Shanghai', recurring: null },
    audience: { kind: 'all' },
    targets: {},
    budgetPoints: 1_000_000,
    perMemberCap: null,
    version: 1,
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T02:30:00.000Z',
    createdBy: 'op-marketer',
    state: 'running',
    budgetUsed: 0,
    activeNow: true,
    ...overrides,
  };
}

function fakeToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'none' })}.${part(claims)}.signature`;
}

const requests: Request[] = [];

beforeEach(() => {
  requests.length = 0;
  const pages: Record<string, CampaignPage> = {
    first: { items: [campaign('c1'), campaign('c2', { status: 'PAUSED', effect: { kind: 'bonus', points: 500, minSpendCents: 10_000 }, budgetPoints: null })], nextCursor: 'cursor-2' },
    'cursor-2': { items: [campaign('c3', { audience: { kind: 'tiers', tiers: ['gold'] } })], nextCursor: null },
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (request: Request) => {
      requests.push(request);
      const cursor = new URL(request.url).searchParams.get('cursor') ?? 'first';
      return new Response(JSON.stringify(pages[cursor]), { status: 200, headers: { 'content-type': 'application/json' } });
    }),
  );
  startSession(fakeToken({ sub: 'op-admin', 'cognito:groups': ['admin'], exp: Date.now() / 1000 + 3600 }));
});

afterEach(() => {
  endSession();
  vi.unstubAllGlobals();
});

function renderPage(locale: Locale) {
  return render(
    <ApiContext value={createApiClient('http://api.test')}>
      <QueryClientProvider client={newQueryClient()}>
        <LocaleProvider initial={locale}>
          <CampaignsPage />
        </LocaleProvider>
      </QueryClientProvider>
    </ApiContext>,
  );
}

describe('the Campaigns screen', () => {
  it('lists a page of campaigns with the operator token and loads the next page with its cursor', async () => {
    // Prepare
    renderPage('en');
    await screen.findByText('Campaign c1');

    // Assess: the first page, in English, times in the programme's zone
    const row = screen.getByText('Campaign c1').closest('tr') as HTMLElement;
    expect(within(row).getByText('Active')).toBeTruthy();
    expect(within(row).getByText('×2 points')).toBeTruthy();
    expect(within(row).getByText('2026-12-05 00:00 (Asia/Shanghai)')).toBeTruthy();
    expect(within(row).getByText('1,000,000')).toBeTruthy();
    const bonus = screen.getByText('Campaign c2').closest('tr') as HTMLElement;
    expect(within(bonus).getByText('+500 points from CN¥100.00')).toBeTruthy();
    expect(within(bonus).getByText('No limit')).toBeTruthy();
    expect(screen.queryByText('Campaign c3')).toBeNull();
    expect(requests[0]?.url).toBe('http://api.test/v1/admin/campaigns?limit=20');
    expect(requests[0]?.headers.get('authorization')).toMatch(/^Bearer /);

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));

    // Assess: the second page appended, asked with the first page's cursor; no more pages
    expect(await screen.findByText('Campaign c3')).toBeTruthy();
    expect(new URL(requests[1]?.url ?? '').searchParams.get('cursor')).toBe('cursor-2');
    expect(screen.getByText('3 shown')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('shows the same list in Chinese', async () => {
    // Prepare
    renderPage('zh-CN');

    // Assess
    const row = (await screen.findByText('Campaign c2')).closest('tr') as HTMLElement;
    expect(screen.getByRole('columnheader', { name: '预算（积分）' })).toBeTruthy();
    expect(within(row).getByText('已暂停')).toBeTruthy();
    expect(within(row).getByText('满 ¥100.00 额外 500 积分')).toBeTruthy();
    expect(within(row).getByText('不限')).toBeTruthy();
    expect(screen.getByRole('button', { name: '加载更多' })).toBeTruthy();
  });
});
