/** Token introspection (RFC 7662 2.1, 2.2) and Hydra's `scope` parameter, over a stand-in lookup. */
import { describe, expect, it } from 'vitest';
import type { TokenWithGrant } from '../tokens/token-store.js';
import { Introspection } from './introspection.js';
import { readParams } from './params.js';
import { storedToken } from './test-support.js';

const ISSUER = 'https://id.example';

function introspection(active: Record<string, TokenWithGrant>, cached: boolean) {
  return new Introspection({ activeRow: (token) => (cached ? active[token] : Promise.resolve(active[token])) }, ISSUER);
}

describe('Introspection', () => {
  const tokens = { at: storedToken({ scope: 'openid email' }) };

  it('answers a cached token synchronously, and a read one through a promise, alike', async () => {
    const fromCache = introspection(tokens, true).answer(readParams({ token: 'at' }));
    expect(fromCache).not.toBeInstanceOf(Promise);
    expect(fromCache).toMatchObject({ active: true, scope: 'openid email', client_id: 'client-1', iss: ISSUER });
    expect(await introspection(tokens, false).answer(readParams({ token: 'at' }))).toEqual(fromCache);
  });

  it('answers inactive for an unknown token, and for one not granted every scope asked', async () => {
    const service = introspection(tokens, true);
    expect(service.answer(readParams({ token: 'unknown' }))).toEqual({ active: false });
    expect(service.answer(readParams({ token: 'at', scope: 'openid phone' }))).toEqual({ active: false });
    expect(service.answer(readParams({ token: 'at', scope: 'email' }))).toMatchObject({ active: true });
  });

  it('refuses a request with no token', () => {
    expect(() => introspection(tokens, true).answer(readParams({}))).toThrow(
      expect.objectContaining({ error: 'invalid_request' }),
    );
  });
});
