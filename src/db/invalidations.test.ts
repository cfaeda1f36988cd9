import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testDbKind, throwawayDatabase } from '../../test/support/database.js';
import { until } from '../../test/support/until.js';
import { type Database, openDatabase } from './database.js';
import { type Invalidation, LocalInvalidations, PostgresInvalidations } from './invalidations.js';

const heard = (list: Invalidation[], invalidation: Invalidation) =>
  list.some((i) => JSON.stringify(i) === JSON.stringify(invalidation));

describe('LocalInvalidations', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database?.close());

  it('dispatches after the write resolves, and not when it throws', async () => {
    const local = new LocalInvalidations();
    const received: Invalidation[] = [];
    local.subscribe((invalidation) => received.push(invalidation));
    expect(local.listening).toBe(true);

    let dispatchedDuringWrite = -1;
    const result = await local.write(
      database.db,
      [
        { kind: 'client', id: 'c1' },
        { kind: 'token', hash: 'h1' },
      ],
      async (db) => {
        await sql`select 1`.execute(db);
        dispatchedDuringWrite = received.length;
        return 'written';
      },
    );
    expect(result).toBe('written');
    expect(dispatchedDuringWrite).toBe(0);
    expect(received).toEqual([
      { kind: 'client', id: 'c1' },
      { kind: 'token', hash: 'h1' },
    ]);

    await expect(
      local.write(database.db, [{ kind: 'client', id: 'c2' }], async () => {
        throw new Error('write failed');
      }),
    ).rejects.toThrow('write failed');
    expect(received).toHaveLength(2);
  });
});

describe.skipIf(testDbKind() !== 'postgres')('PostgresInvalidations: two nodes on one database', () => {
  let throwaway: { url: string; drop(): Promise<void> };
  let database: Database;
  let a: PostgresInvalidations;
  let b: PostgresInvalidations;
  const receivedA: Invalidation[] = [];
  const receivedB: Invalidation[] = [];
  /** B's `listening` as each of its invalidations was dispatched. */
  const listeningAtB: boolean[] = [];
  const nameB = `gatehouse-test-b-${process.pid}`;

  beforeAll(async () => {
    const serverUrl = process.env.DATABASE_URL;
    if (!serverUrl) throw new Error('GATEHOUSE_TEST_DB=postgres needs DATABASE_URL');
    throwaway = await throwawayDatabase(serverUrl, 'gatehouse_invalidations');
    database = await openDatabase({ kind: 'postgres', url: throwaway.url, poolSize: 4 });
    await sql`create table written (x int not null)`.execute(database.db);
    a = new PostgresInvalidations({ url: throwaway.url });
    // B's LISTEN connection is found by its application name, to be terminated below.
    const urlB = new URL(throwaway.url);
    urlB.searchParams.set('application_name', nameB);
    b = new PostgresInvalidations({ url: urlB.toString(), retryDelaysMs: [300] });
    a.subscribe((invalidation) => receivedA.push(invalidation));
    b.subscribe((invalidation) => {
      receivedB.push(invalidation);
      listeningAtB.push(b.listening);
    });
    expect(a.listening).toBe(false);
    expect(b.listening).toBe(false);
    await Promise.all([a.ready(), b.ready()]);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
    await throwaway?.drop();
  });

  const clear = () => {
    receivedA.length = 0;
    receivedB.length = 0;
    listeningAtB.length = 0;
  };

  it('writes in a transaction, dispatches on the writer at once and on the other node by NOTIFY', async () => {
    clear();
    const invalidation: Invalidation = { kind: 'client', id: 'client-1' };
    const result = await a.write(database.db, [invalidation], async (trx) => {
      expect(trx.isTransaction).toBe(true);
      await sql`insert into written (x) values (1)`.execute(trx);
      return 42;
    });
    expect(result).toBe(42);
    expect(heard(receivedA, invalidation)).toBe(true);
    await until(() => heard(receivedB, invalidation), 'B to hear the invalidation');
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from written where x = 1`.execute(database.db);
    expect(rows[0]?.n).toBe(1);
  });

  it('announces nothing when the write rolls back', async () => {
    clear();
    const rolledBack: Invalidation = { kind: 'token', hash: 'rolled-back' };
    await expect(
      a.write(database.db, [rolledBack], async (trx) => {
        await sql`insert into written (x) values (2)`.execute(trx);
        throw new Error('write failed');
      }),
    ).rejects.toThrow('write failed');
    // Notifications arrive in commit order: once B hears a later one, the first would have come.
    const barrier: Invalidation = { kind: 'token', hash: 'barrier' };
    await a.write(database.db, [barrier], async (trx) => sql`insert into written (x) values (3)`.execute(trx));
    await until(() => heard(receivedB, barrier), 'B to hear the barrier');
    expect(heard(receivedB, rolledBack)).toBe(false);
    expect(heard(receivedA, rolledBack)).toBe(false);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from written where x = 2`.execute(database.db);
    expect(rows[0]?.n).toBe(0);
  });

  it('evicts everything when its LISTEN connection is lost, and reconnects by itself', async () => {
    clear();
    const admin = new pg.Client({ connectionString: throwaway.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ terminated: boolean }>(
        'select pg_terminate_backend(pid) as terminated from pg_stat_activity where application_name = $1 and datname = current_database()',
        [nameB],
      );
      expect(rows).toEqual([{ terminated: true }]);
    } finally {
      await admin.end();
    }
    await until(() => receivedB.length > 0, 'B to notice the lost connection');
    expect(receivedB[0]).toEqual({ kind: 'all' });
    expect(listeningAtB[0]).toBe(false);

    await b.ready();
    const after: Invalidation = { kind: 'grant', id: 'after-reconnect' };
    await a.write(database.db, [after], async () => undefined);
    await until(() => heard(receivedB, after), 'B to hear an invalidation after reconnecting');
  });
});
