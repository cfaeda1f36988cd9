/**
 * The developer portal over HTTP, as a browser without JavaScript uses it: signing in through
 * the real authorization code flow, registering, review, the secret shown once, rotation,
 * held changes, other developers kept out, bad input, CSRF, and the audit trail.
 */

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEVELOPER_PORTAL_CLIENT_ID } from '../../src/clients/first-party.js';
import { systemActor } from '../../src/events/actor.js';
import { ADDRESS_WINDOW_SECONDS } from '../../src/http/ui/ui-support.js';
import { admin, Browser, runFlow, token } from '../support/flow.js';
import { atStartOfWindow, startGatehouse, type TestGatehouse } from '../support/harness.js';
import { codeIn } from '../support/stand-ins.js';

let t: TestGatehouse;
beforeAll(async () => {
  t = await startGatehouse({ env: { CAPTCHA: 'none' } });
});
afterAll(() => t?.close());
// Every test starts in a fresh rate-limit window: the suite posts more often in a minute than a person would.
beforeEach(() => t.advance(60));

let seq = 0;
const uniqueEmail = () => `dev${++seq}.${Date.now()}@example.com`;
const location = (response: { headers: Record<string, unknown> }) => response.headers.location as string;
const pathOf = (url: string) => {
  const u = new URL(url, t.issuer);
  return u.pathname + u.search;
};

