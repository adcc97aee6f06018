import { randomUUID } from 'node:crypto';
import type { Download, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { apiAs } from './support/api.js';
import { openConsole, test } from './support/browser.js';

interface DashboardAnswer {
  readonly today: { readonly day: string; readonly issued: number };
  readonly outstanding: { readonly points: number; readonly liabilityCents: number };
  readonly attention: { readonly purchasesAwaitingReview: number; readonly adjustmentsAwaitingApproval: number; readonly deadLetters: number };
}

/** The figures the dashboard shows, by their test ids. */
const FIGURES = ['today-issued', 'today-redeemed', 'today-expired', 'outstanding-points', 'liability', 'forecast-total', 'attention-purchase-reviews'] as const;

/** A displayed number in any of the console's locales (`1,234`, `CN¥1,234.50`, `¥-0.05`) as a number. */
function numberOf(text: string): number {
  const cleaned = text.replace(/[^\d.-]/g, '');
  if (cleaned === '' || Number.isNaN(Number(cleaned))) throw new Error(`not a number: ${JSON.stringify(text)}`);
  return Number(cleaned);
}

async function figureText(page: Page, testId: string): Promise<string> {
  const value = page.getByTestId(testId).locator('.ant-statistic-content');
  await value.waitFor();
  return (await value.innerText()).trim();
}

async function figures(page: Page): Promise<Record<string, string>> {
  const shown: Record<string, string> = {};
  for (const id of FIGURES) shown[id] = await figureText(page, id);
  return shown;
}

/** A chart drawn: its labelled box holds an ECharts canvas with a size. */
async function expectChart(page: Page, label: string): Promise<void> {
  const canvas = page.getByRole('img', { name: label }).locator('canvas').first();
  await canvas.waitFor();
  const box = await canvas.boundingBox();
  expect(box?.width ?? 0).toBeGreaterThan(100);
  expect(box?.height ?? 0).toBeGreaterThan(100);
}

async function downloadedText(download: Download): Promise<string> {
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A CSV the export wrote: a byte order mark, then RFC 4180 records ending CRLF (quoted fields may hold commas). */
function csvRows(text: string): string[][] {
  expect(text.startsWith('\uFEFF')).toBe(true);
  expect(text.endsWith('\r\n')).toBe(true);
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 1; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else field += c;
  }
  return records;
}

/** The header texts and the cell texts of an antd table's rows (data-row-key rows only: not its measure row). */
async function tableOf(table: Locator): Promise<{ headers: string[]; rows: string[][] }> {
  const headers = (await table.locator('thead th').allInnerTexts()).map((h) => h.trim());
  const rows: string[][] = [];
  for (const row of await table.locator('tbody tr[data-row-key]').all()) rows.push((await row.locator('td').allInnerTexts()).map((c) => c.trim()));
  return { headers, rows };
}

test('an analyst sees the dashboard figures and charts, and today’s issued points rise by an adjustment', async ({ page }) => {
  // Prepare: a fresh member; the dashboard as an analyst
  const memberId = `m-dash-${randomUUID().slice(0, 8)}`;
  const credit = 1_234;
  const analyst = await apiAs('analyst');
  expect((await (await apiAs({ member: memberId })).post('/v1/me/register', {})).status).toBe(201);
  await openConsole(page, { role: 'analyst' });
  const refresh = page.getByRole('button', { name: 'Refresh' });
  const issuedShown = async () => {
    await refresh.click();
    await expect.poll(() => refresh.getAttribute('class')).not.toMatch(/ant-btn-loading/);
    return numberOf(await figureText(page, 'today-issued'));
  };
  // The counters trail the ledger by a second or two: the page's figure settles on what the API says now.
  const before = (await analyst.get<DashboardAnswer>('/v1/admin/dashboard')).body;
  await expect.poll(issuedShown, { timeout: 20_000, interval: 500 }).toBe(before.today.issued);

  // Assess: the figures, the charts, the campaigns and the attention counts, read only
  const shown = await figures(page);
  expect(numberOf(shown['outstanding-points'] ?? '')).toBeGreaterThan(0);
  expect(shown.liability).toMatch(/^CN¥[\d,]+\.\d{2}$/);
  await expectChart(page, 'Points issued, redeemed and expired per day over the last 30 days');
  await expectChart(page, 'Points due to expire per month over the next 12 months');
  await page.getByText(`Today, ${before.today.day} (Asia/Shanghai)`).waitFor();
  const demoCampaign = page.locator('[data-testid="running-campaign"][data-campaign-id="c-demo-double-points"]');
  await demoCampaign.getByText('Double points (demo)').waitFor();
  await demoCampaign.locator('.ant-progress').waitFor();
  await expect(demoCampaign.innerText()).resolves.toMatch(/of 1,000,000 points/);
  // The attention counts as the API has them (the demo data holds an adjustment and a purchase waiting for a decision).
  expect(numberOf(await figureText(page, 'attention-purchase-reviews'))).toBe(before.attention.purchasesAwaitingReview);
  expect(numberOf(await figureText(page, 'attention-adjustments'))).toBe(before.attention.adjustmentsAwaitingApproval);
  expect(await figureText(page, 'attention-dead-letters')).toBe(String(before.attention.deadLetters));
  await page.getByText('Adjustments awaiting approval').waitFor();
  await page.getByText('Dead letters', { exact: true }).waitFor();
  // Approvals is open to analysts (to read; reads are open to every role): the counts link to it.
  await page.getByRole('link', { name: 'Open approvals' }).first().waitFor();

  // Act: an operator credits the fresh member
  const admin = await apiAs('admin');
  const adjusted = await admin.post(`/v1/admin/members/${memberId}/adjustments`, { points: credit, reason: 'dashboard browser test credit' });
  expect(adjusted.status).toBe(201);

  // Assess: once the stream has counted it, today's issued has risen by exactly the credit
  await expect.poll(issuedShown, { timeout: 30_000, interval: 1_000 }).toBe(before.today.issued + credit);
  const after = (await analyst.get<DashboardAnswer>('/v1/admin/dashboard')).body;
  expect(after.today.issued).toBe(before.today.issued + credit);
});

test('the dashboard shows the same figures in English and in Chinese, in each locale’s formats', async ({ page }) => {
  // Prepare
  await openConsole(page, { role: 'admin' });
  await page.getByText('Issued today').waitFor();
  await expectChart(page, 'Points issued, redeemed and expired per day over the last 30 days');
  const english = await figures(page);

  // Act
  await page.locator('header').getByText('中文', { exact: true }).click();

  // Assess: Chinese labels, the same numbers, money in zh-CN's notation
  await page.getByText('今日发放').waitFor();
  for (const label of ['今日兑换', '积分负债', '近 30 天', '未来 12 个月到期积分', '进行中的活动', '待处理', '待审批的积分调整']) {
    await page.getByText(label, { exact: true }).first().waitFor();
  }
  await expect(page.getByText('Issued today').count()).resolves.toBe(0);
  await expectChart(page, '近 30 天每日发放、兑换和过期的积分');
  await expectChart(page, '未来 12 个月每月到期的积分');
  expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
  const chinese = await figures(page);
  for (const id of FIGURES) expect(numberOf(chinese[id] ?? ''), id).toBe(numberOf(english[id] ?? ''));
  expect(english.liability).toMatch(/^CN¥/);
  expect(chinese.liability).toMatch(/^¥[\d,]+\.\d{2}$/);

  // Act: back to English, then to the approvals the counts link to (an admin sees Approvals)
  await page.locator('header').getByText('English', { exact: true }).click();
  await page.getByText('Issued today').waitFor();
  await page.getByRole('link', { name: 'Open approvals' }).first().click();

  // Assess
  await expect.poll(() => new URL(page.url()).pathname).toBe('/console/approvals');
});

test('the points report by day shows the chosen range, and its CSV holds exactly the table’s rows', async ({ page }) => {
  // Prepare: the last ten programme days
  const today = (await (await apiAs('analyst')).get<DashboardAnswer>('/v1/admin/dashboard')).body.today.day;
  const from = new Date(Date.parse(`${today}T00:00:00Z`) - 9 * 86_400_000).toISOString().slice(0, 10);
  await openConsole(page, { role: 'analyst', path: 'reports' });
  await page.getByRole('tab', { name: 'Points by day' }).waitFor();

  // Act: pick the range in the picker and show it
  const start = page.getByPlaceholder('Start date');
  await start.click();
  await start.fill(from);
  await start.press('Enter');
  const end = page.getByPlaceholder('End date');
  await end.fill(today);
  await end.press('Enter');
  await page.getByRole('button', { name: 'Show' }).click();

  // Assess: ten rows, the range's days in order
  const table = page.locator('.ant-table').first();
  await expect.poll(async () => table.locator('tbody tr[data-row-key]').count(), { timeout: 15_000 }).toBe(10);
  expect(await table.locator('tbody tr[data-row-key]').first().getAttribute('data-row-key')).toBe(from);
  expect(await table.locator('tbody tr[data-row-key]').last().getAttribute('data-row-key')).toBe(today);
  await expectChart(page, 'Points issued, redeemed and expired per day, with the liability at the end of each day');
  const shown = await tableOf(table);
  expect(shown.headers).toEqual([
    'Day',
    'Issued',
    'Redeemed',
    'Expired',
    'Clawed back',
    'Operator credits',
    'Operator debits',
    'Net change',
    'Outstanding points',
    'Liability (CNY)',
  ]);

  // Act: export
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).first().click()]);

  // Assess: a header row, then the table's rows, numbers as plain numbers equal in value to the cells
  expect(download.suggestedFilename()).toBe(`points-by-day-${from}-${today}.csv`);
  const [header, ...rows] = csvRows(await downloadedText(download));
  expect(header).toEqual(shown.headers);
  expect(rows).toHaveLength(shown.rows.length);
  rows.forEach((row, i) => {
    const cells = shown.rows[i] ?? [];
    expect(row[0]).toBe(cells[0]);
    for (let c = 1; c < row.length; c += 1) {
      expect(row[c], `row ${i} column ${shown.headers[c]}`).toMatch(/^-?\d+(\.\d{2})?$/);
      expect(Number(row[c])).toBe(numberOf(cells[c] ?? ''));
    }
  });
  expect(rows.some((row) => Number(row[1]) > 0), 'the demo purchases issued points in the range').toBe(true);
});

