/**
 * DESIGN.md section 6: bad input anywhere gets a clear error, never a 500 and never a stack
 * trace. Every public endpoint and every admin endpoint, fed malformed, missing, repeated,
 * oversized, wrongly typed and hostile input; then a handful of specific RFC 6749 checks.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, Browser, createClient, token } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { codeIn } from '../support/stand-ins.js';
import { expectErrorPage, expectErrorRedirect, freshPkce, REDIRECT, redeem, steps } from './helpers.js';

let t: TestGatehouse;

type Client = Awaited<ReturnType<typeof createClient>>;
interface Fixtures {
  client: Client;
  publicClient: Client;
  accessToken: string;
  refreshToken: string;
  /** A client_credentials token: no subject, no openid. */
  clientToken: string;
  activeKid: string;
}
const fx = {} as Fixtures;

beforeAll(async () => {
  t = await startGatehouse();
  fx.client = await createClient(t, {
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    post_logout_redirect_uris: ['https://app.example/bye'],
  });
  fx.publicClient = await createClient(t, { token_endpoint_auth_method: 'none' });
  const flow = await steps(t, fx.client, { scope: 'openid offline_access Email' });
  const issued = await redeem(t, fx.client, { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier });
  expect(issued.statusCode).toBe(200);
  fx.accessToken = issued.json().access_token;
  fx.refreshToken = issued.json().refresh_token;
  const cc = await token(t, { grant_type: 'client_credentials', scope: 'Email' }, { basic: basicPair() });
  expect(cc.statusCode, cc.body).toBe(200);
  fx.clientToken = cc.json().access_token;
  const keys = await t.gh.keys.list();
  fx.activeKid = keys.find((k) => k.state === 'active')?.kid as string;
});
afterAll(async () => {
  await t?.close();
});

// ---------------------------------------------------------------- what every answer must be

const RFC_ERRORS = new Set([
  // RFC 6749 4.1.2.1 and 5.2
  'invalid_request',
  'unauthorized_client',
  'access_denied',
  'unsupported_response_type',
  'invalid_scope',
  'temporarily_unavailable',
  'invalid_client',
  'invalid_grant',
  'unsupported_grant_type',
  // RFC 6750 3.1
  'invalid_token',
  'insufficient_scope',
  // RFC 7009 2.2.1
  'unsupported_token_type',
  // OpenID Connect Core 3.1.2.6
  'login_required',
  'consent_required',
  'interaction_required',
  'account_selection_required',
  'request_not_supported',
  'request_uri_not_supported',
  'registration_not_supported',
]);

/** What must never be seen in a body: stack frames, file paths, runtime and database errors. */
const LEAKS = [
  /\n\s+at /,
  /at [\w.<>]+ \(/,
  /\.(ts|js|mjs):\d+/,
  /node_modules/,
  /\/work\//,
  /FST_[A-Z_]+/,
  /\b(TypeError|ReferenceError|RangeError|SyntaxError)\b/,
  /Cannot read propert/,
  /is not a function/,
  /Unexpected token/,
  /Maximum call stack/,
  /invalid byte sequence/i,
  /unsupported Unicode escape/i,
  /violates|duplicate key|relation "|syntax error at/i,
  /kysely|pglite|postgres/i,
  /server_error/,
  /unexpected condition/,
];

function expectClean(response: LightMyRequestResponse) {
  expect(response.statusCode, response.body.slice(0, 500)).toBeLessThan(500);
  for (const leak of LEAKS) expect(response.body, `body matches ${leak}`).not.toMatch(leak);
}

function expectOAuthError(response: LightMyRequestResponse, status?: number, error?: string) {
  expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
  expect(response.statusCode, response.body).toBeLessThan(500);
  if (status !== undefined) expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json();
  expect(RFC_ERRORS, `"${body.error}" is not an RFC error code`).toContain(body.error);
  expect(body.error_description).toEqual(expect.any(String));
  expect(body.error_description.length).toBeGreaterThan(0);
  if (error !== undefined) expect(body.error).toBe(error);
  expect(response.headers['cache-control']).toBe('no-store');
  return body as { error: string; error_description: string };
}

function expectBearerError(response: LightMyRequestResponse, status?: number, error?: string) {
  const body = expectOAuthError(response, status, error);
  if (response.statusCode === 401) expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
  if (body.error === 'invalid_token' || body.error === 'insufficient_scope') {
    expect(response.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(response.headers['www-authenticate']).toContain(`error="${body.error}"`);
  }
}

function expectAdminError(response: LightMyRequestResponse, status?: number) {
  expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
  expect(response.statusCode, response.body).toBeLessThan(500);
  if (status !== undefined) expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json();
  expect(body.error).toMatch(/^[a-z_]+$/);
  expect(body.error_description).toEqual(expect.any(String));
  if (body.error !== 'not_found' || body.status_code !== undefined) expect(body.status_code).toBe(response.statusCode);
}

/** The authorization and logout endpoints answer a person: an error page or an error redirect. */
function expectPageOrRedirect(response: LightMyRequestResponse) {
  if (response.statusCode === 303) {
    const location = new URL(response.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toEqual(expect.any(String));
    expect(RFC_ERRORS).toContain(location.searchParams.get('error'));
  } else {
    expectErrorPage(response);
  }
}

// ---------------------------------------------------------------- request builders

const basicPair = (): [string, string] => [fx.client.client_id, fx.client.client_secret];
const basicOf = (raw: string) => `Basic ${Buffer.from(raw, 'utf8').toString('base64')}`;
const basic = () => basicOf(`${fx.client.client_id}:${fx.client.client_secret}`);
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const long = (n: number) => 'x'.repeat(n);
const NUL = '\u0000';

function deepJson(levels: number, leaf = '"x"'): string {
  return `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`;
}

type Expect =
  | { kind: 'oauth'; status?: number; error?: string; basicChallenge?: boolean }
  | { kind: 'bearer'; status?: number; error?: string }
  | { kind: 'page'; status?: number }
  | { kind: 'redirect'; error: string }
  | { kind: 'page-or-redirect' }
  | { kind: 'admin'; status?: number }
  | { kind: 'ok' }
  | { kind: 'clean' };

interface Case {
  name: string;
  app?: 'public' | 'admin';
  request: () => InjectOptions | Promise<InjectOptions>;
  expect: Expect;
}

const post = (url: string, contentType: string | undefined, payload: string, headers: Record<string, string> = {}) =>
  ({
    method: 'POST',
    url,
    headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers },
    payload,
  }) as InjectOptions;
const get = (url: string, headers: Record<string, string> = {}) => ({ method: 'GET', url, headers }) as InjectOptions;
const json = (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload: string) =>
  ({ method, url, headers: { 'content-type': JSON_TYPE }, payload }) as InjectOptions;

async function check(c: Case) {
  const app = c.app === 'admin' ? t.adminApp : t.publicApp;
  const response = await app.inject(await c.request());
  expectClean(response);
  const e = c.expect;
  switch (e.kind) {
    case 'oauth':
      expectOAuthError(response, e.status, e.error);
      // RFC 6749 5.2: a client that tried Basic gets the Basic challenge back.
      if (e.basicChallenge) expect(response.headers['www-authenticate']).toMatch(/^Basic /);
      break;
    case 'bearer':
      expectBearerError(response, e.status, e.error);
      break;
    case 'page':
      expectErrorPage(response, e.status);
      break;
    case 'redirect': {
      expect(response.statusCode, response.body).toBe(303);
      const location = new URL(response.headers.location as string);
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
      expect(location.searchParams.get('error')).toBe(e.error);
      expect(location.searchParams.get('iss')).toBe(t.issuer);
      break;
    }
    case 'page-or-redirect':
      expectPageOrRedirect(response);
      break;
    case 'admin':
      expectAdminError(response, e.status);
      break;
    case 'ok':
      expect(response.statusCode, response.body).toBeLessThan(400);
      break;
    case 'clean':
      break;
  }
  return response;
}

// ---------------------------------------------------------------- the token endpoints

function tokenCases(path: string): Case[] {
  const at = (name: string, request: Case['request'], expect: Expect): Case => ({
    name: `POST ${path}: ${name}`,
    request,
    expect,
  });
  const authed = (body: string) => post(path, FORM, body, { authorization: basic() });
  const basicError = { kind: 'oauth', status: 401, error: 'invalid_client', basicChallenge: true } as const;
  return [
    at('no body, no content type', () => post(path, undefined, ''), { kind: 'oauth', status: 400, error: 'invalid_request' }),
    at('empty form', () => post(path, FORM, ''), { kind: 'oauth', status: 400, error: 'invalid_request' }),
    at('a JSON body', () => post(path, JSON_TYPE, '{"grant_type":"client_credentials"}', { authorization: basic() }), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_request',
    }),
    at('invalid JSON', () => post(path, JSON_TYPE, '{"grant_type":'), { kind: 'oauth', status: 400, error: 'invalid_request' }),
    at('a JSON array', () => post(path, JSON_TYPE, '[null]'), { kind: 'oauth', error: 'invalid_request' }),
    at('text/plain', () => post(path, 'text/plain', 'grant_type=client_credentials', { authorization: basic() }), {
      kind: 'oauth',
      error: 'invalid_request',
    }),
    at('multipart', () => post(path, 'multipart/form-data; boundary=x', '--x--'), { kind: 'oauth', error: 'invalid_request' }),
    at('an unknown content type', () => post(path, 'application/x-evil', 'a'), { kind: 'oauth', error: 'invalid_request' }),
    at('grant_type repeated with two values', () => authed('grant_type=a&grant_type=b'), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_request',
    }),
    at('grant_type repeated with one value', () => authed('grant_type=client_credentials&grant_type=client_credentials'), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_request',
    }),
    at('client_id repeated', () => post(path, FORM, `grant_type=authorization_code&code=x&client_id=a&client_id=b`), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_request',
    }),
    at('grant_type empty', () => authed('grant_type='), { kind: 'oauth', status: 400, error: 'invalid_request' }),
    at('grant_type as a bracket name', () => authed('grant_type[]=client_credentials'), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_request',
    }),
    at('unknown grant_type', () => authed('grant_type=urn:evil'), {
      kind: 'oauth',
      status: 400,
      error: 'unsupported_grant_type',
    }),
    at('the password grant', () => authed('grant_type=password&username=a&password=b'), {
      kind: 'oauth',
      status: 400,
      error: 'unsupported_grant_type',
    }),
    at('a broken percent-encoding', () => authed('grant_type=%ZZ%'), { kind: 'oauth', status: 400 }),
    at('a 5000-character code', () => authed(`grant_type=authorization_code&code=${long(5000)}`), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_request',
    }),
    at('a 5000-character grant_type', () => authed(`grant_type=${long(5000)}`), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_request',
    }),
    at('a 100 KB body', () => authed(`grant_type=client_credentials&x=${long(100 * 1024)}`), {
      kind: 'oauth',
      status: 413,
      error: 'invalid_request',
    }),
    at('a NUL in client_id', () => post(path, FORM, `grant_type=authorization_code&code=x&client_id=a%00b`), {
      kind: 'oauth',
    }),
    at('a NUL in the code', () => authed('grant_type=authorization_code&code=gh_ac_%00'), { kind: 'oauth', status: 400 }),
    at('a NUL in the refresh token', () => authed('grant_type=refresh_token&refresh_token=%00'), { kind: 'oauth', status: 400 }),
    at('a NUL in the scope', () => authed('grant_type=client_credentials&scope=Email%00'), { kind: 'oauth', status: 400 }),
    at('control characters in the code', () => authed('grant_type=authorization_code&code=%01%02%1b%7f'), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_grant',
    }),
    at(
      'a unicode client_id',
      () => post(path, FORM, `grant_type=authorization_code&code=x&client_id=${encodeURIComponent('客户端🚀')}`),
      {
        kind: 'oauth',
        status: 401,
        error: 'invalid_client',
      },
    ),
    at('a lone surrogate in the code', () => authed('grant_type=authorization_code&code=%ED%A0%80'), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_grant',
    }),
    at(
      'a right-to-left override in the redirect_uri',
      () =>
        authed(`grant_type=authorization_code&code=x&redirect_uri=${encodeURIComponent('https://app.example/\u202ecallback')}`),
      {
        kind: 'oauth',
        status: 400,
        error: 'invalid_grant',
      },
    ),
    at('__proto__ and constructor parameters', () => authed('__proto__=x&constructor=y&prototype=z&grant_type=urn:evil'), {
      kind: 'oauth',
      status: 400,
      error: 'unsupported_grant_type',
    }),
    at('__proto__[polluted] parameter', () => authed('__proto__[polluted]=1&grant_type=urn:evil'), {
      kind: 'oauth',
      error: 'unsupported_grant_type',
    }),
    at('a scope with forbidden characters', () => authed('grant_type=client_credentials&scope=%22%5C'), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_scope',
    }),
    at('an unknown scope', () => authed('grant_type=client_credentials&scope=admin'), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_scope',
    }),
    at('a refresh_token of the wrong shape', () => authed('grant_type=refresh_token&refresh_token=gh_at_x'), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_grant',
    }),
    at('no code', () => authed('grant_type=authorization_code'), { kind: 'oauth', status: 400, error: 'invalid_request' }),
    at('no refresh_token', () => authed('grant_type=refresh_token'), { kind: 'oauth', status: 400, error: 'invalid_request' }),
    at('an access token as the refresh token', () => authed(`grant_type=refresh_token&refresh_token=${fx.accessToken}`), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_grant',
    }),
    // Bad client authentication
    at(
      '"Basic" with nothing after it',
      () => post(path, FORM, 'grant_type=client_credentials', { authorization: 'Basic' }),
      basicError,
    ),
    at(
      '"Basic " and spaces',
      () => post(path, FORM, 'grant_type=client_credentials', { authorization: 'Basic    ' }),
      basicError,
    ),
    at(
      'Basic with characters outside base64',
      () => post(path, FORM, 'grant_type=client_credentials', { authorization: 'Basic !!!***' }),
      basicError,
    ),
    at(
      'Basic without a colon',
      () => post(path, FORM, 'grant_type=client_credentials', { authorization: basicOf('nocolon') }),
      basicError,
    ),
    at(
      'Basic with a broken percent-encoding',
      () => post(path, FORM, 'grant_type=client_credentials', { authorization: basicOf('%ZZ:%ZZ') }),
      basicError,
    ),
    at(
      'Basic with an empty id and secret',
      () => post(path, FORM, 'grant_type=client_credentials', { authorization: basicOf(':') }),
      basicError,
    ),
    at(
      'Basic with a NUL in the id',
      () => post(path, FORM, 'grant_type=client_credentials', { authorization: basicOf(`a${NUL}b:secret`) }),
      basicError,
    ),
    at(
      'Basic with a percent-encoded NUL in the id',
      () => post(path, FORM, 'grant_type=client_credentials', { authorization: basicOf('a%00b:secret') }),
      basicError,
    ),
    at(
      'Basic with control characters',
      () => post(path, FORM, 'grant_type=client_credentials', { authorization: basicOf('\u0001\u001b:\u007f') }),
      basicError,
    ),
    at(
      'Basic with unicode',
      () => post(path, FORM, 'grant_type=client_credentials', { authorization: basicOf('客户端:秘密') }),
      basicError,
    ),
    at(
      'Basic with 6000 characters',
      () => post(path, FORM, 'grant_type=client_credentials', { authorization: `Basic ${'QUFB'.repeat(1500)}` }),
      basicError,
    ),
    at(
      'Basic and a client_secret in the body',
      () => authed(`grant_type=client_credentials&client_secret=${fx.client.client_secret}`),
      {
        kind: 'oauth',
        status: 400,
        error: 'invalid_request',
      },
    ),
    at('Basic and a different client_id in the body', () => authed('grant_type=client_credentials&client_id=someone-else'), {
      kind: 'oauth',
      status: 400,
      error: 'invalid_request',
    }),
    at(
      'a Bearer header instead of client credentials',
      () => post(path, FORM, 'grant_type=client_credentials', { authorization: `Bearer ${fx.accessToken}` }),
      {
        kind: 'oauth',
        status: 401,
        error: 'invalid_client',
      },
    ),
    at('a Digest header', () => post(path, FORM, 'grant_type=client_credentials', { authorization: 'Digest username="a"' }), {
      kind: 'oauth',
      status: 401,
      error: 'invalid_client',
    }),
  ];
}

