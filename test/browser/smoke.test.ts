import { expect } from 'vitest';
import { consolePage, DEMO_OPERATORS, demoOperatorChoice, stackUrl, test } from './support/browser.js';
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
