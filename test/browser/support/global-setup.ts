import type { TestProject } from 'vitest/node';
import { launchChromiumServer } from '../../../bin/local/chromium.js';
import { startLocalStack } from '../../../bin/local/stack-process.js';

/**
 * The browser project's one stack and one browser: `npm start -- --in-memory`
 * on a free port and a headless Chromium server that every test file connects
 * to (see ./browser.ts). Both stop when the run ends.
 */
export default async function setup(project: TestProject) {
  const started = Date.now();
  // In parallel: Chromium unpacks and starts while the stack starts DynamoDB Local and seeds.
  const [stack, browser] = await Promise.allSettled([startLocalStack(), launchChromiumServer()]);
  if (stack.status === 'rejected' || browser.status === 'rejected') {
    if (stack.status === 'fulfilled') await stack.value.stop();
    if (browser.status === 'fulfilled') await browser.value.close();
    throw stack.status === 'rejected' ? stack.reason : (browser as PromiseRejectedResult).reason;
  }
  console.log(
    `[browser] stack ${stack.value.baseUrl} (console ${stack.value.consoleServed ? 'served' : 'not in this checkout'}), ` +
      `Chromium ${browser.value.process().pid ?? '?'}; ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  project.provide('browserWsEndpoint', browser.value.wsEndpoint());
  project.provide('stackBaseUrl', stack.value.baseUrl);
  project.provide('stackDataDir', stack.value.dataDir);
  return async () => {
    await Promise.allSettled([browser.value.close(), stack.value.stop()]);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    browserWsEndpoint: string;
    stackBaseUrl: string;
    stackDataDir: string;
  }
}
