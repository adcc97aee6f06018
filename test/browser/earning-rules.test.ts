/**
 * The Earning rules screen (/console/rules) in a real browser against the
 * local stack: a preview of an unsaved change, a what-if replay of a draft
 * double-points campaign checked against what the same campaign then really
 * issues on the same baskets, and a one-field save that sends the whole
 * document. The stack is shared with the other browser files: the save puts
 * the rules back, and the replay uses past days no other file records on.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { demoPurchasesOn } from '../../bin/local/seed-purchases.js';
import { addDays } from '../../shared/domain/draws.js';
import { pointValueCents } from '../../shared/domain/point-value.js';
import { localDate } from '../../shared/domain/programme.js';
import { apiAs } from './support/api.js';
import { openConsole, test } from './support/browser.js';

interface BreakdownLine {
  rule: string;
  description: string;
  points: number;
}
interface Preview {
  points: number;
  breakdown: BreakdownLine[];
  current?: { points: number; breakdown: BreakdownLine[] };
  draft?: { points: number; breakdown: BreakdownLine[]; differencePoints: number };
}
type Rules = Record<string, unknown> & { version: number; updatedAt: string; updatedBy: string; tierMultipliers: Record<string, number>; reminderDays: number };
interface Replay {
  replayId: string;
  state: string;
  draftCampaign: Record<string, unknown> | null;
  result: {
    purchases: number;
    actualPoints: number;
    draftPoints: number;
    differencePoints: number;
    costCents: number;
    pointsPerYuan: number;
    draftPointsPerYuan: number;
    liability: { changeCents: number };
    days: { day: string; purchases: number }[];
  } | null;
}

const points = (n: number) => n.toLocaleString('en-US');
const money = (cents: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'CNY', minimumFractionDigits: 2 }).format(cents / 100);
const signed = (n: number) => `${n > 0 ? '+' : ''}${points(n)}`;
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** The rules document as PUT takes it: without the version stamp. */
function documentOf(rules: Rules): Record<string, unknown> {
  const { version: _v, updatedAt: _a, updatedBy: _b, ...document } = rules;
  return document;
}

async function currentRules(): Promise<Rules> {
  const res = await (await apiAs('admin')).get<Rules>('/v1/admin/earning-rules');
  expect(res.status).toBe(200);
  return res.body;
}

/** Types a number into the input the label names and leaves it (antd's InputNumber takes the value then). */
async function setNumber(page: Page, label: string, value: number) {
  const input = page.getByLabel(label, { exact: true });
  await input.fill(String(value));
  await input.blur();
}

/** Types a date into an antd date picker and confirms it. */
async function pickDate(page: Page, label: string, day: string) {
  const input = page.getByLabel(label, { exact: true });
  await input.click();
  await input.fill(day);
  await input.press('Enter');
  await expect.poll(() => input.inputValue()).toBe(day);
}

const text = (page: Page, testId: string) => page.getByTestId(testId).innerText();

test('a preview of an unsaved rule change shows the current and the draft breakdown, and saves nothing', async ({ page }) => {
  // Prepare
  const before = await currentRules();
  const gold = before.tierMultipliers.gold ?? 1;
  const raised = gold + 1.5;
  const lines = [{ sku: `sku-rules-${unique()}`, category: 'A', amountCents: 25_000, quantity: 1 }];
  await openConsole(page, { role: 'marketer', path: 'rules' });

  // Act: raise the gold multiplier without saving, then preview a gold member's basket
  await setNumber(page, 'Gold multiplier', raised);
  await page.getByText('1 unsaved change(s)').waitFor();
  await page.getByRole('tab', { name: 'Preview' }).click();
  await page.getByLabel('Member id', { exact: true }).fill('m-gold');
  await page.getByLabel('Line 1 SKU', { exact: true }).fill(lines[0]!.sku);
  await page.getByLabel('Line 1 category', { exact: true }).fill('A');
  await page.getByLabel('Line 1 amount (CNY)', { exact: true }).fill('250');
  await page.getByRole('button', { name: 'Calculate' }).click();
  await page.getByTestId('preview-draft-points').waitFor();

  // Assess: the figures the API gives for the rules in force and for the same draft
  const marketer = await apiAs('marketer');
  const asIs = await marketer.post<Preview>('/v1/admin/earning-previews', { memberId: 'm-gold', lines });
  const withDraft = await marketer.post<Preview>('/v1/admin/earning-previews', {
    memberId: 'm-gold',
    lines,
    draftRules: { ...documentOf(before), tierMultipliers: { ...before.tierMultipliers, gold: raised } },
  });
  expect(asIs.status).toBe(200);
  expect(withDraft.status).toBe(200);
  const draft = withDraft.body.draft!;
  expect(draft.points).toBeGreaterThan(asIs.body.points);
  expect(await text(page, 'preview-current-points')).toBe(`${points(asIs.body.points)} points`);
  expect(await text(page, 'preview-draft-points')).toBe(`${points(draft.points)} points`);
  expect(await text(page, 'preview-difference')).toBe(signed(draft.differencePoints));
  const goldLine = draft.breakdown.find((line) => line.rule === 'tier:gold');
  expect(goldLine).toBeDefined();
  const draftRow = page.getByTestId('preview-draft-breakdown').locator('tr', { hasText: 'tier:gold' });
  expect(await draftRow.innerText()).toContain(points(goldLine!.points));
  const currentGold = asIs.body.breakdown.find((line) => line.rule === 'tier:gold')!;
  expect(await page.getByTestId('preview-current-breakdown').locator('tr', { hasText: 'tier:gold' }).innerText()).toContain(points(currentGold.points));
  // Nothing saved: the same version and document
  const after = await currentRules();
  expect(after.version).toBe(before.version);
  expect(documentOf(after)).toEqual(documentOf(before));
});

