/**
 * The Gatehouse process the reliability tests start, kill and restart: `gatehouse serve` from
 * source. Started with --expose-gc, it answers SIGUSR2 with a full, memory-reducing
 * collection, then a heap snapshot, and one line,
 * `memory {"rss":…,"heapUsed":…,"external":…,"snapshot":"<file>"}`: what the process still
 * holds once everything collectable is gone, and every object it holds (see soak.test.ts).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { main } from '../../src/cli/main.js';

const collect = (globalThis as { gc?: (options: object) => void }).gc;
if (collect) {
  process.on('SIGUSR2', () => {
    // 'last-resort': every generation, compacting, as V8 does just before running out.
    collect({ type: 'major', flavor: 'last-resort' });
    const { rss, heapUsed, external } = process.memoryUsage();
    const snapshot = writeHeapSnapshot(join(tmpdir(), `gatehouse-${process.pid}-${Date.now()}.heapsnapshot`));
    process.stdout.write(`memory ${JSON.stringify({ rss, heapUsed, external, snapshot })}\n`);
  });
}

process.exitCode = await main(['serve']);
