/**
 * The headless Chromium that the browser tests and `npm run screenshots` drive
 * through playwright-core. By default the binary shipped in the npm package
 * @sparticuz/chromium (Linux x64, installed by `npm ci`, unpacked into the
 * temp directory on first use); CHROMIUM_PATH names another one instead
 * (e.g. /usr/bin/chromium from Debian's package `chromium`).
 */
import { existsSync } from 'node:fs';
import { chromium as playwright, type Browser, type BrowserServer, type LaunchOptions } from 'playwright-core';

/** Keeps Chromium off the network: no update checks, sync, metrics or QUIC probes (the machine has no network but loopback). */
const OFFLINE_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * @sparticuz/chromium's switches are made for one page per Lambda invocation. Dropped here:
 * `--single-process` (Playwright's browser contexts are unreliable under it) and the switches that turn off the
 * same-origin policy and mixed-content blocking, so that the console meets the browser's real rules.
 */
const DROPPED_PACKAGE_ARGS = new Set([
  '--single-process',
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--disable-site-isolation-trials',
]);

export interface ChromiumChoice {
  readonly executablePath: string;
  readonly args: readonly string[];
  /** Where the binary came from, for messages. */
  readonly source: 'CHROMIUM_PATH' | '@sparticuz/chromium';
}

function howToFix(): string {
  return [
    'The browser tests and `npm run screenshots` need a Chromium. `npm ci` installs one for Linux x64 (@sparticuz/chromium);',
    'on another platform, or if that one cannot run here, install a Chromium and point CHROMIUM_PATH at it, e.g.',
    '  apt-get install chromium && CHROMIUM_PATH=/usr/bin/chromium npx vitest run --project browser',
  ].join('\n');
}

/** The binary and switches to launch: CHROMIUM_PATH if set, else the npm package's binary. Throws with how to fix. */
export async function chooseChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumChoice> {
  const override = env.CHROMIUM_PATH?.trim();
  if (override) {
    if (!existsSync(override)) throw new Error(`CHROMIUM_PATH=${override} does not exist.\n${howToFix()}`);
    return { executablePath: override, args: OFFLINE_ARGS, source: 'CHROMIUM_PATH' };
  }
  try {
    const { default: packaged } = await import('@sparticuz/chromium');
    const executablePath = await packaged.executablePath();
    const args = packaged.args.filter((arg) => !DROPPED_PACKAGE_ARGS.has(arg));
    return { executablePath, args: [...args, ...OFFLINE_ARGS], source: '@sparticuz/chromium' };
  } catch (error) {
    throw new Error(`@sparticuz/chromium could not provide its Chromium binary (${describe(error)}).\n${howToFix()}`, { cause: error });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? error.name : String(error);
}

function launchOptions(choice: ChromiumChoice): LaunchOptions {
  return { executablePath: choice.executablePath, args: [...choice.args], headless: true, timeout: 60_000 };
}

function launchFailed(choice: ChromiumChoice, error: unknown): Error {
  return new Error(
    `Chromium did not start (${choice.source}: ${choice.executablePath}): ${describe(error)}\n${howToFix()}`,
    { cause: error },
  );
}

/** One browser in this process (the screenshot script). */
export async function launchChromium(): Promise<Browser> {
  const choice = await chooseChromium();
  try {
    return await playwright.launch(launchOptions(choice));
  } catch (error) {
    throw launchFailed(choice, error);
  }
}

/** One browser that test files in other processes connect to (`chromium.connect(server.wsEndpoint())`). */
export async function launchChromiumServer(): Promise<BrowserServer> {
  const choice = await chooseChromium();
  try {
    return await playwright.launchServer({ ...launchOptions(choice), host: '127.0.0.1' });
  } catch (error) {
    throw launchFailed(choice, error);
  }
}
