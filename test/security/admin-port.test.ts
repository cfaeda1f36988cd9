/**
 * No web page can make the admin port act (issue "Secure by default", item 1; DESIGN.md 1):
 * a cross-site form or no-cors fetch cannot create a client, a page served under a rebinding
 * name cannot read the outbox, and both hold with the admin token and without it
 * (ADMIN_TOKEN=none), since the token is the second lock, not the only one.
 */
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminHostMatcher, hostOf } from '../../src/http/admin/request-guard.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';

const ADMIN_TOKEN = 'admin-port-test-token-0123456789abcdef';
const ATTACKER_CLIENT = {
  client_id: 'attacker-app',
  client_secret: 'attacker-chosen-secret-0123456789',
  client_name: 'Totally legit',
  redirect_uris: 'https://evil.example/cb',
  skip_consent: 'true',
};

describe.each([
  { mode: 'with the admin token', env: { ADMIN_TOKEN }, auth: { authorization: `Bearer ${ADMIN_TOKEN}` } },
  { mode: 'with ADMIN_TOKEN=none', env: { ADMIN_TOKEN: 'none' }, auth: {} },
])('the admin port $mode', ({ env, auth }) => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startGatehouse({ env: { ...env, CAPTCHA: 'none' } });
  });
  afterAll(() => t?.close());

  const send = (options: InjectOptions & { headers?: Record<string, string> }) =>
    t.adminApp.inject({ ...options, headers: { host: '127.0.0.1:4445', ...auth, ...options.headers } });
  const attackerClient = () => t.gh.clientStore.find(ATTACKER_CLIENT.client_id);

  it('takes no form, multipart or text/plain body on the API: what a cross-site form can send', async () => {
    const bodies = [
      { 'content-type': 'application/x-www-form-urlencoded', payload: new URLSearchParams(ATTACKER_CLIENT).toString() },
      // A form with enctype=text/plain can smuggle a JSON document in its one field.
      {
        'content-type': 'text/plain',
        payload: `${JSON.stringify({ ...ATTACKER_CLIENT, redirect_uris: [ATTACKER_CLIENT.redirect_uris], skip_consent: true, x: '' }).slice(0, -3)}=""}`,
      },
      {
        'content-type': 'multipart/form-data; boundary=x',
        payload: '--x\r\nContent-Disposition: form-data; name="client_id"\r\n\r\nattacker-app\r\n--x--\r\n',
      },
      { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', payload: 'client_id=attacker-app' },
      { 'content-type': 'APPLICATION/X-WWW-FORM-URLENCODED', payload: 'client_id=attacker-app' },
    ];
    for (const { payload, ...headers } of bodies) {
      for (const [method, url] of [
        ['POST', '/admin/clients'],
        ['PUT', '/admin/clients/attacker-app'],
        ['PUT', '/admin/oauth2/auth/requests/login/accept?login_challenge=x'],
      ] as const) {
        const response = await send({ method, url, headers, payload });
        expect(response.statusCode, `${method} ${url} ${headers['content-type']}`).toBe(415);
        expect(response.json().error).toBe('invalid_request');
      }
    }
    expect(await attackerClient()).toBeUndefined();
    // An empty form is no body: Hydra's SDKs (axios) label a bodiless PUT so. Not from another site.
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const rotate = { method: 'POST', url: '/admin/keys/gatehouse.openid.id-token', payload: '' } as const;
    expect((await send({ ...rotate, headers: form })).statusCode).toBe(201);
    expect((await send({ ...rotate, headers: { ...form, origin: 'https://evil.example' } })).statusCode).toBe(403);
  });

  it('refuses what a browser says another site sent, or a foreign Origin sent, whatever the body', async () => {
    const json = { 'content-type': 'application/json' };
    const body = JSON.stringify({ ...ATTACKER_CLIENT, redirect_uris: [ATTACKER_CLIENT.redirect_uris], skip_consent: true });
    const refused: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      // Another port of localhost is the same site: a page of another local service.
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example' },
      { origin: 'http://127.0.0.1:3000' },
      { origin: 'http://127.0.0.1.evil.example:4445' },
      { origin: 'null' },
      { origin: 'not a url' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
    ];
    for (const headers of refused) {
      const created = await send({ method: 'POST', url: '/admin/clients', headers: { ...json, ...headers }, payload: body });
      expect(created.statusCode, JSON.stringify(headers)).toBe(403);
      expect(created.json()).toMatchObject({ error: 'invalid_request', error_description: expect.stringContaining('web pages') });
      // Bodiless writes too (a no-cors fetch sends no content type): rotating keys or a secret.
      const rotated = await send({ method: 'POST', url: '/admin/keys/gatehouse.openid.id-token', headers });
      expect(rotated.statusCode, JSON.stringify(headers)).toBe(403);
      // And reads: a page must not learn the one-time codes either.
      expect((await send({ method: 'GET', url: '/admin/outbox', headers })).statusCode).toBe(403);
    }
    expect(await attackerClient()).toBeUndefined();

    // What the port's own pages, curl, the CLI and server-side SDKs send passes.
    const passing: Record<string, string>[] = [
      {},
      { 'sec-fetch-site': 'same-origin', origin: 'http://127.0.0.1:4445' },
      { 'sec-fetch-site': 'none' },
      // The console's own form posts: its pages send no referrer, so their Origin is null.
      { 'sec-fetch-site': 'same-origin', origin: 'null' },
    ];
    for (const headers of passing) {
      expect((await send({ method: 'GET', url: '/admin/clients', headers })).statusCode, JSON.stringify(headers)).toBe(200);
    }
  });

  it('answers only to its own host names: a rebinding name reads no one-time code', async () => {
    for (const host of [
      'rebind.evil.example:4445',
      'rebind.evil.example',
      'localhost.evil.example:4445',
      'evil.localhost:4445',
      '127.0.0.1.nip.io:4445',
      '2130706433:4445',
      '203.0.113.9:4445',
      '[2001:db8::1]:4445',
      'localhost@evil.example',
      'local host',
    ]) {
      const response = await send({ method: 'GET', url: '/admin/outbox', headers: { host } });
      expect(response.statusCode, host).toBe(421);
      expect(response.json()).toMatchObject({
        error: 'invalid_request',
        error_description: expect.stringContaining('host names'),
      });
    }
    for (const host of ['localhost:4445', 'LOCALHOST:4445', 'localhost.', '127.0.0.1', '127.0.0.2:4445', '[::1]:4445']) {
      expect((await send({ method: 'GET', url: '/admin/outbox', headers: { host } })).statusCode, host).toBe(200);
    }
  });

  it('keeps the form body of RFC 7662 introspection, and the console its forms, behind the same checks', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const introspected = await send({ method: 'POST', url: '/admin/oauth2/introspect', headers: form, payload: 'token=nope' });
    expect(introspected.statusCode).toBe(200);
    expect(introspected.json()).toEqual({ active: false });
    const crossSite = await send({
      method: 'POST',
      url: '/admin/oauth2/introspect',
      headers: { ...form, origin: 'https://evil.example' },
      payload: 'token=nope',
    });
    expect(crossSite.statusCode).toBe(403);
    // The console's sign-in form is parsed (a CSRF refusal, not a 415) from its own page, refused from another.
    const own = await send({ method: 'POST', url: '/admin/ui/login', headers: form, payload: 'operator=ada' });
    expect(own.statusCode).toBe(403);
    expect(own.body).toContain('did not come from this site');
    const foreign = await send({
      method: 'POST',
      url: '/admin/ui/login',
      headers: { ...form, 'sec-fetch-site': 'cross-site' },
      payload: 'operator=ada',
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.body).toContain('refuses requests from web pages other than its own console');
  });
});

