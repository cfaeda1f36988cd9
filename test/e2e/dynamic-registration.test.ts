/**
 * RFC 7591 dynamic client registration and RFC 7592 management, end to end: initial access
 * tokens from the admin API gate POST /oauth2/register; registered clients wait for approval;
 * the registration access token reads, replaces and deletes the registration.
 */

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/events/actor.js';
import { admin, introspect, pkcePair, runFlow, token } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';

let t: TestGatehouse;
beforeAll(async () => {
  // The suite registers and guesses far more from one address than the limits allow an hour;
  // they have their own suite (test/security/anonymous-bounds.test.ts).
  t = await startGatehouse({
    env: {
      RATE_LIMIT_REGISTRATIONS: '10000/1h',
      RATE_LIMIT_REGISTRATIONS_PER_ADDRESS: '10000/1h',
      RATE_LIMIT_CLIENT_AUTH_FAILURES: '10000/10m',
    },
  });
});
afterAll(async () => {
  await t?.close();
});

const REDIRECT = 'https://rp.example/callback';

interface Registered {
  client_id: string;
  client_secret?: string;
  client_secret_expires_at?: number;
  client_id_issued_at: number;
  registration_access_token: string;
  registration_client_uri: string;
  redirect_uris: string[];
  status: string;
  [field: string]: unknown;
}

