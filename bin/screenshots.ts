/**
 * `npm run screenshots`: starts the local stack as the browser tests do
 * (`npm start -- --in-memory` on a free port, demo data), signs in on the
 * console as op-admin and saves a PNG of each main screen into docs/images/
 * at 1440x900. Exits non-zero if a page logs an error, throws, shows an error
 * or gets an error answer from the API (the PNGs are still written, to see it).
 *
 *   npm run screenshots
 *   CHROMIUM_PATH=/usr/bin/chromium npm run screenshots
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './local/chromium.js';
import { consoleUrl, DEMO_OPERATORS, demoOperatorChoice, signInAsDemoOperator, watchPageErrors } from './local/console-pages.js';
import { repositoryHasConsole, startLocalStack, type LocalStack } from './local/stack-process.js';

/** The screens, in the order docs/console.md shows them: the file name (without .png) and the route under /console/. */
const SCREENS: readonly { readonly name: string; readonly path: string; readonly locales: readonly Locale[] }[] = [
  { name: 'dashboard', path: '', locales: ['en', 'zh-CN'] },
  { name: 'members', path: 'members', locales: ['en'] },
  { name: 'member', path: 'members/m-gold', locales: ['en'] },
  { name: 'earning-rules', path: 'rules', locales: ['en'] },
  { name: 'campaigns', path: 'campaigns', locales: ['en'] },
  { name: 'campaign', path: 'campaigns/c-demo-double-points', locales: ['en'] },
  { name: 'reports', path: 'reports', locales: ['en'] },
  { name: 'approvals', path: 'approvals', locales: ['en'] },
  { name: 'audit-log', path: 'audit', locales: ['en'] },
  { name: 'auctions', path: 'auctions', locales: ['en'] },
  { name: 'auction', path: 'auctions/a-demo-headphones', locales: ['en'] },
  { name: 'draws', path: 'draws', locales: ['en'] },
  { name: 'draw', path: 'draws/d-demo-wheel', locales: ['en', 'zh-CN'] },
  { name: 'orders', path: 'orders', locales: ['en'] },
  { name: 'fulfilment', path: 'fulfilment', locales: ['en'] },
  { name: 'products', path: 'products', locales: ['en'] },
  { name: 'sale-monitor', path: 'products/p-flash-watch?tab=monitor', locales: ['en'] },
  { name: 'coupons', path: 'coupons', locales: ['en'] },
];
type Locale = 'en' | 'zh-CN';
const OPERATOR = DEMO_OPERATORS.admin;
const VIEWPORT = { width: 1440, height: 900 };

/** What shows a failure on a page: antd results and alerts for errors, error messages and notifications. */
const ERROR_UI = [
  '.ant-result-error',
  '.ant-result-403',
  '.ant-result-404',
  '.ant-result-500',
  '.ant-alert-error',
  '.ant-message-error',
  '.ant-notification-notice-error',
  '[data-page-error]',
].join(', ');
/** Loading indicators that must be gone before a screenshot. */
const LOADING = '.ant-spin-spinning, .ant-skeleton-active';
/** ECharts animates a chart in over about a second. */
const CHART_ANIMATION_MS = 1_200;

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const outDir = join(root, 'docs', 'images');

function fileName(name: string, locale: Locale): string {
  return `console-${name}${locale === 'en' ? '' : `.${locale}`}.png`;
}

/** Chinese labels need a CJK font on this machine, or the zh-CN screenshots show empty boxes. */
function cjkFontMissing(): string | undefined {
  try {
    const fonts = execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' });
    return fonts.trim() === '' ? 'no font with Chinese glyphs is installed (e.g. apt-get install fonts-noto-cjk)' : undefined;
  } catch {
    return undefined; // no fontconfig tools to ask: the screenshot will tell
  }
}

async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle', { timeout: 30_000 });
  await page.waitForFunction(`!document.querySelector(${JSON.stringify(LOADING)})`, undefined, { timeout: 30_000 });
  await page.waitForTimeout(CHART_ANIMATION_MS);
}

