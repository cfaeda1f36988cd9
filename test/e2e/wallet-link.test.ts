/**
 * Linking wallets over HTTP, as the page's script and the copy-paste forms do it: real keys
 * made here sign Gatehouse's challenges exactly as the wallets do; every refusal case per
 * chain family; the conflict; the audit log; and the linked addresses reaching an
 * application through /oauth/api/2/user.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InternalError } from '../../src/errors.js';
import type { WalletKind } from '../../src/wallets/chain.js';
import {
  aptosWallet,
  evmWallet,
  flowAccount,
  keplrWallet,
  type ProofFields,
  solanaWallet,
  startFlowAccessApi,
} from '../../src/wallets/test-support.js';
import { CHALLENGE_WINDOW_SECONDS } from '../../src/wallets/wallet-links.js';
import { Browser, createClient, runFlow, token } from '../support/flow.js';
import { atStartOfWindow, startGatehouse, type TestGatehouse } from '../support/harness.js';
import { codeIn } from '../support/stand-ins.js';

let t: TestGatehouse;
let flowApi: Awaited<ReturnType<typeof startFlowAccessApi>>;
let host: string;
let seq = 0;

beforeAll(async () => {
  flowApi = await startFlowAccessApi();
  t = await startGatehouse({ env: { CAPTCHA: 'none', FLOW_ACCESS_API: flowApi.url } });
  host = new URL(t.issuer).host;
});
afterAll(async () => {
  await t?.close();
  await flowApi?.close();
});

const location = (response: { headers: Record<string, unknown> }) => response.headers.location as string;

/** Each person is on a network address of their own, as people are (the limits count per address). */
const addresses = new WeakMap<Browser, string>();

