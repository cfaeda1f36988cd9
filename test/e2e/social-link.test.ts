/**
 * Linking GitHub, Discord, X and Telegram from the account page, end to end: a person signed in
 * through the login app, the browser's cookie jar, real HTTP to local stand-ins that answer as
 * the providers do, and a second Gatehouse as an upstream OpenID Connect provider.
 */
import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorAvailable } from '../../src/connectors/connectors.js';
import { admin, Browser, createClient, runFlow, token } from '../support/flow.js';
import { freePort, startGatehouse, type TestGatehouse } from '../support/harness.js';
import { type SocialProvider, startSocialProvider } from '../support/social-stand-ins.js';
import { codeIn } from '../support/stand-ins.js';

const BOT_TOKEN = '7012345678:AAHc9wq0-test-bot-token-for-gatehouse';
const DOWNSTREAM = 'http://127.0.0.1:4444';
const callbackOf = (kind: string) => `${DOWNSTREAM}/ui/account/identities/${kind}/callback`;
const location = (response: { headers: Record<string, unknown> }) => response.headers.location as string;
const pathOf = (url: URL | string) => {
  const u = new URL(url, DOWNSTREAM);
  return u.pathname + u.search;
};

let t: TestGatehouse;
let github: SocialProvider;
let discord: SocialProvider;
let twitter: SocialProvider;
let seq = 0;

beforeAll(async () => {
  github = await startSocialProvider('github', { redirectUris: [callbackOf('github')] });
  discord = await startSocialProvider('discord', { redirectUris: [callbackOf('discord')] });
  twitter = await startSocialProvider('twitter', { redirectUris: [callbackOf('twitter')] });
  t = await startGatehouse({
    env: {
      CAPTCHA: 'none',
      ...github.env(),
      ...discord.env(),
      ...twitter.env(),
      CONNECTOR_TIMEOUT: '3s',
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_BOT_USERNAME: 'GatehouseTestBot',
    },
  });
});
afterAll(async () => {
  await t?.close();
  await Promise.all([github?.close(), discord?.close(), twitter?.close()]);
});

