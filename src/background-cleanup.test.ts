/**
 * The clean-up's schedule (src/background-cleanup.ts): of the nodes sharing a database one
 * cleans up at a time, another takes over when it stops, a long pass is not doubled, and a
 * stopping node ends its pass before it gives the lease back.
 */
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { openTestDatabase } from '../test/support/database.js';
import { until } from '../test/support/until.js';
import { type Cleanup, startCleanup } from './background-cleanup.js';
import { migrateToLatest } from './db/database.js';

const database = await openTestDatabase();
await migrateToLatest(database.db);
afterAll(() => database.close());
const { db } = database;

const quiet = { debug: () => {}, warn: () => {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Generous: the passes run on a real 50 ms timer, on a machine the other test files share. */
const WAIT_MS = 10_000;

/** A node's schedule whose passes count themselves; a pass lasts `passMs`. */
function node(name: string, passMs = 0, leaseSeconds = 60) {
  const passes = { started: 0, finished: 0, overlapped: false };
  const cleanup: Cleanup = startCleanup({
    db,
    intervalSeconds: 0.05,
    leaseSeconds,
    holder: name,
    logger: quiet,
    pass: async () => {
      if (passes.started > passes.finished) passes.overlapped = true;
      passes.started++;
      await sleep(passMs);
      passes.finished++;
      return 0;
    },
  });
  return { passes, cleanup };
}

it('runs on one node of two, and on the other once the first stops', async () => {
  const first = node('first');
  await until(() => first.passes.finished >= 1, 'the first node’s first pass', WAIT_MS);
  const second = node('second');
  const before = first.passes.finished;
  await until(() => first.passes.finished >= before + 5, 'five more passes on the first node', WAIT_MS);
  expect(second.passes.started).toBe(0);

  await first.cleanup.stop();
  const stoppedAt = first.passes.started;
  await until(() => second.passes.finished >= 3, 'the second node taking over', WAIT_MS);
  expect(first.passes.started).toBe(stoppedAt);
  await second.cleanup.stop();
});

it('does not start a pass while its last one runs, and keeps the lease meanwhile', async () => {
  const expiry = async () =>
    (
      await sql<{ expires_at: Date }>`select expires_at from leases where name = 'clean-up'`.execute(db)
    ).rows[0]?.expires_at.getTime() ?? 0;
  // Lease of 1 s, a pass of 2.5 s: only renewals during the pass keep it from the other node.
  const slow = node('slow', 2_500, 1);
  await until(() => slow.passes.started === 1, 'the slow pass', WAIT_MS);
  const other = node('other', 0, 1);
  const held = await expiry();
  await until(async () => (await expiry()) > held, 'a renewal during the pass', WAIT_MS);
  await until(() => slow.passes.finished === 1, 'the slow pass to end', WAIT_MS);
  expect(slow.passes.overlapped).toBe(false);
  expect(other.passes.started).toBe(0);
  await Promise.all([slow.cleanup.stop(), other.cleanup.stop()]);
});

it('ends a pass under way when stopped, waits for it, and only then gives the lease back', async () => {
  const holderOfLease = async () =>
    (await sql<{ holder: string }>`select holder from leases where name = 'clean-up'`.execute(db)).rows[0]?.holder;
  const pass = { started: false, chunks: 0, ended: false, sawStop: false };
  const cleanup = startCleanup({
    db,
    intervalSeconds: 0.05,
    holder: 'stopping',
    logger: quiet,
    // Works in chunks of 50 ms for up to a minute, unless told to stop.
    pass: async (signal) => {
      pass.started = true;
      while (!signal.aborted && pass.chunks < 1_200) {
        await sleep(50);
        pass.chunks++;
      }
      await sleep(200); // the chunk under way when the stop came
      pass.sawStop = signal.aborted;
      pass.ended = true;
      return pass.chunks;
    },
  });
  await until(() => pass.chunks >= 2, 'the pass to be under way', WAIT_MS);

  const started = Date.now();
  await cleanup.stop();
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(pass).toMatchObject({ ended: true, sawStop: true });
  expect(await holderOfLease()).toBeUndefined();

  // The next node takes over at its next interval.
  const next = node('next');
  await until(() => next.passes.finished >= 1, 'the next node’s pass', WAIT_MS);
  await next.cleanup.stop();
});
