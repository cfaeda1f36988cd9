#!/usr/bin/env node
/**
 * `npm run test:reliability`: runs vitest on test/reliability/** with its own config
 * (vitest.reliability.config.ts). Extra arguments go to vitest, e.g. a file name to run one
 * suite: `npm run test:reliability -- test/reliability/http-fuzz-long.test.ts`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(
  process.execPath,
  [vitest, 'run', '--config', 'vitest.reliability.config.ts', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
    env: process.env,
  },
);
process.exit(result.status ?? 1);