// ---------------------------------------------------------------- revocation and introspection

const revokeCases: Case[] = (() => {
  const path = '/oauth2/revoke';
  const authed = (body: string, contentType = FORM) => post(path, contentType, body, { authorization: basic() });
  const at = (name: string, request: Case['request'], expect: Expect): Case => ({
    name: `POST ${path}: ${name}`,
    request,
    expect,
  });
  return [
    at('no body', () => post(path, undefined, ''), { kind: 'oauth', status: 400, error: 'invalid_request' }),
    at('a JSON body', () => authed('{"token":"x"}', JSON_TYPE), { kind: 'oauth', status: 400, error: 'invalid_request' }),
    at('invalid JSON', () => authed('{', JSON_TYPE), { kind: 'oauth', status: 400, error: 'invalid_request' }),
    at('no client authentication', () => post(path, FORM, 'token=x'), { kind: 'oauth', status: 401, error: 'invalid_client' }),
    at('a malformed Basic header', () => post(path, FORM, 'token=x', { authorization: 'Basic %%%' }), {
      kind: 'oauth',
      status: 401,
      error: 'invalid_client',
      basicChallenge: true,
    }),
    at('no token', () => authed(''), { kind: 'oauth', status: 400, error: 'invalid_request' }),
    at('token repeated', () => authed('token=a&token=b'), { kind: 'oauth', status: 400, error: 'invalid_request' }),
    at('a 5000-character token', () => authed(`token=${long(5000)}`), { kind: 'oauth', status: 400, error: 'invalid_request' }),
    at('a 100 KB body', () => authed(`token=${long(100 * 1024)}`), { kind: 'oauth', status: 413 }),
    at('an unknown token (not an error, RFC 7009 2.2)', () => authed('token=gh_at_unknown'), { kind: 'ok' }),
    at('a unicode token', () => authed(`token=${encodeURIComponent('gh_rt_秘密')}`), { kind: 'ok' }),
    at('a NUL in the token', () => authed('token=gh_rt_%00'), { kind: 'clean' }),
    at('an unknown token_type_hint', () => authed('token=gh_at_unknown&token_type_hint=%00evil'), { kind: 'clean' }),
  ];
})();

const introspectCases: Case[] = (() => {
  const path = '/admin/oauth2/introspect';
  const at = (name: string, request: Case['request'], expect: Expect): Case => ({
    name: `POST ${path}: ${name}`,
    app: 'admin',
    request,
    expect,
  });
  return [
    at('no body', () => post(path, undefined, ''), { kind: 'admin', status: 400 }),
    at('a JSON body', () => post(path, JSON_TYPE, '{"token":"x"}'), { kind: 'admin', status: 400 }),
    at('invalid JSON', () => post(path, JSON_TYPE, '{"token"'), { kind: 'admin', status: 400 }),
    at('no token', () => post(path, FORM, ''), { kind: 'admin', status: 400 }),
    at('token repeated', () => post(path, FORM, 'token=a&token=b'), { kind: 'admin', status: 400 }),
    at('a 5000-character token', () => post(path, FORM, `token=${long(5000)}`), { kind: 'admin', status: 400 }),
    at('a 100 KB body', () => post(path, FORM, `token=${long(100 * 1024)}`), { kind: 'admin', status: 413 }),
    at('a NUL in the token', () => post(path, FORM, 'token=gh_at_%00'), { kind: 'clean' }),
    at('a malformed scope', () => post(path, FORM, `token=${fx.accessToken}&scope=%22`), { kind: 'admin', status: 400 }),
    at('a unicode token', () => post(path, FORM, `token=${encodeURIComponent('gh_at_токен')}`), { kind: 'ok' }),
  ];
})();

