import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, createClient, introspect, token } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { codeIn } from '../support/stand-ins.js';

let t: TestGatehouse;
let client: Awaited<ReturnType<typeof createClient>>;
let seq = 0;
const uniqueEmail = () => `person${++seq}.${Date.now()}@example.com`;

beforeAll(async () => {
  t = await startGatehouse({ env: { CAPTCHA: 'none' } });
  client = await createClient(t, { client_name: 'Dashboard', scope: 'openid offline_access email Email GatehouseID' });
});
afterAll(() => t?.close());

/** The newest code sent to an address, from the dev outbox as an operator sees it. */
async function lastCode(to: string): Promise<string> {
  const response = await t.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(to)}`);
  expect(response.statusCode).toBe(200);
  const [message] = response.json().messages;
  return codeIn(message.text);
}

const location = (response: { headers: Record<string, unknown> }) => response.headers.location as string;

/** Starts an authorization and returns the login page's path. */
async function authorize(browser: Browser, extra: Record<string, string> = {}) {
  const start = await browser.get(
    `/oauth2/auth?${new URLSearchParams({
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: client.redirect_uris[0] as string,
      scope: 'openid offline_access email Email GatehouseID',
      state: 'st4te-value',
      ...extra,
    })}`,
  );
  expect(start.statusCode).toBe(303);
  return location(start);
}

const challengeOf = (path: string) => new URL(path, 'http://x').searchParams.get('login_challenge') as string;

/** Email → code → (consent) → callback; returns the callback URL. */
async function signIn(
  browser: Browser,
  email: string,
  mode: 'login' | 'register',
  options: { consent?: boolean; deliveredTo?: string; rememberedConsent?: boolean } = {},
) {
  const loginPath = await authorize(browser);
  const page = await browser.get(loginPath);
  expect(page.statusCode).toBe(200);
  const challenge = challengeOf(loginPath);
  const sent = await browser.post(`/ui/${mode}`, { login_challenge: challenge, method: 'email', email, remember: '1' });
  expect(sent.statusCode).toBe(303);
  await browser.get(location(sent));
  const verified = await browser.post('/ui/code', {
    login_challenge: challenge,
    code: await lastCode(options.deliveredTo ?? email),
  });
  expect(verified.statusCode).toBe(303);
  let next = await browser.get(location(verified));
  expect(next.statusCode).toBe(303);
  if (new URL(location(next), 'http://x').pathname === '/ui/consent') {
    const consentPath = location(next);
    const consentPage = await browser.get(consentPath);
    if (options.rememberedConsent) {
      expect(consentPage.statusCode).toBe(303);
      next = await browser.get(location(consentPage));
    } else if (options.consent !== false) {
      expect(consentPage.statusCode).toBe(200);
      expect(consentPage.body).toContain('Dashboard wants to access your Gatehouse account');
      expect(consentPage.body).toContain('Your email address');
      const challengeValue = new URL(consentPath, 'http://x').searchParams.get('consent_challenge') as string;
      const decided = await browser.post('/ui/consent', { consent_challenge: challengeValue, decision: 'allow', remember: '1' });
      next = await browser.get(location(decided));
    }
  }
  return new URL(location(next));
}

async function redeem(callback: URL) {
  expect(callback.origin + callback.pathname).toBe(client.redirect_uris[0]);
  expect(callback.searchParams.get('state')).toBe('st4te-value');
  const response = await token(
    t,
    {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') as string,
      redirect_uri: client.redirect_uris[0] as string,
    },
    { basic: [client.client_id, client.client_secret] },
  );
  expect(response.statusCode).toBe(200);
  return response.json();
}

describe('one mailbox, however its domain is spelled', () => {
  // "exаmple.com" with a Cyrillic "а" is the DNS name xn--exmple-4nf.com: one mailbox.
  const spellings = () => {
    const local = `idn${++seq}.${Date.now()}`;
    return { unicode: `${local}@ex\u0430mple.com`, ascii: `${local}@xn--exmple-4nf.com` };
  };
  const subjectOf = async (accessToken: string) =>
    (await t.publicApp.inject({ url: '/userinfo', headers: { authorization: `Bearer ${accessToken}` } })).json();

  it('registering with the Unicode domain and signing in with its A-label reach one account', async () => {
    const { unicode, ascii } = spellings();
    const browser = new Browser(t.publicApp);
    const registered = await redeem(await signIn(browser, unicode, 'register', { deliveredTo: ascii }));
    // Mixed Latin and Cyrillic: the account page shows the A-label, which does not read as example.com.
    const page = await browser.get('/ui/account');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(ascii);
    const signedIn = await redeem(await signIn(new Browser(t.publicApp), ascii, 'login', { rememberedConsent: true }));
    const first = await subjectOf(registered.access_token);
    expect(first.email).toBe(ascii);
    expect((await subjectOf(signedIn.access_token)).sub).toBe(first.sub);
    expect(await t.gh.login.accounts.findByEmail(ascii)).toMatchObject({ id: first.sub });
  });

  it('the two spellings share one limit bucket', async () => {
    const { unicode, ascii } = spellings();
    const browser = new Browser(t.publicApp);
    const loginPath = await authorize(browser);
    await browser.get(loginPath);
    const challenge = challengeOf(loginPath);
    const ask = (email: string) => browser.post('/ui/login', { login_challenge: challenge, method: 'email', email });
    expect((await ask(unicode)).statusCode).toBe(303);
    // The other spelling is the same mailbox: its resend cool-down holds (two mailboxes would not share one).
    const again = await ask(ascii);
    expect(again.statusCode).toBe(429);
    expect(again.body).toContain('A code was sent a moment ago');
    // Another address from the same browser is not held back: the bucket is the mailbox's.
    expect((await ask(uniqueEmail())).statusCode).toBe(303);
  });

  it('refuses a domain that is not a valid IDNA name, on the form, with a message', async () => {
    const browser = new Browser(t.publicApp);
    const loginPath = await authorize(browser);
    await browser.get(loginPath);
    const challenge = challengeOf(loginPath);
    const refused = await browser.post('/ui/login', { login_challenge: challenge, method: 'email', email: 'x@xn--zz.com' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('is not a valid domain name for an email address');
  });
});

describe('registration and sign-in by email', () => {
  it('registers a new person, asks consent, and ends at the callback with a code that redeems', async () => {
    const browser = new Browser(t.publicApp);
    const email = uniqueEmail();
    const tokens = await redeem(await signIn(browser, email, 'register'));
    const info = await t.publicApp.inject({ url: '/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(info.json()).toMatchObject({ email, email_verified: true });
    const user = await t.publicApp.inject({
      url: '/oauth/api/2/user',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(user.json()).toEqual({ Email: email, GatehouseID: info.json().sub });
  });

  it('skips login and consent for a returning person with a remembered session', async () => {
    const browser = new Browser(t.publicApp);
    await redeem(await signIn(browser, uniqueEmail(), 'register'));
    const loginPath = await authorize(browser);
    const confirm = await browser.get(loginPath);
    expect(confirm.statusCode).toBe(303); // the login app confirms the remembered session
    const consent = await browser.get(location(await browser.get(location(confirm))));
    expect(consent.statusCode).toBe(303); // remembered consent
    const callback = new URL(location(await browser.get(location(consent))));
    await redeem(callback);
  });

  it('answers the same whether or not the address has an account, and offers to create one after the code', async () => {
    const browser = new Browser(t.publicApp);
    const loginPath = await authorize(browser);
    await browser.get(loginPath);
    const challenge = challengeOf(loginPath);
    const email = uniqueEmail();
    const unknown = await browser.post('/ui/login', { login_challenge: challenge, method: 'email', email });
    expect(unknown.statusCode).toBe(303);
    expect(location(unknown)).toBe(`/ui/code?login_challenge=${encodeURIComponent(challenge)}`);
    await browser.get(location(unknown));
    const verified = await browser.post('/ui/code', { login_challenge: challenge, code: await lastCode(email) });
    expect(verified.statusCode).toBe(200);
    expect(verified.body).toContain('No account yet');
    const created = await browser.post('/ui/register/confirm', { login_challenge: challenge });
    expect(created.statusCode).toBe(303);
    expect(location(created)).toContain('/oauth2/auth?login_verifier=');
  });
});

describe('codes that fail', () => {
  async function codePage() {
    const browser = new Browser(t.publicApp);
    const loginPath = await authorize(browser);
    await browser.get(loginPath);
    const challenge = challengeOf(loginPath);
    const email = uniqueEmail();
    const sent = await browser.post('/ui/register', { login_challenge: challenge, method: 'email', email });
    await browser.get(location(sent));
    return { browser, challenge, email };
  }

  it('counts down wrong tries, then refuses even the right code', async () => {
    const { browser, challenge, email } = await codePage();
    const right = await lastCode(email);
    const wrong = right === '000000' ? '111111' : '000000';
    const first = await browser.post('/ui/code', { login_challenge: challenge, code: wrong });
    expect(first.statusCode).toBe(400);
    expect(first.body).toContain('That code is not right. 4 tries left.');
    for (let i = 0; i < 4; i++) await browser.post('/ui/code', { login_challenge: challenge, code: wrong });
    const locked = await browser.post('/ui/code', { login_challenge: challenge, code: right });
    expect(locked.statusCode).toBe(400);
    expect(locked.body).toContain('Too many wrong tries');
  });

  it('refuses an expired code', async () => {
    const { browser, challenge, email } = await codePage();
    const code = await lastCode(email);
    t.advance(11 * 60);
    const expired = await browser.post('/ui/code', { login_challenge: challenge, code });
    // Past its life the code is gone: the page starts over, or says it expired.
    expect([303, 400]).toContain(expired.statusCode);
    if (expired.statusCode === 400) expect(expired.body).toContain('expired');
    else expect(location(expired)).toContain('/ui/login');
  });

  it('keeps the code in the browser that asked for it', async () => {
    const { challenge, email } = await codePage();
    const stranger = new Browser(t.publicApp);
    await stranger.get(`/ui/login?login_challenge=${encodeURIComponent(challenge)}`);
    const attempt = await stranger.post('/ui/code', { login_challenge: challenge, code: await lastCode(email) });
    expect(attempt.statusCode).toBe(303);
    expect(location(attempt)).toContain('/ui/login');
  });

  it('keeps what was typed and explains a bad address', async () => {
    const browser = new Browser(t.publicApp);
    const loginPath = await authorize(browser);
    await browser.get(loginPath);
    const bad = await browser.post('/ui/login', {
      login_challenge: challengeOf(loginPath),
      method: 'email',
      email: 'not-an-<email>',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('aria-invalid="true"');
    expect(bad.body).toContain('value="not-an-&lt;email&gt;"');
    expect(bad.body).not.toContain('<email>');
  });
});

describe('forms and challenges', () => {
  it('refuses a post without the CSRF token', async () => {
    const browser = new Browser(t.publicApp);
    const loginPath = await authorize(browser);
    await browser.get(loginPath);
    const forged = await browser.post('/ui/login', {
      _csrf: 'forged',
      login_challenge: challengeOf(loginPath),
      method: 'email',
      email: uniqueEmail(),
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['content-type']).toContain('text/html');
    const none = await new Browser(t.publicApp).post('/ui/login', { method: 'email', email: uniqueEmail() });
    expect(none.statusCode).toBe(403);
  });

  it('shows a clear page for an unknown or used login challenge', async () => {
    const browser = new Browser(t.publicApp);
    const unknown = await browser.get('/ui/login?login_challenge=not-a-real-challenge');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('text/html');
    expect(unknown.body).toContain('does not exist or has expired');
    expect(unknown.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('shows a clear page for an expired consent challenge', async () => {
    const page = await new Browser(t.publicApp).get('/ui/consent?consent_challenge=nope');
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('does not exist or has expired');
  });
});

describe('two-factor authentication and the account page', () => {
  it('enrols TOTP on the account page, then asks for it at sign-in', async () => {
    const browser = new Browser(t.publicApp);
    const email = uniqueEmail();
    await redeem(await signIn(browser, email, 'register'));

    const setup = await browser.get('/ui/account/2fa');
    expect(setup.statusCode).toBe(200);
    const secret = /<code>([A-Z2-7]+)<\/code>/.exec(setup.body)?.[1] as string;
    expect(secret).toBeTruthy();
    const totp = new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' });
    const enrolled = await browser.post('/ui/account/2fa', { secret, code: totp.generate({ timestamp: t.gh.now() }) });
    expect(enrolled.statusCode).toBe(200);
    const recovery = [...enrolled.body.matchAll(/<li>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})<\/li>/g)].map((m) => m[1] as string);
    expect(recovery).toHaveLength(10);

    // A new browser: code, then the authenticator, then the callback.
    const other = new Browser(t.publicApp);
    const loginPath = await authorize(other);
    await other.get(loginPath);
    const challenge = challengeOf(loginPath);
    const sent = await other.post('/ui/login', { login_challenge: challenge, method: 'email', email });
    await other.get(location(sent));
    const verified = await other.post('/ui/code', { login_challenge: challenge, code: await lastCode(email) });
    expect(location(verified)).toBe(`/ui/2fa?login_challenge=${encodeURIComponent(challenge)}`);
    await other.get(location(verified));
    const wrong = await other.post('/ui/2fa', { login_challenge: challenge, kind: 'totp', code: '000000' });
    expect(wrong.statusCode).toBe(400);
    // A recovery code works once.
    const passed = await other.post('/ui/2fa', { login_challenge: challenge, kind: 'recovery', code: recovery[0] as string });
    expect(passed.statusCode).toBe(303);
    expect(location(passed)).toContain('login_verifier=');
    const claims = await other.get(location(passed));
    expect(claims.statusCode).toBe(303);

    // The audit log tells the account's security story, each step by the person it concerns.
    const account = await t.gh.login.accounts.findByEmail(email);
    const story = (await t.adminApp.inject(`/admin/audit?target_type=account&target_id=${account?.id}`)).json();
    const actions = story.map((e: { action: string }) => e.action).reverse();
    expect(actions.filter((a: string) => a.startsWith('account.'))).toEqual([
      'account.created',
      'account.two_factor_enabled',
      'account.two_factor_failed',
      'account.recovery_code_used',
    ]);
    const enabled = story.find((e: { action: string }) => e.action === 'account.two_factor_enabled');
    expect(enabled.actor).toEqual({ type: 'account', id: account?.id });
    expect(story.find((e: { action: string }) => e.action === 'account.recovery_code_used').details).toEqual({
      left: 9,
      purpose: 'sign_in',
    });
  });

  it('revoking an application on the account page makes its refresh token fail', async () => {
    const browser = new Browser(t.publicApp);
    const tokens = await redeem(await signIn(browser, uniqueEmail(), 'register'));
    const account = await browser.get('/ui/account');
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain('Dashboard');
    const revoked = await browser.post('/ui/account/apps/revoke', { client_id: client.client_id });
    expect(revoked.statusCode).toBe(303);
    expect((await introspect(t, tokens.access_token)).active).toBe(false);
    const refresh = await token(
      t,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      { basic: [client.client_id, client.client_secret] },
    );
    expect(refresh.json().error).toBe('invalid_grant');
  });

  it('sends a visitor without a session to sign in, and signs in directly to the account page', async () => {
    const browser = new Browser(t.publicApp);
    const away = await browser.get('/ui/account');
    expect(away.statusCode).toBe(303);
    expect(location(away)).toBe('/ui/login');
    await browser.get('/ui/login');
    const email = uniqueEmail();
    const sent = await browser.post('/ui/register', { method: 'email', email, remember: '1' });
    await browser.get(location(sent));
    const verified = await browser.post('/ui/code', { code: await lastCode(email) });
    expect(location(verified)).toBe('/ui/account');
    const page = await browser.get('/ui/account');
    expect(page.body).toContain(email);
    const signedOut = await browser.post('/ui/account/signout', {});
    expect(signedOut.body).toContain('You are signed out');
    expect((await browser.get('/ui/account')).statusCode).toBe(303);
  });
});
