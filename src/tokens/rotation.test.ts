/**
 * Refresh-token rotation (TokenStore.rotate): concurrent rotations share one statement, and
 * successors are stored exactly when the presented token was live and is now used.
 */
import { randomBytes } from 'node:crypto';
import type { Insertable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import type { TokensTable } from '../db/schema.js';
import { AuthorizationCodeStore } from './authorization-codes.js';
import type { Spend } from './spend.js';
import { TokenStore } from './token-store.js';

let database: Database;
let store: TokenStore;
let codeStore: AuthorizationCodeStore;
const CLIENT = 'rotation-client';
const GRANT = 'rotation-grant';
const expires = new Date(Date.now() + 3_600_000);

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  await database.db
    .insertInto('clients')
    .values({
      id: CLIENT,
      name: 'Rotation',
      status: 'approved',
      scope: 'openid',
      application_type: 'web',
      skip_consent: false,
      updated_at: new Date(),
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: '[]',
      post_logout_redirect_uris: '[]',
      grant_types: '["refresh_token"]',
      response_types: '[]',
      audience: '[]',
      contacts: '[]',
      metadata: '{}',
    })
    .execute();
  await database.db.insertInto('grants').values({ id: GRANT, client_id: CLIENT, subject: 'user-1', scope: 'openid' }).execute();
  store = new TokenStore(database.db, database.invalidations);
  codeStore = new AuthorizationCodeStore(database.db);
});
afterAll(() => database?.close());

const unique = (prefix: string) => `${prefix}-${randomBytes(8).toString('hex')}`;

const tokenRow = (hash: string, kind: 'access' | 'refresh'): Insertable<TokensTable> => ({
  hash,
  kind,
  grant_id: GRANT,
  client_id: CLIENT,
  subject: 'user-1',
  scope: 'openid',
  audience: '[]',
  expires_at: expires,
});

async function liveRefreshToken(): Promise<string> {
  const hash = unique('rt');
  await database.db.insertInto('tokens').values(tokenRow(hash, 'refresh')).execute();
  return hash;
}

/** A rotation of `hash` with fresh successor hashes (an access and a refresh token). */
const rotation = (hash: string): Spend => ({
  hash,
  at: new Date(),
  tokens: [tokenRow(unique('next-at'), 'access'), tokenRow(unique('next-rt'), 'refresh')],
});

async function existing(hashes: string[]): Promise<string[]> {
  if (hashes.length === 0) return [];
  const rows = await database.db.selectFrom('tokens').select('hash').where('hash', 'in', hashes).execute();
  return rows.map((r) => r.hash).sort();
}

const successors = (r: Spend) => r.tokens.map((t) => t.hash);

describe('TokenStore.rotate', () => {
  it('rotates many distinct live refresh tokens at once, storing each one’s successors', async () => {
    const hashes = await Promise.all(Array.from({ length: 25 }, () => liveRefreshToken()));
    const rotations = hashes.map(rotation);
    const results = await Promise.all(rotations.map((r) => store.rotate(r)));
    expect(results).toEqual(hashes.map(() => true));
    const all = rotations.flatMap(successors);
    expect(await existing(all)).toEqual([...all].sort());
    const parents = await database.db.selectFrom('tokens').select(['hash', 'rotated_at']).where('hash', 'in', hashes).execute();
    expect(parents).toHaveLength(hashes.length);
    for (const parent of parents) expect(parent.rotated_at).toBeInstanceOf(Date);
  });

  it('lets only one of two concurrent presentations of the same token win', async () => {
    const hash = await liveRefreshToken();
    const first = rotation(hash);
    const second = rotation(hash);
    // Submitted in one turn, they share a batch: the first presented wins, the other is a reuse.
    const results = await Promise.all([store.rotate(first), store.rotate(second)]);
    expect(results).toEqual([true, false]);
    expect(await existing(successors(first))).toEqual(successors(first).sort());
    expect(await existing(successors(second))).toEqual([]);
  });

  it('lets only one win when the same token is presented in separate turns too', async () => {
    const hash = await liveRefreshToken();
    const first = rotation(hash);
    expect(await store.rotate(first)).toBe(true);
    const again = rotation(hash);
    expect(await store.rotate(again)).toBe(false);
    expect(await existing(successors(again))).toEqual([]);
  });

  it('refuses rotated, revoked, unknown and access tokens without storing successors', async () => {
    const rotated = await liveRefreshToken();
    await database.db.updateTable('tokens').set({ rotated_at: new Date() }).where('hash', '=', rotated).execute();
    const revoked = await liveRefreshToken();
    await store.revokeToken(revoked, new Date());
    const access = unique('at');
    await database.db.insertInto('tokens').values(tokenRow(access, 'access')).execute();
    const live = await liveRefreshToken();

    // One batch mixing dead tokens with a live one: only the live one's successors appear.
    const rotations = [rotated, revoked, unique('unknown'), access, live].map(rotation);
    const results = await Promise.all(rotations.map((r) => store.rotate(r)));
    expect(results).toEqual([false, false, false, false, true]);
    for (const [i, r] of rotations.entries()) {
      expect(await existing(successors(r))).toEqual(results[i] ? successors(r).sort() : []);
    }
    const revokedRow = await database.db.selectFrom('tokens').select('rotated_at').where('hash', '=', revoked).executeTakeFirst();
    expect(revokedRow?.rotated_at).toBeNull();
  });
});

describe('AuthorizationCodeStore.spend', () => {
  async function liveCode(expiresAt = expires): Promise<string> {
    const hash = unique('ac');
    await database.db
      .insertInto('authorization_codes')
      .values({
        hash,
        grant_id: GRANT,
        client_id: CLIENT,
        redirect_uri: 'https://app.example/callback',
        redirect_uri_sent: true,
        expires_at: expiresAt,
      })
      .execute();
    return hash;
  }

  it('spends each code once and stores its tokens exactly when it was spent', async () => {
    const codes = await Promise.all(Array.from({ length: 10 }, () => liveCode()));
    const spends = codes.map(rotation);
    const twice = rotation(codes[0] as string);
    const results = await Promise.all([...spends.map((s) => codeStore.spend(s)), codeStore.spend(twice)]);
    expect(results).toEqual([...codes.map(() => true), false]);
    const all = spends.flatMap(successors);
    expect(await existing(all)).toEqual([...all].sort());
    expect(await existing(successors(twice))).toEqual([]);
    const rows = await database.db.selectFrom('authorization_codes').select('consumed_at').where('hash', 'in', codes).execute();
    for (const row of rows) expect(row.consumed_at).toBeInstanceOf(Date);
  });

  it('refuses a spent or unknown code, and a refresh token presented as a code, storing nothing', async () => {
    const spent = await liveCode();
    expect(await codeStore.spend(rotation(spent))).toBe(true);
    const refresh = await liveRefreshToken();
    const attempts = [spent, unique('unknown'), refresh].map(rotation);
    expect(await Promise.all(attempts.map((a) => codeStore.spend(a)))).toEqual([false, false, false]);
    expect(await existing(attempts.flatMap(successors))).toEqual([]);
    const refreshRow = await database.db.selectFrom('tokens').select('rotated_at').where('hash', '=', refresh).executeTakeFirst();
    expect(refreshRow?.rotated_at).toBeNull();
  });
});
