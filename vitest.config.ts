import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'test/**/*.test.ts',
      'bench/**/*.test.ts',
      'sdk/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
    ],
    // test/reliability holds the long runs of `npm run test:reliability`.
    exclude: ['test/browser/**', 'test/reliability/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // PGlite instances are heavy; two workers match the machine's two cores.
    maxWorkers: 2,
  },
});
