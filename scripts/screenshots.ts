/**
 * Regenerates test/screenshots/*.png: every page of the login app, as a person sees it, on
 * desktop and phone widths. Run by hand (npm run screenshots), not by CI.
 */
import { TOTP } from 'otpauth';
import { launchChromium } from '../test/support/chromium.js';
import { createClient } from '../test/support/flow.js';
import { startGatehouse } from '../test/support/harness.js';
import { outboxCode, startCallbackServer } from '../test/support/stand-ins.js';
import { shot } from './screenshot-support.js';

const callback = await startCallbackServer();
const t = await startGatehouse({ listen: true, env: { CAPTCHA: 'altcha' } });
const client = await createClient(t, {
  client_name: 'Dashboard',
  redirect_uris: [callback.url],
  scope: 'openid offline_access email Email GatehouseID Twitter EVMAddress',
  client_uri: 'https://dashboard.example',
  policy_uri: 'https://dashboard.example/privacy',
  tos_uri: 'https://dashboard.example/terms',
});
const browser = await launchChromium();

try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 720 } });
  const authorize = `${t.issuer}/oauth2/auth?${new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: callback.url,
    scope: 'openid offline_access Email GatehouseID Twitter EVMAddress',
    state: 'screenshot',
  })}`;
  await page.goto(authorize);
  await shot(page, 'login-email');
  await page.getByRole('link', { name: 'Register here' }).click();
  await page.getByRole('link', { name: 'Phone' }).click();
  await shot(page, 'register-phone-captcha');
  await page.getByRole('link', { name: 'Email' }).click();
  await page.getByLabel('Email address').fill('not-an-email');
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await shot(page, 'register-email-error');
  const email = 'ada@example.com';
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.waitForURL(/\/ui\/code/);
  await shot(page, 'code');
  await page.getByLabel('Code').fill(await outboxCode(t, email));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(/\/ui\/consent/);
  await shot(page, 'consent');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((url) => url.href.startsWith(callback.url));

  await page.goto(`${t.issuer}/ui/account`);
  await shot(page, 'account');
  await page.getByRole('link', { name: 'Set up two-factor authentication' }).click();
  await shot(page, 'two-factor-setup');
  const secret = (await page.locator('main code').first().textContent()) as string;
  await page.getByLabel('Code from the app').fill(new TOTP({ secret }).generate());
  await page.getByRole('button', { name: 'Turn on' }).click();
  await shot(page, 'recovery-codes');

  const phone = await browser.newPage({ viewport: { width: 390, height: 780 }, isMobile: true });
  await phone.goto(authorize);
  await phone.getByLabel('Email address').fill(email);
  await phone.getByRole('button', { name: 'Continue' }).click();
  await phone.waitForURL(/\/ui\/code/);
  await phone.getByLabel('Code').fill(await outboxCode(t, email));
  await phone.getByRole('button', { name: 'Verify' }).click();
  await phone.waitForURL(/\/ui\/2fa/);
  await shot(phone, 'two-factor-phone');

  await page.goto(`${t.issuer}/oauth2/auth?client_id=unknown&response_type=code&state=x`);
  await shot(page, 'error');
} finally {
  await browser.close();
  await t.close();
  await callback.close();
}