/** Registers a new person through the login app; returns their browser (signed in) and account id. */
async function person(gatehouse: TestGatehouse = t) {
  const browser = new Browser(gatehouse.publicApp);
  const email = `linker${++seq}.${Date.now()}@example.com`;
  await browser.get('/ui/login');
  const sent = await browser.post('/ui/register', { method: 'email', email, remember: '1' });
  expect(sent.statusCode).toBe(303);
  await browser.get(location(sent));
  const outbox = await gatehouse.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(email)}`);
  const verified = await browser.post('/ui/code', { code: codeIn(outbox.json().messages[0].text) });
  expect(location(verified)).toBe('/ui/account');
  const account = await gatehouse.gh.login.accounts.findByEmail(email);
  if (!account) throw new Error('no account');
  return { browser, accountId: account.id };
}

/** Account page → provider (as `as`, or saying no) → the callback, as the browser sees it. */
async function linkThrough(provider: SocialProvider, browser: Browser, as: string | undefined, start = '') {
  const started = await browser.get(`/ui/account/identities/${provider.flavor}${start}`);
  expect(started.statusCode).toBe(303);
  const back = await provider.authorize(location(started), as);
  return browser.get(pathOf(back));
}

const linked = async (accountId: string, kind: string, gatehouse = t) =>
  (await gatehouse.gh.identities.list(accountId)).find((i) => i.kind === kind);

describe('GitHub, Discord and X through the connector', () => {
  it('links a GitHub account with state, PKCE S256 and the exact callback, and an application reads it', async () => {
    const { browser, accountId } = await person();
    github.setUser({ id: '583231', username: 'octocat', name: 'The Octocat' });

    const started = await browser.get('/ui/account/identities/github');
    expect(started.statusCode).toBe(303);
    const authorize = new URL(location(started));
    expect(authorize.origin + authorize.pathname).toBe(`${github.base}/login/oauth/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: github.clientId,
      redirect_uri: callbackOf('github'),
      response_type: 'code',
      scope: 'read:user',
      code_challenge_method: 'S256',
    });
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{32,}$/);
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    // The attempt is kept on the linking paths only, HttpOnly, and unreadable to the browser.
    const cookie = String(started.headers['set-cookie']);
    expect(cookie).toMatch(/gatehouse_link_github=v1\./);
    expect(cookie).toMatch(/Path=\/ui\/account\/identities\/github/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);

    const back = await github.authorize(authorize.href, '583231');
    const done = await browser.get(pathOf(back));
    expect(done.statusCode).toBe(303);
    expect(location(done)).toBe('/ui/account?done=linked');
    expect(await linked(accountId, 'github')).toMatchObject({ external_id: '583231', display_name: 'octocat' });
    expect(browser.jar.has('gatehouse_link_github')).toBe(false);

    // GitHub's token endpoint: client secret in the body, JSON asked for, the PKCE verifier sent.
    const exchange = github.tokenRequests.at(-1);
    expect(exchange?.accept).toContain('application/json');
    expect(exchange?.form.get('client_secret')).toBe(github.clientSecret);
    expect(exchange?.form.get('redirect_uri')).toBe(callbackOf('github'));
    expect(
      createHash('sha256')
        .update(exchange?.form.get('code_verifier') ?? '')
        .digest('base64url'),
    ).toBe(authorize.searchParams.get('code_challenge'));

    // An application granted Github reads it from the Galxe-style user API.
    const client = await createClient(t, { scope: 'openid Github Email' });
    const { query } = await runFlow(t, { client, subject: accountId, scope: 'openid Github' });
    const tokens = (
      await token(
        t,
        { grant_type: 'authorization_code', code: query.get('code') as string, redirect_uri: client.redirect_uris[0] as string },
        { basic: [client.client_id, client.client_secret] },
      )
    ).json();
    const user = await t.publicApp.inject({
      url: '/oauth/api/2/user',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(user.json()).toMatchObject({ GithubUsername: 'octocat', GithubUserID: '583231' });
  });

  it('refreshes a renamed username when the person links the same account again, and audits each link as the account', async () => {
    const { browser, accountId } = await person();
    github.setUser({ id: '9919', username: 'ada-old', name: 'Ada' });
    await linkThrough(github, browser, '9919');
    expect((await linked(accountId, 'github'))?.display_name).toBe('ada-old');

    github.setUser({ id: '9919', username: 'ada-new', name: 'Ada' });
    const again = await linkThrough(github, browser, '9919');
    expect(location(again)).toBe('/ui/account?done=linked');
    const identity = await linked(accountId, 'github');
    expect(identity).toMatchObject({ external_id: '9919', display_name: 'ada-new' });
    expect((await t.gh.identities.list(accountId)).filter((i) => i.kind === 'github')).toHaveLength(1);

    const entries = await t.gh.audit.list({ limit: 10, action: 'identity.linked', targetId: accountId });
    expect(entries.map((e) => e.details.name)).toEqual(['ada-new', 'ada-old']);
    for (const entry of entries) {
      expect(entry.actor).toMatchObject({ type: 'account', id: accountId });
      expect(entry.details.kind).toBe('github');
    }
  });

  it('links a Discord account (its iss checked, Basic client authentication, global_name kept as detail)', async () => {
    const { browser, accountId } = await person();
    discord.setUser({ id: '80351110224678912', username: 'nelly', name: 'Nelly' });
    const done = await linkThrough(discord, browser, '80351110224678912');
    expect(location(done)).toBe('/ui/account?done=linked');
    const identity = await linked(accountId, 'discord');
    expect(identity).toMatchObject({ external_id: '80351110224678912', display_name: 'nelly' });
    expect(identity?.details).toMatchObject({ name: 'Nelly' });
    expect(discord.authorizeRequests.at(-1)?.get('scope')).toBe('identify');
    expect(discord.tokenRequests.at(-1)?.authorization).toBe(
      `Basic ${Buffer.from(`${discord.clientId}:${discord.clientSecret}`).toString('base64')}`,
    );
  });

  it('links an X account with Basic client authentication and the users.read scope', async () => {
    const { browser, accountId } = await person();
    twitter.setUser({ id: '2244994945', username: 'TwitterDev', name: 'X Dev' });
    const done = await linkThrough(twitter, browser, '2244994945');
    expect(location(done)).toBe('/ui/account?done=linked');
    expect(await linked(accountId, 'twitter')).toMatchObject({ external_id: '2244994945', display_name: 'TwitterDev' });
    expect(twitter.authorizeRequests.at(-1)?.get('scope')).toBe('users.read tweet.read');
    // Base64 of id:secret as X documents it (not form-encoded first: X would refuse %2D).
    expect(twitter.tokenRequests.at(-1)?.authorization).toBe(
      `Basic ${Buffer.from(`${twitter.clientId}:${twitter.clientSecret}`).toString('base64')}`,
    );
    expect(twitter.tokenRequests.at(-1)?.form.get('client_secret')).toBeNull();
  });

  it('returns to a same-site return_to after linking, and ignores one that could leave the site', async () => {
    const { browser } = await person();
    github.setUser({ id: '7001', username: 'returner', name: 'R' });
    const consent = '/ui/consent?consent_challenge=abc';
    const back = await linkThrough(github, browser, '7001', `?return_to=${encodeURIComponent(consent)}`);
    expect(location(back)).toBe(consent);
    for (const bad of ['//evil.example/ui/x', 'https://evil.example/ui/', '/ui/\\evil', '/elsewhere']) {
      const again = await linkThrough(github, browser, '7001', `?return_to=${encodeURIComponent(bad)}`);
      expect(location(again)).toBe('/ui/account?done=linked');
    }
  });

  it('refuses an account that is already linked to another Gatehouse account, with a page and a way back', async () => {
    const first = await person();
    const second = await person();
    discord.setUser({ id: '555000111', username: 'shared', name: 'Shared' });
    await linkThrough(discord, first.browser, '555000111');
    const refused = await linkThrough(discord, second.browser, '555000111');
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toContain('text/html');
    expect(refused.body).toContain('This Discord account is already linked to another Gatehouse account.');
    expect(refused.body).toContain('href="/ui/account"');
    expect(refused.body).toContain('Back to your account');
    expect(await linked(second.accountId, 'discord')).toBeUndefined();
    expect((await linked(first.accountId, 'discord'))?.external_id).toBe('555000111');
  });

  it('shows a page when the person says no at the provider, and goes back to the request they came from', async () => {
    const { browser, accountId } = await person();
    const denied = await linkThrough(github, browser, undefined);
    expect(denied.statusCode).toBe(403);
    expect(denied.body).toContain('You did not allow Gatehouse to see your GitHub account');
    expect(denied.body).toContain('access_denied');
    expect(denied.body).toContain('Try again');
    expect(await linked(accountId, 'github')).toBeUndefined();

    const consent = '/ui/consent?consent_challenge=xyz';
    const back = await linkThrough(discord, browser, undefined, `?return_to=${encodeURIComponent(consent)}`);
    expect(back.statusCode).toBe(303);
    expect(location(back)).toBe(consent);
  });

  it('refuses a callback whose state does not match, one without the attempt cookie, and a replayed one', async () => {
    const { browser, accountId } = await person();
    twitter.setUser({ id: '31337', username: 'stately', name: 'S' });
    const started = await browser.get('/ui/account/identities/twitter');
    const back = await twitter.authorize(location(started), '31337');

    // Another browser (no attempt cookie) with a real code.
    const stranger = await person();
    const noCookie = await stranger.browser.get(pathOf(back));
    expect(noCookie.statusCode).toBe(400);
    expect(noCookie.body).toContain('This linking attempt has expired, or was started in another browser');

    const forged = new URL(back);
    forged.searchParams.set('state', 'not-the-state-we-sent');
    const mismatch = await browser.get(pathOf(forged));
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('invalid_state');
    expect(mismatch.body).toContain('does not belong to the linking you started');
    // The attempt is spent: the genuine callback afterwards finds nothing to continue.
    const replay = await browser.get(pathOf(back));
    expect(replay.statusCode).toBe(400);
    expect(await linked(accountId, 'twitter')).toBeUndefined();
    expect(await linked(stranger.accountId, 'twitter')).toBeUndefined();
  });

  it('answers bad input with a page, never a 500: a tampered attempt cookie, repeated or malformed parameters', async () => {
    const { browser, accountId } = await person();
    github.setUser({ id: '6006', username: 'tamper', name: 'T' });
    const started = await browser.get('/ui/account/identities/github');
    const back = await github.authorize(location(started), '6006');
    const cookie = browser.jar.get('gatehouse_link_github');
    if (!cookie) throw new Error('no attempt cookie');
    browser.jar.set('gatehouse_link_github', { ...cookie, value: cookie.value.replace(/\.[^.]{4}/, '.AAAA') });
    const tampered = await browser.get(pathOf(back));
    expect(tampered.statusCode).toBe(400);
    expect(tampered.body).toContain('This linking attempt has expired');

    for (const path of [
      '/ui/account/identities/github?return_to=/ui/a&return_to=/ui/b',
      '/ui/account/identities/github/callback?code=%E0%A4%A&state=%',
      '/ui/account/identities/github/callback?code=a&code=b&state=c',
      `/ui/account/identities/telegram/callback?id=1&id=2&hash=${'0'.repeat(64)}`,
    ]) {
      // Each callback meets a live attempt, so what is checked is the input itself.
      await browser.get(path.replace(/\/callback\?.*$/, ''));
      const response = await browser.get(path);
      expect(response.statusCode, path).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, path).toBeLessThan(500);
      expect(response.headers['content-type'], path).toContain('text/html');
    }
    expect(await linked(accountId, 'github')).toBeUndefined();
  });

  it('refuses an attempt that has gone stale', async () => {
    const { browser, accountId } = await person();
    github.setUser({ id: '4040', username: 'slowpoke', name: 'S' });
    const started = await browser.get('/ui/account/identities/github');
    const back = await github.authorize(location(started), '4040');
    t.advance(16 * 60);
    const late = await browser.get(pathOf(back));
    expect(late.statusCode).toBe(400);
    expect(late.body).toContain('expired');
    expect(await linked(accountId, 'github')).toBeUndefined();
  });

  it('explains a failed code exchange (Discord invalid_grant, GitHub bad_verification_code sent with 200)', async () => {
    const { browser, accountId } = await person();
    for (const provider of [discord, github]) {
      provider.setUser({ id: '1212', username: 'unlucky', name: 'U' });
      const started = await browser.get(`/ui/account/identities/${provider.flavor}`);
      const back = await provider.authorize(location(started), '1212');
      provider.expireCodes();
      const failed = await browser.get(pathOf(back));
      expect(failed.statusCode).toBe(502);
      expect(failed.body).toContain('did not accept this sign-in');
      expect(failed.body).toContain('token_failed');
      expect(failed.body).not.toMatch(/bad_verification_code|invalid_grant|at \w+ \(/);
    }
    expect(await t.gh.identities.list(accountId)).toEqual([]);
  });

  it('explains a user API that refuses the token, fails, or never answers', async () => {
    const { browser, accountId } = await person();
    twitter.setUser({ id: '8080', username: 'flaky', name: 'F' });
    try {
      for (const fault of ['unauthorized', 'error'] as const) {
        twitter.state.userApiFault = fault;
        const failed = await linkThrough(twitter, browser, '8080');
        expect(failed.statusCode).toBe(502);
        expect(failed.body).toContain('X (Twitter) did not tell Gatehouse who you are');
        expect(failed.body).toContain('user_failed');
      }
      twitter.state.userApiFault = 'hang';
      const timedOut = await linkThrough(twitter, browser, '8080');
      expect(timedOut.statusCode).toBe(504);
      expect(timedOut.body).toContain('did not answer in time');
    } finally {
      twitter.state.userApiFault = undefined;
    }
    expect(await linked(accountId, 'twitter')).toBeUndefined();
  });

  it('sends a visitor who is not signed in to sign in first', async () => {
    const visitor = new Browser(t.publicApp);
    for (const path of ['/ui/account/identities/github', '/ui/account/identities/github/callback?code=x&state=y']) {
      const response = await visitor.get(path);
      expect(response.statusCode).toBe(303);
      expect(location(response)).toBe('/ui/login');
    }
  });
});

