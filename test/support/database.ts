/**
 * The test database: in-memory PGlite by default; with GATEHOUSE_TEST_DB=postgres, a fresh
 * database on the PostgreSQL server of DATABASE_URL, dropped when the suite ends.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/db/database.js';

export const testDbKind = (): 'postgres' | 'pglite' => (process.env.GATEHOUSE_TEST_DB === 'postgres' ? 'postgres' : 'pglite');

/** One statement on its own connection to `serverUrl` (creating and dropping databases, altering them). */
export async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A uniquely named database on the PostgreSQL server of `serverUrl`; `drop` removes it (forcing connections off). */
export async function throwawayDatabase(
  serverUrl: string,
  prefix = 'gatehouse_test',
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(serverUrl, `drop database if exists ${name} with (force)`) };
}

export async function openTestDatabase(): Promise<Database> {
  if (testDbKind() === 'pglite') return openDatabase({ kind: 'pglite' });
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('GATEHOUSE_TEST_DB=postgres needs DATABASE_URL');
  const throwaway = await throwawayDatabase(serverUrl);
  const database = await openDatabase({ kind: 'postgres', url: throwaway.url, poolSize: 10 });
  return {
    ...database,
    close: async () => {
      await database.close();
      await throwaway.drop();
    },
  };
}
