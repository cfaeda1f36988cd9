/**
 * Issue 28: the log keeps no secrets. A whole Gatehouse logging at info into a captured pino
 * logger (the options the server uses), driven through real flows that carry every secret in a
 * URL: the flow's challenges and verifiers, an authorization code, an ID token hint, the
 * developer portal's and the connectors' callbacks, the Telegram widget's signed data, and the
 * Authorization and Cookie headers. No value may appear in any line.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_PARAMETERS } from '../../src/http/log-redaction.js';
import { buildPublicApp } from '../../src/http/server.js';
import { capturedLogs } from '../support/captured-logs.js';
import { admin, createClient } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { REDIRECT, redeem, steps } from './helpers.js';

const BOT_TOKEN = '7012345678:AAHc9wq0-test-bot-token-for-log-secrets';
const captured = capturedLogs('info');
let t: TestGatehouse;

/** Every secret value the requests carried; none may be found in the log. */
const secrets = new Map<string, string>();
const keep = (name: string, value: string | null | undefined) => {
  expect(value, name).toBeTruthy();
  secrets.set(name, value as string);
  return value as string;
};
const random = () => randomBytes(18).toString('base64url');

beforeAll(async () => {
  t = await startGatehouse({
    logger: captured.logger,
    env: { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_BOT_USERNAME: 'GatehouseTestBot', CAPTCHA: 'none' },
  });
});
afterAll(async () => {
  await t?.close();
});

function telegramCallback(fields: Record<string, string>) {
  const checkString = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('\n');
  const hash = createHmac('sha256', createHash('sha256').update(BOT_TOKEN).digest()).update(checkString).digest('hex');
  keep('telegram hash', hash);
  return `/ui/account/identities/telegram/callback?${new URLSearchParams({ ...fields, hash })}`;
}

