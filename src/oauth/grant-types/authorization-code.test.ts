/** Redeeming an authorization code (RFC 6749 4.1.3, RFC 7636 4.6) against an in-memory code store. */
import { describe, expect, it } from 'vitest';
import { challengeFor } from '../../crypto/pkce.js';
import { hashSecret } from '../../crypto/tokens.js';
import type { Client } from '../../db/schema.js';
import type { CodeWithGrant } from '../../tokens/authorization-codes.js';
import type { Spend } from '../../tokens/spend.js';
import { readParams } from '../params.js';
import { clock, fakeIssuer, NOW, recordingEvents, testActor, testClient } from '../test-support.js';
import { type AuthorizationCodeStorage, authorizationCodeGrant } from './authorization-code.js';

const VERIFIER = 'a-verifier-of-forty-three-characters-or-more-0123456789';

function codeRow(overrides: Partial<CodeWithGrant> = {}): CodeWithGrant {
  return {
    hash: hashSecret('the-code'),
    grant_id: 'grant-1',
    client_id: 'client-1',
    redirect_uri: 'https://app.example/callback',
    redirect_uri_sent: true,
    code_challenge: challengeFor(VERIFIER, 'S256'),
    code_challenge_method: 'S256',
    nonce: null,
    expires_at: new Date(NOW + 60_000),
    consumed_at: null,
    created_at: new Date(NOW),
    subject: 'person-1',
    scope: 'openid offline_access',
    audience: [],
    session_id: 'session-1',
    auth_time: new Date(NOW),
    acr: null,
    amr: [],
    id_token_claims: {},
    grant_revoked_at: null,
    ...overrides,
  };
}

/** A code store in a Map: spending is "consumed_at is null", as the real statement's WHERE. */
function inMemoryCodes(rows: CodeWithGrant[]) {
  const byHash = new Map(rows.map((row) => [row.hash, { ...row }]));
  const stored: Spend['tokens'] = [];
  const storage: AuthorizationCodeStorage = {
    find: async (hash) => byHash.get(hash),
    consume: async (hash, now) => {
      const row = byHash.get(hash);
      if (row && row.consumed_at === null) row.consumed_at = now;
    },
    spend: async ({ hash, at, tokens }) => {
      const row = byHash.get(hash);
      if (!row || row.consumed_at !== null) return false;
      row.consumed_at = at;
      stored.push(...tokens);
      return true;
    },
  };
  return { storage, byHash, stored };
}

function setUp(rows: CodeWithGrant[] = [codeRow()], client: Client = testClient()) {
  const codes = inMemoryCodes(rows);
  const revoked: string[] = [];
  const events = recordingEvents();
  const grant = authorizationCodeGrant({
    codes: codes.storage,
    grants: {
      revokeGrant: async (id) => {
        revoked.push(id);
        return true;
      },
    },
    issuer: fakeIssuer(),
    events,
    now: clock,
  });
  const redeem = (params: Record<string, string>) =>
    grant.handle({ actor: testActor(), client, params: readParams({ code: 'the-code', ...params }), lenientRedirectUri: false });
  const spent = () => codes.byHash.get(hashSecret('the-code'))?.consumed_at !== null;
  return { redeem, codes, revoked, events, spent };
}

const redirect_uri = 'https://app.example/callback';
const invalidGrant = { error: 'invalid_grant' };

describe('authorization_code grant', () => {
  it('redeems a live code once, storing the tokens it buys in the same spend', async () => {
    const { redeem, codes, spent } = setUp();
    const response = await redeem({ redirect_uri, code_verifier: VERIFIER });
    expect(response).toMatchObject({ access_token: 'at-1', refresh_token: 'rt-1', scope: 'openid offline_access' });
    expect(spent()).toBe(true);
    expect(codes.stored.map((t) => t.kind)).toEqual(['access', 'refresh']);
  });

  it('refuses a code_verifier that does not match the S256 challenge, and spends the code', async () => {
    const { redeem, codes, spent } = setUp();
    await expect(redeem({ redirect_uri, code_verifier: `${VERIFIER}x` })).rejects.toMatchObject(invalidGrant);
    expect(spent()).toBe(true);
    expect(codes.stored).toEqual([]);
  });

  it('refuses a redirect_uri other than the authorization request’s, and one left out that was sent', async () => {
    const other = setUp();
    await expect(other.redeem({ redirect_uri: 'https://app.example/other', code_verifier: VERIFIER })).rejects.toMatchObject(
      invalidGrant,
    );
    expect(other.spent()).toBe(true);
    const omitted = setUp();
    await expect(omitted.redeem({ code_verifier: VERIFIER })).rejects.toMatchObject(invalidGrant);
  });

  it('refuses an expired code', async () => {
    const { redeem, codes } = setUp([codeRow({ expires_at: new Date(NOW) })]);
    await expect(redeem({ redirect_uri, code_verifier: VERIFIER })).rejects.toMatchObject({
      ...invalidGrant,
      description: 'The code has expired.',
    });
    expect(codes.stored).toEqual([]);
  });

  it('revokes what a code issued when it is presented again (4.1.2), and says so in an event', async () => {
    const { redeem, revoked, events } = setUp();
    await redeem({ redirect_uri, code_verifier: VERIFIER });
    await expect(redeem({ redirect_uri, code_verifier: VERIFIER })).rejects.toMatchObject(invalidGrant);
    expect(revoked).toEqual(['grant-1']);
    expect(events.seen).toEqual([{ type: 'code.replayed', clientId: 'client-1', grantId: 'grant-1' }]);
  });

  it("refuses another client's code without spending it or revoking its grant", async () => {
    const { redeem, revoked, spent } = setUp([codeRow()], testClient({ id: 'client-2' }));
    await expect(redeem({ redirect_uri, code_verifier: VERIFIER })).rejects.toMatchObject(invalidGrant);
    expect(spent()).toBe(false);
    expect(revoked).toEqual([]);
  });

  it('refuses a verifier for a code issued without PKCE (RFC 9700 4.8.2)', async () => {
    const { redeem } = setUp([codeRow({ code_challenge: null, code_challenge_method: null })]);
    await expect(redeem({ redirect_uri, code_verifier: VERIFIER })).rejects.toMatchObject(invalidGrant);
  });
});
