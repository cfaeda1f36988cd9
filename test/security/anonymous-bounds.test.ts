/**
 * What an anonymous caller makes Gatehouse keep stays bounded (issue 28): login requests
 * started at the authorization endpoint, audit entries written by failed client
 * authentication, and clients registered with an initial access token.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUTHORIZATION_PARAMETERS } from '../../src/oauth/authorize/parameters.js';
import { admin, Browser, createClient } from '../support/flow.js';
import { atStartOfWindow, startGatehouse, type TestGatehouse } from '../support/harness.js';
import { countRows, expectErrorPage, expectErrorRedirect, freshPkce, REDIRECT } from './helpers.js';

/** The flood tests send a few hundred requests, each a database write: minutes on a loaded two-core machine. */
const FLOOD_TIMEOUT = 240_000;

let t: TestGatehouse;
let started: TestGatehouse[] = [];
afterEach(async () => {
  await Promise.all(started.map((g) => g.close()));
  started = [];
});
/** A Gatehouse for one test, closed after it. */
async function start(env: Record<string, string> = {}): Promise<TestGatehouse> {
  const g = await startGatehouse({ env });
  started.push(g);
  return g;
}

/** One request from `address`, as a browser or a client there would send it. */
const from = (app: FastifyInstance, address: string, options: InjectOptions) =>
  app.inject({ ...options, remoteAddress: address });

const authorizeQuery = (clientId: string, extra: Record<string, string> = {}) =>
  new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid',
    state: 's'.repeat(40),
    code_challenge: freshPkce().challenge,
    code_challenge_method: 'S256',
    ...extra,
  });

const authorize = (address: string, clientId: string, extra: Record<string, string> = {}, path = '/oauth2/auth') =>
  from(t.publicApp, address, { method: 'GET', url: `${path}?${authorizeQuery(clientId, extra)}` });

