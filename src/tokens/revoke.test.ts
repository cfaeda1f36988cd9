/** TokenStore.revoke: a person's (or a client's) grants and tokens, and nobody else's. */
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { TokenStore } from './token-store.js';

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  for (const id of ['app-a', 'app-b']) {
    await sql`insert into clients (id, name, status, scope, application_type, skip_consent, updated_at,
        token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, grant_types, response_types,
        audience, contacts, metadata)
      values (${id}, ${id}, 'approved', 'openid', 'web', false, now(), 'client_secret_basic',
        '[]', '[]', '["authorization_code","client_credentials"]', '["code"]', '[]', '[]', '{}')`.execute(database.db);
  }
  const grants: [string, string, string][] = [
    ['g-alice-a', 'alice', 'app-a'],
    ['g-alice-b', 'alice', 'app-b'],
    ['g-bob-a', 'bob', 'app-a'],
  ];
  for (const [id, subject, client] of grants) {
    await database.db.insertInto('grants').values({ id, client_id: client, subject, scope: 'openid' }).execute();
    await sql`insert into tokens (hash, kind, grant_id, client_id, subject, scope, expires_at)
      values (${`${id}-at`}, 'access', ${id}, ${client}, ${subject}, 'openid', now() + interval '1 hour'),
             (${`${id}-rt`}, 'refresh', ${id}, ${client}, ${subject}, 'openid', now() + interval '1 day')`.execute(database.db);
  }
  // A client's own token (client_credentials): no subject, no grant.
  await sql`insert into tokens (hash, kind, client_id, scope, expires_at)
    values ('cc-a', 'access', 'app-a', 'openid', now() + interval '1 hour')`.execute(database.db);
});
afterAll(() => database?.close());

async function revokedTokens(): Promise<string[]> {
  const rows = await database.db
    .selectFrom('tokens')
    .select('hash')
    .where('revoked_at', 'is not', null)
    .orderBy('hash')
    .execute();
  return rows.map((r) => r.hash);
}

it("revokes one person's grants and tokens with one client, then with all, and nobody else's", async () => {
  const store = new TokenStore(database.db, database.invalidations);
  await store.revoke({ subject: 'alice', clientId: 'app-b' }, 'test', new Date());
  expect(await revokedTokens()).toEqual(['g-alice-b-at', 'g-alice-b-rt']);

  await store.revoke({ subject: 'alice' }, 'test', new Date());
  expect(await revokedTokens()).toEqual(['g-alice-a-at', 'g-alice-a-rt', 'g-alice-b-at', 'g-alice-b-rt']);
  const grants = await database.db.selectFrom('grants').select(['id', 'revoked_at']).orderBy('id').execute();
  expect(grants.map((g) => [g.id, g.revoked_at !== null])).toEqual([
    ['g-alice-a', true],
    ['g-alice-b', true],
    ['g-bob-a', false],
  ]);

  await store.revoke({ clientId: 'app-a' }, 'test', new Date());
  expect(await revokedTokens()).toEqual([
    'cc-a',
    'g-alice-a-at',
    'g-alice-a-rt',
    'g-alice-b-at',
    'g-alice-b-rt',
    'g-bob-a-at',
    'g-bob-a-rt',
  ]);
});
