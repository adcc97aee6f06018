import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { components } from '../../api/schema';
import { endSession } from '../../auth/session';
import { CampaignsPage } from './campaigns-page';
import { json, renderWithConsole, signInAs, stubApi, type FakeApi } from './test-support';

type Item = components['schemas']['CampaignListItem'];
type CampaignPage = components['schemas']['CampaignPage'];

function campaign(id: string, overrides: Partial<Item> = {}): Item {
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
    budgetUsed: 250_000,
    activeNow: true,
    ...overrides,
  };
}

let api: FakeApi;

beforeEach(() => {
  const pages: Record<string, CampaignPage> = {
    first: {
      items: [
        campaign('c1'),
        campaign('c2', { status: 'PAUSED', state: 'paused', effect: { kind: 'bonus', points: 500, minSpendCents: 10_000 }, budgetPoints: null, budgetUsed: 1_200 }),
      ],
      nextCursor: 'cursor-2',
    },
    'cursor-2': { items: [campaign('c3', { audience: { kind: 'tiers', tiers: ['gold'] }, state: 'scheduled', budgetUsed: 0 })], nextCursor: null },
    running: { items: [campaign('c1')], nextCursor: null },
    // A filtered page may be empty before the last one.
    ended: { items: [], nextCursor: 'ended-2' },
    'ended-2': { items: [campaign('c9', { state: 'ended', activeNow: false })], nextCursor: null },
  };
  api = stubApi(({ url }) => json(pages[url.searchParams.get('cursor') ?? url.searchParams.get('state') ?? 'first']));
  signInAs('admin');
});

afterEach(() => {
  endSession();
  vi.unstubAllGlobals();
});

describe('the Campaigns screen', () => {
  it('lists a page of campaigns with their state and budget used, and loads the next page with its cursor', async () => {
    // Prepare
    renderWithConsole(<CampaignsPage />);
    await screen.findByText('Campaign c1');

    // Assess: the first page, in English, times in the programme's zone, a link to each campaign's page
    const row = screen.getByText('Campaign c1').closest('tr') as HTMLElement;
    expect(within(row).getByText('Running')).toBeTruthy();
    expect(within(row).getByText('Paying now')).toBeTruthy();
    expect(within(row).getByText('×2 points')).toBeTruthy();
    expect(within(row).getByText('2026-12-05 00:00 (Asia/Shanghai)')).toBeTruthy();
    expect(within(row).getByText('250,000 of 1,000,000')).toBeTruthy();
    expect(within(row).getByRole('progressbar')).toBeTruthy();
    expect(within(row).getByRole('link', { name: 'Open Campaign c1' }).getAttribute('href')).toBe('/campaigns/c1');
    const bonus = screen.getByText('Campaign c2').closest('tr') as HTMLElement;
    expect(within(bonus).getByText('Paused')).toBeTruthy();
    expect(within(bonus).getByText('+500 points from CN¥100.00')).toBeTruthy();
    expect(within(bonus).getByText('1,200 (no limit)')).toBeTruthy();
    expect(screen.queryByText('Campaign c3')).toBeNull();
    expect(api.requests[0]?.url.href).toBe('http://api.test/v1/admin/campaigns?limit=20');
    expect(api.requests[0]?.headers.get('authorization')).toMatch(/^Bearer /);

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));

    // Assess: the second page appended, asked with the first page's cursor; no more pages
    const third = (await screen.findByText('Campaign c3')).closest('tr') as HTMLElement;
    expect(within(third).getByText('Tiers: Gold')).toBeTruthy();
    expect(within(third).getByText('Scheduled')).toBeTruthy();
    expect(api.requests[1]?.url.searchParams.get('cursor')).toBe('cursor-2');
    expect(screen.getByText('3 shown')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('filters by state through the API', async () => {
    // Prepare
    renderWithConsole(<CampaignsPage />);
    await screen.findByText('Campaign c2');

    // Act
    await userEvent.click(screen.getByText('Running', { selector: '.ant-segmented-item-label' }));

    // Assess
    await vi.waitFor(() => expect(screen.queryByText('Campaign c2')).toBeNull());
    expect(screen.getByText('Campaign c1')).toBeTruthy();
    expect(api.requests.at(-1)?.url.searchParams.get('state')).toBe('running');

    // Act: a state whose first page is empty
    await userEvent.click(screen.getByText('Ended', { selector: '.ant-segmented-item-label' }));

    // Assess: the next page is read at once
    const ended = (await screen.findByText('Campaign c9')).closest('tr') as HTMLElement;
    expect(within(ended).getByText('Ended')).toBeTruthy();
    expect(api.requests.at(-1)?.url.searchParams.get('cursor')).toBe('ended-2');
    expect(api.requests.at(-1)?.url.searchParams.get('state')).toBe('ended');
  });

  it('offers "New campaign" and "Edit" to a marketer and neither to an analyst', async () => {
    // Prepare
    signInAs('marketer');
    const marketer = renderWithConsole(<CampaignsPage />);
    await screen.findByText('Campaign c1');

    // Assess
    expect(screen.getByRole('button', { name: 'New campaign' })).toBeTruthy();
    expect(screen.getAllByRole('button', { name: 'Edit' })).toHaveLength(2);
    marketer.unmount();

    // Prepare
    signInAs('analyst');
    renderWithConsole(<CampaignsPage />);
    await screen.findByText('Campaign c1');

    // Assess
    expect(screen.queryByRole('button', { name: 'New campaign' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
  });

  it('shows the same list in Chinese', async () => {
    // Prepare
    renderWithConsole(<CampaignsPage />, { locale: 'zh-CN' });

    // Assess
    const row = (await screen.findByText('Campaign c2')).closest('tr') as HTMLElement;
    expect(screen.getByRole('columnheader', { name: '预算使用' })).toBeTruthy();
    expect(within(row).getByText('已暂停')).toBeTruthy();
    expect(within(row).getByText('满 ¥100.00 额外 500 积分')).toBeTruthy();
    expect(within(row).getByText('1,200（不限）')).toBeTruthy();
    expect(screen.getByRole('button', { name: '加载更多' })).toBeTruthy();
  });
});