test('the campaign report lists the demo campaign with its times in the programme zone, by day, and exports it', async ({ page }) => {
  // Prepare: a purchase the demo campaign doubles (category B), by a fresh member, today
  const memberId = `m-dash-${randomUUID().slice(0, 8)}`;
  expect((await (await apiAs({ member: memberId })).post('/v1/me/register', {})).status).toBe(201);
  const purchase = await (await apiAs({ pos: 'store1' })).post('/v1/pos/purchases', {
    purchaseId: `p-dash-${randomUUID().slice(0, 8)}`,
    memberId,
    storeId: 'store1',
    paidAt: new Date().toISOString(),
    lines: [{ sku: 'sku-demo-jacket', category: 'B', amountCents: 20_000, quantity: 1 }],
  });
  expect(purchase.status).toBe(201);
  const today = (await (await apiAs('analyst')).get<DashboardAnswer>('/v1/admin/dashboard')).body.today.day;
  await openConsole(page, { role: 'marketer', path: 'reports' });

  // Act
  await page.getByRole('tab', { name: 'By campaign' }).click();

  // Assess: the demo campaign in the list, its days below (the first campaign is chosen until another is)
  const list = page.locator('.ant-table').first();
  const row = list.locator('tbody tr[data-row-key="c-demo-double-points"]');
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  const days = page.getByTestId('campaign-days');
  await days.getByText('Double points (demo) by day').waitFor();
  await expectChart(page, 'Points the campaign issued per day, and its new participants');
  expect(await days.locator('tbody tr[data-row-key]').count()).toBe(31);
  const todayCells = (await days.locator(`tbody tr[data-row-key="${today}"] td`).allInnerTexts()).map((c) => c.trim());
  // Day, new participants, points issued, purchases, sales: the purchase is in today's row.
  expect(numberOf(todayCells[1] ?? '')).toBeGreaterThanOrEqual(1);
  expect(numberOf(todayCells[2] ?? '')).toBeGreaterThan(0);
  expect(numberOf(todayCells[3] ?? '')).toBeGreaterThanOrEqual(1);
  expect(numberOf(todayCells[4] ?? '')).toBeGreaterThanOrEqual(200);
  const shown = await tableOf(list);
  const demo = shown.rows.find((cells) => cells.includes('Double points (demo)')) ?? [];
  // The first column is the radio to choose a campaign.
  const startsShown = demo[3] ?? '';
  expect(startsShown).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Asia\/Shanghai\)$/);

  // Act: export the list
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).first().click()]);

  // Assess: the header names the zone of the times; the demo campaign's row has the table's values
  const [header, ...rows] = csvRows(await downloadedText(download));
  expect(header).toEqual(['Campaign', 'State', 'Starts (Asia/Shanghai)', 'Ends (Asia/Shanghai)', ...shown.headers.slice(5)]);
  expect(rows).toHaveLength(shown.rows.length);
  const exported = rows.find((cells) => cells[0] === 'Double points (demo)') ?? [];
  expect(exported[1]).toBe('Running');
  expect(exported[2]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  expect(exported[2]?.slice(0, 16)).toBe(startsShown.slice(0, 16));
  expect(Number(exported[4])).toBe(1_000_000);
  for (let c = 5; c < exported.length; c += 1) expect(Number(exported[c]), header?.[c]).toBe(numberOf(demo[c + 1] ?? ''));
  expect(Number(exported[7]), 'points issued in the range').toBeGreaterThan(0);
});
