/// <reference lib="dom" />
import { TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { createClient, introspect, token } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { codeIn, outboxCode, startCallbackServer, startFakeTwilio, startSmtpServer } from '../support/stand-ins.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

let seq = 0;
const uniqueEmail = () => `browser${++seq}.${Date.now()}@example.com`;

interface Rig {
  t: TestGatehouse;
  callback: Awaited<ReturnType<typeof startCallbackServer>>;
  client: Awaited<ReturnType<typeof createClient>>;
  close(): Promise<void>;
}

async function rig(env: Record<string, string> = {}): Promise<Rig> {
  const callback = await startCallbackServer();
  const t = await startGatehouse({ listen: true, env });
  const client = await createClient(t, {
    client_name: 'Dashboard',
    redirect_uris: [callback.url],
    scope: 'openid offline_access email Email GatehouseID',
    policy_uri: 'https://dashboard.example/privacy',
    tos_uri: 'https://dashboard.example/terms',
  });
  return { t, callback, client, close: async () => Promise.all([t.close(), callback.close()]).then(() => undefined) };
}

function authorizeUrl(r: Rig) {
  return `${r.t.issuer}/oauth2/auth?${new URLSearchParams({
    client_id: r.client.client_id,
    response_type: 'code',
    redirect_uri: r.callback.url,
    scope: 'openid offline_access email Email GatehouseID',
    state: 'browser-state',
  })}`;
}

async function redeem(r: Rig, page: Page) {
  const landed = new URL(page.url());
  expect(landed.origin + landed.pathname).toBe(r.callback.url);
  expect(landed.searchParams.get('state')).toBe('browser-state');
  expect(landed.searchParams.get('iss')).toBe(r.t.issuer);
  const response = await token(
    r.t,
    { grant_type: 'authorization_code', code: landed.searchParams.get('code') as string, redirect_uri: r.callback.url },
    { basic: [r.client.client_id, r.client.client_secret] },
  );
  expect(response.statusCode).toBe(200);
  return response.json();
}

/** Register here → email → code from `readCode` → consent → callback. */
async function registerByEmail(r: Rig, page: Page, email: string, readCode: () => Promise<string>) {
  await page.goto(authorizeUrl(r));
  await expect(page.locator('h1').textContent()).resolves.toBe('Sign in');
  await page.getByRole('link', { name: 'Register here' }).click();
  await expect(page.locator('h1').textContent()).resolves.toBe('Create your account');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.waitForURL(/\/ui\/code/);
  await page.getByLabel('Code').fill(await readCode());
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(/\/ui\/consent/);
  await expect(page.locator('h1').textContent()).resolves.toContain('Dashboard wants to access');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((url) => url.href.startsWith(r.callback.url));
}

describe('the login app in Chromium', () => {
  it('registers by email (code from the dev outbox), consents, and the code redeems', async () => {
    const r = await rig({ CAPTCHA: 'none' });
    try {
      const page = await browser.newPage();
      const email = uniqueEmail();
      await registerByEmail(r, page, email, () => outboxCode(r.t, email));
      const tokens = await redeem(r, page);
      const user = await r.t.publicApp.inject({
        url: '/oauth/api/2/user?scope=Email',
        headers: { authorization: `Bearer ${tokens.access_token}` },
      });
      expect(user.json()).toEqual({ Email: email });

      // A returning person with a remembered session skips login and consent.
      await page.goto(authorizeUrl(r));
      await page.waitForURL((url) => url.href.startsWith(r.callback.url));
      await redeem(r, page);

      // Revoking the application on the account page makes its refresh token fail.
      await page.goto(`${r.t.issuer}/ui/account`);
      await expect(page.locator('main').textContent()).resolves.toContain(email);
      await page.getByRole('button', { name: 'Revoke' }).click();
      await expect(page.locator('main').textContent()).resolves.toContain('Access removed');
      const refreshed = await token(
        r.t,
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { basic: [r.client.client_id, r.client.client_secret] },
      );
      expect(refreshed.json().error).toBe('invalid_grant');
      await page.close();
    } finally {
      await r.close();
    }
  });

  it('registers by email through a real SMTP server', async () => {
    const smtp = await startSmtpServer();
    const r = await rig({ CAPTCHA: 'none', SMTP_URL: smtp.url, SMTP_FROM: 'Gatehouse <login@gatehouse.test>' });
    try {
      const page = await browser.newPage();
      const email = uniqueEmail();
      await registerByEmail(r, page, email, async () => {
        for (let i = 0; i < 50 && smtp.messages.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
        const message = smtp.messages.at(-1);
        expect(message?.to).toEqual([email]);
        expect(message?.from).toBe('login@gatehouse.test');
        return codeIn(
          message?.raw
            .split(/\r?\n\r?\n/)
            .slice(1)
            .join('\n') ?? '',
        );
      });
      await redeem(r, page);
      await page.close();
    } finally {
      await r.close();
      await smtp.close();
    }
  });

  it('registers by phone after solving the ALTCHA captcha, the SMS captured by a Twilio stand-in', async () => {
    const twilio = await startFakeTwilio();
    const r = await rig({
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: '+15005550006',
      TWILIO_API_URL: twilio.url,
    });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.goto(authorizeUrl(r));
      await page.getByRole('link', { name: 'Register here' }).click();
      await page.getByRole('link', { name: 'Phone' }).click();
      await page.getByLabel('Phone number').fill('+1 202 555 0143');
      // Without the captcha, no SMS is sent.
      await page.getByRole('button', { name: 'Send me a code' }).click();
      await expect(page.locator('.captcha .field-error').textContent()).resolves.toContain('check that you are a person');
      expect(twilio.messages).toHaveLength(0);
      // The proof of work runs in the page.
      await page.getByLabel('Phone number').fill('+1 202 555 0143');
      await page.getByText("I'm not a robot").click();
      await page.waitForFunction(
        () => document.querySelector('altcha-widget input[type=hidden]')?.getAttribute('value'),
        undefined,
        { timeout: 30_000 },
      );
      await page.getByRole('button', { name: 'Send me a code' }).click();
      await page.waitForURL(/\/ui\/code/);
      expect(twilio.messages).toHaveLength(1);
      expect(twilio.messages[0]?.to).toBe('+12025550143');
      await page.getByLabel('Code').fill(codeIn(twilio.messages[0]?.body ?? ''));
      await page.getByRole('button', { name: 'Verify' }).click();
      await page.waitForURL(/\/ui\/consent/);
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL((url) => url.href.startsWith(r.callback.url));
      await redeem(r, page);
      expect(violations).toEqual([]);
      await page.close();
    } finally {
      await r.close();
      await twilio.close();
    }
  });

  it('signs in with TOTP two-factor authentication enrolled on the account page', async () => {
    const r = await rig({ CAPTCHA: 'none' });
    try {
      const email = uniqueEmail();
      const first = await browser.newContext();
      const page = await first.newPage();
      await registerByEmail(r, page, email, () => outboxCode(r.t, email));
      await page.goto(`${r.t.issuer}/ui/account`);
      await page.getByRole('link', { name: 'Set up two-factor authentication' }).click();
      const secret = (await page.locator('main code').first().textContent()) as string;
      const totp = new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' });
      await page.getByLabel('Code from the app').fill(totp.generate({ timestamp: r.t.gh.now() }));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await expect(page.locator('h1').textContent()).resolves.toBe('Save your recovery codes');
      await first.close();

      // Another device: the emailed code, then the authenticator.
      const second = await browser.newContext();
      const other = await second.newPage();
      await other.goto(authorizeUrl(r));
      await other.getByLabel('Email address').fill(email);
      await other.getByRole('button', { name: 'Continue' }).click();
      await other.waitForURL(/\/ui\/code/);
      await other.getByLabel('Code').fill(await outboxCode(r.t, email));
      await other.getByRole('button', { name: 'Verify' }).click();
      await other.waitForURL(/\/ui\/2fa/);
      // A later time step than the one spent on enrolment.
      await other.getByLabel('Authenticator code').fill(totp.generate({ timestamp: r.t.gh.now() + 30_000 }));
      r.t.advance(30);
      await other.getByRole('button', { name: 'Verify' }).click();
      await other.waitForURL((url) => url.href.startsWith(r.callback.url));
      const tokens = await redeem(r, other);
      const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString());
      expect(claims.amr).toEqual(expect.arrayContaining(['otp', 'mfa']));
      expect((await introspect(r.t, tokens.access_token)).active).toBe(true);
      await second.close();
    } finally {
      await r.close();
    }
  });
});
