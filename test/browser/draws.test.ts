import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { apiAs } from './support/api.js';
import { openConsole, test } from './support/browser.js';

const ZONE = 'Asia/Shanghai';

interface DrawAdmin {
  readonly drawId: string;
  readonly name: string;
  readonly status: string;
  readonly operatorStatus: string;
  readonly version: number;
  readonly totalWeight: number;
  readonly prizes: { prizeId: string; weight: number; odds: number; drawn: number }[];
  readonly history: { version: number; changes: Record<string, { from: string; to: string }> }[];
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

async function enterTime(dialog: Locator, label: string, value: string): Promise<void> {
  const input = dialog.getByLabel(label, { exact: true });
  await input.fill(value);
  await input.press('Enter');
  await expect.poll(() => input.inputValue()).toBe(value);
}

async function setNumber(dialog: Locator, label: string, value: string): Promise<void> {
  const input = dialog.getByLabel(label, { exact: true });
  await input.fill(value);
  await input.blur();
}

/** The status tag on a draw's page, once it says `text`. */
async function statusShows(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.getByTestId('draw-status').first().innerText(), { timeout: 20_000 }).toBe(text);
}

async function spin(drawId: string, memberId: string): Promise<{ status: number; code?: string }> {
  const member = await apiAs({ member: memberId });
  const res = await member.post<{ code?: string }>(`/v1/draws/${drawId}/spins`);
  return { status: res.status, code: res.body.code };
}