async function shootLocale(browser: Browser, stack: LocalStack, locale: Locale, failures: string[]): Promise<void> {
  const screens = SCREENS.filter((s) => s.locales.includes(locale));
  if (screens.length === 0) return;
  const context = await browser.newContext({ viewport: VIEWPORT, locale, deviceScaleFactor: 1 });
  try {
    const page = await context.newPage();
    const watch = watchPageErrors(page);
    const apiErrors: string[] = [];
    page.on('response', (res) => {
      if (res.url().startsWith(`${stack.baseUrl}/v1/`) && res.status() >= 400) apiErrors.push(`${res.request().method()} ${res.url()} answered ${res.status()}`);
    });
    await signInAsDemoOperator(page, stack.baseUrl, OPERATOR, { path: screens[0]?.path ?? '', timeoutMs: 60_000 });
    for (const screen of screens) {
      const reported = watch.errors.length;
      const answered = apiErrors.length;
      const problems: string[] = [];
      try {
        await page.goto(consoleUrl(stack.baseUrl, screen.path), { timeout: 60_000 });
        await settle(page);
        if (await demoOperatorChoice(page, OPERATOR).isVisible()) problems.push('the sign-in page came back (session lost on reload?)');
        for (const shown of await page.locator(ERROR_UI).filter({ visible: true }).all()) {
          problems.push(`the page shows an error: ${(await shown.innerText()).replace(/\s+/g, ' ').trim().slice(0, 300)}`);
        }
      } catch (error) {
        problems.push(error instanceof Error ? error.message.split('\n')[0] ?? error.name : String(error));
      }
      problems.push(...watch.errors.slice(reported), ...apiErrors.slice(answered));
      const file = join(outDir, fileName(screen.name, locale));
      await page.screenshot({ path: file, fullPage: false }).catch((error: Error) => problems.push(`no screenshot: ${error.message}`));
      console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${relative(root, file)}  /console/${screen.path}  (${locale})`);
      for (const problem of problems) console.log(`       ${problem}`);
      failures.push(...problems.map((p) => `${screen.name} (${locale}): ${p}`));
    }
  } finally {
    await context.close();
  }
}

async function main(): Promise<number> {
  const locales = [...new Set(SCREENS.flatMap((s) => s.locales))];
  const fontProblem = locales.includes('zh-CN') ? cjkFontMissing() : undefined;
  if (fontProblem) {
    console.error(`screenshots: ${fontProblem}; the zh-CN screenshots would not be readable.`);
    return 1;
  }
  if (!repositoryHasConsole()) {
    console.error('screenshots: this checkout has no console (console/index.html), so npm start serves none.');
    return 1;
  }
  mkdirSync(outDir, { recursive: true });
  console.log('starting the local stack (npm start -- --in-memory) and Chromium ...');
  const [stack, browser] = await Promise.allSettled([startLocalStack(), launchChromium()]);
  const failures: string[] = [];
  try {
    if (stack.status === 'rejected') throw stack.reason;
    if (browser.status === 'rejected') throw browser.reason;
    for (const locale of locales) await shootLocale(browser.value, stack.value, locale, failures);
  } finally {
    if (browser.status === 'fulfilled') await browser.value.close();
    if (stack.status === 'fulfilled') await stack.value.stop();
  }
  if (failures.length > 0) {
    console.error(`\n${failures.length} problem(s) on the screens above; the screenshots of them show what went wrong.`);
    return 1;
  }
  console.log(`\n${SCREENS.reduce((n, s) => n + s.locales.length, 0)} screenshots in ${relative(root, outDir)}/`);
  return 0;
}

// Ctrl-C: exit through 'exit', where the stack's process group is killed (it does not get the terminal's signal).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
process.exitCode = await main().catch((error: unknown) => {
  console.error('screenshots failed:', error instanceof Error ? error.message : error);
  return 1;
});
