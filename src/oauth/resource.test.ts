/** The resource API's scope rules (RFC 6750 3.1, OIDC Core 5.3 and 5.4) and what it reads. */
import { describe, expect, it } from 'vitest';
import { IDENTITIES_CLAIM } from '../accounts/user-fields.js';
import type { Account } from '../db/schema.js';
import { openIdSubject, ResourceApi, scopesToRead } from './resource.js';
import { ScopeCatalogue } from './scopes.js';
import { NOW } from './test-support.js';
import type { ActiveToken } from './token-lookup.js';

const insufficient = { error: 'insufficient_scope', status: 403 };

describe('scopesToRead', () => {
  it('reads every granted scope when none is asked', () => {
    expect(scopesToRead(['Email', 'EVMAddress'], undefined)).toEqual(['Email', 'EVMAddress']);
  });

  it('reads the scopes asked when all were granted, and refuses one that was not', () => {
    expect(scopesToRead(['Email', 'EVMAddress'], ['Email'])).toEqual(['Email']);
    expect(() => scopesToRead(['Email'], ['Email', 'EVMAddress'])).toThrow(expect.objectContaining(insufficient));
  });
});

describe('openIdSubject', () => {
  it('is the subject of a token granted openid, and insufficient_scope otherwise', () => {
    expect(openIdSubject({ scope: ['openid'], subject: 'person-1' })).toBe('person-1');
    expect(() => openIdSubject({ scope: ['email'], subject: 'person-1' })).toThrow(expect.objectContaining(insufficient));
    expect(() => openIdSubject({ scope: ['openid'], subject: null })).toThrow(expect.objectContaining(insufficient));
  });
});

describe('ResourceApi', () => {
  const account = { id: 'person-1', email: 'a@example.com', email_verified: true, phone: null } as unknown as Account;
  const token = (scope: string[]): ActiveToken => ({
    kind: 'access',
    clientId: 'client-1',
    subject: 'person-1',
    scope,
    audience: [],
    issuedAt: new Date(NOW),
    expiresAt: new Date(NOW + 60_000),
    grantId: 'grant-1',
    ext: {},
    idTokenClaims: { sub: 'forged', nickname: 'Ada' },
  });
  const api = (scope: string[]) =>
    new ResourceApi({
      tokens: { bearer: async () => token(scope) },
      profiles: { read: async () => ({ account, identities: [] }) },
      scopes: new ScopeCatalogue('GatehouseID'),
    });

  it('gives userinfo the claims of the granted scopes, the consent’s extra claims, and the subject', async () => {
    const claims = await api(['openid', 'email']).userinfo('at');
    expect(claims).toMatchObject({ sub: 'person-1', nickname: 'Ada', email: 'a@example.com', email_verified: true });
    expect(claims).not.toHaveProperty(IDENTITIES_CLAIM);
  });

  it('refuses userinfo to a token without openid', async () => {
    await expect(api(['email']).userinfo('at')).rejects.toMatchObject(insufficient);
  });

  it('gives the Galxe fields of the scopes asked, or of every granted one', async () => {
    expect(await api(['Email', 'GatehouseID']).galxeUser('at', 'Email')).toEqual({ Email: 'a@example.com' });
    expect(await api(['Email', 'GatehouseID']).galxeUser('at', undefined)).toEqual({
      Email: 'a@example.com',
      GatehouseID: 'person-1',
    });
    await expect(api(['Email']).galxeUser('at', 'Email GatehouseID')).rejects.toMatchObject(insufficient);
  });
});
