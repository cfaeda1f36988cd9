/**
 * The background clean-up (TokenStore.deleteExpired): everything expired goes, however much
 * there is (it deletes in chunks), nothing live goes with it, and a stopping node ends it early.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { until } from '../../test/support/until.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { TokenStore } from './token-store.js';

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  await sql`insert into clients (id, name, status, scope, application_type, skip_consent, updated_at,
      token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, grant_types, response_types,
      audience, contacts, metadata)
    values ('cleanup', 'Clean-up', 'approved', 'email', 'web', false, now(), 'client_secret_basic',
      '[]', '[]', '["client_credentials"]', '[]', '[]', '[]', '{}')`.execute(database.db);
});
afterAll(() => database?.close());

it('removes more expired tokens than one chunk holds, and keeps every live one', async () => {
  const now = new Date('2026-06-01T00:00:00Z');
  // 12,345 expired (more than two chunks) and 100 live, interleaved by hash order.
  await sql`insert into tokens (hash, kind, client_id, scope, expires_at)
    select 'expired-' || g, 'access', 'cleanup', 'email', ${now}::timestamptz - interval '1 second'
    from generate_series(1, 12345) g`.execute(database.db);
  await sql`insert into tokens (hash, kind, client_id, scope, expires_at)
    select 'expired-live-' || g, 'access', 'cleanup', 'email', ${now}::timestamptz + interval '1 hour'
    from generate_series(1, 100) g`.execute(database.db);

  const removed = await new TokenStore(database.db, database.invalidations).deleteExpired(now);

  expect(removed).toBe(12345);
  const left = await sql<{ n: number }>`select count(*)::int as n from tokens`.execute(database.db);
  expect(left.rows[0]?.n).toBe(100);
  const expiredLeft = await sql<{ n: number }>`select count(*)::int as n from tokens where expires_at < ${now}`.execute(
    database.db,
  );
  expect(expiredLeft.rows[0]?.n).toBe(0);
});

it('counts a row that expires at this very instant as expired, as every check does', async () => {
  const now = new Date('2026-07-01T00:00:00Z');
  await sql`insert into tokens (hash, kind, client_id, scope, expires_at)
    values ('at-the-instant', 'access', 'cleanup', 'email', ${now}),
           ('a-millisecond-later', 'access', 'cleanup', 'email', ${new Date(now.getTime() + 1)})`.execute(database.db);

  await new TokenStore(database.db, database.invalidations).deleteExpired(now);

  const left = await sql<{
    hash: string;
  }>`select hash from tokens where hash in ('at-the-instant', 'a-millisecond-later')`.execute(database.db);
  expect(left.rows.map((r) => r.hash)).toEqual(['a-millisecond-later']);
});

it('ends after the chunk under way once its node is stopping, leaving the rest for the next pass', async () => {
  const now = new Date('2026-08-01T00:00:00Z');
  await sql`insert into tokens (hash, kind, client_id, scope, expires_at)
    select 'stopping-' || g, 'access', 'cleanup', 'email', ${now}::timestamptz - interval '1 second'
    from generate_series(1, 12000) g`.execute(database.db);
  const store = new TokenStore(database.db, database.invalidations);
  const expiredLeft = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from tokens where expires_at <= ${now}`.execute(database.db)).rows[0]?.n;

  const before = (await expiredLeft()) as number;
  const stopping = new AbortController();
  const pass = store.deleteExpired(now, stopping.signal);
  // The stop comes while the pass rests after its first chunk of tokens (three times the chunk's time).
  await until(async () => ((await expiredLeft()) as number) <= before - 5_000, 'the first chunk of tokens to go');
  stopping.abort();
  expect(await pass).toBe(5_000);
  expect(await expiredLeft()).toBe(before - 5_000);

  await store.deleteExpired(now);
  expect(await expiredLeft()).toBe(0);
});
