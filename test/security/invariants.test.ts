/**
 * DESIGN.md section 6, one describe per invariant the server has today. Each test drives the
 * public HTTP surface and would fail if the code enforcing the invariant were taken out.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecryptionError, SecretBox } from '../../src/crypto/encryption.js';
import { challengeFor } from '../../src/crypto/pkce.js';
import { admin, Browser, createClient, introspect, runFlow, token } from '../support/flow.js';
import { startGatehouse, TEST_SECRET, type TestGatehouse } from '../support/harness.js';
import {
  countRows,
  expectErrorPage,
  expectErrorRedirect,
  freshPkce,
  REDIRECT,
  redeem,
  refresh,
  setCookies,
  steps,
} from './helpers.js';

let t: TestGatehouse;
beforeAll(async () => {
  t = await startGatehouse();
});
afterAll(async () => {
  await t?.close();
});

const authorizeUrl = (params: Record<string, string>) => `/oauth2/auth?${new URLSearchParams(params)}`;

const baseParams = (clientId: string, redirectUri: string, extra: Record<string, string> = {}) => ({
  client_id: clientId,
  response_type: 'code',
  redirect_uri: redirectUri,
  scope: 'openid',
  state: 'state-123456',
  ...extra,
});

/** A confidential client's tokens after a full flow (with PKCE). */
async function tokensFor(client: Awaited<ReturnType<typeof createClient>>) {
  const flow = await steps(t, client);
  const response = await redeem(t, client, { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier });
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json();
  expect(body.refresh_token).toMatch(/^gh_rt_/);
  return body as { access_token: string; refresh_token: string; id_token: string };
}

describe('exact redirect URI matching', () => {
  let web: Awaited<ReturnType<typeof createClient>>;
  beforeAll(async () => {
    web = await createClient(t);
  });

  it('accepts the registered URI exactly as registered', async () => {
    const response = await new Browser(t.publicApp).get(authorizeUrl(baseParams(web.client_id, REDIRECT)));
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toContain('/ui/login?login_challenge=');
  });

  const near = [
    'https://app.example/callback/',
    'https://app.example/callback?x=1',
    'https://app.example/callback?',
    'https://app.example/callback#frag',
    'https://APP.example/callback',
    'https://app.example/Callback',
    'https://app.example:8443/callback',
    'https://app.example:443/callback',
    'http://app.example/callback',
    'https://app.example/callbac',
    'https://app.example/callbackx',
    'https://app.example/callback/evil',
    'https://app.example/callback/../callback',
    'https://app.example//callback',
    'https://app.example/%63allback',
    'https://app.example.evil.example/callback',
    'https://evil.example/callback',
    'https://user@app.example/callback',
    'https://evil.example/?https://app.example/callback',
    'https://app.example/callback ',
    ' https://app.example/callback',
    'app.example/callback',
  ];

  it.each(near)('refuses %j with an error page, never a redirect', async (uri) => {
    const flowsBefore = await countRows(t, 'flows');
    for (const path of ['/oauth2/auth', '/oauth']) {
      const response = await new Browser(t.publicApp).get(`${path}?${new URLSearchParams(baseParams(web.client_id, uri))}`);
      expectErrorPage(response, 400);
      expect(response.body).not.toContain('login_challenge');
    }
    const posted = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/auth',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(baseParams(web.client_id, uri)).toString(),
    });
    expectErrorPage(posted, 400);
    expect(await countRows(t, 'flows')).toBe(flowsBefore);
  });

  it('shows the page even when the rest of the request is also wrong (no error is redirected to an untrusted URI)', async () => {
    const bad = 'https://evil.example/callback';
    const extras: Record<string, string>[] = [
      { response_type: 'token' },
      { scope: 'nope' },
      { state: '' },
      { prompt: 'none login' },
    ];
    for (const extra of extras) {
      const response = await t.publicApp.inject({ url: authorizeUrl(baseParams(web.client_id, bad, extra)) });
      expectErrorPage(response);
    }
    // An unknown client: nothing is trusted, so nothing is redirected.
    const unknown = await t.publicApp.inject({ url: authorizeUrl(baseParams('no-such-client', REDIRECT)) });
    expectErrorPage(unknown);
  });

  it('refuses a missing redirect_uri when several are registered', async () => {
    const two = await createClient(t, { redirect_uris: [REDIRECT, 'https://app.example/other'] });
    const { redirect_uri: _, ...params } = baseParams(two.client_id, REDIRECT);
    expectErrorPage(await t.publicApp.inject({ url: authorizeUrl(params) }), 400);
  });

  it('allows any loopback port only for a native client (RFC 8252 7.3)', async () => {
    const registered = 'http://127.0.0.1:8080/cb';
    const native = await createClient(t, {
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: [registered],
    });
    const webLoopback = await createClient(t, { redirect_uris: [registered] });
    const { verifier, challenge } = freshPkce();
    const pkce = { code_challenge: challenge, code_challenge_method: 'S256' };

    for (const port of ['8080', '51234', '1']) {
      const uri = `http://127.0.0.1:${port}/cb`;
      const response = await t.publicApp.inject({ url: authorizeUrl(baseParams(native.client_id, uri, pkce)) });
      expect(response.statusCode, `${uri}: ${response.body}`).toBe(303);
      expect(response.headers.location).toContain('login_challenge=');
    }
    // The web client registered the same URI; only the exact port works for it.
    expect((await t.publicApp.inject({ url: authorizeUrl(baseParams(webLoopback.client_id, registered)) })).statusCode).toBe(303);
    for (const port of ['8081', '51234']) {
      const response = await t.publicApp.inject({
        url: authorizeUrl(baseParams(webLoopback.client_id, `http://127.0.0.1:${port}/cb`)),
      });
      expectErrorPage(response, 400);
    }
    // The port is the only part that may vary, even for the native client.
    for (const uri of [
      'http://127.0.0.1:51234/cb2',
      'http://127.0.0.1:51234/cb?x=1',
      'http://127.0.0.1:51234/',
      'http://localhost:51234/cb',
      'http://[::1]:51234/cb',
      'https://127.0.0.1:51234/cb',
      'http://127.0.0.2:51234/cb',
      'http://evil.example:8080/cb',
    ]) {
      const response = await t.publicApp.inject({ url: authorizeUrl(baseParams(native.client_id, uri, pkce)) });
      expectErrorPage(response, 400);
    }

    // The whole flow with a new port: the code goes to that port and redeems with that URI.
    const uri = 'http://127.0.0.1:49152/cb';
    const { query, location } = await runFlow(t, { client: native, scope: 'openid', params: { redirect_uri: uri, ...pkce } });
    expect(`${location.origin}${location.pathname}`).toBe('http://127.0.0.1:49152/cb');
    const code = query.get('code') as string;
    const wrongPort = await redeem(t, native, { code, redirect_uri: registered, code_verifier: verifier });
    expect(wrongPort.json().error).toBe('invalid_grant');
    const { query: again } = await runFlow(t, { client: native, scope: 'openid', params: { redirect_uri: uri, ...pkce } });
    const ok = await redeem(t, native, { code: again.get('code') as string, redirect_uri: uri, code_verifier: verifier });
    expect(ok.statusCode, ok.body).toBe(200);
  });
});

