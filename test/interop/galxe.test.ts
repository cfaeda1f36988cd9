/**
 * "Sign in with Galxe" as its documentation (shared/reference/galxe-sign-in.md) tells an
 * integrator to call it, replayed byte for byte against a listening Gatehouse: the URLs and
 * form bodies are the document's strings with the placeholders filled in, nothing encoded or
 * added by a library.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { adminFetch, type ClientRegistration, FetchBrowser, registerClient, seeOther } from './support.js';

const REDIRECT = 'https://quest.example/galxe/callback';
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** Login and consent through the admin API, as the built-in UI (or a consent app) would. */
async function completeLoginAndConsent(t: TestGatehouse, browser: FetchBrowser, authorizationUrl: string, subject: string) {
  const toLogin = seeOther(await browser.get(authorizationUrl));
  expect(toLogin.origin + toLogin.pathname).toBe(`${t.issuer}/ui/login`);
  const login = toLogin.searchParams.get('login_challenge') as string;
  const loginAccepted = await adminFetch(t, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${login}`, {
    subject,
  });
  expect(loginAccepted.status).toBe(200);
  const toConsent = seeOther(await browser.get(loginAccepted.json.redirect_to));
  const consent = toConsent.searchParams.get('consent_challenge') as string;
  const consentRequest = await adminFetch(t, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${consent}`);
  const consentAccepted = await adminFetch(t, 'PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consent}`, {
    grant_scope: consentRequest.json.requested_scope,
  });
  expect(consentAccepted.status).toBe(200);
  return {
    callback: seeOther(await browser.get(consentAccepted.json.redirect_to)),
    requestedScope: consentRequest.json.requested_scope,
  };
}

async function post(t: TestGatehouse, path: string, body: string) {
  const response = await fetch(`${t.issuer}${path}`, { method: 'POST', headers: FORM, body });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

async function bearerGet(t: TestGatehouse, path: string, accessToken: string) {
  const response = await fetch(`${t.issuer}${path}`, { headers: { Authorization: `Bearer ${accessToken}` } });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, unknown> };
}