describe('another Gatehouse as an upstream OpenID Connect provider', () => {
  let upstream: TestGatehouse;
  let downstream: TestGatehouse;
  let upstreamClient: Awaited<ReturnType<typeof createClient>>;

  beforeAll(async () => {
    upstream = await startGatehouse({ listen: true });
    upstreamClient = await createClient(upstream, {
      client_name: 'Downstream Gatehouse',
      redirect_uris: [callbackOf('github')],
      scope: 'openid profile email',
      token_endpoint_auth_method: 'client_secret_basic',
    });
    downstream = await startGatehouse({
      env: {
        CAPTCHA: 'none',
        CONNECTOR_GITHUB_CLIENT_ID: upstreamClient.client_id,
        CONNECTOR_GITHUB_CLIENT_SECRET: upstreamClient.client_secret,
        CONNECTOR_GITHUB_ISSUER: upstream.issuer,
      },
    });
  });
  afterAll(async () => {
    await downstream?.close();
    await upstream?.close();
  });

  /** The upstream's side of the detour: its login and consent accepted as a Hydra-style app would. */
  async function upstreamSignIn(authorizationUrl: string, subject: string, idToken: Record<string, unknown>) {
    const browser = new Browser(upstream.publicApp);
    const toLogin = await browser.get(pathOf(authorizationUrl));
    expect(toLogin.statusCode).toBe(303);
    const loginChallenge = new URL(location(toLogin)).searchParams.get('login_challenge');
    const login = await admin(upstream, 'PUT', `/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`, {
      subject,
    });
    const toConsent = await browser.get(pathOf(login.json().redirect_to));
    const consentChallenge = new URL(location(toConsent)).searchParams.get('consent_challenge');
    const consentRequest = (
      await admin(upstream, 'GET', `/admin/oauth2/auth/requests/consent?consent_challenge=${consentChallenge}`)
    ).json();
    const consent = await admin(
      upstream,
      'PUT',
      `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consentChallenge}`,
      {
        grant_scope: consentRequest.requested_scope,
        session: { id_token: idToken },
      },
    );
    const toCallback = await browser.get(pathOf(consent.json().redirect_to));
    expect(toCallback.statusCode).toBe(303);
    return new URL(location(toCallback));
  }

  it('links through discovery, a nonce-bound ID token and userinfo: sub as the id, preferred_username as the name', async () => {
    const { browser, accountId } = await person(downstream);
    const started = await browser.get('/ui/account/identities/github');
    expect(started.statusCode).toBe(303);
    const authorize = new URL(location(started));
    expect(authorize.origin).toBe(upstream.issuer);
    expect(authorize.pathname).toBe('/oauth2/auth');
    expect(authorize.searchParams.get('scope')).toBe('openid profile email');
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');

    const back = await upstreamSignIn(authorize.href, 'upstream-ada', { preferred_username: 'ada-upstream' });
    expect(back.origin + back.pathname).toBe(callbackOf('github'));
    expect(back.searchParams.get('iss')).toBe(upstream.issuer);
    const done = await browser.get(pathOf(back));
    expect(location(done)).toBe('/ui/account?done=linked');
    const identity = await linked(accountId, 'github', downstream);
    expect(identity).toMatchObject({ external_id: 'upstream-ada', display_name: 'ada-upstream' });
    expect(identity?.details).toMatchObject({ issuer: upstream.issuer });
  });

  it('names the person by name when the provider releases no preferred_username', async () => {
    const { browser, accountId } = await person(downstream);
    const started = await browser.get('/ui/account/identities/github');
    const back = await upstreamSignIn(location(started), 'upstream-grace', { name: 'Grace Hopper' });
    await browser.get(pathOf(back));
    expect(await linked(accountId, 'github', downstream)).toMatchObject({
      external_id: 'upstream-grace',
      display_name: 'Grace Hopper',
    });
  });

  it('shows "not available" for a connector that is not configured', async () => {
    const { browser } = await person(downstream);
    const page = await browser.get('/ui/account/identities/discord');
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Linking a Discord account is not available on this server.');
    expect(page.body).toContain('Back to your account');
    expect((await browser.get('/ui/account/identities/telegram')).statusCode).toBe(404);
    expect(connectorAvailable(downstream.gh, 'github')).toBe(true);
    expect(connectorAvailable(downstream.gh, 'discord')).toBe(false);
    expect(connectorAvailable(downstream.gh.config, 'telegram')).toBe(false);
    expect(connectorAvailable(t.gh, 'telegram')).toBe(true);
    expect(connectorAvailable(t.gh, 'evm')).toBe(false);
  });
});

