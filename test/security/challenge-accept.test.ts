/**
 * Accepting login and consent requests on the admin API: the happy path is one statement
 * whose WHERE carries every check on the flow, so these tests pin each refusal, its error
 * and its precedence, and that a refused accept leaves the request acceptable.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientJson } from '../../src/clients/clients.js';
import { systemActor } from '../../src/events/actor.js';
import type { ConsentAcceptBody } from '../../src/flows/consent-requests.js';
import type { LoginAcceptBody } from '../../src/flows/login-requests.js';
import { OAuthError } from '../../src/oauth/errors.js';
import { admin, Browser, createClient, runFlow } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { loginChallengeIn } from './helpers.js';

let t: TestGatehouse;
let client: ClientJson;
beforeAll(async () => {
  t = await startGatehouse();
  client = await createClient(t);
});
afterAll(() => t?.close());

/** A fresh login challenge, in a browser of its own unless one is given. */
const loginChallenge = (browser = new Browser(t.publicApp)) => loginChallengeIn(browser, client);

const acceptLogin = (challenge: string, body: Record<string, unknown>) =>
  admin(t, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${encodeURIComponent(challenge)}`, body);

describe('login accept', () => {
  it('keeps a remembered session to its own subject, and the request stays acceptable after the refusal', async () => {
    const browser = new Browser(t.publicApp);
    await runFlow(t, { client, browser, subject: 'remembered-person', rememberLogin: true });
    const challenge = await loginChallenge(browser);
    expect((await admin(t, 'GET', `/admin/oauth2/auth/requests/login?login_challenge=${challenge}`)).json()).toMatchObject({
      skip: true,
      subject: 'remembered-person',
    });
    const switched = await acceptLogin(challenge, { subject: 'someone-else' });
    expect(switched.statusCode).toBe(400);
    expect(switched.json().error_description).toBe('Field "subject" does not match the subject of the previous authentication.');
    const same = await acceptLogin(challenge, { subject: 'remembered-person' });
    expect(same.statusCode).toBe(200);
  });

  // The admin API's schema refuses most of these first; the built-in login app calls the
  // service directly, so the service must refuse them too, with its own words.
  it.each([
    [{ subject: '' }, 'subject must be a non-empty string of at most 255 characters.'],
    [{ subject: 'p', remember_for: -1 }, 'remember_for must be a whole number of seconds from 0 to 2147483647.'],
    [{ subject: 'p', remember_for: 1.5 }, 'remember_for must be a whole number of seconds from 0 to 2147483647.'],
    [{ subject: 'p', amr: 'pwd' }, 'amr must be an array of strings.'],
    [{ subject: 'p', acr: 3 }, 'acr must be a string.'],
    [{ subject: 'p', context: [] }, 'context must be an object.'],
    [{ subject: 'p', context: { big: 'x'.repeat(17 * 1024) } }, 'context is larger than 16 KiB.'],
  ])('refuses a bad body (%#) with a clear message, and accepts a good one after', async (body, message) => {
    const challenge = await loginChallenge();
    const refused = await t.gh.loginRequests
      .accept(systemActor(), challenge, body as unknown as LoginAcceptBody)
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(OAuthError);
    expect(refused).toMatchObject({ error: 'invalid_request', description: message });
    expect((await acceptLogin(challenge, { subject: 'p' })).statusCode).toBe(200);
  });

  it('answers an unknown or expired challenge with 404 before looking at the body', async () => {
    const unknown = await t.gh.loginRequests
      .accept(systemActor(), 'no-such-challenge', { subject: '' })
      .catch((err: unknown) => err);
    expect(unknown).toMatchObject({ error: 'not_found', status: 404 });
    const challenge = await loginChallenge();
    t.advance(31 * 60);
    const expired = await acceptLogin(challenge, { subject: 'p' });
    expect(expired.statusCode).toBe(404);
    expect(expired.json().error).toBe('not_found');
    const missing = await admin(t, 'PUT', '/admin/oauth2/auth/requests/login/accept', { subject: 'p' });
    expect(missing.statusCode).toBe(400);
  });

  it('accepts once: a second accept, or many at once, get 410', async () => {
    const challenge = await loginChallenge();
    const answers = await Promise.all(Array.from({ length: 6 }, () => acceptLogin(challenge, { subject: 'p' })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 410, 410, 410, 410, 410]);
    expect((await acceptLogin(challenge, { subject: 'p' })).statusCode).toBe(410);
  });

  it('accepts different requests at once, each with its own answers (they share one statement)', async () => {
    const browsers = Array.from({ length: 5 }, () => new Browser(t.publicApp));
    const challenges = await Promise.all(browsers.map((browser) => loginChallenge(browser)));
    const answers = await Promise.all(challenges.map((challenge, i) => acceptLogin(challenge, { subject: `person-${i}` })));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    for (const [i, answer] of answers.entries()) {
      const afterLogin = await (browsers[i] as Browser).get(answer.json().redirect_to);
      const consent = new URL(afterLogin.headers.location as string).searchParams.get('consent_challenge') as string;
      const request = await admin(t, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${consent}`);
      expect(request.json().subject).toBe(`person-${i}`);
    }
  });
});