describe('Sign in with Galxe, as documented', () => {
  let t: TestGatehouse;
  let galxeApp: ClientRegistration;
  let ID: string;
  let SECRET: string;

  beforeAll(async () => {
    t = await startGatehouse({ listen: true });
    galxeApp = await registerClient(t, {
      client_name: 'Quest board',
      redirect_uris: [REDIRECT],
      scope: 'Email GatehouseID Twitter EVMAddress',
      // The default (client_secret_basic): the documented body credentials work as well.
    });
    ID = galxeApp.client_id;
    SECRET = galxeApp.client_secret as string;
    await t.gh.accounts.insert({
      id: 'galxe-user-1',
      email: 'quester@example.com',
      email_verified: true,
      phone: null,
      phone_verified: false,
      updated_at: new Date(),
    });
    await t.gh.accounts.insert({
      id: 'galxe-user-2',
      email: 'unverified@example.com',
      email_verified: false,
      phone: null,
      phone_verified: false,
      updated_at: new Date(),
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('replays the documented sequence: authorize, token, refresh, token detail, user', async () => {
    const SCOPE = 'Email%20GatehouseID';
    const STATE = 'galxe-state-7f3a9c';
    // 1. GET /oauth?client_id=${CLIENT-ID}&scope=${SCOPE}&redirect_uri=${REDIRCT-URI}&state=${STATE}
    const browser = new FetchBrowser();
    const { callback, requestedScope } = await completeLoginAndConsent(
      t,
      browser,
      `${t.issuer}/oauth?client_id=${ID}&scope=${SCOPE}&redirect_uri=${REDIRECT}&state=${STATE}`,
      'galxe-user-1',
    );
    expect(requestedScope).toEqual(['Email', 'GatehouseID']);
    // "the response will add the following parameter to your redirect_uri: code=${CODE}&state=${STATE}"
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe(STATE);
    const CODE = callback.searchParams.get('code') as string;
    expect(CODE).toMatch(/^gh_ac_[A-Za-z0-9_-]{43}$/);

    // 2. curl -d 'client_id=${CLIENT-ID}&client_secret=${CLIENT-SECRET}&code=${CODE}&grant_type=authorization_code'
    const exchanged = await post(
      t,
      '/oauth/auth/2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE}&grant_type=authorization_code`,
    );
    expect(exchanged.status).toBe(200);
    expect(exchanged.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(exchanged.json).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(exchanged.json).toMatchObject({ expires_in: 86400, scope: 'Email GatehouseID', token_type: 'Bearer' });
    expect(exchanged.json.access_token).toMatch(/^gh_at_/);
    expect(exchanged.json.refresh_token).toMatch(/^gh_rt_/);

    // The code is single use.
    const replay = await post(
      t,
      '/oauth/auth/2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE}&grant_type=authorization_code`,
    );
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');

    // 3. curl -d 'grant_type=refresh_token&refresh_token=${REFRESH-TOKEN}&client_id=${CLIENT-ID}&client_secret=${CLIENT-SECRET}'
    // (the replay above revoked the first grant's tokens: a fresh code for the refresh step)
    const second = await completeLoginAndConsent(
      t,
      new FetchBrowser(),
      `${t.issuer}/oauth?client_id=${ID}&scope=${SCOPE}&redirect_uri=${REDIRECT}&state=${STATE}`,
      'galxe-user-1',
    );
    const CODE2 = second.callback.searchParams.get('code') as string;
    const tokens = await post(
      t,
      '/oauth/auth/2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE2}&grant_type=authorization_code`,
    );
    expect(tokens.status).toBe(200);
    const REFRESH = tokens.json.refresh_token as string;
    const refreshed = await post(
      t,
      '/oauth/auth/2/token',
      `grant_type=refresh_token&refresh_token=${REFRESH}&client_id=${ID}&client_secret=${SECRET}`,
    );
    expect(refreshed.status).toBe(200);
    expect(Object.keys(refreshed.json).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(refreshed.json).toMatchObject({ expires_in: 86400, scope: 'Email GatehouseID', token_type: 'Bearer' });
    expect(refreshed.json.access_token).not.toBe(tokens.json.access_token);
    expect(refreshed.json.refresh_token).not.toBe(REFRESH);
    const ACCESS = refreshed.json.access_token as string;

    // 4. curl -H "Authorization: Bearer ${ACCESS-TOKEN}" https://api.galxe.com/oauth/api/2/token
    const before = Date.now();
    const detail = await bearerGet(t, '/oauth/api/2/token', ACCESS);
    expect(detail.status).toBe(200);
    expect(Object.keys(detail.json).sort()).toEqual(['client_id', 'expires_at', 'scope']);
    expect(detail.json.client_id).toBe(ID);
    expect(detail.json.scope).toBe('Email GatehouseID');
    // Go's time format, as in the document: "2022-08-31 16:00:22.666401 +0800 CST".
    const expiresAt = detail.json.expires_at as string;
    expect(expiresAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{1,9} \+0000 UTC$/);
    const expiresMs = Date.parse(`${expiresAt.slice(0, 10)}T${expiresAt.slice(11, 23)}Z`);
    expect(expiresMs).toBeGreaterThan(before + 86400_000 - 10_000);
    expect(expiresMs).toBeLessThan(before + 86400_000 + 10_000);

    // 5. curl -H "Authorization: Bearer ${ACCESS-TOKEN}" https://api.galxe.com/oauth/api/2/user?scope=Twitter%20Discord
    const user = await bearerGet(t, '/oauth/api/2/user?scope=Email%20GatehouseID', ACCESS);
    expect(user.status).toBe(200);
    expect(user.json).toEqual({ GatehouseID: 'galxe-user-1', Email: 'quester@example.com' });
    // "If not set, will set to access token related scope by default."
    expect((await bearerGet(t, '/oauth/api/2/user', ACCESS)).json).toEqual({
      GatehouseID: 'galxe-user-1',
      Email: 'quester@example.com',
    });
    expect((await bearerGet(t, '/oauth/api/2/user?scope=GatehouseID', ACCESS)).json).toEqual({ GatehouseID: 'galxe-user-1' });

    // A scope the token was not granted (though the client may ask for it) is 403 insufficient_scope.
    const denied = await bearerGet(t, '/oauth/api/2/user?scope=Twitter', ACCESS);
    expect(denied.status).toBe(403);
    expect(denied.json.error).toBe('insufficient_scope');
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer .*error="insufficient_scope"/);
    const mixed = await bearerGet(t, '/oauth/api/2/user?scope=Email%20Twitter', ACCESS);
    expect(mixed.status).toBe(403);

    // The rotated refresh token no longer works.
    const reused = await post(
      t,
      '/oauth/auth/2/token',
      `grant_type=refresh_token&refresh_token=${REFRESH}&client_id=${ID}&client_secret=${SECRET}`,
    );
    expect(reused.status).toBe(400);
    expect(reused.json.error).toBe('invalid_grant');

    // No token, or a made-up one: 401 with the Bearer challenge (RFC 6750).
    const none = await fetch(`${t.issuer}/oauth/api/2/token`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const bogus = await bearerGet(t, '/oauth/api/2/user', 'gh_at_made-up');
    expect(bogus.status).toBe(401);
    expect(bogus.json.error).toBe('invalid_token');
  });

  it('leaves Email out when the account has no verified email', async () => {
    const { callback } = await completeLoginAndConsent(
      t,
      new FetchBrowser(),
      `${t.issuer}/oauth?client_id=${ID}&scope=Email%20GatehouseID&redirect_uri=${REDIRECT}&state=unverified-1`,
      'galxe-user-2',
    );
    const CODE = callback.searchParams.get('code') as string;
    const tokens = await post(
      t,
      '/oauth/auth/2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE}&grant_type=authorization_code`,
    );
    const user = await bearerGet(t, '/oauth/api/2/user?scope=Email%20GatehouseID', tokens.json.access_token as string);
    expect(user.status).toBe(200);
    expect(user.json).toEqual({ GatehouseID: 'galxe-user-2' });
  });

  it('reads a scope list written with + as well as %20 (form encoding of the space)', async () => {
    const { callback, requestedScope } = await completeLoginAndConsent(
      t,
      new FetchBrowser(),
      `${t.issuer}/oauth?client_id=${ID}&scope=Email+GatehouseID&redirect_uri=${REDIRECT}&state=plus-1`,
      'galxe-user-1',
    );
    expect(requestedScope).toEqual(['Email', 'GatehouseID']);
    const CODE = callback.searchParams.get('code') as string;
    const tokens = await post(
      t,
      '/oauth/auth/2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE}&grant_type=authorization_code`,
    );
    const user = await bearerGet(t, '/oauth/api/2/user?scope=Email+GatehouseID', tokens.json.access_token as string);
    expect(user.json).toEqual({ GatehouseID: 'galxe-user-1', Email: 'quester@example.com' });
  });

  it('takes the documented PKCE parameters (code_challenge on /oauth, code_verifier in the body)', async () => {
    const VERIFIER = 'galxe-pkce-verifier-0123456789-abcdefghijklmnopqrstuvwxyz';
    const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');
    const { callback } = await completeLoginAndConsent(
      t,
      new FetchBrowser(),
      `${t.issuer}/oauth?client_id=${ID}&scope=EVMAddress&redirect_uri=${REDIRECT}&state=pkce-1&code_challenge=${CHALLENGE}&code_challenge_method=S256`,
      'galxe-user-1',
    );
    const CODE = callback.searchParams.get('code') as string;
    const withoutVerifier = await post(
      t,
      '/oauth/auth/2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE}&grant_type=authorization_code`,
    );
    expect(withoutVerifier.status).toBe(400);
    expect(withoutVerifier.json.error).toBe('invalid_grant');

    const { callback: again } = await completeLoginAndConsent(
      t,
      new FetchBrowser(),
      `${t.issuer}/oauth?client_id=${ID}&scope=EVMAddress&redirect_uri=${REDIRECT}&state=pkce-2&code_challenge=${CHALLENGE}&code_challenge_method=S256`,
      'galxe-user-1',
    );
    const CODE2 = again.searchParams.get('code') as string;
    const exchanged = await post(
      t,
      '/oauth/auth/2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE2}&code_verifier=${VERIFIER}&grant_type=authorization_code`,
    );
    expect(exchanged.status).toBe(200);
    expect(exchanged.json.scope).toBe('EVMAddress');
    // No linked wallet yet: nothing to release, but the scope was granted.
    const user = await bearerGet(t, '/oauth/api/2/user?scope=EVMAddress', exchanged.json.access_token as string);
    expect(user.status).toBe(200);
    expect(user.json).toEqual({});
  });

  it('refuses the same exchange without redirect_uri on the standard /oauth2/token endpoint', async () => {
    const { callback } = await completeLoginAndConsent(
      t,
      new FetchBrowser(),
      `${t.issuer}/oauth?client_id=${ID}&scope=Email&redirect_uri=${REDIRECT}&state=strict-1`,
      'galxe-user-1',
    );
    const CODE = callback.searchParams.get('code') as string;
    const strict = await post(
      t,
      '/oauth2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE}&grant_type=authorization_code`,
    );
    expect(strict.status).toBe(400);
    expect(strict.json.error).toBe('invalid_grant');
    // A failed redemption spends the code: the lenient alias cannot be used afterwards.
    const after = await post(
      t,
      '/oauth/auth/2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE}&grant_type=authorization_code`,
    );
    expect(after.status).toBe(400);
    expect(after.json.error).toBe('invalid_grant');

    // The same through /oauth2/auth; with redirect_uri, the standard endpoint is happy.
    const standard = `${t.issuer}/oauth2/auth?response_type=code&client_id=${ID}&scope=Email&redirect_uri=${REDIRECT}&state=strict-2`;
    const first = await completeLoginAndConsent(t, new FetchBrowser(), standard, 'galxe-user-1');
    const CODE2 = first.callback.searchParams.get('code') as string;
    const refused = await post(
      t,
      '/oauth2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE2}&grant_type=authorization_code`,
    );
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('invalid_grant');
    const next = await completeLoginAndConsent(t, new FetchBrowser(), standard, 'galxe-user-1');
    const CODE3 = next.callback.searchParams.get('code') as string;
    const accepted = await post(
      t,
      '/oauth2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE3}&grant_type=authorization_code&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    );
    expect(accepted.status).toBe(200);
    expect(accepted.json.scope).toBe('Email');

    // GET /oauth2/auth (unlike /oauth) still needs response_type.
    const noType = seeOther(
      await new FetchBrowser().get(`${t.issuer}/oauth2/auth?client_id=${ID}&scope=Email&redirect_uri=${REDIRECT}&state=strict-3`),
    );
    expect(noType.searchParams.get('error')).toBe('invalid_request');
    expect(noType.searchParams.get('state')).toBe('strict-3');
  });

  it('refuses a wrong client secret on the Galxe token endpoint', async () => {
    const { callback } = await completeLoginAndConsent(
      t,
      new FetchBrowser(),
      `${t.issuer}/oauth?client_id=${ID}&scope=Email&redirect_uri=${REDIRECT}&state=secret-1`,
      'galxe-user-1',
    );
    const CODE = callback.searchParams.get('code') as string;
    const wrong = await post(
      t,
      '/oauth/auth/2/token',
      `client_id=${ID}&client_secret=${SECRET}x&code=${CODE}&grant_type=authorization_code`,
    );
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toBe('invalid_client');
  });

  // Last in this block: it moves the server's clock.
  it('lets a code live 10 minutes and an access token 24 hours, as documented', async () => {
    const authorize = (state: string) =>
      completeLoginAndConsent(
        t,
        new FetchBrowser(),
        `${t.issuer}/oauth?client_id=${ID}&scope=Email&redirect_uri=${REDIRECT}&state=${state}`,
        'galxe-user-1',
      );
    const CODE_A = (await authorize('ttl-a')).callback.searchParams.get('code') as string;
    const CODE_B = (await authorize('ttl-b')).callback.searchParams.get('code') as string;
    t.advance(595);
    const inTime = await post(
      t,
      '/oauth/auth/2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE_A}&grant_type=authorization_code`,
    );
    expect(inTime.status).toBe(200);
    t.advance(10);
    const late = await post(
      t,
      '/oauth/auth/2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE_B}&grant_type=authorization_code`,
    );
    expect(late.status).toBe(400);
    expect(late.json.error).toBe('invalid_grant');

    const ACCESS = inTime.json.access_token as string;
    t.advance(86400 - 20);
    expect((await bearerGet(t, '/oauth/api/2/token', ACCESS)).status).toBe(200);
    t.advance(30);
    const expired = await bearerGet(t, '/oauth/api/2/token', ACCESS);
    expect(expired.status).toBe(401);
    expect(expired.json.error).toBe('invalid_token');
    // The refresh token (30 days) still gets a new one.
    const refreshed = await post(
      t,
      '/oauth/auth/2/token',
      `grant_type=refresh_token&refresh_token=${inTime.json.refresh_token}&client_id=${ID}&client_secret=${SECRET}`,
    );
    expect(refreshed.status).toBe(200);
    expect((await bearerGet(t, '/oauth/api/2/token', refreshed.json.access_token as string)).status).toBe(200);
  });
});

describe('Sign in with Galxe with ACCOUNT_ID_SCOPE=GalxeID', () => {
  let t: TestGatehouse;

  beforeAll(async () => {
    t = await startGatehouse({ listen: true, env: { ACCOUNT_ID_SCOPE: 'GalxeID' } });
    await t.gh.accounts.insert({
      id: 'galxe-user-9',
      email: 'renamed@example.com',
      email_verified: true,
      phone: null,
      phone_verified: false,
      updated_at: new Date(),
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('names the account-id scope and field GalxeID', async () => {
    const discovery = (await (await fetch(`${t.issuer}/.well-known/openid-configuration`)).json()) as {
      scopes_supported: string[];
    };
    expect(discovery.scopes_supported).toContain('GalxeID');
    expect(discovery.scopes_supported).not.toContain('GatehouseID');

    const app = await registerClient(t, {
      redirect_uris: [REDIRECT],
      scope: 'Email GalxeID',
      token_endpoint_auth_method: 'client_secret_post',
    });
    const ID = app.client_id;
    const SECRET = app.client_secret as string;
    const { callback } = await completeLoginAndConsent(
      t,
      new FetchBrowser(),
      `${t.issuer}/oauth?client_id=${ID}&scope=Email%20GalxeID&redirect_uri=${REDIRECT}&state=renamed-1`,
      'galxe-user-9',
    );
    const CODE = callback.searchParams.get('code') as string;
    const tokens = await post(
      t,
      '/oauth/auth/2/token',
      `client_id=${ID}&client_secret=${SECRET}&code=${CODE}&grant_type=authorization_code`,
    );
    expect(tokens.status).toBe(200);
    expect(tokens.json.scope).toBe('Email GalxeID');
    const user = await bearerGet(t, '/oauth/api/2/user?scope=Email%20GalxeID', tokens.json.access_token as string);
    expect(user.status).toBe(200);
    expect(user.json).toEqual({ GalxeID: 'galxe-user-9', Email: 'renamed@example.com' });

    // The default name is not a scope on this deployment.
    const refused = await registerClient(t, { redirect_uris: [REDIRECT], scope: 'GatehouseID' }).catch((err: Error) => err);
    expect(refused).toBeInstanceOf(Error);
    expect(String(refused)).toContain('invalid_client_metadata');
    const unknown = seeOther(
      await new FetchBrowser().get(
        `${t.issuer}/oauth?client_id=${ID}&scope=GatehouseID&redirect_uri=${REDIRECT}&state=renamed-2`,
      ),
    );
    expect(unknown.searchParams.get('error')).toBe('invalid_scope');
    expect(unknown.searchParams.get('state')).toBe('renamed-2');
  });
});
