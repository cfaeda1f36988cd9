/**
 * Regenerates test/screenshots/portal-*.png: the developer portal as a developer sees it
 * (the list, the form with an error, a pending application, an approved one, its secret
 * shown once, a change held for review). Run by hand (npx tsx scripts/screenshots-portal.ts),
 * not by CI.
 */
import { systemActor } from '../src/events/actor.js';
import { launchChromium } from '../test/support/chromium.js';
import { startGatehouse } from '../test/support/harness.js';
import { outboxCode } from '../test/support/stand-ins.js';
import { shot } from './screenshot-support.js';

const t = await startGatehouse({ listen: true, env: { CAPTCHA: 'none' } });
const browser = await launchChromium();

try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const email = 'ada@example.com';
  await page.goto(`${t.issuer}/ui/developers`);
  await page.getByRole('link', { name: 'Register here' }).click();
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.waitForURL(/\/ui\/code/);
  await page.getByLabel('Code').fill(await outboxCode(t, email));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(`${t.issuer}/ui/developers`);
  const account = await t.gh.login.accounts.findByEmail(email);
  const accountId = account?.id as string;

  // A few applications in each state, registered as the developer would.
  const register = (name: string, extra: Record<string, unknown> = {}) =>
    t.gh.clients.registerForDeveloper(systemActor(), accountId, {
      client_name: name,
      description: `${name}: an example application.`,
      client_uri: 'https://example.com',
      contacts: [email],
      redirect_uris: ['https://example.com/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access Email',
      ...extra,
    });
  const rejected = await register('Coupon Collector');
  await t.gh.clients.setStatus(systemActor(), rejected.client_id, 'rejected', 'The privacy policy link answers 404.');
  const live = await register('Weather Station', {
    policy_uri: 'https://example.com/privacy',
    tos_uri: 'https://example.com/terms',
    post_logout_redirect_uris: ['https://example.com/signed-out'],
  });
  await t.gh.clients.setStatus(systemActor(), live.client_id, 'approved');
  await page.reload();
  await page.getByRole('link', { name: 'Register an application' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Quest Board');
  await page.getByLabel('Description').fill('Quests for our community, with rewards sent to your wallet.');
  await page.getByLabel('Homepage URL').fill('https://quests.example');
  await page.getByLabel('Privacy policy URL').fill('quests.example/privacy');
  await page.getByRole('radio', { name: /^Confidential/ }).check();
  await page.getByLabel('Redirect URIs', { exact: true }).fill('https://quests.example/callback\nhttp://quests.example/dev#cb');
  await page.getByRole('checkbox', { name: /^EVMAddress/ }).check();
  await page.getByRole('button', { name: 'Register the application' }).click();
  await shot(page, 'portal-register-error');

  await page.getByLabel('Privacy policy URL').fill('https://quests.example/privacy');
  await page.getByLabel('Redirect URIs', { exact: true }).fill('https://quests.example/callback');
  await page.getByRole('button', { name: 'Register the application' }).click();
  await page.waitForURL(/done=registered/);
  await shot(page, 'portal-pending');

  await page.getByRole('link', { name: '← Your applications' }).click();
  await shot(page, 'portal-list');

  await page.getByRole('link', { name: 'Weather Station' }).click();
  await shot(page, 'portal-approved');
  await page.getByRole('button', { name: 'Show the client secret' }).click();
  await shot(page, 'portal-secret-once');

  await page.getByRole('link', { name: 'I have saved it' }).click();
  await page.getByRole('link', { name: 'Edit the application' }).click();
  await shot(page, 'portal-edit-approved');
  await page.getByLabel('Redirect URIs', { exact: true }).fill('https://example.com/callback\nhttps://example.com/v2/callback');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await shot(page, 'portal-changes-held');

  await page.goto(`${t.issuer}/ui/developers/apps/${rejected.client_id}`);
  await shot(page, 'portal-rejected');

  const phone = await browser.newPage({ viewport: { width: 390, height: 780 }, isMobile: true });
  await phone.context().addCookies(await page.context().cookies());
  await phone.goto(`${t.issuer}/ui/developers/apps/${live.client_id}`);
  await shot(phone, 'portal-app-phone');
} finally {
  await browser.close();
  await t.close();
}
