/**
 * The soak's memory measure (support.ts `liveBytesIn`): the objects a heap snapshot finds
 * alive, summed. A leak of Buffers must show at its full size, since their contents live
 * outside the JavaScript heap, where heapUsed does not look.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { expect, it } from 'vitest';
import { liveBytesIn } from './support.js';

const MB = 1024 * 1024;

function liveNow(): number {
  const file = writeHeapSnapshot(join(tmpdir(), `gatehouse-live-bytes-${process.pid}-${Date.now()}.heapsnapshot`));
  try {
    return liveBytesIn(file);
  } finally {
    rmSync(file, { force: true });
  }
}

it('counts retained Buffers and objects at their size, and nothing that was let go', () => {
  const before = liveNow();
  const kept: unknown[] = Array.from({ length: 20 }, () => Buffer.alloc(MB / 2, 1));
  for (let i = 0; i < 50_000; i++) kept.push({ i, name: `object ${i}` });
  const holding = liveNow();
  kept.length = 0;
  const released = liveNow();

  // 10 MB of Buffer contents, plus 50,000 small objects and their strings (a few MB).
  expect(holding - before).toBeGreaterThan(10 * MB);
  expect(holding - before).toBeLessThan(20 * MB);
  expect(released - before).toBeLessThan(1 * MB);
});