test("a marketer edits a draw's odds as percentages (a total other than 100 % is refused on the fields), then pauses and resumes the new draw", async ({ page }) => {
  // Prepare: a running draw of three prizes (10 %, 30 %, 60 %) and a registered member
  const run = randomUUID().slice(0, 8);
  const marketer = await apiAs('marketer');
  const original = await marketer.post<DrawAdmin>('/v1/admin/draws', {
    drawId: `d-odds-${run}`,
    name: `Odds wheel ${run}`,
    startsAt: new Date(Date.now() - 3_600_000).toISOString(),
    endsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    freeSpinsPerDay: 3,
    spinCostPoints: 10,
    maxSpinsPerDay: 5,
    prizes: [
      { prizeId: 'mug', name: 'Mug', kind: 'NOTHING', weight: 1 },
      { prizeId: 'sticker', name: 'Sticker', kind: 'NOTHING', weight: 3 },
      { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 6 },
    ],
    consolationPrizeId: 'thanks',
  });
  expect(original.status).toBe(201);
  const memberId = `m-draw-${run}`;
  expect((await (await apiAs({ member: memberId })).post('/v1/me/register', {})).status).toBe(201);

  // Act 1: from the draw's page, a new draw from it; the odds show as percentages adding up to 100
  await openConsole(page, { role: 'marketer', path: `draws/${original.body.drawId}` });
  await page.getByRole('button', { name: 'New draw from this one' }).click();
  const dialog = page.getByRole('dialog', { name: `New draw from Odds wheel ${run}` });
  await dialog.waitFor();
  expect(await dialog.getByLabel('Odds (%) 1', { exact: true }).inputValue()).toBe('10.00');
  expect(await dialog.getByLabel('Odds (%) 3', { exact: true }).inputValue()).toBe('60.00');
  await dialog.getByTestId('odds-total').getByText('Odds total: 100 %').waitFor();
  await dialog.getByLabel('Name', { exact: true }).fill(`Odds wheel ${run} v2`);
  await dialog.getByLabel('Draw id (optional)').fill(`d-odds-${run}-v2`);
  await enterTime(dialog, `Starts (${ZONE})`, programmeWallClock(new Date(Date.now() - 5 * 60_000)));

  // Act 2: the mug's odds raised to 15 %: the total is 105 %, Create is refused and the odds fields say why
  await setNumber(dialog, 'Odds (%) 1', '15');
  await dialog.getByTestId('odds-total').getByText('Odds total: 105 %').waitFor();
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect.poll(() => dialog.locator('.ant-form-item-has-error').count(), { timeout: 10_000 }).toBe(3);
  expect(await dialog.getByText('Total 105 %, not 100 %').count()).toBe(3);
  expect(await dialog.getByTestId('odds-refusal').innerText()).toBe('The odds add up to 105 %; they must add up to 100 %.');
  const oddsItem = dialog.locator('.ant-form-item', { has: page.getByLabel('Odds (%) 1', { exact: true }) });
  expect(await oddsItem.getAttribute('class')).toContain('ant-form-item-has-error');
  expect((await marketer.get(`/v1/admin/draws/d-odds-${run}-v2`)).status).toBe(404);

  // Act 3: "thanks for playing" down to 55 %: 100 %, and the draw is created
  await setNumber(dialog, 'Odds (%) 3', '55');
  await dialog.getByTestId('odds-total').getByText('Odds total: 100 %').waitFor();
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 20_000 });
  await page.waitForURL(`**/console/draws/d-odds-${run}-v2`);
  await statusShows(page, 'Open');

  // Assess: the weights the API took are the percentages in hundredths
  const created = await marketer.get<DrawAdmin>(`/v1/admin/draws/d-odds-${run}-v2`);
  expect(created.status).toBe(200);
  expect(created.body.prizes.map((p) => [p.prizeId, p.weight])).toEqual([
    ['mug', 1500],
    ['sticker', 3000],
    ['thanks', 5500],
  ]);
  expect(created.body.totalWeight).toBe(10_000);
  expect((await spin(`d-odds-${run}-v2`, memberId)).status).toBe(201);

  // Act 4: pause it; spins are refused
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const pause = page.getByRole('dialog', { name: 'Pause' });
  await pause.getByRole('button', { name: 'Pause', exact: true }).click();
  await pause.waitFor({ state: 'hidden' });
  await statusShows(page, 'Paused');
  expect(await page.getByTestId('operator-status').innerText()).toBe('Paused');
  expect((await marketer.get<DrawAdmin>(`/v1/admin/draws/d-odds-${run}-v2`)).body.operatorStatus).toBe('PAUSED');
  expect(await spin(`d-odds-${run}-v2`, memberId)).toEqual({ status: 409, code: 'DRAW_CLOSED' });

  // Act 5: resume it; spins run again
  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  const resume = page.getByRole('dialog', { name: 'Resume' });
  await resume.getByRole('button', { name: 'Resume', exact: true }).click();
  await resume.waitFor({ state: 'hidden' });
  await statusShows(page, 'Open');
  const after = await marketer.get<DrawAdmin>(`/v1/admin/draws/d-odds-${run}-v2`);
  expect(after.body).toMatchObject({ operatorStatus: 'ACTIVE', version: 3 });
  expect(after.body.history.map((h) => h.changes.status)).toEqual([
    { from: 'PAUSED', to: 'ACTIVE' },
    { from: 'ACTIVE', to: 'PAUSED' },
  ]);
  expect((await spin(`d-odds-${run}-v2`, memberId)).status).toBe(201);

  // The page counts the spins against the published odds (read again on reload)
  await page.reload();
  await page.getByRole('img', { name: 'Prizes drawn against the published odds' }).waitFor();
  const totals = await marketer.get<DrawAdmin>(`/v1/admin/draws/d-odds-${run}-v2`);
  expect(totals.body.prizes.reduce((sum, p) => sum + p.drawn, 0)).toBe(2);
});

