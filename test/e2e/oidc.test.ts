import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createClient, introspect, runFlow, token } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';

let t: TestGatehouse;
beforeAll(async () => {
  t = await startGatehouse();
});
afterAll(() => t?.close());

async function codeFor(client: Awaited<ReturnType<typeof createClient>>, scope: string, subject = 'user-1') {
  const { query } = await runFlow(t, { client, scope, subject });
  return query.get('code') as string;
}

async function tokensFor(client: Awaited<ReturnType<typeof createClient>>, scope: string, subject = 'user-1') {
  const code = await codeFor(client, scope, subject);
  const response = await token(
    t,
    { grant_type: 'authorization_code', code, redirect_uri: client.redirect_uris[0] as string },
    { basic: [client.client_id, client.client_secret] },
  );
  expect(response.statusCode).toBe(200);
  return response.json();
}

describe('discovery and keys', () => {
  it('publishes OIDC and RFC 8414 metadata that agree', async () => {
    const oidc = (await t.publicApp.inject('/.well-known/openid-configuration')).json();
    const rfc8414 = (await t.publicApp.inject('/.well-known/oauth-authorization-server')).json();
    expect(rfc8414).toEqual(oidc);
    expect(oidc).toMatchObject({
      issuer: t.issuer,
      authorization_endpoint: `${t.issuer}/oauth2/auth`,
      token_endpoint: `${t.issuer}/oauth2/token`,
      jwks_uri: `${t.issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256', 'plain'],
      authorization_response_iss_parameter_supported: true,
    });
    expect(oidc.grant_types_supported).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
    expect(oidc.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'offline_access', 'Email', 'EVMAddress', 'GatehouseID']),
    );
  });

  it('signs with ES256 for a client that asks, verifiable against the JWKS, and keeps verifying after rotation', async () => {
    const client = await createClient(t, { id_token_signed_response_alg: 'ES256' });
    const first = await tokensFor(client, 'openid');
    expect(decodeProtectedHeader(first.id_token).alg).toBe('ES256');
    const jwks = createLocalJWKSet((await t.publicApp.inject('/.well-known/jwks.json')).json());
    await jwtVerify(first.id_token, jwks, { issuer: t.issuer, audience: client.client_id });

    const rotated = await admin(t, 'POST', '/admin/keys/gatehouse.openid.id-token');
    expect(rotated.statusCode).toBe(201);
    const newKids = rotated.json().keys.map((k: { kid: string }) => k.kid);
    expect(newKids).toHaveLength(2);
    const after = (await t.publicApp.inject('/.well-known/jwks.json')).json();
    const oldKid = decodeProtectedHeader(first.id_token).kid;
    expect(after.keys.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining([...newKids, oldKid]));
    await jwtVerify(first.id_token, createLocalJWKSet(after), { issuer: t.issuer });

    // A new ID token is signed with the new key.
    const second = await tokensFor(client, 'openid');
    expect(newKids).toContain(decodeProtectedHeader(second.id_token).kid);
    // The active key cannot be deleted; a retired one can, and leaves the JWKS.
    const activeKid = decodeProtectedHeader(second.id_token).kid;
    expect((await admin(t, 'DELETE', `/admin/keys/gatehouse.openid.id-token/${activeKid}`)).statusCode).toBe(409);
    expect((await admin(t, 'DELETE', `/admin/keys/gatehouse.openid.id-token/${oldKid}`)).statusCode).toBe(204);
    const pruned = (await t.publicApp.inject('/.well-known/jwks.json')).json();
    expect(pruned.keys.map((k: { kid: string }) => k.kid)).not.toContain(oldKid);
    expect((await admin(t, 'GET', '/admin/keys/nope')).statusCode).toBe(404);
  });
});

describe('client_credentials', () => {
  it('issues a token for the client itself, with no refresh token and no user scopes', async () => {
    const client = await createClient(t, { grant_types: ['client_credentials'], scope: 'Email openid', redirect_uris: [] });
    const response = await token(
      t,
      { grant_type: 'client_credentials', scope: 'Email' },
      { basic: [client.client_id, client.client_secret] },
    );
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.refresh_token).toBeUndefined();
    expect(body.id_token).toBeUndefined();
    expect(await introspect(t, body.access_token)).toMatchObject({ active: true, sub: client.client_id, scope: 'Email' });

    const openid = await token(
      t,
      { grant_type: 'client_credentials', scope: 'openid' },
      { basic: [client.client_id, client.client_secret] },
    );
    expect(openid.json().error).toBe('invalid_scope');
    const code = await token(
      t,
      { grant_type: 'authorization_code', code: 'x' },
      { basic: [client.client_id, client.client_secret] },
    );
    expect(code.json().error).toBe('unauthorized_client');
  });
});

describe('introspection', () => {
  it("dates tokens by Gatehouse's clock, which may differ from the database's", async () => {
    const client = await createClient(t, { grant_types: ['client_credentials'], scope: 'Email', redirect_uris: [] });
    // The test clock runs three days ahead of PostgreSQL's now(). It also runs in real time,
    // so a token's iat is bracketed by the clock's second before and after its request.
    t.advance(3 * 86_400);
    const second = () => Math.floor(t.gh.now() / 1000);
    const datedBetween = (answer: { iat: number }, from: number, to: number) => {
      expect(answer.iat).toBeGreaterThanOrEqual(from);
      expect(answer.iat).toBeLessThanOrEqual(to);
    };
    const before = second();
    const issued = await token(t, { grant_type: 'client_credentials' }, { basic: [client.client_id, client.client_secret] });
    const after = second();
    const answer = await introspect(t, issued.json().access_token);
    expect(answer).toMatchObject({ active: true, nbf: answer.iat });
    datedBetween(answer, before, after);
    expect(answer.exp - answer.iat).toBe(issued.json().expires_in);

    // Tokens stored with a spent code (and with a rotation: the same statement) too.
    const client2 = await createClient(t);
    const flowStart = second();
    const exchanged = await tokensFor(client2, 'openid offline_access');
    const flowEnd = second();
    const refresh = await introspect(t, exchanged.refresh_token);
    expect(refresh).toMatchObject({ active: true });
    datedBetween(refresh, flowStart, flowEnd);
  });

  it('leaves scope out for a token granted none (RFC 7662: scope is optional), and names it otherwise', async () => {
    const client = await createClient(t, { grant_types: ['client_credentials'], scope: '', redirect_uris: [] });
    const issued = await token(t, { grant_type: 'client_credentials' }, { basic: [client.client_id, client.client_secret] });
    expect(issued.statusCode).toBe(200);
    const answer = await introspect(t, issued.json().access_token);
    expect(answer).toMatchObject({ active: true, client_id: client.client_id });
    expect(answer).not.toHaveProperty('scope');

    const scoped = await createClient(t, { grant_types: ['client_credentials'], scope: 'Email', redirect_uris: [] });
    const withScope = await token(
      t,
      { grant_type: 'client_credentials', scope: 'Email' },
      { basic: [scoped.client_id, scoped.client_secret] },
    );
    expect(await introspect(t, withScope.json().access_token)).toMatchObject({ active: true, scope: 'Email' });
  });
});

describe('refresh and revocation', () => {
  it('narrows the scope of a refreshed access token but keeps the family scope', async () => {
    const client = await createClient(t);
    const tokens = await tokensFor(client, 'openid offline_access Email');
    const narrowed = await token(
      t,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, scope: 'Email' },
      { basic: [client.client_id, client.client_secret] },
    );
    expect(narrowed.statusCode).toBe(200);
    expect(narrowed.json().scope).toBe('Email');
    expect(narrowed.json().id_token).toBeUndefined();
    const again = await token(
      t,
      { grant_type: 'refresh_token', refresh_token: narrowed.json().refresh_token },
      { basic: [client.client_id, client.client_secret] },
    );
    expect(again.json().scope).toBe('openid offline_access Email');
    const wider = await token(
      t,
      { grant_type: 'refresh_token', refresh_token: again.json().refresh_token, scope: 'Email Twitter' },
      { basic: [client.client_id, client.client_secret] },
    );
    expect(wider.json().error).toBe('invalid_scope');
  });

  it('gives no refresh token to an OpenID request without offline_access', async () => {
    const client = await createClient(t);
    expect((await tokensFor(client, 'openid Email')).refresh_token).toBeUndefined();
    expect((await tokensFor(client, 'Email')).refresh_token).toMatch(/^gh_rt_/);
  });

  it('revokes a refresh token with its access tokens, and refuses another client’s token', async () => {
    const client = await createClient(t);
    const other = await createClient(t);
    const tokens = await tokensFor(client, 'openid offline_access');
    const form = (tokenValue: string, c: typeof client) =>
      t.publicApp.inject({
        method: 'POST',
        url: '/oauth2/revoke',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token: tokenValue, client_id: c.client_id, client_secret: c.client_secret }).toString(),
      });
    const foreign = await form(tokens.refresh_token, other);
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error).toBe('unauthorized_client');
    expect((await introspect(t, tokens.access_token)).active).toBe(true);

    expect((await form(tokens.refresh_token, client)).statusCode).toBe(200);
    expect((await introspect(t, tokens.access_token)).active).toBe(false);
    expect((await introspect(t, tokens.refresh_token)).active).toBe(false);
    // Unknown tokens are not an error (RFC 7009 2.2).
    expect((await form('gh_at_unknown', client)).statusCode).toBe(200);
  });
});

describe('userinfo', () => {
  it('answers the claims of the granted scopes from the account, and the session claims', async () => {
    await t.gh.accounts.insert({
      id: 'acct-ui',
      email: 'ada@example.com',
      email_verified: true,
      phone_verified: false,
      updated_at: new Date(),
    });
    const client = await createClient(t);
    const { query } = await runFlow(t, {
      client,
      scope: 'openid email',
      subject: 'acct-ui',
      session: { id_token: { nickname: 'ada' } },
    });
    const tokens = (
      await token(
        t,
        { grant_type: 'authorization_code', code: query.get('code') as string, redirect_uri: client.redirect_uris[0] as string },
        { basic: [client.client_id, client.client_secret] },
      )
    ).json();
    const info = await t.publicApp.inject({ url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(info.json()).toEqual({ sub: 'acct-ui', email: 'ada@example.com', email_verified: true, nickname: 'ada' });
    const posted = await t.publicApp.inject({
      method: 'POST',
      url: '/userinfo',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `access_token=${tokens.access_token}`,
    });
    expect(posted.json().sub).toBe('acct-ui');
  });

  it('refuses a token without openid, and a bad token with a Bearer challenge', async () => {
    const client = await createClient(t);
    const tokens = await tokensFor(client, 'Email');
    const noOpenid = await t.publicApp.inject({ url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(noOpenid.statusCode).toBe(403);
    expect(noOpenid.json().error).toBe('insufficient_scope');
    const bad = await t.publicApp.inject({ url: '/userinfo', headers: { authorization: 'Bearer gh_at_nope' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
    const none = await t.publicApp.inject({ url: '/userinfo' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="gatehouse"');
  });
});

describe('admin API', () => {
  it('pages clients with a Link header and filters by status', async () => {
    for (let i = 0; i < 3; i++) await createClient(t, { client_id: `page-${i}`, status: 'pending' });
    const first = await admin(t, 'GET', '/admin/clients?status=pending&page_size=2');
    expect(first.json()).toHaveLength(2);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.link as string)?.[1] as string;
    const second = await admin(t, 'GET', next);
    expect(second.json().map((c: { client_id: string }) => c.client_id)).toEqual(['page-2']);
    expect(second.headers.link).toBeUndefined();
  });

  it('serves its OpenAPI document and Prometheus metrics', async () => {
    const openapi = (await admin(t, 'GET', '/admin/openapi.json')).json();
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/admin/clients',
        '/admin/clients/{id}',
        '/admin/oauth2/auth/requests/login/accept',
        '/admin/oauth2/introspect',
      ]),
    );
  });
});

describe('an admin port behind ADMIN_TOKEN, and a database that goes away', () => {
  it('requires the bearer token on the admin port, except for health', async () => {
    const guarded = await startGatehouse({ env: { ADMIN_TOKEN: 'admin-token-0123456789' } });
    try {
      const denied = await guarded.adminApp.inject('/admin/clients');
      expect(denied.statusCode).toBe(401);
      expect(denied.headers['www-authenticate']).toContain('Bearer');
      const wrong = await guarded.adminApp.inject({
        url: '/admin/clients',
        headers: { authorization: 'Bearer wrong-token-000000' },
      });
      expect(wrong.statusCode).toBe(401);
      const right = await guarded.adminApp.inject({
        url: '/admin/clients',
        headers: { authorization: 'Bearer admin-token-0123456789' },
      });
      expect(right.statusCode).toBe(200);
      expect((await guarded.adminApp.inject('/health/alive')).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('reports not ready and answers a clean 503 while the database is unreachable', async () => {
    const lost = await startGatehouse();
    const client = await (async () => {
      const response = await lost.adminApp.inject({
        method: 'POST',
        url: '/admin/clients',
        payload: { grant_types: ['client_credentials'], redirect_uris: [], scope: 'Email' },
      });
      return response.json();
    })();
    await lost.gh.database.close();
    try {
      const ready = await lost.publicApp.inject('/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json().status).toBe('unavailable');
      const tokenResponse = await token(
        lost,
        { grant_type: 'client_credentials' },
        { basic: [client.client_id, client.client_secret] },
      );
      expect(tokenResponse.statusCode).toBe(503);
      expect(tokenResponse.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'The service is temporarily unavailable; try again shortly.',
      });
    } finally {
      await lost.publicApp.close();
      await lost.adminApp.close();
    }
  });
});
