import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase, throwawayDatabase } from '../../test/support/database.js';
import { DatabaseLockedError, type Db, openDatabase } from './database.js';

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

describe.skipIf(process.env.GATEHOUSE_TEST_DB !== 'postgres')('statements on PostgreSQL', () => {
  /** A throwaway database behind a pool of one connection, so every statement runs on one session. */
  async function onOneConnection(
    run: (db: Db, url: string) => Promise<void>,
    options: { preparedStatements?: boolean } = {},
  ): Promise<void> {
    const throwaway = await throwawayDatabase(process.env.DATABASE_URL as string);
    const database = await openDatabase({ kind: 'postgres', url: throwaway.url, poolSize: 1, ...options });
    try {
      await run(database.db, throwaway.url);
    } finally {
      await database.close();
      await throwaway.drop();
    }
  }

  /** One statement from another session, as another node or an operator would send it. */
  async function fromAnotherSession(url: string, text: string, values: unknown[] = []): Promise<void> {
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query(text, values);
    } finally {
      await other.end();
    }
  }

  it('are prepared once per connection, planned for their values, and prepared again on a new connection', () =>
    onOneConnection(async (db, url) => {
      const lookup = (n: number) => sql<{ n: number }>`select ${n}::int + 1 as n`.execute(db);
      const prepared = async () =>
        (
          await sql<{
            statement: string;
          }>`select statement from pg_prepared_statements where statement like ${'%::int + 1 as n'}`.execute(db)
        ).rows;
      expect((await lookup(1)).rows[0]?.n).toBe(2);
      expect((await lookup(41)).rows[0]?.n).toBe(42);
      expect(await prepared()).toHaveLength(1);
      // Generic plans would stop seeing how many keys a grouped statement holds (grouped-writes.test.ts).
      const mode = await sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(db);
      expect(mode.rows[0]?.plan_cache_mode).toBe('force_custom_plan');

      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
      await fromAnotherSession(url, 'select pg_terminate_backend($1)', [rows[0]?.pid]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The pool's connection is gone; the first statement on it fails, the pool replaces it.
      await lookup(1).catch(() => undefined);
      expect((await lookup(2)).rows[0]?.n).toBe(3);
      expect(await prepared()).toHaveLength(1);
    }));

  it('run unnamed with DATABASE_PREPARED_STATEMENTS=off, for poolers that cannot keep them', () =>
    onOneConnection(
      async (db) => {
        expect((await sql<{ n: number }>`select ${1}::int + 1 as n`.execute(db)).rows[0]?.n).toBe(2);
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements`.execute(db);
        expect(rows[0]?.n).toBe(0);
      },
      { preparedStatements: false },
    ));

  it('are prepared again when a migration changed their table, and answer with the new columns (a node running while another migrates)', () =>
    onOneConnection(async (db, url) => {
      await sql`create table widgets (id text primary key)`.execute(db);
      await sql`insert into widgets values ('w1')`.execute(db);
      const read = () => sql<Record<string, unknown>>`select * from widgets where id = ${'w1'}`.execute(db);
      expect((await read()).rows).toEqual([{ id: 'w1' }]);
      await fromAnotherSession(url, `alter table widgets add column colour text not null default 'blue'`);
      expect((await read()).rows).toEqual([{ id: 'w1', colour: 'blue' }]);
      expect((await read()).rows).toEqual([{ id: 'w1', colour: 'blue' }]);
    }));
});
