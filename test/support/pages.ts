/** Steps through Gatehouse's own pages that several browser tests and screenshot scripts take. */
import type { Page } from 'playwright-core';
import type { TestGatehouse } from './harness.js';
import { outboxCode } from './stand-ins.js';

/** A new person registers by email in the login app and lands on their account page. */
export async function registerInLoginApp(page: Page, t: TestGatehouse, email: string): Promise<void> {
  await page.goto(`${t.issuer}/ui/register`);
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.waitForURL(/\/ui\/code/);
  await page.getByLabel('Code').fill(await outboxCode(t, email));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(`${t.issuer}/ui/account`);
}