// ---------------------------------------------------------------- the authorization endpoint

function authorizeCases(method: 'GET' | 'POST', path: string): Case[] {
  const send = (params: string) => (method === 'GET' ? get(`${path}?${params}`) : post(path, FORM, params));
  const valid = (extra = '') =>
    `client_id=${fx.client.client_id}&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=openid&state=s-123456${extra}`;
  const at = (name: string, request: Case['request'], expect: Expect): Case => ({
    name: `${method} ${path}: ${name}`,
    request,
    expect,
  });
  const page = { kind: 'page', status: 400 } as const;
  const cases: Case[] = [
    at('no parameters', () => send(''), page),
    at('an unknown client', () => send('client_id=nobody&response_type=code&state=abcdefgh'), page),
    at('client_id repeated', () => send(`client_id=${fx.client.client_id}&client_id=other`), page),
    at('client_id as a bracket name', () => send(`client_id[]=${fx.client.client_id}&client_id[x]=y`), page),
    at('a 5000-character client_id', () => send(`client_id=${long(5000)}`), page),
    at('a NUL in client_id', () => send('client_id=a%00b'), page),
    at('a unicode client_id', () => send(`client_id=${encodeURIComponent('клиент🚀')}`), page),
    at('control characters in client_id', () => send('client_id=%01%02%1b%7f'), page),
    at(
      'a NUL in the redirect_uri',
      () => send(`client_id=${fx.client.client_id}&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback%00`),
      page,
    ),
    at('a javascript: redirect_uri', () => send(`client_id=${fx.client.client_id}&redirect_uri=javascript%3Aalert(1)`), page),
    at('redirect_uri repeated', () => send(`${valid()}&redirect_uri=${encodeURIComponent(REDIRECT)}`), page),
    at('response_type repeated', () => send(`${valid()}&response_type=token`), page),
    at('a 5000-character state', () => send(valid(`&state=${long(5000)}`).replace('state=s-123456&', '')), page),
    at('a state over 2048 characters', () => send(valid().replace('s-123456', long(3000))), {
      kind: 'redirect',
      error: 'invalid_request',
    }),
    at('a NUL in the state', () => send(valid().replace('s-123456', 'a%00b')), { kind: 'page-or-redirect' }),
    at('a NUL in the scope', () => send(valid().replace('scope=openid', 'scope=openid%00')), { kind: 'page-or-redirect' }),
    at('a scope with quotes and backslashes', () => send(valid().replace('scope=openid', 'scope=%22%5C')), {
      kind: 'redirect',
      error: 'invalid_scope',
    }),
    at('a malformed code_challenge', () => send(valid('&code_challenge=short&code_challenge_method=S256')), {
      kind: 'redirect',
      error: 'invalid_request',
    }),
    at(
      'an unknown code_challenge_method',
      () => send(valid(`&code_challenge=${freshPkce().challenge}&code_challenge_method=S512`)),
      {
        kind: 'redirect',
        error: 'invalid_request',
      },
    ),
    at('code_challenge_method without a challenge', () => send(valid('&code_challenge_method=S256')), {
      kind: 'redirect',
      error: 'invalid_request',
    }),
    at('a negative max_age', () => send(valid('&max_age=-1')), { kind: 'redirect', error: 'invalid_request' }),
    at('a huge max_age', () => send(valid('&max_age=99999999999999999999')), { kind: 'redirect', error: 'invalid_request' }),
    at('an unknown prompt', () => send(valid('&prompt=everything')), { kind: 'redirect', error: 'invalid_request' }),
    at('an unknown display', () => send(valid('&display=hologram')), { kind: 'redirect', error: 'invalid_request' }),
    at('response_mode=fragment', () => send(valid('&response_mode=fragment')), { kind: 'redirect', error: 'invalid_request' }),
    at('a request object', () => send(valid('&request=eyJhbGciOiJub25lIn0.e30.')), {
      kind: 'redirect',
      error: 'request_not_supported',
    }),
    at('a request_uri', () => send(valid('&request_uri=https%3A%2F%2Fevil.example%2Fr')), {
      kind: 'redirect',
      error: 'request_uri_not_supported',
    }),
    at('a garbage id_token_hint', () => send(valid('&id_token_hint=not.a.jwt')), { kind: 'redirect', error: 'invalid_request' }),
    at(
      'a forged alg=none id_token_hint',
      () =>
        send(
          valid(
            `&id_token_hint=${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"admin"}').toString('base64url')}.`,
          ),
        ),
      {
        kind: 'redirect',
        error: 'invalid_request',
      },
    ),
    at('an unknown audience', () => send(valid('&audience=https%3A%2F%2Fevil.example')), {
      kind: 'redirect',
      error: 'invalid_request',
    }),
    at('a 3000-character nonce', () => send(valid(`&nonce=${long(3000)}`)), { kind: 'redirect', error: 'invalid_request' }),
    at('an unknown login_verifier', () => send('login_verifier=unknown'), page),
    at('a NUL in the login_verifier', () => send('login_verifier=%00'), page),
    at('login_verifier repeated', () => send('login_verifier=a&login_verifier=b'), page),
    at('an unknown consent_verifier', () => send('consent_verifier=unknown'), page),
    at('__proto__ and constructor parameters', () => send(valid('&__proto__=x&constructor=y&hasOwnProperty=z')), { kind: 'ok' }),
    at(
      'unicode in login_hint and ui_locales',
      () => send(valid(`&login_hint=${encodeURIComponent('ünïcødé@例え.jp')}&ui_locales=${encodeURIComponent('日本語 ‮')}`)),
      {
        kind: 'ok',
      },
    ),
  ];
  if (method === 'POST') {
    cases.push(
      at('a 100 KB body', () => post(path, FORM, `${valid()}&x=${long(100 * 1024)}`), { kind: 'page', status: 413 }),
      at('invalid JSON', () => post(path, JSON_TYPE, '{"client_id":'), page),
      at('a JSON body with a null in an array', () => post(path, JSON_TYPE, '{"client_id":[null]}'), page),
      at('a JSON body with an object value', () => post(path, JSON_TYPE, '{"client_id":{"$ne":""}}'), page),
      at('a JSON body with numbers in an array', () => post(path, JSON_TYPE, '{"client_id":[1]}'), page),
      at('a JSON null', () => post(path, JSON_TYPE, 'null'), page),
      at('a JSON __proto__ key', () => post(path, JSON_TYPE, '{"__proto__":{"client_id":"x"}}'), page),
      at('deeply nested JSON', () => post(path, JSON_TYPE, `{"client_id":${deepJson(5000)}}`), page),
      at('text/plain', () => post(path, 'text/plain', valid()), { kind: 'page' }),
      at('an unknown content type', () => post(path, 'application/x-evil', valid()), { kind: 'page' }),
    );
  }
  return cases;
}

const galxeAuthorizeCases: Case[] = [
  { name: 'GET /oauth: no parameters', request: () => get('/oauth'), expect: { kind: 'page', status: 400 } },
  { name: 'GET /oauth: a NUL in client_id', request: () => get('/oauth?client_id=%00'), expect: { kind: 'page', status: 400 } },
  {
    name: 'GET /oauth: client_id repeated',
    request: () => get(`/oauth?client_id=${fx.client.client_id}&client_id=${fx.client.client_id}`),
    expect: { kind: 'page', status: 400 },
  },
  {
    name: 'GET /oauth: response_type=token',
    request: () =>
      get(
        `/oauth?client_id=${fx.client.client_id}&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=Email&state=abcdefgh&response_type=token`,
      ),
    expect: { kind: 'redirect', error: 'unsupported_response_type' },
  },
  {
    name: 'GET /oauth: a 5000-character scope',
    request: () => get(`/oauth?client_id=${fx.client.client_id}&scope=${long(5000)}`),
    expect: { kind: 'page', status: 400 },
  },
];

// ---------------------------------------------------------------- bearer endpoints

function bearerCases(method: 'GET' | 'POST', path: string): Case[] {
  const at = (name: string, request: Case['request'], expect: Expect): Case => ({
    name: `${method} ${path}: ${name}`,
    request,
    expect,
  });
  const send = (authorization?: string, query = '') =>
    method === 'GET'
      ? get(`${path}${query}`, authorization ? { authorization } : {})
      : post(`${path}${query}`, FORM, '', authorization ? { authorization } : {});
  const cases: Case[] = [
    at('no token', () => send(), { kind: 'bearer', status: 401 }),
    at('"Bearer" alone', () => send('Bearer'), { kind: 'bearer', error: 'invalid_request' }),
    at('"Bearer " and spaces', () => send('Bearer    '), { kind: 'bearer', error: 'invalid_request' }),
    at('a token with spaces', () => send('Bearer a b c'), { kind: 'bearer', error: 'invalid_request' }),
    at('a token with quotes', () => send('Bearer "x"'), { kind: 'bearer', error: 'invalid_request' }),
    at('a unicode token', () => send('Bearer \u00e9\u00e8'), { kind: 'bearer', error: 'invalid_request' }),
    at('an unknown token', () => send('Bearer unknown'), { kind: 'bearer', status: 401, error: 'invalid_token' }),
    at('an unknown token of the right shape', () => send(`Bearer gh_at_${'A'.repeat(43)}`), {
      kind: 'bearer',
      status: 401,
      error: 'invalid_token',
    }),
    at('a 6000-character token', () => send(`Bearer gh_at_${'A'.repeat(6000)}`), {
      kind: 'bearer',
      status: 401,
      error: 'invalid_token',
    }),
    at('a refresh token', () => send(`Bearer ${fx.refreshToken}`), { kind: 'bearer', status: 401, error: 'invalid_token' }),
    at('an authorization code', () => send('Bearer gh_ac_x'), { kind: 'bearer', status: 401, error: 'invalid_token' }),
    at('Basic credentials', () => send(basic()), { kind: 'bearer', error: 'invalid_request' }),
    at('a Digest header', () => send('Digest x'), { kind: 'bearer', error: 'invalid_request' }),
    at('the token with its prefix doubled', () => send(`Bearer Bearer ${fx.accessToken}`), {
      kind: 'bearer',
      error: 'invalid_request',
    }),
  ];
  if (method === 'POST') {
    cases.push(
      at(
        'the token in the header and the body',
        () => post(path, FORM, `access_token=${fx.accessToken}`, { authorization: `Bearer ${fx.accessToken}` }),
        {
          kind: 'oauth',
          status: 400,
          error: 'invalid_request',
        },
      ),
      at('access_token repeated in the body', () => post(path, FORM, `access_token=${fx.accessToken}&access_token=x`), {
        kind: 'oauth',
        status: 400,
        error: 'invalid_request',
      }),
      at('an unknown token in the body', () => post(path, FORM, 'access_token=gh_at_x'), {
        kind: 'bearer',
        status: 401,
        error: 'invalid_token',
      }),
      at('a NUL in the body token', () => post(path, FORM, 'access_token=gh_at_%00'), { kind: 'bearer' }),
      at('a JSON body with a number', () => post(path, JSON_TYPE, '{"access_token":5}'), { kind: 'oauth', status: 400 }),
      at('a JSON body with a null in an array', () => post(path, JSON_TYPE, '{"access_token":[null]}'), {
        kind: 'oauth',
        status: 400,
      }),
      at('a JSON body with an object', () => post(path, JSON_TYPE, '{"access_token":{"$gt":""}}'), {
        kind: 'oauth',
        status: 400,
      }),
      at('invalid JSON', () => post(path, JSON_TYPE, '{'), { kind: 'oauth', status: 400 }),
      at('a JSON __proto__ key', () => post(path, JSON_TYPE, '{"__proto__":{"access_token":"x"}}'), {
        kind: 'oauth',
        status: 400,
      }),
      at('a 100 KB body', () => post(path, FORM, `access_token=${long(100 * 1024)}`), { kind: 'oauth', status: 413 }),
      at('an unknown content type', () => post(path, 'application/x-evil', 'x'), { kind: 'oauth' }),
    );
  }
  return cases;
}

