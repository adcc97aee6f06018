/**
 * The browser tests' `test`: each file connects to the one Chromium that the
 * global setup started; each test gets a fresh context (no cookies or storage
 * from another test) and page, and fails if any page of it logged a console
 * error or threw (admit an expected one with `pageErrors.allow(/.../)`).
 *
 *   import { expect } from 'vitest';
 *   import { openConsole, test } from './support/browser.js';
 *   test('an analyst sees no write action', async ({ page }) => {
 *     await openConsole(page, { role: 'analyst', path: 'campaigns' });
 *     ...
 *   });
 */
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { inject, test as base } from 'vitest';
import {
  consoleUrl,
  DEMO_OPERATORS,
  signInAsDemoOperator,
  watchPageErrors,
  type DemoRole,
  type PageErrorWatch,
} from '../../../bin/local/console-pages.js';

export { consoleUrl, DEMO_OPERATORS, DEMO_ROLES, demoOperatorChoice, type DemoRole } from '../../../bin/local/console-pages.js';

/** What the global setup started, as the test files see it. */
export interface Stack {
  /** e.g. http://127.0.0.1:40123 */
  readonly baseUrl: string;
  /** The stack's DATA_DIR (dev JWT keys in keys/). */
  readonly dataDir: string;
  readonly browserWsEndpoint: string;
}

export function stack(): Stack {
  return { baseUrl: inject('stackBaseUrl'), dataDir: inject('stackDataDir'), browserWsEndpoint: inject('browserWsEndpoint') };
}

/** `http://127.0.0.1:<port><path>` of the started stack. */
export function stackUrl(path = ''): string {
  return `${inject('stackBaseUrl')}${path}`;
}

/** What every test's context starts with; a test may open other contexts on `browser` (e.g. `locale: 'zh-CN'`). */
export const defaultContextOptions: BrowserContextOptions = {
  viewport: { width: 1440, height: 900 },
  locale: 'en-US',
};

export const test = base
  .extend('stack', { scope: 'worker' }, (): Stack => stack())
  .extend('browser', { scope: 'file' }, async ({ stack: started }, { onCleanup }): Promise<Browser> => {
    const browser = await chromium.connect(started.browserWsEndpoint, { timeout: 30_000 });
    onCleanup(() => browser.close());
    return browser;
  })
  .extend('pageErrors', ({ task }, { onCleanup }): PageErrorWatch => {
    const watch = watchPageErrors();
    // After the test and its contexts: an error on any page it opened fails it.
    onCleanup(() => {
      const errors = watch.errors;
      if (errors.length > 0) throw new Error(`the pages of "${task.name}" reported ${errors.length} error(s):\n${errors.join('\n')}`);
    });
    return watch;
  })
  /** Opens another context for the test (a second operator, another locale): watched for errors, closed after it. */
  .extend('newContext', async ({ browser, pageErrors }, { onCleanup }) => {
    const opened: BrowserContext[] = [];
    onCleanup(() => Promise.all(opened.map((context) => context.close())).then(() => undefined));
    return async (options: BrowserContextOptions = {}): Promise<BrowserContext> => {
      const context = await browser.newContext({ ...defaultContextOptions, ...options });
      context.setDefaultTimeout(15_000);
      context.on('page', (page) => pageErrors.attach(page));
      opened.push(context);
      return context;
    };
  })
  .extend('context', async ({ newContext }): Promise<BrowserContext> => newContext())
  .extend('page', async ({ context, task }, { onCleanup }): Promise<Page> => {
    const page = await context.newPage();
    // When a step times out, say what the page showed and which API calls it refused: a toast that never came is
    // otherwise all the report gives.
    const refusals: string[] = [];
    page.on('response', (response) => {
      if (response.status() < 400) return;
      const request = response.request();
      void response
        .text()
        .catch(() => '')
        .then((text) => refusals.push(`${request.method()} ${new URL(response.url()).pathname} -> ${response.status()} ${text.slice(0, 300)}`));
    });
    // Runs before the context closes (fixtures clean up in reverse order), so the page can still be read.
    onCleanup(async () => {
      if (task.result?.state !== 'fail') return;
      const shown = await page
        .locator('.ant-message-notice, .ant-alert, .ant-form-item-explain-error, .ant-modal-title')
        .allInnerTexts()
        .catch(() => ['(page closed)']);
      console.error(`page at failure: ${page.url()}\nshown: ${JSON.stringify(shown)}\nrefused API calls: ${refusals.length === 0 ? 'none' : `\n  ${refusals.join('\n  ')}`}`);
    });
    return page;
  });

export interface OpenConsoleOptions {
  /** Signs in as this role's demo operator (op-admin, op-marketer, op-support, op-analyst). */
  readonly role: DemoRole;
  /** The console route to open after signing in ('' = dashboard, 'members/m-gold', ...). */
  readonly path?: string;
}

/**
 * Signs in on the console's local sign-in page as the role's demo operator and
 * opens `path`. The page must not have signed in before (a fresh context).
 */
export async function openConsole(page: Page, options: OpenConsoleOptions): Promise<void> {
  // The first load may wait for the console to compile.
  await signInAsDemoOperator(page, inject('stackBaseUrl'), DEMO_OPERATORS[options.role], { path: options.path ?? '', timeoutMs: 60_000 });
}

/** `/console/<path>` of the started stack. */
export function consolePage(path = ''): string {
  return consoleUrl(inject('stackBaseUrl'), path);
}
