/**
 * Regenerates test/screenshots/console-*.png: the admin console as an operator sees it (sign
 * in, queue, all applications, one application, audit log, the queue on a phone). Run by hand
 * (npx tsx scripts/screenshots-console.ts), not by CI.
 */
import { systemActor } from '../src/events/actor.js';
import { launchChromium } from '../test/support/chromium.js';
import { startGatehouse } from '../test/support/harness.js';
import { shot } from './screenshot-support.js';

const ADMIN_TOKEN = 'screenshot-admin-token-0123456789abcdef';

const t = await startGatehouse({ listen: true, env: { ADMIN_TOKEN, CAPTCHA: 'none' } });
const gh = t.gh;

async function developer(email: string) {
  return gh.login.accounts.register({ email });
}

// What a few weeks of a real deployment looks like: applications in every state.
const ana = await developer('ana@moonbase.example');
const moonbase = await gh.clients.registerForDeveloper(systemActor(), ana.id, {
  client_name: 'Moonbase Quests',
  description:
    'Quests and rewards for the Moonbase community. People sign in to link their wallet and collect badges; we read the EVM address only.',
  client_uri: 'https://moonbase.example',
  logo_uri: 'https://cdn.moonbase.example/logo.png',
  policy_uri: 'https://moonbase.example/privacy',
  tos_uri: 'https://moonbase.example/terms',
  contacts: ['security@moonbase.example', 'ana@moonbase.example'],
  redirect_uris: ['https://moonbase.example/auth/callback'],
  post_logout_redirect_uris: ['https://moonbase.example/'],
  scope: 'openid Email EVMAddress GatehouseID',
});
const ben = await developer('ben@pocket.example');
await gh.clients.registerForDeveloper(systemActor(), ben.id, {
  client_name: 'Pocket Wallet <beta>',
  description: 'A mobile wallet. Native app, public client.',
  client_uri: 'https://pocket.example',
  contacts: ['ben@pocket.example'],
  redirect_uris: ['com.pocket.wallet:/oauth2redirect'],
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  scope: 'openid offline_access EVMAddress SolanaAddress',
});
const cleo = await developer('cleo@guild.example');
const guild = await gh.clients.registerForDeveloper(systemActor(), cleo.id, {
  client_name: 'Guild Board',
  description: 'Leaderboards for guilds.',
  client_uri: 'https://guild.example',
  contacts: ['cleo@guild.example'],
  redirect_uris: ['https://guild.example/cb'],
  scope: 'openid Email Discord',
});
const spam = await gh.clients.registerForDeveloper(systemActor(), cleo.id, {
  client_name: 'Free Airdrop 100x',
  client_uri: 'https://airdrop.example',
  redirect_uris: ['https://airdrop.example/cb'],
  scope: 'openid Email EVMAddress',
});
const dash = await gh.clients.create(
  systemActor(),
  {
    client_name: 'Dashboard',
    redirect_uris: ['https://dashboard.example/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid offline_access Email GatehouseID',
    contacts: ['platform@gatehouse.example'],
  },
  { status: 'approved' },
);
const partner = await gh.clients.create(
  systemActor(),
  { client_name: 'Partner Sync', grant_types: ['client_credentials'], scope: '', contacts: ['ops@partner.example'] },
  { status: 'approved' },
);
const grace = { type: 'operator', id: 'grace@ops.example', ip: '10.0.4.7' } as const;
await gh.clients.setStatus(grace, guild.client_id, 'approved');
await gh.clients.setStatus(grace, spam.client_id, 'rejected', 'The homepage does not describe a real product.');
await gh.clients.setStatus(grace, partner.client_id, 'suspended', 'Leaked client secret (ticket 4521).');
await gh.clients.updateForDeveloper({ type: 'developer', id: cleo.id, ip: '203.0.113.20' }, cleo.id, guild.client_id, {
  redirect_uris: ['https://guild.example/cb', 'https://app.guild.example/cb'],
  scope: 'openid Email Discord Twitter',
});
await gh.clients.rotateSecret({ type: 'operator', id: 'admin-api', ip: '127.0.0.1' }, dash.client_id);

const browser = await launchChromium();

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${t.adminUrl}/admin/ui`);
  await page.getByLabel('Your name or email').fill('ada@ops.example');
  await shot(page, 'console-login');
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${t.adminUrl}/admin/ui`);
  await shot(page, 'console-queue');

  await page.goto(`${t.adminUrl}/admin/ui/clients`);
  await shot(page, 'console-clients');

  await page.goto(`${t.adminUrl}/admin/ui/clients/${moonbase.client_id}`);
  // Past the browser's own check of the required field, to show the server's answer.
  const rejectForm = page.locator('form', { hasText: 'Reason for rejecting' });
  await rejectForm.locator('textarea').evaluate((field) => field.removeAttribute('required'));
  await rejectForm.getByRole('button', { name: 'Reject' }).click();
  await page.waitForLoadState();
  await shot(page, 'console-application-error');

  await page.goto(`${t.adminUrl}/admin/ui/clients/${partner.client_id}`);
  await shot(page, 'console-application');

  await page.goto(`${t.adminUrl}/admin/ui/audit`);
  await shot(page, 'console-audit');

  const phone = await browser.newPage({ viewport: { width: 390, height: 780 }, isMobile: true });
  const cookies = await page.context().cookies();
  await phone.context().addCookies(cookies);
  await phone.goto(`${t.adminUrl}/admin/ui`);
  // The first screen only: a whole queue on a phone is too tall to look at.
  await shot(phone, 'console-queue-phone', false);
} finally {
  await browser.close();
  await t.close();
}