describe('only approved clients may start an authorization', () => {
  it.each(['pending', 'rejected', 'suspended'] as const)(
    'a %s client gets an error page and no flow is stored',
    async (status) => {
      const client = await createClient(t, { status });
      expect(client.status).toBe(status);
      const before = await countRows(t, 'flows');
      for (const path of ['/oauth2/auth', '/oauth']) {
        const response = await t.publicApp.inject({
          url: `${path}?${new URLSearchParams(baseParams(client.client_id, REDIRECT))}`,
        });
        expectErrorPage(response);
        expect(response.statusCode).toBe(403);
      }
      expect(await countRows(t, 'flows')).toBe(before);
    },
  );

  it('an approved client does store a flow (the count above can move)', async () => {
    const client = await createClient(t);
    const before = await countRows(t, 'flows');
    expect((await t.publicApp.inject({ url: authorizeUrl(baseParams(client.client_id, REDIRECT)) })).statusCode).toBe(303);
    expect(await countRows(t, 'flows')).toBe(before + 1);
  });

  it('a client approved later may then start', async () => {
    const client = await createClient(t, { status: 'pending' });
    expectErrorPage(await t.publicApp.inject({ url: authorizeUrl(baseParams(client.client_id, REDIRECT)) }), 403);
    expect((await admin(t, 'PUT', `/admin/clients/${client.client_id}/status`, { status: 'approved' })).statusCode).toBe(200);
    expect((await t.publicApp.inject({ url: authorizeUrl(baseParams(client.client_id, REDIRECT)) })).statusCode).toBe(303);
  });
});

