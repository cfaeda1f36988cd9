/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { createClient } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';

let t: TestGatehouse;
let browser: Browser;
beforeAll(async () => {
  t = await startGatehouse({ listen: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('server pages in Chromium', () => {
  it('renders the error page styled under the strict CSP, with no policy violation', async () => {
    const client = await createClient(t, { status: 'pending' });
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    const response = await page.goto(
      `${t.issuer}/oauth2/auth?client_id=${client.client_id}&response_type=code&state=s&redirect_uri=${encodeURIComponent('https://app.example/callback')}`,
    );
    expect(response?.status()).toBe(403);
    expect(page.url()).toContain(`${t.issuer}/oauth2/auth`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Something went wrong');
    await expect(page.locator('main').textContent()).resolves.toContain('has not been approved');
    // The nonce'd stylesheet applied: the card has its rounded corners.
    const radius = await page.locator('main').evaluate((el) => getComputedStyle(el).borderTopLeftRadius);
    expect(radius).toBe('12px');
    expect(violations).toEqual([]);
    await page.close();
  });

  it('refuses to be framed (frame-ancestors none)', async () => {
    const page = await browser.newPage();
    // A page with no policy of its own frames a Gatehouse page.
    await page.setContent(`<iframe src="${t.issuer}/ui/signed-out" width="600" height="400"></iframe>`);
    await page.waitForTimeout(1000);
    const child = page.frames().find((f) => f !== page.mainFrame());
    const text = child ? await child.evaluate(() => document.body?.textContent ?? '').catch(() => '') : '';
    expect(text).not.toContain('You are signed out');
    await page.close();
  });
});
