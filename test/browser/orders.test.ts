/**
 * The Orders screen in a real browser against the real stack (simulated JD and payment providers calling back):
 * an order fulfilled by JD shows its callbacks on its timeline; a delivered points+cash order is refunded once from
 * the console (a double submit refunds once), its points back on the member's ledger and its cash refund requested
 * and then settled by the simulated WeChat Pay; a marketer sees no refund action and the API refuses one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { sign } from '../../shared/webhooks/signature.js';
import { apiAs } from './support/api.js';
import { openConsole, test } from './support/browser.js';

/** The page answers through the API and lazy chunks, callbacks come every 200 ms: on a busy machine that takes a while. */
const POLL = { timeout: 30_000, interval: 200 };

interface Order {
  readonly orderId: string;
  readonly status: string;
}

const suffix = () => randomBytes(4).toString('hex');

/** A JD supplier product of this file alone, for points or points + ¥9.90. */
async function jdProduct(): Promise<string> {
  const productId = `p-ord-${suffix()}`;
  const created = await (await apiAs('marketer')).post('/v1/admin/products', {
    productId,
    name: `Earbuds ${productId}`,
    type: 'SUPPLIER',
    pricePoints: 300,
    pointsCash: { points: 120, cashCents: 990 },
    supplier: { supplierId: 'jd', sku: `1000${suffix()}` },
    initialStock: 20,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return productId;
}

/** A registered member of this file alone with 1,000 points. */
async function member(): Promise<string> {
  const memberId = `m-ord-${suffix()}`;
  expect((await (await apiAs({ member: memberId })).post('/v1/me/register', {})).status).toBeLessThan(300);
  const credited = await (await apiAs('support')).post(`/v1/admin/members/${memberId}/adjustments`, { points: 1000, reason: 'orders test' });
  expect(credited.status, JSON.stringify(credited.body)).toBe(201);
  return memberId;
}

async function place(memberId: string, productId: string, payment: 'POINTS' | 'POINTS_CASH'): Promise<string> {
  const placed = await (await apiAs({ member: memberId })).post<Order>('/v1/orders', { productId, payment });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  return placed.body.orderId;
}

async function status(orderId: string): Promise<string> {
  return (await (await apiAs('analyst')).get<Order>(`/v1/admin/orders/${orderId}`)).body.status;
}

/** WeChat Pay's signed payment result, as the provider would send it (the stack's dev key pair of the sender). */
async function payWithWechat(orderId: string, amountCents: number): Promise<void> {
  const key = readFileSync(join(inject('stackDataDir'), 'keys', 'webhooks', 'payments-wechatpay-private.pem'), 'utf8');
  const body = JSON.stringify({ paymentId: `wx-${suffix()}`, orderId, status: 'SUCCEEDED', amountCents });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomUUID();
  const res = await fetch(`${inject('stackBaseUrl')}/v1/webhooks/payments/wechatpay`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-nonce': nonce, 'x-signature': sign(key, timestamp, nonce, body) },
    body,
  });
  expect(res.status, await res.text()).toBe(202);
}

/** Filled by the refund test: a refunded order the marketer test looks at. */
let delivered: { memberId: string; orderId: string } | undefined;

test('an order fulfilled by the simulated JD shows its callbacks on its timeline, and the list finds it', async ({ page }) => {
  // Prepare
  const memberId = await member();
  const orderId = await place(memberId, await jdProduct(), 'POINTS');
  await expect.poll(() => status(orderId), POLL).toBe('DELIVERED');

  // Act: the list, filtered by the member
  await openConsole(page, { role: 'analyst', path: `orders?memberId=${memberId}` });
  const row = page.locator(`tr[data-row-key="${orderId}"]`);
  await row.waitFor();
  expect(await row.innerText()).toContain('Delivered');
  await row.getByRole('link', { name: `Open order ${orderId}` }).click();

  // Assess: the timeline has the three verified JD callbacks and the states they moved the order through
  await page.getByRole('heading', { name: orderId }).waitFor();
  const timeline = page.getByTestId('order-timeline');
  for (const callback of ['jd callback: ACCEPTED', 'jd callback: SHIPPED', 'jd callback: DELIVERED']) {
    await expect.poll(() => timeline.innerText(), POLL).toContain(callback);
  }
  expect(await timeline.innerText()).toContain('Submitted');
  const verified = page.getByTestId('order-callbacks').locator('tr[data-row-key]').filter({ hasText: 'verified' });
  await expect.poll(() => verified.count(), POLL).toBe(3);
  expect(await page.getByTestId('order-events').innerText()).toContain('OrderPlaced');
  // Links to the member's page.
  expect(await page.getByRole('link', { name: memberId }).getAttribute('href')).toBe(`/console/members/${memberId}`);
  // An analyst reads; it neither refunds nor cancels.
  expect(await page.getByRole('button', { name: 'Refund' }).count()).toBe(0);
});

test('a support operator refunds a delivered order once (a double submit refunds once): points back on the ledger, the cash refund requested then done', async ({
  page,
}) => {
  // Prepare: points + cash, paid through WeChat Pay, delivered by JD
  const memberId = await member();
  const orderId = await place(memberId, await jdProduct(), 'POINTS_CASH');
  await payWithWechat(orderId, 990);
  await expect.poll(() => status(orderId), POLL).toBe('DELIVERED');
  delivered = { memberId, orderId };
  const posted: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith(`/v1/admin/orders/${orderId}/refund`)) posted.push(request.headers()['idempotency-key'] ?? '');
  });
  await openConsole(page, { role: 'support', path: `orders/${orderId}` });
  await page.getByRole('heading', { name: orderId }).waitFor();

  // Act: a double click on the dialog's Refund button
  await page.getByRole('button', { name: 'Refund' }).click();
  const dialog = page.getByRole('dialog', { name: `Refund order ${orderId}` });
  expect(await dialog.innerText()).toContain('9.90');
  await dialog.getByLabel('Reason').fill('earbuds arrived broken');
  await dialog.getByRole('button', { name: 'Refund', exact: true }).dblclick();

  // Assess: refunded once, one key however many requests
  await expect.poll(() => page.getByTestId('order-status').innerText(), POLL).toBe('Refunded');
  expect(new Set(posted).size).toBe(1);
  const ledger = await (await apiAs('support')).get<{ items: { id: string; type: string; points: number; ref?: string }[] }>(
    `/v1/admin/members/${memberId}/ledger?limit=100`,
  );
  const refunds = ledger.body.items.filter((line) => line.type === 'REFUND' && line.ref === orderId);
  expect(refunds.map((line) => line.points)).toEqual([120]);
  const again = await (await apiAs('support')).post(`/v1/admin/orders/${orderId}/refund`, { reason: 'second try' });
  expect(again.status).toBe(409);

  // Assess: the cash refund is requested, then the simulated WeChat Pay's signed callback marks it done (the page polls)
  const timeline = page.getByTestId('order-timeline');
  await expect.poll(() => timeline.innerText(), POLL).toContain('Cash refund of CN¥9.90 requested');
  await expect.poll(() => timeline.innerText(), POLL).toContain('Cash refund of CN¥9.90 done');
  expect(await timeline.innerText()).toContain('wechatpay callback: SUCCEEDED');
  expect(await page.getByTestId('order-cash-refunds').innerText()).toContain('Done');

  // Act: the member's page, from the order's link
  await page.getByRole('link', { name: memberId }).click();

  // Assess: the ledger shows the points back, on the order
  const line = page.locator(`[data-testid="member-ledger"] tr[data-row-key="${refunds[0]?.id ?? ''}"]`);
  await line.waitFor();
  const text = await line.innerText();
  expect(text).toContain('+120');
  expect(text).toContain(orderId);
});

test('a marketer does not see the refund action, and the API refuses it (403)', async ({ page }) => {
  // Prepare: a delivered order not refunded
  const memberId = await member();
  const orderId = await place(memberId, await jdProduct(), 'POINTS');
  await expect.poll(() => status(orderId), POLL).toBe('DELIVERED');

  // Act
  await openConsole(page, { role: 'marketer', path: `orders/${orderId}` });

  // Assess
  await page.getByRole('heading', { name: orderId }).waitFor();
  await page.getByText('Read only: your role cannot cancel or refund orders.').waitFor();
  expect(await page.getByRole('button', { name: 'Refund' }).count()).toBe(0);
  const refused = await (await apiAs('marketer')).post(`/v1/admin/orders/${orderId}/refund`, { reason: 'not mine to do' });
  expect(refused.status).toBe(403);
  expect(await status(orderId)).toBe('DELIVERED');
  if (delivered) expect(await status(delivered.orderId)).toBe('REFUNDED');
});