const userinfoScopeCases: Case[] = [
  {
    name: 'GET /userinfo: a token without openid',
    request: () => get('/userinfo', { authorization: `Bearer ${fx.clientToken}` }),
    expect: { kind: 'bearer', status: 403, error: 'insufficient_scope' },
  },
  {
    name: 'GET /oauth/api/2/user: a scope the token was not granted',
    request: () => get('/oauth/api/2/user?scope=Twitter', { authorization: `Bearer ${fx.accessToken}` }),
    expect: { kind: 'bearer', status: 403, error: 'insufficient_scope' },
  },
  {
    name: 'GET /oauth/api/2/user: scope repeated',
    request: () => get('/oauth/api/2/user?scope=Email&scope=Twitter', { authorization: `Bearer ${fx.accessToken}` }),
    expect: { kind: 'oauth', status: 400, error: 'invalid_request' },
  },
  {
    name: 'GET /oauth/api/2/user: a NUL in the scope',
    request: () => get('/oauth/api/2/user?scope=Email%00', { authorization: `Bearer ${fx.accessToken}` }),
    expect: { kind: 'oauth', status: 400 },
  },
  {
    name: 'GET /oauth/api/2/user: a scope with quotes',
    request: () => get('/oauth/api/2/user?scope=%22', { authorization: `Bearer ${fx.accessToken}` }),
    expect: { kind: 'oauth', status: 400, error: 'invalid_scope' },
  },
  {
    name: 'GET /oauth/api/2/user: a 5000-character scope',
    request: () => get(`/oauth/api/2/user?scope=${long(5000)}`, { authorization: `Bearer ${fx.accessToken}` }),
    expect: { kind: 'oauth', status: 400, error: 'invalid_request' },
  },
  {
    name: 'GET /oauth/api/2/user: __proto__ in the query',
    request: () => get('/oauth/api/2/user?__proto__=x&constructor=y', { authorization: `Bearer ${fx.accessToken}` }),
    expect: { kind: 'ok' },
  },
];

// ---------------------------------------------------------------- logout

function logoutCases(method: 'GET' | 'POST'): Case[] {
  const path = '/oauth2/sessions/logout';
  const send = (params: string) => (method === 'GET' ? get(`${path}?${params}`) : post(path, FORM, params));
  const at = (name: string, request: Case['request'], expect: Expect): Case => ({
    name: `${method} ${path}: ${name}`,
    request,
    expect,
  });
  const page = { kind: 'page', status: 400 } as const;
  const cases: Case[] = [
    at('a garbage id_token_hint', () => send('id_token_hint=garbage'), page),
    at(
      'a forged alg=none id_token_hint',
      () => send(`id_token_hint=${Buffer.from('{"alg":"none"}').toString('base64url')}.e30.`),
      page,
    ),
    at('id_token_hint repeated', () => send('id_token_hint=a&id_token_hint=b'), page),
    at('a post_logout_redirect_uri without a client', () => send('post_logout_redirect_uri=https%3A%2F%2Fevil.example'), page),
    at(
      'an unregistered post_logout_redirect_uri',
      () => send(`client_id=${fx.client.client_id}&post_logout_redirect_uri=https%3A%2F%2Fevil.example`),
      page,
    ),
    at(
      'a near-miss post_logout_redirect_uri',
      () => send(`client_id=${fx.client.client_id}&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye%2F`),
      page,
    ),
    at('an unknown client_id', () => send('client_id=nobody'), page),
    at('a NUL in client_id', () => send('client_id=a%00b'), page),
    at('a unicode client_id', () => send(`client_id=${encodeURIComponent('клиент')}`), page),
    at('an unknown logout_verifier', () => send('logout_verifier=unknown'), page),
    at('a NUL in the logout_verifier', () => send('logout_verifier=%00'), page),
    at('a state over 2048 characters', () => send(`state=${long(3000)}`), page),
    at('a 5000-character state', () => send(`state=${long(5000)}`), page),
    at('nothing (no session)', () => send(''), { kind: 'ok' }),
  ];
  if (method === 'POST') {
    cases.push(
      at('invalid JSON', () => post(path, JSON_TYPE, '{'), page),
      at('a JSON body with a null in an array', () => post(path, JSON_TYPE, '{"client_id":[null]}'), page),
      at('a JSON body with an object value', () => post(path, JSON_TYPE, '{"client_id":{"a":1}}'), page),
      at('a 100 KB body', () => post(path, FORM, `state=${long(100 * 1024)}`), { kind: 'page', status: 413 }),
    );
  }
  return cases;
}

// ---------------------------------------------------------------- discovery and keys

const discoveryCases: Case[] = [
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
  '/.well-known/jwks.json',
]
  .flatMap((path): Case[] => [
    {
      name: `GET ${path}: junk query`,
      request: () => get(`${path}?a=a&a=b&__proto__=x&${long(5000)}=1`),
      expect: { kind: 'ok' },
    },
    { name: `GET ${path}: a NUL in the query`, request: () => get(`${path}?a=%00`), expect: { kind: 'clean' } },
    { name: `POST ${path}`, request: () => post(path, JSON_TYPE, '{"a":1}'), expect: { kind: 'clean' } },
    { name: `GET ${path}/extra`, request: () => get(`${path}/extra`), expect: { kind: 'clean' } },
  ])
  .concat([
    { name: 'GET a broken percent-encoding in the path', request: () => get('/oauth2/auth%E0%A4%A'), expect: { kind: 'clean' } },
    { name: 'GET a 5000-character path', request: () => get(`/${long(5000)}`), expect: { kind: 'clean' } },
  ]);

// ---------------------------------------------------------------- admin: clients

const clientBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ redirect_uris: ['https://x.example/cb'], ...extra });

