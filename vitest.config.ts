import { defineConfig } from 'vitest/config';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export default defineConfig({
  test: {
    // Two cores: two workers; tests that need DynamoDB share one DynamoDB Local and isolate by unique ids.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/infra/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          // One file at a time: the concurrency tests (1,000 redemptions, 200 spends on one wallet ...) load the one
          // DynamoDB Local enough that other files' transactions would wait on its locks and time out.
          fileParallelism: false,
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/env.ts'],
        },
      },
      {
        extends: true,
        test: {
          // The operator console's component tests (Testing Library in jsdom; no API, no DynamoDB).
          name: 'console',
          include: ['console/src/**/*.test.tsx'],
          environment: 'jsdom',
          setupFiles: ['console/src/test-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          // One stack (npm start -- --in-memory) and one headless Chromium for the whole project, started by the
          // global setup; files one at a time, so pages never compete for the two cores with another file's pages.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
          globalSetup: ['test/browser/support/global-setup.ts'],
        },
      },
    ],
  },
});
