/**
 * The test database: in-memory PGlite by default; with GATEHOUSE_TEST_DB=postgres, a fresh
 * database on the PostgreSQL server of DATABASE_URL, dropped when the suite ends.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/db/database.js';

export const testDbKind = (): 'postgres' | 'pglite' => (process.env.GATEHOUSE_TEST_DB === 'postgres' ? 'postgres' : 'pglite');

export async function openTestDatabase(): Promise<Database> {
  if (testDbKind() === 'pglite') return openDatabase({ kind: 'pglite' });
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('GATEHOUSE_TEST_DB=postgres needs DATABASE_URL');
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 10 });
  return {
    ...database,
    close: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