const adminClientCases: Case[] = (() => {
  const at = (name: string, request: Case['request'], expect: Expect = { kind: 'admin', status: 400 }): Case => ({
    name,
    app: 'admin',
    request,
    expect,
  });
  const create = (payload: string) => json('POST', '/admin/clients', payload);
  return [
    at('POST /admin/clients: invalid JSON', () => create('{"client_name":')),
    at('POST /admin/clients: an empty JSON body', () => create('')),
    at('POST /admin/clients: a JSON array', () => create('[]')),
    at('POST /admin/clients: a JSON string', () => create('"client"')),
    at('POST /admin/clients: a JSON number', () => create('42')),
    at('POST /admin/clients: JSON null', () => create('null')),
    at('POST /admin/clients: a __proto__ key', () => create('{"__proto__":{"status":"approved"}}')),
    at('POST /admin/clients: a constructor.prototype key', () => create('{"constructor":{"prototype":{"x":1}}}')),
    at('POST /admin/clients: text/plain', () => post('/admin/clients', 'text/plain', clientBody()), { kind: 'admin' }),
    at('POST /admin/clients: an unknown content type', () => post('/admin/clients', 'application/x-evil', clientBody()), {
      kind: 'admin',
    }),
    at('POST /admin/clients: redirect_uris an object', () => create(clientBody({ redirect_uris: { a: 1 } }))),
    at('POST /admin/clients: redirect_uris with an object', () => create(clientBody({ redirect_uris: [{}] }))),
    at('POST /admin/clients: client_name an object', () => create(clientBody({ client_name: { a: 1 } }))),
    at('POST /admin/clients: skip_consent a string', () => create(clientBody({ skip_consent: 'yes please' }))),
    at('POST /admin/clients: metadata a string', () => create(clientBody({ metadata: 'x' }))),
    at('POST /admin/clients: metadata an array', () => create(clientBody({ metadata: [1, 2] }))),
    at('POST /admin/clients: a NUL in client_name', () => create(clientBody({ client_name: `a${NUL}b` }))),
    at('POST /admin/clients: a NUL in client_id', () => create(clientBody({ client_id: `a${NUL}b` }))),
    at('POST /admin/clients: a NUL in a metadata value', () => create(clientBody({ metadata: { k: `v${NUL}` } }))),
    at('POST /admin/clients: a NUL in a metadata key', () => create(clientBody({ metadata: { [`k${NUL}`]: 1 } }))),
    at('POST /admin/clients: a NUL in a contact', () => create(clientBody({ contacts: [`a${NUL}@b.example`] }))),
    at('POST /admin/clients: a NUL in the owner', () => create(clientBody({ owner: NUL }))),
    at('POST /admin/clients: deeply nested metadata', () =>
      create(`{"redirect_uris":["https://x.example/cb"],"metadata":${deepJson(20000)}}`),
    ),
    at('POST /admin/clients: deeply nested unknown field', () =>
      create(`{"redirect_uris":["https://x.example/cb"],"extra":${'['.repeat(50000)}${']'.repeat(50000)}}`),
    ),
    at('POST /admin/clients: 100 KB of metadata', () => create(clientBody({ metadata: { blob: long(100 * 1024) } }))),
    at('POST /admin/clients: a 300 KB body', () => create(clientBody({ client_name: long(300 * 1024) })), {
      kind: 'admin',
      status: 413,
    }),
    at('POST /admin/clients: a javascript: redirect URI', () => create(clientBody({ redirect_uris: ['javascript:alert(1)'] }))),
    at('POST /admin/clients: a redirect URI with a fragment', () =>
      create(clientBody({ redirect_uris: ['https://x.example/cb#f'] })),
    ),
    at('POST /admin/clients: a wildcard redirect URI', () => create(clientBody({ redirect_uris: ['https://*.example/cb'] }))),
    at('POST /admin/clients: an http redirect URI', () => create(clientBody({ redirect_uris: ['http://x.example/cb'] }))),
    at('POST /admin/clients: a relative redirect URI', () => create(clientBody({ redirect_uris: ['/cb'] }))),
    at('POST /admin/clients: a redirect URI with credentials', () =>
      create(clientBody({ redirect_uris: ['https://u:p@x.example/cb'] })),
    ),
    at('POST /admin/clients: a 3000-character redirect URI', () =>
      create(clientBody({ redirect_uris: [`https://x.example/${long(3000)}`] })),
    ),
    at('POST /admin/clients: 51 redirect URIs', () =>
      create(clientBody({ redirect_uris: Array.from({ length: 51 }, (_, i) => `https://x.example/${i}`) })),
    ),
    at('POST /admin/clients: an unknown auth method', () =>
      create(clientBody({ token_endpoint_auth_method: 'private_key_jwt' })),
    ),
    at('POST /admin/clients: the implicit grant', () => create(clientBody({ grant_types: ['implicit'] }))),
    at('POST /admin/clients: response_type token', () => create(clientBody({ response_types: ['token'] }))),
    at('POST /admin/clients: an unknown scope', () => create(clientBody({ scope: 'openid admin' }))),
    at('POST /admin/clients: a scope with quotes', () => create(clientBody({ scope: '"' }))),
    at('POST /admin/clients: a client_id with spaces', () => create(clientBody({ client_id: 'a b' }))),
    at('POST /admin/clients: a 129-character client_id', () => create(clientBody({ client_id: long(129) }))),
    at('POST /admin/clients: a unicode client_id', () => create(clientBody({ client_id: 'клиент' }))),
    at('POST /admin/clients: the client_id "."', () => create(clientBody({ client_id: '.' }))),
    at('POST /admin/clients: the client_id ".."', () => create(clientBody({ client_id: '..' }))),
    at('POST /admin/clients: a short client_secret', () => create(clientBody({ client_secret: 'short' }))),
    at('POST /admin/clients: a public client with a secret', () =>
      create(clientBody({ token_endpoint_auth_method: 'none', client_secret: long(40) })),
    ),
    at('POST /admin/clients: a public client with client_credentials', () =>
      create(clientBody({ token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] })),
    ),
    at('POST /admin/clients: an unknown status', () => create(clientBody({ status: 'superuser' }))),
    at('POST /admin/clients: an unknown signing alg', () => create(clientBody({ id_token_signed_response_alg: 'none' }))),
    at('POST /admin/clients: a javascript: logo_uri', () => create(clientBody({ logo_uri: 'javascript:alert(1)' }))),
    at('POST /admin/clients: an existing client_id', () => create(clientBody({ client_id: fx.client.client_id })), {
      kind: 'admin',
      status: 409,
    }),
    at('POST /admin/clients: unicode names are fine', () => create(clientBody({ client_name: 'Приложение 🚀 ‮ 名前' })), {
      kind: 'ok',
    }),
    at('GET /admin/clients: page_size not a number', () => get('/admin/clients?page_size=abc')),
    at('GET /admin/clients: page_size 0', () => get('/admin/clients?page_size=0')),
    at('GET /admin/clients: page_size huge', () => get('/admin/clients?page_size=99999999999')),
    at('GET /admin/clients: an unknown status', () => get('/admin/clients?status=superuser')),
    at('GET /admin/clients: a NUL in page_token', () => get('/admin/clients?page_token=%00')),
    at('GET /admin/clients: a NUL in client_name', () => get('/admin/clients?client_name=a%00')),
    at('GET /admin/clients: a NUL in owner', () => get('/admin/clients?owner=%00')),
    at('GET /admin/clients: page_size repeated', () => get('/admin/clients?page_size=1&page_size=2'), { kind: 'clean' }),
    at('GET /admin/clients: __proto__ in the query', () => get('/admin/clients?__proto__=x'), { kind: 'ok' }),
    at('GET /admin/clients/:id: unknown', () => get('/admin/clients/nobody'), { kind: 'admin', status: 404 }),
    at('GET /admin/clients/:id: a NUL', () => get('/admin/clients/a%00b')),
    at('GET /admin/clients/:id: 129 characters', () => get(`/admin/clients/${long(129)}`), { kind: 'admin', status: 414 }),
    at('GET /admin/clients/:id: unicode', () => get(`/admin/clients/${encodeURIComponent('клиент‮')}`), {
      kind: 'admin',
      status: 404,
    }),
    at('GET /admin/clients/:id: a broken percent-encoding', () => get('/admin/clients/%E0%A4%A'), { kind: 'admin' }),
    at('PUT /admin/clients/:id: unknown', () => json('PUT', '/admin/clients/nobody', clientBody()), {
      kind: 'admin',
      status: 404,
    }),
    at('PUT /admin/clients/:id: invalid JSON', () => json('PUT', `/admin/clients/${fx.client.client_id}`, '{')),
    at('PUT /admin/clients/:id: a NUL in a field', () =>
      json('PUT', `/admin/clients/${fx.client.client_id}`, clientBody({ client_name: NUL })),
    ),
    at('PUT /admin/clients/:id: another client_id', () =>
      json('PUT', `/admin/clients/${fx.client.client_id}`, clientBody({ client_id: 'someone-else' })),
    ),
    at('PATCH /admin/clients/:id: unknown', () => json('PATCH', '/admin/clients/nobody', '[]'), { kind: 'admin', status: 404 }),
    ...(
      [
        ['not an array', '{"op":"add"}'],
        ['an array of numbers', '[1]'],
        ['an unknown op', '[{"op":"bogus","path":"/client_name"}]'],
        ['a path without a slash', '[{"op":"add","path":"client_name","value":"x"}]'],
        ['a __proto__ path', '[{"op":"add","path":"/__proto__/polluted","value":1}]'],
        ['a constructor path', '[{"op":"add","path":"/constructor/prototype/polluted","value":1}]'],
        ['replacing a missing field', '[{"op":"replace","path":"/nope","value":1}]'],
        ['removing a missing field', '[{"op":"remove","path":"/nope"}]'],
        ['a deep missing path', '[{"op":"add","path":"/metadata/a/b/c","value":1}]'],
        ['an index out of range', '[{"op":"add","path":"/redirect_uris/99","value":"https://x.example/cb"}]'],
        ['a negative index', '[{"op":"remove","path":"/redirect_uris/-1"}]'],
        ['a failed test', '[{"op":"test","path":"/client_name","value":"not the name"}]'],
        ['changing client_id', '[{"op":"replace","path":"/client_id","value":"someone-else"}]'],
        ['removing the only redirect URI', '[{"op":"remove","path":"/redirect_uris/0"}]'],
        ['a javascript: redirect URI', '[{"op":"add","path":"/redirect_uris/-","value":"javascript:alert(1)"}]'],
        ['a NUL value', '[{"op":"replace","path":"/client_name","value":"\\u0000"}]'],
        ['a deeply nested value', `[{"op":"add","path":"/metadata/deep","value":${deepJson(20000)}}]`],
        ['101 operations', JSON.stringify(Array.from({ length: 101 }, () => ({ op: 'test', path: '/client_id', value: 'x' })))],
        ['a status of the wrong type', '[{"op":"replace","path":"/status","value":42}]'],
      ] as const
    ).map(([name, body]) =>
      at(`PATCH /admin/clients/:id: ${name}`, () => json('PATCH', `/admin/clients/${fx.client.client_id}`, body)),
    ),
    at('DELETE /admin/clients/:id: unknown', () => ({ method: 'DELETE', url: '/admin/clients/nobody' }), {
      kind: 'admin',
      status: 404,
    }),
    at('DELETE /admin/clients/:id: a NUL', () => ({ method: 'DELETE', url: '/admin/clients/%00' })),
    at('PUT /admin/clients/:id/status: an unknown status', () =>
      json('PUT', `/admin/clients/${fx.client.client_id}/status`, '{"status":"superuser"}'),
    ),
    at('PUT /admin/clients/:id/status: no status', () => json('PUT', `/admin/clients/${fx.client.client_id}/status`, '{}')),
    at('PUT /admin/clients/:id/status: a reason of the wrong type', () =>
      json('PUT', `/admin/clients/${fx.client.client_id}/status`, '{"status":"approved","reason":{"a":1}}'),
    ),
    at('PUT /admin/clients/:id/status: a NUL in the reason', () =>
      json('PUT', `/admin/clients/${fx.client.client_id}/status`, '{"status":"approved","reason":"\\u0000"}'),
    ),
    at(
      'PUT /admin/clients/:id/status: unknown client',
      () => json('PUT', '/admin/clients/nobody/status', '{"status":"approved"}'),
      {
        kind: 'admin',
        status: 404,
      },
    ),
    at('POST /admin/clients/:id/secret: unknown client', () => ({ method: 'POST', url: '/admin/clients/nobody/secret' }), {
      kind: 'admin',
      status: 404,
    }),
    at('POST /admin/clients/:id/secret: a public client', () => ({
      method: 'POST',
      url: `/admin/clients/${fx.publicClient.client_id}/secret`,
    })),
    at(
      'PUT /admin/clients/:id/pending-changes: unknown client',
      () => json('PUT', '/admin/clients/nobody/pending-changes', '{"decision":"approve"}'),
      { kind: 'admin', status: 404 },
    ),
    at(
      'PUT /admin/clients/:id/pending-changes: nothing pending',
      () => json('PUT', `/admin/clients/${fx.client.client_id}/pending-changes`, '{"decision":"approve"}'),
      { kind: 'admin', status: 409 },
    ),
    at('PUT /admin/clients/:id/pending-changes: an unknown decision', () =>
      json('PUT', `/admin/clients/${fx.client.client_id}/pending-changes`, '{"decision":"perhaps"}'),
    ),
    at('PUT /admin/clients/:id/pending-changes: no body', () => ({
      method: 'PUT',
      url: `/admin/clients/${fx.client.client_id}/pending-changes`,
    })),
    at('PUT /admin/clients/:id/pending-changes: a 2000-character reason', () =>
      json(
        'PUT',
        `/admin/clients/${fx.client.client_id}/pending-changes`,
        JSON.stringify({ decision: 'reject', reason: long(2000) }),
      ),
    ),
    at('GET /admin/audit: page_token not a number', () => get('/admin/audit?page_token=abc')),
    at('GET /admin/audit: page_token a SQL fragment', () => get(`/admin/audit?page_token=${encodeURIComponent("1' or '1'='1")}`)),
    at('GET /admin/audit: page_size 0', () => get('/admin/audit?page_size=0')),
    at('GET /admin/audit: page_size huge', () => get('/admin/audit?page_size=99999999999')),
    at('GET /admin/audit: since not a date', () => get('/admin/audit?since=yesterday')),
    at('GET /admin/audit: a NUL in the action', () => get('/admin/audit?action=%00')),
    at('GET /admin/audit: LIKE wildcards in the action prefix', () => get('/admin/audit?action=%25_.'), { kind: 'ok' }),
    at('GET /admin/audit: a 300-character actor', () => get(`/admin/audit?actor=${long(300)}`)),
    at('GET /admin/audit: __proto__ in the query', () => get('/admin/audit?__proto__=x'), { kind: 'ok' }),
  ];
})();