async function initialAccessToken(body: Record<string, unknown> = {}): Promise<{ id: string; token: string }> {
  const response = await admin(t, 'POST', '/admin/registration-tokens', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

function register(
  bearer: string | undefined,
  metadata: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  return t.publicApp.inject({
    method: 'POST',
    url: '/oauth2/register',
    headers: { ...headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    payload: typeof metadata === 'string' ? metadata : JSON.stringify(metadata),
  });
}

function manage(method: 'GET' | 'PUT' | 'DELETE', clientId: string, bearer: string | undefined, body?: unknown) {
  return t.publicApp.inject({
    method,
    url: `/oauth2/register/${encodeURIComponent(clientId)}`,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
}

const metadata = (extra: Record<string, unknown> = {}) => ({
  client_name: 'Registered RP',
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  scope: 'openid offline_access email',
  ...extra,
});

async function registered(extra: Record<string, unknown> = {}): Promise<Registered> {
  const { token: iat } = await initialAccessToken();
  const response = await register(iat, metadata(extra));
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

async function approve(clientId: string) {
  const response = await admin(t, 'PUT', `/admin/clients/${clientId}/status`, { status: 'approved' });
  expect(response.statusCode, response.body).toBe(200);
}

/** An RFC 6750 refusal: 401, invalid_token, and a Bearer challenge. */
function expectInvalidToken(response: LightMyRequestResponse) {
  expect(response.statusCode, response.body).toBe(401);
  expect(response.json().error).toBe('invalid_token');
  expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="gatehouse", error="invalid_token"/);
}

/** What must never be seen in an error body. */
function expectNoLeak(response: LightMyRequestResponse) {
  expect(response.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|FST_[A-Z_]+|TypeError/);
}

const countClients = async () => (await t.gh.clients.list({ limit: 10_000 })).length;

describe('initial access tokens gate POST /oauth2/register', () => {
  it('refuses no token, a wrong one, a non-Bearer one, an expired one, a used-up one and a deleted one (401)', async () => {
    const before = await countClients();
    expectInvalidToken(await register(undefined, metadata()));
    expectInvalidToken(await register('gh_iat_not-a-real-token', metadata()));
    expectInvalidToken(await register('gh_rat_wrong-kind-of-token', metadata()));
    const basic = await register(undefined, metadata(), {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from('a:b').toString('base64')}`,
    });
    expectInvalidToken(basic);

    const expiring = await initialAccessToken({ expires_in: 60 });
    expect((await register(expiring.token, metadata())).statusCode).toBe(201);
    t.advance(61);
    expectInvalidToken(await register(expiring.token, metadata()));

    const once = await initialAccessToken({ uses: 1 });
    expect((await register(once.token, metadata())).statusCode).toBe(201);
    expectInvalidToken(await register(once.token, metadata()));

    const deleted = await initialAccessToken();
    expect((await admin(t, 'DELETE', `/admin/registration-tokens/${deleted.id}`)).statusCode).toBe(204);
    expectInvalidToken(await register(deleted.token, metadata()));

    expect(await countClients()).toBe(before + 2);
  });

  it('checks the token before reading the body: no token and malformed JSON is still 401', async () => {
    expectInvalidToken(await register(undefined, '{"client_name":'));
    expectInvalidToken(await register(undefined, 'client_name=x', { 'content-type': 'application/x-www-form-urlencoded' }));
  });

  it('refused metadata does not spend a use of a limited token', async () => {
    const once = await initialAccessToken({ uses: 1 });
    const bad = await register(once.token, metadata({ redirect_uris: ['http://rp.example/cb'] }));
    expect(bad.statusCode).toBe(400);
    expect((await register(once.token, metadata())).statusCode).toBe(201);
    expectInvalidToken(await register(once.token, metadata()));
  });

  it('the last use goes to exactly one of several registrations racing for it', async () => {
    const once = await initialAccessToken({ uses: 1 });
    const answers = await Promise.all(Array.from({ length: 5 }, () => register(once.token, metadata())));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 401, 401, 401, 401]);
  });
});

describe('registration (RFC 7591)', () => {
  it('creates a pending client and answers with its credentials and metadata', async () => {
    const { token: iat } = await initialAccessToken({ description: 'partner X' });
    const response = await register(
      iat,
      metadata({
        client_uri: 'https://rp.example',
        contacts: ['ops@rp.example'],
        // What RFC 7591 lets the server ignore: nobody picks their own id, secret, status or privileges.
        client_id: 'chosen-id',
        client_secret: 'a-secret-the-client-would-like-to-have-0123456789',
        status: 'approved',
        skip_consent: true,
        audience: ['https://api.example'],
        metadata: { tier: 'gold' },
        owner: 'someone',
        software_id: 'unknown-field-is-ignored',
      }),
    );
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.pragma).toBe('no-cache');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json();
    expect(body).toMatchObject({
      client_name: 'Registered RP',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      scope: 'openid offline_access email',
      token_endpoint_auth_method: 'client_secret_basic',
      application_type: 'web',
      client_uri: 'https://rp.example',
      contacts: ['ops@rp.example'],
      client_secret_expires_at: 0,
      status: 'pending',
    });
    expect(body.client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.client_secret).toMatch(/^gh_cs_/);
    expect(body.registration_access_token).toMatch(/^gh_rat_/);
    expect(body.registration_client_uri).toBe(`${t.issuer}/oauth2/register/${body.client_id}`);
    expect(Math.abs(body.client_id_issued_at - Date.now() / 1000)).toBeLessThan(120);
    for (const operatorField of ['skip_consent', 'audience', 'metadata', 'owner', 'software_id', 'logo_uri']) {
      expect(body).not.toHaveProperty(operatorField);
    }

    const stored = await t.gh.clients.get(body.client_id);
    expect(stored).toMatchObject({ status: 'pending', skip_consent: false, audience: [], owner: null, metadata: {} });
    expect(stored.developer_account_id).toBeNull();
    // Stored as hashes only.
    expect(stored.registration_token_hash).not.toBe(body.registration_access_token);
    expect(stored.secret_hash).not.toContain(body.client_secret);
  });

  it('gives a public client (token_endpoint_auth_method "none") no secret', async () => {
    const body = await registered({ token_endpoint_auth_method: 'none', grant_types: ['authorization_code'] });
    expect(body.client_secret).toBeUndefined();
    expect(body.client_secret_expires_at).toBeUndefined();
    expect(body.token_endpoint_auth_method).toBe('none');
  });

  it('a pending client can neither start an authorization nor get a token; once approved the whole flow works', async () => {
    const client = await registered();
    const secret = client.client_secret as string;
    const { verifier, challenge } = pkcePair();
    const params = {
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid email',
      state: 'state-123456',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const start = await t.publicApp.inject({ url: `/oauth2/auth?${new URLSearchParams(params)}` });
    expect(start.statusCode).toBe(403);
    expect(start.headers['content-type']).toMatch(/^text\/html/);
    expect(start.headers.location).toBeUndefined();
    expect(start.body).not.toContain('login_challenge');

    const refused = await token(t, { grant_type: 'client_credentials', scope: 'email' }, { basic: [client.client_id, secret] });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error).toBe('invalid_client');

    await approve(client.client_id);
    const { query } = await runFlow(t, {
      client: { ...client, redirect_uris: [REDIRECT] } as never,
      scope: 'openid email',
      params: { code_challenge: challenge, code_challenge_method: 'S256' },
    });
    const code = query.get('code') as string;
    expect(code).toMatch(/^gh_ac_/);
    const tokens = await token(
      t,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      { basic: [client.client_id, secret] },
    );
    expect(tokens.statusCode, tokens.body).toBe(200);
    expect(tokens.json().access_token).toMatch(/^gh_at_/);
  });
});

describe('management with the registration access token (RFC 7592)', () => {
  it('reads the registration back, echoing the token and never the secret', async () => {
    const client = await registered({ logo_uri: 'https://rp.example/logo.png' });
    const read = await manage('GET', client.client_id, client.registration_access_token);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.headers['cache-control']).toBe('no-store');
    const body = read.json();
    const { client_secret: _, ...withoutSecret } = client;
    expect(body).toEqual(withoutSecret);
    expect(body.client_secret).toBeUndefined();
  });

  it('answers a wrong, absent or foreign token, and an unknown client, with the same 401', async () => {
    const client = await registered();
    const other = await registered();
    const answers = [
      await manage('GET', client.client_id, undefined),
      await manage('GET', client.client_id, 'gh_rat_wrong'),
      await manage('GET', client.client_id, other.registration_access_token),
      await manage('GET', 'no-such-client', client.registration_access_token),
      await manage('GET', '00000000-0000-0000-0000-000000000000', 'gh_rat_wrong'),
      await manage('PUT', client.client_id, other.registration_access_token, { client_id: client.client_id }),
      await manage('DELETE', client.client_id, other.registration_access_token),
    ];
    for (const answer of answers) expectInvalidToken(answer);
    const bodies = new Set(answers.map((a) => a.body));
    expect(bodies.size).toBe(1);
    // Nothing changed.
    expect((await t.gh.clients.get(client.client_id)).name).toBe('Registered RP');

    // A client created by an operator has no registration token at all.
    const operatorMade = (await admin(t, 'POST', '/admin/clients', { redirect_uris: [REDIRECT] })).json();
    expectInvalidToken(await manage('GET', operatorMade.client_id, client.registration_access_token));
  });

  it('PUT replaces the metadata (omitted fields reset), rotates the token, and the old one stops working', async () => {
    const client = await registered({ logo_uri: 'https://rp.example/logo.png', contacts: ['a@rp.example'] });
    const updated = await manage('PUT', client.client_id, client.registration_access_token, {
      client_id: client.client_id,
      client_name: 'Renamed RP',
      redirect_uris: [REDIRECT, 'https://rp.example/other'],
      grant_types: ['authorization_code'],
      scope: 'openid',
    });
    expect(updated.statusCode, updated.body).toBe(200);
    const body = updated.json();
    expect(body).toMatchObject({
      client_id: client.client_id,
      client_name: 'Renamed RP',
      redirect_uris: [REDIRECT, 'https://rp.example/other'],
      grant_types: ['authorization_code'],
      scope: 'openid',
      contacts: [],
      status: 'pending',
      client_id_issued_at: client.client_id_issued_at,
    });
    expect(body.logo_uri).toBeUndefined();
    expect(body.client_secret).toBeUndefined();
    expect(body.registration_access_token).toMatch(/^gh_rat_/);
    expect(body.registration_access_token).not.toBe(client.registration_access_token);

    expectInvalidToken(await manage('GET', client.client_id, client.registration_access_token));
    expect((await manage('GET', client.client_id, body.registration_access_token)).json().client_name).toBe('Renamed RP');
  });

  it('PUT refuses a missing or different client_id, server-issued fields, a wrong secret and non-JSON', async () => {
    const client = await registered();
    const rat = client.registration_access_token;
    const base = {
      client_id: client.client_id,
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'client_credentials'],
    };
    const cases: [unknown, number, string][] = [
      [{ redirect_uris: [REDIRECT] }, 400, 'invalid_request'],
      [{ ...base, client_id: 'someone-else' }, 400, 'invalid_request'],
      [{ ...base, registration_access_token: rat }, 400, 'invalid_request'],
      [{ ...base, registration_client_uri: client.registration_client_uri }, 400, 'invalid_request'],
      [{ ...base, client_id_issued_at: 1 }, 400, 'invalid_request'],
      [{ ...base, client_secret_expires_at: 0 }, 400, 'invalid_request'],
      [{ ...base, client_secret: 'gh_cs_not-the-current-one' }, 400, 'invalid_request'],
      [{ ...base, redirect_uris: ['http://rp.example/cb'] }, 400, 'invalid_redirect_uri'],
      [[base], 400, 'invalid_request'],
    ];
    for (const [body, status, error] of cases) {
      const answer = await manage('PUT', client.client_id, rat, body);
      expect(answer.statusCode, JSON.stringify(body)).toBe(status);
      expect(answer.json().error, JSON.stringify(body)).toBe(error);
      expectNoLeak(answer);
    }
    const form = await t.publicApp.inject({
      method: 'PUT',
      url: `/oauth2/register/${client.client_id}`,
      headers: { authorization: `Bearer ${rat}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `client_id=${client.client_id}`,
    });
    expect(form.statusCode).toBe(415);
    expect(form.json().error).toBe('invalid_request');

    // Refused updates neither changed the client nor rotated its token.
    expect((await manage('GET', client.client_id, rat)).statusCode).toBe(200);

    // The current secret may be sent back; it stays the secret.
    const same = await manage('PUT', client.client_id, rat, { ...base, client_secret: client.client_secret });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json().client_secret).toBeUndefined();
    await approve(client.client_id);
    const cc = await token(
      t,
      { grant_type: 'client_credentials' },
      { basic: [client.client_id, client.client_secret as string] },
    );
    expect(cc.statusCode, cc.body).toBe(200);
  });

  it('a PUT changing an approved client’s redirect URIs is held for review; descriptive fields apply at once', async () => {
    const client = await registered();
    await approve(client.client_id);
    const added = 'https://rp.example/new-callback';
    const updated = await manage('PUT', client.client_id, client.registration_access_token, {
      ...metadata({ client_name: 'Live RP' }),
      client_id: client.client_id,
      redirect_uris: [REDIRECT, added],
    });
    expect(updated.statusCode, updated.body).toBe(200);
    const body = updated.json();
    expect(body).toMatchObject({ client_name: 'Live RP', status: 'approved', redirect_uris: [REDIRECT] });
    expect(body.pending_changes).toMatchObject({ redirect_uris: [REDIRECT, added] });
    expect(body.pending_changes.requested_at).toEqual(expect.any(String));

    const stored = (await admin(t, 'GET', `/admin/clients/${client.client_id}`)).json();
    expect(stored.redirect_uris).toEqual([REDIRECT]);
    expect(stored.pending_changes.redirect_uris).toEqual([REDIRECT, added]);

    // Not live yet: the new URI is refused, the old one still works.
    const authorize = (redirectUri: string) =>
      t.publicApp.inject({
        url: `/oauth2/auth?${new URLSearchParams({
          client_id: client.client_id,
          response_type: 'code',
          redirect_uri: redirectUri,
          scope: 'openid',
          state: 'state-123456',
          ...(() => {
            const { challenge } = pkcePair();
            return { code_challenge: challenge, code_challenge_method: 'S256' };
          })(),
        })}`,
      });
    expect((await authorize(added)).statusCode).toBe(400);
    expect((await authorize(REDIRECT)).statusCode).toBe(303);

    await t.gh.clients.decideChanges(systemActor(), client.client_id, 'approve');
    expect((await authorize(added)).statusCode).toBe(303);

    // An approved client cannot turn itself public.
    const read = (await manage('GET', client.client_id, body.registration_access_token)).json();
    const switched = await manage('PUT', client.client_id, body.registration_access_token, {
      ...metadata(),
      client_id: client.client_id,
      redirect_uris: read.redirect_uris,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
    });
    expect(switched.statusCode).toBe(400);
    expect(switched.json().error).toBe('invalid_client_metadata');
  });

  /** /oauth2/auth for this client and redirect URI: 303 to the login UI when it matches, 400 otherwise. */
  const startAt = (clientId: string, redirectUri: string) => {
    const { challenge } = pkcePair();
    return t.publicApp.inject({
      url: `/oauth2/auth?${new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: 'openid',
        state: 'state-123456',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      })}`,
    });
  };

  it('a PUT switching an approved web client to native is held: no loopback port variance until an operator approves', async () => {
    const loopback = 'http://127.0.0.1:8080/callback';
    const otherPort = 'http://127.0.0.1:51234/callback';
    const client = await registered({ redirect_uris: [loopback] });
    await approve(client.client_id);
    expect((await startAt(client.client_id, otherPort)).statusCode).toBe(400);

    const updated = await manage('PUT', client.client_id, client.registration_access_token, {
      ...metadata({ redirect_uris: [loopback] }),
      client_id: client.client_id,
      application_type: 'native',
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({ application_type: 'web', pending_changes: { application_type: 'native' } });
    const stored = (await admin(t, 'GET', `/admin/clients/${client.client_id}`)).json();
    expect(stored.application_type).toBe('web');
    expect((await startAt(client.client_id, otherPort)).statusCode).toBe(400);
    expect((await startAt(client.client_id, loopback)).statusCode).toBe(303);

    const decided = await admin(t, 'PUT', `/admin/clients/${client.client_id}/pending-changes`, { decision: 'approve' });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json().application_type).toBe('native');
    expect((await startAt(client.client_id, otherPort)).statusCode).toBe(303);
  });

  // Each field that changes which redirect URIs match or what the client may do, changed on an
  // approved client: live value untouched, the change pending, and applied by an operator.
  const narrow = {
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code'],
    scope: 'openid',
    token_endpoint_auth_method: 'client_secret_basic',
  };
  it.each<[string, Record<string, unknown>]>([
    ['redirect_uris', { redirect_uris: [REDIRECT, 'https://attacker.example/cb'] }],
    ['post_logout_redirect_uris', { post_logout_redirect_uris: ['https://attacker.example/bye'] }],
    ['scope', { scope: 'openid email offline_access' }],
    ['grant_types', { grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] }],
    ['response_types', { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }],
    ['application_type', { application_type: 'native' }],
    ['token_endpoint_auth_method', { token_endpoint_auth_method: 'client_secret_post' }],
  ])('a PUT changing %s on an approved client waits for review', async (field, change) => {
    const client = await registered(narrow);
    await approve(client.client_id);
    const before = (await admin(t, 'GET', `/admin/clients/${client.client_id}`)).json();
    const updated = await manage('PUT', client.client_id, client.registration_access_token, {
      ...metadata({ ...narrow, client_name: 'Renamed RP' }),
      ...change,
      client_id: client.client_id,
    });
    expect(updated.statusCode, updated.body).toBe(200);
    const body = updated.json();
    // The name is descriptive: it applies at once.
    expect(body.client_name).toBe('Renamed RP');
    for (const [name, value] of Object.entries(change)) {
      expect(body[name], name).toEqual(before[name]);
      expect(body.pending_changes?.[name], name).toEqual(value);
    }
    expect(body.pending_changes).toHaveProperty(field);
    const live = (await admin(t, 'GET', `/admin/clients/${client.client_id}`)).json();
    for (const name of Object.keys(change)) expect(live[name], name).toEqual(before[name]);

    const decided = await admin(t, 'PUT', `/admin/clients/${client.client_id}/pending-changes`, { decision: 'approve' });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json().pending_changes).toBeUndefined();
    for (const [name, value] of Object.entries(change)) expect(decided.json()[name], name).toEqual(value);
  });

  it('DELETE removes the client and revokes its tokens; its credentials stop working', async () => {
    const client = await registered();
    await approve(client.client_id);
    const issued = await token(
      t,
      { grant_type: 'client_credentials' },
      { basic: [client.client_id, client.client_secret as string] },
    );
    expect(issued.statusCode).toBe(200);
    const accessToken = issued.json().access_token;
    expect((await introspect(t, accessToken)).active).toBe(true);

    const deleted = await manage('DELETE', client.client_id, client.registration_access_token);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');

    expect((await introspect(t, accessToken)).active).toBe(false);
    expect((await admin(t, 'GET', `/admin/clients/${client.client_id}`)).statusCode).toBe(404);
    expectInvalidToken(await manage('GET', client.client_id, client.registration_access_token));
    expectInvalidToken(await manage('DELETE', client.client_id, client.registration_access_token));
    const again = await token(
      t,
      { grant_type: 'client_credentials' },
      { basic: [client.client_id, client.client_secret as string] },
    );
    expect(again.statusCode).toBe(401);
  });
});

describe('bad metadata is refused with the RFC 7591 3.2.2 error', () => {
  it.each([
    ['an http redirect URI on a public host', { redirect_uris: ['http://rp.example/cb'] }, 'invalid_redirect_uri'],
    ['a redirect URI with a fragment', { redirect_uris: ['https://rp.example/cb#frag'] }, 'invalid_redirect_uri'],
    ['a wildcard redirect URI', { redirect_uris: ['https://*.rp.example/cb'] }, 'invalid_redirect_uri'],
    ['a javascript: redirect URI', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
    ['no redirect URI for the code grant', { redirect_uris: [] }, 'invalid_redirect_uri'],
    ['an unknown scope', { scope: 'openid launch_missiles' }, 'invalid_client_metadata'],
    ['a 10 kB client_name', { client_name: 'x'.repeat(10 * 1024) }, 'invalid_client_metadata'],
    ['an unsupported grant type', { grant_types: ['password'] }, 'invalid_client_metadata'],
    ['an unsupported response type', { response_types: ['token'] }, 'invalid_client_metadata'],
    ['an unsupported auth method', { token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata'],
    ['redirect_uris that is not an array', { redirect_uris: REDIRECT }, 'invalid_client_metadata'],
    ['a client_name that is not a string', { client_name: 42 }, 'invalid_client_metadata'],
    ['a logo_uri that is not a URL', { logo_uri: 'not a url' }, 'invalid_client_metadata'],
  ])('%s', async (_name, extra, error) => {
    const once = await initialAccessToken({ uses: 1 });
    const before = await countClients();
    const response = await register(once.token, metadata(extra));
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json();
    expect(body.error).toBe(error);
    expect(body.error_description).toEqual(expect.any(String));
    expectNoLeak(response);
    expect(await countClients()).toBe(before);
  });

  it.each([
    ['malformed JSON', '{"client_name":', { 'content-type': 'application/json' }, 400],
    ['an empty JSON body', '', { 'content-type': 'application/json' }, 400],
    ['a JSON array', '[]', { 'content-type': 'application/json' }, 400],
    ['a JSON string', '"hello"', { 'content-type': 'application/json' }, 400],
    [
      'a form body',
      'client_name=x&redirect_uris=https://rp.example/cb',
      { 'content-type': 'application/x-www-form-urlencoded' },
      415,
    ],
    ['a text body', 'hello', { 'content-type': 'text/plain' }, 415],
    ['a NUL character', JSON.stringify(metadata({ client_name: 'a\u0000b' })), { 'content-type': 'application/json' }, 400],
  ])('%s is a clear invalid_request', async (_name, payload, headers, status) => {
    const { token: iat } = await initialAccessToken();
    const response = await register(iat, payload, headers);
    expect(response.statusCode, response.body).toBe(status);
    expect(response.json().error).toBe('invalid_request');
    expectNoLeak(response);
  });

  it('stores HTML in the name as data and returns it as JSON, unchanged', async () => {
    const name = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const client = await registered({ client_name: name });
    expect(client.client_name).toBe(name);
    const read = await manage('GET', client.client_id, client.registration_access_token);
    expect(read.headers['content-type']).toMatch(/^application\/json/);
    expect(read.json().client_name).toBe(name);
    expect((await t.gh.clients.get(client.client_id)).name).toBe(name);
  });
});

describe('discovery and the admin API', () => {
  it('advertises the registration endpoint in both metadata documents', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const document = (await t.publicApp.inject({ url: path })).json();
      expect(document.registration_endpoint).toBe(`${t.issuer}/oauth2/register`);
    }
  });

  it('creates, lists and deletes initial access tokens, never showing a value twice', async () => {
    const created = await initialAccessToken({ description: 'CI pipeline', uses: 3, expires_in: 3600 });
    expect(created).toMatchObject({ description: 'CI pipeline', uses_left: 3, active: true });
    expect(created.token).toMatch(/^gh_iat_/);
    expect(Date.parse((created as unknown as { expires_at: string }).expires_at) - Date.now()).toBeGreaterThan(3500_000);

    const unlimited = await initialAccessToken();
    expect(unlimited).toMatchObject({ description: null, uses_left: null, expires_at: null, active: true });

    const used = await initialAccessToken({ uses: 1 });
    expect((await register(used.token, metadata())).statusCode).toBe(201);

    const list = await admin(t, 'GET', '/admin/registration-tokens');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('gh_iat_');
    expect(list.body).not.toContain('token_hash');
    const byId = new Map(list.json().map((row: { id: string }) => [row.id, row]));
    expect(byId.get(created.id)).toMatchObject({ uses_left: 3, active: true });
    expect(byId.get(used.id)).toMatchObject({ uses_left: 0, active: false });

    expect((await admin(t, 'DELETE', `/admin/registration-tokens/${created.id}`)).statusCode).toBe(204);
    const missing = await admin(t, 'DELETE', `/admin/registration-tokens/${created.id}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('not_found');
  });

  it.each([
    [{ uses: 0 }],
    [{ uses: 1.5 }],
    [{ uses: 'many' }],
    [{ expires_in: -5 }],
    [{ expires_in: 20 * 365 * 86400 }],
    [{ description: 'x'.repeat(201) }],
    [{ expires_at: '2030-01-01' }],
  ])('refuses a token request %j', async (body) => {
    const response = await admin(t, 'POST', '/admin/registration-tokens', body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_request');
  });

  it('documents the token endpoints in the OpenAPI document', async () => {
    const document = (await admin(t, 'GET', '/admin/openapi.json')).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/admin/registration-tokens', '/admin/registration-tokens/{id}']),
    );
  });
});

describe('audit log', () => {
  it('records who created and deleted tokens, and what each registered client did', async () => {
    const { id: tokenId, token: iat } = await initialAccessToken({ description: 'audited' });
    const created = (await register(iat, metadata())).json();
    const id = created.client_id as string;
    const updated = await manage('PUT', id, created.registration_access_token, {
      ...metadata({ client_name: 'Audited RP' }),
      client_id: id,
    });
    expect(updated.statusCode).toBe(200);
    expect((await manage('DELETE', id, updated.json().registration_access_token)).statusCode).toBe(204);
    expect((await admin(t, 'DELETE', `/admin/registration-tokens/${tokenId}`)).statusCode).toBe(204);

    const forClient = await t.gh.audit.list({ limit: 50, targetType: 'client', targetId: id });
    const actions = forClient.map((e) => e.action).reverse();
    expect(actions).toEqual(['client.created', 'initial_access_token.used', 'client.updated', 'client.deleted']);
    for (const entry of forClient) expect(entry.actor).toEqual({ type: 'client', id });
    expect(forClient.find((e) => e.action === 'initial_access_token.used')?.details).toEqual({ tokenId });

    const forToken = await t.gh.audit.list({ limit: 10, targetType: 'initial_access_token', targetId: tokenId });
    expect(forToken.map((e) => e.action).reverse()).toEqual(['initial_access_token.created', 'initial_access_token.deleted']);
    for (const entry of forToken) expect(entry.actor).toEqual({ type: 'operator', id: 'admin-api' });
  });
});
