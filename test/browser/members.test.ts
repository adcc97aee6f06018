/**
 * The Members screen in a real browser against the real stack: the search, a member's page, the adjustment dialog
 * (a double submit pays once, also when the first answer is lost) and the tier change, and the audit log listing
 * those changes with the operator who made them.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { apiAs } from './support/api.js';
import { consolePage, openConsole, test } from './support/browser.js';

/** The page answers through the API and lazy chunks: on a busy machine that takes longer than expect.poll's default 1 s. */
const POLL = { timeout: 15_000, interval: 100 };

interface LedgerLine {
  readonly id: string;
  readonly type: string;
  readonly points: number;
  readonly balanceAfter: number;
  readonly reason: string;
}

/** A member of this file alone (other files share the stack and its demo members). */
async function newMember(prefix: string): Promise<string> {
  const memberId = `${prefix}-${randomBytes(4).toString('hex')}`;
  const registered = await (await apiAs({ member: memberId })).post('/v1/me/register', {});
  expect(registered.status, JSON.stringify(registered.body)).toBeLessThan(300);
  return memberId;
}

async function available(memberId: string): Promise<number> {
  const res = await (await apiAs('support')).get<{ points: { available: number } }>(`/v1/admin/members/${memberId}`);
  expect(res.status).toBe(200);
  return res.body.points.available;
}

async function adjustments(memberId: string): Promise<LedgerLine[]> {
  const res = await (await apiAs('support')).get<{ items: LedgerLine[] }>(`/v1/admin/members/${memberId}/ledger?limit=100`);
  expect(res.status).toBe(200);
  return res.body.items.filter((line) => line.type === 'ADJUST');
}

/** The "Available" cell of the member page's `points` wallet. */
const availableCell = (page: Page) => page.getByTestId('available-points');

async function fillAdjustment(page: Page, points: number, reason: string) {
  await page.getByRole('button', { name: 'Adjust points' }).click();
  const dialog = page.getByRole('dialog', { name: /Adjust points of/ });
  await dialog.getByLabel('Points').fill(String(points));
  await dialog.getByLabel('Reason').fill(reason);
  return dialog;
}

/** Filled by the adjustment test: the member the audit test looks up. */
let adjusted: string | undefined;

test('an operator finds a member by id prefix and by tier and registration date, and opens their page', async ({ page }) => {
  // Prepare
  const memberId = await newMember('mb-search');
  await openConsole(page, { role: 'support', path: 'members' });

  // Act: by id prefix
  await page.getByLabel('Member id starts with').fill(memberId);
  await page.getByRole('button', { name: 'Search' }).click();

  // Assess
  await expect.poll(() => new URL(page.url()).searchParams.get('idPrefix'), POLL).toBe(memberId);
  const row = page.locator(`tr[data-row-key="${memberId}"]`);
  await row.waitFor();
  expect(await row.innerText()).toContain('Normal');

  // Act: an id prefix with a tier is refused before it is sent
  await page.getByLabel('Tier').click();
  await page.locator('.ant-select-item-option[title="Normal"]').click();
  await page.getByRole('button', { name: 'Search' }).click();

  // Assess
  await page.getByText('Search by id prefix alone, or by tier and registration date').waitFor();
  expect(new URL(page.url()).searchParams.get('tier')).toBeNull();

  // Act: by tier and registration date (today in the programme's zone), from the URL the form keeps
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  await page.goto(consolePage(`members?tier=normal&from=${today}&to=${today}`));

  // Assess: newest registered first, so this file's member is on the first page
  await page.locator(`tr[data-row-key="${memberId}"]`).waitFor();
  expect(await page.locator('#member-search').getByText('Normal', { exact: true }).isVisible()).toBe(true);

  // Act: open the member's page
  await page.locator(`tr[data-row-key="${memberId}"]`).getByRole('link', { name: memberId }).click();

  // Assess
  await page.getByRole('heading', { name: memberId }).waitFor();
  expect(await availableCell(page).innerText()).toBe('0');
  expect(new URL(page.url()).pathname).toBe(`/console/members/${memberId}`);
});

