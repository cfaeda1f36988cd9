/// <reference lib="dom" />
/**
 * The developer portal in Chromium: a new person registers by email through the login app
 * (code from the dev outbox), lands in the portal, registers an application, sees it pending,
 * fixes a refused field, then collects the secret once after approval. Pages must run under
 * their strict CSP without a single violation.
 */

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/events/actor.js';
import { launchChromium } from '../support/chromium.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { outboxCode } from '../support/stand-ins.js';

let browser: Browser;
let t: TestGatehouse;
beforeAll(async () => {
  browser = await launchChromium();
  t = await startGatehouse({ listen: true, env: { CAPTCHA: 'none' } });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Collects what the browser says about content-security-policy violations. */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

describe('the developer portal in Chromium', () => {
  it('signs a new person in through the login app, registers an application, and shows it pending', async () => {
    const page = await browser.newPage();
    const violations = watchCsp(page);
    const email = `portal.${Date.now()}@example.com`;

    await page.goto(`${t.issuer}/ui/developers`);
    await page.waitForURL(/\/ui\/login\?/);
    await expect(page.locator('main').textContent()).resolves.toContain('Gatehouse developer portal');
    await page.getByRole('link', { name: 'Register here' }).click();
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.waitForURL(/\/ui\/code/);
    await page.getByLabel('Code').fill(await outboxCode(t, email));
    await page.getByRole('button', { name: 'Verify' }).click();
    // First-party: no consent screen, straight back to the portal.
    await page.waitForURL(`${t.issuer}/ui/developers`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Your applications');
    await expect(page.locator('.portal-bar').textContent()).resolves.toContain(email);

    await page.getByRole('link', { name: 'Register an application' }).click();
    await page.waitForURL(/\/ui\/developers\/apps\/new$/);
    await page.getByLabel('Name', { exact: true }).fill('Weather <Station>');
    await page.getByLabel('Description').fill('Shows the weather where you are.');
    await page.getByLabel('Homepage URL').fill('https://weather.example');
    await expect(page.getByLabel('Contact email').inputValue()).resolves.toBe(email);
    await page.getByRole('radio', { name: /^Confidential/ }).check();
    await page.getByLabel('Redirect URIs', { exact: true }).fill('http://weather.example/callback');
    await page.getByRole('checkbox', { name: /^Email Your email address/ }).check();
    await page.getByRole('button', { name: 'Register the application' }).click();

    // Refused: the same form comes back with each message next to its field, and what was typed.
    await expect(page.locator('h1').textContent()).resolves.toBe('Register an application');
    await expect(page.locator('#f-client_name-error').textContent()).resolves.toContain('cannot contain < or >');
    await expect(page.locator('#f-redirect_uris-error').textContent()).resolves.toContain('must use https');
    await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe('Weather <Station>');
    await expect(page.getByLabel('Description').inputValue()).resolves.toBe('Shows the weather where you are.');
    await expect(page.getByRole('checkbox', { name: /^Email Your email address/ }).isChecked()).resolves.toBe(true);
    await expect(page.getByRole('radio', { name: /^Confidential/ }).isChecked()).resolves.toBe(true);

    await page.getByLabel('Name', { exact: true }).fill('Weather Station');
    await page.getByLabel('Redirect URIs', { exact: true }).fill('https://weather.example/callback');
    await page.getByRole('button', { name: 'Register the application' }).click();
    await page.waitForURL(/\/ui\/developers\/apps\/[^/]+\?done=registered$/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Weather Station');
    await expect(page.locator('main').textContent()).resolves.toContain('Waiting for review');
    const clientId = (await page.locator('dl.app-details code').first().textContent()) as string;
    expect((await t.gh.clients.get(clientId)).status).toBe('pending');

    await page.getByRole('link', { name: '← Your applications' }).click();
    await expect(page.locator('table.apps').textContent()).resolves.toMatch(/Weather Station\s*Waiting for review/);

    // Approved by an operator: the secret is there to collect, once.
    await t.gh.clients.setStatus(systemActor(), clientId, 'approved');
    await page.getByRole('link', { name: 'Weather Station' }).click();
    await page.getByRole('button', { name: 'Show the client secret' }).click();
    const secret = await page.getByLabel('Client secret').inputValue();
    expect(secret).toMatch(/^gh_cs_/);
    await expect(page.locator('main').textContent()).resolves.toContain('it will not be shown again');
    await page.getByRole('link', { name: 'I have saved it' }).click();
    await expect(page.locator('main').textContent()).resolves.toContain('it was shown once');
    await expect(page.locator('main').textContent()).resolves.not.toContain(secret);

    await page.getByRole('button', { name: 'Sign out of the portal' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('You are signed out of the developer portal');
    expect(violations).toEqual([]);
    await page.close();
  });
});