describe('authorization codes', () => {
  let client: Awaited<ReturnType<typeof createClient>>;
  let other: Awaited<ReturnType<typeof createClient>>;
  beforeAll(async () => {
    client = await createClient(t, { redirect_uris: [REDIRECT, 'https://app.example/other'] });
    other = await createClient(t, { redirect_uris: [REDIRECT, 'https://app.example/other'] });
  });

  it('are single use', async () => {
    const flow = await steps(t, client);
    const form = { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier };
    expect((await redeem(t, client, form)).statusCode).toBe(200);
    const second = await redeem(t, client, form);
    expect(second.statusCode).toBe(400);
    expect(second.json().error).toBe('invalid_grant');
  });

  it('buy nothing once the person has withdrawn the consent they came from', async () => {
    const flow = await steps(t, client);
    const revoked = await t.adminApp.inject({
      method: 'DELETE',
      url: `/admin/oauth2/auth/sessions/consent?subject=user-1&client=${client.client_id}`,
    });
    expect(revoked.statusCode).toBe(204);
    const response = await redeem(t, client, { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_grant', error_description: 'The authorization was revoked.' });
  });

  it('are withdrawn for the named client only, even with all=true beside it (the client wins, as in Hydra)', async () => {
    const [mine, theirs] = [await steps(t, client), await steps(t, other)];
    const a = await redeem(t, client, { code: mine.code, redirect_uri: REDIRECT, code_verifier: mine.verifier });
    const b = await redeem(t, other, { code: theirs.code, redirect_uri: REDIRECT, code_verifier: theirs.verifier });
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const revoked = await t.adminApp.inject({
      method: 'DELETE',
      url: `/admin/oauth2/auth/sessions/consent?subject=user-1&client=${client.client_id}&all=true`,
    });
    expect(revoked.statusCode).toBe(204);
    expect((await introspect(t, a.json().access_token)).active).toBe(false);
    expect((await introspect(t, b.json().access_token)).active).toBe(true);
  });

  it('expire after 10 minutes', async () => {
    const early = await steps(t, client);
    const late = await steps(t, client);
    t.advance(590);
    const ok = await redeem(t, client, { code: early.code, redirect_uri: REDIRECT, code_verifier: early.verifier });
    expect(ok.statusCode, ok.body).toBe(200);
    t.advance(11);
    const expired = await redeem(t, client, { code: late.code, redirect_uri: REDIRECT, code_verifier: late.verifier });
    expect(expired.statusCode).toBe(400);
    expect(expired.json().error).toBe('invalid_grant');
  });

  it('are bound to the client they were issued to', async () => {
    const flow = await steps(t, client);
    const form = { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier };
    const stolen = await redeem(t, other, form);
    expect(stolen.statusCode).toBe(400);
    expect(stolen.json().error).toBe('invalid_grant');
    const publicThief = await createClient(t, { token_endpoint_auth_method: 'none' });
    const stolenAgain = await redeem(t, publicThief, form);
    expect(stolenAgain.statusCode).toBe(400);
    expect(stolenAgain.json().error).toBe('invalid_grant');
  });

  it('are bound to the redirect URI of the authorization request', async () => {
    const wrong = await steps(t, client);
    const response = await redeem(t, client, {
      code: wrong.code,
      redirect_uri: 'https://app.example/other',
      code_verifier: wrong.verifier,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_grant');

    const missing = await steps(t, client);
    const omitted = await redeem(t, client, { code: missing.code, code_verifier: missing.verifier });
    expect(omitted.json().error).toBe('invalid_grant');
    // Not even the lenient Galxe alias lets it be left out when two URIs are registered.
    const lenient = await steps(t, client);
    const alias = await redeem(t, client, { code: lenient.code, code_verifier: lenient.verifier }, '/oauth/auth/2/token');
    expect(alias.json().error).toBe('invalid_grant');

    const differs = await steps(t, client);
    const trailing = await redeem(t, client, {
      code: differs.code,
      redirect_uri: `${REDIRECT}/`,
      code_verifier: differs.verifier,
    });
    expect(trailing.json().error).toBe('invalid_grant');
  });

  it('are bound to the PKCE challenge', async () => {
    const wrong = await steps(t, client);
    const other = freshPkce();
    const r1 = await redeem(t, client, { code: wrong.code, redirect_uri: REDIRECT, code_verifier: other.verifier });
    expect(r1.json().error).toBe('invalid_grant');
    // A failed attempt spends the code: the right verifier is now too late.
    const r1b = await redeem(t, client, { code: wrong.code, redirect_uri: REDIRECT, code_verifier: wrong.verifier });
    expect(r1b.json().error).toBe('invalid_grant');

    const missing = await steps(t, client);
    const r2 = await redeem(t, client, { code: missing.code, redirect_uri: REDIRECT });
    expect(r2.json().error).toBe('invalid_grant');

    // Sending the S256 challenge itself as the verifier does not pass.
    const challengeAsVerifier = await steps(t, client);
    const challenge = challengeFor(challengeAsVerifier.verifier, 'S256');
    const r3 = await redeem(t, client, { code: challengeAsVerifier.code, redirect_uri: REDIRECT, code_verifier: challenge });
    expect(r3.json().error).toBe('invalid_grant');

    // A verifier for a code issued without a challenge is a downgrade attempt (RFC 9700 4.8.2).
    const noPkce = await steps(t, client, { pkce: false });
    const r4 = await redeem(t, client, { code: noPkce.code, redirect_uri: REDIRECT, code_verifier: freshPkce().verifier });
    expect(r4.statusCode).toBe(400);
    expect(r4.json().error).toBe('invalid_grant');
    // And without one it works (so the refusal above is about the verifier).
    const noPkceOk = await steps(t, client, { pkce: false });
    expect((await redeem(t, client, { code: noPkceOk.code, redirect_uri: REDIRECT })).statusCode).toBe(200);
  });

  it('a replayed code revokes the tokens the first redemption issued', async () => {
    const flow = await steps(t, client);
    const form = { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier };
    const first = await redeem(t, client, form);
    expect(first.statusCode).toBe(200);
    const issued = first.json();
    expect((await introspect(t, issued.access_token)).active).toBe(true);
    expect((await introspect(t, issued.refresh_token)).active).toBe(true);

    const replay = await redeem(t, client, form);
    expect(replay.json().error).toBe('invalid_grant');
    expect((await introspect(t, issued.access_token)).active).toBe(false);
    expect((await introspect(t, issued.refresh_token)).active).toBe(false);
    const refreshed = await refresh(t, client, issued.refresh_token);
    expect(refreshed.statusCode).toBe(400);
    expect(refreshed.json().error).toBe('invalid_grant');
    const userinfo = await t.publicApp.inject({ url: '/userinfo', headers: { authorization: `Bearer ${issued.access_token}` } });
    expect(userinfo.statusCode).toBe(401);
  });

  it('a replay by another client does not revoke the rightful tokens', async () => {
    const flow = await steps(t, client);
    const form = { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier };
    const issued = (await redeem(t, client, form)).json();
    expect((await redeem(t, other, form)).json().error).toBe('invalid_grant');
    expect((await introspect(t, issued.access_token)).active).toBe(true);
  });

  it('concurrent redemptions of one code: exactly one succeeds', async () => {
    for (let round = 0; round < 3; round++) {
      const flow = await steps(t, client);
      const form = { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier };
      const responses = await Promise.all(Array.from({ length: 10 }, () => redeem(t, client, form)));
      const statuses = responses.map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 400)).toHaveLength(9);
      for (const r of responses.filter((r) => r.statusCode === 400)) expect(r.json().error).toBe('invalid_grant');
    }
  });
});

describe('refresh tokens rotate', () => {
  let client: Awaited<ReturnType<typeof createClient>>;
  beforeAll(async () => {
    client = await createClient(t);
  });

  it('the old one fails after use, and reusing it revokes the whole family', async () => {
    const first = await tokensFor(client);
    const second = await refresh(t, client, first.refresh_token);
    expect(second.statusCode, second.body).toBe(200);
    const r2 = second.json();
    expect(r2.refresh_token).not.toBe(first.refresh_token);
    expect((await introspect(t, r2.access_token)).active).toBe(true);
    expect((await introspect(t, first.refresh_token)).active).toBe(false);

    const third = await refresh(t, client, r2.refresh_token);
    expect(third.statusCode).toBe(200);
    const r3 = third.json();
    expect((await introspect(t, r3.access_token)).active).toBe(true);
    expect((await introspect(t, r3.refresh_token)).active).toBe(true);

    // The first refresh token again: refused, and the newest tokens stop working too.
    const reuse = await refresh(t, client, first.refresh_token);
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json().error).toBe('invalid_grant');
    expect((await introspect(t, r3.access_token)).active).toBe(false);
    expect((await introspect(t, r3.refresh_token)).active).toBe(false);
    expect((await introspect(t, first.access_token)).active).toBe(false);
    const afterwards = await refresh(t, client, r3.refresh_token);
    expect(afterwards.json().error).toBe('invalid_grant');
    const userinfo = await t.publicApp.inject({ url: '/userinfo', headers: { authorization: `Bearer ${r3.access_token}` } });
    expect(userinfo.statusCode).toBe(401);
  });

  it('another family is not touched by a reuse', async () => {
    const mine = await tokensFor(client);
    const victim = await tokensFor(client);
    await refresh(t, client, mine.refresh_token);
    await refresh(t, client, mine.refresh_token);
    expect((await introspect(t, victim.access_token)).active).toBe(true);
    expect((await refresh(t, client, victim.refresh_token)).statusCode).toBe(200);
  });

  it('a refresh token works only for its own client', async () => {
    const mine = await tokensFor(client);
    const thief = await createClient(t);
    const stolen = await refresh(t, thief, mine.refresh_token);
    expect(stolen.statusCode).toBe(400);
    expect(stolen.json().error).toBe('invalid_grant');
  });

  it('concurrent use of one refresh token: exactly one succeeds', async () => {
    for (let round = 0; round < 3; round++) {
      const issued = await tokensFor(client);
      const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(t, client, issued.refresh_token)));
      expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
      for (const r of responses.filter((r) => r.statusCode !== 200)) {
        expect(r.statusCode).toBe(400);
        expect(r.json().error).toBe('invalid_grant');
      }
    }
  });
});