test('an analyst reads the draws, ended ones included, but has no write actions', async ({ page }) => {
  const run = randomUUID().slice(0, 8);
  const marketer = await apiAs('marketer');
  const ended = await marketer.post<DrawAdmin>('/v1/admin/draws', {
    drawId: `d-ended-${run}`,
    name: `Ended wheel ${run}`,
    startsAt: new Date(Date.now() - 3_600_000).toISOString(),
    endsAt: new Date(Date.now() + 86_400_000).toISOString(),
    freeSpinsPerDay: 1,
    spinCostPoints: 10,
    maxSpinsPerDay: 1,
    prizes: [
      { prizeId: 'a', name: 'A', kind: 'NOTHING', weight: 1 },
      { prizeId: 'thanks', name: 'Thanks', kind: 'NOTHING', weight: 1 },
    ],
    consolationPrizeId: 'thanks',
  });
  expect(ended.status).toBe(201);
  expect((await marketer.patch(`/v1/admin/draws/d-ended-${run}`, { expectedVersion: 1, status: 'ENDED' })).status).toBe(200);

  await openConsole(page, { role: 'analyst', path: 'draws' });
  await page.getByLabel('Show draws in status').getByText('Ended', { exact: true }).click();
  await page.getByRole('link', { name: `Open Ended wheel ${run}` }).click();
  await statusShows(page, 'Ended');
  await page.getByText('Published seeds').waitFor();
  expect(await page.getByRole('button', { name: 'New draw from this one' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Pause', exact: true }).count()).toBe(0);
});

test("a marketer edits an upcoming draw's odds in place: refused at 95 %, saved at 100 %", async ({ page }) => {
  // Prepare: a draw opening tomorrow
  const run = randomUUID().slice(0, 8);
  const marketer = await apiAs('marketer');
  const drawId = `d-upcoming-${run}`;
  const created = await marketer.post<DrawAdmin>('/v1/admin/draws', {
    drawId,
    name: `Upcoming wheel ${run}`,
    startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    endsAt: new Date(Date.now() + 8 * 86_400_000).toISOString(),
    freeSpinsPerDay: 1,
    spinCostPoints: 10,
    maxSpinsPerDay: 3,
    prizes: [
      { prizeId: 'mug', name: 'Mug', kind: 'NOTHING', weight: 10, stock: 20 },
      { prizeId: 'sticker', name: 'Sticker', kind: 'NOTHING', weight: 30 },
      { prizeId: 'thanks', name: 'Thanks for playing', kind: 'NOTHING', weight: 60 },
    ],
    consolationPrizeId: 'thanks',
  });
  expect(created.status).toBe(201);

  // Act 1: 5 % off the sticker leaves 95 %: refused on the odds fields, nothing saved
  await openConsole(page, { role: 'marketer', path: `draws/${drawId}` });
  await statusShows(page, 'Upcoming');
  await page.getByRole('button', { name: 'Prizes and odds' }).click();
  const dialog = page.getByRole('dialog', { name: `Prizes and odds of Upcoming wheel ${run}` });
  await dialog.waitFor();
  expect(await dialog.getByLabel('Odds (%) 2', { exact: true }).inputValue()).toBe('30.00');
  await setNumber(dialog, 'Odds (%) 2', '25');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect.poll(() => dialog.locator('.ant-form-item-has-error').count(), { timeout: 10_000 }).toBe(3);
  expect(await dialog.getByTestId('odds-refusal').innerText()).toBe('The odds add up to 95 %; they must add up to 100 %.');
  expect((await marketer.get<DrawAdmin>(`/v1/admin/draws/${drawId}`)).body.version).toBe(1);

  // Act 2: 65 % for "thanks for playing": 100 %, saved
  await setNumber(dialog, 'Odds (%) 3', '65');
  await dialog.getByTestId('odds-total').getByText('Odds total: 100 %').waitFor();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 20_000 });

  // Assess: the API has the weights in hundredths, and the page shows the new odds
  const saved = await marketer.get<DrawAdmin>(`/v1/admin/draws/${drawId}`);
  expect(saved.body.version).toBe(2);
  expect(saved.body.prizes.map((p) => [p.prizeId, p.weight])).toEqual([
    ['mug', 1000],
    ['sticker', 2500],
    ['thanks', 6500],
  ]);
  await page.locator('tr[data-row-key="sticker"]').getByText('25 %', { exact: true }).waitFor();
});
