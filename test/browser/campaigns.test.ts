import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { apiAs } from './support/api.js';
import { openConsole, test } from './support/browser.js';

const ZONE = 'Asia/Shanghai';
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

interface CampaignView {
  readonly campaignId: string;
  readonly name: string;
  readonly version: number;
  readonly effect: { kind: string; multiplier?: number };
  readonly schedule: { startsAt: string; endsAt: string; timezone: string; recurring: { daysOfWeek: number[]; from: string; to: string } | null };
  readonly targets: { categories?: string[] };
  readonly budgetPoints: number | null;
}

interface PurchaseAnswer {
  readonly pointsEarned: number;
  readonly pointsPending: number;
  readonly status: string;
  readonly breakdown: { rule: string; description: string; points: number }[];
}

interface LedgerLine {
  readonly id: string;
  readonly type: string;
  readonly points: number;
  readonly pendingDelta: number;
  readonly ref?: string;
}

/** `YYYY-MM-DD HH:mm` of an instant in the programme's zone: what the console's pickers take. */
function programmeWallClock(at: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** The ISO weekday (1 = Monday) of an instant in the programme's zone. */
function programmeWeekday(at: Date): number {
  return WEEKDAYS.indexOf(new Intl.DateTimeFormat('en-US', { timeZone: ZONE, weekday: 'short' }).format(at) as (typeof WEEKDAYS)[number]) + 1;
}

/** Types a time into one of the dialog's date pickers, as an operator does (the picker takes it on Enter). */
async function enterTime(dialog: Locator, label: string, value: string): Promise<void> {
  const input = dialog.getByLabel(label, { exact: true });
  await input.fill(value);
  await input.press('Enter');
  await expect.poll(() => input.inputValue()).toBe(value);
}

/** The campaign dialog, once open. */
async function campaignDialog(page: Page, title: string | RegExp): Promise<Locator> {
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.waitFor({ state: 'visible' });
  return dialog;
}

async function registeredMember(prefix: string): Promise<string> {
  const memberId = `${prefix}-${randomUUID().slice(0, 12)}`;
  const registered = await (await apiAs({ member: memberId })).post('/v1/me/register', {});
  expect(registered.status).toBe(201);
  return memberId;
}

test('a marketer creates a weekend double-points campaign; a purchase made now earns double, on the ledger and on the campaign page', async ({ page }) => {
  // Prepare: a fresh member; "now" is the purchase's time
  const run = randomUUID().slice(0, 8);
  const name = `Weekend double points ${run}`;
  // A category of this test's own: only this campaign targets it (the demo campaign doubles B), so the purchase's
  // breakdown shows this campaign's doubling alone whatever other test files created on the shared stack.
  const category = `wknd-${run}`;
  const now = new Date();
  const today = programmeWeekday(now);
  const memberId = await registeredMember('m-cmp');
  const marketer = await apiAs('marketer');

  // Act: create the campaign in the dialog. A weekend campaign that must also pay a purchase recorded now: Saturday
  // and Sunday all day, plus today's weekday when today is a weekday (the window is read in the programme's zone).
  await openConsole(page, { role: 'marketer', path: 'campaigns' });
  await page.getByRole('button', { name: 'New campaign' }).click();
  const dialog = await campaignDialog(page, 'New campaign');
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await enterTime(dialog, `Starts (${ZONE})`, programmeWallClock(new Date(now.getTime() - 60 * 60_000)));
  await enterTime(dialog, `Ends (${ZONE})`, programmeWallClock(new Date(now.getTime() + 30 * 86_400_000)));
  await dialog.getByRole('checkbox', { name: 'Only on some days and hours' }).check();
  await dialog.getByRole('button', { name: 'Weekends, all day' }).click();
  if (today < 6) await dialog.getByRole('checkbox', { name: WEEKDAYS[today - 1], exact: true }).check();
  const categories = dialog.getByLabel('Only these categories (empty: every line)');
  await categories.fill(category);
  await categories.press('Enter');
  await dialog.locator('.ant-select-selection-item-content', { hasText: category }).waitFor();
  expect(Number(await dialog.getByLabel('Multiplier', { exact: true }).inputValue())).toBe(2);
  await dialog.getByLabel('Budget (points; empty: no limit)').fill('100000');
  await dialog.getByRole('button', { name: 'Create' }).click();
  // The dialog closes once the API took it (a toast on a busy machine can come and go before it is looked for).
  await dialog.waitFor({ state: 'hidden' });

  // Assess: listed among the running campaigns with its budget bar, and defined as asked
  await page.getByLabel('Show campaigns in state').getByText('Running', { exact: true }).click();
  const link = page.getByRole('link', { name: `Open ${name}` });
  await link.waitFor();
  const campaignId = decodeURIComponent((await link.getAttribute('href'))?.split('/').pop() ?? '');
  const row = page.locator(`tr[data-row-key="${campaignId}"]`);
  await row.getByText('0 of 100,000').waitFor();
  const created = await marketer.get<CampaignView>(`/v1/admin/campaigns/${campaignId}`);
  expect(created.status).toBe(200);
  expect(created.body).toMatchObject({
    name,
    effect: { kind: 'multiplier', multiplier: 2 },
    schedule: { timezone: ZONE, recurring: { from: '00:00', to: '23:59' } },
    targets: { categories: [category] },
    budgetPoints: 100_000,
  });
  expect(created.body.schedule.recurring?.daysOfWeek).toEqual([...new Set([today, 6, 7])].sort());

  // Act: a POS purchase at store1, paid now, in the campaign's category
  const purchaseId = `p-cmp-${run}`;
  const purchase = await (await apiAs({ pos: 'store1' })).post<PurchaseAnswer>('/v1/pos/purchases', {
    purchaseId,
    memberId,
    storeId: 'store1',
    paidAt: now.toISOString(),
    lines: [{ sku: `sku-${run}`, category, amountCents: 20_000, quantity: 1 }],
  });

  // Assess: double points: the campaign's line adds as much again as the base
  expect(purchase.status).toBe(201);
  const base = purchase.body.breakdown.find((line) => line.rule === 'base');
  const doubled = purchase.body.breakdown.find((line) => line.rule === `campaign:${campaignId}`);
  expect(base?.points).toBeGreaterThan(0);
  expect(doubled?.points).toBe(base?.points);
  expect(purchase.body.pointsEarned).toBe(2 * (base?.points ?? 0));

  // Assess: the member's ledger has the doubled entry (the operator API, then the member's page in the console)
  const ledger = await marketer.get<{ items: LedgerLine[] }>(`/v1/admin/members/${memberId}/ledger?limit=20`);
  expect(ledger.status).toBe(200);
  const entry = ledger.body.items.find((line) => line.ref?.includes(purchaseId));
  expect(entry, `a ledger entry for ${purchaseId}`).toBeDefined();
  expect((entry?.points ?? 0) + (entry?.pendingDelta ?? 0)).toBe(purchase.body.pointsEarned);
  const campaignsUrl = page.url();
  await page.goto(new URL(`members/${memberId}`, campaignsUrl.replace(/campaigns.*$/, '')).toString());
  const ledgerRow = page.locator(`[data-testid="member-ledger"] tr[data-row-key="${entry?.id ?? ''}"]`);
  await ledgerRow.waitFor();
  expect(await ledgerRow.innerText()).toContain(`+${purchase.body.pointsEarned.toLocaleString('en-US')}`);
  await page.goto(campaignsUrl);

  // Act: the campaign's page
  await link.click();
  await page.getByRole('heading', { name }).waitFor();

  // Assess: one participant and the points issued against the budget; the charts by day and by hour; the audit trail
  await page.getByTestId('total-participants').getByText('1', { exact: true }).waitFor();
  await page.getByTestId('total-points-issued').getByText((doubled?.points ?? 0).toLocaleString('en-US'), { exact: true }).waitFor();
  await page.getByText(`${(doubled?.points ?? 0).toLocaleString('en-US')} of 100,000`).waitFor();
  await page.getByRole('img', { name: 'Participants and points issued against the budget' }).waitFor();
  await page.getByLabel('Granularity').getByText('By hour', { exact: true }).click();
  await page.getByLabel('Hours of').waitFor();
  const stats = await marketer.get<{ series: { buckets: { participants: number; pointsIssued: number }[] } }>(
    `/v1/admin/campaigns/${campaignId}/stats?granularity=hour`,
  );
  expect(stats.body.series.buckets.reduce((sum, b) => sum + b.pointsIssued, 0)).toBe(doubled?.points);
  const audit = page.locator('.ant-card', { has: page.getByText('Audit trail', { exact: true }) });
  await audit.getByText('createCampaign').waitFor();
  await audit.getByText('op-marketer').waitFor();
});

test('a marketer edits a campaign; a change saved meanwhile by someone else is reported, and saving again keeps both', async ({ page, pageErrors }) => {
  // The browser logs the 409 this test provokes.
  pageErrors.allow(/status of 409/);
  // Prepare: a campaign (version 1)
  const run = randomUUID().slice(0, 8);
  const marketer = await apiAs('marketer');
  const start = new Date(Date.now() + 86_400_000);
  const created = await marketer.post<CampaignView>('/v1/admin/campaigns', {
    name: `Edit me ${run}`,
    effect: { kind: 'multiplier', multiplier: 2 },
    schedule: { startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 7 * 86_400_000).toISOString() },
    budgetPoints: 50_000,
  });
  expect(created.status).toBe(201);
  const { campaignId } = created.body;
  await openConsole(page, { role: 'marketer', path: `campaigns/${campaignId}` });
  await page.getByRole('heading', { name: `Edit me ${run}` }).waitFor();

  // Act: open the dialog, change the budget; meanwhile another operator renames it (version 2)
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const dialog = await campaignDialog(page, `Edit campaign Edit me ${run}`);
  await dialog.getByLabel('Budget (points; empty: no limit)').fill('123456');
  const renamed = await marketer.patch<CampaignView>(`/v1/admin/campaigns/${campaignId}`, { expectedVersion: 1, name: `Renamed ${run}` });
  expect(renamed.status).toBe(200);
  await dialog.getByRole('button', { name: 'Save' }).click();

  // Assess: the conflict is said in the dialog, which stays open
  await dialog.getByText(/Someone else saved this campaign while you were editing \(it is now version 2/).waitFor();

  // Act: save again
  await dialog.getByRole('button', { name: 'Save' }).click();

  // Assess: both changes kept (their name, this budget), version 3; the page shows it and the audit trail has both edits
  await page.getByText(`Campaign Renamed ${run} saved (version 3)`).waitFor();
  const saved = await marketer.get<CampaignView>(`/v1/admin/campaigns/${campaignId}`);
  expect(saved.body).toMatchObject({ name: `Renamed ${run}`, budgetPoints: 123_456, version: 3 });
  await page.getByRole('heading', { name: `Renamed ${run}` }).waitFor();
  const audit = page.locator('.ant-card', { has: page.getByText('Audit trail', { exact: true }) });
  await expect.poll(() => audit.getByText('updateCampaign').count()).toBe(2);
});

test('an analyst sees campaigns, a campaign and the pools and tasks without any write action, and the API refuses one', async ({ page }) => {
  // Act
  await openConsole(page, { role: 'analyst', path: 'campaigns' });
  const demo = page.locator('tr[data-row-key="c-demo-double-points"]');
  await demo.waitFor();

  // Assess: no "New campaign", no "Edit"
  expect(await page.getByRole('button', { name: 'New campaign' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);

  // Act: the demo campaign's page
  await demo.getByRole('link').click();
  await page.getByRole('heading', { name: 'Double points (demo)' }).waitFor();
  await page.getByTestId('total-points-issued').waitFor();

  // Assess
  expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);

  // Act: pools and tasks
  await page.getByRole('link', { name: 'Pools & tasks' }).click();
  await page.locator('tr[data-row-key="pool-tasks"]').waitFor();
  await page.locator('tr[data-row-key="t-sign-in"]').waitFor();

  // Assess
  for (const name of ['New pool', 'New task', 'Edit']) expect(await page.getByRole('button', { name }).count()).toBe(0);
  const refused = await (await apiAs('analyst')).post('/v1/admin/campaigns', {
    name: 'Not for analysts',
    effect: { kind: 'bonus', points: 10 },
    schedule: { startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString() },
  });
  expect(refused.status).toBe(403);
});

test('a marketer creates a pool and a sign-in task with a streak bonus paid from it, and pauses the task', async ({ page }) => {
  // Prepare
  const run = randomUUID().slice(0, 8);
  const marketer = await apiAs('marketer');
  await openConsole(page, { role: 'marketer', path: 'pools' });

  // Act: a pool with two activities
  await page.getByRole('button', { name: 'New pool' }).click();
  const poolDialog = await campaignDialog(page, 'New points pool');
  await poolDialog.getByLabel('Name', { exact: true }).fill(`Check-ins ${run}`);
  await poolDialog.getByLabel('Budget (points)').fill('10000');
  await poolDialog.getByLabel('Weight 1').fill('3');
  await poolDialog.getByLabel('Daily cap per member (empty: none) 1').fill('50');
  await poolDialog.getByRole('button', { name: 'Add an activity' }).click();
  await poolDialog.getByLabel('Activity 2').fill('share');
  await poolDialog.getByLabel('Weight 2').fill('1');
  await poolDialog.getByRole('button', { name: 'Create' }).click();

  // Assess: listed with its split (3:1 of 10,000)
  const poolRow = page.locator('tr.ant-table-row', { hasText: `Check-ins ${run}` });
  await poolRow.waitFor();
  await poolRow.getByText('0 of 7,500').waitFor();
  await poolRow.getByText('0 of 2,500').waitFor();
  const poolId = (await poolRow.getAttribute('data-row-key')) ?? '';

  // Act: a sign-in task paid from its sign-in activity, 5 points and 20 more on day 7
  await page.getByRole('button', { name: 'New task' }).click();
  const taskDialog = await campaignDialog(page, 'New task');
  await taskDialog.getByLabel('Name', { exact: true }).fill(`Daily check-in ${run}`);
  await taskDialog.getByLabel('Task id (optional)').fill(`t-check-in-${run}`);
  await taskDialog.getByLabel('Points per completion').fill('5');
  await taskDialog.getByLabel('Pool', { exact: true }).click();
  await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="Check-ins ${run} (${poolId})"]`).click();
  await taskDialog.getByLabel('Pool activity').click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="sign-in"]').click();
  await taskDialog.getByRole('button', { name: 'Create' }).click();
  // Assess: the row, not the toast (a toast on a busy machine can come and go before it is looked for)
  const taskRow = page.locator(`tr[data-row-key="t-check-in-${run}"]`);
  await taskRow.getByText('5 (+20 on day 7)').waitFor();
  const task = await marketer.get<{ type: string; poolId: string; activity: string; streakBonuses: { day: number; points: number }[] }>(`/v1/admin/tasks/t-check-in-${run}`);
  expect(task.body).toMatchObject({ type: 'SIGN_IN', poolId, activity: 'sign-in', streakBonuses: [{ day: 7, points: 20 }] });

  // Act: pause it
  await taskRow.getByRole('button', { name: 'Edit' }).click();
  const editDialog = await campaignDialog(page, `Edit task Daily check-in ${run}`);
  // Clicked until the radio shows checked: a click during the dialog's opening animation can be lost on a busy machine.
  const pausedRadio = editDialog.getByRole('radio', { name: 'Paused', exact: true });
  for (let attempt = 0; attempt < 5 && !(await pausedRadio.isChecked()); attempt += 1) {
    await editDialog.getByText('Paused', { exact: true }).click();
    await page.waitForTimeout(200);
  }
  expect(await pausedRadio.isChecked()).toBe(true);
  await editDialog.getByRole('button', { name: 'Save' }).click();

  // Assess
  await taskRow.getByText('Paused', { exact: true }).waitFor();
  const paused = await marketer.get<{ status: string; sortOrder: number }>(`/v1/admin/tasks/t-check-in-${run}`);
  expect(paused.body).toMatchObject({ status: 'PAUSED', sortOrder: 1000 });
});
