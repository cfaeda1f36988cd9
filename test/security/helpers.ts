/** Shared by the security suites: a step-by-step flow that keeps every secret it sees, and checks. */
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { ClientJson } from '../../src/clients/clients.js';
import { challengeFor } from '../../src/crypto/pkce.js';
import { admin, Browser, token } from '../support/flow.js';
import type { TestGatehouse } from '../support/harness.js';

export const REDIRECT = 'https://app.example/callback';

/** A fresh PKCE pair (43-character verifier). */
export function freshPkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: challengeFor(verifier, 'S256') };
}

export async function countRows(
  t: TestGatehouse,
  table: 'flows' | 'authorization_codes' | 'tokens' | 'grants' | 'login_sessions',
) {
  const row = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table)}`.execute(t.gh.db);
  return Number(row.rows[0]?.n ?? 0);
}

/** A refusal shown to the person: an HTML page with a 4xx status, and never a redirect. */
export function expectErrorPage(response: LightMyRequestResponse, status?: number) {
  if (status !== undefined) expect(response.statusCode).toBe(status);
  expect(response.statusCode).toBeGreaterThanOrEqual(400);
  expect(response.statusCode).toBeLessThan(500);
  expect(response.headers['content-type']).toMatch(/^text\/html/);
  expect(response.headers.location).toBeUndefined();
  expect(response.body).toMatch(/^<!doctype html>/i);
}

/** A 303 back to the client with an error (RFC 6749 4.1.2.1, RFC 9207). */
export function expectErrorRedirect(response: LightMyRequestResponse, issuer: string, error: string, state?: string) {
  expect(response.statusCode).toBe(303);
  const location = new URL(response.headers.location as string);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  expect(location.searchParams.get('error')).toBe(error);
  expect(location.searchParams.get('error_description')).toEqual(expect.any(String));
  expect(location.searchParams.get('iss')).toBe(issuer);
  expect(location.searchParams.get('code')).toBeNull();
  if (state === undefined) expect(location.searchParams.has('state')).toBe(false);
  else expect(location.searchParams.get('state')).toBe(state);
  return location;
}

export interface Steps {
  browser: Browser;
  start: LightMyRequestResponse;
  loginChallenge: string;
  loginVerifierUrl: string;
  afterLogin: LightMyRequestResponse;
  consentChallenge: string;
  consentVerifierUrl: string;
  afterConsent: LightMyRequestResponse;
  code: string;
  verifier: string;
  csrfCookies: string[];
}

export interface StepOptions {
  browser?: Browser;
  params?: Record<string, string>;
  pkce?: boolean;
  rememberLogin?: boolean;
  scope?: string;
  /** Stop after accepting the login (the verifier URL is not opened). */
  stopAfterLoginAccept?: boolean;
  /** Stop after accepting the consent (the verifier URL is not opened). */
  stopAfterConsentAccept?: boolean;
}

/** The authorization flow one step at a time, keeping every challenge, verifier and cookie. */
export async function steps(t: TestGatehouse, client: ClientJson, options: StepOptions = {}): Promise<Steps> {
  const browser = options.browser ?? new Browser(t.publicApp);
  const pkce = freshPkce();
  const params = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: client.redirect_uris[0] as string,
    scope: options.scope ?? 'openid offline_access',
    state: 'state-123456',
    ...(options.pkce === false ? {} : { code_challenge: pkce.challenge, code_challenge_method: 'S256' }),
    ...options.params,
  });
  const out = { browser, verifier: pkce.verifier } as Steps;
  out.start = await browser.get(`/oauth2/auth?${params}`);
  expect(out.start.statusCode, out.start.body).toBe(303);
  out.csrfCookies = [...browser.jar.entries()].filter(([name]) => name.startsWith('gatehouse_csrf_')).map(([, c]) => c.value);
  out.loginChallenge = new URL(out.start.headers.location as string).searchParams.get('login_challenge') as string;
  expect(out.loginChallenge).toBeTruthy();
  const login = await admin(t, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${out.loginChallenge}`, {
    subject: 'user-1',
    remember: options.rememberLogin ?? false,
  });
  expect(login.statusCode, login.body).toBe(200);
  out.loginVerifierUrl = login.json().redirect_to;
  if (options.stopAfterLoginAccept) return out;
  out.afterLogin = await browser.get(out.loginVerifierUrl);
  expect(out.afterLogin.statusCode, out.afterLogin.body).toBe(303);
  out.consentChallenge = new URL(out.afterLogin.headers.location as string).searchParams.get('consent_challenge') as string;
  expect(out.consentChallenge).toBeTruthy();
  const consentRequest = await admin(t, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${out.consentChallenge}`);
  const consent = await admin(t, 'PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${out.consentChallenge}`, {
    grant_scope: consentRequest.json().requested_scope,
  });
  expect(consent.statusCode, consent.body).toBe(200);
  out.consentVerifierUrl = consent.json().redirect_to;
  if (options.stopAfterConsentAccept) return out;
  out.afterConsent = await browser.get(out.consentVerifierUrl);
  expect(out.afterConsent.statusCode, out.afterConsent.body).toBe(303);
  out.code = new URL(out.afterConsent.headers.location as string).searchParams.get('code') as string;
  expect(out.code).toMatch(/^gh_ac_/);
  return out;
}

/** Redeems a code as the given client: Basic for a confidential one, client_id for a public one. */
export function redeem(
  t: TestGatehouse,
  client: ClientJson & { client_secret?: string },
  form: Record<string, string>,
  path?: string,
) {
  const body = { grant_type: 'authorization_code', ...form };
  if (client.token_endpoint_auth_method === 'none') return token(t, { ...body, client_id: client.client_id }, { path });
  return token(t, body, { basic: [client.client_id, client.client_secret as string], path });
}

export function refresh(t: TestGatehouse, client: ClientJson & { client_secret?: string }, refreshToken: string) {
  const body = { grant_type: 'refresh_token', refresh_token: refreshToken };
  if (client.token_endpoint_auth_method === 'none') return token(t, { ...body, client_id: client.client_id });
  return token(t, body, { basic: [client.client_id, client.client_secret as string] });
}

/** Set-Cookie headers of a response, as strings. */
export function setCookies(response: LightMyRequestResponse): string[] {
  const raw = response.headers['set-cookie'];
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [raw];
}

/** A fresh login challenge for `client` (openid offline_access, a fixed state) in `browser`. */
export async function loginChallengeIn(browser: Browser, client: ClientJson): Promise<string> {
  const query = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: client.redirect_uris[0] as string,
    scope: 'openid offline_access',
    state: 'state-123456',
  });
  const started = await browser.get(`/oauth2/auth?${query}`);
  expect(started.statusCode).toBe(303);
  return new URL(started.headers.location as string).searchParams.get('login_challenge') as string;
}
