/**
 * The admin console (/admin/ui on the admin port), driven like a browser with a cookie jar:
 * signing in with ADMIN_TOKEN, deciding on applications through the same services as the
 * admin API, and reading who did what in the audit log.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_ATTEMPTS, LOGIN_ATTEMPTS_ALL, LOGIN_WINDOW_SECONDS } from '../../src/audit/console-sign-in.js';
import type { ClientInput } from '../../src/clients/clients.js';
import { systemActor } from '../../src/events/actor.js';
import { buildAdminApp } from '../../src/http/server.js';
import { Browser, token } from '../support/flow.js';
import { atStartOfWindow, startGatehouse, type TestGatehouse } from '../support/harness.js';

const ADMIN_TOKEN = 'console-test-admin-token-0123456789abcdef';
const OPERATOR = 'ada@ops.example';

let t: TestGatehouse;
let seq = 0;
const unique = (prefix: string) => `${prefix}-${++seq}-${Date.now().toString(36)}`;
const location = (response: { headers: Record<string, unknown> }) => response.headers.location as string;

beforeAll(async () => {
  t = await startGatehouse({ env: { ADMIN_TOKEN, CAPTCHA: 'none' } });
});
afterAll(() => t?.close());

/** The admin JSON API, as the CLI calls it. */
function api(method: 'GET' | 'POST', url: string, payload?: Record<string, string>) {
  return t.adminApp.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(payload ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(payload ? { payload: new URLSearchParams(payload).toString() } : {}),
  });
}

const introspect = async (value: string) => (await api('POST', '/admin/oauth2/introspect', { token: value })).json();

/** A browser whose requests come from `ip` (each test that counts attempts gets its own address). */
function browserFrom(app: FastifyInstance, ip: string): Browser {
  const fromIp = { inject: (options: object) => app.inject({ ...options, remoteAddress: ip }) };
  return new Browser(fromIp as unknown as FastifyInstance);
}

async function signIn(browser: Browser, operator = OPERATOR, adminToken = ADMIN_TOKEN) {
  const page = await browser.get('/admin/ui/login');
  expect(page.statusCode).toBe(200);
  const done = await browser.post('/admin/ui/login', { operator, token: adminToken });
  expect(done.statusCode).toBe(303);
  return done;
}

async function operatorBrowser(operator = OPERATOR): Promise<Browser> {
  const browser = browserFrom(t.adminApp, `10.1.0.${++seq % 250}`);
  await signIn(browser, operator);
  return browser;
}

/** A developer's application from the portal: pending, with everything a developer can enter. */
async function portalApplication(input: Partial<ClientInput> = {}) {
  const developer = await t.gh.login.accounts.register({ email: `${unique('dev')}@example.com` });
  const app = await t.gh.clients.registerForDeveloper(systemActor(), developer.id, {
    client_name: 'Moonbase Quests',
    description: 'Quests for the Moonbase community.\nPeople sign in to collect rewards.',
    client_uri: 'https://moonbase.example',
    logo_uri: 'https://cdn.moonbase.example/logo.png',
    policy_uri: 'https://moonbase.example/privacy',
    tos_uri: 'https://moonbase.example/terms',
    contacts: ['security@moonbase.example'],
    redirect_uris: ['https://moonbase.example/callback'],
    post_logout_redirect_uris: ['https://moonbase.example/bye'],
    scope: 'openid Email EVMAddress',
    ...input,
  });
  return { developer, app };
}

