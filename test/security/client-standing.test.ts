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
