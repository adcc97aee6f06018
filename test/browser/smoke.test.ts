import { expect } from 'vitest';
import { consolePage, DEMO_OPERATORS, demoOperatorChoice, openConsole, stackUrl, test } from './support/browser.js';
import { apiAs } from './support/api.js';

test('the page opens the API health and the OpenAPI document of the started stack', async ({ page }) => {
  // Act
  const health = await page.goto(stackUrl('/v1/health'));
  const healthText = await page.locator('body').innerText();
  const openapi = await page.goto(stackUrl('/v1/openapi.json'));
  const document = (await openapi?.json()) as { openapi?: string; paths?: Record<string, unknown> };

  // Assess
  expect(health?.status()).toBe(200);
  expect(JSON.parse(healthText)).toMatchObject({ status: 'ok' });
  expect(openapi?.status()).toBe(200);
  expect(document.openapi).toMatch(/^3\./);
  expect(Object.keys(document.paths ?? {})).toContain('/v1/health');
});

test('the test API helpers call the stack as an operator and as a member', async () => {
  // Act
  const analyst = await apiAs('analyst');
  const gold = await apiAs({ member: 'm-gold' });
  const rules = await analyst.get('/v1/admin/earning-rules');
  const refused = await analyst.post('/v1/admin/members/m-gold/adjustments', { points: 1, reason: 'analysts read only' });
  const points = await gold.get<{ available: number }>('/v1/me/points');

  // Assess
  expect(rules.status).toBe(200);
  expect(refused.status).toBe(403);
  expect(points.status).toBe(200);
  expect(points.body.available).toBeGreaterThan(0);
});

test('a page that logs an error or throws is caught by the error watch of every context the test opens', async ({ page, newContext, pageErrors }) => {
  // Prepare
  const other = await (await newContext({ locale: 'zh-CN' })).newPage();

  // Act
  await page.setContent('<script>console.error("logged on purpose")</script>');
  await other.setContent('<script>setTimeout(() => { throw new Error("thrown on purpose") })</script>');
  await other.waitForTimeout(100);

  // Assess
  expect(pageErrors.errors).toEqual([
    expect.stringContaining('console error on about:blank: logged on purpose'),
    expect.stringContaining('uncaught exception on about:blank: Error: thrown on purpose'),
  ]);
  expect(await other.evaluate('navigator.language')).toBe('zh-CN');
  pageErrors.allow(/on purpose/);
});

// Needs the operator console (served by `npm start` at /console/): fails until the console lands.
test('the console sign-in page offers the four demo operators', async ({ page }) => {
  // Act
  const response = await page.goto(consolePage(), { timeout: 60_000 });

  // Assess
  expect(response?.status(), 'GET /console/ (is the console served by npm start?)').toBe(200);
  for (const operatorId of Object.values(DEMO_OPERATORS)) {
    await demoOperatorChoice(page, operatorId).waitFor({ state: 'visible', timeout: 30_000 });
  }
});

// Needs the operator console: what every screen test starts with (support/browser.ts openConsole).
test('an operator signs in on the sign-in page and stays signed in across a reload', async ({ page }) => {
  // Act
  await openConsole(page, { role: 'admin' });
  await page.reload();

  // Assess
  await page.waitForLoadState('networkidle');
  expect(new URL(page.url()).pathname).toMatch(/^\/console\//);
  expect(await demoOperatorChoice(page, DEMO_OPERATORS.admin).isVisible()).toBe(false);
});