/** A fresh consent challenge: a flow whose login was accepted, in a browser of its own. */
async function consentChallenge(scope = 'openid offline_access'): Promise<string> {
  const browser = new Browser(t.publicApp);
  const query = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: client.redirect_uris[0] as string,
    scope,
    state: 'state-123456',
  });
  const started = await browser.get(`/oauth2/auth?${query}`);
  const login = new URL(started.headers.location as string).searchParams.get('login_challenge') as string;
  const accepted = await acceptLogin(login, { subject: 'consenting-person' });
  const afterLogin = await browser.get(accepted.json().redirect_to);
  return new URL(afterLogin.headers.location as string).searchParams.get('consent_challenge') as string;
}

const acceptConsent = (challenge: string, body: Record<string, unknown>) =>
  admin(t, 'PUT', `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${encodeURIComponent(challenge)}`, body);

describe('consent accept', () => {
  it('grants nothing that was not requested, and the request stays acceptable after the refusal', async () => {
    const challenge = await consentChallenge('openid');
    const wider = await acceptConsent(challenge, { grant_scope: ['openid', 'offline_access'] });
    expect(wider.statusCode).toBe(400);
    expect(wider.json().error_description).toBe('grant_scope "offline_access" was not requested.');
    const audience = await acceptConsent(challenge, {
      grant_scope: ['openid'],
      grant_access_token_audience: ['https://api.example'],
    });
    expect(audience.statusCode).toBe(400);
    expect(audience.json().error_description).toBe('grant_access_token_audience was not requested.');
    // Granting less than was asked, or nothing at all, is the person's right.
    expect((await acceptConsent(challenge, { grant_scope: [] })).statusCode).toBe(200);
    const narrower = await consentChallenge('openid offline_access');
    expect((await acceptConsent(narrower, { grant_scope: ['openid'] })).statusCode).toBe(200);
  });

  it.each([
    [{ grant_scope: 'openid' }, 'grant_scope must be an array of strings.'],
    [{ grant_scope: ['openid'], remember_for: -5 }, 'remember_for must be a whole number of seconds from 0 to 2147483647.'],
    [{ grant_scope: ['openid'], session: { id_token: [] } }, 'session.id_token must be an object.'],
    [
      { grant_scope: ['openid'], session: { access_token: { big: 'x'.repeat(17 * 1024) } } },
      'session.access_token is larger than 16 KiB.',
    ],
  ])('refuses a bad body (%#) with a clear message, and accepts a good one after', async (body, message) => {
    const challenge = await consentChallenge();
    const refused = await t.gh.consentRequests
      .accept(systemActor(), challenge, body as unknown as ConsentAcceptBody)
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(OAuthError);
    expect(refused).toMatchObject({ error: 'invalid_request', description: message });
    expect((await acceptConsent(challenge, { grant_scope: ['openid'] })).statusCode).toBe(200);
  });

  it('answers an unknown or expired challenge with 404 before looking at the body', async () => {
    const unknown = await t.gh.consentRequests
      .accept(systemActor(), 'no-such-challenge', { grant_scope: 'x' } as unknown as ConsentAcceptBody)
      .catch((err: unknown) => err);
    expect(unknown).toMatchObject({ error: 'not_found', status: 404 });
    const challenge = await consentChallenge();
    t.advance(31 * 60);
    const expired = await acceptConsent(challenge, { grant_scope: ['openid'] });
    expect(expired.statusCode).toBe(404);
  });

  it('accepts once: a second accept, or many at once, get 410', async () => {
    const challenge = await consentChallenge();
    const answers = await Promise.all(Array.from({ length: 6 }, () => acceptConsent(challenge, { grant_scope: ['openid'] })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 410, 410, 410, 410, 410]);
    expect((await acceptConsent(challenge, { grant_scope: ['openid'] })).statusCode).toBe(410);
  });

  it('accepts different requests at once; one granting too much is refused alone', async () => {
    const challenges = await Promise.all(Array.from({ length: 4 }, () => consentChallenge()));
    const bodies: Record<string, unknown>[] = [
      { grant_scope: ['openid'] },
      { grant_scope: ['openid', 'admin'] },
      { grant_scope: ['offline_access'] },
      {},
    ];
    const answers = await Promise.all(challenges.map((challenge, i) => acceptConsent(challenge, bodies[i] ?? {})));
    expect(answers.map((a) => a.statusCode)).toEqual([200, 400, 200, 200]);
    // The refused one is still waiting, and takes a proper answer afterwards.
    expect((await acceptConsent(challenges[1] as string, { grant_scope: ['openid'] })).statusCode).toBe(200);
  });
});
