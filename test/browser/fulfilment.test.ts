/**
 * Dead letters in a real browser against the real stack: with the simulated JD supplier in an outage, a member's
 * order of JD goods fails its submission through every retry and lands in the dead letters; the outage is lifted, a
 * support operator finds it on the Fulfilment screen (its error and payload), redrives it, and the order is submitted
 * and delivered (its status read through the API).
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { apiAs } from './support/api.js';
import { openConsole, test } from './support/browser.js';

/** The order's way through the bus and the simulated supplier's callbacks takes seconds on a busy machine. */
const POLL = { timeout: 60_000, interval: 250 };

interface DeadLetter {
  readonly deadLetterId: string;
  readonly status: string;
  readonly orderId: string | null;
  readonly target: string;
  readonly error: string;
}

const suffix = () => randomBytes(4).toString('hex');

async function jdOrder(): Promise<{ orderId: string; memberId: string }> {
  const admin = await apiAs('admin');
  const productId = `p-bt-jd-${suffix()}`;
  const created = await admin.post('/v1/admin/products', {
    productId,
    name: 'Bluetooth speaker (shipped by JD)',
    type: 'SUPPLIER',
    supplier: { supplierId: 'jd', sku: `JD-BT-${suffix()}` },
    pricePoints: 300,
    stockShards: 1,
    initialStock: 5,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const memberId = `ful-${suffix()}`;
  const member = await apiAs({ member: memberId });
  expect((await member.post('/v1/me/register', {})).status).toBe(201);
  expect((await admin.post(`/v1/admin/members/${memberId}/adjustments`, { points: 1000, reason: 'browser test credit' })).status).toBeLessThan(300);
  const placed = await member.post<{ orderId: string; status: string }>('/v1/orders', { productId });
  expect(placed.status, JSON.stringify(placed.body)).toBe(201);
  expect(placed.body.status).toBe('PLACED');
  return { orderId: placed.body.orderId, memberId };
}

async function deadLettersOf(orderId: string): Promise<DeadLetter[]> {
  const res = await (await apiAs('analyst')).get<{ items: DeadLetter[] }>('/v1/admin/dead-letters?status=OPEN&source=fulfilment&limit=100');
  return res.body.items.filter((letter) => letter.orderId === orderId);
}

async function orderStatus(orderId: string): Promise<string> {
  return (await (await apiAs('analyst')).get<{ status: string }>(`/v1/admin/orders/${orderId}`)).body.status;
}

test('a JD order that failed in an outage lands in the dead letters, is redriven from the console and completes', async ({ page }) => {
  const local = await apiAs('admin');
  // Prepare: JD is down
  expect((await local.post('/local/suppliers/jd/outage')).status).toBe(200);
  let outage = true;
  try {
    // Act: a member orders JD goods
    const { orderId } = await jdOrder();

    // Assess: after the adapter's and the bus's retries, the submission is a dead letter; the order waits, PLACED
    await expect.poll(async () => (await deadLettersOf(orderId)).length, POLL).toBe(1);
    const [letter] = await deadLettersOf(orderId);
    expect(letter).toMatchObject({ status: 'OPEN', target: 'supplier-jd-placed' });
    expect(letter?.error).toContain('unavailable');
    expect(await orderStatus(orderId)).toBe('PLACED');

    // Act: JD is back; a support operator opens the dead letters
    expect((await local.delete('/local/suppliers/jd/outage')).status).toBe(200);
    outage = false;
    await openConsole(page, { role: 'support', path: 'fulfilment?tab=dead-letters' });
    const row = page.locator(`tr[data-row-key="${letter?.deadLetterId ?? ''}"]`);
    await row.waitFor();

    // Assess: its error, its order, and (expanded) its payload
    expect(await row.getByTestId('dead-letter-error').innerText()).toContain('unavailable');
    expect(await row.getByTestId('order-link').innerText()).toBe(orderId);
    await row.getByRole('button', { name: 'Expand row' }).click();
    await expect.poll(async () => page.getByTestId('dead-letter-payload').first().innerText(), POLL).toContain(orderId);

    // Act: redrive it
    await row.getByRole('button', { name: 'Redrive' }).click();
    const dialog = page.getByRole('dialog', { name: `Redrive dead letter ${letter?.deadLetterId ?? ''}` });
    await dialog.getByLabel('Reason (optional)').fill('JD is back after the outage');
    await dialog.getByRole('button', { name: 'Redrive', exact: true }).click();

    // Assess: it leaves the open list, is REDRIVEN, and the order goes through JD to DELIVERED
    await row.waitFor({ state: 'detached', timeout: POLL.timeout });
    const redriven = await (await apiAs('analyst')).get<DeadLetter & { redrivenBy: string }>(`/v1/admin/dead-letters/${letter?.deadLetterId ?? ''}`);
    expect(redriven.body).toMatchObject({ status: 'REDRIVEN', redrivenBy: 'op-support' });
    await expect.poll(() => orderStatus(orderId), POLL).toBe('DELIVERED');
    expect(await deadLettersOf(orderId)).toEqual([]);
  } finally {
    if (outage) await local.delete('/local/suppliers/jd/outage');
  }
});