describe('signing in to the console with ADMIN_TOKEN', () => {
  it('sends a browser without a session to the sign-in page, and back where it was going', async () => {
    const browser = browserFrom(t.adminApp, '10.2.0.1');
    const first = await browser.get('/admin/ui/clients?q=moon');
    expect(first.statusCode).toBe(303);
    const login = location(first);
    expect(login).toBe(`/admin/ui/login?next=${encodeURIComponent('/admin/ui/clients?q=moon')}`);
    const page = await browser.get(login);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.body).toContain('name="token" type="password"');
    const done = await browser.post('/admin/ui/login', {
      operator: OPERATOR,
      token: ADMIN_TOKEN,
      next: '/admin/ui/clients?q=moon',
    });
    expect(done.statusCode).toBe(303);
    expect(location(done)).toBe('/admin/ui/clients?q=moon');
    const cookie = (
      done.cookies as { name: string; path?: string; httpOnly?: boolean; sameSite?: string; maxAge?: number }[]
    ).find((c) => c.name === 'gatehouse_console');
    expect(cookie).toMatchObject({ path: '/admin', httpOnly: true, sameSite: 'Strict', maxAge: 12 * 3600 });
    const list = await browser.get('/admin/ui/clients?q=moon');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`Signed in as <strong>${OPERATOR}</strong>`);
    const [signedIn] = await t.gh.audit.list({ limit: 1, action: 'console.signed_in' });
    expect(signedIn).toMatchObject({ actor: { type: 'operator', id: OPERATOR }, ip: '10.2.0.1' });
  });

  it('never sends the operator off the console after signing in', async () => {
    const browser = browserFrom(t.adminApp, '10.2.0.2');
    await browser.get('/admin/ui/login');
    for (const next of ['https://evil.example/', '//evil.example/admin/ui', '/admin/ui//evil.example', '/admin/clients']) {
      const done = await browser.post('/admin/ui/login', { operator: OPERATOR, token: ADMIN_TOKEN, next });
      expect(location(done)).toBe('/admin/ui');
    }
  });

  it('refuses a wrong token, an empty name and a reserved name', async () => {
    const browser = browserFrom(t.adminApp, '10.2.0.3');
    await browser.get('/admin/ui/login');
    const wrong = await browser.post('/admin/ui/login', { operator: OPERATOR, token: 'not-the-token' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('That is not the admin token.');
    expect(wrong.body).toContain(`value="${OPERATOR}"`);
    expect(browser.jar.has('gatehouse_console')).toBe(false);
    // A failed sign-in is a security event: recorded with the name it claimed, not as that operator.
    const [failed] = await t.gh.audit.list({ limit: 1, action: 'console.sign_in_failed' });
    expect(failed).toMatchObject({ actor: { type: 'anonymous' }, ip: '10.2.0.3', details: { claimed: OPERATOR } });
    const noName = await browser.post('/admin/ui/login', { operator: '  ', token: ADMIN_TOKEN });
    expect(noName.statusCode).toBe(400);
    expect(noName.body).toContain('Enter your name or email');
    const reserved = await browser.post('/admin/ui/login', { operator: 'admin-api', token: ADMIN_TOKEN });
    expect(reserved.statusCode).toBe(400);
    expect(browser.jar.has('gatehouse_console')).toBe(false);
    expect((await browser.get('/admin/ui')).statusCode).toBe(303);
  });

  it('limits sign-in attempts per address, even with the right token once the limit is reached', async () => {
    atStartOfWindow(t, LOGIN_WINDOW_SECONDS);
    const attacker = browserFrom(t.adminApp, '10.3.0.1');
    await attacker.get('/admin/ui/login');
    for (let i = 0; i < LOGIN_ATTEMPTS; i++) {
      const guess = await attacker.post('/admin/ui/login', { operator: 'mallory', token: `guess-${i}` });
      expect(guess.statusCode).toBe(401);
    }
    const blocked = await attacker.post('/admin/ui/login', { operator: 'mallory', token: ADMIN_TOKEN });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toContain('Too many sign-in attempts');
    expect(attacker.jar.has('gatehouse_console')).toBe(false);
    // Another address is not affected.
    await signIn(browserFrom(t.adminApp, '10.3.0.2'));
  });

  it('limits sign-in attempts from all addresses together, so forged client addresses do not help', async () => {
    const other = await startGatehouse({ env: { ADMIN_TOKEN, CAPTCHA: 'none' } });
    atStartOfWindow(other, LOGIN_WINDOW_SECONDS);
    try {
      let n = 0;
      // A guesser that sends every attempt with another X-Forwarded-For, as nothing stops it from doing.
      const rotating = {
        inject: (options: { headers?: Record<string, string> }) =>
          other.adminApp.inject({ ...options, headers: { ...options.headers, 'x-forwarded-for': `198.51.100.${++n % 250}` } }),
      };
      const guesser = new Browser(rotating as unknown as FastifyInstance);
      await guesser.get('/admin/ui/login');
      for (let i = 0; i < LOGIN_ATTEMPTS_ALL; i++) {
        expect((await guesser.post('/admin/ui/login', { operator: 'mallory', token: `guess-${i}` })).statusCode).toBe(401);
      }
      const blocked = await guesser.post('/admin/ui/login', { operator: 'mallory', token: ADMIN_TOKEN });
      expect(blocked.statusCode).toBe(429);
      // The JSON API, with the token, is not locked out.
      const api = await other.adminApp.inject({ url: '/admin/clients', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(api.statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('refuses a sign-in form without its CSRF token', async () => {
    const browser = browserFrom(t.adminApp, '10.2.0.4');
    await browser.get('/admin/ui/login');
    const forged = await browser.post('/admin/ui/login', { operator: OPERATOR, token: ADMIN_TOKEN, _csrf: '' });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['content-type']).toContain('text/html');
    expect(browser.jar.has('gatehouse_console')).toBe(false);
  });

  it('serves the stylesheet to the sign-in page without the token', async () => {
    const css = await t.adminApp.inject('/ui/assets/app.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toContain('text/css');
    // The console is not part of the admin API's OpenAPI document.
    const openapi = await api('GET', '/admin/openapi.json');
    expect(Object.keys(openapi.json().paths).filter((path) => path.startsWith('/admin/ui') || path.startsWith('/ui/'))).toEqual(
      [],
    );
  });

  it('does not open the JSON API with the console cookie', async () => {
    const browser = await operatorBrowser();
    const clients = await browser.get('/admin/clients');
    expect(clients.statusCode).toBe(401);
    expect(clients.json().error).toBe('unauthorized');
    const audit = await browser.get('/admin/audit');
    expect(audit.statusCode).toBe(401);
  });

  it('voids the session when ADMIN_TOKEN changes or is removed, and when the cookie is tampered with', async () => {
    const browser = await operatorBrowser();
    expect((await browser.get('/admin/ui')).statusCode).toBe(200);
    const cookie = browser.jar.get('gatehouse_console');
    if (!cookie) throw new Error('no console cookie');
    for (const adminToken of ['a-new-admin-token-after-rotation-0123456789', undefined]) {
      const restarted = await buildAdminApp(t.gh, { adminToken });
      try {
        const same = new Browser(restarted);
        same.jar.set('gatehouse_console', cookie);
        const response = await same.get('/admin/ui');
        expect(response.statusCode).toBe(303);
        expect(location(response)).toBe('/admin/ui/login');
      } finally {
        await restarted.close();
      }
    }
    // The same server, the cookie's session id changed: its signature no longer matches.
    const tampered = new Browser(t.adminApp);
    const [id, signature] = cookie.value.split('.') as [string, string];
    const forged = `${id.slice(0, -1)}${id.endsWith('A') ? 'B' : 'A'}`;
    tampered.jar.set('gatehouse_console', { ...cookie, value: `${forged}.${signature}` });
    expect((await tampered.get('/admin/ui')).statusCode).toBe(303);
  });

  it('expires the session after 12 hours', async () => {
    const browser = await operatorBrowser();
    expect((await browser.get('/admin/ui')).statusCode).toBe(200);
    t.advance(12 * 3600 + 1);
    expect((await browser.get('/admin/ui')).statusCode).toBe(303);
  });

  it('signs out, ending the session on the server: a copied cookie is no use after', async () => {
    const browser = await operatorBrowser();
    const queue = await browser.get('/admin/ui');
    expect(queue.body).toContain('action="/admin/ui/logout"');
    const copy = new Browser(t.adminApp);
    copy.jar.set('gatehouse_console', browser.jar.get('gatehouse_console') as NonNullable<ReturnType<typeof browser.jar.get>>);
    expect((await copy.get('/admin/ui')).statusCode).toBe(200);
    const out = await browser.post('/admin/ui/logout', {});
    expect(out.statusCode).toBe(303);
    expect(location(out)).toBe('/admin/ui/login?done=signed-out');
    expect(browser.jar.has('gatehouse_console')).toBe(false);
    expect((await browser.get('/admin/ui')).statusCode).toBe(303);
    const stolen = await copy.get('/admin/ui');
    expect(stolen.statusCode).toBe(303);
    expect(location(stolen)).toBe('/admin/ui/login');
  });
});

describe('deciding on applications', () => {
  it('shows a pending application with everything its developer entered, and approves it', async () => {
    const { developer, app } = await portalApplication();
    const browser = await operatorBrowser();
    const queue = await browser.get('/admin/ui');
    expect(queue.statusCode).toBe(200);
    const body = queue.body;
    for (const text of [
      'Moonbase Quests',
      app.client_id,
      'Quests for the Moonbase community.',
      'href="https://moonbase.example"',
      'href="https://cdn.moonbase.example/logo.png"',
      'href="https://moonbase.example/privacy"',
      'href="https://moonbase.example/terms"',
      'security@moonbase.example',
      'https://moonbase.example/callback',
      'https://moonbase.example/bye',
      '<code>EVMAddress</code> <span class="muted">— Your EVM (Ethereum) address</span>',
      'Confidential',
      developer.email as string,
      `datetime="${app.created_at}"`,
    ]) {
      expect(body).toContain(text);
    }
    // The logo is a link, never an image from the developer's server.
    expect(body).not.toContain('<img');

    const approved = await browser.post('/admin/ui/decide', { client_id: app.client_id, action: 'approve', from: 'queue' });
    expect(approved.statusCode).toBe(303);
    expect(location(approved)).toBe(`/admin/ui?done=approved&client=${app.client_id}`);
    const after = await browser.get(location(approved));
    expect(after.body).toContain('Approved “Moonbase Quests”');
    expect(after.body).toContain('Its developer sees the client secret once');
    expect((await t.gh.clients.get(app.client_id)).status).toBe('approved');

    const [entry] = await t.gh.audit.list({ limit: 1, action: 'client.status_changed', targetId: app.client_id });
    expect(entry).toMatchObject({
      actor: { type: 'operator', id: OPERATOR },
      target: { type: 'client', id: app.client_id },
      details: { from: 'pending', to: 'approved' },
    });
    expect(entry?.ip).toBeDefined();
  });

  it('rejects only with a reason, and keeps the reason', async () => {
    const { app } = await portalApplication({ client_name: 'Spammy Airdrop' });
    const browser = await operatorBrowser();
    await browser.get(`/admin/ui/clients/${app.client_id}`);
    const bare = await browser.post('/admin/ui/decide', { client_id: app.client_id, action: 'reject', reason: '   ' });
    expect(bare.statusCode).toBe(400);
    expect(bare.body).toContain('Give a reason to reject the application');
    expect(bare.body).toContain('aria-invalid="true"');
    expect((await t.gh.clients.get(app.client_id)).status).toBe('pending');

    const rejected = await browser.post('/admin/ui/decide', {
      client_id: app.client_id,
      action: 'reject',
      reason: 'The homepage does not describe a real product.',
    });
    expect(rejected.statusCode).toBe(303);
    const client = await t.gh.clients.get(app.client_id);
    expect(client.status).toBe('rejected');
    expect(client.status_reason).toBe('The homepage does not describe a real product.');
    const page = await browser.get(location(rejected));
    expect(page.body).toContain('Rejected “Spammy Airdrop”');
    expect(page.body).toContain('The homepage does not describe a real product.');
    // The history on the page names the operator.
    expect(page.body).toContain(`operator:<strong>${OPERATOR}</strong>`);

    // A decision that no longer fits the status changes nothing.
    const late = await browser.post('/admin/ui/decide', { client_id: app.client_id, action: 'reject', reason: 'again' });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('This application is rejected now');
  });

  it('suspends an approved client: its tokens stop working and new authorizations are refused; reinstates it', async () => {
    const client = await t.gh.clients.create(
      systemActor(),
      {
        client_name: 'Partner Service',
        grant_types: ['client_credentials', 'authorization_code'],
        redirect_uris: ['https://partner.example/cb'],
        scope: 'openid',
      },
      { status: 'approved' },
    );
    const issued = await token(
      t,
      { grant_type: 'client_credentials' },
      { basic: [client.client_id, client.client_secret as string] },
    );
    expect(issued.statusCode).toBe(200);
    const accessToken = issued.json().access_token as string;
    expect((await introspect(accessToken)).active).toBe(true);

    const browser = await operatorBrowser('grace@ops.example');
    const detail = await browser.get(`/admin/ui/clients/${client.client_id}`);
    expect(detail.body).toContain('Suspend: revoke its tokens and refuse sign-ins');
    const noReason = await browser.post('/admin/ui/decide', { client_id: client.client_id, action: 'suspend' });
    expect(noReason.statusCode).toBe(400);
    expect((await introspect(accessToken)).active).toBe(true);

    const suspended = await browser.post('/admin/ui/decide', {
      client_id: client.client_id,
      action: 'suspend',
      reason: 'Leaked client secret (ticket 4521).',
    });
    expect(suspended.statusCode).toBe(303);
    expect((await introspect(accessToken)).active).toBe(false);
    const authorize = await t.publicApp.inject(
      `/oauth2/auth?${new URLSearchParams({
        client_id: client.client_id,
        response_type: 'code',
        redirect_uri: 'https://partner.example/cb',
        scope: 'openid',
        state: 'suspended-state',
      })}`,
    );
    expect(authorize.statusCode).not.toBe(303);
    expect(authorize.headers.location).toBeUndefined();
    const refused = await token(
      t,
      { grant_type: 'client_credentials' },
      { basic: [client.client_id, client.client_secret as string] },
    );
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);

    const page = await browser.get(location(suspended));
    expect(page.body).toContain('its tokens are revoked and new sign-ins are refused');
    expect(page.body).toContain('Reinstate');
    const reinstated = await browser.post('/admin/ui/decide', { client_id: client.client_id, action: 'reinstate' });
    expect(reinstated.statusCode).toBe(303);
    expect((await t.gh.clients.get(client.client_id)).status).toBe('approved');
    // Reinstating does not bring revoked tokens back; new ones work.
    expect((await introspect(accessToken)).active).toBe(false);
    const again = await token(
      t,
      { grant_type: 'client_credentials' },
      { basic: [client.client_id, client.client_secret as string] },
    );
    expect(again.statusCode).toBe(200);

    const entries = await t.gh.audit.list({ limit: 10, action: 'client.status_changed', targetId: client.client_id });
    expect(entries.map((e) => [e.actor.id, e.details.to])).toEqual([
      ['grace@ops.example', 'approved'],
      ['grace@ops.example', 'suspended'],
    ]);
    expect(entries[1]?.details.reason).toBe('Leaked client secret (ticket 4521).');
  });

  it('shows a change to an approved application as a diff, and approves or rejects it', async () => {
    const { developer, app } = await portalApplication({ client_name: 'Changing Co' });
    await t.gh.clients.setStatus(systemActor(), app.client_id, 'approved');
    await t.gh.clients.updateForDeveloper({ type: 'developer', id: developer.id }, developer.id, app.client_id, {
      redirect_uris: ['https://moonbase.example/callback', 'https://moonbase.example/v2/callback'],
      scope: 'openid Email Twitter',
    });
    const browser = await operatorBrowser();
    const queue = await browser.get('/admin/ui');
    const card = queue.body.slice(queue.body.indexOf(`id="chg-${app.client_id}"`));
    expect(card).toContain('Changing Co');
    expect(card).toMatch(/class="add">.*Added:.*https:\/\/moonbase\.example\/v2\/callback/);
    expect(card).toMatch(/class="add">.*Added:.*Twitter.*Your X \(Twitter\) account/);
    expect(card).toMatch(/class="del">.*Removed:.*EVMAddress/);
    expect(card).toContain('Approve change');

    const bare = await browser.post('/admin/ui/changes', { client_id: app.client_id, decision: 'reject', from: 'queue' });
    expect(bare.statusCode).toBe(400);
    expect(bare.body).toContain('Give a reason to reject the change');

    const approved = await browser.post('/admin/ui/changes', { client_id: app.client_id, decision: 'approve', from: 'queue' });
    expect(approved.statusCode).toBe(303);
    const client = await t.gh.clients.get(app.client_id);
    expect(client.redirect_uris).toContain('https://moonbase.example/v2/callback');
    expect(client.scope).toBe('openid Email Twitter');
    expect(client.pending_changes).toBeNull();
    expect((await browser.get(location(approved))).body).toContain('Approved the change to “Changing Co”');

    await t.gh.clients.updateForDeveloper(systemActor(), developer.id, app.client_id, { scope: 'openid Email Twitter Discord' });
    const rejected = await browser.post('/admin/ui/changes', {
      client_id: app.client_id,
      decision: 'reject',
      reason: 'Discord access is not needed for quests.',
    });
    expect(rejected.statusCode).toBe(303);
    expect((await t.gh.clients.get(app.client_id)).scope).toBe('openid Email Twitter');
    const [entry] = await t.gh.audit.list({ limit: 1, action: 'client.changes_rejected', targetId: app.client_id });
    expect(entry).toMatchObject({ actor: { id: OPERATOR }, details: { reason: 'Discord access is not needed for quests.' } });
    // The developer who asked is recognisable in the log by their address, not only their account id.
    const log = await browser.get(`/admin/ui/audit?action=client.changes_requested&target=${app.client_id}`);
    expect(log.body).toContain(`developer:<strong>${developer.id}</strong><br><span class="muted">${developer.email}</span>`);
  });

  it('is refused by the admin API where the console refuses, with the same sentence (review.ts)', async () => {
    const { developer, app } = await portalApplication({ client_name: 'Agreeing Co' });
    await t.gh.clients.setStatus(systemActor(), app.client_id, 'approved');
    await t.gh.clients.updateForDeveloper(systemActor(), developer.id, app.client_id, { scope: 'openid Email Twitter' });
    const putChanges = (body: Record<string, string>) =>
      t.adminApp.inject({
        method: 'PUT',
        url: `/admin/clients/${app.client_id}/pending-changes`,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    const browser = await operatorBrowser();

    // Rejecting a change without a reason: 400 on both, with the rule's sentence.
    const byConsole = await browser.post('/admin/ui/changes', { client_id: app.client_id, decision: 'reject', reason: ' ' });
    const byApi = await putChanges({ decision: 'reject', reason: ' ' });
    expect(byConsole.statusCode).toBe(400);
    expect(byApi.statusCode).toBe(400);
    expect(byApi.json()).toMatchObject({
      error: 'invalid_request',
      error_description: 'Give a reason to reject the change: it is kept in the audit log.',
    });
    expect(byConsole.body).toContain(byApi.json().error_description);
    expect((await t.gh.clients.get(app.client_id)).pending_changes).not.toBeNull();

    // Once decided, a second decision applies to nothing: 409 on both.
    expect((await putChanges({ decision: 'approve' })).statusCode).toBe(200);
    const late = await browser.post('/admin/ui/changes', { client_id: app.client_id, decision: 'approve' });
    const lateApi = await putChanges({ decision: 'approve' });
    expect(late.statusCode).toBe(409);
    expect(lateApi.statusCode).toBe(409);
    expect(lateApi.json().error).toBe('conflict');
    expect(late.body).toContain(lateApi.json().error_description);
  });

  it('decides a client on the admin API under the same rules as the console (review.ts)', async () => {
    const { app } = await portalApplication({ client_name: 'Reviewed Both Ways' });
    const decide = (body: Record<string, string>) =>
      t.adminApp.inject({
        method: 'POST',
        url: `/admin/clients/${app.client_id}/decisions`,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    const browser = await operatorBrowser();
    await browser.get('/admin/ui');

    // Rejecting without a reason: 400 on both, with the rule's sentence, and nothing changes.
    const byConsole = await browser.post('/admin/ui/decide', { client_id: app.client_id, action: 'reject', reason: ' ' });
    const byApi = await decide({ decision: 'reject', reason: ' ' });
    expect(byConsole.statusCode).toBe(400);
    expect(byApi.statusCode).toBe(400);
    expect(byApi.json().error).toBe('invalid_request');
    expect(byConsole.body).toContain(byApi.json().error_description);
    expect((await t.gh.clients.get(app.client_id)).status).toBe('pending');

    // A pending application cannot be suspended or reinstated: 409 on both.
    const suspendByConsole = await browser.post('/admin/ui/decide', { client_id: app.client_id, action: 'suspend', reason: 'r' });
    const suspendByApi = await decide({ decision: 'suspend', reason: 'r' });
    expect(suspendByConsole.statusCode).toBe(409);
    expect(suspendByApi.statusCode).toBe(409);
    expect(suspendByApi.json().error).toBe('conflict');
    expect(suspendByConsole.body).toContain(suspendByApi.json().error_description);

    // What the console allows, the API allows: approve, then suspend with a reason.
    const approved = await decide({ decision: 'approve' });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().status).toBe('approved');
    expect((await decide({ decision: 'approve' })).statusCode).toBe(409);
    const suspended = await decide({ decision: 'suspend', reason: 'Phishing reports' });
    expect(suspended.json()).toMatchObject({ status: 'suspended', status_reason: 'Phishing reports' });
  });

  it('refuses an action without its CSRF token', async () => {
    const { app } = await portalApplication({ client_name: 'Forged Target' });
    const browser = await operatorBrowser();
    await browser.get('/admin/ui');
    const forged = await browser.post('/admin/ui/decide', { client_id: app.client_id, action: 'approve', _csrf: '' });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('This form has expired or did not come from this site.');
    const wrong = await browser.post('/admin/ui/decide', { client_id: app.client_id, action: 'approve', _csrf: 'x'.repeat(52) });
    expect(wrong.statusCode).toBe(403);
    expect((await t.gh.clients.get(app.client_id)).status).toBe('pending');
  });

  it('answers bad input with a page, never a server error', async () => {
    const browser = await operatorBrowser();
    await browser.get('/admin/ui');
    const cases = [
      await browser.get('/admin/ui/clients/no-such-client'),
      await browser.get('/admin/ui/clients?status=deleted'),
      await browser.get('/admin/ui/audit?before=abc'),
      await browser.get('/admin/ui/nowhere'),
      await browser.post('/admin/ui/decide', { client_id: 'no-such-client', action: 'approve' }),
      await browser.post('/admin/ui/decide', { action: 'approve' }),
      await browser.post('/admin/ui/decide', { client_id: 'x', action: 'delete' }),
      await browser.post('/admin/ui/decide', { client_id: 'x', action: 'constructor' }),
      await browser.post('/admin/ui/changes', { client_id: 'x', decision: 'maybe' }),
    ];
    expect(cases.map((r) => r.statusCode)).toEqual([404, 400, 400, 404, 404, 400, 400, 400, 400]);
    // Still inside the console, with its navigation.
    expect(cases[0]?.body).toContain('The client &quot;no-such-client&quot; does not exist.');
    expect(cases[0]?.body).toContain('Back to the pending queue');
    expect(cases[0]?.body).toContain(`Signed in as <strong>${OPERATOR}</strong>`);
    for (const response of cases) {
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.body).not.toMatch(/at .*\.ts:\d+/);
    }
    const { app } = await portalApplication({ client_name: 'Flash Target' });
    const oddFlash = await browser.get(`/admin/ui?done=constructor&client=${app.client_id}`);
    expect(oddFlash.statusCode).toBe(200);
    expect(oddFlash.body).not.toContain('role="status"');
    const badAction = await browser.get('/admin/ui/audit?action=%3Cscript%3E');
    expect(badAction.statusCode).toBe(200);
    expect(badAction.body).toContain('An action is made of letters');
  });
});

describe('finding applications', () => {
  it('searches by name, client id and contact, case-insensitively, with wildcards taken literally', async () => {
    const tag = unique('srch').toLowerCase();
    const make = (name: string, contacts: string[] = []) =>
      t.gh.clients.create(
        systemActor(),
        { client_name: name, redirect_uris: ['https://search.example/cb'], contacts },
        { status: 'approved' },
      );
    const alpha = await make(`Alpha Wallet ${tag}`);
    const percent = await make(`Hundred%Club ${tag}`);
    const under = await make(`Under_Score ${tag}`, [`owner+${tag}@search.example`]);
    const browser = await operatorBrowser();

    const names = async (q: string, status = '') => {
      const response = await browser.get(`/admin/ui/clients?${new URLSearchParams({ q, status })}`);
      expect(response.statusCode).toBe(200);
      return [alpha, percent, under].filter((c) => response.body.includes(c.client_id)).map((c) => c.client_name);
    };
    expect(await names(`ALPHA WALLET ${tag.toUpperCase()}`)).toEqual([alpha.client_name]);
    expect(await names(alpha.client_id.slice(2, 14))).toEqual([alpha.client_name]);
    expect(await names(`owner+${tag}@SEARCH`)).toEqual([under.client_name]);
    expect(await names(`%Club ${tag}`)).toEqual([percent.client_name]);
    expect(await names(`%`)).toEqual([percent.client_name]);
    expect(await names(`_Score ${tag}`)).toEqual([under.client_name]);
    expect(await names(tag)).toHaveLength(3);
    expect(await names(tag, 'pending')).toEqual([]);
    const none = await browser.get(`/admin/ui/clients?q=${tag}-nothing`);
    expect(none.body).toContain('No application matches.');
  });

  it('pages through the list with a next link', async () => {
    const tag = unique('page').toLowerCase();
    for (let i = 0; i < 52; i++) {
      await t.gh.clients.create(
        systemActor(),
        { client_name: `Paged ${tag} ${i}`, grant_types: ['client_credentials'], scope: '' },
        { status: 'approved' },
      );
    }
    const browser = await operatorBrowser();
    const first = await browser.get(`/admin/ui/clients?q=${tag}`);
    const rows = (body: string) => body.match(/<tr>\n<td><a href="\/admin\/ui\/clients\//g)?.length ?? 0;
    expect(rows(first.body)).toBe(50);
    const next = /href="([^"]*after=[^"]*)">Next page/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toBeDefined();
    const second = await browser.get(next as string);
    expect(rows(second.body)).toBe(2);
    expect(second.body).not.toContain('Next page');
    expect(second.body).toContain('First page');
  });
});

describe('what the console shows', () => {
  it('escapes HTML in names and descriptions everywhere', async () => {
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const { app } = await portalApplication({
      client_name: `Evil ${evil}`,
      description: `Desc ${evil}`,
      contacts: [`"><svg onload=alert(3)>@x.example`],
    });
    const browser = await operatorBrowser(`op <b>bold</b>`);
    const pages = [
      await browser.get('/admin/ui'),
      await browser.get(`/admin/ui/clients?q=${encodeURIComponent('Evil <script>')}`),
      await browser.get(`/admin/ui/clients/${app.client_id}`),
    ];
    const decided = await browser.post('/admin/ui/decide', { client_id: app.client_id, action: 'reject', reason: evil });
    pages.push(await browser.get(location(decided)), await browser.get(`/admin/ui/audit?target=${app.client_id}`));
    for (const [i, page] of pages.entries()) {
      expect(page.statusCode).toBe(200);
      // The audit log names no client, but shows the reason given.
      expect(page.body).toContain(`${i === 4 ? '' : 'Evil '}&lt;script&gt;alert(1)&lt;/script&gt;`);
      expect(page.body).not.toContain('<script>');
      expect(page.body).not.toContain('<img');
      expect(page.body).not.toContain('<svg onload');
      expect(page.body).not.toContain('<b>bold</b>');
      expect(page.body).toContain('op &lt;b&gt;bold&lt;/b&gt;');
    }
  });

  it('lists the audit log newest first, with who, and filters by action and target', async () => {
    const { app } = await portalApplication({ client_name: 'Audited App' });
    const browser = await operatorBrowser('linus@ops.example');
    await browser.get('/admin/ui');
    await browser.post('/admin/ui/decide', { client_id: app.client_id, action: 'approve' });
    await browser.post('/admin/ui/decide', { client_id: app.client_id, action: 'suspend', reason: 'Abuse report' });

    const page = await browser.get(`/admin/ui/audit?target=${app.client_id}`);
    expect(page.statusCode).toBe(200);
    const suspendedAt = page.body.indexOf('suspended');
    const createdAt = page.body.indexOf('client.created');
    expect(suspendedAt).toBeGreaterThan(0);
    expect(createdAt).toBeGreaterThan(suspendedAt);
    expect(page.body).toContain('operator:<strong>linus@ops.example</strong>');
    expect(page.body).toContain('Abuse report');
    expect(page.body).toContain('<code>client.status_changed</code>');

    const family = await browser.get(`/admin/ui/audit?action=client&target=${app.client_id}`);
    expect(family.body).toContain('client.status_changed');
    const exact = await browser.get(`/admin/ui/audit?action=client.created&target=${app.client_id}`);
    expect(exact.body).toContain('client.created');
    expect(exact.body).not.toContain('<code>client.status_changed</code>');
    const byActor = await browser.get(`/admin/ui/audit?actor=linus@ops.example`);
    expect(byActor.body).toContain(app.client_id);
  });

  it('pages through the audit log', async () => {
    const browser = await operatorBrowser();
    const { app } = await portalApplication({ client_name: 'Busy App' });
    for (let i = 0; i < 55; i++) await t.gh.events.emit({ type: 'client.updated', clientId: app.client_id }, systemActor());
    const first = await browser.get(`/admin/ui/audit?target=${app.client_id}`);
    const rows = (body: string) => body.match(/<code>client\.(updated|created)<\/code>/g)?.length ?? 0;
    expect(rows(first.body)).toBe(50);
    const older = /href="([^"]*before=[^"]*)">Older entries/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
    expect(older).toBeDefined();
    const second = await browser.get(older as string);
    expect(rows(second.body)).toBe(6);
    expect(second.body).toContain('Newest entries');
  });
});

describe('the console with ADMIN_TOKEN=none', () => {
  let open: TestGatehouse;
  beforeAll(async () => {
    open = await startGatehouse({ env: { ADMIN_TOKEN: 'none', CAPTCHA: 'none' } });
  });
  afterAll(() => open?.close());

  it('warns on every page, asks only for a name, and names the operator in the audit log', async () => {
    const browser = new Browser(open.adminApp);
    const first = await browser.get('/admin/ui');
    expect(first.statusCode).toBe(303);
    const login = await browser.get(location(first));
    expect(login.body).toContain('ADMIN_TOKEN=none.');
    expect(login.body).not.toContain('name="token"');
    expect((await browser.post('/admin/ui/login', { operator: '' })).statusCode).toBe(400);
    const signedIn = await browser.post('/admin/ui/login', { operator: 'solo@ops.example' });
    expect(signedIn.statusCode).toBe(303);
    const queue = await browser.get('/admin/ui');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('ADMIN_TOKEN=none.');

    const client = await open.gh.clients.create(
      systemActor(),
      { client_name: 'Open Port App', redirect_uris: ['https://open.example/cb'] },
      { status: 'pending' },
    );
    await browser.get('/admin/ui');
    expect((await browser.post('/admin/ui/decide', { client_id: client.client_id, action: 'approve' })).statusCode).toBe(303);
    const [entry] = await open.gh.audit.list({ limit: 1, action: 'client.status_changed', targetId: client.client_id });
    expect(entry?.actor).toEqual({ type: 'operator', id: 'solo@ops.example' });
    // The JSON API without a token still acts as "admin-api".
    expect((await open.adminApp.inject('/admin/clients')).statusCode).toBe(200);
  });
});
