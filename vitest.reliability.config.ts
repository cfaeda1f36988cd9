import { defineConfig } from 'vitest/config';

/**
 * `npm run test:reliability`: the long runs of test/reliability (kill -9, database restart,
 * two nodes, soak, the long HTTP fuzz pass). Kept out of the default run; one file at a time,
 * since each one loads the machine on its own purpose.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 5 * 60_000,
    maxWorkers: 1,
    fileParallelism: false,
  },
});