test('a support operator adjusts points; a double click and a resubmit after a lost answer pay once', async ({ page, pageErrors }) => {
  // Prepare
  const memberId = await newMember('mb-adjust');
  adjusted = memberId;
  const posted: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith(`/v1/admin/members/${memberId}/adjustments`)) posted.push(request.headers()['idempotency-key'] ?? '');
  });
  await openConsole(page, { role: 'support', path: `members/${memberId}` });
  await expect.poll(() => availableCell(page).innerText(), POLL).toBe('0');

  // Act: a double click on the dialog's button
  const dialog = await fillAdjustment(page, 300, 'goodwill for a late delivery');
  await dialog.getByRole('button', { name: 'Adjust', exact: true }).dblclick();

  // Assess: paid once, through the API and on the page
  await page.getByText('Adjusted +300 points: balance updated.').waitFor();
  await dialog.waitFor({ state: 'hidden' });
  expect(await available(memberId)).toBe(300);
  expect((await adjustments(memberId)).map((line) => line.points)).toEqual([300]);
  expect(new Set(posted).size).toBe(1);
  await expect.poll(() => availableCell(page).innerText(), POLL).toBe('300');

  // Prepare: the next answer gets lost on the way back (the API applies the adjustment, the browser sees a failure)
  pageErrors.allow(/net::ERR_FAILED/);
  let lose = true;
  await page.route(`**/v1/admin/members/${memberId}/adjustments`, async (route) => {
    if (!lose) return route.continue();
    lose = false;
    await route.fetch();
    return route.abort('failed');
  });

  // Act
  const again = await fillAdjustment(page, 200, 'second goodwill credit');
  await again.getByRole('button', { name: 'Adjust', exact: true }).click();

  // Assess: the operator is told the API could not be reached; the API did apply it
  await page.getByText('The API cannot be reached').first().waitFor();
  expect(await again.isVisible()).toBe(true);
  expect(await available(memberId)).toBe(500);

  // Act: the operator submits again from the same dialog
  await again.getByRole('button', { name: 'Adjust', exact: true }).click();

  // Assess: the same key was sent again and answered with the first result: paid once
  await page.getByText('Adjusted +200 points: balance updated.').waitFor();
  expect(posted.length).toBe(3);
  expect(posted[2]).toBe(posted[1]);
  expect(posted[1]).not.toBe(posted[0]);
  expect(await available(memberId)).toBe(500);
  const lines = await adjustments(memberId);
  expect(lines.map((line) => [line.points, line.balanceAfter])).toEqual([
    [200, 500],
    [300, 300],
  ]);
  await expect.poll(() => availableCell(page).innerText(), POLL).toBe('500');
  const ledgerRows = page.locator('[data-testid="member-ledger"] tr[data-row-key]');
  await expect.poll(() => ledgerRows.count(), POLL).toBe(2);
  for (const line of lines) {
    const text = await page.locator(`[data-testid="member-ledger"] tr[data-row-key="${line.id}"]`).innerText();
    expect(text).toContain(`+${line.points}`);
    expect(text).toContain(line.reason);
  }
});

test('a support operator changes a member tier with the tier shown as the expected one', async ({ page }) => {
  // Prepare
  const memberId = adjusted ?? (await newMember('mb-tier'));
  await openConsole(page, { role: 'support', path: `members/${memberId}` });
  await page.getByRole('heading', { name: memberId }).waitFor();

  // Act
  await page.getByRole('button', { name: 'Change tier' }).click();
  const dialog = page.getByRole('dialog', { name: /Change the tier of/ });
  await dialog.getByLabel('New tier').click();
  await page.locator('.ant-select-item-option[title="Silver"]').click();
  await dialog.getByLabel('Reason').fill('compensation for the lost parcel');
  await dialog.getByRole('button', { name: 'Change tier' }).click();

  // Assess
  await page.getByText('Tier changed to Silver.').waitFor();
  const member = await (await apiAs('support')).get<{ tier: string }>(`/v1/admin/members/${memberId}`);
  expect(member.body.tier).toBe('silver');
  await expect.poll(() => page.getByTestId('member-header').innerText(), POLL).toContain('Silver');
});

test('the audit log lists each of those changes with its operator, and the member page shows its trail', async ({ page }) => {
  // Prepare
  const memberId = adjusted;
  expect(memberId, 'the adjustment test ran first').toBeDefined();
  await openConsole(page, { role: 'admin', path: 'audit' });

  // Act: filter by the member and the operator
  await page.getByLabel('Target').fill(`member:${memberId}`);
  await page.getByLabel('Operator id').fill('op-support');
  await page.getByRole('button', { name: 'Filter' }).click();

  // Assess: two adjustments (the retried one once) and the tier change, newest first, each by op-support as support
  const rows = page.locator('tr[data-row-key]');
  const routes = async () => (await rows.allInnerTexts()).map((text) => /POST \S+/.exec(text)?.[0]);
  await expect
    .poll(routes, POLL)
    .toEqual(['POST /v1/admin/members/{memberId}/tier', 'POST /v1/admin/members/{memberId}/adjustments', 'POST /v1/admin/members/{memberId}/adjustments']);
  const texts = await rows.allInnerTexts();
  for (const text of texts) {
    expect(text).toContain('op-support');
    expect(text).toContain('Support');
    expect(text).toContain(`member:${memberId}`);
    expect(text).toMatch(/\(Asia\/Shanghai\)/);
  }
  expect(texts[1]).toContain('adjusted +200 points: second goodwill credit');
  expect(texts[2]).toContain('adjusted +300 points: goodwill for a late delivery');
  expect(new URL(page.url()).searchParams.get('operatorId')).toBe('op-support');

  // Act: expand the tier change
  const tierRow = rows.filter({ hasText: '/tier' });
  await tierRow.getByRole('button', { name: /expand/i }).click();

  // Assess: its before and after
  const detail = page.locator('[data-testid^="audit-detail-"]');
  await detail.waitFor();
  expect(await detail.innerText()).toMatch(/"tier": "normal"[\s\S]*"tier": "silver"/);

  // Act: the member's own trail, from the target link
  await tierRow.getByRole('link', { name: `member:${memberId}` }).click();
  await page.getByRole('heading', { name: memberId ?? '' }).waitFor();
  await page.getByRole('tab', { name: 'Audit trail' }).click();

  // Assess
  const trail = page.locator('[data-testid="member-audit"] tr[data-row-key]');
  await expect.poll(() => trail.count(), POLL).toBe(3);
});