// ---------------------------------------------------------------- admin: login, consent, logout requests

/** A login challenge that has not been answered yet. */
async function freshLoginChallenge(): Promise<string> {
  const response = await t.publicApp.inject({
    url: `/oauth2/auth?client_id=${fx.client.client_id}&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=openid&state=abcdefgh`,
  });
  return new URL(response.headers.location as string).searchParams.get('login_challenge') as string;
}

async function freshConsentChallenge(): Promise<string> {
  const flow = await steps(t, fx.client, { stopAfterLoginAccept: true });
  const after = await flow.browser.get(flow.loginVerifierUrl);
  return new URL(after.headers.location as string).searchParams.get('consent_challenge') as string;
}

const adminFlowCases: Case[] = (() => {
  const base = '/admin/oauth2/auth/requests';
  const at = (name: string, request: Case['request'], expect: Expect = { kind: 'admin', status: 400 }): Case => ({
    name,
    app: 'admin',
    request,
    expect,
  });
  const notFound = { kind: 'admin', status: 404 } as const;
  const cases: Case[] = [];
  for (const which of ['login', 'consent', 'logout'] as const) {
    const q = `${which}_challenge`;
    const acceptBody = which === 'login' ? '{"subject":"u"}' : '{}';
    cases.push(
      at(`GET ${base}/${which}: no challenge`, () => get(`${base}/${which}`)),
      at(`GET ${base}/${which}: an empty challenge`, () => get(`${base}/${which}?${q}=`)),
      at(`GET ${base}/${which}: an unknown challenge`, () => get(`${base}/${which}?${q}=unknown`), notFound),
      at(`GET ${base}/${which}: a 300-character challenge`, () => get(`${base}/${which}?${q}=${long(300)}`)),
      at(`GET ${base}/${which}: a NUL in the challenge`, () => get(`${base}/${which}?${q}=%00`), { kind: 'admin' }),
      at(
        `GET ${base}/${which}: a unicode challenge`,
        () => get(`${base}/${which}?${q}=${encodeURIComponent('挑战🚀')}`),
        notFound,
      ),
      at(`GET ${base}/${which}: the challenge repeated`, () => get(`${base}/${which}?${q}=a&${q}=b`), { kind: 'admin' }),
      at(
        `PUT ${base}/${which}/accept: an unknown challenge`,
        () => json('PUT', `${base}/${which}/accept?${q}=unknown`, acceptBody),
        notFound,
      ),
      at(`PUT ${base}/${which}/accept: no challenge`, () => json('PUT', `${base}/${which}/accept`, acceptBody)),
      at(
        `PUT ${base}/${which}/reject: an unknown challenge`,
        () => json('PUT', `${base}/${which}/reject?${q}=unknown`, '{}'),
        notFound,
      ),
      at(`PUT ${base}/${which}/reject: no challenge`, () => json('PUT', `${base}/${which}/reject`, '{}')),
      at(`PUT ${base}/${which}/reject: invalid JSON`, () => json('PUT', `${base}/${which}/reject?${q}=unknown`, '{'), {
        kind: 'admin',
      }),
      at(
        `POST ${base}/${which}/accept: wrong method`,
        () => json('POST', `${base}/${which}/accept?${q}=unknown`, '{}'),
        notFound,
      ),
    );
  }
  const loginAccept = (body: string) => async () =>
    json('PUT', `${base}/login/accept?login_challenge=${await freshLoginChallenge()}`, body);
  const loginReject = (body: string) => async () =>
    json('PUT', `${base}/login/reject?login_challenge=${await freshLoginChallenge()}`, body);
  const consentAccept = (body: string) => async () =>
    json('PUT', `${base}/consent/accept?consent_challenge=${await freshConsentChallenge()}`, body);
  const consentReject = (body: string) => async () =>
    json('PUT', `${base}/consent/reject?consent_challenge=${await freshConsentChallenge()}`, body);
  cases.push(
    at('login accept: invalid JSON', loginAccept('{"subject":')),
    at('login accept: no body', loginAccept('')),
    at('login accept: a JSON array', loginAccept('[]')),
    at('login accept: no subject', loginAccept('{}')),
    at('login accept: an empty subject', loginAccept('{"subject":""}')),
    at('login accept: a 300-character subject', loginAccept(`{"subject":"${long(300)}"}`)),
    at('login accept: an object subject', loginAccept('{"subject":{"$ne":""}}')),
    at('login accept: a NUL in the subject', loginAccept('{"subject":"a\\u0000b"}')),
    at('login accept: a NUL in acr', loginAccept('{"subject":"u","acr":"\\u0000"}')),
    at('login accept: a NUL in amr', loginAccept('{"subject":"u","amr":["\\u0000"]}')),
    at('login accept: a NUL in a context key', loginAccept('{"subject":"u","context":{"\\u0000":1}}')),
    at('login accept: a NUL in a context value', loginAccept('{"subject":"u","context":{"a":"\\u0000"}}')),
    at('login accept: deeply nested context', loginAccept(`{"subject":"u","context":${deepJson(20000)}}`)),
    at('login accept: 20 KB of context', loginAccept(`{"subject":"u","context":{"a":"${long(20 * 1024)}"}}`)),
    at('login accept: context an array', loginAccept('{"subject":"u","context":[1]}')),
    at('login accept: a negative remember_for', loginAccept('{"subject":"u","remember_for":-1}')),
    at('login accept: a fractional remember_for', loginAccept('{"subject":"u","remember_for":1.5}')),
    at('login accept: a huge remember_for', loginAccept('{"subject":"u","remember_for":1e300}')),
    at('login accept: remember a string', loginAccept('{"subject":"u","remember":"perhaps"}')),
    at('login accept: a __proto__ key', loginAccept('{"subject":"u","__proto__":{"admin":true}}')),
    at('login accept: a unicode subject is fine', loginAccept('{"subject":"ユーザー🚀‮"}'), { kind: 'ok' }),
    at('login reject: an error with a quote', loginReject('{"error":"a\\"b"}')),
    at('login reject: an error with a newline', loginReject('{"error":"a\\nb"}')),
    at('login reject: a 200-character error', loginReject(`{"error":"${long(200)}"}`)),
    at('login reject: a NUL in the description', loginReject('{"error_description":"\\u0000"}')),
    at('login reject: status_code a string', loginReject('{"status_code":"abc"}')),
    at('login reject: an object error', loginReject('{"error":{"a":1}}')),
    at('consent accept: invalid JSON', consentAccept('{')),
    at('consent accept: grant_scope not requested', consentAccept('{"grant_scope":["openid","admin"]}')),
    at('consent accept: grant_scope with an object', consentAccept('{"grant_scope":[{"a":1}]}')),
    at('consent accept: grant_scope an object', consentAccept('{"grant_scope":{"a":1}}')),
    at('consent accept: an audience not requested', consentAccept('{"grant_access_token_audience":["https://evil.example"]}')),
    at('consent accept: a negative remember_for', consentAccept('{"remember_for":-5}')),
    at('consent accept: a huge remember_for', consentAccept('{"remember_for":1e300}')),
    at('consent accept: remember_for just past the integer range', consentAccept('{"remember_for":2147483648}')),
    at('consent accept: session a string', consentAccept('{"session":"x"}')),
    at('consent accept: session.id_token an array', consentAccept('{"session":{"id_token":[1]}}')),
    at('consent accept: a NUL in an id_token claim', consentAccept('{"session":{"id_token":{"a":"\\u0000"}}}')),
    at('consent accept: a NUL in an access_token claim key', consentAccept('{"session":{"access_token":{"\\u0000":1}}}')),
    at('consent accept: deeply nested session claims', consentAccept(`{"session":{"id_token":${deepJson(20000)}}}`)),
    at('consent accept: 20 KB of session claims', consentAccept(`{"session":{"access_token":{"a":"${long(20 * 1024)}"}}}`)),
    at('consent accept: a NUL in the context', consentAccept('{"context":{"a":"\\u0000"}}')),
    at('consent reject: an error with a quote', consentReject('{"error":"\\""}')),
    at('consent reject: a NUL in the hint', consentReject('{"error_hint":"\\u0000"}')),
  );
  return cases;
})();

