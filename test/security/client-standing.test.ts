/**
 * A client is trusted for what it is allowed now, not for what it once was: a redirect goes
 * only to an approved client's registered URIs (logout included), tokens carry only the
 * scopes the client may still have, and a public client proves its codes with S256 alone.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { challengeFor } from '../../src/crypto/pkce.js';
import { admin, Browser, createClient, introspect, token } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { countRows, expectErrorPage, expectErrorRedirect, freshPkce, REDIRECT, redeem, refresh, steps } from './helpers.js';

let t: TestGatehouse;
beforeAll(async () => {
  t = await startGatehouse();
});
afterAll(async () => {
  await t?.close();
});

const EVIL = 'https://evil.example/landing';
const BYE = 'https://app.example/bye';
const SIGNED_OUT = () => `${t.issuer}/ui/signed-out`;

const setStatus = async (clientId: string, status: string) => {
  const response = await admin(t, 'PUT', `/admin/clients/${clientId}/status`, { status });
  expect(response.statusCode, response.body).toBe(200);
};

/** JSON Patch on the admin API, as an operator narrowing a client would send it. */
const patchClient = async (clientId: string, patch: { op: string; path: string; value?: unknown }[]) => {
  const response = await admin(t, 'PATCH', `/admin/clients/${clientId}`, patch);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

/** Nowhere but Gatehouse itself: the default signed-out page, or the logout screen. */
function expectNotSentAway(response: LightMyRequestResponse) {
  expect(response.statusCode, response.body).toBeLessThan(500);
  const location = response.headers.location as string | undefined;
  if (location !== undefined) expect(new URL(location).origin).toBe(t.issuer);
  expect(response.body).not.toContain('evil.example');
}

describe('logout redirects only to an approved client’s registered URIs', () => {
  const logout = (browser: Browser, params: Record<string, string>) =>
    browser.get(`/oauth2/sessions/logout?${new URLSearchParams(params)}`);

  /** A signed-in browser, and the ID token the client got for it. */
  async function signedIn(client: Awaited<ReturnType<typeof createClient>>) {
    const flow = await steps(t, client, { rememberLogin: true });
    const tokens = await redeem(t, client, { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier });
    expect(tokens.statusCode, tokens.body).toBe(200);
    return { browser: flow.browser, idToken: tokens.json().id_token as string };
  }

  /** The logout screen's challenge, accepted; the verifier URL that completes it. */
  async function confirm(response: LightMyRequestResponse) {
    expect(response.statusCode, response.body).toBe(303);
    const location = new URL(response.headers.location as string);
    expect(location.pathname).toBe('/ui/logout');
    const challenge = location.searchParams.get('logout_challenge') as string;
    const shown = await admin(t, 'GET', `/admin/oauth2/auth/requests/logout?logout_challenge=${challenge}`);
    expect(shown.statusCode, shown.body).toBe(200);
    const accepted = await admin(t, 'PUT', `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${challenge}`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    return { shown: shown.json(), verifierUrl: accepted.json().redirect_to as string };
  }

  it('an approved client’s registered URI is honoured (the cases below are about the status)', async () => {
    const client = await createClient(t, { post_logout_redirect_uris: [BYE] });
    const { browser, idToken } = await signedIn(client);
    const { verifierUrl } = await confirm(
      await logout(browser, { id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 's1' }),
    );
    const done = await browser.get(verifierUrl);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${BYE}?state=s1`);
    // Signed out, no session: straight back.
    const again = await logout(new Browser(t.publicApp), { client_id: client.client_id, post_logout_redirect_uri: BYE });
    expect(again.headers.location).toBe(BYE);
  });

  describe.each(['pending', 'rejected', 'suspended'] as const)('a %s client', (status) => {
    it('registered with an attacker’s URI: no redirect to it, with or without a session', async () => {
      const client = await createClient(t, { status, post_logout_redirect_uris: [EVIL] });
      const params = { client_id: client.client_id, post_logout_redirect_uri: EVIL, state: 'x' };
      const anonymous = await logout(new Browser(t.publicApp), params);
      expect(anonymous.statusCode).toBe(303);
      expect(anonymous.headers.location).toBe(SIGNED_OUT());
      const post = await new Browser(t.publicApp).request('POST', '/oauth2/sessions/logout', params);
      expect(post.headers.location).toBe(SIGNED_OUT());

      // Signed in (through another, approved client): the person may still sign out, and
      // ends on the default page; the unreviewed client is neither recorded nor shown.
      const other = await createClient(t);
      const { browser } = await signedIn(other);
      const started = await logout(browser, params);
      // The logout screen names no client and lets no form go to the client's URIs (its CSP).
      const screen = await browser.get(started.headers.location as string);
      expect(screen.statusCode).toBe(200);
      expectNotSentAway(screen);
      expect(screen.headers['content-security-policy']).not.toContain('evil.example');
      const { shown, verifierUrl } = await confirm(started);
      expect(shown.client).toBeUndefined();
      const done = await browser.get(verifierUrl);
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe(SIGNED_OUT());
      expect(browser.jar.has('gatehouse_session')).toBe(false);
    });

    it('named by an id_token_hint: no redirect either', async () => {
      const client = await createClient(t, { post_logout_redirect_uris: [EVIL] });
      const { browser, idToken } = await signedIn(client);
      await setStatus(client.client_id, status);
      for (const params of [
        { id_token_hint: idToken, post_logout_redirect_uri: EVIL } as Record<string, string>,
        { id_token_hint: idToken, client_id: client.client_id, post_logout_redirect_uri: EVIL },
      ]) {
        const anonymous = await logout(new Browser(t.publicApp), params);
        expect(anonymous.headers.location).toBe(SIGNED_OUT());
      }
      const { verifierUrl } = await confirm(await logout(browser, { id_token_hint: idToken, post_logout_redirect_uri: EVIL }));
      const done = await browser.get(verifierUrl);
      expect(done.headers.location).toBe(SIGNED_OUT());
    });
  });

  it('a client suspended while the logout screen is open gets no redirect at the end', async () => {
    const client = await createClient(t, { post_logout_redirect_uris: [BYE] });
    const { browser, idToken } = await signedIn(client);
    const { shown, verifierUrl } = await confirm(
      await logout(browser, { id_token_hint: idToken, post_logout_redirect_uri: BYE, state: 's2' }),
    );
    expect(shown.client.client_id).toBe(client.client_id);
    await setStatus(client.client_id, 'suspended');
    const done = await browser.get(verifierUrl);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(SIGNED_OUT());
  });

  it('a post-logout URI removed while the logout screen is open is not redirected to', async () => {
    const client = await createClient(t, { post_logout_redirect_uris: [BYE] });
    const { browser, idToken } = await signedIn(client);
    const { verifierUrl } = await confirm(await logout(browser, { id_token_hint: idToken, post_logout_redirect_uri: BYE }));
    await patchClient(client.client_id, [{ op: 'replace', path: '/post_logout_redirect_uris', value: [] }]);
    expect((await browser.get(verifierUrl)).headers.location).toBe(SIGNED_OUT());
  });
});

describe('the authorization endpoint sends nothing back to a client that is no longer approved', () => {
  /** A flow whose login, or consent, the login and consent app rejected; the verifier URL it answered. */
  async function rejected(client: Awaited<ReturnType<typeof createClient>>, which: 'login' | 'consent') {
    const browser = new Browser(t.publicApp);
    const params = { client_id: client.client_id, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', state: 'st-1' };
    const start = await browser.get(`/oauth2/auth?${new URLSearchParams({ ...params, ...pkceParams() })}`);
    const loginChallenge = new URL(start.headers.location as string).searchParams.get('login_challenge') as string;
    const reject = (kind: string, challenge: string) =>
      admin(t, 'PUT', `/admin/oauth2/auth/requests/${kind}/reject?${kind}_challenge=${challenge}`, { error: 'access_denied' });
    if (which === 'login') {
      const answer = await reject('login', loginChallenge);
      expect(answer.statusCode, answer.body).toBe(200);
      return { browser, verifierUrl: answer.json().redirect_to as string };
    }
    const login = await admin(t, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`, {
      subject: 'user-1',
    });
    const afterLogin = await browser.get(login.json().redirect_to);
    const consentChallenge = new URL(afterLogin.headers.location as string).searchParams.get('consent_challenge') as string;
    const answer = await reject('consent', consentChallenge);
    expect(answer.statusCode, answer.body).toBe(200);
    return { browser, verifierUrl: answer.json().redirect_to as string };
  }

  it.each(['login', 'consent'] as const)('a %s rejection ends on an error page once the client is suspended', async (which) => {
    const client = await createClient(t);
    // Approved, the rejection goes back to the client (so what follows is about the status).
    const before = await rejected(client, which);
    expectErrorRedirect(await before.browser.get(before.verifierUrl), t.issuer, 'access_denied', 'st-1');

    const after = await rejected(client, which);
    await setStatus(client.client_id, 'suspended');
    expectErrorPage(await after.browser.get(after.verifierUrl), 403);
  });

  it('nor to a redirect URI the operator removed meanwhile', async () => {
    const other = 'https://app.example/other';
    const client = await createClient(t, { redirect_uris: [REDIRECT, other] });
    const flow = await steps(t, client, { stopAfterConsentAccept: true });
    await patchClient(client.client_id, [{ op: 'replace', path: '/redirect_uris', value: [other] }]);
    const refused = await flow.browser.get(flow.consentVerifierUrl);
    expectErrorPage(refused);
    expect(refused.headers.location).toBeUndefined();
  });
});

const pkceParams = () => ({ code_challenge: freshPkce().challenge, code_challenge_method: 'S256' });

describe('tokens carry only what the client is allowed now', () => {
  const GRANTS = ['authorization_code', 'refresh_token'];

  async function issued(scope: string, body: Record<string, unknown> = {}) {
    const client = await createClient(t, { scope: 'openid offline_access Email Twitter GatehouseID', ...body });
    const flow = await steps(t, client, { scope });
    const response = await redeem(t, client, { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier });
    expect(response.statusCode, response.body).toBe(200);
    return { client, tokens: response.json() as { access_token: string; refresh_token: string; scope: string } };
  }

  it('a refresh after the operator narrowed the scope narrows the tokens, for good', async () => {
    const { client, tokens } = await issued('openid offline_access Email Twitter');
    expect(tokens.scope.split(' ').sort()).toEqual(['Email', 'Twitter', 'offline_access', 'openid']);
    await patchClient(client.client_id, [{ op: 'replace', path: '/scope', value: 'openid offline_access Email' }]);

    const narrowed = await refresh(t, client, tokens.refresh_token);
    expect(narrowed.statusCode, narrowed.body).toBe(200);
    const body = narrowed.json();
    expect(body.scope.split(' ').sort()).toEqual(['Email', 'offline_access', 'openid']);
    expect((await introspect(t, body.access_token)).scope.split(' ')).not.toContain('Twitter');
    expect((await introspect(t, body.refresh_token)).scope.split(' ')).not.toContain('Twitter');
    const galxe = await t.publicApp.inject({
      url: '/oauth/api/2/user?scope=Twitter',
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(galxe.statusCode).toBe(403);

    // Giving the scope back to the client does not give it back to this grant.
    await patchClient(client.client_id, [{ op: 'replace', path: '/scope', value: 'openid offline_access Email Twitter' }]);
    const later = await refresh(t, client, body.refresh_token);
    expect(later.statusCode, later.body).toBe(200);
    expect(later.json().scope.split(' ')).not.toContain('Twitter');
  });

  it('asking explicitly for a withdrawn scope is invalid_scope, and spends nothing', async () => {
    const { client, tokens } = await issued('openid offline_access Email Twitter');
    await patchClient(client.client_id, [{ op: 'replace', path: '/scope', value: 'openid offline_access Email' }]);
    const ask = (scope: string) =>
      token(
        t,
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, scope },
        { basic: [client.client_id, client.client_secret] },
      );
    for (const scope of ['Twitter', 'openid Twitter', 'Email Twitter offline_access']) {
      const refused = await ask(scope);
      expect(refused.statusCode, scope).toBe(400);
      expect(refused.json().error).toBe('invalid_scope');
    }
    // What is still allowed may be asked for, with the same token (the refusals spent nothing).
    const ok = await ask('Email');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().scope).toBe('Email');
  });

  it('with every granted scope withdrawn, a refresh is invalid_scope', async () => {
    const { client, tokens } = await issued('Email Twitter', { grant_types: GRANTS });
    await patchClient(client.client_id, [{ op: 'replace', path: '/scope', value: 'GatehouseID' }]);
    const refused = await refresh(t, client, tokens.refresh_token);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_scope');
  });

  it('without the refresh_token grant type any more, a refresh is unauthorized_client', async () => {
    const { client, tokens } = await issued('openid offline_access Email');
    await patchClient(client.client_id, [{ op: 'replace', path: '/grant_types', value: ['authorization_code'] }]);
    const refused = await refresh(t, client, tokens.refresh_token);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('unauthorized_client');
  });

  it('without offline_access any more, an OpenID refresh gets no successor refresh token', async () => {
    const { client, tokens } = await issued('openid offline_access Email');
    await patchClient(client.client_id, [{ op: 'replace', path: '/scope', value: 'openid Email' }]);
    const last = await refresh(t, client, tokens.refresh_token);
    expect(last.statusCode, last.body).toBe(200);
    expect(last.json().refresh_token).toBeUndefined();
    expect(last.json().scope.split(' ').sort()).toEqual(['Email', 'openid']);
  });

  it('a code redeemed after the client was narrowed buys only what is still allowed', async () => {
    const client = await createClient(t, { scope: 'openid offline_access Email Twitter' });
    const flow = await steps(t, client, { scope: 'openid offline_access Email Twitter' });
    await patchClient(client.client_id, [{ op: 'replace', path: '/scope', value: 'openid Email' }]);
    const response = await redeem(t, client, { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().scope.split(' ').sort()).toEqual(['Email', 'openid']);
    // offline_access went too: no refresh token.
    expect(response.json().refresh_token).toBeUndefined();
  });

  it('a code redeemed after the refresh_token grant type was removed buys no refresh token', async () => {
    const client = await createClient(t, { scope: 'Email' });
    const flow = await steps(t, client, { scope: 'Email' });
    await patchClient(client.client_id, [{ op: 'replace', path: '/grant_types', value: ['authorization_code'] }]);
    const response = await redeem(t, client, { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().refresh_token).toBeUndefined();
  });

  it('a code whose every scope was withdrawn is refused, and spent', async () => {
    const client = await createClient(t, { scope: 'Email Twitter GatehouseID' });
    const flow = await steps(t, client, { scope: 'Email Twitter' });
    await patchClient(client.client_id, [{ op: 'replace', path: '/scope', value: 'GatehouseID' }]);
    const form = { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier };
    const refused = await redeem(t, client, form);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_scope');
    await patchClient(client.client_id, [{ op: 'replace', path: '/scope', value: 'Email Twitter GatehouseID' }]);
    expect((await redeem(t, client, form)).json().error).toBe('invalid_grant');
  });

  it('client_credentials asks against the scope of now', async () => {
    const client = await createClient(t, { grant_types: ['authorization_code', 'client_credentials'], scope: 'Email Twitter' });
    const basic: [string, string] = [client.client_id, client.client_secret];
    expect((await token(t, { grant_type: 'client_credentials', scope: 'Twitter' }, { basic })).statusCode).toBe(200);
    await patchClient(client.client_id, [{ op: 'replace', path: '/scope', value: 'Email' }]);
    const refused = await token(t, { grant_type: 'client_credentials', scope: 'Twitter' }, { basic });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toBe('invalid_scope');
    await patchClient(client.client_id, [{ op: 'replace', path: '/grant_types', value: ['authorization_code'] }]);
    const noGrant = await token(t, { grant_type: 'client_credentials', scope: 'Email' }, { basic });
    expect(noGrant.json().error).toBe('unauthorized_client');
  });
});

describe('a public client must use PKCE with S256', () => {
  let publicClient: Awaited<ReturnType<typeof createClient>>;
  let confidential: Awaited<ReturnType<typeof createClient>>;
  beforeAll(async () => {
    publicClient = await createClient(t, { token_endpoint_auth_method: 'none' });
    confidential = await createClient(t);
  });
  const verifier = 'p'.repeat(43);
  const authorize = (clientId: string, extra: Record<string, string>, path = '/oauth2/auth') =>
    new Browser(t.publicApp).get(
      `${path}?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid', state: 'st-7', ...extra })}`,
    );

  it.each([
    ['code_challenge_method=plain', { code_challenge: verifier, code_challenge_method: 'plain' }],
    ['no code_challenge_method (plain by default)', { code_challenge: verifier }],
  ])('%s is refused with a redirect (RFC 6749 4.1.2.1), and no flow starts', async (_, extra) => {
    for (const path of ['/oauth2/auth', '/oauth']) {
      const before = await countRows(t, 'flows');
      const response = await authorize(publicClient.client_id, extra, path);
      const location = expectErrorRedirect(response, t.issuer, 'invalid_request', 'st-7');
      expect(location.searchParams.get('error_description')).toMatch(/S256/);
      expect(await countRows(t, 'flows')).toBe(before);
    }
  });

  it('S256 works for the public client, and plain still does for a confidential one', async () => {
    const s256 = await authorize(publicClient.client_id, {
      code_challenge: challengeFor(verifier, 'S256'),
      code_challenge_method: 'S256',
    });
    expect(s256.headers.location).toContain('login_challenge=');
    const variants: Record<string, string>[] = [
      { code_challenge: verifier, code_challenge_method: 'plain' },
      { code_challenge: verifier },
    ];
    for (const extra of variants) {
      const plain = await authorize(confidential.client_id, extra);
      expect(plain.statusCode).toBe(303);
      expect(plain.headers.location).toContain('login_challenge=');
    }
  });

  it('a plain code issued while the client was confidential does not do once it is public', async () => {
    const client = await createClient(t);
    const flow = await steps(t, client, { params: { code_challenge: verifier, code_challenge_method: 'plain' } });
    const turned = await admin(t, 'PATCH', `/admin/clients/${client.client_id}`, [
      { op: 'replace', path: '/token_endpoint_auth_method', value: 'none' },
    ]);
    expect(turned.statusCode, turned.body).toBe(200);
    const response = await token(t, {
      grant_type: 'authorization_code',
      code: flow.code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: client.client_id,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_grant');
  });

  it('discovery still names both methods, plain being allowed to confidential clients', async () => {
    const metadata = (await t.publicApp.inject({ url: '/.well-known/openid-configuration' })).json();
    expect(metadata.code_challenge_methods_supported).toEqual(['S256', 'plain']);
  });
});
