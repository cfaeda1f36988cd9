/// <reference lib="dom" />
/**
 * The Dashboard example in Chromium: the button, registration by email on Gatehouse's pages,
 * consent, the signed-in page, Refresh, and RP-initiated sign-out.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDashboard } from '../../examples/dashboard/src/start.js';
import { launchChromium } from '../support/chromium.js';
import { startDashboardOn } from '../support/dashboard.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { outboxCode } from '../support/stand-ins.js';

let browser: Browser;
let t: TestGatehouse;
let dashboard: RunningDashboard;
let clientId: string;

beforeAll(async () => {
  browser = await launchChromium();
  t = await startGatehouse({ listen: true, env: { CAPTCHA: 'none' } });
  ({ dashboard, clientId } = await startDashboardOn(t));
});
afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await t?.close();
});

const text = (page: Page, selector: string) => page.locator(selector).first().textContent();

/** Every CSP violation the Dashboard's own pages report in the console. */
function cspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text()) && page.url().startsWith(dashboard.url)) {
      violations.push(message.text());
    }
  });
  return violations;
}

describe('the Dashboard in Chromium', () => {
  it('signs a new person in by email, shows what it may see, refreshes the token, and signs out', async () => {
    const page = await browser.newPage();
    const violations = cspViolations(page);
    const email = `dashboard.${Date.now()}@example.com`;

    await page.goto(dashboard.url);
    await expect(text(page, 'h1')).resolves.toBe('Your Dashboard');
    await page.getByRole('link', { name: 'Sign in with Gatehouse' }).click();

    // Gatehouse's own pages: register by email, the code from the dev outbox, consent.
    await page.waitForURL((url) => url.href.startsWith(`${t.issuer}/ui/login`));
    await page.getByRole('link', { name: 'Register here' }).click();
    await expect(text(page, 'h1')).resolves.toBe('Create your account');
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.waitForURL(/\/ui\/code/);
    await page.getByLabel('Code').fill(await outboxCode(t, email));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(/\/ui\/consent/);
    await expect(text(page, 'h1')).resolves.toContain('Dashboard wants to access');
    await page.getByRole('button', { name: 'Allow' }).click();

    // Back on the Dashboard, signed in.
    await page.waitForURL(`${dashboard.url}/`);
    await expect(text(page, 'h1')).resolves.toBe('Signed in');
    const you = page.getByRole('region', { name: 'You' });
    await expect(you.textContent()).resolves.toContain(email);
    const account = await t.gh.login.accounts.findByEmail(email);
    expect(account).toBeDefined();
    await expect(you.textContent()).resolves.toContain(account?.id);
    const token = page.getByRole('region', { name: 'Access token' });
    const before = await token.textContent();
    expect(before).toContain(clientId);
    expect(before).toContain('offline_access');
    // A new account has linked nothing: the card says so (whether the scopes were granted empty or left out).
    await expect(page.getByRole('region', { name: 'Linked identities' }).textContent()).resolves.toMatch(
      /Not linked|None shared/,
    );

    // Refresh: a new access token (its last characters change) and a notice.
    const ending = /…(\S{6})/.exec(before ?? '')?.[1];
    expect(ending).toBeDefined();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(page.getByRole('status').textContent()).resolves.toContain('Token refreshed');
    const after = await page.getByRole('region', { name: 'Access token' }).textContent();
    expect(/…(\S{6})/.exec(after ?? '')?.[1]).not.toBe(ending);

    // Sign out: Gatehouse asks, then sends the browser back to the Dashboard's signed-out page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${t.issuer}/ui/logout`));
    await expect(text(page, 'main')).resolves.toContain('Dashboard');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${dashboard.url}/signed-out`));
    await expect(text(page, 'h1')).resolves.toBe('You are signed out');

    // Both sessions are over: the Dashboard shows its landing page, and Gatehouse asks to sign in again.
    await page.getByRole('link', { name: 'Back to the Dashboard' }).click();
    await expect(text(page, 'h1')).resolves.toBe('Your Dashboard');
    await page.getByRole('link', { name: 'Sign in with Gatehouse' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${t.issuer}/ui/login`));
    expect(violations).toEqual([]);
    await page.close();
  });

  it('works without JavaScript: the fallback link starts the sign-in', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(dashboard.url);
    await page.getByRole('link', { name: 'Sign in with Gatehouse' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${t.issuer}/ui/login`));
    await expect(text(page, 'h1')).resolves.toBe('Sign in');
    await context.close();
  });
});
