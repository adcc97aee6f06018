import { randomUUID } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { apiAs } from './support/api.js';
import { openConsole, test } from './support/browser.js';

const ZONE = 'Asia/Shanghai';

interface ProductView {
  readonly productId: string;
  readonly type: string;
  readonly zone: string;
  readonly pricePoints: number;
  readonly pointsCash: { points: number; cashCents: number } | null;
  readonly limits: { perDay: number | null; lifetime: number | null };
  readonly saleStartsAt: string | null;
  readonly saleEndsAt: string | null;
  readonly stockShards: number;
  readonly stock: { available: number; shards: { shard: number; available: number }[] };
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

/** Types a time into one of the dialog's date pickers, as an operator does (the picker takes it on Enter). */
async function enterTime(dialog: Locator, label: string, value: string): Promise<void> {
  const input = dialog.getByLabel(label, { exact: true });
  await input.fill(value);
  await input.press('Enter');
  await expect.poll(() => input.inputValue()).toBe(value);
}

async function dialogNamed(page: Page, title: string): Promise<Locator> {
  const dialog = page.getByRole('dialog', { name: title });
  await dialog.waitFor({ state: 'visible' });
  return dialog;
}

/** A registered member holding `points` (an operator's adjustment). */
async function memberWith(prefix: string, points: number) {
  const memberId = `${prefix}-${randomUUID().slice(0, 12)}`;
  const member = await apiAs({ member: memberId });
  expect((await member.post('/v1/me/register', {})).status).toBe(201);
  if (points > 0) {
    const adjusted = await (await apiAs('admin')).post(`/v1/admin/members/${memberId}/adjustments`, { points, reason: 'flash sale test points' });
    expect(adjusted.status).toBe(201);
  }
  return { memberId, api: member };
}

/** The number a monitor card or refusal cell shows. */
async function shown(locator: Locator): Promise<number> {
  const text = await locator.innerText().catch(() => '');
  const digits = text.replace(/[^\d]/g, '');
  return digits === '' ? Number.NaN : Number(digits);
}

test('a marketer creates a points+cash flash sale; members sell it out; the sale monitor shows the stock fall, the sold-out time and the refusals by reason', async ({ page, pageErrors }) => {
  pageErrors.allow(/status of 409/);
  // Prepare
  const run = randomUUID().slice(0, 8);
  const productId = `p-bt-flash-${run}`;
  const name = `Flash watch ${run}`;
  const now = new Date();

  // Act: the marketer creates the product in the dialog: 500 points or 200 points + 9.90 CNY, 1 per member, on sale
  // from 5 minutes ago for an hour, 3 units over 2 shards
  await openConsole(page, { role: 'marketer', path: 'products' });
  await page.getByRole('button', { name: 'New product' }).click();
  const dialog = await dialogNamed(page, 'New product');
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Product id (empty: generated)').fill(productId);
  await dialog.getByLabel('Zone', { exact: true }).fill(`bt-${run}`);
  await dialog.getByLabel('Price in points').fill('500');
  await dialog.getByRole('checkbox', { name: 'Also sold for points + cash' }).check();
  await dialog.getByLabel('Points part').fill('200');
  await dialog.getByLabel('Cash part (CNY)').fill('9.90');
  await dialog.getByLabel('Per member in all (empty: no limit)').fill('1');
  await enterTime(dialog, `Sale starts (${ZONE}; empty: now)`, programmeWallClock(new Date(now.getTime() - 5 * 60_000)));
  await enterTime(dialog, `Sale ends (${ZONE}; empty: never)`, programmeWallClock(new Date(now.getTime() + 60 * 60_000)));
  await dialog.getByLabel('Stock shards (more for flash sales)').fill('2');
  await dialog.getByLabel('Initial stock').fill('3');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // Assess: stored as asked
  const analyst = await apiAs('analyst');
  const created = await analyst.get<ProductView>(`/v1/admin/products/${productId}`);
  expect(created.status).toBe(200);
  expect(created.body).toMatchObject({ type: 'PHYSICAL', zone: `bt-${run}`, pricePoints: 500, pointsCash: { points: 200, cashCents: 990 }, limits: { lifetime: 1 }, stockShards: 2 });
  expect(created.body.stock.available).toBe(3);
  expect(Date.parse(String(created.body.saleStartsAt))).toBeLessThan(now.getTime());
  expect(Date.parse(String(created.body.saleEndsAt))).toBeGreaterThan(now.getTime());

  // Act: open it from the list, its shards, then its sale monitor
  await page.getByRole('link', { name: `Open ${name}` }).click();
  await page.getByRole('heading', { name }).waitFor();
  await expect.poll(() => page.getByTestId('stock-shards').locator('tbody tr').count(), { timeout: 30_000 }).toBe(2);
  await page.getByRole('tab', { name: 'Sale monitor' }).click();
  const stockLeft = page.getByTestId('monitor-stock-left').locator('.ant-statistic-content');
  await expect.poll(() => shown(stockLeft), { timeout: 30_000 }).toBe(3);
  await page.getByRole('img', { name: 'Orders and refusals per minute' }).waitFor();

  // Act: members order through the API: one buys, tries again (limit), a poor member is refused, two more sell it out
  const [first, second, third, late] = await Promise.all([memberWith('m-bt-fs', 1000), memberWith('m-bt-fs', 1000), memberWith('m-bt-fs', 1000), memberWith('m-bt-fs', 1000)]);
  const poor = await memberWith('m-bt-fs-poor', 50);
  const order = (member: { api: Awaited<ReturnType<typeof apiAs>> }) => member.api.post<{ status: string; code?: string }>('/v1/orders', { productId, payment: 'POINTS_CASH' });
  const placed = await order(first!);
  expect(placed.status).toBe(201);
  expect(placed.body.status).toBe('PENDING_PAYMENT');
  await expect.poll(() => shown(stockLeft), { timeout: 30_000 }).toBe(2);
  expect((await order(first!)).body.code).toBe('LIMIT_REACHED');
  expect((await order(poor)).body.code).toBe('INSUFFICIENT_POINTS');
  expect((await order(second!)).status).toBe(201);
  expect((await order(third!)).status).toBe(201);
  expect((await order(late!)).body.code).toBe('OUT_OF_STOCK');

  // Assess: the monitor shows the stock gone, the sold-out time and the refusals by reason. Refusals reach the table
  // when a function writes its counts (every few seconds, on its next redemption): the late member keeps trying.
  await expect.poll(() => shown(stockLeft), { timeout: 30_000 }).toBe(0);
  const refusal = (reason: string) => shown(page.getByTestId(`refusals-${reason}`));
  await expect
    .poll(
      async () => {
        expect((await order(late!)).body.code).toBe('OUT_OF_STOCK');
        return [await refusal('LIMIT_REACHED'), await refusal('INSUFFICIENT_POINTS'), (await refusal('OUT_OF_STOCK')) >= 1];
      },
      { timeout: 60_000, interval: 2_000 },
    )
    .toEqual([1, 1, true]);
  expect(await shown(page.getByTestId('monitor-orders'))).toBe(3);
  await expect.poll(() => page.getByTestId('monitor-sold-out-at').innerText(), { timeout: 30_000 }).toMatch(/\d{2}:\d{2}:\d{2}/);
  await page.getByText('Sold out', { exact: true }).first().waitFor();
});

test('the coupons screen lists templates with issued and redeemed counts; a marketer creates one and its issued count follows the orders', async ({ page, newContext }) => {
  // Prepare
  const run = randomUUID().slice(0, 8);
  const templateId = `ct-bt-${run}`;
  const name = `3 CNY off ${run}`;

  // Act: the marketer creates a no-threshold template in the dialog
  await openConsole(page, { role: 'marketer', path: 'coupons' });
  // The demo templates are listed with their discount
  await page.locator('tr[data-row-key="ct-coffee-10-off-50"]').getByText('CN¥10.00 off orders of CN¥50.00 or more').waitFor();
  await page.getByRole('button', { name: 'New template' }).click();
  const dialog = await dialogNamed(page, 'New coupon template');
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Template id (empty: generated)').fill(templateId);
  await dialog.getByText('Amount off, no threshold', { exact: true }).click();
  await dialog.getByLabel('Amount off (CNY)').fill('3');
  await dialog.getByLabel('Days', { exact: true }).fill('7');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const row = page.locator(`tr[data-row-key="${templateId}"]`);
  await row.getByText('CN¥3.00 off, no minimum').waitFor();
  await row.getByText('7 day(s) from issue').waitFor();
  expect(await row.getByTestId('coupon-issued').innerText()).toBe('0');

  // Act: a coupon product of that template, redeemed twice by a member
  const marketer = await apiAs('marketer');
  const productId = `p-bt-coupon-${run}`;
  const product = await marketer.post('/v1/admin/products', { productId, name: `Coupon ${run}`, type: 'COUPON', couponTemplateId: templateId, pricePoints: 10, initialStock: 5, zone: `bt-${run}` });
  expect(product.status).toBe(201);
  const buyer = await memberWith('m-bt-cp', 100);
  for (let i = 0; i < 2; i += 1) expect((await buyer.api.post('/v1/orders', { productId })).status).toBe(201);

  // Assess: the analyst's screen shows 2 issued, none redeemed
  const analystPage = await (await newContext()).newPage();
  await openConsole(analystPage, { role: 'analyst', path: 'coupons' });
  const analystRow = analystPage.locator(`tr[data-row-key="${templateId}"]`);
  await expect.poll(() => analystRow.getByTestId('coupon-issued').innerText().catch(() => ''), { timeout: 30_000 }).toBe('2');
  expect(await analystRow.getByTestId('coupon-used').innerText()).toBe('0');
  expect(await analystPage.getByRole('button', { name: 'New template' }).count()).toBe(0);
});

test('a marketer creates a virtual product and gives it stock by uploading its codes from a CSV file', async ({ page }) => {
  // Prepare: a CSV with a header, 3 codes, a repeat and a bad line
  const run = randomUUID().slice(0, 8);
  const productId = `p-bt-codes-${run}`;
  const name = `Top-up card ${run}`;
  const csv = ['code,value', `BT-${run}-0001,30`, `BT-${run}-0002,30`, `BT-${run}-0003,30`, `BT-${run}-0001,30`, 'bad,30'].join('\r\n');

  // Act: create it (virtual: no initial stock), open it, upload the file
  await openConsole(page, { role: 'marketer', path: 'products' });
  await page.getByRole('button', { name: 'New product' }).click();
  const dialog = await dialogNamed(page, 'New product');
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Product id (empty: generated)').fill(productId);
  await dialog.getByText('Virtual (codes)', { exact: true }).click();
  await dialog.getByText('Virtual goods get their stock by uploading codes.').waitFor();
  await dialog.getByLabel('Price in points').fill('300');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByRole('link', { name: `Open ${name}` }).click();
  await page.getByRole('heading', { name }).waitFor();
  await page.getByRole('button', { name: 'Upload codes (CSV)' }).click();
  const upload = await dialogNamed(page, `Upload codes for ${name}`);
  await upload.getByLabel('File').setInputFiles({ name: 'codes.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await upload.getByText('3 code(s) read from codes.csv').waitFor();
  await upload.getByText('2 line(s) skipped (a code is 6-64 letters, digits, _ or -)').waitFor();
  await upload.getByRole('button', { name: 'Upload' }).click();
  await upload.waitFor({ state: 'hidden' });

  // Assess: 3 units of stock, on the page and in the API; a member's order delivers one of the codes
  await expect.poll(() => page.getByTestId('stock-available').innerText(), { timeout: 30_000 }).toContain('3');
  const product = await (await apiAs('analyst')).get<ProductView>(`/v1/admin/products/${productId}`);
  expect(product.body).toMatchObject({ type: 'VIRTUAL', stock: { available: 3 } });
  const buyer = await memberWith('m-bt-code', 1000);
  const order = await buyer.api.post<{ status: string; code: string }>('/v1/orders', { productId });
  expect(order.status).toBe(201);
  expect(order.body.status).toBe('FULFILLED');
  expect([`BT-${run}-0001`, `BT-${run}-0002`, `BT-${run}-0003`]).toContain(order.body.code);
});

test('a marketer uploads stock levels from a CSV file: the unknown product is refused on its line, the others\' stock changes; an analyst has no upload', async ({ page, newContext }) => {
  // Prepare: two products of a zone of this run, 5 and 0 units
  const run = randomUUID().slice(0, 8);
  const zone = `bt-feed-${run}`;
  const mugId = `p-bt-feed-mug-${run}`;
  const capId = `p-bt-feed-cap-${run}`;
  const unknownId = `p-bt-feed-nowhere-${run}`;
  const marketer = await apiAs('marketer');
  for (const [productId, initialStock] of [[mugId, 5], [capId, 0]] as const) {
    const created = await marketer.post('/v1/admin/products', { productId, name: `Feed ${productId}`, type: 'PHYSICAL', pricePoints: 100, initialStock, zone });
    expect(created.status).toBe(201);
  }
  const csv = ['productId,mode,quantity', `${mugId},set,12`, `${capId},add,7`, '', `${unknownId},set,3`].join('\r\n');

  // Act: the marketer lists the zone's products and uploads the file
  await openConsole(page, { role: 'marketer', path: 'products' });
  const zoneFilter = page.getByLabel('Zone', { exact: true });
  await zoneFilter.fill(zone);
  await zoneFilter.press('Enter');
  const mugRow = page.locator(`tr[data-row-key="${mugId}"]`);
  await mugRow.getByText('5 left · 0 sold · 1 shard(s)').waitFor();
  await page.getByRole('button', { name: 'Upload stock levels' }).click();
  const dialog = await dialogNamed(page, 'Upload stock levels');
  await dialog.getByLabel('File').setInputFiles({ name: 'stock.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await dialog.getByText('3 line(s) read from stock.csv, ready to upload').waitFor();
  await dialog.getByRole('button', { name: 'Upload' }).click();

  // Assess: applied at once (a small feed), the unknown product refused on its line of the file (line 5: after the
  // header and a blank line), with the API's reason
  await dialog.getByText('2 line(s) applied, 1 refused').waitFor();
  const refused = dialog.getByTestId('feed-results-REFUSED').locator('tbody tr.ant-table-row');
  await expect.poll(() => refused.count()).toBe(1);
  const [line, product, change, problem] = await refused.locator('td').allInnerTexts();
  expect([line, product, change]).toEqual(['5', unknownId, 'set to 3']);
  expect(problem).toMatch(new RegExp(`^NOT_FOUND\\s*product ${unknownId} does not exist$`));
  await dialog.getByRole('tab', { name: 'Applied (2)' }).click();
  const appliedRows = dialog.getByTestId('feed-results-APPLIED').locator('tbody tr.ant-table-row');
  await expect.poll(() => appliedRows.count()).toBe(2);
  expect(await appliedRows.first().locator('td').allInnerTexts()).toEqual(['2', mugId, 'set to 12', '5', '12']);
  await dialog.getByRole('button', { name: 'Close' }).last().click();
  await dialog.waitFor({ state: 'hidden' });

  // Assess: the list shows the new stock, as the API has it
  await mugRow.getByText('12 left · 0 sold · 1 shard(s)').waitFor();
  await page.locator(`tr[data-row-key="${capId}"]`).getByText('7 left · 0 sold · 1 shard(s)').waitFor();
  const analyst = await apiAs('analyst');
  expect((await analyst.get<ProductView>(`/v1/admin/products/${mugId}`)).body.stock.available).toBe(12);
  expect((await analyst.get<ProductView>(`/v1/admin/products/${capId}`)).body.stock.available).toBe(7);
  expect((await analyst.get(`/v1/admin/products/${unknownId}`)).status).toBe(404);

  // Assess: the analyst reads the products without the upload
  const analystPage = await (await newContext()).newPage();
  await openConsole(analystPage, { role: 'analyst', path: 'products' });
  await analystPage.getByRole('heading', { name: 'Products' }).waitFor();
  await analystPage.locator('tbody tr.ant-table-row').first().waitFor();
  expect(await analystPage.getByRole('button', { name: 'Upload stock levels' }).count()).toBe(0);
});
