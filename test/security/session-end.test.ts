/**
 * What ends stays ended (issue 28): a login session's end (the account page's sign-out,
 * RP-initiated logout, the admin API by subject or by sid, its own expiry) ends every login
 * and consent request that relied on it. A request opened while the session lived (with a
 * stolen cookie, many of them) must not end in a code afterwards, at whatever step it waits.
 */

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientJson } from '../../src/clients/clients.js';
import { admin, Browser, createClient, runFlow } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { loginChallengeIn } from './helpers.js';

let t: TestGatehouse;
let client: ClientJson;
beforeAll(async () => {
  t = await startGatehouse({ env: { CAPTCHA: 'none' } });
  client = await createClient(t);
});
afterAll(() => t?.close());

const location = (response: { headers: Record<string, unknown> }) => response.headers.location as string;

const loginChallenge = (browser: Browser) => loginChallengeIn(browser, client);

const getLogin = (challenge: string) => admin(t, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${challenge}`);
const acceptLogin = (challenge: string, subject: string) =>
  admin(t, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`, { subject });
const getConsent = (challenge: string) => admin(t, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${challenge}`);
const acceptConsent = (challenge: string, remember = false) =>
  admin(t, 'PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${challenge}`, {
    grant_scope: ['openid', 'offline_access'],
    remember,
  });

/** A login request opened by a signed-in browser, answered up to the consent request. */
async function atConsent(browser: Browser, subject: string): Promise<string> {
  const accepted = await acceptLogin(await loginChallenge(browser), subject);
  const afterLogin = await browser.get(accepted.json().redirect_to);
  expect(afterLogin.statusCode).toBe(303);
  return new URL(location(afterLogin)).searchParams.get('consent_challenge') as string;
}

/**
 * A browser signed in as `subject` with a remembered session, and the requests it opened
 * while signed in, one waiting at each step that could still lead to a code.
 */
async function signedInWithOpenRequests(subject: string) {
  const browser = new Browser(t.publicApp);
  await runFlow(t, { client, browser, subject, rememberLogin: true });
  const forGet = await loginChallenge(browser);
  const answered = await getLogin(forGet);
  expect(answered.json()).toMatchObject({ skip: true, subject });
  const consent = await atConsent(browser, subject);
  const consentAccepted = await acceptConsent(await atConsent(browser, subject), true);
  expect(consentAccepted.statusCode).toBe(200);
  const loginAccepted = await acceptLogin(await loginChallenge(browser), subject);
  expect(loginAccepted.statusCode).toBe(200);
  return {
    browser,
    sessionId: answered.json().session_id as string,
    forGet,
    forAccept: await loginChallenge(browser),
    forLoginApp: await loginChallenge(browser),
    loginVerifier: loginAccepted.json().redirect_to as string,
    consent,
    consentVerifier: consentAccepted.json().redirect_to as string,
  };
}

type Opened = Awaited<ReturnType<typeof signedInWithOpenRequests>>;

/** None of the requests the browser opened while signed in ends in a code any more. */
async function expectAllEnded(opened: Opened, subject: string) {
  const got = await getLogin(opened.forGet);
  expect(got.statusCode).toBe(410);
  expect(got.json().redirect_to).toMatch(/\/oauth2\/auth\?/);

  expect((await acceptLogin(opened.forAccept, subject)).statusCode).toBe(410);

  // The built-in login app's skip path: no redirect to a verifier, a page that starts over.
  const page = await opened.browser.get(`/ui/login?login_challenge=${opened.forLoginApp}`);
  expect(page.statusCode).toBe(410);
  expect(page.headers['content-type']).toMatch(/text\/html/);

  for (const verifier of [opened.loginVerifier, opened.consentVerifier]) {
    const back = await opened.browser.get(verifier);
    expect(back.statusCode).toBe(400);
    expect(back.headers.location).toBeUndefined();
  }

  expect((await getConsent(opened.consent)).statusCode).toBe(410);
  expect((await acceptConsent(opened.consent)).statusCode).toBe(410);

  // The consent accepted with remember on never became a remembered consent.
  const remembered = await admin(t, 'GET', `/admin/oauth2/auth/sessions/consent?subject=${subject}`);
  expect(remembered.json()).toEqual([]);
}

