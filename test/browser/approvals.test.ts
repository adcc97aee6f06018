/**
 * Maker-checker in a real browser against the real stack: an adjustment above the approval threshold waits for a
 * second operator; the requester cannot decide it; another operator approves it in the Approvals screen and it is
 * applied once. An analyst sees no write action, and the API refuses one.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { apiAs } from './support/api.js';
import { consolePage, openConsole, test } from './support/browser.js';

/** The page answers through the API and lazy chunks: on a busy machine that takes longer than expect.poll's default 1 s. */
const POLL = { timeout: 15_000, interval: 100 };

interface Settings {
  readonly version: number;
  readonly approvalThresholdPoints: number;
  readonly supportMaxPointsPerAdjustment: number;
  readonly supportMaxPointsPerDay: number;
}

interface Approval {
  readonly approvalId: string;
  readonly status: string;
  readonly memberId: string;
  readonly points: number;
  readonly requestedBy: string;
  readonly decidedBy?: string;
  readonly entryId?: string;
}

/** Low enough for a support operator's adjustment (10,000 at most at once by default) to be above it. */
const THRESHOLD = 1_000;
let original: Settings | undefined;

async function settings(): Promise<Settings> {
  const res = await (await apiAs('admin')).get<Settings>('/v1/admin/settings');
  expect(res.status).toBe(200);
  return res.body;
}

