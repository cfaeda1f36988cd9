/**
 * The Gatehouse process the reliability tests start, kill and restart: `gatehouse serve` from
 * source. Started with --expose-gc, it answers SIGUSR2 with a full, memory-reducing
 * collection and one line, `memory {"rss":…,"heapUsed":…,"external":…}`: what the process
 * still holds once everything collectable is gone (see soak.test.ts).
 */
import { main } from '../../src/cli/main.js';

const collect = (globalThis as { gc?: (options: object) => void }).gc;
if (collect) {
  process.on('SIGUSR2', () => {
    // 'last-resort': every generation, compacting, as V8 does just before running out.
    collect({ type: 'major', flavor: 'last-resort' });
    const { rss, heapUsed, external } = process.memoryUsage();
    process.stdout.write(`memory ${JSON.stringify({ rss, heapUsed, external })}\n`);
  });
}

process.exitCode = await main(['serve']);
