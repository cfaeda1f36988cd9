/** What every `npm run screenshots` script shares: where the pictures go, and taking one. */
import { mkdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';

const out = new URL('../test/screenshots/', import.meta.url);
mkdirSync(out, { recursive: true });

/** Saves test/screenshots/<name>.png: a page (whole, unless `fullPage` is false) or one element. */
export async function shot(target: Page | Locator, name: string, fullPage = true): Promise<void> {
  const path = new URL(`${name}.png`, out).pathname;
  if ('goto' in target) await target.screenshot({ path, fullPage });
  else await target.screenshot({ path });
  console.log(`test/screenshots/${name}.png`);
}
