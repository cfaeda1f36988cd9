/**
 * An external login/consent/logout app written the way Hydra's users write one, with Ory's
 * own SDK (@ory/client, axios) pointed at Gatehouse's admin port. Every SDK call goes over
 * real HTTP; the browser is a fetch-based cookie jar on the public port.
 */
import {
  Configuration,
  type IntrospectedOAuth2Token,
  JwkApi,
  OAuth2Api,
  type OAuth2Client,
  type OAuth2ConsentRequest,
  type OAuth2LoginRequest,
} from '@ory/client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { type ClientRegistration, FetchBrowser, registerClient, seeOther } from './support.js';

const REDIRECT = 'https://consumer.example/callback';
const POST_LOGOUT = 'https://consumer.example/bye';

let t: TestGatehouse;
let oauth2: OAuth2Api;
let jwk: JwkApi;
let app: ClientRegistration;

beforeAll(async () => {
  t = await startGatehouse({ listen: true });
  const configuration = new Configuration({ basePath: t.adminUrl });
  oauth2 = new OAuth2Api(configuration);
  jwk = new JwkApi(configuration);
  app = await registerClient(t, {
    client_name: 'Consumer',
    redirect_uris: [REDIRECT],
    post_logout_redirect_uris: [POST_LOGOUT],
    scope: 'openid offline_access email profile',
  });
});

afterAll(async () => {
  await t?.close();
});

/** The HTTP status and body of a failed axios call. */
async function httpError(promise: Promise<unknown>): Promise<{ status: number; data: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    const response = (err as { response?: { status: number; data: Record<string, unknown> } }).response;
    if (response) return response;
    throw err;
  }
  throw new Error('expected the call to fail');
}

function authorizeUrl(params: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    client_id: app.client_id,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid offline_access email',
    state: 'ory-state-0001',
    nonce: 'ory-nonce-0001',
    ...params,
  });
  return `${t.issuer}/oauth2/auth?${query}`;
}

/** Starts an authorization; the login challenge the browser was sent to the login UI with. */
async function loginChallenge(browser: FetchBrowser, params: Record<string, string> = {}): Promise<string> {
  const toLogin = seeOther(await browser.get(authorizeUrl(params)));
  expect(toLogin.origin + toLogin.pathname).toBe(`${t.issuer}/ui/login`);
  const challenge = toLogin.searchParams.get('login_challenge');
  if (!challenge) throw new Error(`no login challenge in ${toLogin}`);
  return challenge;
}

async function consentChallenge(browser: FetchBrowser, redirectTo: string): Promise<string> {
  const toConsent = seeOther(await browser.get(redirectTo));
  expect(toConsent.origin + toConsent.pathname).toBe(`${t.issuer}/ui/consent`);
  const challenge = toConsent.searchParams.get('consent_challenge');
  if (!challenge) throw new Error(`no consent challenge in ${toConsent}`);
  return challenge;
}