describe('an upstream that cannot be reached', () => {
  let offline: TestGatehouse;
  beforeAll(async () => {
    offline = await startGatehouse({
      env: {
        CAPTCHA: 'none',
        CONNECTOR_GITHUB_CLIENT_ID: 'x',
        // A port that was just free: the connection is refused at once.
        CONNECTOR_GITHUB_ISSUER: `http://127.0.0.1:${await freePort()}`,
      },
    });
  });
  afterAll(() => offline?.close());

  it('explains that the provider cannot be reached', async () => {
    const { browser } = await person(offline);
    const page = await browser.get('/ui/account/identities/github');
    expect(page.statusCode).toBe(504);
    expect(page.body).toContain('GitHub cannot be reached right now');
    expect(page.body).toContain('Back to your account');
  });
});

describe('Telegram Login Widget', () => {
  /** What Telegram's widget sends to data-auth-url, signed as Telegram signs it. */
  function signed(fields: Record<string, string>, botToken = BOT_TOKEN) {
    const checkString = Object.keys(fields)
      .sort()
      .map((k) => `${k}=${fields[k]}`)
      .join('\n');
    const hash = createHmac('sha256', createHash('sha256').update(botToken).digest()).update(checkString).digest('hex');
    return `/ui/account/identities/telegram/callback?${new URLSearchParams({ ...fields, hash })}`;
  }
  const now = () => String(Math.floor(t.gh.now() / 1000));

  it('shows Telegram’s widget under a policy that allows exactly Telegram’s script and frame', async () => {
    const { browser } = await person();
    const page = await browser.get('/ui/account/identities/telegram');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('src="https://telegram.org/js/telegram-widget.js?22"');
    expect(page.body).toContain('data-telegram-login="GatehouseTestBot"');
    expect(page.body).toContain(`data-auth-url="${callbackOf('telegram')}"`);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self' https:\/\/telegram\.org https:\/\/oauth\.telegram\.org/);
    expect(csp).toMatch(/frame-src https:\/\/telegram\.org https:\/\/oauth\.telegram\.org/);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('links a verified Telegram login: id as the identity, username as the name (first name when there is none)', async () => {
    const { browser, accountId } = await person();
    await browser.get('/ui/account/identities/telegram');
    const done = await browser.get(
      signed({
        id: '424242',
        first_name: 'Tele',
        last_name: 'Gram',
        username: 'telegrammer',
        photo_url: 'https://t.me/i/u.jpg',
        auth_date: now(),
      }),
    );
    expect(done.statusCode).toBe(303);
    expect(location(done)).toBe('/ui/account?done=linked');
    expect(await linked(accountId, 'telegram')).toMatchObject({ external_id: '424242', display_name: 'telegrammer' });

    const other = await person();
    await other.browser.get('/ui/account/identities/telegram');
    await other.browser.get(signed({ id: '434343', first_name: 'Nameless', auth_date: now() }));
    expect(await linked(other.accountId, 'telegram')).toMatchObject({ external_id: '434343', display_name: 'Nameless' });
  });

  it('links once with the same signed data: replayed in another account’s own attempt, or again, it is refused', async () => {
    // A fresh hour for the per-address limit on codes: this file registers many people.
    t.advance(3601);
    const fields = { id: '616161', first_name: 'Once', username: 'once_only', auth_date: now() };
    const first = await person();
    await first.browser.get('/ui/account/identities/telegram');
    const done = await first.browser.get(signed(fields));
    expect(location(done)).toBe('/ui/account?done=linked');
    expect(await linked(first.accountId, 'telegram')).toMatchObject({ external_id: '616161' });
    // The owner unlinks; the data that linked it must not link it to anyone again, nor to them.
    await first.browser.get('/ui/account');
    expect(location(await first.browser.post('/ui/account/identities/unlink', { kind: 'telegram' }))).toBe(
      '/ui/account?done=unlinked',
    );

    const second = await person();
    await second.browser.get('/ui/account/identities/telegram');
    const replayed = await second.browser.get(signed(fields));
    expect(replayed.statusCode).toBe(400);
    expect(replayed.body).toContain('This Telegram sign-in was already used');
    expect(replayed.body).toContain('Back to your account');
    expect(await linked(second.accountId, 'telegram')).toBeUndefined();

    await first.browser.get('/ui/account/identities/telegram');
    expect((await first.browser.get(signed(fields))).statusCode).toBe(400);
    expect(await linked(first.accountId, 'telegram')).toBeUndefined();

    // Two browsers presenting the same fresh data at once: one links, the other is refused.
    const racers = [first, second];
    const race = { id: '626262', first_name: 'Race', auth_date: now() };
    await Promise.all(racers.map((r) => r.browser.get('/ui/account/identities/telegram')));
    const answers = await Promise.all(racers.map((r) => r.browser.get(signed(race))));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([303, 400]);

    // The background clean-up forgets spent data once it would be refused as too old anyway.
    const spent = () => t.gh.db.selectFrom('used_telegram_logins').select('hash').execute();
    expect((await spent()).length).toBeGreaterThanOrEqual(2);
    await t.gh.deleteExpired(new Date(t.gh.now() + (t.gh.config.telegramAuthMaxAge - 60) * 1000));
    expect((await spent()).length).toBeGreaterThanOrEqual(2);
    await t.gh.deleteExpired(new Date(t.gh.now() + (t.gh.config.telegramAuthMaxAge + 5) * 1000));
    expect(await spent()).toEqual([]);
  });

  it('refuses a wrong hash, another bot’s signature, stale or future data, and data without the link page first', async () => {
    const { browser, accountId } = await person();
    const fields = { id: '515151', first_name: 'Mallory', username: 'mallory', auth_date: now() };
    const cases: [string, string, number, string][] = [
      ['tampered', signed(fields).replace('username=mallory', 'username=alice'), 400, 'could not be verified'],
      ['other bot', signed(fields, '1111:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 400, 'could not be verified'],
      ['no hash', signed(fields).replace(/&hash=[0-9a-f]+/, ''), 400, 'could not be verified'],
      ['stale', signed({ ...fields, auth_date: String(Number(now()) - 2 * 86400) }), 400, 'too old'],
      ['future', signed({ ...fields, auth_date: String(Number(now()) + 3600) }), 400, 'dated in the future'],
    ];
    for (const [name, url, status, text] of cases) {
      await browser.get('/ui/account/identities/telegram');
      const refused = await browser.get(url);
      expect(refused.statusCode, name).toBe(status);
      expect(refused.body, name).toContain(text);
      expect(refused.body, name).toContain('Back to your account');
    }
    // A genuine login, but this browser never opened the link page.
    const direct = await browser.get(signed(fields));
    expect(direct.statusCode).toBe(400);
    expect(await linked(accountId, 'telegram')).toBeUndefined();
  });
});