// ---------------------------------------------------------------- admin: sessions, keys, the rest

const adminOtherCases: Case[] = (() => {
  const at = (name: string, request: Case['request'], expect: Expect = { kind: 'admin', status: 400 }): Case => ({
    name,
    app: 'admin',
    request,
    expect,
  });
  const sessions = '/admin/oauth2/auth/sessions';
  const keys = '/admin/keys/gatehouse.openid.id-token';
  return [
    at(`GET ${sessions}/consent: no subject`, () => get(`${sessions}/consent`)),
    at(`GET ${sessions}/consent: a NUL in the subject`, () => get(`${sessions}/consent?subject=%00`)),
    at(`GET ${sessions}/consent: a NUL in login_session_id`, () => get(`${sessions}/consent?subject=u&login_session_id=%00`)),
    at(`GET ${sessions}/consent: a 300-character subject`, () => get(`${sessions}/consent?subject=${long(300)}`)),
    at(`GET ${sessions}/consent: a unicode subject`, () => get(`${sessions}/consent?subject=${encodeURIComponent('ユーザー')}`), {
      kind: 'ok',
    }),
    at(`DELETE ${sessions}/consent: no subject`, () => ({ method: 'DELETE', url: `${sessions}/consent` })),
    at(`DELETE ${sessions}/consent: neither client nor all`, () => ({ method: 'DELETE', url: `${sessions}/consent?subject=u` })),
    at(`DELETE ${sessions}/consent: all not a boolean`, () => ({
      method: 'DELETE',
      url: `${sessions}/consent?subject=u&all=maybe`,
    })),
    at(`DELETE ${sessions}/consent: a NUL in the subject`, () => ({
      method: 'DELETE',
      url: `${sessions}/consent?subject=%00&all=true`,
    })),
    at(`DELETE ${sessions}/consent: a NUL in the client`, () => ({
      method: 'DELETE',
      url: `${sessions}/consent?subject=u&client=%00`,
    })),
    at(`DELETE ${sessions}/login: nothing named`, () => ({ method: 'DELETE', url: `${sessions}/login` })),
    at(`DELETE ${sessions}/login: a NUL in the subject`, () => ({ method: 'DELETE', url: `${sessions}/login?subject=%00` })),
    at(`DELETE ${sessions}/login: a NUL in the sid`, () => ({ method: 'DELETE', url: `${sessions}/login?sid=%00` })),
    at('GET /admin/keys/:set: an unknown set', () => get('/admin/keys/nope'), { kind: 'admin', status: 404 }),
    at('GET /admin/keys/:set: a NUL', () => get('/admin/keys/%00'), { kind: 'admin' }),
    at('GET /admin/keys/:set: 200 characters', () => get(`/admin/keys/${long(200)}`), { kind: 'admin', status: 414 }),
    at('GET /admin/keys/:set/:kid: an unknown kid', () => get(`${keys}/nope`), { kind: 'admin', status: 404 }),
    at('GET /admin/keys/:set/:kid: a NUL kid', () => get(`${keys}/%00`), { kind: 'admin' }),
    at('POST /admin/keys/:set: alg HS256', () => json('POST', keys, '{"alg":"HS256"}')),
    at('POST /admin/keys/:set: alg none', () => json('POST', keys, '{"alg":"none"}')),
    at('POST /admin/keys/:set: use enc', () => json('POST', keys, '{"use":"enc"}')),
    at('POST /admin/keys/:set: invalid JSON', () => json('POST', keys, '{"alg":')),
    at('POST /admin/keys/:set: a JSON string', () => json('POST', keys, '"RS256"')),
    at('POST /admin/keys/:set: an unknown set', () => json('POST', '/admin/keys/nope', '{}'), { kind: 'admin', status: 404 }),
    at('DELETE /admin/keys/:set/:kid: the active key', () => ({ method: 'DELETE', url: `${keys}/${fx.activeKid}` }), {
      kind: 'admin',
      status: 409,
    }),
    at('DELETE /admin/keys/:set/:kid: an unknown kid', () => ({ method: 'DELETE', url: `${keys}/nope` }), {
      kind: 'admin',
      status: 404,
    }),
    at('DELETE /admin/keys/:set/:kid: a NUL kid', () => ({ method: 'DELETE', url: `${keys}/%00` }), { kind: 'admin' }),
    at('GET /admin/nothing-here', () => get('/admin/nothing-here'), { kind: 'admin', status: 404 }),
    at('GET /admin/openapi.json with junk', () => get('/admin/openapi.json?%00=%00'), { kind: 'clean' }),
  ];
})();

// ---------------------------------------------------------------- the tables

