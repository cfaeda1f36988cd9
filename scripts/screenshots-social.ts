/**
 * Regenerates test/screenshots/social-*.png: linking GitHub through a local stand-in, the
 * Telegram page, and the pages that say why linking stopped, on desktop and phone widths.
 * Run by hand (npx tsx scripts/screenshots-social.ts), not by CI.
 */
import { launchChromium } from '../test/support/chromium.js';
import { startGatehouse } from '../test/support/harness.js';
import { registerInLoginApp } from '../test/support/pages.js';
import { startSocialProvider } from '../test/support/social-stand-ins.js';
import { shot } from './screenshot-support.js';

const redirectUris: string[] = [];
const github = await startSocialProvider('github', { redirectUris });
const t = await startGatehouse({
  listen: true,
  env: {
    CAPTCHA: 'none',
    ...github.env(),
    TELEGRAM_BOT_TOKEN: '7012345678:AAHc9wq0-screenshot-bot-token-xx',
    TELEGRAM_BOT_USERNAME: 'GatehouseLoginBot',
  },
});
redirectUris.push(`${t.issuer}/ui/account/identities/github/callback`);
github.setUser({ id: '583231', username: 'octocat', name: 'The Octocat' });
const browser = await launchChromium();

try {
  const ada = await browser.newPage({ viewport: { width: 1000, height: 720 } });
  await registerInLoginApp(ada, t, 'ada@example.com');
  github.state.signedIn = '583231';
  await ada.goto(`${t.issuer}/ui/account/identities/github`);
  await ada.waitForURL(/\/ui\/account\?done=linked/);
  await shot(ada, 'social-account-linked');

  github.state.signedIn = undefined;
  await ada.goto(`${t.issuer}/ui/account/identities/github`);
  await shot(ada, 'social-denied');

  await ada.goto(`${t.issuer}/ui/account/identities/discord`);
  await shot(ada, 'social-not-available');

  // Telegram's script cannot load here (no network): the page shows everything but the button.
  await ada.goto(`${t.issuer}/ui/account/identities/telegram`);
  await shot(ada, 'social-telegram');

  const grace = await browser.newPage({ viewport: { width: 390, height: 780 }, isMobile: true });
  await registerInLoginApp(grace, t, 'grace@example.com');
  github.state.signedIn = '583231';
  await grace.goto(`${t.issuer}/ui/account/identities/github`);
  await shot(grace, 'social-conflict-phone');
} finally {
  await browser.close();
  await t.close();
  await github.close();
}