test('a what-if replay of a draft double-points campaign shows the extra points and their cost, as the same campaign then really issues them', async ({ page }) => {
  // Prepare: past days with demo purchases (the seed records the last 30 days), far from any other file's campaign
  const today = localDate(new Date());
  const [from, to] = [addDays(today, -14), addDays(today, -9)];
  const days = Array.from({ length: 6 }, (_, i) => addDays(from, i));
  const baskets = days.flatMap((day) => demoPurchasesOn(day));
  expect(baskets.length, 'demo purchases in the period').toBeGreaterThan(0);
  const name = `What-if double points ${unique()}`;
  await openConsole(page, { role: 'marketer', path: 'rules' });

  // Act: the period, a draft double-points campaign over it (its window follows the period), run the replay
  await page.getByRole('tab', { name: 'What-if replay' }).click();
  await pickDate(page, 'From', from);
  await pickDate(page, 'To', to);
  await page.getByRole('switch', { name: 'Include a draft campaign' }).click();
  await page.getByLabel('Campaign name', { exact: true }).fill(name);
  expect(Number(await page.getByLabel('Multiplier (×)', { exact: true }).inputValue())).toBe(2);
  await page.getByRole('button', { name: 'Run the replay' }).click();
  const dialog = page.getByRole('dialog', { name: 'Start a what-if replay?' });
  expect(await dialog.innerText()).toContain(`${from} – ${to}`);
  await dialog.getByRole('button', { name: 'Start' }).click();
  // Polled every 2 s until the stream consumer has run it
  const shown = page.locator('[data-testid="whatif-replay"][data-state="DONE"]');
  await shown.waitFor({ timeout: 90_000 });

  // The replay as the API has it, and the campaign it replayed, now created for real with the same window
  const replayId = (await text(page, 'whatif-replay-id')).trim();
  const admin = await apiAs('admin');
  const replay = (await admin.get<Replay>(`/v1/admin/what-if-replays/${replayId}`)).body;
  expect(replay.state).toBe('DONE');
  expect(replay.draftCampaign).toMatchObject({ name, effect: { kind: 'multiplier', multiplier: 2 }, audience: { kind: 'all' } });
  const marketer = await apiAs('marketer');
  const created = await marketer.post<{ campaignId: string }>('/v1/admin/campaigns', replay.draftCampaign);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  // ... and the same baskets recorded again through the POS API at the same paidAt
  let really = 0;
  for (const basket of baskets) {
    const till = await apiAs({ pos: basket.storeId });
    const res = await till.post<{ pointsEarned: number; status: string }>('/v1/pos/purchases', {
      ...basket,
      purchaseId: `${basket.purchaseId}-again-${unique()}`,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.status).toBe('RECORDED');
    really += res.body.pointsEarned;
  }
  const stats = await marketer.get<{ pointsIssued: number }>(`/v1/admin/campaigns/${created.body.campaignId}/stats`);
  expect(stats.status).toBe(200);

  // Assess: what the page shows is the replay's result ...
  const result = replay.result!;
  expect(await text(page, 'whatif-purchases')).toBe(points(result.purchases));
  expect(await text(page, 'whatif-actual')).toContain(points(result.actualPoints));
  expect(await text(page, 'whatif-draft')).toContain(points(result.draftPoints));
  expect(await text(page, 'whatif-difference')).toBe(signed(result.differencePoints));
  expect(await text(page, 'whatif-cost')).toBe(money(result.costCents));
  expect(await text(page, 'whatif-liability-change')).toBe(money(result.liability.changeCents));
  // ... and it matches what the campaign really issued on the same purchases
  expect(result.purchases).toBe(baskets.length);
  expect(result.differencePoints).toBeGreaterThan(0);
  expect(result.differencePoints).toBe(stats.body.pointsIssued);
  expect(result.draftPoints).toBe(really);
  expect(result.costCents).toBe(pointValueCents(stats.body.pointsIssued, result.pointsPerYuan));
  // The per-day chart and table: one row per day of the period
  await page.getByRole('img', { name: 'Points actually issued and with the draft, per day' }).waitFor();
  for (const day of days) await page.getByTestId('whatif-days').locator(`tr[data-row-key="${day}"]`).waitFor();
  expect(result.days.map((d) => d.day)).toEqual(days);
});

test('saving a one-field change shows the diff first, sends the whole document and adds a version to the history', async ({ page }) => {
  // Prepare: a saved version to compare with (the defaults, version 0, are no version of the history)
  let before = await currentRules();
  if (before.version === 0) {
    const saved = await (await apiAs('admin')).put<Rules>('/v1/admin/earning-rules', { ...documentOf(before), expectedVersion: 0 });
    expect(saved.status).toBe(200);
    before = saved.body;
  }
  const reminderDays = before.reminderDays === 45 ? 46 : 45;
  await openConsole(page, { role: 'admin', path: 'rules' });
  try {
    // Act: one field, then "Review and save"
    await setNumber(page, 'Expiry reminder (days ahead)', reminderDays);
    await page.getByText('1 unsaved change(s)').waitFor();
    await page.getByRole('button', { name: 'Review and save' }).click();

    // Assess: the diff, one field, old → new
    const dialog = page.getByRole('dialog', { name: `Save these changes to version ${before.version}?` });
    const rows = dialog.getByTestId('rules-review-diff').locator('tbody tr');
    await expect.poll(() => rows.allInnerTexts()).toEqual([`reminderDays\t${before.reminderDays}\t${reminderDays}`]);

    // Act
    const put = page.waitForRequest((request) => request.method() === 'PUT' && new URL(request.url()).pathname === '/v1/admin/earning-rules');
    await dialog.getByRole('button', { name: 'Save' }).click();

    // Assess: the whole document went, every other field as loaded, with the version read
    expect((await put).postDataJSON()).toEqual({ ...documentOf(before), reminderDays, expectedVersion: before.version });
    await page.getByText(`Saved as version ${before.version + 1}`).waitFor();
    const after = await currentRules();
    expect(after.version).toBe(before.version + 1);
    expect(after.updatedBy).toBe('op-admin');
    expect(documentOf(after)).toEqual({ ...documentOf(before), reminderDays });
    expect(await text(page, 'rules-version')).toContain(`Version ${after.version} in force`);
    // The history: the new version first, by op-admin; the one before it differs in that field
    await page.getByRole('tab', { name: 'Version history' }).click();
    const history = page.getByTestId('rules-history');
    const newest = history.locator(`tr[data-row-key="${after.version}"]`);
    await newest.waitFor();
    expect(await newest.innerText()).toContain('op-admin');
    await history.locator(`tr[data-row-key="${before.version}"]`).click();
    const diff = page.getByTestId(`history-diff-${before.version}`).locator('tbody tr');
    await expect.poll(() => diff.allInnerTexts()).toEqual([`reminderDays\t${before.reminderDays}\t${reminderDays}`]);
  } finally {
    // Put the rules back for the other browser files (a new version with the document as it was)
    const admin = await apiAs('admin');
    const now = await currentRules();
    if (JSON.stringify(documentOf(now)) !== JSON.stringify(documentOf(before))) {
      const restored = await admin.put('/v1/admin/earning-rules', { ...documentOf(before), expectedVersion: now.version });
      expect(restored.status).toBe(200);
    }
  }
});