/** The newest one-time code sent to an address (the dev outbox, newest first). */
async function lastCode(to: string): Promise<string> {
  const response = await t.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(to)}`);
  return codeIn(response.json().messages[0].text);
}

interface Developer {
  browser: Browser;
  email: string;
  accountId: string;
  /** The callback's answer, with the session cookie it set. */
  landed: Awaited<ReturnType<Browser['get']>>;
}

/**
 * Opens `start` signed out: the portal sends the browser through /oauth2/auth, the login app
 * registers the address with a code from the outbox, and the callback lands back on `start`.
 */
async function signIn(start = '/ui/developers', email = uniqueEmail(), browser = new Browser(t.publicApp)): Promise<Developer> {
  const first = await browser.get(start);
  expect(first.statusCode).toBe(303);
  const authorize = new URL(location(first), t.issuer);
  expect(authorize.pathname).toBe('/oauth2/auth');
  expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
    client_id: DEVELOPER_PORTAL_CLIENT_ID,
    response_type: 'code',
    redirect_uri: `${t.issuer}/ui/developers/callback`,
    scope: 'openid',
    code_challenge_method: 'S256',
  });
  const toLogin = await browser.get(location(first));
  expect(toLogin.statusCode).toBe(303);
  const loginPath = pathOf(location(toLogin));
  expect(loginPath).toMatch(/^\/ui\/login\?login_challenge=/);
  const challenge = new URL(loginPath, t.issuer).searchParams.get('login_challenge') as string;
  expect((await browser.get(loginPath)).body).toContain('Gatehouse developer portal');
  const sent = await browser.post('/ui/register', { login_challenge: challenge, method: 'email', email, remember: '1' });
  expect(sent.statusCode).toBe(303);
  await browser.get(location(sent));
  const verified = await browser.post('/ui/code', { login_challenge: challenge, code: await lastCode(email) });
  expect(verified.statusCode).toBe(303);
  // First-party: no consent screen; straight to the portal's callback with code, state and iss.
  const back = await browser.get(location(verified));
  expect(back.statusCode).toBe(303);
  const callback = new URL(location(back));
  expect(callback.pathname).toBe('/ui/developers/callback');
  expect(callback.searchParams.get('iss')).toBe(t.issuer);
  expect(callback.searchParams.get('state')).toBe(authorize.searchParams.get('state'));
  const landed = await browser.get(pathOf(location(back)));
  expect(landed.statusCode).toBe(303);
  expect(location(landed)).toBe(start);
  const account = await t.gh.login.accounts.findByEmail(email);
  return { browser, email, accountId: account?.id as string, landed };
}

const application = (overrides: Record<string, string | string[]> = {}) => ({
  client_name: 'Weather Station',
  description: 'Shows the weather where you are.',
  client_uri: 'https://weather.example',
  logo_uri: 'https://weather.example/logo.png',
  policy_uri: 'https://weather.example/privacy',
  tos_uri: 'https://weather.example/terms',
  contact: 'owner@weather.example',
  client_type: 'confidential',
  redirect_uris: 'https://weather.example/callback',
  post_logout_redirect_uris: 'https://weather.example/bye',
  scope: ['openid', 'offline_access', 'Email'],
  ...overrides,
});

/** Registers through the form; returns the new client id. */
async function register(dev: Developer, overrides: Record<string, string | string[]> = {}): Promise<string> {
  expect((await dev.browser.get('/ui/developers/apps/new')).statusCode).toBe(200);
  const created = await dev.browser.post('/ui/developers/apps', application(overrides));
  expect(created.statusCode).toBe(303);
  const match = /^\/ui\/developers\/apps\/([^/?]+)\?done=registered$/.exec(location(created));
  expect(match).not.toBeNull();
  return decodeURIComponent(match?.[1] as string);
}

const approve = (id: string) => t.gh.clients.setStatus(systemActor(), id, 'approved');

/** Reveals the secret issued at approval: the page's "Show the client secret" button. */
async function reveal(dev: Developer, id: string) {
  await dev.browser.get(`/ui/developers/apps/${id}`);
  return dev.browser.post(`/ui/developers/apps/${id}/secret`, {});
}

const secretIn = (body: string) => /id="client-secret"[^>]*value="(gh_cs_[A-Za-z0-9_-]+)"/.exec(body)?.[1];

/** A whole code flow for the application, then the code redeemed with its secret. */
async function redeemWith(id: string, secret: string, redirectUri = 'https://weather.example/callback') {
  const { query } = await runFlow(t, {
    client: { client_id: id, redirect_uris: [redirectUri] } as never,
    scope: 'openid Email',
  });
  const code = query.get('code');
  expect(code, `no code: ${query}`).toBeTruthy();
  return token(t, { grant_type: 'authorization_code', code: code as string, redirect_uri: redirectUri }, { basic: [id, secret] });
}

describe('signing in to the portal', () => {
  it('goes through the authorization code flow and sets an HttpOnly, path-bound, 8-hour session cookie', async () => {
    const browser = new Browser(t.publicApp);
    const first = await browser.get('/ui/developers');
    const signInCookie = first.cookies.find((c) => c.name.startsWith('gatehouse_portal_signin_'));
    expect(signInCookie).toMatchObject({ path: '/ui/developers', httpOnly: true, sameSite: 'Lax' });
    const dev = await signIn();
    const session = dev.landed.cookies.find((c) => c.name === 'gatehouse_portal');
    expect(session).toMatchObject({ path: '/ui/developers', httpOnly: true, sameSite: 'Lax', maxAge: 8 * 3600 });
    // The sign-in cookie has done its job.
    expect(dev.landed.cookies.find((c) => c.name.startsWith('gatehouse_portal_signin_'))?.value).toBe('');
    const list = await dev.browser.get('/ui/developers');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Your applications');
    expect(list.body).toContain(dev.email);
    expect(list.body).toContain('You have not registered an application yet.');
  });

  it('takes a tampered session cookie for no session', async () => {
    const dev = await signIn();
    expect((await dev.browser.get('/ui/developers/apps/new')).statusCode).toBe(200);
    const raw = dev.browser.jar.get('gatehouse_portal')?.value as string;
    expect(raw).toBeTruthy();
    const forged = await t.publicApp.inject({
      url: '/ui/developers',
      headers: { cookie: `gatehouse_portal=${raw.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}` },
    });
    expect(forged.statusCode).toBe(303);
    expect(location(forged)).toMatch(/^\/oauth2\/auth\?/);
  });

  it('comes back to the page that was asked for', async () => {
    const owner = await signIn();
    const id = await register(owner);
    // The same person, in a new browser, opens the application's page directly.
    const dev = await signIn(`/ui/developers/apps/${id}`, owner.email);
    expect((await dev.browser.get(`/ui/developers/apps/${id}`)).body).toContain('Weather Station');
  });

  it('shows a clear page, and sets no session, when the state is wrong, the issuer is wrong, or sign-in was refused', async () => {
    const browser = new Browser(t.publicApp);
    const first = await browser.get('/ui/developers');
    const state = new URL(location(first), t.issuer).searchParams.get('state') as string;

    const noCookie = await t.publicApp.inject(
      `/ui/developers/callback?code=x&state=${state}&iss=${encodeURIComponent(t.issuer)}`,
    );
    expect(noCookie.statusCode).toBe(400);
    expect(noCookie.headers['content-type']).toContain('text/html');
    expect(noCookie.body).toContain('This sign-in has expired, or was started in another browser');

    const wrongState = await browser.get(`/ui/developers/callback?code=x&state=${state}x&iss=${encodeURIComponent(t.issuer)}`);
    expect(wrongState.statusCode).toBe(400);

    // Each sign-in attempt is answered once: a fresh one for the wrong issuer.
    const fresh = await browser.get('/ui/developers');
    const freshState = new URL(location(fresh), t.issuer).searchParams.get('state') as string;
    const wrongIssuer = await browser.get(`/ui/developers/callback?code=x&state=${freshState}&iss=https%3A%2F%2Fevil.example`);
    expect(wrongIssuer.statusCode).toBe(400);
    expect(wrongIssuer.body).toContain('did not come from this server');
    expect(browser.jar.has('gatehouse_portal')).toBe(false);
  });

  it('says that sign-in was refused when the login app rejects it (access_denied), without echoing the description', async () => {
    const browser = new Browser(t.publicApp);
    const first = await browser.get('/ui/developers');
    const toLogin = await browser.get(location(first));
    const challenge = new URL(location(toLogin)).searchParams.get('login_challenge') as string;
    const rejected = await admin(t, 'PUT', `/admin/oauth2/auth/requests/login/reject?login_challenge=${challenge}`, {
      error: 'access_denied',
      error_description: 'Call +1 555 0100 to unlock your account',
    });
    expect(rejected.statusCode).toBe(200);
    const back = await browser.get(rejected.json().redirect_to);
    const callback = new URL(location(back));
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const page = await browser.get(pathOf(location(back)));
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('Signing in to the developer portal was cancelled or refused');
    expect(page.body).not.toContain('555 0100');
    expect(page.body).toContain('href="/ui/developers"');
    expect(browser.jar.has('gatehouse_portal')).toBe(false);
  });

  it('a code cannot be redeemed twice: replaying the callback is refused', async () => {
    const browser = new Browser(t.publicApp);
    const email = uniqueEmail();
    const first = await browser.get('/ui/developers');
    const toLogin = await browser.get(location(first));
    const loginPath = pathOf(location(toLogin));
    const challenge = new URL(loginPath, t.issuer).searchParams.get('login_challenge') as string;
    await browser.get(loginPath);
    const sent = await browser.post('/ui/register', { login_challenge: challenge, method: 'email', email });
    await browser.get(location(sent));
    const verified = await browser.post('/ui/code', { login_challenge: challenge, code: await lastCode(email) });
    const back = await browser.get(location(verified));
    const callbackPath = pathOf(location(back));
    const signInCookies = browser.cookieHeader('/ui/developers/callback');
    expect((await browser.get(callbackPath)).statusCode).toBe(303);
    // The same answer again, with the sign-in cookie it had: the code is spent.
    const replay = await t.publicApp.inject({ url: callbackPath, headers: { cookie: signInCookies } });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('Start again');
  });

  it('signing out revokes the session: the old cookie no longer opens the portal', async () => {
    const dev = await signIn();
    const cookie = dev.browser.cookieHeader('/ui/developers');
    const page = await dev.browser.get('/ui/developers');
    expect(page.body).toContain('Sign out of the portal');
    const out = await dev.browser.post('/ui/developers/signout', {});
    expect(out.statusCode).toBe(200);
    expect(out.body).toContain('You are signed out of the developer portal');
    expect(dev.browser.jar.has('gatehouse_portal')).toBe(false);
    const replayed = await t.publicApp.inject({ url: '/ui/developers', headers: { cookie } });
    expect(replayed.statusCode).toBe(303);
    expect(location(replayed)).toMatch(/^\/oauth2\/auth\?/);
  });

  it('ends when the person revokes the portal on their account page', async () => {
    const dev = await signIn();
    const account = await dev.browser.get('/ui/account');
    expect(account.body).toContain('Gatehouse developer portal');
    const revoked = await dev.browser.post('/ui/account/apps/revoke', { client_id: DEVELOPER_PORTAL_CLIENT_ID });
    expect(revoked.statusCode).toBe(303);
    const later = await dev.browser.get('/ui/developers');
    expect(later.statusCode).toBe(303);
    expect(location(later)).toMatch(/^\/oauth2\/auth\?/);
  });

  it('ends the session after 8 hours even though the access token lives 24', async () => {
    const dev = await signIn();
    t.advance(8 * 3600 + 1);
    try {
      const later = await dev.browser.get('/ui/developers');
      expect(later.statusCode).toBe(303);
      expect(location(later)).toMatch(/^\/oauth2\/auth\?/);
    } finally {
      t.advance(-(8 * 3600 + 1));
    }
  });
});

/** Two developers shared by the tests below (one-time codes are limited per address and per IP). */
let dev: Developer;
let other: Developer;
beforeAll(async () => {
  dev = await signIn();
  other = await signIn();
});

describe('registering an application', () => {
  it('starts pending, shows its client ID, and cannot start an authorization', async () => {
    const id = await register(dev);
    const page = await dev.browser.get(`/ui/developers/apps/${id}?done=registered`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Registered. The application waits for an operator’s review');
    expect(page.body).toContain('Waiting for review');
    expect(page.body).toContain(`<code>${id}</code>`);
    expect(page.body).toContain('Issued when the application is approved');
    for (const value of [
      'https://weather.example/callback',
      'https://weather.example/bye',
      'owner@weather.example',
      'offline_access',
    ]) {
      expect(page.body).toContain(value);
    }
    const list = await dev.browser.get('/ui/developers');
    expect(list.body).toContain('Weather Station');
    expect(list.body).toContain('app-status-pending');

    const client = await t.gh.clients.get(id);
    expect(client).toMatchObject({ status: 'pending', developer_account_id: dev.accountId, secret_hash: null });

    const authorize = await new Browser(t.publicApp).get(
      `/oauth2/auth?${new URLSearchParams({
        client_id: id,
        response_type: 'code',
        redirect_uri: 'https://weather.example/callback',
        scope: 'openid',
        state: 'st4te-value',
      })}`,
    );
    expect(authorize.statusCode).toBe(403);
    expect(authorize.headers['content-type']).toContain('text/html');
    expect(authorize.headers.location).toBeUndefined();
    expect(authorize.body).not.toContain('login_challenge');
  });

  it('names the developer as the actor of client.created in the audit log', async () => {
    const id = await register(dev);
    const [entry] = await t.gh.audit.list({ limit: 5, action: 'client.created', targetId: id });
    expect(entry).toMatchObject({ action: 'client.created', actor: { type: 'developer', id: dev.accountId } });
  });

  it('registers a public client: no secret, ever', async () => {
    const id = await register(dev, { client_type: 'public', redirect_uris: 'http://localhost:5173/callback' });
    await approve(id);
    const page = await dev.browser.get(`/ui/developers/apps/${id}`);
    expect(page.body).toContain('None: a public client proves itself with PKCE');
    expect(page.body).not.toContain('Show the client secret');
    expect(await t.gh.clients.get(id)).toMatchObject({ token_endpoint_auth_method: 'none', secret_hash: null });
    const rotate = await dev.browser.post(`/ui/developers/apps/${id}/rotate`, { confirm: 'yes' });
    expect(rotate.statusCode).toBe(400);
    expect(rotate.body).toContain('no client secret to rotate');
  });
});

describe('bad input on the registration form', () => {
  const cases: [string, Record<string, string | string[]>, string][] = [
    [
      'a non-https redirect URI for a non-loopback host',
      { redirect_uris: 'http://weather.example/cb' },
      'must use https unless the host is a loopback address',
    ],
    ['a fragment', { redirect_uris: 'https://weather.example/cb#x' }, 'must not contain a fragment'],
    ['a wildcard', { redirect_uris: 'https://*.weather.example/cb' }, 'must not contain a wildcard'],
    ['no redirect URI', { redirect_uris: '' }, 'Add at least one redirect URI'],
    ['an oversized name', { client_name: 'W'.repeat(201) }, 'Use a name of at most 200 characters'],
    ['an oversized description', { description: 'd'.repeat(2001) }, 'Use at most 2000 characters'],
    ['a logo over http', { logo_uri: 'http://weather.example/logo.png' }, 'Use an https:// URL'],
    ['a homepage that is not a URL', { client_uri: 'weather' }, 'Enter a full URL'],
    ['a bad contact', { contact: 'owner at weather' }, 'email address'],
    ['no scope', { scope: [] }, 'Choose at least one scope'],
    ['an unknown scope', { scope: ['openid', 'root'] }, 'Unknown scope: root'],
    ['no client type', { client_type: '' }, 'Choose the kind of application'],
  ];

  it.each(cases)('refuses %s with its message, on the same form, keeping what was typed', async (_what, change, message) => {
    await dev.browser.get('/ui/developers/apps/new');
    const response = await dev.browser.post('/ui/developers/apps', application({ client_name: 'Kept Name', ...change }));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain(message);
    expect(response.body).toContain('<form method="post" action="/ui/developers/apps"');
    if (!('client_name' in change)) expect(response.body).toContain('value="Kept Name"');
    if (typeof change.redirect_uris === 'string' && change.redirect_uris) expect(response.body).toContain(change.redirect_uris);
    expect(response.body).toMatch(/aria-describedby="[^"]*f-[a-z_]+-error"/);
  });

  it('refuses HTML in the name and shows what was typed escaped, never as markup', async () => {
    await dev.browser.get('/ui/developers/apps/new');
    const name = '<script>alert(1)</script>';
    const response = await dev.browser.post(
      '/ui/developers/apps',
      application({ client_name: name, redirect_uris: 'https://weather.example/cb"><img src=x onerror=alert(2)>' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('The name cannot contain &lt; or &gt;.');
    expect(response.body).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(response.body).not.toContain('<script>alert');
    expect(response.body).not.toContain('<img src=x');
    expect(response.body).toContain('&lt;img src=x onerror=alert(2)&gt;');
  });

  it('renders an accepted description and name escaped everywhere they appear', async () => {
    const id = await register(dev, { client_name: 'Tom & Jerry "Weather"', description: '<b>bold</b> & <i>it</i>' });
    const page = await dev.browser.get(`/ui/developers/apps/${id}`);
    expect(page.body).toContain('Tom &amp; Jerry &quot;Weather&quot;');
    expect(page.body).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;it&lt;/i&gt;');
    expect(page.body).not.toContain('<b>bold</b>');
    const list = await dev.browser.get('/ui/developers');
    expect(list.body).toContain('Tom &amp; Jerry &quot;Weather&quot;');
  });

  it('refuses a tampered form (a repeated field) with an error page, not a crash', async () => {
    await dev.browser.get('/ui/developers/apps/new');
    const response = await dev.browser.post('/ui/developers/apps', application({ client_name: ['One', 'Two'] }));
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('sent more than once');
  });

  it('limits registrations per address: the 31st post in a minute is refused with 429', async () => {
    atStartOfWindow(t, ADDRESS_WINDOW_SECONDS);
    await dev.browser.get('/ui/developers/apps/new');
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      statuses.push((await dev.browser.post('/ui/developers/apps', application({ client_name: '' }))).statusCode);
    }
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    expect(statuses[30]).toBe(429);
    const limited = await dev.browser.post('/ui/developers/apps', application());
    expect(limited.body).toContain('Too many attempts from your network');
  });

  it('refuses a post without the CSRF token, and registers nothing', async () => {
    const before = (await t.gh.clients.listForDeveloper(dev.accountId)).length;
    const response = await dev.browser.post('/ui/developers/apps', { ...application(), _csrf: 'forged' });
    expect(response.statusCode).toBe(403);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('This form has expired or did not come from this site');
    const noToken = await t.publicApp.inject({
      method: 'POST',
      url: '/ui/developers/apps',
      headers: { cookie: dev.browser.cookieHeader('/ui/developers/apps'), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'client_name=x',
    });
    expect(noToken.statusCode).toBe(403);
    expect((await t.gh.clients.listForDeveloper(dev.accountId)).length).toBe(before);
  });
});

describe('an approved application', () => {
  it('shows its secret exactly once; the secret works at the token endpoint', async () => {
    const id = await register(dev);
    await approve(id);
    const page = await dev.browser.get(`/ui/developers/apps/${id}`);
    expect(page.body).toContain('Approved.');
    expect(page.body).toContain('Your client secret is ready');
    // Looking at the page does not spend the secret: only the button does.
    expect(secretIn(page.body)).toBeUndefined();
    expect((await t.gh.clients.get(id)).unrevealed_secret).not.toBeNull();

    const shown = await reveal(dev, id);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Copy it now: it will not be shown again.');
    const secret = secretIn(shown.body) as string;
    expect(secret).toMatch(/^gh_cs_/);

    const again = await reveal(dev, id);
    expect(again.statusCode).toBe(303);
    expect(location(again)).toBe(`/ui/developers/apps/${id}?done=secret-gone`);
    const after = await dev.browser.get(location(again));
    expect(after.body).toContain('already shown once');
    expect(after.body).not.toContain(secret);
    expect(after.body).toContain('Rotate secret');

    const tokens = await redeemWith(id, secret);
    expect(tokens.statusCode).toBe(200);
    expect(tokens.json().access_token).toMatch(/^gh_at_/);
  });

  it('rotating asks first, then shows a new secret once; the old one stops working', async () => {
    const id = await register(dev);
    await approve(id);
    const old = secretIn((await reveal(dev, id)).body) as string;

    await dev.browser.get(`/ui/developers/apps/${id}`);
    const confirm = await dev.browser.post(`/ui/developers/apps/${id}/rotate`, {});
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Rotate the client secret?');
    expect(confirm.body).toContain('name="confirm" value="yes"');
    expect(await redeemWith(id, old).then((r) => r.statusCode)).toBe(200);

    const rotated = await dev.browser.post(`/ui/developers/apps/${id}/rotate`, { confirm: 'yes' });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.body).toContain('Your new client secret');
    const fresh = secretIn(rotated.body) as string;
    expect(fresh).toMatch(/^gh_cs_/);
    expect(fresh).not.toBe(old);

    const withOld = await redeemWith(id, old);
    expect(withOld.statusCode).toBe(401);
    expect(withOld.json().error).toBe('invalid_client');
    expect((await redeemWith(id, fresh)).statusCode).toBe(200);
    const page = await dev.browser.get(`/ui/developers/apps/${id}`);
    expect(page.body).not.toContain(fresh);
  });

  it('holds a change of redirect URIs for review: the old URI keeps working, the new one only once approved', async () => {
    const id = await register(dev);
    await approve(id);
    const secret = secretIn((await reveal(dev, id)).body) as string;

    const edit = await dev.browser.get(`/ui/developers/apps/${id}/edit`);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('reviewed by an operator before they take effect');
    expect(edit.body).not.toContain('name="client_type"');
    const saved = await dev.browser.post(
      `/ui/developers/apps/${id}/edit`,
      application({
        description: 'Now with forecasts.',
        redirect_uris: 'https://weather.example/callback\nhttps://weather.example/v2/callback',
        client_type: 'public',
      }),
    );
    expect(saved.statusCode).toBe(303);
    expect(location(saved)).toBe(`/ui/developers/apps/${id}?done=held`);
    const page = await dev.browser.get(location(saved));
    expect(page.body).toContain('Changes waiting for review');
    expect(page.body).toContain('https://weather.example/v2/callback');
    expect(page.body).toContain('Now with forecasts.'); // descriptive fields apply at once
    expect(page.body).toContain('Approved.');

    const client = await t.gh.clients.get(id);
    expect(client.redirect_uris).toEqual(['https://weather.example/callback']);
    expect(client.token_endpoint_auth_method).toBe('client_secret_basic');
    expect((await redeemWith(id, secret)).statusCode).toBe(200);
    await expect(redeemWith(id, secret, 'https://weather.example/v2/callback')).rejects.toThrow(/authorize answered 400/);

    // The edit form shows what was asked, so saving again keeps the request.
    expect((await dev.browser.get(`/ui/developers/apps/${id}/edit`)).body).toContain('https://weather.example/v2/callback');

    await t.gh.clients.decideChanges(systemActor(), id, 'approve');
    expect((await redeemWith(id, secret, 'https://weather.example/v2/callback')).statusCode).toBe(200);
    const approved = await dev.browser.get(`/ui/developers/apps/${id}`);
    expect(approved.body).not.toContain('Changes waiting for review');
  });

  it('a rejected application shows the reason; editing sends it back for review', async () => {
    const id = await register(dev);
    await t.gh.clients.setStatus(systemActor(), id, 'rejected', 'The privacy policy link is <broken>.');
    const page = await dev.browser.get(`/ui/developers/apps/${id}`);
    expect(page.body).toContain('Rejected.');
    expect(page.body).toContain('The privacy policy link is &lt;broken&gt;.');
    expect(page.body).toContain('saving it sends it back for review');
    await dev.browser.get(`/ui/developers/apps/${id}/edit`);
    const saved = await dev.browser.post(
      `/ui/developers/apps/${id}/edit`,
      application({ policy_uri: 'https://weather.example/privacy-policy' }),
    );
    expect(location(saved)).toBe(`/ui/developers/apps/${id}?done=resubmitted`);
    expect(await t.gh.clients.get(id)).toMatchObject({ status: 'pending', policy_uri: 'https://weather.example/privacy-policy' });
  });

  it('a suspended application shows the operator’s reason', async () => {
    const id = await register(dev);
    await approve(id);
    await t.gh.clients.setStatus(systemActor(), id, 'suspended', 'Phishing reports');
    const page = await dev.browser.get(`/ui/developers/apps/${id}`);
    expect(page.body).toContain('Suspended.');
    expect(page.body).toContain('Phishing reports');
  });

  it('an edit with a bad redirect URI comes back on the edit form with its message', async () => {
    const id = await register(dev);
    await dev.browser.get(`/ui/developers/apps/${id}/edit`);
    const response = await dev.browser.post(
      `/ui/developers/apps/${id}/edit`,
      application({ redirect_uris: 'https://weather.example/*' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(`action="/ui/developers/apps/${id}/edit"`);
    expect(response.body).toContain('must not contain a wildcard');
    expect((await t.gh.clients.get(id)).redirect_uris).toEqual(['https://weather.example/callback']);
  });

  it('deleting asks first, then the application and its client ID are gone', async () => {
    const id = await register(dev);
    await dev.browser.get(`/ui/developers/apps/${id}`);
    const confirm = await dev.browser.post(`/ui/developers/apps/${id}/delete`, {});
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete this application?');
    expect(await t.gh.clients.get(id)).toBeTruthy();
    const deleted = await dev.browser.post(`/ui/developers/apps/${id}/delete`, { confirm: 'yes' });
    expect(deleted.statusCode).toBe(303);
    expect(location(deleted)).toBe('/ui/developers?done=deleted');
    expect((await dev.browser.get(location(deleted))).body).toContain('The application is deleted.');
    await expect(t.gh.clients.get(id)).rejects.toThrow(/does not exist/);
    const [entry] = await t.gh.audit.list({ limit: 1, action: 'client.deleted', targetId: id });
    expect(entry?.actor).toMatchObject({ type: 'developer', id: dev.accountId });
  });
});

describe('other developers and unknown applications', () => {
  it('another developer gets a 404 for every page and action of the application, and changes nothing', async () => {
    const owner = dev;
    const id = await register(owner);
    await approve(id);
    const intruder = other;
    await intruder.browser.get('/ui/developers');
    const attempts = [
      await intruder.browser.get(`/ui/developers/apps/${id}`),
      await intruder.browser.get(`/ui/developers/apps/${id}/edit`),
      await intruder.browser.post(`/ui/developers/apps/${id}/edit`, application({ client_name: 'Mine now' })),
      await intruder.browser.post(`/ui/developers/apps/${id}/secret`, {}),
      await intruder.browser.post(`/ui/developers/apps/${id}/rotate`, { confirm: 'yes' }),
      await intruder.browser.post(`/ui/developers/apps/${id}/delete`, { confirm: 'yes' }),
    ];
    for (const response of attempts) {
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain('No such application');
      expect(response.body).not.toContain('Weather Station');
    }
    expect((await intruder.browser.get('/ui/developers')).body).not.toContain(id);
    const client = await t.gh.clients.get(id);
    expect(client.name).toBe('Weather Station');
    expect(client.unrevealed_secret).not.toBeNull(); // the owner can still collect it
  });

  it('an unknown or malformed application ID is a 404 page, escaped', async () => {
    const unknown = await dev.browser.get('/ui/developers/apps/no-such-app');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('<code>no-such-app</code>');
    const odd = await dev.browser.get(`/ui/developers/apps/${encodeURIComponent('<b>x</b>')}`);
    expect(odd.statusCode).toBe(404);
    expect(odd.body).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(odd.body).not.toContain('<b>x</b>');
  });
});