describe('login requests started at the authorization endpoint', () => {
  it(
    'are bounded per address: 200 requests from one address store 60, the rest go back to the client',
    async () => {
      t = await start();
      const client = await createClient(t);
      atStartOfWindow(t, 600);
      const big = { login_hint: 'h'.repeat(200), ui_locales: 'en fr de', state: 'x'.repeat(1000) };
      const statuses = { started: 0, refused: 0 };
      for (let i = 0; i < 200; i++) {
        const response = await authorize('203.0.113.5', client.client_id, big);
        expect(response.statusCode).toBe(303);
        const location = new URL(response.headers.location as string);
        if (location.pathname === '/ui/login') statuses.started++;
        else {
          // RFC 6749 4.1.2.1: the client hears that the server cannot take the request now.
          expectErrorRedirect(response, t.issuer, 'temporarily_unavailable', big.state);
          statuses.refused++;
        }
      }
      expect(statuses).toEqual({ started: 60, refused: 140 });
      expect(await countRows(t, 'flows')).toBe(60);
      // Another address has its own budget.
      const other = await authorize('198.51.100.7', client.client_id);
      expect(new URL(other.headers.location as string).pathname).toBe('/ui/login');
    },
    FLOOD_TIMEOUT,
  );

  it('share one budget across GET and POST /oauth2/auth, the Galxe alias GET /oauth, and an IPv6 /64', async () => {
    t = await start({ RATE_LIMIT_AUTHORIZATION_REQUESTS: '3/10m' });
    const client = await createClient(t);
    atStartOfWindow(t, 600);
    const address = '2001:db8:1:2::10';
    expect(new URL((await authorize(address, client.client_id)).headers.location as string).pathname).toBe('/ui/login');
    const posted = await from(t.publicApp, '2001:db8:1:2::11', {
      method: 'POST',
      url: '/oauth2/auth',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: authorizeQuery(client.client_id).toString(),
    });
    expect(new URL(posted.headers.location as string).pathname).toBe('/ui/login');
    const galxe = await authorize('2001:db8:1:2:ffff::1', client.client_id, {}, '/oauth');
    expect(new URL(galxe.headers.location as string).pathname).toBe('/ui/login');
    for (const path of ['/oauth2/auth', '/oauth']) {
      const refused = await authorize('2001:db8:1:2::99', client.client_id, { state: 'st' }, path);
      expectErrorRedirect(refused, t.issuer, 'temporarily_unavailable', 'st');
    }
    expect(await countRows(t, 'flows')).toBe(3);
    // The next /64 is another network.
    const next = await authorize('2001:db8:1:3::10', client.client_id);
    expect(new URL(next.headers.location as string).pathname).toBe('/ui/login');
  });

  it('are refused beyond the limit only once the client and redirect URI are trusted; before, the page says what is wrong', async () => {
    t = await start({ RATE_LIMIT_AUTHORIZATION_REQUESTS: '1/10m' });
    const client = await createClient(t);
    atStartOfWindow(t, 600);
    await authorize('203.0.113.9', client.client_id);
    expectErrorPage(await authorize('203.0.113.9', 'no-such-client'), 400);
  });

  it('show a page for a client_id or redirect_uri over its cap (nothing is redirected before they are trusted)', async () => {
    t = await start();
    const client = await createClient(t);
    expectErrorPage(await authorize('203.0.113.21', 'c'.repeat(256)), 400);
    const longRedirect = await authorize('203.0.113.21', client.client_id, { redirect_uri: `${REDIRECT}?${'p'.repeat(2100)}` });
    expectErrorPage(longRedirect, 400);
    expect(longRedirect.body).toContain('redirect_uri');
  });

  it('keep values at their caps, and store only the known parameters in request_url', async () => {
    t = await start();
    const client = await createClient(t);
    const hint = `${'h'.repeat(240)}@example.com`;
    const response = await authorize('203.0.113.22', client.client_id, {
      login_hint: hint,
      ui_locales: 'fr-CA en not/a/tag',
      nonce: 'n'.repeat(512),
      unknown_parameter: 'u'.repeat(3000),
      utm_source: 'mail',
    });
    const challenge = new URL(response.headers.location as string).searchParams.get('login_challenge') as string;
    const login = await admin(t, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${challenge}`);
    expect(login.statusCode).toBe(200);
    const body = login.json();
    expect(body.oidc_context).toMatchObject({ login_hint: hint, ui_locales: ['fr-CA', 'en'] });
    const stored = new URL(body.request_url);
    expect(`${stored.origin}${stored.pathname}`).toBe(`${t.issuer}/oauth2/auth`);
    expect(stored.searchParams.get('login_hint')).toBe(hint);
    expect(stored.searchParams.get('client_id')).toBe(client.client_id);
    expect(stored.searchParams.has('unknown_parameter')).toBe(false);
    expect(stored.searchParams.has('utm_source')).toBe(false);
    const size = await sql<{
      n: number;
    }>`select max(octet_length(request_url) + octet_length(request::text)) as n from flows`.execute(t.gh.db);
    expect(Number(size.rows[0]?.n)).toBeLessThan(4096);
  });
});

describe('authorization request parameters over their caps', () => {
  let shared: TestGatehouse;
  let clientId: string;
  beforeAll(async () => {
    shared = await startGatehouse();
    clientId = (await createClient(shared)).client_id;
  });
  afterAll(() => shared?.close());

  it.each(
    Object.entries(AUTHORIZATION_PARAMETERS).filter(
      ([name]) => !['client_id', 'redirect_uri', 'login_verifier', 'consent_verifier'].includes(name),
    ),
  )('refuse a %s longer than %i characters with invalid_request, redirected, storing nothing', async (name, max) => {
    const response = await from(shared.publicApp, '203.0.113.20', {
      method: 'GET',
      url: `/oauth2/auth?${authorizeQuery(clientId, { [name]: 'a'.repeat(max + 1) })}`,
    });
    // A state that is too long is not echoed back.
    const location = expectErrorRedirect(
      response,
      shared.issuer,
      'invalid_request',
      name === 'state' ? undefined : 's'.repeat(40),
    );
    expect(location.searchParams.get('error_description')).toContain(`"${name}"`);
    expect(await countRows(shared, 'flows')).toBe(0);
  });
});

describe('failed client authentication', () => {
  const tokenRequest = (address: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    from(t.publicApp, address, {
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(form).toString(),
    });

  it(
    'is limited per client and address, and 150 failures make one audit entry with a count',
    async () => {
      t = await start();
      const client = await createClient(t, { token_endpoint_auth_method: 'none' });
      atStartOfWindow(t, 600);
      const statuses: number[] = [];
      for (let i = 0; i < 150; i++) {
        const response = await tokenRequest('203.0.113.30', {
          grant_type: 'authorization_code',
          code: 'x',
          client_id: client.client_id,
          client_secret: `wrong-${i}`,
        });
        expect(response.json().error).toBe('invalid_client');
        statuses.push(response.statusCode);
        if (response.statusCode === 429) expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
      // Another address is not held back by these failures.
      const elsewhere = await tokenRequest('198.51.100.30', {
        grant_type: 'authorization_code',
        code: 'x',
        client_id: client.client_id,
        client_secret: 'wrong',
      });
      expect(elsewhere.statusCode).toBe(401);

      const entries = await t.gh.audit.list({ limit: 100, action: 'client.authentication_failed' });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({
        target: { type: 'client', id: client.client_id },
        ip: '203.0.113.30',
        details: { count: 151, last_at: expect.any(String) },
      });
      // A new window starts a new entry.
      t.advance(600);
      await tokenRequest('203.0.113.30', {
        grant_type: 'authorization_code',
        code: 'x',
        client_id: client.client_id,
        client_secret: 'w',
      });
      expect(await t.gh.audit.list({ limit: 100, action: 'client.authentication_failed' })).toHaveLength(2);
    },
    FLOOD_TIMEOUT,
  );

  it('answers Basic beyond the limit with 401 and the Basic challenge, and lets the right secret through', async () => {
    t = await start({ RATE_LIMIT_CLIENT_AUTH_FAILURES: '2/10m' });
    const client = await createClient(t, { grant_types: ['client_credentials'], scope: 'Email' });
    atStartOfWindow(t, 600);
    const basic = (secret: string) => ({
      authorization: `Basic ${Buffer.from(`${client.client_id}:${secret}`).toString('base64')}`,
    });
    for (let i = 0; i < 2; i++) {
      expect((await tokenRequest('203.0.113.31', { grant_type: 'client_credentials' }, basic('wrong'))).statusCode).toBe(401);
    }
    const limited = await tokenRequest('203.0.113.31', { grant_type: 'client_credentials' }, basic('wrong'));
    expect(limited.statusCode).toBe(401);
    expect(limited.headers['www-authenticate']).toMatch(/^Basic /);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ error: 'invalid_client', error_description: expect.stringContaining('Too many') });
    const right = await tokenRequest('203.0.113.31', { grant_type: 'client_credentials' }, basic(client.client_secret));
    expect(right.statusCode).toBe(200);
  });

  it('counts at the revocation endpoint too, against the same budget', async () => {
    t = await start({ RATE_LIMIT_CLIENT_AUTH_FAILURES: '2/10m' });
    const client = await createClient(t);
    atStartOfWindow(t, 600);
    const revoke = () =>
      from(t.publicApp, '203.0.113.32', {
        method: 'POST',
        url: '/oauth2/revoke',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token: 'x', client_id: client.client_id, client_secret: 'wrong' }).toString(),
      });
    expect((await revoke()).statusCode).toBe(401);
    expect(
      (
        await tokenRequest('203.0.113.32', {
          grant_type: 'refresh_token',
          refresh_token: 'x',
          client_id: client.client_id,
          client_secret: 'no',
        })
      ).statusCode,
    ).toBe(401);
    const limited = await revoke();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toBe('invalid_client');
  });

  it('counts unknown client ids under one budget per address', async () => {
    t = await start({ RATE_LIMIT_CLIENT_AUTH_FAILURES: '3/10m' });
    atStartOfWindow(t, 600);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await tokenRequest('203.0.113.33', { grant_type: 'client_credentials', client_id: `nobody-${i}`, client_secret: 'x' }))
          .statusCode,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const keys = await sql<{ n: number }>`select count(*) as n from rate_limits where key like 'auth-failure:%'`.execute(t.gh.db);
    expect(Number(keys.rows[0]?.n)).toBe(1);
  });
});

describe('dynamic client registration (RFC 7591 / 7592)', () => {
  const initialToken = async (body: Record<string, unknown> = {}) => {
    const response = await admin(t, 'POST', '/admin/registration-tokens', body);
    expect(response.statusCode).toBe(201);
    return response.json().token as string;
  };
  const register = (address: string, token: string, name = 'Robot') =>
    from(t.publicApp, address, {
      method: 'POST',
      url: '/oauth2/register',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: { client_name: name, redirect_uris: ['https://robot.example/cb'] },
    });
  const pending = async () =>
    Number((await sql<{ n: number }>`select count(*) as n from clients where status = 'pending'`.execute(t.gh.db)).rows[0]?.n);

  it(
    'registers at most 20 clients an hour with a token that has no use limit',
    async () => {
      t = await start();
      const token = await initialToken();
      atStartOfWindow(t, 3600);
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await register('203.0.113.40', token, `Robot ${i}`)).statusCode);
      expect(statuses.filter((s) => s === 201)).toHaveLength(20);
      expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
      const refused = await register('203.0.113.40', token);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.json()).toMatchObject({ error: 'too_many_requests' });
      expect(await pending()).toBe(20);
    },
    FLOOD_TIMEOUT,
  );

  it('limits per token and per address: a second token from the same address does not escape', async () => {
    t = await start({ RATE_LIMIT_REGISTRATIONS: '3/1h', RATE_LIMIT_REGISTRATIONS_PER_ADDRESS: '5/1h' });
    const first = await initialToken();
    const second = await initialToken();
    atStartOfWindow(t, 3600);
    const run = async (address: string, token: string, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await register(address, token)).statusCode);
      return out;
    };
    expect(await run('203.0.113.41', first, 4)).toEqual([201, 201, 201, 429]);
    // The address has had 4 of its 5: one more, whatever the token.
    expect(await run('203.0.113.41', second, 3)).toEqual([201, 429, 429]);
    // Those the address refused did not spend the second token's budget; the first has none left anywhere.
    expect(await run('198.51.100.41', second, 3)).toEqual([201, 201, 429]);
    expect(await run('198.51.100.42', first, 1)).toEqual([429]);
    expect(await pending()).toBe(6);
  });

  it('limits wrong initial and registration access tokens per address', async () => {
    t = await start({ RATE_LIMIT_CLIENT_AUTH_FAILURES: '2/10m' });
    const token = await initialToken();
    atStartOfWindow(t, 600);
    const created = (await register('203.0.113.43', token)).json();
    const read = (address: string, bearer: string) =>
      from(t.publicApp, address, {
        method: 'GET',
        url: `/oauth2/register/${created.client_id}`,
        headers: { authorization: `Bearer ${bearer}` },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await read('203.0.113.44', `gh_rat_wrong${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 429, 429]);
    expect((await read('203.0.113.45', created.registration_access_token)).statusCode).toBe(200);
    const guesses: number[] = [];
    for (let i = 0; i < 3; i++) guesses.push((await register('203.0.113.46', `gh_iat_wrong${i}`)).statusCode);
    expect(guesses).toEqual([401, 401, 429]);
  });
});

