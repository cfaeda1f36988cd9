/// <reference lib="dom" />
/**
 * Wallet linking in Chromium: an EIP-1193 provider injected into the page, backed by a key
 * held in Node (personal_sign is forwarded to viem), links the wallet from the account page;
 * then an application asking `EVMAddress Email` reads both from /oauth/api/2/user. And the
 * copy-paste path with JavaScript turned off.
 */
import type { Browser, Page } from 'playwright-core';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { createClient, token } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { registerInLoginApp } from '../support/pages.js';
import { startCallbackServer } from '../support/stand-ins.js';

let browser: Browser;
let t: TestGatehouse;
let callback: Awaited<ReturnType<typeof startCallbackServer>>;
let seq = 0;

beforeAll(async () => {
  browser = await launchChromium();
  callback = await startCallbackServer();
  t = await startGatehouse({ listen: true, env: { CAPTCHA: 'none' } });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await callback?.close();
});

/**
 * window.ethereum for the page, answering as a wallet does; personal_sign goes to `sign` in
 * Node. `declineFirst` makes the first signature request fail as a person saying no would.
 */
async function injectWallet(page: Page, key: Hex, options: { declineFirst?: boolean } = {}) {
  const account = privateKeyToAccount(key);
  let declined = !options.declineFirst;
  await page.exposeFunction('testWalletSign', async (message: Hex, from: string) => {
    if (from.toLowerCase() !== account.address.toLowerCase()) throw new Error('unknown account');
    if (!declined) {
      declined = true;
      return { error: { code: 4001, message: 'User rejected the request.' } };
    }
    return { result: await account.signMessage({ message: { raw: message } }) };
  });
  await page.addInitScript((address: string) => {
    const w = window as unknown as {
      ethereum: unknown;
      testWalletSign(message: string, from: string): Promise<{ result?: string; error?: { code: number; message: string } }>;
    };
    w.ethereum = {
      async request({ method, params }: { method: string; params?: unknown[] }) {
        if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [address.toLowerCase()];
        if (method === 'eth_chainId') return '0x1';
        if (method === 'personal_sign') {
          const answer = await w.testWalletSign(String(params?.[0]), String(params?.[1]));
          if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
          return answer.result;
        }
        throw Object.assign(new Error(`${method} is not supported`), { code: 4200 });
      },
    };
  }, account.address);
  return account;
}

describe('linking an EVM wallet in Chromium', () => {
  it('links through the injected wallet, and an application reads EVMAddress and Email', async () => {
    const client = await createClient(t, {
      client_name: 'Quest Board',
      redirect_uris: [callback.url],
      scope: 'openid EVMAddress Email',
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const account = await injectWallet(page, generatePrivateKey(), { declineFirst: true });
    const email = `evm${++seq}.${Date.now()}@example.com`;
    await registerInLoginApp(page, t, email);

    await page.getByRole('row', { name: /EVM/ }).getByRole('link', { name: 'Link' }).click();
    await page.waitForURL(`${t.issuer}/ui/account/identities/evm`);
    const connect = page.getByRole('button', { name: 'Connect your Ethereum wallet' });
    await connect.click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('You declined in your wallet');
    await expect(connect.isEnabled()).resolves.toBe(true);

    await connect.click();
    await page.waitForURL(`${t.issuer}/ui/account?done=linked`);
    await expect(page.locator('main').textContent()).resolves.toContain(account.address);
    expect(errors).toEqual([]);

    // An application asking for the address and the email gets both, as they are.
    await page.goto(
      `${t.issuer}/oauth2/auth?${new URLSearchParams({
        client_id: client.client_id,
        response_type: 'code',
        redirect_uri: callback.url,
        scope: 'openid EVMAddress Email',
        state: 'wallet-state',
      })}`,
    );
    await page.waitForURL(/\/ui\/consent/);
    await expect(page.locator('main').textContent()).resolves.toContain(account.address);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(callback.url));
    const landed = new URL(page.url());
    const tokens = await token(
      t,
      { grant_type: 'authorization_code', code: landed.searchParams.get('code') as string, redirect_uri: callback.url },
      { basic: [client.client_id, client.client_secret] },
    );
    const user = await t.publicApp.inject({
      url: '/oauth/api/2/user',
      headers: { authorization: `Bearer ${tokens.json().access_token}` },
    });
    expect(user.json()).toEqual({ EVMAddress: account.address, Email: email });
    await page.close();
  });

  it('links by copy and paste with JavaScript turned off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const account = privateKeyToAccount(generatePrivateKey());
    await registerInLoginApp(page, t, `paste${++seq}.${Date.now()}@example.com`);
    await page.goto(`${t.issuer}/ui/account/identities/evm`);
    // The connect button needs the script: without it, only the form shows.
    await expect(page.getByRole('button', { name: 'Connect your Ethereum wallet' }).count()).resolves.toBe(0);
    await page.getByLabel('Your address').fill(account.address);
    await page.getByRole('button', { name: 'Show the message to sign' }).click();
    const message = await page.getByLabel('Message to sign').inputValue();
    expect(message).toContain(`${account.address}\n\nLink this wallet to your Gatehouse account`);
    await page.getByLabel('Signature').fill(await account.signMessage({ message }));
    await page.getByRole('button', { name: 'Link this wallet' }).click();
    await page.waitForURL(`${t.issuer}/ui/account?done=linked`);
    await expect(page.locator('main').textContent()).resolves.toContain(account.address);
    await context.close();
  });
});
