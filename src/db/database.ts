/**
 * The database: PostgreSQL through a `pg` pool when DATABASE_URL is set, otherwise an
 * embedded PGlite in DATA_DIR. Same dialect, same migrations.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CompiledQuery, Kysely, type Logger, Migrator, PostgresDialect, type QueryResult, sql } from 'kysely';
import pg from 'pg';
import { InternalError } from '../errors.js';
import { type Invalidations, LocalInvalidations, PostgresInvalidations } from './invalidations.js';
import { migrations } from './migrations/index.js';
import { PGliteDialect } from './pglite-dialect.js';
import { CUSTOM_PLANS, PreparingClient } from './prepared-statements.js';
import type { Database as Tables } from './schema.js';

export type Db = Kysely<Tables>;

/**
 * `= anyOf(keys)`: one array parameter where `in (…)` takes one parameter a key, so that a
 * grouped lookup is the same statement whatever the size of its group.
 */
export const anyOf = (keys: readonly string[]) => sql<string>`any(${keys}::text[])`;

/**
 * Runs a statement of fixed text whose parameters are JSON documents ($1, $2, …), which it
 * reads with json_to_recordset: how grouped writes pass their rows, one statement text for
 * any group size. Dates travel as ISO 8601 in UTC (Date.prototype.toJSON), which timestamptz
 * reads exactly.
 *
 * A statement that updates existing rows also takes their `keys`, as one text[] parameter
 * after the documents, and matches `key = any($n)` besides joining the document: the planner
 * reckons json_to_recordset at a hundred rows whatever it holds, and against a table of a few
 * thousand rows it would rather scan the whole table than probe its index a hundred times. An
 * array parameter it counts.
 */
export function executeWithJson<Row>(
  db: Db,
  text: string,
  documents: readonly unknown[],
  keys?: readonly string[],
): Promise<QueryResult<Row>> {
  const parameters: unknown[] = documents.map((document) => JSON.stringify(document));
  if (keys) parameters.push(keys);
  return db.executeQuery<Row>(CompiledQuery.raw(text, parameters));
}

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** How caches on every node hear that rows changed (src/db/invalidations.ts). */
  invalidations: Invalidations;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { kind: 'postgres'; url: string; poolSize?: number; preparedStatements?: boolean }
  | { kind: 'pglite'; dataDir?: string /* undefined: in memory */ };

export class DatabaseLockedError extends InternalError {}

// timestamptz and jsonb come back as Date and parsed JSON from both drivers; int8 stays a
// string in pg, so the schema avoids it.
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.kind === 'postgres') {
    const prepare = options.preparedStatements !== false;
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      ...(prepare ? { Client: PreparingClient } : {}),
    });
    // An idle client that loses its connection (database restart) must not crash the process.
    pool.on('error', () => {});
    // Nor may a checked-out one: the pool stops listening while a client is lent out, and a
    // server shutdown (57P01) between two statements of a transaction would then be an
    // unhandled 'error' event. The statement in flight still fails (a 503); on release the
    // pool sees the dead client and drops it.
    pool.on('connect', (client) => {
      client.on('error', () => {});
      // Queued ahead of the statements the client is lent out for (src/db/prepared-statements.ts).
      if (prepare) client.query(CUSTOM_PLANS).catch(() => {});
    });
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    const invalidations = new PostgresInvalidations({ url: options.url });
    return {
      db,
      kind: 'postgres',
      invalidations,
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      close: async () => {
        await invalidations.close();
        await db.destroy();
      },
    };
  }

  const release = options.dataDir ? lockDataDir(options.dataDir) : () => {};
  let pglite: PGlite;
  try {
    pglite = new PGlite(options.dataDir);
    await pglite.waitReady;
  } catch (err) {
    release();
    throw err;
  }
  const db = new Kysely<Tables>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    invalidations: new LocalInvalidations(),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await db.destroy();
      // Kysely destroys only a driver it has used; the files must be released either way.
      if (!pglite.closed) await pglite.close();
      release();
    },
  };
}

/**
 * PGlite's files must be opened by one process at a time; a second one would corrupt them.
 * The lock names the holder's pid; a lock left by a dead process is taken over.
 */
const heldByThisProcess = new Set<string>();

function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = resolvePath(dataDir, '.gatehouse.lock');
  if (heldByThisProcess.has(lockFile)) {
    throw new DatabaseLockedError(`the embedded database in ${dataDir} is already open in this process`);
  }
  try {
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new DatabaseLockedError(
        `the embedded database in ${dataDir} is in use by process ${holder}; stop it, or use the admin API (the CLI does) while it runs`,
      );
    }
  } catch (err) {
    if (err instanceof DatabaseLockedError) throw err;
  }
  writeFileSync(lockFile, String(process.pid));
  heldByThisProcess.add(lockFile);
  return () => {
    heldByThisProcess.delete(lockFile);
    rmSync(lockFile, { force: true });
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'gatehouse_migrations',
    migrationLockTableName: 'gatehouse_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export const queryLogger =
  (log: (message: string) => void): Logger =>
  (event) => {
    if (event.level === 'error') log(`query failed: ${event.query.sql}`);
  };