describe('which host names are the admin listener’s own', () => {
  it('reads Host as a browser or proxy sends it', () => {
    expect(hostOf('LocalHost:4445')).toBe('localhost');
    expect(hostOf('[::1]:4445')).toBe('::1');
    expect(hostOf('admin.internal.')).toBe('admin.internal');
    for (const bad of ['', 'a b', '[::1', '[evil]:1', 'user@host', 'host:port', 'host:123456']) {
      expect(hostOf(bad), bad).toBeUndefined();
    }
  });

  it('names, addresses and ADMIN_HOSTS, by how the listener is bound', () => {
    const loopback = adminHostMatcher({ bindHost: '127.0.0.1', extraHosts: ['admin.internal'] });
    expect(['localhost', '127.0.0.1', '127.9.9.9', '::1', 'admin.internal'].every(loopback)).toBe(true);
    expect(['10.0.0.5', 'evil.example', 'internal'].some(loopback)).toBe(false);

    const bound = adminHostMatcher({ bindHost: '10.1.2.3', extraHosts: [] });
    expect(bound('10.1.2.3')).toBe(true);
    expect(bound('10.1.2.4')).toBe(false);

    const named = adminHostMatcher({ bindHost: 'gatehouse-admin', extraHosts: [] });
    expect(named('gatehouse-admin')).toBe(true);
    expect(named('gatehouse-admin.evil.example')).toBe(false);

    // On every address: the machine's own addresses, never another's.
    const everywhere = adminHostMatcher({ bindHost: '0.0.0.0', extraHosts: [] });
    expect(everywhere('127.0.0.1')).toBe(true);
    expect(everywhere('198.51.100.77')).toBe(false);
  });
});
