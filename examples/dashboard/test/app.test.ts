/**
 * The Dashboard over HTTP (inject) against a real Gatehouse: the sign-in round trip, what
 * each failure shows, CSRF on its forms, sign-out, and escaping.
 */
import { GatehouseClient } from '@gatehouse/sdk';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createClient, runFlow } from '../../../test/support/flow.js';
import { startGatehouse, type TestGatehouse } from '../../../test/support/harness.js';
import { buildDashboard } from '../src/app.js';
import { dashboardPage } from '../src/pages.js';
import { DASHBOARD_SCOPES } from '../src/start.js';

const BASE = 'http://localhost:3000';
let t: TestGatehouse;
let client: Awaited<ReturnType<typeof createClient>>;
let app: FastifyInstance;
let personId: string;
const email = `dash.${Date.now()}@example.com`;

beforeAll(async () => {
  t = await startGatehouse({ listen: true });
  client = await createClient(t, {
    client_name: 'Dashboard',
    redirect_uris: [`${BASE}/callback`],
    post_logout_redirect_uris: [`${BASE}/signed-out`],
    scope: DASHBOARD_SCOPES.join(' '),
  });
  const gatehouse = await GatehouseClient.discover({
    issuer: t.issuer,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    redirectUri: `${BASE}/callback`,
    postLogoutRedirectUri: `${BASE}/signed-out`,
    scope: DASHBOARD_SCOPES,
  });
  app = await buildDashboard({ gatehouse, baseUrl: BASE, cookieSecret: 'a-cookie-secret-of-at-least-32-characters' });
  personId = (await t.gh.login.accounts.register({ email })).id;
});
afterAll(async () => {
  await app?.close();
  await t?.close();
});

const path = (url: URL) => url.pathname + url.search;

/** /login on the Dashboard, the person's answers at Gatehouse, and the callback back on the Dashboard. */
async function signIn(browser = new Browser(app), answer: 'allow' | 'none' = 'allow', subject = personId) {
  const login = await browser.get('/login');
  expect(login.statusCode).toBe(303);
  const authorize = new URL(login.headers.location as string);
  if (answer === 'none') return { browser, authorize };
  const { location } = await runFlow(t, { client, params: Object.fromEntries(authorize.searchParams), subject });
  const callback = await browser.get(path(location));
  return { browser, authorize, callback, location };
}

