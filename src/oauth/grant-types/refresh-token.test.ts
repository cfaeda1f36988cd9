/** Refresh-token rotation (RFC 6749 6, RFC 9700 4.14.2) against an in-memory token store. */
import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../crypto/tokens.js';
import type { Client } from '../../db/schema.js';
import type { TokenWithGrant } from '../../tokens/token-store.js';
import { readParams } from '../params.js';
import { clock, fakeIssuer, NOW, recordingEvents, storedToken, testActor, testClient } from '../test-support.js';
import { type RefreshTokenStorage, refreshTokenGrant } from './refresh-token.js';

const PRESENTED = 'the-refresh-token';
const live = (overrides: Partial<TokenWithGrant> = {}) =>
  storedToken({ hash: hashSecret(PRESENTED), kind: 'refresh', scope: 'openid offline_access email', ...overrides });

/** A token store in a Map: rotating is "rotated_at and revoked_at are null", as the real statement's WHERE. */
function setUp(rows: TokenWithGrant[], client: Client = testClient()) {
  const byHash = new Map(rows.map((row) => [row.hash, { ...row }]));
  const stored: TokenWithGrant[] = [];
  const revoked: string[] = [];
  const storage: RefreshTokenStorage = {
    findToken: async (hash) => byHash.get(hash),
    rotate: async ({ hash, at, tokens }) => {
      const row = byHash.get(hash);
      if (row?.kind !== 'refresh' || row.rotated_at !== null || row.revoked_at !== null) return false;
      row.rotated_at = at;
      for (const token of tokens) {
        const next = storedToken({ hash: token.hash, kind: token.kind, scope: token.scope });
        byHash.set(token.hash, next);
        stored.push(next);
      }
      return true;
    },
    revokeGrant: async (id) => {
      revoked.push(id);
      return true;
    },
  };
  const events = recordingEvents();
  const grant = refreshTokenGrant({ grants: storage, issuer: fakeIssuer(), events, now: clock });
  const refresh = (params: Record<string, string> = {}) =>
    grant.handle({
      actor: testActor(),
      client,
      params: readParams({ refresh_token: PRESENTED, ...params }),
      lenientRedirectUri: false,
    });
  return { refresh, byHash, stored, revoked, events };
}

describe('refresh_token grant', () => {
  it('rotates: the presented token is used up, and a successor refresh token comes back', async () => {
    const { refresh, byHash, stored } = setUp([live()]);
    const response = await refresh();
    expect(response).toMatchObject({ access_token: 'at-1', refresh_token: 'rt-1', scope: 'openid offline_access email' });
    expect(byHash.get(hashSecret(PRESENTED))?.rotated_at).toEqual(new Date(NOW));
    expect(stored.map((t) => t.kind)).toEqual(['access', 'refresh']);
  });

  it('revokes the whole family when a rotated token is presented again, and says so in an event', async () => {
    const { refresh, revoked, events } = setUp([live({ rotated_at: new Date(NOW - 1000) })]);
    await expect(refresh()).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(revoked).toEqual(['grant-1']);
    expect(events.seen).toEqual([{ type: 'refresh_token.reused', clientId: 'client-1', grantId: 'grant-1' }]);
  });

  it('treats losing a concurrent rotation as a reuse', async () => {
    const { refresh, revoked } = setUp([live()]);
    const results = await Promise.allSettled([refresh(), refresh()]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(revoked).toEqual(['grant-1']);
  });

  it('narrows the access token to a scope asked, while the successor refresh token keeps the whole grant', async () => {
    const { refresh, stored } = setUp([live()]);
    expect(await refresh({ scope: 'openid' })).toMatchObject({ scope: 'openid' });
    expect(stored.map((t) => [t.kind, t.scope])).toEqual([
      ['access', 'openid'],
      ['refresh', 'openid offline_access email'],
    ]);
  });

  it('refuses a scope beyond the grant, and one the client may no longer have', async () => {
    const widened = testClient({ scope: 'openid offline_access email phone' });
    await expect(setUp([live()], widened).refresh({ scope: 'openid phone' })).rejects.toMatchObject({
      error: 'invalid_scope',
      description: 'The requested scope exceeds the scope originally granted.',
    });
    const narrowed = testClient({ scope: 'openid offline_access' });
    await expect(setUp([live()], narrowed).refresh({ scope: 'email' })).rejects.toMatchObject({ error: 'invalid_scope' });
  });

  it('narrows the grant to what the client may still have when no scope is asked', async () => {
    const { refresh, stored } = setUp([live()], testClient({ scope: 'openid offline_access' }));
    expect(await refresh()).toMatchObject({ scope: 'openid offline_access' });
    expect(stored.find((t) => t.kind === 'refresh')?.scope).toBe('openid offline_access');
  });

  it("refuses an expired, a revoked, an access and another client's token without revoking anything", async () => {
    const cases: [Partial<TokenWithGrant>, Client?][] = [
      [{ expires_at: new Date(NOW) }],
      [{ revoked_at: new Date(NOW - 1) }],
      [{ grant_revoked_at: new Date(NOW - 1) }],
      [{ kind: 'access' }],
      [{}, testClient({ id: 'client-2' })],
    ];
    for (const [overrides, client] of cases) {
      const { refresh, revoked } = setUp([live(overrides)], client);
      await expect(refresh()).rejects.toMatchObject({ error: 'invalid_grant' });
      expect(revoked).toEqual([]);
    }
  });
});
