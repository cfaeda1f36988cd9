/**
 * The bench's PostgreSQL adapter for oidc-provider behaves as oidc-provider's in-memory one
 * does (lib/adapters/memory_adapter.js): a durable baseline that did less would flatter
 * Gatehouse. PostgreSQL runs only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throwawayDatabase } from '../test/support/database.js';
import { postgresAdapter } from './servers/oidc-provider-postgres.js';

// biome-ignore lint/suspicious/noExplicitAny: oidc-provider's adapter interface is untyped JavaScript
type Adapter = any;

describe.skipIf(process.env.GATEHOUSE_TEST_DB !== 'postgres')('the PostgreSQL adapter of the bench’s oidc-provider', () => {
  let database: { url: string; drop(): Promise<void> };
  let adapter: { Model: new (model: string) => Adapter; close(): Promise<void> };
  const model = (name: string): Adapter => new adapter.Model(name);

  beforeAll(async () => {
    database = await throwawayDatabase(process.env.DATABASE_URL as string);
    adapter = await postgresAdapter(database.url);
  });
  afterAll(async () => {
    await adapter?.close();
    await database?.drop();
  });

  it('finds what it stored, per model, until it expires', async () => {
    await model('AccessToken').upsert('a1', { jti: 'a1', grantId: 'g1', kind: 'AccessToken' }, 60);
    await model('AccessToken').upsert('gone', { jti: 'gone' }, -1);
    expect(await model('AccessToken').find('a1')).toEqual({ jti: 'a1', grantId: 'g1', kind: 'AccessToken' });
    expect(await model('RefreshToken').find('a1')).toBeUndefined();
    expect(await model('AccessToken').find('gone')).toBeUndefined();
    // Upsert replaces.
    await model('AccessToken').upsert('a1', { jti: 'a1', grantId: 'g1', extra: true }, 60);
    expect(await model('AccessToken').find('a1')).toMatchObject({ extra: true });
  });

  it('marks a consumed entry with the time of use, in seconds', async () => {
    await model('AuthorizationCode').upsert('c1', { jti: 'c1', grantId: 'g2' }, 600);
    expect((await model('AuthorizationCode').find('c1')).consumed).toBeUndefined();
    await model('AuthorizationCode').consume('c1');
    const consumed = (await model('AuthorizationCode').find('c1')).consumed;
    expect(Math.abs(consumed - Date.now() / 1000)).toBeLessThan(5);
  });

  it('finds sessions by uid and device codes by user code', async () => {
    await model('Session').upsert('s1', { uid: 'u1', accountId: 'bench-user' }, 60);
    await model('DeviceCode').upsert('d1', { userCode: 'ABCD-EFGH' }, 60);
    expect(await model('Session').findByUid('u1')).toMatchObject({ accountId: 'bench-user' });
    expect(await model('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
    await model('Session').destroy('s1');
    expect(await model('Session').findByUid('u1')).toBeUndefined();
  });

  it('revokes every token of a grant, and only those', async () => {
    await model('AccessToken').upsert('a3', { grantId: 'g3' }, 60);
    await model('RefreshToken').upsert('r3', { grantId: 'g3' }, 60);
    await model('AccessToken').upsert('a4', { grantId: 'g4' }, 60);
    await model('Interaction').upsert('i3', { grantId: 'g3' }, 60);
    await model('Grant').revokeByGrantId('g3');
    expect(await model('Interaction').find('i3')).toBeDefined();
    expect(await model('AccessToken').find('a3')).toBeUndefined();
    expect(await model('RefreshToken').find('r3')).toBeUndefined();
    expect(await model('AccessToken').find('a4')).toBeDefined();
  });
});