/** Registers a new person through the login app; the browser holds their session. */
async function person(): Promise<{ browser: Browser; accountId: string }> {
  const ip = `198.51.100.${seq % 250}`;
  const app = { inject: (options: InjectOptions) => t.publicApp.inject({ ...options, remoteAddress: ip }) };
  const browser = new Browser(app as unknown as FastifyInstance);
  addresses.set(browser, ip);
  const email = `wallets${++seq}.${Date.now()}@example.com`;
  await browser.get('/ui/register');
  const sent = await browser.post('/ui/register', { method: 'email', email });
  expect(sent.statusCode).toBe(303);
  await browser.get(location(sent));
  const outbox = await t.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(email)}`);
  const verified = await browser.post('/ui/code', { code: codeIn(outbox.json().messages[0].text) });
  expect(location(verified)).toBe('/ui/account');
  const account = await t.gh.login.accounts.findByEmail(email);
  return { browser, accountId: account?.id as string };
}

interface ChallengeJson {
  nonce: string;
  address: string;
  message: string;
  to_sign: string;
  expires_at: string;
  wallet: Record<string, string>;
}

/** A POST as the page's script makes it: the page's form fields, asking for JSON. */
async function postJson(browser: Browser, url: string, form: Record<string, string>, ip = addresses.get(browser)) {
  return t.publicApp.inject({
    method: 'POST',
    url,
    ...(ip ? { remoteAddress: ip } : {}),
    headers: {
      cookie: browser.cookieHeader(url),
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams({ _csrf: browser.csrf as string, ...form }).toString(),
  });
}

async function askChallenge(browser: Browser, kind: WalletKind, address: string): Promise<ChallengeJson> {
  const page = await browser.get(`/ui/account/identities/${kind}`);
  expect(page.statusCode).toBe(200);
  const response = await postJson(browser, `/ui/account/identities/${kind}/challenge`, { address });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

const verifyJson = (browser: Browser, kind: WalletKind, c: ChallengeJson, proof: ProofFields) =>
  postJson(browser, `/ui/account/identities/${kind}/verify`, { nonce: c.nonce, ...proof } as Record<string, string>);

interface DriverWallet {
  /** As the person types it. */
  address: string;
  /** As Gatehouse shows and releases it. */
  display: string;
  sign(c: ChallengeJson): Promise<ProofFields>;
  /** A proof for the same challenge, but for another site. */
  signElsewhere(c: ChallengeJson): Promise<ProofFields>;
}

interface Driver {
  kind: WalletKind;
  scope: string;
  wallet(): DriverWallet;
  /** How the proof of another wallet of the same chain is refused. */
  anotherAddress: string;
  /** How a proof for another site is refused. */
  anotherDomain: string;
}

const elsewhere = (message: string) => message.replaceAll(host, 'evil.example');

const drivers: Driver[] = [
  {
    kind: 'evm',
    scope: 'EVMAddress',
    anotherAddress: 'invalid_signature',
    anotherDomain: 'wrong_domain',
    wallet() {
      const w = evmWallet();
      return {
        address: w.address.toLowerCase(),
        display: w.address,
        sign: w.sign,
        signElsewhere: (c) => w.signText(elsewhere(c.message)),
      };
    },
  },
  {
    kind: 'solana',
    scope: 'SolanaAddress',
    anotherAddress: 'invalid_signature',
    anotherDomain: 'wrong_domain',
    wallet() {
      const w = solanaWallet();
      return { address: w.address, display: w.address, sign: w.sign, signElsewhere: (c) => w.signText(elsewhere(c.message)) };
    },
  },
  {
    kind: 'aptos',
    scope: 'AptosAddress',
    anotherAddress: 'address_mismatch',
    anotherDomain: 'wrong_domain',
    wallet() {
      const w = aptosWallet();
      return {
        address: w.address.toUpperCase().replace('0X', '0x'),
        display: w.address,
        sign: w.sign,
        signElsewhere: async (c) => w.signFull(`APTOS\nmessage: ${elsewhere(c.wallet.message as string)}\nnonce: ${c.nonce}`),
      };
    },
  },
  {
    kind: 'sei',
    scope: 'SeiAddress',
    anotherAddress: 'address_mismatch',
    anotherDomain: 'wrong_domain',
    wallet() {
      const w = keplrWallet('sei');
      return { address: w.address, display: w.address, sign: w.sign, signElsewhere: (c) => w.signText(elsewhere(c.message)) };
    },
  },
  {
    kind: 'injective',
    scope: 'InjectiveAddress',
    anotherAddress: 'address_mismatch',
    anotherDomain: 'wrong_domain',
    wallet() {
      const w = keplrWallet('injective');
      return { address: w.address, display: w.address, sign: w.sign, signElsewhere: (c) => w.signText(elsewhere(c.message)) };
    },
  },
  {
    kind: 'flow',
    scope: 'FlowAddress',
    anotherAddress: 'address_mismatch',
    // The account proof signs only the app identifier, which names Gatehouse's host.
    anotherDomain: 'invalid_signature',
    wallet() {
      const account = flowAccount();
      flowApi.add(account);
      return {
        address: account.address.slice(2),
        display: account.address,
        sign: async (c) => ({ signature: account.proof(c.wallet.appIdentifier as string, c.nonce) }),
        signElsewhere: async (c) => ({ signature: account.proof('Gatehouse (evil.example)', c.nonce) }),
      };
    },
  },
];

describe.each(drivers)('$kind wallets', (driver) => {
  it('link with a real signature, shown on the account page and written to the audit log', async () => {
    const { browser, accountId } = await person();
    const wallet = driver.wallet();
    const c = await askChallenge(browser, driver.kind, wallet.address);
    expect(c.address).toBe(wallet.display);
    expect(c.message).toContain(`${host} wants you to sign in with your`);
    expect(c.message).toContain(`Nonce: ${c.nonce}`);
    const verified = await verifyJson(browser, driver.kind, c, await wallet.sign(c));
    expect(verified.statusCode, verified.body).toBe(200);
    expect(verified.json()).toEqual({
      linked: { kind: driver.kind, address: wallet.display },
      redirect_to: '/ui/account?done=linked',
    });

    const identities = await t.gh.identities.list(accountId);
    expect(identities).toMatchObject([{ kind: driver.kind, display_name: wallet.display }]);
    const [entry] = await t.gh.audit.list({ limit: 5, action: 'identity.linked', targetId: accountId });
    expect(entry).toMatchObject({
      actor: { type: 'account', id: accountId },
      target: { type: 'account', id: accountId },
      details: { kind: driver.kind, name: wallet.display },
    });
    const account = await browser.get('/ui/account');
    expect(account.body).toContain(wallet.display);
  });

  it('refuse a wrong signature, another address, another domain, an expired challenge, a replayed nonce and an address linked elsewhere', async () => {
    const { browser, accountId } = await person();
    const wallet = driver.wallet();
    const expectError = async (proofFor: (c: ChallengeJson) => Promise<ProofFields>, error: string, c?: ChallengeJson) => {
      const challenge = c ?? (await askChallenge(browser, driver.kind, wallet.address));
      const response = await verifyJson(browser, driver.kind, challenge, await proofFor(challenge));
      expect(response.json(), `${driver.kind}: ${error}`).toMatchObject({ error });
      expect(response.json().error_description).toMatch(/\w/);
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      return challenge;
    };

    // A wallet that signed the right text with a broken signature.
    await expectError(async (c) => {
      const proof = await wallet.sign(c);
      return { ...proof, signature: proof.signature.replace(/[0-9a-f](?=[^0-9a-f]*$)/, (d) => (d === '0' ? '1' : '0')) };
    }, 'invalid_signature');
    // Another wallet of the same chain signing this address's challenge.
    const other = driver.wallet();
    await expectError((c) => other.sign(c), driver.anotherAddress);
    await expectError((c) => wallet.signElsewhere(c), driver.anotherDomain);

    const late = await askChallenge(browser, driver.kind, wallet.address);
    t.advance(601);
    await expectError((c) => wallet.sign(c), 'challenge_expired', late);

    const c = await askChallenge(browser, driver.kind, wallet.address);
    const proof = await wallet.sign(c);
    expect((await verifyJson(browser, driver.kind, c, proof)).statusCode).toBe(200);
    const replayed = await verifyJson(browser, driver.kind, c, proof);
    expect(replayed.statusCode).toBe(409);
    expect(replayed.json().error).toBe('challenge_used');

    // Another person proves the same address: refused, and the first keeps it.
    const second = await person();
    const theirs = await askChallenge(second.browser, driver.kind, wallet.address);
    const taken = await verifyJson(second.browser, driver.kind, theirs, await wallet.sign(theirs));
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({
      error: 'conflict',
      error_description: expect.stringContaining('another Gatehouse account'),
    });
    expect(await t.gh.identities.list(second.accountId)).toEqual([]);
    expect(await t.gh.identities.list(accountId)).toMatchObject([{ kind: driver.kind, display_name: wallet.display }]);
  });
});

describe('the copy-paste path, without JavaScript', () => {
  it('shows the message to sign, keeps it after a wrong signature, and links with the right one', async () => {
    const { browser } = await person();
    const wallet = evmWallet();
    const page = await browser.get('/ui/account/identities/evm');
    expect(page.body).toContain('<script src="/ui/assets/wallet-link.js" type="module" defer></script>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');

    const bad = await browser.post('/ui/account/identities/evm/challenge', { address: 'not an address' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('aria-invalid="true"');
    expect(bad.body).toContain('Enter an Ethereum address');

    const shown = await browser.post('/ui/account/identities/evm/challenge', { address: wallet.address });
    expect(shown.statusCode).toBe(200);
    const nonce = /name="nonce" value="([0-9a-f]+)"/.exec(shown.body)?.[1] as string;
    const message = /<textarea id="wl-message"[^>]*>([\s\S]*?)<\/textarea>/.exec(shown.body)?.[1] as string;
    expect(message).toContain(`Nonce: ${nonce}`);
    const text = message.replaceAll('&#39;', "'").replaceAll('&amp;', '&');

    const wrong = await browser.post('/ui/account/identities/evm/verify', { nonce, signature: `0x${'ab'.repeat(65)}` });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('was not made by');
    expect(wrong.body).toContain(`name="nonce" value="${nonce}"`);

    const { signature } = await wallet.signText(text);
    const linked = await browser.post('/ui/account/identities/evm/verify', { nonce, signature });
    expect(linked.statusCode).toBe(303);
    expect(location(linked)).toBe('/ui/account?done=linked');
    const again = await browser.post('/ui/account/identities/evm/verify', { nonce, signature });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already used');
    expect(again.body).toContain('Your address');
  });

  it('returns to a same-site page after linking, and to the account page for anything else', async () => {
    const { browser } = await person();
    const consent = '/ui/consent?consent_challenge=abc';
    for (const [returnTo, expected] of [
      [consent, consent],
      ['//evil.example/ui/x', '/ui/account?done=linked'],
      ['https://evil.example/ui/x', '/ui/account?done=linked'],
    ] as const) {
      const wallet = solanaWallet();
      const page = await browser.get(`/ui/account/identities/solana?return_to=${encodeURIComponent(returnTo)}`);
      expect(page.statusCode).toBe(200);
      if (expected === consent) expect(page.body).toContain(`data-return-to="${consent}"`);
      const shown = await browser.post('/ui/account/identities/solana/challenge', {
        address: wallet.address,
        return_to: returnTo,
      });
      const nonce = /name="nonce" value="([0-9a-f]+)"/.exec(shown.body)?.[1] as string;
      const message = /<textarea id="wl-message"[^>]*>([\s\S]*?)<\/textarea>/.exec(shown.body)?.[1] as string;
      const { signature } = await wallet.signText(message);
      const linked = await browser.post('/ui/account/identities/solana/verify', { nonce, signature, return_to: returnTo });
      expect(location(linked)).toBe(expected);
    }
  });

  it('shows a page with a way back when the address belongs to another account', async () => {
    const wallet = keplrWallet('sei');
    const first = await person();
    const c = await askChallenge(first.browser, 'sei', wallet.address);
    expect((await verifyJson(first.browser, 'sei', c, await wallet.sign(c))).statusCode).toBe(200);

    const { browser } = await person();
    const shown = await browser.post('/ui/account/identities/sei/challenge', { address: wallet.address });
    expect(shown.statusCode).toBe(200);
    const nonce = /name="nonce" value="([0-9a-f]+)"/.exec(shown.body)?.[1] as string;
    const message = /<textarea id="wl-message"[^>]*>([\s\S]*?)<\/textarea>/.exec(shown.body)?.[1] as string;
    const taken = await browser.post('/ui/account/identities/sei/verify', {
      nonce,
      signature: (await wallet.signText(message)).signature,
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('This wallet is linked to another account');
    expect(taken.body).toContain('href="/ui/account">Back to your account</a>');
  });
});

describe('guards', () => {
  it('sends a signed-out browser to sign in, and tells the script so', async () => {
    const browser = new Browser(t.publicApp);
    const page = await browser.get('/ui/account/identities/aptos');
    expect(page.statusCode).toBe(303);
    expect(location(page)).toBe('/ui/login');
    await browser.get('/ui/login');
    const json = await postJson(browser, '/ui/account/identities/aptos/challenge', { address: '0x1' });
    expect(json.statusCode).toBe(401);
    expect(json.json().error).toBe('login_required');
  });

  it('refuses a post without the CSRF token, as JSON to the script and as a page to a form', async () => {
    const { browser } = await person();
    await browser.get('/ui/account/identities/evm');
    const asScript = await postJson(browser, '/ui/account/identities/evm/challenge', {
      _csrf: 'forged',
      address: evmWallet().address,
    });
    expect(asScript.statusCode).toBe(403);
    expect(asScript.json().error).toBe('invalid_request');
    const asForm = await browser.post('/ui/account/identities/evm/challenge', { _csrf: 'forged', address: evmWallet().address });
    expect(asForm.statusCode).toBe(403);
    expect(asForm.headers['content-type']).toContain('text/html');
  });

  it('answers bad input with a clear error, never a server error', async () => {
    const { browser } = await person();
    const c = await askChallenge(browser, 'aptos', aptosWallet().address);
    const forms: Record<string, string>[] = [
      { nonce: c.nonce, signature: '' },
      { nonce: c.nonce, signature: 'zz', public_key: '0x12' },
      { nonce: 'unknown', signature: '0x00' },
      { signature: '0x00' },
      { nonce: c.nonce, signature: '{"pub_key":', message: 'APTOS\nmessage: x\nnonce: y' },
    ];
    for (const form of forms) {
      const response = await postJson(browser, '/ui/account/identities/aptos/verify', form);
      expect(response.statusCode, JSON.stringify(form)).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.json().error_description).toMatch(/\w/);
    }
    const flowBrowser = await person();
    const account = flowAccount();
    const unknown = await askChallenge(flowBrowser.browser, 'flow', account.address);
    const response = await verifyJson(flowBrowser.browser, 'flow', unknown, {
      signature: account.proof(unknown.wallet.appIdentifier as string, unknown.nonce),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_address', error_description: expect.stringContaining('no account') });
  });

  it('says when the Flow network cannot be reached, and keeps the message to try again', async () => {
    const { browser } = await person();
    const account = flowAccount();
    flowApi.add(account);
    flowApi.fail(account);
    const c = await askChallenge(browser, 'flow', account.address);
    const proof = { signature: account.proof(c.wallet.appIdentifier as string, c.nonce) };
    const asScript = await verifyJson(browser, 'flow', c, proof);
    expect(asScript.statusCode).toBe(502);
    expect(asScript.json().error).toBe('wallet_network_unavailable');
    const asForm = await browser.post('/ui/account/identities/flow/verify', { nonce: c.nonce, ...proof });
    expect(asForm.statusCode).toBe(502);
    expect(asForm.body).toContain('The Flow network gave no usable answer');
    expect(asForm.body).toContain(`name="nonce" value="${c.nonce}"`);
  });

  it('shows the script no server fault: an internal error is a plain server_error, never its message', async () => {
    const { browser } = await person();
    await browser.get('/ui/account/identities/solana');
    const fault = vi
      .spyOn(t.gh.login.limiter, 'hit')
      .mockRejectedValueOnce(new InternalError('key material for tenant 42 is missing'));
    try {
      const response = await postJson(browser, '/ui/account/identities/solana/challenge', { address: solanaWallet().address });
      expect(response.statusCode).toBe(500);
      expect(response.json().error).toBe('server_error');
      expect(response.body).not.toContain('tenant 42');
    } finally {
      fault.mockRestore();
    }
  });

  it('limits how many messages one account asks for', async () => {
    atStartOfWindow(t, CHALLENGE_WINDOW_SECONDS);
    const { browser } = await person();
    const wallet = solanaWallet();
    await browser.get('/ui/account/identities/solana');
    let last = 200;
    // From a new network address each time, so that only the account's own limit can stop it.
    for (let i = 0; i < 31; i++) {
      const response = await postJson(
        browser,
        '/ui/account/identities/solana/challenge',
        { address: wallet.address },
        `203.0.113.${i}`,
      );
      last = response.statusCode;
      if (last !== 200) expect(response.json().error_description).toContain('on this account');
    }
    expect(last).toBe(429);
  });
});

describe('what applications read', () => {
  it('releases each linked address for its scope from /oauth/api/2/user', async () => {
    const { browser, accountId } = await person();
    const expected: Record<string, string> = {};
    for (const driver of drivers) {
      const wallet = driver.wallet();
      const c = await askChallenge(browser, driver.kind, wallet.address);
      expect((await verifyJson(browser, driver.kind, c, await wallet.sign(c))).statusCode).toBe(200);
      expected[driver.scope] = wallet.display;
    }
    const scope = `openid ${Object.keys(expected).join(' ')}`;
    const client = await createClient(t, { scope });
    const { query } = await runFlow(t, { client, scope, subject: accountId });
    const tokens = await token(
      t,
      { grant_type: 'authorization_code', code: query.get('code') as string, redirect_uri: client.redirect_uris[0] as string },
      { basic: [client.client_id, client.client_secret] },
    );
    const user = await t.publicApp.inject({
      url: '/oauth/api/2/user',
      headers: { authorization: `Bearer ${tokens.json().access_token}` },
    });
    expect(user.json()).toEqual(expected);
  });
});