async function saveSettings(values: Omit<Settings, 'version'>): Promise<void> {
  const current = await settings();
  const res = await (await apiAs('admin')).put('/v1/admin/settings', { ...values, expectedVersion: current.version });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

// The threshold is the programme's: lowered through the API as an admin for this file, put back after it.
beforeAll(async () => {
  original = await settings();
  await saveSettings({
    approvalThresholdPoints: THRESHOLD,
    supportMaxPointsPerAdjustment: original.supportMaxPointsPerAdjustment,
    supportMaxPointsPerDay: original.supportMaxPointsPerDay,
  });
});

afterAll(async () => {
  if (!original) return;
  await saveSettings({
    approvalThresholdPoints: original.approvalThresholdPoints,
    supportMaxPointsPerAdjustment: original.supportMaxPointsPerAdjustment,
    supportMaxPointsPerDay: original.supportMaxPointsPerDay,
  });
});

async function newMember(prefix: string): Promise<string> {
  const memberId = `${prefix}-${randomBytes(4).toString('hex')}`;
  const registered = await (await apiAs({ member: memberId })).post('/v1/me/register', {});
  expect(registered.status, JSON.stringify(registered.body)).toBeLessThan(300);
  return memberId;
}

async function available(memberId: string): Promise<number> {
  return (await (await apiAs('admin')).get<{ points: { available: number } }>(`/v1/admin/members/${memberId}`)).body.points.available;
}

async function adjustEntries(memberId: string): Promise<{ id: string; points: number; ref?: string }[]> {
  const res = await (await apiAs('admin')).get<{ items: { id: string; type: string; points: number; ref?: string }[] }>(`/v1/admin/members/${memberId}/ledger?limit=100`);
  return res.body.items.filter((line) => line.type === 'ADJUST');
}

async function pendingFor(memberId: string): Promise<Approval[]> {
  const res = await (await apiAs('admin')).get<{ items: Approval[] }>('/v1/admin/approvals?status=PENDING&limit=100');
  return res.body.items.filter((approval) => approval.memberId === memberId);
}

test('an adjustment above the threshold waits for a second operator and is applied once on approval', async ({ page, newContext, pageErrors }) => {
  // Prepare
  const memberId = await newMember('ap-maker');
  await openConsole(page, { role: 'support', path: `members/${memberId}` });
  await page.getByRole('heading', { name: memberId }).waitFor();

  // Act: the support operator asks for more than the threshold
  await page.getByRole('button', { name: 'Adjust points' }).click();
  const dialog = page.getByRole('dialog', { name: /Adjust points of/ });
  await dialog.getByText('Above 1,000 points a second operator must approve the adjustment.').waitFor();
  await dialog.getByLabel('Points').fill('2500');
  await dialog.getByLabel('Reason').fill('migration from the old card programme');
  await dialog.getByRole('button', { name: 'Adjust', exact: true }).click();

  // Assess: a notice that it waits, nothing applied
  const notice = page.getByTestId('adjustment-pending');
  await notice.waitFor();
  expect(await notice.innerText()).toContain('+2,500 points');
  const [request] = await pendingFor(memberId);
  expect(request).toMatchObject({ status: 'PENDING', points: 2500, requestedBy: 'op-support' });
  const approvalId = request?.approvalId ?? '';
  expect(await notice.innerText()).toContain(approvalId);
  expect(await available(memberId)).toBe(0);

  // Act: the requester follows the notice to Approvals and tries to approve their own request
  await notice.getByRole('link', { name: 'Open Approvals' }).click();
  const own = page.locator(`tr[data-row-key="${approvalId}"]`);
  await own.waitFor();
  expect(await own.innerText()).toContain('Your request: another operator must decide');
  pageErrors.allow(/status of 403/);
  await own.getByRole('button', { name: 'Approve' }).click();
  const decision = page.getByRole('dialog', { name: `Approve the adjustment ${approvalId}` });
  await decision.getByText('You requested this adjustment').waitFor();
  await decision.getByLabel('Reason').fill('I checked it myself');
  await decision.getByRole('button', { name: 'Approve', exact: true }).click();

  // Assess: the API's refusal is shown; still pending, nothing applied
  const refusal = decision.getByTestId('decision-refusal');
  await refusal.waitFor();
  expect(await refusal.innerText()).toContain('another operator must approve or reject it');
  expect((await pendingFor(memberId)).map((a) => a.approvalId)).toEqual([approvalId]);
  expect(await available(memberId)).toBe(0);

  // Act: an administrator approves it in the Approvals screen
  const admin = await (await newContext()).newPage();
  await openConsole(admin, { role: 'admin', path: 'approvals' });
  const row = admin.locator(`tr[data-row-key="${approvalId}"]`);
  await row.waitFor();
  expect(await row.innerText()).not.toContain('Your request');
  await row.getByRole('button', { name: 'Approve' }).click();
  const adminDecision = admin.getByRole('dialog', { name: `Approve the adjustment ${approvalId}` });
  await adminDecision.getByLabel('Reason').fill('checked against the migration file');
  await adminDecision.getByRole('button', { name: 'Approve', exact: true }).dblclick();

  // Assess: approved once, by the admin; the balance rose once, by one ledger entry
  await admin.getByText('Approved.').first().waitFor();
  await row.waitFor({ state: 'detached' });
  const approved = (await (await apiAs('admin')).get<Approval>(`/v1/admin/approvals/${approvalId}`)).body;
  expect(approved).toMatchObject({ status: 'APPROVED', decidedBy: 'op-admin' });
  expect(await available(memberId)).toBe(2500);
  const entries = await adjustEntries(memberId);
  expect(entries).toEqual([expect.objectContaining({ id: approved.entryId, points: 2500, ref: `approval:${approvalId}` })]);

  // Act: approving again (another key) answers the request as it is
  const again = await (await apiAs('admin')).post<Approval>(`/v1/admin/approvals/${approvalId}/approve`, { reason: 'a second click elsewhere' });

  // Assess: still applied once
  expect(again.status).toBe(200);
  expect(again.body.status).toBe('APPROVED');
  expect(await available(memberId)).toBe(2500);
  expect(await adjustEntries(memberId)).toHaveLength(1);

  // Assess: the decided list shows it, and the member page the balance and the one entry
  await admin.getByText('Approved', { exact: true }).click();
  const decided = admin.locator(`tr[data-row-key="${approvalId}"]`);
  await decided.waitFor();
  expect(await decided.innerText()).toContain('op-admin');
  await admin.goto(consolePage(`members/${memberId}`));
  await expect.poll(() => admin.getByTestId('available-points').innerText(), POLL).toBe('2,500');
  await expect.poll(() => admin.locator('[data-testid="member-ledger"] tr[data-row-key]').count(), POLL).toBe(1);

  // Assess: the audit log lists the request by the support operator and the approval by the admin
  await admin.goto(consolePage(`audit?target=${encodeURIComponent(`member:${memberId}`)}`));
  const records = admin.locator('tr[data-row-key]');
  await expect.poll(() => records.count(), POLL).toBe(2);
  const [approval, requestRecord] = await records.allInnerTexts();
  expect(approval).toContain('op-admin');
  expect(approval).toContain('POST /v1/admin/approvals/{approvalId}/approve');
  expect(requestRecord).toContain('op-support');
  expect(requestRecord).toContain('POST /v1/admin/members/{memberId}/adjustments');
});

test('an analyst sees no write action on a member page or in Approvals, and the API refuses one', async ({ page, pageErrors }) => {
  // Prepare: a request waiting (an admin asks above the threshold)
  const memberId = await newMember('ap-analyst');
  const asked = await (await apiAs('admin')).post<Approval>(`/v1/admin/members/${memberId}/adjustments`, { points: 5000, reason: 'waits while the analyst looks' });
  expect(asked.status).toBe(202);
  const approvalId = asked.body.approvalId;

  try {
    // Act: the member page
    await openConsole(page, { role: 'analyst', path: `members/${memberId}` });
    await page.getByRole('heading', { name: memberId }).waitFor();
    await page.getByTestId('available-points').waitFor();

    // Assess
    await page.getByText('Read only: your role cannot change members.').waitFor();
    expect(await page.getByRole('button', { name: 'Adjust points' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Change tier' }).count()).toBe(0);

    // Act: Approvals
    await page.goto(consolePage('approvals'));
    const row = page.locator(`tr[data-row-key="${approvalId}"]`);
    await row.waitFor();

    // Assess: the request is listed, with no decision and no settings to save
    expect(await row.getByRole('button').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Reject' }).count()).toBe(0);
    await page.getByTestId('operator-settings').getByText('Only an administrator changes these.').waitFor();
    expect(await page.getByRole('button', { name: 'Save settings' }).count()).toBe(0);

    // Act: the analyst's token tried on the write routes directly
    pageErrors.allow(/status of 403/);
    const analyst = await apiAs('analyst');
    const adjust = await analyst.post<{ code: string; requiredRoles: string[] }>(`/v1/admin/members/${memberId}/adjustments`, { points: 10, reason: 'analysts read only' });
    const approve = await analyst.post<{ code: string; requiredRoles: string[] }>(`/v1/admin/approvals/${approvalId}/approve`, { reason: 'analysts read only' });

    // Assess
    expect(adjust.status).toBe(403);
    expect(adjust.body).toMatchObject({ code: 'FORBIDDEN', requiredRoles: ['admin', 'support'] });
    expect(approve.status).toBe(403);
    expect((await pendingFor(memberId)).map((a) => a.approvalId)).toEqual([approvalId]);
    expect(await available(memberId)).toBe(0);
  } finally {
    // Leave no request waiting for the other files' dashboards.
    await (await apiAs('support')).post(`/v1/admin/approvals/${approvalId}/reject`, { reason: 'test request, not needed' });
  }
});

test('a purchase held for review is approved with a reason in Approvals and its points become available', async ({ page }) => {
  // Prepare: a POS purchase above the review threshold (50,000 CNY by default) for a member of this file
  const memberId = await newMember('ap-review');
  const purchaseId = `p-${memberId}`;
  const recorded = await (await apiAs({ pos: 'store1' })).post<{ status: string; pointsPending: number }>('/v1/pos/purchases', {
    purchaseId,
    memberId,
    storeId: 'store1',
    paidAt: new Date(Date.now() - 60_000).toISOString(),
    lines: [{ sku: 'sku-review-test', category: 'A', amountCents: 6_000_000, quantity: 1 }],
  });
  expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
  expect(recorded.body.status).toBe('PENDING_REVIEW');
  const held = recorded.body.pointsPending;
  expect(held).toBeGreaterThan(0);
  await openConsole(page, { role: 'support', path: 'approvals?tab=purchases' });

  // Act
  const row = page.locator(`tr[data-row-key="${purchaseId}"]`);
  await row.waitFor();
  expect(await row.innerText()).toContain('CN¥60,000.00');
  await row.getByRole('button', { name: 'Approve' }).click();
  const dialog = page.getByRole('dialog', { name: `Approve the purchase ${purchaseId}` });
  await dialog.getByLabel('Reason').fill('receipt checked with the store');
  await dialog.getByRole('button', { name: 'Approve', exact: true }).click();

  // Assess: decided once by the support operator, the points available
  await page.getByText('Approved.').first().waitFor();
  await expect.poll(() => available(memberId), POLL).toBe(held);
  const reviews = (await (await apiAs('admin')).get<{ items: { purchaseId: string; reviewStatus: string }[] }>('/v1/admin/purchase-reviews?limit=100')).body.items;
  expect(reviews.filter((r) => r.purchaseId === purchaseId && r.reviewStatus === 'PENDING')).toEqual([]);
});
