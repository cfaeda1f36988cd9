/**
 * The Gatehouse process the reliability tests start, kill and restart: `gatehouse serve` from
 * source. Started with --expose-gc, it answers SIGUSR2 with a full, memory-reducing
 * collection and one line, `memory {"rss":…,"heapUsed":…,"external":…,"youngGeneration":…,"snapshot":…}`: what
 * the process still holds once everything collectable is gone. With heap snapshots on (the
 * default) it writes one after the collection and names its file, so the soak can count every
 * object alive; GATEHOUSE_HEAP_SNAPSHOTS=off leaves them out (`"snapshot":null`), since the
 * snapshot writer's memory stays in the process's RSS for the rest of its life (soak.test.ts).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { main } from '../../src/cli/main.js';

const collect = (globalThis as { gc?: (options: object) => void }).gc;
const snapshots = process.env.GATEHOUSE_HEAP_SNAPSHOTS !== 'off';
if (collect) {
  process.on('SIGUSR2', () => {
    // 'last-resort': every generation, compacting, as V8 does just before running out.
    collect({ type: 'major', flavor: 'last-resort' });
    const { rss, heapUsed, external } = process.memoryUsage();
    const youngGeneration = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.physical_space_size ?? 0;
    const snapshot = snapshots ? writeHeapSnapshot(join(tmpdir(), `gatehouse-${process.pid}-${Date.now()}.heapsnapshot`)) : null;
    process.stdout.write(`memory ${JSON.stringify({ rss, heapUsed, external, youngGeneration, snapshot })}\n`);
  });
}

process.exitCode = await main(['serve']);
