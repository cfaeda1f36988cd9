/** What revoking a token ends (RFC 7009 2.1), for the revocation endpoint and a session's end. */
import { describe, expect, it } from 'vitest';
import { hashSecret } from '../crypto/tokens.js';
import type { TokenWithGrant } from '../tokens/token-store.js';
import { readParams } from './params.js';
import { Revocation, type RevocationStorage, revocationTarget } from './revocation.js';
import { clock, recordingEvents, storedToken, testActor, testClient } from './test-support.js';

const row = storedToken;

function setUp(stored: Record<string, TokenWithGrant>) {
  const revoked: string[] = [];
  const store: RevocationStorage = {
    revokeGrant: async (id, reason) => {
      revoked.push(`grant ${id} (${reason})`);
      return true;
    },
    revokeToken: async (hash) => {
      revoked.push(`token ${hash}`);
    },
  };
  const events = recordingEvents();
  const revocation = new Revocation({
    authenticator: { authenticate: async () => testClient() },
    tokens: { find: (token) => stored[token] },
    store,
    events,
    now: clock,
  });
  const revoke = (params: Record<string, string>) =>
    revocation.revokeForClient({ actor: testActor(), authorization: undefined, params: readParams(params), address: 'net' });
  return { revocation, revoke, revoked, events };
}

describe('revocationTarget', () => {
  it('ends the whole grant of a refresh token, and an access token alone', () => {
    expect(revocationTarget('rt', { kind: 'refresh', grantId: 'g' }, false)).toEqual({ grantId: 'g' });
    expect(revocationTarget('at', { kind: 'access', grantId: 'g' }, false)).toEqual({ tokenHash: hashSecret('at') });
  });

  it('ends the grant of an access token when its whole session ends, and a token of no grant alone', () => {
    expect(revocationTarget('at', { kind: 'access', grantId: 'g' }, true)).toEqual({ grantId: 'g' });
    expect(revocationTarget('at', { kind: 'access', grantId: null }, true)).toEqual({ tokenHash: hashSecret('at') });
    expect(revocationTarget('rt', { kind: 'refresh', grantId: null }, false)).toEqual({ tokenHash: hashSecret('rt') });
  });
});

describe('Revocation.revokeForClient', () => {
  it('revokes the grant of a refresh token, and says so in an event', async () => {
    const { revoke, revoked, events } = setUp({ rt: row({ kind: 'refresh' }) });
    await revoke({ token: 'rt' });
    expect(revoked).toEqual(['grant grant-1 (refresh token revoked)']);
    expect(events.seen).toEqual([{ type: 'token.revoked', clientId: 'client-1', kind: 'refresh' }]);
  });

  it('revokes an access token alone', async () => {
    const { revoke, revoked } = setUp({ at: row({ kind: 'access' }) });
    await revoke({ token: 'at' });
    expect(revoked).toEqual([`token ${hashSecret('at')}`]);
  });

  it('answers an unknown token with success and revokes nothing (2.2)', async () => {
    const { revoke, revoked, events } = setUp({});
    await expect(revoke({ token: 'unknown' })).resolves.toBeUndefined();
    expect(revoked).toEqual([]);
    expect(events.seen).toEqual([]);
  });

  it("refuses another client's token, and a request with no token", async () => {
    const { revoke, revoked } = setUp({ theirs: row({ client_id: 'client-2' }) });
    await expect(revoke({ token: 'theirs' })).rejects.toMatchObject({ error: 'unauthorized_client' });
    await expect(revoke({})).rejects.toMatchObject({ error: 'invalid_request' });
    expect(revoked).toEqual([]);
  });
});

describe('Revocation.endSession', () => {
  it("ends the session's grant, or its token when it has none", async () => {
    const { revocation, revoked } = setUp({});
    await revocation.endSession('at-1', 'grant-9', 'signed out');
    await revocation.endSession('at-2', null, 'signed out');
    expect(revoked).toEqual(['grant grant-9 (signed out)', `token ${hashSecret('at-2')}`]);
  });
});
