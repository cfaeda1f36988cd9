/**
 * Regenerates test/screenshots/dashboard-*.png: the Dashboard example's landing page, the
 * Gatehouse consent it leads to, the signed-in page (desktop and phone), and the signed-out
 * page. Run by hand (npm run screenshots), not by CI.
 */
import { launchChromium } from '../test/support/chromium.js';
import { startDashboardOn } from '../test/support/dashboard.js';
import { startGatehouse } from '../test/support/harness.js';
import { outboxCode } from '../test/support/stand-ins.js';
import { shot } from './screenshot-support.js';

const t = await startGatehouse({ listen: true, env: { CAPTCHA: 'none' } });
const { dashboard } = await startDashboardOn(t, (baseUrl) => ({
  client_id: 'gatehouse-demo-dashboard',
  client_uri: baseUrl,
}));
const browser = await launchChromium();

try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  await page.goto(dashboard.url);
  // The button's stylesheet comes from Gatehouse: wait for the element to show its own link.
  await page.waitForLoadState('networkidle');
  await shot(page, 'dashboard-landing');

  const email = 'ada@example.com';
  await page.getByRole('link', { name: 'Sign in with Gatehouse' }).click();
  await page.getByRole('link', { name: 'Register here' }).click();
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.waitForURL(/\/ui\/code/);
  await page.getByLabel('Code').fill(await outboxCode(t, email));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(/\/ui\/consent/);
  await shot(page, 'dashboard-consent');
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${dashboard.url}/`);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.getByRole('status').waitFor();
  await shot(page, 'dashboard-signed-in');

  const phone = await browser.newPage({ viewport: { width: 390, height: 780 }, isMobile: true });
  await phone.context().addCookies(await page.context().cookies());
  await phone.goto(dashboard.url);
  await shot(phone, 'dashboard-signed-in-phone');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/ui\/logout/);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/signed-out/);
  await shot(page, 'dashboard-signed-out');
} finally {
  await browser.close();
  await dashboard.close();
  await t.close();
}