describe('secrets are stored only as hashes, signing keys only encrypted', () => {
  it('no column of any table holds a token, code, secret, challenge, verifier or private key', async () => {
    const client = await createClient(t, { post_logout_redirect_uris: ['https://app.example/bye'] });
    const flow = await steps(t, client, { rememberLogin: true });
    const loginVerifier = new URL(flow.loginVerifierUrl).searchParams.get('login_verifier') as string;
    const consentVerifier = new URL(flow.consentVerifierUrl).searchParams.get('consent_verifier') as string;
    const issued = (await redeem(t, client, { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier })).json();
    const refreshed = (await refresh(t, client, issued.refresh_token)).json();
    expect(refreshed.access_token).toMatch(/^gh_at_/);

    // A logout flow, so logout_requests has a row too.
    const logout = await flow.browser.get(`/oauth2/sessions/logout?client_id=${client.client_id}`);
    expect(logout.statusCode).toBe(303);
    const logoutChallenge = new URL(logout.headers.location as string).searchParams.get('logout_challenge') as string;
    expect(logoutChallenge).toBeTruthy();
    const accepted = await admin(t, 'PUT', `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${logoutChallenge}`);
    const logoutVerifier = new URL(accepted.json().redirect_to).searchParams.get('logout_verifier') as string;
    expect((await flow.browser.get(accepted.json().redirect_to)).statusCode).toBe(303);

    const rotated = (await admin(t, 'POST', `/admin/clients/${client.client_id}/secret`)).json();

    // The private parts of every signing key, read through the box.
    const keys = await t.gh.db.selectFrom('signing_keys').select(['kid', 'private_jwk', 'public_jwk']).execute();
    expect(keys.length).toBeGreaterThanOrEqual(2);
    const privateParts: string[] = [];
    for (const key of keys) {
      const jwk = JSON.parse(t.gh.box.decrypt(key.private_jwk, `signing-key:${key.kid}`)) as Record<string, string>;
      expect(jwk.d).toEqual(expect.any(String));
      for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) if (jwk[part]) privateParts.push(jwk[part]);
      expect(key.public_jwk).not.toHaveProperty('d');
    }

    const secrets: Record<string, string> = {
      client_secret: client.client_secret,
      rotated_client_secret: rotated.client_secret,
      code: flow.code,
      code_verifier: flow.verifier,
      access_token: issued.access_token,
      refresh_token: issued.refresh_token,
      refreshed_access_token: refreshed.access_token,
      refreshed_refresh_token: refreshed.refresh_token,
      login_challenge: flow.loginChallenge,
      login_verifier: loginVerifier,
      consent_challenge: flow.consentChallenge,
      consent_verifier: consentVerifier,
      logout_challenge: logoutChallenge,
      logout_verifier: logoutVerifier,
      ...Object.fromEntries(flow.csrfCookies.map((value, i) => [`csrf_cookie_${i}`, value])),
      ...Object.fromEntries(privateParts.map((value, i) => [`signing_key_private_part_${i}`, value])),
    };
    expect(flow.csrfCookies.length).toBe(1);
    for (const [name, value] of Object.entries(secrets)) expect(value.length, name).toBeGreaterThanOrEqual(32);
    // The random part too, in case something stored it without its prefix.
    const needles = Object.entries(secrets).flatMap(([name, value]) => [
      [name, value],
      [`${name} (without prefix)`, value.replace(/^gh_[a-z]{2}_/, '')],
    ]);

    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(t.gh.db);
    const names = tables.rows.map((r) => r.table_name);
    for (const expected of [
      'clients',
      'flows',
      'grants',
      'authorization_codes',
      'tokens',
      'login_sessions',
      'logout_requests',
      'signing_keys',
    ]) {
      expect(names).toContain(expected);
    }
    let cells = 0;
    for (const table of names) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(t.gh.db);
      for (const row of rows.rows) {
        for (const [column, value] of Object.entries(row)) {
          if (value === null || value === undefined) continue;
          const text = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : JSON.stringify(value);
          cells++;
          for (const [name, needle] of needles) {
            if (text.includes(needle as string)) throw new Error(`${table}.${column} holds the raw ${name}`);
          }
        }
      }
    }
    expect(cells).toBeGreaterThan(100);
    // Sanity: the dump does see these rows (hashes of the same secrets are there).
    expect(await countRows(t, 'tokens')).toBeGreaterThan(0);
    expect(await countRows(t, 'authorization_codes')).toBeGreaterThan(0);
  });

  it('the private signing keys decrypt only with the right SECRETS_SYSTEM', async () => {
    const rows = await t.gh.db.selectFrom('signing_keys').select(['kid', 'private_jwk']).execute();
    expect(rows.length).toBeGreaterThan(0);
    const same = new SecretBox([TEST_SECRET]);
    const stranger = new SecretBox(['another-secret-of-at-least-thirty-two-characters']);
    for (const row of rows) {
      expect(row.private_jwk).not.toContain('"d"');
      expect(row.private_jwk.startsWith('v1.')).toBe(true);
      expect(JSON.parse(same.decrypt(row.private_jwk, `signing-key:${row.kid}`)).kid).toBe(row.kid);
      expect(() => stranger.decrypt(row.private_jwk, `signing-key:${row.kid}`)).toThrow(DecryptionError);
      // Bound to its own row: a key moved under another kid does not decrypt.
      expect(() => same.decrypt(row.private_jwk, 'signing-key:another-kid')).toThrow(DecryptionError);
    }
    const jwks = (await t.publicApp.inject({ url: '/.well-known/jwks.json' })).json();
    for (const key of jwks.keys) {
      for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(part);
    }
  });
});

