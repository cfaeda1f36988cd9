import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, introspect, pkcePair, runFlow, token } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';

let t: TestGatehouse;
beforeAll(async () => {
  t = await startGatehouse();
});
afterAll(async () => {
  await t?.close();
});

describe('authorization code flow', () => {
  it('issues a code through login and consent, and redeems it for tokens', async () => {
    const client = await createClient(t);
    const { verifier, challenge } = pkcePair();
    const { query } = await runFlow(t, {
      client,
      scope: 'openid offline_access email',
      params: { nonce: 'n-0S6_WzA2Mj', code_challenge: challenge, code_challenge_method: 'S256' },
      session: { id_token: { role: 'tester' }, access_token: { team: 'blue' } },
    });
    expect(query.get('state')).toBe('state-123456');
    expect(query.get('iss')).toBe(t.issuer);
    const code = query.get('code') as string;
    expect(code).toMatch(/^gh_ac_/);

    const response = await token(
      t,
      { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/callback', code_verifier: verifier },
      { basic: [client.client_id, client.client_secret] },
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 86400, scope: 'openid offline_access email' });
    expect(body.access_token).toMatch(/^gh_at_/);
    expect(body.refresh_token).toMatch(/^gh_rt_/);
    const claims = decodeJwt(body.id_token);
    expect(claims).toMatchObject({ iss: t.issuer, sub: 'user-1', aud: client.client_id, nonce: 'n-0S6_WzA2Mj', role: 'tester' });
    expect(claims.at_hash).toBeTypeOf('string');
    expect(claims.sid).toBeTypeOf('string');
    expect(claims.auth_time).toBeTypeOf('number');

    const info = await introspect(t, body.access_token);
    expect(info).toMatchObject({
      active: true,
      client_id: client.client_id,
      sub: 'user-1',
      token_use: 'access_token',
      ext: { team: 'blue' },
    });
  });
});