describe('bad input never gets a 500 or a stack trace', () => {
  describe('token endpoints', () => {
    it.each([...tokenCases('/oauth2/token'), ...tokenCases('/oauth/auth/2/token')].map((c) => [c.name, c] as const))(
      '%s',
      async (_, c) => {
        await check(c);
      },
    );
  });

  describe('revocation and introspection', () => {
    it.each([...revokeCases, ...introspectCases].map((c) => [c.name, c] as const))('%s', async (_, c) => {
      await check(c);
    });
  });

  describe('authorization endpoints', () => {
    it.each(
      [...authorizeCases('GET', '/oauth2/auth'), ...authorizeCases('POST', '/oauth2/auth'), ...galxeAuthorizeCases].map(
        (c) => [c.name, c] as const,
      ),
    )('%s', async (_, c) => {
      await check(c);
    });
  });

  describe('bearer endpoints', () => {
    it.each(
      [
        ...bearerCases('GET', '/userinfo'),
        ...bearerCases('POST', '/userinfo'),
        ...bearerCases('GET', '/oauth/api/2/token'),
        ...bearerCases('GET', '/oauth/api/2/user'),
        ...userinfoScopeCases,
      ].map((c) => [c.name, c] as const),
    )('%s', async (_, c) => {
      await check(c);
    });
  });

  describe('logout, discovery and keys', () => {
    it.each([...logoutCases('GET'), ...logoutCases('POST'), ...discoveryCases].map((c) => [c.name, c] as const))(
      '%s',
      async (_, c) => {
        await check(c);
      },
    );
  });

  describe('admin: clients', () => {
    it.each(adminClientCases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
      await check(c);
    });
  });

  describe('admin: login, consent and logout requests', () => {
    it.each(adminFlowCases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
      await check(c);
    });
  });

  describe('admin: sessions, keys and the rest', () => {
    it.each(adminOtherCases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
      await check(c);
    });
  });

  it('the bearer endpoints do answer a valid token (so the refusals above are about the input)', async () => {
    const authorization = `Bearer ${fx.accessToken}`;
    for (const url of ['/userinfo', '/oauth/api/2/token', '/oauth/api/2/user', '/oauth/api/2/user?scope=Email']) {
      const response = await t.publicApp.inject({ url, headers: { authorization } });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
    }
    const posted = await t.publicApp.inject({ method: 'POST', url: '/userinfo', headers: { authorization } });
    expect(posted.statusCode).toBe(200);
    const inBody = await t.publicApp.inject({
      method: 'POST',
      url: '/userinfo',
      headers: { 'content-type': FORM },
      payload: `access_token=${fx.accessToken}`,
    });
    expect(inBody.statusCode).toBe(200);
  });

  it('a client survives every admin case above unchanged', async () => {
    const shown = (await admin(t, 'GET', `/admin/clients/${fx.client.client_id}`)).json();
    expect(shown.redirect_uris).toEqual([REDIRECT]);
    expect(shown.status).toBe('approved');
    expect(shown.metadata).toEqual({});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

// ---------------------------------------------------------------- specific RFC checks

describe('RFC 6749 error responses', () => {
  const authorize = (params: Record<string, string>) =>
    t.publicApp.inject({
      url: `/oauth2/auth?${new URLSearchParams({
        client_id: fx.client.client_id,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: 'st-987654',
        ...params,
      })}`,
    });

  it('an unsupported grant type is unsupported_grant_type (5.2)', async () => {
    const response = await token(t, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code' }, { basic: basicPair() });
    expectOAuthError(response, 400, 'unsupported_grant_type');
  });

  it('a grant the client may not use is unauthorized_client (5.2)', async () => {
    const codeOnly = await createClient(t, { grant_types: ['authorization_code'] });
    const cc = await token(t, { grant_type: 'client_credentials' }, { basic: [codeOnly.client_id, codeOnly.client_secret] });
    expectOAuthError(cc, 400, 'unauthorized_client');
    const rt = await token(
      t,
      { grant_type: 'refresh_token', refresh_token: fx.refreshToken },
      { basic: [codeOnly.client_id, codeOnly.client_secret] },
    );
    expectOAuthError(rt, 400, 'unauthorized_client');
  });

  it('an invalid scope is redirected as invalid_scope with state and iss (4.1.2.1, RFC 9207)', async () => {
    expectErrorRedirect(await authorize({ scope: 'openid not-a-scope' }), t.issuer, 'invalid_scope', 'st-987654');
    // A known scope the client was not registered for.
    expectErrorRedirect(await authorize({ scope: 'openid Discord' }), t.issuer, 'invalid_scope', 'st-987654');
  });

  it('a missing state is redirected as invalid_request', async () => {
    const { state: _, ...params } = {
      client_id: fx.client.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: '',
    };
    const response = await t.publicApp.inject({ url: `/oauth2/auth?${new URLSearchParams(params)}` });
    expectErrorRedirect(response, t.issuer, 'invalid_request');
  });

  it('response_type=token is redirected as unsupported_response_type', async () => {
    expectErrorRedirect(await authorize({ response_type: 'token' }), t.issuer, 'unsupported_response_type', 'st-987654');
    expectErrorRedirect(await authorize({ response_type: 'code id_token' }), t.issuer, 'unsupported_response_type', 'st-987654');
  });

  it('a missing response_type is redirected as invalid_request (but /oauth implies code)', async () => {
    const params = new URLSearchParams({
      client_id: fx.client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'st-987654',
    });
    expectErrorRedirect(await t.publicApp.inject({ url: `/oauth2/auth?${params}` }), t.issuer, 'invalid_request', 'st-987654');
    const galxe = await t.publicApp.inject({ url: `/oauth?${params}` });
    expect(galxe.statusCode).toBe(303);
    expect(galxe.headers.location).toContain('login_challenge=');
  });

  it('prompt=none combined with login is redirected as invalid_request', async () => {
    expectErrorRedirect(await authorize({ prompt: 'none login' }), t.issuer, 'invalid_request', 'st-987654');
    expectErrorRedirect(await authorize({ prompt: 'consent none' }), t.issuer, 'invalid_request', 'st-987654');
  });

  it('the redirect keeps the registered URI’s own query and never duplicates its parameters', async () => {
    const withQuery = await createClient(t, { redirect_uris: ['https://app.example/callback?tenant=a'] });
    const response = await t.publicApp.inject({
      url: `/oauth2/auth?${new URLSearchParams({
        client_id: withQuery.client_id,
        response_type: 'token',
        redirect_uri: 'https://app.example/callback?tenant=a',
        state: 'st-1',
      })}`,
    });
    expect(response.statusCode).toBe(303);
    const location = new URL(response.headers.location as string);
    expect(location.searchParams.get('tenant')).toBe('a');
    expect(location.searchParams.getAll('error')).toEqual(['unsupported_response_type']);
    expect(location.searchParams.get('iss')).toBe(t.issuer);
  });
});

// ---------------------------------------------------------------- names on Object.prototype

/**
 * Every header and parameter that selects something (a language, a scope, a grant, a method, a
 * connector, a chain, a flash message), sent the names every plain object answers to. A lookup
 * on a prototype-bearing object finds a function there and answers 500; for Accept-Language
 * that 500 came after the code was issued, spending the person's send for nothing.
 */
describe('names that every plain object has', () => {
  const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];
  const location = (response: LightMyRequestResponse) => response.headers.location as string;

  /** A person signed in through the login app, for the account pages. */
  async function signedIn() {
    const browser = new Browser(t.publicApp);
    const email = `proto.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;
    await browser.get('/ui/register');
    const sent = await browser.post('/ui/register', { method: 'email', email });
    expect(sent.statusCode, sent.body).toBe(303);
    await browser.get(location(sent));
    const outbox = await t.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(email)}`);
    const verified = await browser.post('/ui/code', { code: codeIn(outbox.json().messages[0].text) });
    expect(location(verified)).toBe('/ui/account');
    return browser;
  }

  it('in Accept-Language: the code is sent, in English, and the send is not spent on an error', async () => {
    let client = 0;
    for (const name of NAMES) {
      for (const header of [name, `${name}-US,fr;q=0.5`]) {
        // One address each: the per-address limits on sign-in must not be what answers.
        const remoteAddress = `198.51.100.${++client}`;
        const browser = new Browser(t.publicApp);
        await browser.get('/ui/login');
        const email = `lang.${Math.random().toString(36).slice(2)}@example.com`;
        const response = await t.publicApp.inject({
          method: 'POST',
          url: '/ui/login',
          remoteAddress,
          headers: { cookie: browser.cookieHeader('/ui/login'), 'content-type': FORM, 'accept-language': header },
          payload: new URLSearchParams({ _csrf: browser.csrf as string, method: 'email', email }).toString(),
        });
        expectClean(response);
        expect(response.statusCode, `${header}: ${response.body.slice(0, 300)}`).toBe(303);
        const outbox = (await t.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(email)}`)).json().messages;
        expect(outbox, header).toHaveLength(1);
        expect(outbox[0].text).toContain('Your Gatehouse sign-in code is');
      }
    }
  });

  it('in the authorization request: scope, ui_locales, prompt, response_type, response_mode, code_challenge_method, display, client_id', async () => {
    for (const name of NAMES) {
      for (const [param, value] of [
        ['scope', name],
        ['scope', `openid ${name}`],
        ['ui_locales', name],
        ['prompt', name],
        ['response_type', name],
        ['response_mode', name],
        ['code_challenge_method', name],
        ['display', name],
        ['acr_values', name],
        ['client_id', name],
      ] as const) {
        const pkce = freshPkce();
        const params = new URLSearchParams({
          client_id: fx.client.client_id,
          response_type: 'code',
          redirect_uri: REDIRECT,
          scope: 'openid',
          state: 'st-proto',
          code_challenge: pkce.challenge,
          code_challenge_method: 'S256',
        });
        params.set(param, value);
        for (const path of ['/oauth2/auth', '/oauth']) {
          const response = await t.publicApp.inject({ url: `${path}?${params}` });
          expectClean(response);
        }
      }
    }
  });

  it('at the token endpoints: grant_type, client_id, scope, token_type_hint', async () => {
    for (const name of NAMES) {
      for (const path of ['/oauth2/token', '/oauth/auth/2/token']) {
        const forms: Record<string, string>[] = [
          { grant_type: name },
          { grant_type: 'client_credentials', scope: name },
          { grant_type: 'authorization_code', code: name, redirect_uri: REDIRECT, client_id: name },
          { grant_type: 'refresh_token', refresh_token: name, client_id: name, client_secret: name },
        ];
        for (const form of forms) {
          expectClean(
            await t.publicApp.inject(post(path, FORM, new URLSearchParams(form).toString(), { authorization: basic() })),
          );
          expectClean(await t.publicApp.inject(post(path, FORM, new URLSearchParams(form).toString())));
        }
      }
      expectClean(
        await t.publicApp.inject(
          post('/oauth2/revoke', FORM, new URLSearchParams({ token: name, token_type_hint: name }).toString(), {
            authorization: basic(),
          }),
        ),
      );
      expectClean(
        await t.adminApp.inject(
          post('/admin/oauth2/introspect', FORM, new URLSearchParams({ token: name, scope: name }).toString()),
        ),
      );
    }
  });

  it('at the resource API and userinfo: scope', async () => {
    for (const name of NAMES) {
      for (const url of [`/oauth/api/2/user?scope=${name}`, `/oauth/api/2/user?scope=Email,${name}`, `/userinfo?scope=${name}`]) {
        expectClean(await t.publicApp.inject(get(url, { authorization: `Bearer ${fx.accessToken}` })));
      }
    }
  });

  it('in client metadata: token_endpoint_auth_method, grant_types, response_types, scope, status, application_type', async () => {
    for (const name of NAMES) {
      for (const extra of [
        { token_endpoint_auth_method: name },
        { grant_types: [name] },
        { response_types: [name] },
        { scope: name },
        { status: name },
        { application_type: name },
        { subject_type: name },
        { id_token_signed_response_alg: name },
        { metadata: JSON.parse(`{"${name}": 1}`) },
      ]) {
        expectClean(await t.adminApp.inject(json('POST', '/admin/clients', clientBody(extra))));
        expectClean(await t.adminApp.inject(json('PUT', `/admin/clients/${fx.client.client_id}`, clientBody(extra))));
        expectClean(await t.publicApp.inject(json('POST', '/oauth2/register', clientBody(extra))));
      }
      for (const url of [
        `/admin/clients?status=${name}`,
        `/admin/clients/${name}`,
        `/admin/audit?action=${name}`,
        `/admin/audit?actor=${name}`,
        `/admin/keys/${name}`,
        `/admin/oauth2/auth/requests/login?login_challenge=${name}`,
        `/admin/oauth2/auth/requests/consent?consent_challenge=${name}`,
        `/admin/oauth2/auth/sessions/consent?subject=${name}`,
      ]) {
        expectClean(await t.adminApp.inject(get(url)));
      }
    }
    // The fixture client was not changed by any of it.
    const client = (await admin(t, 'GET', `/admin/clients/${fx.client.client_id}`)).json();
    expect(client.token_endpoint_auth_method).toBe('client_secret_basic');
  });

  it('in the pages: connector and chain names in paths, flash messages, the kind to unlink, the login method', async () => {
    // A fresh hour for the per-address limits: the cases above signed in from this address too.
    t.advance(3601);
    const browser = await signedIn();
    for (const name of NAMES) {
      for (const url of [
        `/ui/account?done=${name}`,
        `/ui/developers?done=${name}`,
        `/ui/account/identities/${name}`,
        `/ui/account/identities/${name}/callback?code=x&state=y`,
        `/ui/login?method=${name}`,
        `/ui/register?method=${name}`,
        `/ui/brand?variant=${name}&size=${name}&shape=${name}&label=${name}`,
        `/ui/button/${name}`,
        `/ui/consent?consent_challenge=${name}`,
        `/ui/logout?logout_challenge=${name}`,
        `/ui/login?login_challenge=${name}`,
      ]) {
        const response = await browser.get(url);
        expect(response.statusCode, `${url}: ${response.body.slice(0, 300)}`).toBeLessThan(500);
        expectClean(response);
        // Nor a member of Object shown as if it were the message that name selects.
        expect(response.body, url).not.toMatch(/\[native code\]|function \w*\(/);
      }
      await browser.get('/ui/account');
      const unlink = await browser.post('/ui/account/identities/unlink', { kind: name });
      expect(unlink.statusCode, unlink.body.slice(0, 300)).toBeLessThan(500);
      await browser.get('/ui/login');
      const forms: Record<string, string>[] = [
        { method: name, email: `x.${name}@example.com` },
        { method: 'phone', phone: '+14155550100', channel: name, [name]: '1' },
        { method: 'phone', phone: '+14155550100', altcha: name },
      ];
      for (const form of forms) {
        const response = await browser.post('/ui/login', form);
        expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500);
      }
    }
  });
});
