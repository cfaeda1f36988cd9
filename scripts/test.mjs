#!/usr/bin/env node
/**
 * `npm test`: the suite on the embedded database always; again on PostgreSQL when
 * DATABASE_URL is set; the browser tests when Chromium is installed. Says plainly what it
 * left out, and ends with one line: "tests: N passed, N failed".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const extraArgs = process.argv.slice(2);
const chromium = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const browserTests = existsSync(join(root, 'test/browser'))
  ? readdirSync(join(root, 'test/browser')).filter((f) => f.endsWith('.test.ts'))
  : [];

const runs = [{ name: 'embedded database (PGlite)', env: { GATEHOUSE_TEST_DB: 'pglite' }, args: [] }];
const leftOut = [];
if (process.env.DATABASE_URL) {
  runs.push({ name: 'PostgreSQL', env: { GATEHOUSE_TEST_DB: 'postgres' }, args: [] });
} else {
  leftOut.push('PostgreSQL: not run (set DATABASE_URL=postgres://user@host:5432/db to include it)');
}
if (browserTests.length === 0) {
  leftOut.push('browser: there are no browser tests in test/browser yet');
} else if (chromium) {
  runs.push({
    name: `browser (${chromium})`,
    env: { GATEHOUSE_TEST_DB: 'pglite', CHROMIUM_PATH: chromium },
    args: ['--config', 'vitest.browser.config.ts'],
  });
} else {
  leftOut.push('browser: not run (no Chromium; install it, e.g. apt-get install chromium, or set CHROMIUM_PATH)');
}

let passed = 0;
let failed = 0;
let skipped = 0;
const summary = [];
for (const [i, run] of runs.entries()) {
  const output = join(root, `.vitest-results-${i}.json`);
  rmSync(output, { force: true });
  console.log(`\n=== ${run.name} ===`);
  const result = spawnSync(
    process.execPath,
    [vitest, 'run', ...run.args, '--reporter=default', '--reporter=json', `--outputFile.json=${output}`, ...extraArgs],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...run.env } },
  );
  let counts = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0 };
  if (existsSync(output)) counts = JSON.parse(readFileSync(output, 'utf8'));
  rmSync(output, { force: true });
  // A run that crashed before reporting counts as a failure.
  const runFailed = counts.numFailedTests + (result.status !== 0 && counts.numFailedTests === 0 ? 1 : 0);
  passed += counts.numPassedTests;
  failed += runFailed;
  skipped += counts.numPendingTests + counts.numTodoTests;
  summary.push(`${run.name}: ${counts.numPassedTests} passed, ${runFailed} failed`);
}

console.log('\n=== summary ===');
for (const line of summary) console.log(line);
for (const line of leftOut) console.log(line);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