async function redeem(code: string) {
  const response = await fetch(`${t.issuer}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }).toString(),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; refresh_token?: string; id_token: string; scope: string };
}

const jwks = () => createRemoteJWKSet(new URL(`${t.issuer}/.well-known/jwks.json`));

async function verifyIdToken(idToken: string) {
  const { payload } = await jwtVerify(idToken, jwks(), { issuer: t.issuer, audience: app.client_id });
  return payload;
}

async function introspect(token: string): Promise<IntrospectedOAuth2Token> {
  return (await oauth2.introspectOAuth2Token({ token })).data;
}

/** A whole sign-in through the SDK, for tests that need a signed-in browser. */
async function signIn(browser: FetchBrowser, subject: string, params: Record<string, string> = {}) {
  const login = await loginChallenge(browser, params);
  const loginRequest = (await oauth2.getOAuth2LoginRequest({ loginChallenge: login })).data;
  const accepted = await oauth2.acceptOAuth2LoginRequest({
    loginChallenge: login,
    acceptOAuth2LoginRequest: { subject: loginRequest.skip ? loginRequest.subject : subject, remember: true, remember_for: 3600 },
  });
  const consent = await consentChallenge(browser, accepted.data.redirect_to);
  const consentRequest = (await oauth2.getOAuth2ConsentRequest({ consentChallenge: consent })).data;
  const consented = await oauth2.acceptOAuth2ConsentRequest({
    consentChallenge: consent,
    acceptOAuth2ConsentRequest: { grant_scope: consentRequest.requested_scope ?? [], remember: true, remember_for: 3600 },
  });
  const callback = seeOther(await browser.get(consented.data.redirect_to));
  const tokens = await redeem(callback.searchParams.get('code') as string);
  return { loginRequest, consentRequest, tokens };
}

describe('a Hydra-style consent app on @ory/client', () => {
  it('reads and accepts login and consent requests; session claims reach the ID token and introspection', async () => {
    const browser = new FetchBrowser();
    const login = await loginChallenge(browser, { login_hint: 'alice@example.com', ui_locales: 'de en', acr_values: 'loa2' });

    const loginRequest: OAuth2LoginRequest = (await oauth2.getOAuth2LoginRequest({ loginChallenge: login })).data;
    expect(loginRequest.challenge).toBe(login);
    expect(loginRequest.skip).toBe(false);
    expect(loginRequest.subject).toBe('');
    expect(loginRequest.client.client_id).toBe(app.client_id);
    expect(loginRequest.client.client_name).toBe('Consumer');
    expect(loginRequest.client.redirect_uris).toEqual([REDIRECT]);
    expect(loginRequest.client).not.toHaveProperty('client_secret');
    expect(loginRequest.requested_scope).toEqual(['openid', 'offline_access', 'email']);
    expect(loginRequest.requested_access_token_audience).toEqual([]);
    expect(loginRequest.request_url).toMatch(new RegExp(`^${t.issuer}/oauth2/auth\\?`));
    expect(new URL(loginRequest.request_url).searchParams.get('client_id')).toBe(app.client_id);
    expect(loginRequest.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(loginRequest.oidc_context).toMatchObject({
      login_hint: 'alice@example.com',
      ui_locales: ['de', 'en'],
      acr_values: ['loa2'],
    });

    const accepted = await oauth2.acceptOAuth2LoginRequest({
      loginChallenge: login,
      acceptOAuth2LoginRequest: {
        subject: 'alice',
        remember: true,
        remember_for: 3600,
        acr: 'loa2',
        amr: ['pwd', 'otp'],
        context: { login_method: 'email-code', device: 'laptop' },
      },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.data.redirect_to).toMatch(new RegExp(`^${t.issuer}/oauth2/auth\\?login_verifier=`));
    // A challenge is single use.
    const again = await httpError(
      oauth2.acceptOAuth2LoginRequest({ loginChallenge: login, acceptOAuth2LoginRequest: { subject: 'alice' } }),
    );
    expect(again.status).toBe(410);
    // Hydra's answer to reading a used request: 410 with where the browser may start over.
    const used = await httpError(oauth2.getOAuth2LoginRequest({ loginChallenge: login }));
    expect(used.status).toBe(410);
    expect(used.data.redirect_to).toBe(loginRequest.request_url);

    const consent = await consentChallenge(browser, accepted.data.redirect_to);
    const consentRequest: OAuth2ConsentRequest = (await oauth2.getOAuth2ConsentRequest({ consentChallenge: consent })).data;
    expect(consentRequest).toMatchObject({
      challenge: consent,
      subject: 'alice',
      skip: false,
      acr: 'loa2',
      amr: ['pwd', 'otp'],
      context: { login_method: 'email-code', device: 'laptop' },
      login_session_id: loginRequest.session_id,
      requested_scope: ['openid', 'offline_access', 'email'],
      requested_access_token_audience: [],
    });
    expect(consentRequest.client?.client_id).toBe(app.client_id);
    expect(consentRequest.oidc_context?.login_hint).toBe('alice@example.com');

    const consented = await oauth2.acceptOAuth2ConsentRequest({
      consentChallenge: consent,
      acceptOAuth2ConsentRequest: {
        grant_scope: ['openid', 'offline_access'],
        remember: true,
        remember_for: 3600,
        session: {
          id_token: { role: 'admin', locale: 'de' },
          access_token: { team: 'blue', tier: 3 },
        },
      },
    });
    expect(consented.data.redirect_to).toMatch(new RegExp(`^${t.issuer}/oauth2/auth\\?consent_verifier=`));
    const usedConsent = await httpError(oauth2.getOAuth2ConsentRequest({ consentChallenge: consent }));
    expect(usedConsent.status).toBe(410);
    expect(usedConsent.data.redirect_to).toBe(loginRequest.request_url);

    const callback = seeOther(await browser.get(consented.data.redirect_to));
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe('ory-state-0001');
    expect(callback.searchParams.get('iss')).toBe(t.issuer);
    expect(browser.cookie('gatehouse_session')).toBeDefined();

    const tokens = await redeem(callback.searchParams.get('code') as string);
    expect(tokens.scope).toBe('openid offline_access');
    const claims = await verifyIdToken(tokens.id_token);
    expect(claims).toMatchObject({
      sub: 'alice',
      nonce: 'ory-nonce-0001',
      acr: 'loa2',
      amr: ['pwd', 'otp'],
      sid: loginRequest.session_id,
      role: 'admin',
      locale: 'de',
    });

    const info = await introspect(tokens.access_token);
    expect(info).toMatchObject({
      active: true,
      sub: 'alice',
      client_id: app.client_id,
      scope: 'openid offline_access',
      token_use: 'access_token',
      token_type: 'Bearer',
      iss: t.issuer,
      ext: { team: 'blue', tier: 3 },
    });
    expect(info.exp).toBeGreaterThan(Math.floor(Date.now() / 1000) + 86000);
    // Hydra's scope parameter: active only when every named scope was granted.
    expect((await oauth2.introspectOAuth2Token({ token: tokens.access_token, scope: 'email' })).data).toEqual({ active: false });
    expect((await introspect(tokens.refresh_token as string)).token_use).toBe('refresh_token');

    const sessions = (await oauth2.listOAuth2ConsentSessions({ subject: 'alice' })).data;
    expect(sessions).toHaveLength(1);
    const [session] = sessions;
    expect(session?.grant_scope).toEqual(['openid', 'offline_access']);
    expect(session?.remember).toBe(true);
    expect(session?.remember_for).toBe(3600);
    expect(session?.session).toEqual({
      id_token: { role: 'admin', locale: 'de' },
      access_token: { team: 'blue', tier: 3 },
    });
    expect(session?.consent_request?.client?.client_id).toBe(app.client_id);
    expect(session?.consent_request?.subject).toBe('alice');
    expect(Number.isNaN(Date.parse(session?.handled_at ?? ''))).toBe(false);
    // Filtered by login session, as Hydra does.
    const bySession = await oauth2.listOAuth2ConsentSessions({ subject: 'alice', loginSessionId: loginRequest.session_id });
    expect(bySession.data).toHaveLength(1);
    expect((await oauth2.listOAuth2ConsentSessions({ subject: 'nobody' })).data).toEqual([]);
  });

  it('remembers the login and the consent: the second authorization skips both, and prompt=login forces a login', async () => {
    const browser = new FetchBrowser();
    const first = await signIn(browser, 'bob');
    const firstClaims = await verifyIdToken(first.tokens.id_token);

    const login = await loginChallenge(browser);
    const loginRequest = (await oauth2.getOAuth2LoginRequest({ loginChallenge: login })).data;
    expect(loginRequest.skip).toBe(true);
    expect(loginRequest.subject).toBe('bob');
    expect(loginRequest.session_id).toBe(first.loginRequest.session_id);
    // Hydra's rule: a remembered session cannot be switched to another person.
    const switched = await httpError(
      oauth2.acceptOAuth2LoginRequest({ loginChallenge: login, acceptOAuth2LoginRequest: { subject: 'mallory' } }),
    );
    expect(switched.status).toBe(400);
    expect(switched.data.error).toBe('invalid_request');
    const accepted = await oauth2.acceptOAuth2LoginRequest({
      loginChallenge: login,
      acceptOAuth2LoginRequest: { subject: 'bob' },
    });

    const consent = await consentChallenge(browser, accepted.data.redirect_to);
    const consentRequest = (await oauth2.getOAuth2ConsentRequest({ consentChallenge: consent })).data;
    expect(consentRequest.skip).toBe(true);
    expect(consentRequest.subject).toBe('bob');
    const consented = await oauth2.acceptOAuth2ConsentRequest({
      consentChallenge: consent,
      acceptOAuth2ConsentRequest: { grant_scope: consentRequest.requested_scope ?? [] },
    });
    const callback = seeOther(await browser.get(consented.data.redirect_to));
    const second = await redeem(callback.searchParams.get('code') as string);
    const secondClaims = await verifyIdToken(second.id_token);
    expect(secondClaims.sub).toBe('bob');
    expect(secondClaims.sid).toBe(firstClaims.sid);
    // The authentication was not repeated: auth_time is the first sign-in's.
    expect(secondClaims.auth_time).toBe(firstClaims.auth_time);

    // prompt=consent: the login is still skipped, the consent is asked again.
    const reconsent = await loginChallenge(browser, { prompt: 'consent' });
    expect((await oauth2.getOAuth2LoginRequest({ loginChallenge: reconsent })).data.skip).toBe(true);
    const reconsentAccepted = await oauth2.acceptOAuth2LoginRequest({
      loginChallenge: reconsent,
      acceptOAuth2LoginRequest: { subject: 'bob' },
    });
    const reconsentChallenge = await consentChallenge(browser, reconsentAccepted.data.redirect_to);
    expect((await oauth2.getOAuth2ConsentRequest({ consentChallenge: reconsentChallenge })).data.skip).toBe(false);

    const forced = await loginChallenge(browser, { prompt: 'login' });
    const forcedRequest = (await oauth2.getOAuth2LoginRequest({ loginChallenge: forced })).data;
    expect(forcedRequest.skip).toBe(false);
    expect(forcedRequest.subject).toBe('');

    // A browser without the session cookie is a stranger.
    const stranger = await loginChallenge(new FetchBrowser());
    expect((await oauth2.getOAuth2LoginRequest({ loginChallenge: stranger })).data.skip).toBe(false);
  });

  it('answers prompt=none without a session with login_required at the redirect URI', async () => {
    const callback = seeOther(await new FetchBrowser().get(authorizeUrl({ prompt: 'none', state: 'silent-1' })));
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('error')).toBe('login_required');
    expect(callback.searchParams.get('state')).toBe('silent-1');
    expect(callback.searchParams.get('iss')).toBe(t.issuer);
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('rejects a login: the browser lands on the redirect URI with access_denied, state and iss', async () => {
    const browser = new FetchBrowser();
    const login = await loginChallenge(browser, { state: 'reject-login-1' });
    const rejected = await oauth2.rejectOAuth2LoginRequest({ loginChallenge: login, rejectOAuth2Request: {} });
    const callback = seeOther(await browser.get(rejected.data.redirect_to));
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('error_description')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe('reject-login-1');
    expect(callback.searchParams.get('iss')).toBe(t.issuer);
    expect(callback.searchParams.get('code')).toBeNull();

    // Without a reject body (the SDK then sends "{}"): Hydra's default error.
    const bare = await loginChallenge(browser, { state: 'reject-login-2' });
    const bareRejected = await oauth2.rejectOAuth2LoginRequest({ loginChallenge: bare });
    const bareCallback = seeOther(await browser.get(bareRejected.data.redirect_to));
    expect(bareCallback.searchParams.get('error')).toBe('access_denied');
    expect(bareCallback.searchParams.get('state')).toBe('reject-login-2');
  });

  it('rejects a consent with a given error: the browser lands on the redirect URI with it', async () => {
    const browser = new FetchBrowser();
    const login = await loginChallenge(browser, { state: 'reject-consent-1' });
    const accepted = await oauth2.acceptOAuth2LoginRequest({
      loginChallenge: login,
      acceptOAuth2LoginRequest: { subject: 'carol' },
    });
    const consent = await consentChallenge(browser, accepted.data.redirect_to);
    const rejected = await oauth2.rejectOAuth2ConsentRequest({
      consentChallenge: consent,
      rejectOAuth2Request: {
        error: 'consent_required',
        error_description: 'The user said no.',
        error_hint: 'Ask again later.',
        status_code: 403,
      },
    });
    const callback = seeOther(await browser.get(rejected.data.redirect_to));
    expect(callback.origin + callback.pathname).toBe(REDIRECT);
    expect(callback.searchParams.get('error')).toBe('consent_required');
    expect(callback.searchParams.get('error_description')).toBe('The user said no. Ask again later.');
    expect(callback.searchParams.get('state')).toBe('reject-consent-1');
    expect(callback.searchParams.get('iss')).toBe(t.issuer);
    expect(callback.searchParams.get('code')).toBeNull();
    // The consent is gone, and nothing was remembered.
    expect((await httpError(oauth2.getOAuth2ConsentRequest({ consentChallenge: consent }))).status).toBe(410);
    expect((await oauth2.listOAuth2ConsentSessions({ subject: 'carol' })).data).toEqual([]);
  });

  it('revokes consent sessions: tokens introspect inactive and consent is asked again', async () => {
    const browser = new FetchBrowser();
    const { tokens } = await signIn(browser, 'dave');
    expect((await introspect(tokens.access_token)).active).toBe(true);
    expect((await oauth2.listOAuth2ConsentSessions({ subject: 'dave' })).data).toHaveLength(1);

    const revoked = await oauth2.revokeOAuth2ConsentSessions({ subject: 'dave', client: app.client_id });
    expect(revoked.status).toBe(204);
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect(await introspect(tokens.refresh_token as string)).toEqual({ active: false });
    expect((await oauth2.listOAuth2ConsentSessions({ subject: 'dave' })).data).toEqual([]);

    // The login is still remembered, the consent is not.
    const login = await loginChallenge(browser);
    const loginRequest = (await oauth2.getOAuth2LoginRequest({ loginChallenge: login })).data;
    expect(loginRequest.skip).toBe(true);
    const accepted = await oauth2.acceptOAuth2LoginRequest({
      loginChallenge: login,
      acceptOAuth2LoginRequest: { subject: 'dave' },
    });
    const consent = await consentChallenge(browser, accepted.data.redirect_to);
    expect((await oauth2.getOAuth2ConsentRequest({ consentChallenge: consent })).data.skip).toBe(false);

    // all=true for every client.
    const other = await signIn(new FetchBrowser(), 'dave');
    await oauth2.revokeOAuth2ConsentSessions({ subject: 'dave', all: true });
    expect((await introspect(other.tokens.access_token)).active).toBe(false);
  });

  it('revokes login sessions: the next authorization asks for a login again', async () => {
    const browser = new FetchBrowser();
    await signIn(browser, 'erin');
    const remembered = await loginChallenge(browser);
    expect((await oauth2.getOAuth2LoginRequest({ loginChallenge: remembered })).data.skip).toBe(true);

    const revoked = await oauth2.revokeOAuth2LoginSessions({ subject: 'erin' });
    expect(revoked.status).toBe(204);
    const fresh = await loginChallenge(browser);
    const freshRequest = (await oauth2.getOAuth2LoginRequest({ loginChallenge: fresh })).data;
    expect(freshRequest.skip).toBe(false);
    expect(freshRequest.subject).toBe('');

    // By sid as well.
    const again = new FetchBrowser();
    const { loginRequest } = await signIn(again, 'erin');
    await oauth2.revokeOAuth2LoginSessions({ sid: loginRequest.session_id as string });
    const afterSid = await loginChallenge(again);
    expect((await oauth2.getOAuth2LoginRequest({ loginChallenge: afterSid })).data.skip).toBe(false);
  });

  it('logs out through RP-initiated logout with id_token_hint and a registered post_logout_redirect_uri', async () => {
    const browser = new FetchBrowser();
    const { tokens, loginRequest } = await signIn(browser, 'frank');

    const logoutUrl = `${t.issuer}/oauth2/sessions/logout?${new URLSearchParams({
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: POST_LOGOUT,
      state: 'logout-state-1',
    })}`;
    const toLogout = seeOther(await browser.get(logoutUrl));
    expect(toLogout.origin + toLogout.pathname).toBe(`${t.issuer}/ui/logout`);
    const challenge = toLogout.searchParams.get('logout_challenge') as string;

    const logoutRequest = (await oauth2.getOAuth2LogoutRequest({ logoutChallenge: challenge })).data;
    expect(logoutRequest.challenge).toBe(challenge);
    expect(logoutRequest.subject).toBe('frank');
    expect(logoutRequest.sid).toBe(loginRequest.session_id);
    expect(logoutRequest.rp_initiated).toBe(true);
    expect(logoutRequest.client?.client_id).toBe(app.client_id);
    expect(logoutRequest.request_url).toMatch(new RegExp(`^${t.issuer}/oauth2/sessions/logout\\?`));

    const accepted = await oauth2.acceptOAuth2LogoutRequest({ logoutChallenge: challenge });
    expect(accepted.data.redirect_to).toMatch(new RegExp(`^${t.issuer}/oauth2/sessions/logout\\?logout_verifier=`));
    const usedLogout = await httpError(oauth2.getOAuth2LogoutRequest({ logoutChallenge: challenge }));
    expect(usedLogout.status).toBe(410);
    expect(usedLogout.data.redirect_to).toBe(logoutRequest.request_url);
    const back = seeOther(await browser.get(accepted.data.redirect_to));
    expect(back.origin + back.pathname).toBe(POST_LOGOUT);
    expect(back.searchParams.get('state')).toBe('logout-state-1');
    expect(browser.cookie('gatehouse_session')).toBeUndefined();

    // The session is over: the next authorization in this browser asks for a login.
    const next = await loginChallenge(browser);
    expect((await oauth2.getOAuth2LoginRequest({ loginChallenge: next })).data.skip).toBe(false);

    // An unregistered post_logout_redirect_uri is refused (an error page, not a redirect).
    const evil = await new FetchBrowser().get(
      `${t.issuer}/oauth2/sessions/logout?${new URLSearchParams({
        id_token_hint: tokens.id_token,
        post_logout_redirect_uri: 'https://evil.example/',
      })}`,
    );
    expect(evil.status).toBe(400);
    expect(evil.location).toBeUndefined();
  });

  it('manages clients: create, get, list, JSON Patch, replace, delete', async () => {
    const created = (
      await oauth2.createOAuth2Client({
        oAuth2Client: {
          client_name: 'SDK-made',
          redirect_uris: ['https://sdk.example/cb'],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          scope: 'openid offline_access',
          token_endpoint_auth_method: 'client_secret_post',
          metadata: { tier: 'gold' },
          contacts: ['ops@sdk.example'],
        },
      })
    ).data as OAuth2Client & { status?: string };
    const id = created.client_id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.client_secret).toMatch(/^gh_cs_/);
    expect(created.status).toBe('approved');
    expect(created.token_endpoint_auth_method).toBe('client_secret_post');

    const fetched = (await oauth2.getOAuth2Client({ id })).data;
    expect(fetched).toMatchObject({
      client_id: id,
      client_name: 'SDK-made',
      redirect_uris: ['https://sdk.example/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid offline_access',
      metadata: { tier: 'gold' },
      contacts: ['ops@sdk.example'],
    });
    expect(fetched.client_secret).toBeUndefined();
    expect(Number.isNaN(Date.parse(fetched.created_at ?? ''))).toBe(false);

    const listed = (await oauth2.listOAuth2Clients({ clientName: 'SDK-made' })).data;
    expect(listed.map((c) => c.client_id)).toEqual([id]);
    const all = (await oauth2.listOAuth2Clients({ pageSize: 500 })).data;
    expect(all.map((c) => c.client_id)).toEqual(expect.arrayContaining([id, app.client_id]));
    // Hydra's keyset pagination: the next page_token travels in the Link header.
    const firstPage = await oauth2.listOAuth2Clients({ pageSize: 1 });
    expect(firstPage.data).toHaveLength(1);
    const link = String(firstPage.headers.link);
    expect(link).toMatch(/rel="next"/);
    const pageToken = new URL(/<([^>]+)>/.exec(link)?.[1] as string, t.adminUrl).searchParams.get('page_token') as string;
    const secondPage = (await oauth2.listOAuth2Clients({ pageSize: 1, pageToken })).data;
    expect(secondPage).toHaveLength(1);
    expect(secondPage[0]?.client_id).not.toBe(firstPage.data[0]?.client_id);
    expect([firstPage.data[0]?.client_id, secondPage[0]?.client_id]).toEqual(all.slice(0, 2).map((c) => c.client_id));

    const patched = (
      await oauth2.patchOAuth2Client({
        id,
        jsonPatch: [
          { op: 'replace', path: '/client_name', value: 'SDK-renamed' },
          { op: 'add', path: '/redirect_uris/-', value: 'https://sdk.example/cb2' },
          { op: 'add', path: '/metadata/region', value: 'eu' },
        ],
      })
    ).data;
    expect(patched.client_name).toBe('SDK-renamed');
    expect(patched.redirect_uris).toEqual(['https://sdk.example/cb', 'https://sdk.example/cb2']);
    expect(patched.metadata).toEqual({ tier: 'gold', region: 'eu' });
    expect(patched.client_secret).toBeUndefined();
    const badPatch = await httpError(oauth2.patchOAuth2Client({ id, jsonPatch: [{ op: 'replace', path: '/nope', value: 1 }] }));
    expect(badPatch.status).toBe(400);

    const replaced = (
      await oauth2.setOAuth2Client({
        id,
        oAuth2Client: {
          client_id: id,
          client_name: 'SDK-replaced',
          redirect_uris: ['https://sdk.example/only'],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          scope: 'openid',
          token_endpoint_auth_method: 'client_secret_basic',
        },
      })
    ).data;
    expect(replaced).toMatchObject({
      client_id: id,
      client_name: 'SDK-replaced',
      redirect_uris: ['https://sdk.example/only'],
      grant_types: ['authorization_code'],
      scope: 'openid',
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect((await oauth2.getOAuth2Client({ id })).data.client_name).toBe('SDK-replaced');

    const deleted = await oauth2.deleteOAuth2Client({ id });
    expect(deleted.status).toBe(204);
    const gone = await httpError(oauth2.getOAuth2Client({ id }));
    expect(gone.status).toBe(404);
    expect(gone.data.error).toBe('not_found');
    expect((await httpError(oauth2.deleteOAuth2Client({ id }))).status).toBe(404);

    const invalid = await httpError(
      oauth2.createOAuth2Client({
        oAuth2Client: { redirect_uris: ['http://not-loopback.example/cb'], grant_types: ['authorization_code'] },
      }),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.data.error).toBe('invalid_redirect_uri');
  });

  it('rotates the ID token key with JwkApi.createJsonWebKeySet on hydra.openid.id-token', async () => {
    const before = (await (await fetch(`${t.issuer}/.well-known/jwks.json`)).json()) as { keys: { kid: string; alg: string }[] };
    const oldKids = before.keys.map((k) => k.kid);
    const { tokens: oldTokens } = await signIn(new FetchBrowser(), 'grace');
    const oldKid = decodeProtectedHeader(oldTokens.id_token).kid as string;
    expect(oldKids).toContain(oldKid);

    const created = await jwk.createJsonWebKeySet({
      set: 'hydra.openid.id-token',
      createJsonWebKeySet: { alg: 'RS256', kid: '', use: 'sig' },
    });
    expect(created.status).toBe(201);
    const keys = created.data.keys ?? [];
    expect(keys).toHaveLength(1);
    const newKid = keys[0]?.kid as string;
    expect(keys[0]).toMatchObject({ alg: 'RS256', use: 'sig', kty: 'RSA' });
    expect(keys[0]).not.toHaveProperty('d');
    expect(oldKids).not.toContain(newKid);

    const after = (await (await fetch(`${t.issuer}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    const afterKids = after.keys.map((k) => k.kid);
    expect(afterKids).toContain(newKid);
    for (const kid of oldKids) expect(afterKids).toContain(kid);

    // New ID tokens are signed with the new key; the old ones still verify.
    const { tokens: newTokens } = await signIn(new FetchBrowser(), 'grace');
    expect(decodeProtectedHeader(newTokens.id_token).kid).toBe(newKid);
    expect((await verifyIdToken(newTokens.id_token)).sub).toBe('grace');
    expect((await verifyIdToken(oldTokens.id_token)).sub).toBe('grace');

    // Hydra creates the key under the kid the caller names.
    const named = await jwk.createJsonWebKeySet({
      set: 'hydra.openid.id-token',
      createJsonWebKeySet: { alg: 'ES256', kid: 'sdk-chosen-kid-1', use: 'sig' },
    });
    expect(named.data.keys?.map((k) => k.kid)).toEqual(['sdk-chosen-kid-1']);
    const published = (await (await fetch(`${t.issuer}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(published.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(['sdk-chosen-kid-1', newKid, ...oldKids]));
    const taken = await httpError(
      jwk.createJsonWebKeySet({
        set: 'hydra.openid.id-token',
        createJsonWebKeySet: { alg: 'ES256', kid: 'sdk-chosen-kid-1', use: 'sig' },
      }),
    );
    expect(taken.status).toBe(409);

    // The set as the SDK reads it; a retired key can be removed, and then old tokens stop verifying.
    const set = (await jwk.getJsonWebKeySet({ set: 'hydra.openid.id-token' })).data;
    expect(set.keys?.map((k) => k.kid)).toEqual(expect.arrayContaining([newKid, oldKid]));
    expect(set.keys?.every((k) => k.d === undefined)).toBe(true);
    expect((await jwk.deleteJsonWebKey({ set: 'hydra.openid.id-token', kid: oldKid })).status).toBe(204);
    const trimmed = (await (await fetch(`${t.issuer}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(trimmed.keys.map((k) => k.kid)).not.toContain(oldKid);
    await expect(verifyIdToken(oldTokens.id_token)).rejects.toThrow();
    // The active key cannot be removed.
    expect((await httpError(jwk.deleteJsonWebKey({ set: 'hydra.openid.id-token', kid: newKid }))).status).toBe(409);

    const unknownSet = await httpError(
      jwk.createJsonWebKeySet({ set: 'not-a-set', createJsonWebKeySet: { alg: 'RS256', kid: '', use: 'sig' } }),
    );
    expect(unknownSet.status).toBe(404);
  });
});
