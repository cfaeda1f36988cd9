import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseLockedError, openDatabase } from './database.js';

describe('the embedded database lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses files held by another live process, and takes over a dead one’s lock', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, '.gatehouse.lock'), String(other.pid));
      await expect(openDatabase({ kind: 'pglite', dataDir: dir })).rejects.toBeInstanceOf(DatabaseLockedError);
    } finally {
      other.kill();
    }
    await new Promise((resolve) => other.once('exit', resolve));
    const database = await openDatabase({ kind: 'pglite', dataDir: dir });
    await database.ping();
    await database.close();
  });
});