/** The subject's flows that could still end in a code, as stored (ended at once, not only when next used). */
async function openFlowsOf(subject: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from flows where subject = ${subject}
    and state in ('login_requested', 'login_accepted', 'consent_requested', 'consent_accepted')`.execute(t.gh.db);
  return Number(rows[0]?.n);
}

let people = 0;
const person = () => `signed-out-${++people}-${Date.now()}`;

describe('a login session that ends ends the requests that relied on it', () => {
  it('when an operator revokes the subject’s sessions', async () => {
    const subject = person();
    const opened = await signedInWithOpenRequests(subject);
    const revoked = await admin(t, 'DELETE', `/admin/oauth2/auth/sessions/login?subject=${subject}`);
    expect(revoked.statusCode).toBe(204);
    expect(await openFlowsOf(subject)).toBe(0);
    await expectAllEnded(opened, subject);
  });

  it('when an operator revokes the session by sid', async () => {
    const subject = person();
    const opened = await signedInWithOpenRequests(subject);
    const revoked = await admin(t, 'DELETE', `/admin/oauth2/auth/sessions/login?sid=${opened.sessionId}`);
    expect(revoked.statusCode).toBe(204);
    expect(await openFlowsOf(subject)).toBe(0);
    await expectAllEnded(opened, subject);
  });

  it('when the person signs out through RP-initiated logout', async () => {
    const subject = person();
    const opened = await signedInWithOpenRequests(subject);
    const toLogout = await opened.browser.get('/oauth2/sessions/logout');
    const challenge = new URL(location(toLogout)).searchParams.get('logout_challenge') as string;
    const accepted = await admin(t, 'PUT', `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${challenge}`);
    expect((await opened.browser.get(accepted.json().redirect_to)).statusCode).toBe(303);
    expect(await openFlowsOf(subject)).toBe(0);
    await expectAllEnded(opened, subject);
  });

  it('when the person signs out on the account page', async () => {
    const account = await t.gh.login.accounts.register({ email: `${person()}@example.com` });
    const opened = await signedInWithOpenRequests(account.id);
    expect((await opened.browser.get('/ui/account')).statusCode).toBe(200);
    const signedOut = await opened.browser.post('/ui/account/signout', {});
    expect(signedOut.statusCode).toBe(200);
    expect(await openFlowsOf(account.id)).toBe(0);
    await expectAllEnded(opened, account.id);
  });

  it('when the session ends however it ends: each step checks it again', async () => {
    const subject = person();
    const opened = await signedInWithOpenRequests(subject);
    expect(await openFlowsOf(subject)).toBe(6);
    // Gone without the sign-out's own clean-up, as when the flow was stored in the instant after it.
    await sql`delete from login_sessions where id = ${opened.sessionId}`.execute(t.gh.db);
    await expectAllEnded(opened, subject);
  });

  it('when the session expires', async () => {
    const subject = person();
    const browser = new Browser(t.publicApp);
    await runFlow(t, { client, browser, subject, rememberLogin: true, loginAccept: { remember_for: 60 } });
    const challenge = await loginChallenge(browser);
    expect((await getLogin(challenge)).json().skip).toBe(true);
    t.advance(120);
    expect((await getLogin(challenge)).statusCode).toBe(410);
  });

  it('leaves other people’s requests, and requests that reuse no session, alone', async () => {
    const leaving = person();
    const staying = person();
    const gone = await signedInWithOpenRequests(leaving);
    const kept = new Browser(t.publicApp);
    await runFlow(t, { client, browser: kept, subject: staying, rememberLogin: true });
    const keptChallenge = await loginChallenge(kept);
    const fresh = await loginChallenge(new Browser(t.publicApp));
    await admin(t, 'DELETE', `/admin/oauth2/auth/sessions/login?subject=${leaving}`);
    await admin(t, 'DELETE', `/admin/oauth2/auth/sessions/login?sid=${gone.sessionId}`);
    expect((await getLogin(keptChallenge)).json()).toMatchObject({ skip: true, subject: staying });
    expect((await getLogin(fresh)).json()).toMatchObject({ skip: false });
    expect((await acceptLogin(fresh, leaving)).statusCode).toBe(200);
    // Signing in again after the sign-out works: a new request, a new session, a code.
    const again = await runFlow(t, { client, browser: gone.browser, subject: leaving });
    expect(again.query.get('code')).toBeTruthy();
  });
});

describe('remember_for is bounded by TTL_LOGIN_SESSION', () => {
  /** The session cookie's Max-Age and the stored session's life, after a login accepted with `loginAccept`. */
  async function rememberedFor(loginAccept: Record<string, unknown>) {
    const browser = new Browser(t.publicApp);
    const subject = person();
    const challenge = await loginChallenge(browser);
    const accepted = await admin(t, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${challenge}`, {
      subject,
      remember: true,
      ...loginAccept,
    });
    expect(accepted.statusCode).toBe(200);
    const before = t.gh.now();
    const afterLogin = await browser.get(accepted.json().redirect_to);
    expect(afterLogin.statusCode).toBe(303);
    const cookie = (afterLogin.cookies as { name: string; maxAge?: number }[]).find((c) => c.name === 'gatehouse_session');
    const [session] = await t.gh.login.sessions.list(subject);
    if (!session) throw new Error('no session was stored');
    return { maxAge: cookie?.maxAge, storedFor: Math.round((session.expires_at.getTime() - before) / 1000) };
  }

  it('caps a longer remember_for at TTL_LOGIN_SESSION, for the cookie and the stored session', async () => {
    const ttl = t.gh.config.loginSessionTtl;
    const { maxAge, storedFor } = await rememberedFor({ remember_for: 34_560_000 });
    expect(maxAge).toBe(ttl);
    expect(storedFor).toBeLessThanOrEqual(ttl + 1);
    expect(storedFor).toBeGreaterThan(ttl - 60);
  });

  it('keeps a shorter remember_for as asked', async () => {
    const { maxAge, storedFor } = await rememberedFor({ remember_for: 3600 });
    expect(maxAge).toBe(3600);
    expect(Math.abs(storedFor - 3600)).toBeLessThanOrEqual(1);
  });

  it('says so in the admin API’s OpenAPI document', async () => {
    const openapi = (await admin(t, 'GET', '/admin/openapi.json')).json();
    const body = openapi.paths['/admin/oauth2/auth/requests/login/accept'].put.requestBody.content['application/json'].schema;
    expect(body.properties.remember_for.description).toMatch(/Capped at TTL_LOGIN_SESSION/);
  });
});
