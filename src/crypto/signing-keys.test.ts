import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { SecretBox } from './encryption.js';
import { SigningKeyStore } from './signing-key-store.js';
import { SigningKeys } from './signing-keys.js';

let database: Database;
let store: SigningKeyStore;
let keys: SigningKeys;
let clock = Date.parse('2031-05-01T12:00:00Z');
const box = new SecretBox(['a-system-secret-of-at-least-32-characters']);

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  store = new SigningKeyStore(database.db);
  keys = new SigningKeys(store, box, () => clock);
  await keys.ensure();
});
afterAll(() => database?.close());
beforeEach(() => {
  vi.restoreAllMocks();
});

const active = async () => (await keys.list()).filter((k) => k.state === 'active');

describe('SigningKeys', () => {
  it('creates one active key per algorithm on first start, and none again', async () => {
    const first = await active();
    expect(first.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    await keys.ensure();
    expect(await active()).toEqual(first);
  });

  it('stores the private half encrypted, bound to its kid', async () => {
    const [row] = await store.activePrivate();
    expect(row?.private_jwk).not.toContain('"d"');
    expect(() => box.decrypt(row?.private_jwk as string, 'signing-key:another-kid')).toThrow();
  });

  it('signs from the cache: one query per ten seconds, whatever the number of tokens', async () => {
    clock += 60_000;
    const reads = vi.spyOn(store, 'activePrivate');
    const first = await keys.active('ES256');
    await keys.active('ES256');
    await keys.active('RS256');
    expect(reads).toHaveBeenCalledTimes(1);
    clock += 10_001;
    expect((await keys.active('ES256')).kid).toBe(first.kid);
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('rotates: a new active key, the old one retired and still published', async () => {
    const before = await keys.active('RS256');
    const [created] = await keys.rotate('RS256', 'rotated-rs256');
    expect(created).toMatchObject({ kid: 'rotated-rs256', alg: 'RS256', state: 'active' });
    expect((await keys.active('RS256')).kid).toBe('rotated-rs256');
    const old = (await keys.list()).find((k) => k.kid === before.kid);
    expect(old).toMatchObject({ state: 'retired', retired_at: new Date(clock) });
    expect((await keys.jwks()).keys.map((k) => k.kid)).toContain(before.kid);
    await expect(keys.rotate('RS256', 'rotated-rs256')).rejects.toThrow(/already exists/);
    await expect(keys.rotate(undefined, 'named')).rejects.toThrow(/needs an alg/);
  });

  it('deletes a retired key, never an active one', async () => {
    const retired = (await keys.list()).find((k) => k.state === 'retired');
    await expect(keys.remove((await keys.active('ES256')).kid)).rejects.toThrow(/rotate first/);
    await keys.remove(retired?.kid as string);
    expect((await keys.list()).some((k) => k.kid === retired?.kid)).toBe(false);
    await expect(keys.remove(retired?.kid as string)).rejects.toThrow(/No key/);
  });
});
