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

// Regression: a connection the server terminated while a transaction held it (a database
// restart) was an unhandled 'error' event that killed the process. PostgreSQL runs only.
describe.skipIf(process.env.GATEHOUSE_TEST_DB !== 'postgres')('a PostgreSQL connection lost while checked out', () => {
  it('fails the transaction cleanly, keeps the process alive, and the pool recovers', async () => {
    const { openTestDatabase } = await import('../../test/support/database.js');
    const { sql } = await import('kysely');
    const database = await openTestDatabase();
    try {
      const outcome = database.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        // Another session terminates this one between two statements of the transaction.
        await sql`select pg_terminate_backend(${rows[0]?.pid})`.execute(database.db);
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`select 1`.execute(trx);
      });
      await expect(outcome).rejects.toThrow();
      await database.ping();
    } finally {
      await database.close();
    }
  });
});
