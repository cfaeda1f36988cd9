import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { hashSecret } from '../crypto/tokens.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { systemActor } from '../events/actor.js';
import type { GatehouseEvent } from '../events/events.js';
import { OAuthError } from '../oauth/errors.js';
import { InitialAccessTokenStore } from './initial-access-token-store.js';
import { InitialAccessTokens } from './initial-access-tokens.js';

let database: Database;
const start = Date.parse('2031-05-01T12:00:00Z');
let clock = start;
const events: GatehouseEvent[] = [];
let tokens: InitialAccessTokens;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  tokens = new InitialAccessTokens({
    store: new InitialAccessTokenStore(database.db),
    now: () => clock,
    events: {
      emit: async (event) => {
        events.push(event);
      },
    },
  });
});
afterAll(() => database?.close());
beforeEach(() => {
  clock = start;
  events.length = 0;
});

describe('initial access tokens', () => {
  it('stores only the hash, shows the value once and emits created / deleted', async () => {
    const created = await tokens.create(systemActor(), { description: '  partner  ', uses: 2, expiresIn: 3600 });
    expect(created).toMatchObject({
      description: 'partner',
      uses_left: 2,
      expires_at: new Date(start + 3600_000).toISOString(),
      created_at: new Date(start).toISOString(),
      active: true,
    });
    const row = await database.db
      .selectFrom('initial_access_tokens')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashSecret(created.token));
    expect(JSON.stringify(await tokens.list())).not.toContain(created.token);
    await tokens.remove(systemActor(), created.id);
    expect(events).toEqual([
      { type: 'initial_access_token.created', tokenId: created.id },
      { type: 'initial_access_token.deleted', tokenId: created.id },
    ]);
    await expect(tokens.remove(systemActor(), created.id)).rejects.toMatchObject({ error: 'not_found' });
  });

  it('spends uses down to zero, then refuses; check never spends', async () => {
    const { id, token } = await tokens.create(systemActor(), { uses: 2 });
    expect(await tokens.check(token)).toBe(id);
    expect(await tokens.check(token)).toBe(id);
    expect(await tokens.consume(token)).toBe(id);
    expect(await tokens.consume(token)).toBe(id);
    expect(await tokens.consume(token)).toBeUndefined();
    expect(await tokens.check(token)).toBeUndefined();
    expect((await tokens.list()).find((t) => t.id === id)).toMatchObject({ uses_left: 0, active: false });

    // A refund gives one back; refunding an unlimited token leaves it unlimited.
    await tokens.refund(id);
    expect(await tokens.consume(token)).toBe(id);
    const unlimited = await tokens.create(systemActor(), {});
    for (let i = 0; i < 3; i++) expect(await tokens.consume(unlimited.token)).toBe(unlimited.id);
    await tokens.refund(unlimited.id);
    expect((await tokens.list()).find((t) => t.id === unlimited.id)?.uses_left).toBeNull();
  });

  it('stops working at its expiry, to the millisecond', async () => {
    const { id, token } = await tokens.create(systemActor(), { expiresIn: 60 });
    clock = start + 59_999;
    expect(await tokens.check(token)).toBe(id);
    clock = start + 60_000;
    expect(await tokens.check(token)).toBeUndefined();
    expect(await tokens.consume(token)).toBeUndefined();
    expect((await tokens.list()).find((t) => t.id === id)?.active).toBe(false);
  });

  it('never matches a value of another kind, an empty one or none', async () => {
    await tokens.create(systemActor(), {});
    for (const value of [undefined, '', 'gh_iat_', 'gh_rat_abc', 'gh_at_abc']) {
      expect(await tokens.check(value)).toBeUndefined();
      expect(await tokens.consume(value)).toBeUndefined();
    }
  });

  it('hands the last use to exactly one of many concurrent consumers', async () => {
    const { token } = await tokens.create(systemActor(), { uses: 1 });
    const results = await Promise.all(Array.from({ length: 8 }, () => tokens.consume(token)));
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
  });

  it.each([
    [{ uses: 0 }],
    [{ uses: -1 }],
    [{ uses: 2.5 }],
    [{ uses: 1_000_001 }],
    [{ expiresIn: 0 }],
    [{ expiresIn: 1.5 }],
    [{ expiresIn: 11 * 365 * 86400 }],
    [{ description: 'x'.repeat(201) }],
  ])('refuses %j with invalid_request', async (input) => {
    const error = await tokens.create(systemActor(), input).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: 'invalid_request', status: 400 });
  });
});