describe('the flow CSRF cookie binds a flow to the browser that started it', () => {
  let client: Awaited<ReturnType<typeof createClient>>;
  beforeAll(async () => {
    client = await createClient(t);
  });

  it('a login_verifier opened in another browser is refused, and works in the right one', async () => {
    const flow = await steps(t, client, { stopAfterLoginAccept: true });
    const codes = await countRows(t, 'authorization_codes');

    const stranger = new Browser(t.publicApp);
    expectErrorPage(await stranger.get(flow.loginVerifierUrl), 400);
    // A stranger with a flow of its own (its own CSRF cookie) fares no better.
    const attacker = new Browser(t.publicApp);
    expect((await attacker.get(authorizeUrl(baseParams(client.client_id, REDIRECT)))).statusCode).toBe(303);
    expect([...attacker.jar.keys()].some((name) => name.startsWith('gatehouse_csrf_'))).toBe(true);
    expectErrorPage(await attacker.get(flow.loginVerifierUrl), 400);
    // Nor does one with the right cookie name and a guessed value.
    const [cookieName] = [...flow.browser.jar.keys()].filter((name) => name.startsWith('gatehouse_csrf_'));
    const forged = await t.publicApp.inject({
      url: new URL(flow.loginVerifierUrl).pathname + new URL(flow.loginVerifierUrl).search,
      headers: { cookie: `${cookieName}=${'A'.repeat(43)}` },
    });
    expectErrorPage(forged, 400);
    expect(await countRows(t, 'authorization_codes')).toBe(codes);

    // The browser that started it can still go on.
    const onward = await flow.browser.get(flow.loginVerifierUrl);
    expect(onward.statusCode).toBe(303);
    expect(onward.headers.location).toContain('consent_challenge=');
  });

  it('a consent_verifier opened in another browser is refused and issues no code', async () => {
    const flow = await steps(t, client, { stopAfterConsentAccept: true });
    const codes = await countRows(t, 'authorization_codes');
    const stranger = new Browser(t.publicApp);
    const refused = await stranger.get(flow.consentVerifierUrl);
    expectErrorPage(refused, 400);
    expect(refused.body).not.toContain('gh_ac_');
    expect(await countRows(t, 'authorization_codes')).toBe(codes);

    const done = await flow.browser.get(flow.consentVerifierUrl);
    expect(done.statusCode).toBe(303);
    expect(new URL(done.headers.location as string).searchParams.get('code')).toMatch(/^gh_ac_/);
    expect(await countRows(t, 'authorization_codes')).toBe(codes + 1);
    // And the verifier is single use even in the right browser.
    expectErrorPage(await flow.browser.get(flow.consentVerifierUrl), 400);
  });

  it('a consent_verifier opened many times at once issues exactly one code and one grant', async () => {
    const flow = await steps(t, client, { stopAfterConsentAccept: true });
    const [codes, grants] = [await countRows(t, 'authorization_codes'), await countRows(t, 'grants')];
    const responses = await Promise.all(Array.from({ length: 8 }, () => flow.browser.get(flow.consentVerifierUrl)));
    const withCode = responses.filter((r) => new URL(r.headers.location ?? 'x:/').searchParams.has('code'));
    expect(withCode).toHaveLength(1);
    for (const refused of responses.filter((r) => !withCode.includes(r))) expectErrorPage(refused, 400);
    expect(await countRows(t, 'authorization_codes')).toBe(codes + 1);
    expect(await countRows(t, 'grants')).toBe(grants + 1);
  });

  it('consent_verifiers of different flows opened at once each end in a code and grant of their own', async () => {
    const scopes = ['openid', 'openid offline_access', 'openid'];
    const flows = await Promise.all(scopes.map((scope) => steps(t, client, { scope, stopAfterConsentAccept: true })));
    const grants = await countRows(t, 'grants');
    const ends = await Promise.all(flows.map((flow) => flow.browser.get(flow.consentVerifierUrl)));
    expect(await countRows(t, 'grants')).toBe(grants + 3);
    for (const [i, end] of ends.entries()) {
      const code = new URL(end.headers.location as string).searchParams.get('code') as string;
      const flow = flows[i] as (typeof flows)[number];
      const redeemed = await redeem(t, client, { code, redirect_uri: REDIRECT, code_verifier: flow.verifier });
      expect(redeemed.statusCode, redeemed.body).toBe(200);
      expect(redeemed.json().scope).toBe(scopes[i]);
    }
  });

  it('a login_verifier opened many times at once moves the flow on once and stores one login session', async () => {
    const flow = await steps(t, client, { stopAfterLoginAccept: true });
    const sessions = await countRows(t, 'login_sessions');
    const responses = await Promise.all(Array.from({ length: 8 }, () => flow.browser.get(flow.loginVerifierUrl)));
    const onward = responses.filter((r) => r.headers.location?.includes('consent_challenge='));
    expect(onward).toHaveLength(1);
    for (const refused of responses.filter((r) => !onward.includes(r))) expectErrorPage(refused, 400);
    expect(await countRows(t, 'login_sessions')).toBe(sessions + 1);
  });

  it('login_verifiers of different flows opened at once each move on, with a login session of their own', async () => {
    const flows = await Promise.all([1, 2, 3].map(() => steps(t, client, { stopAfterLoginAccept: true })));
    const sessions = await countRows(t, 'login_sessions');
    const responses = await Promise.all(flows.map((flow) => flow.browser.get(flow.loginVerifierUrl)));
    const challenges = responses.map((r) => new URL(r.headers.location as string).searchParams.get('consent_challenge'));
    expect(new Set(challenges).size).toBe(3);
    expect(challenges.every((c) => typeof c === 'string' && c.length >= 43)).toBe(true);
    expect(await countRows(t, 'login_sessions')).toBe(sessions + 3);
  });

  it('a login_verifier is single use', async () => {
    const flow = await steps(t, client, { stopAfterLoginAccept: true });
    expect((await flow.browser.get(flow.loginVerifierUrl)).statusCode).toBe(303);
    const again = await flow.browser.get(flow.loginVerifierUrl);
    expect(again.headers.location).toBeUndefined();
    expect(again.statusCode).toBeGreaterThanOrEqual(400);
  });
});