describe('the Dashboard', () => {
  it('shows the landing page with the button and a strict CSP', async () => {
    const response = await app.inject('/');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<gatehouse-signin href="/login"');
    expect(response.body).toContain('<a class="gatehouse-signin gatehouse-signin--dark gatehouse-signin--large" href="/login">');
    expect(response.body).toContain(`<script type="module" src="${t.issuer}/ui/button/gatehouse-signin.js"></script>`);
    const csp = response.headers['content-security-policy'] as string;
    expect(csp).toContain(`script-src ${t.issuer};`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect((await app.inject('/assets/dashboard.css')).headers['content-type']).toContain('text/css');
  });

  it('signs in: PKCE and nonce in the request, a fresh session cookie, and the person on the page', async () => {
    const { browser, authorize, callback } = await signIn();
    expect(authorize.origin).toBe(t.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(callback?.statusCode).toBe(303);
    expect(callback?.headers.location).toBe('/');
    const session = callback?.cookies.find((c) => c.name === 'dashboard_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const page = await browser.get('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain(email);
    expect(page.body).toContain(personId);
    expect(page.body).toContain(client.client_id);
  });

  it('a callback with no sign-in under way, or for another sign-in, is a clear 400 page', async () => {
    const stray = await app.inject('/callback?code=x&state=y');
    expect(stray.statusCode).toBe(400);
    expect(stray.body).toContain('This sign-in cannot be finished');
    expect(stray.body).toContain('state_mismatch');

    const { browser, location } = await signIn();
    const forged = new URL(location as URL);
    forged.searchParams.set('state', 'forged');
    // A second sign-in in this browser, then the first one's callback with a wrong state.
    await browser.get('/login');
    const refused = await browser.get(path(forged));
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('state_mismatch');
  });

  it('a person who declines sees "Sign-in cancelled"', async () => {
    const browser = new Browser(app);
    const { authorize } = await signIn(browser, 'none');
    const callback = new URL(`${BASE}/callback`);
    callback.searchParams.set('error', 'access_denied');
    callback.searchParams.set('state', authorize.searchParams.get('state') as string);
    callback.searchParams.set('iss', t.issuer);
    const page = await browser.get(path(callback));
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('Sign-in cancelled');
  });

  it('Refresh needs the page’s CSRF token, then replaces the tokens', async () => {
    const { browser } = await signIn();
    const before = (await browser.get('/')).body;
    const ending = /…(\S{6})</.exec(before)?.[1];
    const forged = await browser.post('/refresh', { _csrf: 'not-the-token' });
    expect(forged.statusCode).toBe(303);
    expect((await browser.get('/')).body).toContain(`…${ending}<`);

    const refreshed = await browser.post('/refresh', {});
    expect(refreshed.statusCode).toBe(303);
    const after = (await browser.get('/')).body;
    expect(after).toContain('Token refreshed');
    expect(after).not.toContain(`…${ending}<`);
  });

  it('Sign out revokes the tokens, forgets the session, and goes to Gatehouse’s logout with the ID token', async () => {
    const { browser } = await signIn();
    await browser.get('/');
    const out = await browser.post('/logout', {});
    expect(out.statusCode).toBe(303);
    const logout = new URL(out.headers.location as string);
    expect(logout.origin + logout.pathname).toBe(`${t.issuer}/oauth2/sessions/logout`);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${BASE}/signed-out`);
    expect(logout.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect((await browser.get('/')).body).toContain('Sign in with Gatehouse');
    expect((await app.inject('/signed-out')).body).toContain('You are signed out');
  });

  it('when Gatehouse revokes the access, the next page says so and signs the person out', async () => {
    const { browser } = await signIn();
    // As an operator would (Hydra's API): the consent goes, and with it every token it gave.
    const revoked = await t.adminApp.inject({
      method: 'DELETE',
      url: `/admin/oauth2/auth/sessions/consent?subject=${personId}&client=${client.client_id}`,
    });
    expect(revoked.statusCode).toBe(204);
    const page = await browser.get('/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Your access ended at Gatehouse');
    expect(page.body).toContain('Sign in with Gatehouse');
  });

  it('answers unknown pages and unreadable requests with its own pages, never a stack trace', async () => {
    const missing = await app.inject('/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Page not found');
    const odd = await app.inject({ method: 'POST', url: '/refresh', headers: { 'content-type': 'text/x-odd' }, payload: 'x' });
    expect(odd.statusCode).toBe(415);
    expect(odd.body).toContain('Bad request');
    expect(odd.body).not.toMatch(/at .*\.ts/);
  });

  it('escapes what Gatehouse sends (a linked username is data, not markup)', () => {
    const body = dashboardPage(
      { issuer: 'http://localhost:4444' },
      {
        accountId: 'id-1',
        email: '"><script>alert(1)</script>',
        emailShared: true,
        phoneShared: false,
        identities: [{ scope: 'Twitter', label: 'X (Twitter)', value: '<img src=x onerror=alert(1)>', detail: 'user id 1' }],
        token: { clientId: 'c', expiresAt: new Date(), scope: ['openid'], ending: 'abcdef' },
        canRefresh: true,
      },
      { csrf: 'tok"en', now: Date.now() },
    );
    expect(body).not.toContain('<script>alert');
    expect(body).not.toContain('<img src=x');
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).toContain('value="tok&quot;en"');
  });
});

describe('revocation at sign-out', () => {
  it('Sign out ends the grant at Gatehouse, not only the Dashboard’s session', async () => {
    const other = await t.gh.login.accounts.register({ email: `other.${Date.now()}@example.com` });
    const granted = async () => (await t.gh.grants.activeClients(other.id, new Date())).map((g) => g.client_id);
    const { browser } = await signIn(new Browser(app), 'allow', other.id);
    expect(await granted()).toContain(client.client_id);
    await browser.get('/');
    await browser.post('/logout', {});
    expect(await granted()).not.toContain(client.client_id);
  });
});
