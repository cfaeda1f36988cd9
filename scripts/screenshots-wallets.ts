/**
 * Regenerates test/screenshots/wallet-*.png: linking wallets as a person sees it (the link
 * page with a browser wallet, and without one; the copy-paste step; a wrong signature; Flow's
 * account proof; an address that another account holds; a phone; the account page after).
 * Run by hand (npx tsx scripts/screenshots-wallets.ts), not by CI.
 */
import type { Page } from 'playwright-core';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { flowAccount, keplrWallet, solanaWallet, startFlowAccessApi } from '../src/wallets/test-support.js';
import { launchChromium } from '../test/support/chromium.js';
import { startGatehouse } from '../test/support/harness.js';
import { registerInLoginApp } from '../test/support/pages.js';
import { shot } from './screenshot-support.js';

const flowApi = await startFlowAccessApi();
const t = await startGatehouse({ listen: true, env: { CAPTCHA: 'none', FLOW_ACCESS_API: flowApi.url } });
const browser = await launchChromium();

/** A page whose window.ethereum is a wallet that signs with `key` in Node. */
async function withWallet(page: Page, key: `0x${string}`) {
  const account = privateKeyToAccount(key);
  await page.exposeFunction('screenshotSign', (message: `0x${string}`) => account.signMessage({ message: { raw: message } }));
  await page.addInitScript((address: string) => {
    const w = window as unknown as { ethereum: unknown; screenshotSign(m: string): Promise<string> };
    w.ethereum = {
      async request({ method, params }: { method: string; params?: unknown[] }) {
        if (method === 'eth_requestAccounts') return [address];
        if (method === 'eth_chainId') return '0x1';
        if (method === 'personal_sign') return w.screenshotSign(String(params?.[0]));
        throw Object.assign(new Error('unsupported'), { code: 4200 });
      },
    };
  }, account.address);
  return account;
}

try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  const evm = await withWallet(page, generatePrivateKey());
  await registerInLoginApp(page, t, 'ada@example.com');

  await page.goto(`${t.issuer}/ui/account/identities/evm`);
  await page.getByRole('button', { name: 'Connect your Ethereum wallet' }).waitFor();
  await shot(page, 'wallet-evm');
  await page.getByRole('button', { name: 'Connect your Ethereum wallet' }).click();
  await page.waitForURL(/done=linked/);

  // Solana without a browser wallet: the copy-paste path, a wrong signature first.
  const sol = solanaWallet();
  await page.goto(`${t.issuer}/ui/account/identities/solana`);
  await page.getByText('No Solana wallet was found').waitFor();
  await shot(page, 'wallet-no-wallet');
  await page.getByLabel('Your address').fill(sol.address);
  await page.getByRole('button', { name: 'Show the message to sign' }).click();
  await shot(page, 'wallet-sign');
  await page.getByLabel('Signature').fill('3AhUGxh1rNX6vyPbBaRTtxiGkgg3iCCJ7e4ym4yWJbJ');
  await page.getByRole('button', { name: 'Link this wallet' }).click();
  await shot(page, 'wallet-wrong-signature');
  const message = await page.getByLabel('Message to sign').inputValue();
  await page.getByLabel('Signature').fill((await sol.signText(message)).signature);
  await page.getByRole('button', { name: 'Link this wallet' }).click();
  await page.waitForURL(/done=linked/);

  // Flow: the account proof to paste.
  const flow = flowAccount();
  flowApi.add(flow);
  await page.goto(`${t.issuer}/ui/account/identities/flow`);
  await page.getByLabel('Your address').fill(flow.address);
  await page.getByRole('button', { name: 'Show the message to sign' }).click();
  await shot(page, 'wallet-flow');

  // A Sei address another account already holds.
  const sei = keplrWallet('sei');
  const other = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  await registerInLoginApp(other, t, 'grace@example.com');
  for (const p of [other, page]) {
    await p.goto(`${t.issuer}/ui/account/identities/sei`);
    await p.getByLabel('Your address').fill(sei.address);
    await p.getByRole('button', { name: 'Show the message to sign' }).click();
    const text = await p.getByLabel('Message to sign').inputValue();
    await p.getByLabel('Signature').fill((await sei.signText(text)).signature);
    await p.getByRole('button', { name: 'Link this wallet' }).click();
  }
  await shot(page, 'wallet-taken');

  await page.goto(`${t.issuer}/ui/account?done=linked`);
  await shot(page, 'wallet-account');

  const phone = await browser.newPage({ viewport: { width: 390, height: 780 }, isMobile: true });
  await withWallet(phone, generatePrivateKey());
  await phone.context().addCookies(await page.context().cookies());
  await phone.goto(`${t.issuer}/ui/account/identities/aptos?return_to=${encodeURIComponent('/ui/consent?consent_challenge=x')}`);
  await shot(phone, 'wallet-phone');
  console.log(`linked ${evm.address}`);
} finally {
  await browser.close();
  await t.close();
  await flowApi.close();
}