describe('the review queue', () => {
  it(
    'shows who has waited longest, however many registered after them',
    async () => {
      t = await start();
      // The oldest application has the id that sorts last.
      const oldest = await createClient(t, {
        client_id: 'zzzz-waited-longest',
        client_name: 'Waited longest',
        status: 'pending',
      });
      t.advance(1);
      // 210 newer ones, as an unlimited initial access token registered them (copies of it, a second apart).
      await sql`
      insert into clients
      select (jsonb_populate_record(null::clients, to_jsonb(c) || jsonb_build_object(
        'id', 'newer-' || lpad(g::text, 3, '0'),
        'name', 'Newer ' || g,
        'created_at', c.created_at + g * interval '1 second'
      ))).*
      from clients c, generate_series(1, 210) g
      where c.id = ${oldest.client_id}`.execute(t.gh.db);

      const operator = new Browser(t.adminApp);
      await operator.get('/admin/ui/login');
      expect((await operator.post('/admin/ui/login', { operator: 'ops@example.com' })).statusCode).toBe(303);
      const queue = await operator.get('/admin/ui');
      expect(queue.statusCode).toBe(200);
      expect(queue.body).toContain('zzzz-waited-longest');
      // First in the queue, and the youngest are the ones left for the next page.
      expect(queue.body.indexOf('zzzz-waited-longest')).toBeLessThan(queue.body.indexOf('newer-001'));
      expect(queue.body).not.toContain('newer-210');

      const listed = await t.gh.clients.list({ status: 'pending', oldestFirst: true, limit: 3 });
      expect(listed.map((c) => c.id)).toEqual(['zzzz-waited-longest', 'newer-001', 'newer-002']);
    },
    FLOOD_TIMEOUT,
  );
});
