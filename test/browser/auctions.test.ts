import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { apiAs } from './support/api.js';
import { openConsole, test } from './support/browser.js';

interface AuctionAdmin {
  readonly auctionId: string;
  readonly status: string;
  readonly phase: string;
  readonly price: number;
  readonly leaderId: string | null;
  readonly leaderHold: number;
}

interface Points {
  readonly available: number;
  readonly held: number;
}

/** A registered member credited `points` by an admin's adjustment. */
async function bidder(run: string, name: string, points: number): Promise<string> {
  const memberId = `m-bid-${name}-${run}`;
  expect((await (await apiAs({ member: memberId })).post('/v1/me/register', {})).status).toBe(201);
  const credit = await (await apiAs('admin')).post(`/v1/admin/members/${memberId}/adjustments`, { points, reason: 'auction test credit' });
  expect(credit.status).toBe(201);
  return memberId;
}

async function bid(memberId: string, auctionId: string, body: { amount: number; maxAmount?: number }): Promise<{ outcome: string }> {
  const res = await (await apiAs({ member: memberId })).post<{ outcome: string }>(`/v1/auctions/${auctionId}/bids`, body);
  expect(res.status).toBe(201);
  return res.body;
}

async function points(memberId: string): Promise<Points> {
  const res = await (await apiAs({ member: memberId })).get<Points>('/v1/me/points');
  expect(res.status).toBe(200);
  return { available: res.body.available, held: res.body.held };
}

test("a marketer watches an open auction's bids arrive and cancels it: every bidder's hold is released", async ({ page }) => {
  // Prepare: an open auction and three members with 1,000 points each, bidding through the API
  const run = randomUUID().slice(0, 8);
  const marketer = await apiAs('marketer');
  const created = await marketer.post<AuctionAdmin>('/v1/admin/auctions', {
    auctionId: `a-cancel-${run}`,
    productId: 'p-tea-set',
    title: `Tea set ${run}`,
    startsAt: new Date(Date.now() - 1000).toISOString(),
    endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    startingPrice: 100,
    minIncrement: 10,
  });
  expect(created.status).toBe(201);
  const auctionId = created.body.auctionId;
  const [ann, bob, cat] = [await bidder(run, 'ann', 1000), await bidder(run, 'bob', 1000), await bidder(run, 'cat', 1000)];
  expect((await bid(ann, auctionId, { amount: 100, maxAmount: 150 })).outcome).toBe('LEADING');
  expect((await bid(bob, auctionId, { amount: 200 })).outcome).toBe('LEADING');
  expect((await bid(cat, auctionId, { amount: 300, maxAmount: 400 })).outcome).toBe('LEADING');
  expect(await points(cat)).toEqual({ available: 600, held: 400 });

  // Act 1: the auction's page shows the price, the leader and the three bids
  await openConsole(page, { role: 'marketer', path: `auctions/${auctionId}` });
  await expect.poll(() => page.getByTestId('auction-leader').innerText(), { timeout: 20_000 }).toContain(cat);
  expect(await page.getByTestId('auction-price').innerText()).toContain('300');
  const rows = page.locator('tr[data-row-key]', { has: page.locator(`a[href$="/members/${ann}"], a[href$="/members/${bob}"], a[href$="/members/${cat}"]`) });
  await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(3);

  // Act 2: a new bid through the API shows without a reload (the page polls)
  expect((await bid(ann, auctionId, { amount: 450, maxAmount: 500 })).outcome).toBe('LEADING');
  await expect.poll(() => page.getByTestId('auction-leader').innerText(), { timeout: 20_000 }).toContain(ann);
  await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(4);
  expect(await points(ann)).toEqual({ available: 500, held: 500 });
  expect(await points(cat)).toEqual({ available: 1000, held: 0 });

  // Act 3: cancel it in the console
  await page.getByRole('button', { name: 'Cancel auction' }).click();
  const dialog = page.getByRole('dialog', { name: `Cancel Tea set ${run}` });
  await dialog.getByLabel('Reason (kept in the audit trail)').fill('the lot was damaged in the warehouse');
  await dialog.getByRole('button', { name: 'Cancel the auction' }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 20_000 });
  await expect.poll(() => page.getByTestId('auction-phase').first().innerText(), { timeout: 20_000 }).toBe('Cancelled');
  await page.getByTestId('auction-cancelled').getByText('the lot was damaged in the warehouse').waitFor();

  // Assess: cancelled, nothing held from anybody, every bidder back to 1,000 available
  const after = await marketer.get<AuctionAdmin>(`/v1/admin/auctions/${auctionId}`);
  expect(after.body).toMatchObject({ status: 'CANCELLED', phase: 'CANCELLED', leaderHold: 0 });
  for (const memberId of [ann, bob, cat]) expect(await points(memberId)).toEqual({ available: 1000, held: 0 });
  expect(await page.getByRole('button', { name: 'Cancel auction' }).count()).toBe(0);
});

test('a marketer creates an auction in the console and edits it before it opens', async ({ page }) => {
  const run = randomUUID().slice(0, 8);
  await openConsole(page, { role: 'marketer', path: 'auctions' });
  await page.getByRole('button', { name: 'New auction' }).click();
  const dialog = page.getByRole('dialog', { name: 'New auction' });
  await dialog.getByLabel('Title', { exact: true }).fill(`Headphones ${run}`);
  await dialog.getByLabel('Product (PHYSICAL or SUPPLIER, the lot)').fill('p-headphones');
  await dialog.getByLabel('Auction id (optional)').fill(`a-new-${run}`);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 20_000 });
  await page.waitForURL(`**/console/auctions/a-new-${run}`);
  await expect.poll(() => page.getByTestId('auction-phase').first().innerText(), { timeout: 20_000 }).toBe('Upcoming');

  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const edit = page.getByRole('dialog', { name: `Edit Headphones ${run}` });
  await edit.getByLabel('Starting price (points)').fill('250');
  await edit.getByRole('button', { name: 'Save' }).click();
  await edit.waitFor({ state: 'hidden', timeout: 20_000 });
  const saved = await (await apiAs('analyst')).get<{ startingPrice: number; version: number }>(`/v1/admin/auctions/a-new-${run}`);
  expect(saved.body).toMatchObject({ startingPrice: 250, version: 1 });
});
