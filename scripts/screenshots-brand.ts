/// <reference lib="dom" />
/**
 * Regenerates test/screenshots/brand*.png and button-*.png: the brand guidelines page (desktop,
 * dark scheme, phone) and the sign-in button's variants on light and dark grounds, its focus
 * ring, and the forced-colours (high contrast) rendering. Run by hand
 * (npx tsx scripts/screenshots-brand.ts), not by CI.
 */
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/chromium.js';
import { startGatehouse } from '../test/support/harness.js';
import { shot } from './screenshot-support.js';

const t = await startGatehouse({ listen: true });
const browser = await launchChromium();

/** Every specimen on the page has upgraded and shows its styled control. */
async function upgraded(page: Page) {
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll('gatehouse-signin')).every((el) =>
      el.shadowRoot?.querySelector('.gatehouse-signin:not([hidden])'),
    ),
  );
}

try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`${t.issuer}/ui/brand`);
  await upgraded(page);
  await shot(page, 'brand');
  await shot(page.locator('.brand-on-light').first(), 'button-variants-light');
  await shot(page.locator('figure.brand-on-dark').first(), 'button-variants-dark');
  await shot(page.locator('#guidelines'), 'brand-guidelines');

  await page.goto(`${t.issuer}/ui/brand?variant=dark&size=large&shape=pill&label=Continue+with+Gatehouse#snippet`);
  await upgraded(page);
  await page.locator('.brand-preview gatehouse-signin').focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  await shot(page.locator('.brand-preview'), 'button-focus');
  await shot(page.locator('#snippet'), 'brand-snippet');

  const dark = await browser.newPage({ viewport: { width: 1100, height: 900 }, colorScheme: 'dark' });
  await dark.goto(`${t.issuer}/ui/brand`);
  await upgraded(dark);
  await shot(dark, 'brand-dark');

  const contrast = await browser.newPage({ viewport: { width: 1100, height: 900 }, forcedColors: 'active' });
  await contrast.goto(`${t.issuer}/ui/brand`);
  await upgraded(contrast);
  await shot(contrast.locator('.brand-on-light').first(), 'button-forced-colors');

  const phone = await browser.newPage({ viewport: { width: 390, height: 780 }, isMobile: true });
  await phone.goto(`${t.issuer}/ui/brand`);
  await upgraded(phone);
  await shot(phone, 'brand-phone');

  const noScript = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
  const plain = await noScript.newPage();
  await plain.goto(`${t.issuer}/ui/brand`);
  await shot(plain.locator('.brand-on-light').first(), 'button-variants-no-js');
  await noScript.close();
} finally {
  await browser.close();
  await t.close();
}