describe('cookies and page headers', () => {
  const cookieNamed = (all: string[], prefix: string) => all.filter((c) => c.startsWith(prefix));

  async function collectCookies(gh: TestGatehouse) {
    const client = await createClient(gh, { post_logout_redirect_uris: ['https://app.example/bye'] });
    const flow = await steps(gh, client, { rememberLogin: true });
    const logout = await flow.browser.get(`/oauth2/sessions/logout?client_id=${client.client_id}`);
    expect(logout.statusCode).toBe(303);
    return [
      ...setCookies(flow.start),
      ...setCookies(flow.afterLogin),
      ...setCookies(flow.afterConsent),
      ...setCookies(logout),
    ].filter((c) => !/=;|Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c));
  }

  it('the session, flow and logout cookies are HttpOnly and SameSite=Lax', async () => {
    const all = await collectCookies(t);
    const session = cookieNamed(all, 'gatehouse_session=');
    expect(session).toHaveLength(1);
    expect(cookieNamed(all, 'gatehouse_csrf_').length).toBeGreaterThan(0);
    expect(cookieNamed(all, 'gatehouse_logout_csrf=')).toHaveLength(1);
    for (const cookie of all) {
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    }
    // The session cookie is signed: a forged one is not a session.
    const client = await createClient(t);
    const forged = await t.publicApp.inject({
      url: authorizeUrl(baseParams(client.client_id, REDIRECT, { prompt: 'none' })),
      headers: { cookie: `gatehouse_session=${encodeURIComponent('anything.forged')}` },
    });
    expectErrorRedirect(forged, t.issuer, 'login_required', 'state-123456');
  });

  describe('with an https issuer', () => {
    let https: TestGatehouse;
    beforeAll(async () => {
      https = await startGatehouse({ env: { ISSUER: 'https://id.example' } });
    });
    afterAll(async () => {
      await https?.close();
    });

    it('every cookie is also Secure', async () => {
      const all = await collectCookies(https);
      expect(cookieNamed(all, 'gatehouse_session=')).toHaveLength(1);
      expect(all.length).toBeGreaterThanOrEqual(3);
      for (const cookie of all) {
        expect(cookie).toMatch(/;\s*Secure/i);
        expect(cookie).toMatch(/;\s*HttpOnly/i);
        expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      }
    });
  });

  it('error and UI pages forbid framing and carry a strict CSP', async () => {
    const pages = [
      await t.publicApp.inject({ url: '/oauth2/auth?client_id=no-such-client' }),
      await t.publicApp.inject({ url: '/oauth' }),
      await t.publicApp.inject({ url: '/oauth2/sessions/logout?id_token_hint=not-a-jwt' }),
      await t.publicApp.inject({ url: '/ui/login?login_challenge=abc' }),
      await t.publicApp.inject({ url: '/ui/consent?consent_challenge=abc' }),
      await t.publicApp.inject({ url: '/ui/logout?logout_challenge=abc' }),
      await t.publicApp.inject({ url: '/ui/signed-out' }),
    ];
    for (const page of pages) {
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      const csp = page.headers['content-security-policy'] as string;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['cache-control']).toBe('no-store');
    }
  });

  it('what a page echoes is escaped', async () => {
    const payload = '<script>alert(1)</script>';
    const page = await t.publicApp.inject({ url: `/ui/login?login_challenge=${encodeURIComponent(payload)}` });
    expect(page.body).not.toContain(payload);
    expect(page.body).not.toMatch(/<script>alert/i);
    const error = await t.publicApp.inject({ url: `/oauth2/auth?client_id=${encodeURIComponent(payload)}` });
    expect(error.body).not.toContain(payload);
  });
});

