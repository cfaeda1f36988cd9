import { defineConfig } from 'vitest/config';

// Browser tests drive Debian's Chromium through playwright-core; scripts/test.mjs runs them
// only when Chromium is installed (CHROMIUM_PATH).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
