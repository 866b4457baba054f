// Browser (end-to-end) tests: the built web app served by the real server, driven in headless Chromium via playwright-core.
// Run with `npm run test:e2e` (builds the web app first). Screenshots land in test-results/screenshots/.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    // expect.poll waits for what the page shows; 1 s (the default) is too short on a busy CI machine.
    expect: { poll: { timeout: 15_000, interval: 100 } },
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
})