describe('the log at LOG_LEVEL=info', () => {
  it('holds no challenge, verifier, code, hint, widget data, bearer token or cookie', async () => {
    const client = await createClient(t, { post_logout_redirect_uris: ['https://app.example/bye'] });

    // The authorization flow: login and consent challenges and verifiers, seen by the public
    // port (the login and consent pages) and the admin port (the Hydra API).
    const flow = await steps(t, client, { scope: 'openid offline_access', rememberLogin: true });
    keep('login_challenge', flow.loginChallenge);
    keep('login_verifier', new URL(flow.loginVerifierUrl).searchParams.get('login_verifier'));
    keep('consent_challenge', flow.consentChallenge);
    keep('consent_verifier', new URL(flow.consentVerifierUrl).searchParams.get('consent_verifier'));
    keep('code', flow.code);
    keep('state', 'state-123456');
    await flow.browser.get(`/ui/login?login_challenge=${flow.loginChallenge}`);
    await flow.browser.get(`/ui/consent?consent_challenge=${flow.consentChallenge}`);
    // A replayed verifier and code: refused, and logged as refusals.
    await flow.browser.get(flow.loginVerifierUrl);
    const issued = await redeem(t, client, { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier });
    expect(issued.statusCode, issued.body).toBe(200);
    const { access_token: accessToken, id_token: idToken } = issued.json();
    // A bearer token and a cookie in headers.
    keep('access token', accessToken);
    const userinfo = await t.publicApp.inject({ url: '/userinfo', headers: { authorization: `Bearer ${accessToken}` } });
    expect(userinfo.statusCode).toBe(200);
    await redeem(t, client, { code: flow.code, redirect_uri: REDIRECT, code_verifier: flow.verifier });
    keep('session cookie', flow.browser.jar.get('gatehouse_session')?.value);

    // RP-initiated logout: the ID token hint, the logout challenge and verifier.
    keep('id_token_hint', idToken);
    const logout = await flow.browser.get(
      `/oauth2/sessions/logout?${new URLSearchParams({ id_token_hint: idToken, post_logout_redirect_uri: 'https://app.example/bye', state: 'bye-state-987' })}`,
    );
    expect(logout.statusCode, logout.body).toBe(303);
    const logoutChallenge = keep(
      'logout_challenge',
      new URL(logout.headers.location as string, t.issuer).searchParams.get('logout_challenge'),
    );
    await flow.browser.get(`/ui/logout?logout_challenge=${logoutChallenge}`);
    expect((await admin(t, 'GET', `/admin/oauth2/auth/requests/logout?logout_challenge=${logoutChallenge}`)).statusCode).toBe(
      200,
    );
    const accepted = await admin(t, 'PUT', `/admin/oauth2/auth/requests/logout/accept?logout_challenge=${logoutChallenge}`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    keep('logout_verifier', new URL(accepted.json().redirect_to).searchParams.get('logout_verifier'));
    await flow.browser.get(accepted.json().redirect_to);

    // Callbacks: the developer portal's code, a connector's code and state, a challenge
    // nested in a return address, and the Telegram widget's whole signed data.
    const portalCode = keep('portal code', `gh_ac_${random()}`);
    const portalState = keep('portal state', random());
    await flow.browser.get(`/ui/developers/callback?code=${portalCode}&state=${portalState}&iss=${encodeURIComponent(t.issuer)}`);
    const githubCode = keep('connector code', random());
    await flow.browser.get(`/ui/account/identities/github/callback?state=${random()}&code=${githubCode}`);
    const nested = keep('nested consent_challenge', random());
    await flow.browser.get(
      `/ui/account/identities/telegram?${new URLSearchParams({ return_to: `/ui/consent?consent_challenge=${nested}` })}`,
    );
    const telegramId = keep('telegram id', `9${randomBytes(8).readBigUInt64BE().toString().padStart(19, '0').slice(0, 18)}`);
    const username = keep('telegram username', `tg_${random()}`);
    await flow.browser.get(
      telegramCallback({
        id: telegramId,
        first_name: 'Tele',
        username,
        auth_date: String(Math.floor(t.gh.now() / 1000)),
      }),
    );
    // Unknown routes and malformed requests are logged too.
    const stray = keep('stray code', random());
    await t.publicApp.inject({ url: `/nowhere?code=${stray}&login_verifier=${stray}` });
    await t.publicApp.inject({ url: `/oauth2/auth?%63onsent_verifier=${stray}&CODE=${stray}` });

    const log = captured.lines.map((line) => JSON.stringify(line));
    // The test sees the requests it made (it cannot pass on an empty log) ...
    const urls = captured.lines.flatMap((line) => {
      const url = (line.req as { url?: string } | undefined)?.url;
      return url ? [url] : [];
    });
    expect(urls.some((url) => url.startsWith('/oauth2/auth?login_verifier='))).toBe(true);
    expect(urls.some((url) => url.startsWith('/ui/account/identities/telegram/callback?'))).toBe(true);
    expect(urls.some((url) => url.startsWith('/admin/oauth2/auth/requests/logout/accept?'))).toBe(true);
    // ... and no secret value in any line.
    for (const [name, value] of secrets) {
      const found = log.find((line) => line.includes(value));
      expect(found, `${name} is in the log`).toBeUndefined();
    }
    // Every secret parameter of a logged URL is redacted, whatever its value (auth_date is a time).
    for (const url of urls) {
      for (const [name, value] of new URL(url, 'http://x').searchParams) {
        if (SECRET_PARAMETERS.has(name.toLowerCase())) expect(value, `${name} in ${url}`).toBe('[redacted]');
      }
    }
    // Headers are not logged at all.
    expect(log.some((line) => /authorization|"cookie"/i.test(line))).toBe(false);
  });
});

describe('a URL in an error or a message', () => {
  it('is redacted in the error serializer, in string fields and in the message', () => {
    const { logger, lines } = capturedLogs('info');
    const code = random();
    logger.error({ err: new Error(`upstream refused GET https://idp.example/cb?code=${code}&x=1`) }, 'request failed');
    logger.info({ url: `/ui/login?login_challenge=${code}` }, 'a field');
    logger.warn(`Reply was already sent in "/oauth2/auth?consent_verifier=${code}" (GET)`);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(JSON.stringify(line)).not.toContain(code);
    expect(JSON.stringify(lines)).toContain('code=[redacted]&x=1');
  });
});

describe('a listener given a logger made elsewhere', () => {
  it('still logs requests without their secrets (the serializers come with the listener)', async () => {
    const lines: string[] = [];
    const plain = pino(
      { level: 'info' },
      new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }),
    );
    const app = await buildPublicApp(t.gh, { logger: plain });
    try {
      const verifier = random();
      await app.inject({ url: `/oauth2/auth?login_verifier=${verifier}`, headers: { cookie: `gatehouse_session=${verifier}` } });
      expect(lines.join('')).toContain('login_verifier=[redacted]');
      expect(lines.join('')).not.toContain(verifier);
    } finally {
      await app.close();
    }
  });
});