describe('client authentication', () => {
  let confidential: Awaited<ReturnType<typeof createClient>>;
  let publicClient: Awaited<ReturnType<typeof createClient>>;
  beforeAll(async () => {
    confidential = await createClient(t, { grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] });
    publicClient = await createClient(t, { token_endpoint_auth_method: 'none' });
  });

  it('a public client must use PKCE', async () => {
    const before = await countRows(t, 'flows');
    const response = await t.publicApp.inject({ url: authorizeUrl(baseParams(publicClient.client_id, REDIRECT)) });
    expectErrorRedirect(response, t.issuer, 'invalid_request', 'state-123456');
    expect(await countRows(t, 'flows')).toBe(before);
    // With PKCE it may start.
    const { challenge } = freshPkce();
    const ok = await t.publicApp.inject({
      url: authorizeUrl(
        baseParams(publicClient.client_id, REDIRECT, { code_challenge: challenge, code_challenge_method: 'S256' }),
      ),
    });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toContain('login_challenge=');
  });

  it('a wrong secret over Basic is 401 invalid_client with a Basic challenge', async () => {
    for (const [id, secret] of [
      [confidential.client_id, 'wrong-secret'],
      [confidential.client_id, ''],
      [confidential.client_id, `${confidential.client_secret}x`],
      [confidential.client_id, publicClient.client_id],
      ['no-such-client', confidential.client_secret],
    ] as const) {
      const response = await token(t, { grant_type: 'client_credentials' }, { basic: [id, secret] });
      expect(response.statusCode, `${id}:${secret}`).toBe(401);
      expect(response.json().error).toBe('invalid_client');
      expect(response.headers['www-authenticate']).toMatch(/^Basic /);
    }
  });

  it('a wrong or missing secret in the body is 401 invalid_client', async () => {
    const forms: Record<string, string>[] = [
      { client_id: confidential.client_id, client_secret: 'wrong-secret' },
      { client_id: confidential.client_id },
      { client_id: 'no-such-client', client_secret: confidential.client_secret },
      {},
    ];
    for (const form of forms) {
      const response = await token(t, { grant_type: 'client_credentials', ...form });
      expect(response.statusCode, JSON.stringify(form)).toBe(401);
      expect(response.json().error).toBe('invalid_client');
      expect(response.headers['www-authenticate']).toBeUndefined();
    }
    // The right secret passes, both ways (so the refusals above are about the secret).
    expect(
      (await token(t, { grant_type: 'client_credentials' }, { basic: [confidential.client_id, confidential.client_secret] }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await token(t, {
          grant_type: 'client_credentials',
          client_id: confidential.client_id,
          client_secret: confidential.client_secret,
        })
      ).statusCode,
    ).toBe(200);
  });

  it('a public client that sends a secret is refused', async () => {
    const asPost = await token(t, {
      grant_type: 'authorization_code',
      code: 'gh_ac_x',
      client_id: publicClient.client_id,
      client_secret: 'some-secret-that-it-does-not-have',
    });
    expect(asPost.statusCode).toBe(401);
    expect(asPost.json().error).toBe('invalid_client');
    const asBasic = await token(
      t,
      { grant_type: 'authorization_code', code: 'gh_ac_x' },
      { basic: [publicClient.client_id, 'x'] },
    );
    expect(asBasic.statusCode).toBe(401);
    expect(asBasic.json().error).toBe('invalid_client');
    expect(asBasic.headers['www-authenticate']).toMatch(/^Basic /);
    // Without a secret it is authenticated (and the code is then what is wrong).
    const none = await token(t, { grant_type: 'authorization_code', code: 'gh_ac_x', client_id: publicClient.client_id });
    expect(none.json().error).toBe('invalid_grant');
  });

  it('two authentication methods at once are refused', async () => {
    const response = await token(
      t,
      { grant_type: 'client_credentials', client_secret: confidential.client_secret },
      { basic: [confidential.client_id, confidential.client_secret] },
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_request');
  });

  it('the revocation endpoint authenticates the same way', async () => {
    const issued = await tokensFor(confidential);
    const revoke = (authorization: string) =>
      t.publicApp.inject({
        method: 'POST',
        url: '/oauth2/revoke',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
        payload: new URLSearchParams({ token: issued.access_token }).toString(),
      });
    const wrong = await revoke(`Basic ${Buffer.from(`${confidential.client_id}:wrong`).toString('base64')}`);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('invalid_client');
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic /);
    expect((await introspect(t, issued.access_token)).active).toBe(true);
    // Another client cannot revoke it either.
    const other = await createClient(t);
    const foreign = await revoke(`Basic ${Buffer.from(`${other.client_id}:${other.client_secret}`).toString('base64')}`);
    expect(foreign.statusCode).toBe(400);
    expect((await introspect(t, issued.access_token)).active).toBe(true);
    const right = await revoke(
      `Basic ${Buffer.from(`${confidential.client_id}:${confidential.client_secret}`).toString('base64')}`,
    );
    expect(right.statusCode).toBe(200);
    expect((await introspect(t, issued.access_token)).active).toBe(false);
  });
});

