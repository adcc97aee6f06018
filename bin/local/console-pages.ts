/**
 * What the browser tests and `npm run screenshots` know about the console's
 * pages: how its local sign-in page offers the demo operators, and how a page's
 * errors are collected. Kept in one place so a change of the sign-in page is
 * one change here.
 */
import type { ConsoleMessage, Locator, Page } from 'playwright-core';

/** The demo operators the local sign-in page offers, one per role (their tokens come from POST /local/operator-tokens). */
export const DEMO_OPERATORS = {
  admin: 'op-admin',
  marketer: 'op-marketer',
  support: 'op-support',
  analyst: 'op-analyst',
} as const;
export type DemoRole = keyof typeof DEMO_OPERATORS;
export const DEMO_ROLES = Object.keys(DEMO_OPERATORS) as DemoRole[];

/**
 * The sign-in page's entry for one demo operator: an element marked
 * `data-operator-id="op-admin"`, or else a button whose name contains the id.
 */
export function demoOperatorChoice(page: Page, operatorId: string): Locator {
  return page.locator(`[data-operator-id="${operatorId}"]`).or(page.getByRole('button', { name: operatorId })).first();
}

/** `/console/<path>` on the stack, `path` without a leading slash ('' is the dashboard). */
export function consoleUrl(baseUrl: string, path = ''): string {
  return `${baseUrl}/console/${path.replace(/^\/+/, '')}`;
}

export interface SignInOptions {
  /** The console route to end on (default '' = the dashboard). */
  readonly path?: string;
  /** How long the first load may take (the console may still be compiling). */
  readonly timeoutMs?: number;
}

/**
 * Opens `/console/<path>` in a page that has not signed in, picks the demo
 * operator on the sign-in page and waits until the sign-in page is gone. If the
 * console does not return to the route asked for, loads it again (the session
 * is expected to survive a reload, as the console keeps it in browser storage).
 */
export async function signInAsDemoOperator(page: Page, baseUrl: string, operatorId: string, options: SignInOptions = {}): Promise<void> {
  const target = consoleUrl(baseUrl, options.path);
  const timeout = options.timeoutMs ?? 30_000;
  const response = await page.goto(target, { timeout });
  if (response && !response.ok()) throw new Error(`GET ${target} answered ${response.status()}: is the console served (npm start)?`);
  const choice = demoOperatorChoice(page, operatorId);
  await choice.waitFor({ state: 'visible', timeout });
  await choice.click();
  await choice.waitFor({ state: 'detached', timeout });
  if (new URL(page.url()).pathname !== new URL(target).pathname) await page.goto(target, { timeout });
}

/** The console errors, uncaught exceptions and crashes of the pages it watches, as they happen. */
export interface PageErrorWatch {
  /** What went wrong so far, less what `allow` admits. */
  readonly errors: readonly string[];
  /** Admits matching errors (e.g. the 403 a test provokes on purpose). */
  allow(pattern: RegExp): void;
  /** Watches one more page (a context's pages, a popup). */
  attach(page: Page): PageErrorWatch;
}

export function watchPageErrors(...pages: Page[]): PageErrorWatch {
  const seen: string[] = [];
  const allowed: RegExp[] = [];
  const watch: PageErrorWatch = {
    get errors() {
      return seen.filter((e) => !allowed.some((pattern) => pattern.test(e)));
    },
    allow(pattern: RegExp) {
      allowed.push(pattern);
    },
    attach(page: Page) {
      const where = () => page.url() || '(blank page)';
      page.on('console', (message: ConsoleMessage) => {
        if (message.type() !== 'error') return;
        const { url, lineNumber } = message.location();
        seen.push(`console error on ${where()}: ${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
      });
      page.on('pageerror', (error: Error) => seen.push(`uncaught exception on ${where()}: ${error.stack ?? error.message}`));
      page.on('crash', () => seen.push(`the page crashed on ${where()}`));
      return watch;
    },
  };
  pages.forEach((page) => watch.attach(page));
  return watch;
}
