/// <reference lib="dom" />
/**
 * The admin console in Chromium: an operator signs in with ADMIN_TOKEN, approves a pending
 * application from the queue, and finds it approved and their decision in the audit log.
 */

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/events/actor.js';
import { launchChromium } from '../support/chromium.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';

const ADMIN_TOKEN = 'browser-console-admin-token-0123456789abcdef';

let browser: Browser;
let t: TestGatehouse;
beforeAll(async () => {
  browser = await launchChromium();
  t = await startGatehouse({ listen: true, env: { ADMIN_TOKEN, CAPTCHA: 'none' } });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('admin console in a browser', () => {
  it('signs an operator in, approves a pending application and shows it in the list and the audit log', async () => {
    const developer = await t.gh.login.accounts.register({ email: 'builder@moonbase.example' });
    const app = await t.gh.clients.registerForDeveloper(systemActor(), developer.id, {
      client_name: 'Moonbase Quests',
      description: 'Quests for the Moonbase community.',
      client_uri: 'https://moonbase.example',
      redirect_uris: ['https://moonbase.example/callback'],
      scope: 'openid Email',
      contacts: ['security@moonbase.example'],
    });

    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    const styles: number[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/ui/assets/app.css')) styles.push(response.status());
    });

    await page.goto(`${t.adminUrl}/admin/ui`);
    expect(new URL(page.url()).pathname).toBe('/admin/ui/login');
    await page.getByLabel('Your name or email').fill('ada@ops.example');
    await page.getByLabel('Admin token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByText('That is not the admin token.').isVisible()).toBe(true);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${t.adminUrl}/admin/ui`);

    await expect.poll(() => page.getByRole('heading', { name: 'Pending queue' }).isVisible()).toBe(true);
    expect(await page.getByText('Signed in as ada@ops.example').isVisible()).toBe(true);
    const card = page.locator('article', { hasText: 'Moonbase Quests' });
    expect(await card.getByText('Quests for the Moonbase community.').isVisible()).toBe(true);
    expect(await card.getByText('builder@moonbase.example').isVisible()).toBe(true);
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(/done=approved/);
    expect(await page.getByRole('status').textContent()).toContain('Approved “Moonbase Quests”');
    expect(await page.locator('article', { hasText: 'Moonbase Quests' }).count()).toBe(0);

    await page.getByRole('link', { name: 'All applications', exact: true }).click();
    await page.getByLabel('Search').fill('moonbase');
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.getByRole('row', { name: /Moonbase Quests/ });
    expect(await row.getByText('approved').isVisible()).toBe(true);
    await row.getByRole('link', { name: 'Moonbase Quests' }).click();
    await page.waitForURL(`${t.adminUrl}/admin/ui/clients/${app.client_id}`);
    expect(await page.getByRole('button', { name: /Suspend/ }).isVisible()).toBe(true);

    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    const entry = page.getByRole('row', { name: /client\.status_changed/ }).first();
    expect(await entry.textContent()).toContain('operator:ada@ops.example');
    expect(await entry.textContent()).toContain(app.client_id);
    expect(await entry.textContent()).toContain('approved');

    // Styled, and nothing refused by the page policy.
    expect(styles.length).toBeGreaterThan(0);
    expect(styles.every((s) => s === 200 || s === 304)).toBe(true);
    expect(problems.filter((p) => !p.includes('401'))).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/ui\/login\?done=signed-out/);
    await page.goto(`${t.adminUrl}/admin/ui/audit`);
    expect(new URL(page.url()).pathname).toBe('/admin/ui/login');
    await context.close();
  });
});