describe('client status and secret rotation', () => {
  it('suspending a client ends its tokens, and reinstating it does not bring them back', async () => {
    const client = await createClient(t);
    const issued = await tokensFor(client);
    const bystander = await createClient(t);
    const theirs = await tokensFor(bystander);
    // A flow under way when the client is suspended cannot finish either.
    const pending = await steps(t, client, { stopAfterConsentAccept: true });

    const suspended = await admin(t, 'PUT', `/admin/clients/${client.client_id}/status`, { status: 'suspended' });
    expect(suspended.statusCode, suspended.body).toBe(200);
    expect(suspended.json().status).toBe('suspended');

    expect((await introspect(t, issued.access_token)).active).toBe(false);
    expect((await introspect(t, issued.refresh_token)).active).toBe(false);
    const refreshed = await refresh(t, client, issued.refresh_token);
    expect(refreshed.statusCode).toBeGreaterThanOrEqual(400);
    expect(refreshed.statusCode).toBeLessThan(500);
    expect(['invalid_client', 'invalid_grant']).toContain(refreshed.json().error);
    const userinfo = await t.publicApp.inject({ url: '/userinfo', headers: { authorization: `Bearer ${issued.access_token}` } });
    expect(userinfo.statusCode).toBe(401);
    const finished = await pending.browser.get(pending.consentVerifierUrl);
    expectErrorPage(finished);
    expectErrorPage(await t.publicApp.inject({ url: authorizeUrl(baseParams(client.client_id, REDIRECT)) }), 403);
    // Only this client's tokens.
    expect((await introspect(t, theirs.access_token)).active).toBe(true);

    expect((await admin(t, 'PUT', `/admin/clients/${client.client_id}/status`, { status: 'approved' })).statusCode).toBe(200);
    expect((await introspect(t, issued.access_token)).active).toBe(false);
    expect((await refresh(t, client, issued.refresh_token)).json().error).toBe('invalid_grant');
  });

  it('a client that is not approved cannot get tokens for itself either', async () => {
    const grant_types = ['authorization_code', 'refresh_token', 'client_credentials'];
    const client = await createClient(t, { grant_types });
    const basic: [string, string] = [client.client_id, client.client_secret];
    expect((await token(t, { grant_type: 'client_credentials' }, { basic })).statusCode).toBe(200);
    for (const status of ['suspended', 'pending', 'rejected'] as const) {
      expect((await admin(t, 'PUT', `/admin/clients/${client.client_id}/status`, { status })).statusCode).toBe(200);
      const refused = await token(t, { grant_type: 'client_credentials' }, { basic });
      expect(refused.statusCode, status).toBe(401);
      expect(refused.json().error).toBe('invalid_client');
    }
    const pending = await createClient(t, { grant_types, status: 'pending' });
    const never = await token(t, { grant_type: 'client_credentials' }, { basic: [pending.client_id, pending.client_secret] });
    expect(never.statusCode).toBe(401);
    expect(never.json().error).toBe('invalid_client');
  });

  it.each(['rejected', 'pending'] as const)('moving an approved client to %s ends its tokens too', async (status) => {
    const client = await createClient(t);
    const issued = await tokensFor(client);
    expect((await admin(t, 'PUT', `/admin/clients/${client.client_id}/status`, { status })).statusCode).toBe(200);
    expect((await introspect(t, issued.access_token)).active).toBe(false);
    expect((await introspect(t, issued.refresh_token)).active).toBe(false);
  });

  it('rotating the secret makes the old one fail at once', async () => {
    const client = await createClient(t, { grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] });
    const issued = await tokensFor(client);
    const rotated = await admin(t, 'POST', `/admin/clients/${client.client_id}/secret`);
    expect(rotated.statusCode).toBe(200);
    const newSecret = rotated.json().client_secret as string;
    expect(newSecret).toMatch(/^gh_cs_/);
    expect(newSecret).not.toBe(client.client_secret);

    const old = await token(t, { grant_type: 'client_credentials' }, { basic: [client.client_id, client.client_secret] });
    expect(old.statusCode).toBe(401);
    expect(old.json().error).toBe('invalid_client');
    const oldPost = await token(t, {
      grant_type: 'refresh_token',
      refresh_token: issued.refresh_token,
      client_id: client.client_id,
      client_secret: client.client_secret,
    });
    expect(oldPost.statusCode).toBe(401);

    expect((await token(t, { grant_type: 'client_credentials' }, { basic: [client.client_id, newSecret] })).statusCode).toBe(200);
    const withNew = await refresh(t, { ...client, client_secret: newSecret }, issued.refresh_token);
    expect(withNew.statusCode, withNew.body).toBe(200);
    // The secret is not shown again.
    const shown = await admin(t, 'GET', `/admin/clients/${client.client_id}`);
    expect(shown.json()).not.toHaveProperty('client_secret');
    expect(shown.body).not.toContain(newSecret);
  });
});
