/**
 * Linked identities once proved (the connectors and wallet verifiers have their own suites):
 * one owner per identity, what the account page and the consent page show, and what an
 * application reads from /oauth/api/2/user, /userinfo and the ID token, per granted scope.
 */

import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDENTITIES_CLAIM } from '../../src/accounts/user-fields.js';
import { systemActor } from '../../src/events/actor.js';
import { Browser, createClient, token } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';
import { codeIn } from '../support/stand-ins.js';

let t: TestGatehouse;
let client: Awaited<ReturnType<typeof createClient>>;
let seq = 0;
const uniqueEmail = () => `linker${++seq}.${Date.now()}@example.com`;
const SCOPE = 'openid Email GatehouseID Twitter EVMAddress SolanaAddress';

beforeAll(async () => {
  t = await startGatehouse({ env: { CAPTCHA: 'none' } });
  client = await createClient(t, { client_name: 'Quest Board', scope: SCOPE });
});
afterAll(() => t?.close());

const pathOf = (url: string) => {
  const u = new URL(url, 'http://x');
  return u.pathname + u.search;
};
const location = (response: { headers: Record<string, unknown> }) => response.headers.location as string;
const evm = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const twitter = (id: string, name: string) => ({ kind: 'twitter' as const, externalId: id, displayName: name });

async function lastCode(to: string): Promise<string> {
  const response = await t.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(to)}`);
  return codeIn(response.json().messages[0].text);
}

/** Registers a person through the login app and stops at the consent page; returns its path. */
async function toConsent(browser: Browser, email: string) {
  const start = await browser.get(
    `/oauth2/auth?${new URLSearchParams({ client_id: client.client_id, response_type: 'code', redirect_uri: client.redirect_uris[0] as string, scope: SCOPE, state: 'st4te-value' })}`,
  );
  const loginPath = location(start);
  await browser.get(loginPath);
  const challenge = new URL(loginPath, 'http://x').searchParams.get('login_challenge') as string;
  const sent = await browser.post('/ui/register', { login_challenge: challenge, method: 'email', email, remember: '1' });
  await browser.get(location(sent));
  const verified = await browser.post('/ui/code', { login_challenge: challenge, code: await lastCode(email) });
  const next = await browser.get(location(verified));
  const consentPath = location(next);
  expect(new URL(consentPath, 'http://x').pathname).toBe('/ui/consent');
  const account = await t.gh.login.accounts.findByEmail(email);
  return { consentPath, account: account as NonNullable<typeof account> };
}

async function allow(browser: Browser, consentPath: string) {
  const challenge = new URL(consentPath, 'http://x').searchParams.get('consent_challenge') as string;
  const decided = await browser.post('/ui/consent', { consent_challenge: challenge, decision: 'allow', remember: '1' });
  const callback = new URL(location(await browser.get(location(decided))));
  const response = await token(
    t,
    {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') as string,
      redirect_uri: client.redirect_uris[0] as string,
    },
    { basic: [client.client_id, client.client_secret] },
  );
  expect(response.statusCode).toBe(200);
  return response.json();
}

const api = (path: string, accessToken: string) =>
  t.publicApp.inject({ url: path, headers: { authorization: `Bearer ${accessToken}` } });

describe('an identity has one owner', () => {
  it('is refused to a second account, refreshed for its owner, and replaced by another of its kind', async () => {
    const ada = await t.gh.login.accounts.register({ email: uniqueEmail() });
    const bob = await t.gh.login.accounts.register({ email: uniqueEmail() });
    await t.gh.identities.link(systemActor(), ada.id, twitter('1001', 'ada'));
    await expect(t.gh.identities.link(systemActor(), bob.id, twitter('1001', 'ada'))).rejects.toMatchObject({
      error: 'conflict',
      status: 409,
      description: 'This X (Twitter) account is already linked to another Gatehouse account.',
    });
    // The same identity again: the new username is kept (a renamed account).
    await t.gh.identities.link(systemActor(), ada.id, twitter('1001', 'ada_lovelace'));
    expect((await t.gh.identities.list(ada.id)).map((i) => i.display_name)).toEqual(['ada_lovelace']);
    // Another X account replaces the first; the first is free for someone else.
    await t.gh.identities.link(systemActor(), ada.id, twitter('2002', 'ada2'));
    expect((await t.gh.identities.list(ada.id)).map((i) => i.external_id)).toEqual(['2002']);
    await t.gh.identities.link(systemActor(), bob.id, twitter('1001', 'bob_now'));
    expect((await t.gh.identities.find('twitter', '1001'))?.account_id).toBe(bob.id);
  });

  it('goes to exactly one of two accounts linking it at once', async () => {
    const accounts = await Promise.all([1, 2, 3].map(() => t.gh.login.accounts.register({ email: uniqueEmail() })));
    const results = await Promise.allSettled(
      accounts.map((a) => t.gh.identities.link(systemActor(), a.id, { kind: 'evm', externalId: evm(7), displayName: evm(7) })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ error: 'conflict' });
  });

  it('records links and unlinks in the audit log', async () => {
    const ada = await t.gh.login.accounts.register({ email: uniqueEmail() });
    await t.gh.identities.link(systemActor(), ada.id, { kind: 'solana', externalId: 'So1ana111', displayName: 'So1ana111' });
    await t.gh.identities.unlink(systemActor(), ada.id, 'solana');
    const entries = (await t.adminApp.inject(`/admin/audit?target_id=${ada.id}&action=identity.`)).json();
    expect(entries.map((e: { action: string; details: unknown }) => [e.action, e.details])).toEqual([
      ['identity.unlinked', { kind: 'solana', name: 'So1ana111' }],
      ['identity.linked', { kind: 'solana', name: 'So1ana111' }],
    ]);
    await expect(t.gh.identities.unlink(systemActor(), ada.id, 'solana')).rejects.toMatchObject({ error: 'not_found' });
  });
});

describe('what an application reads', () => {
  it('shows each value at consent, grants only what it showed, and releases exactly the granted fields', async () => {
    const browser = new Browser(t.publicApp);
    const email = uniqueEmail();
    const { consentPath, account } = await toConsent(browser, email);
    const n = 5000 + seq;
    await t.gh.identities.link(systemActor(), account.id, twitter(`tw-${seq}`, 'ada_<b>'));
    await t.gh.identities.link(systemActor(), account.id, { kind: 'evm', externalId: evm(n).toLowerCase(), displayName: evm(n) });

    const page = await browser.get(consentPath);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<code class="shared">${email}</code>`);
    expect(page.body).toContain(`<code class="shared">${account.id}</code>`);
    expect(page.body).toContain('<code class="shared">ada_&lt;b&gt;</code>');
    expect(page.body).toContain(`<code class="shared">${evm(n)}</code>`);
    // Solana is asked but not linked: a way to link it, and a way back to this very page.
    expect(page.body).toContain(
      `href="/ui/account/identities/solana?${new URLSearchParams({ return_to: pathOf(consentPath) })}"`,
    );
    expect(page.body).toContain('Not linked yet: nothing will be shared.');

    const tokens = await allow(browser, consentPath);
    expect(tokens.scope.split(' ').sort()).toEqual(['EVMAddress', 'Email', 'GatehouseID', 'Twitter', 'openid']);
    const user = await api('/oauth/api/2/user', tokens.access_token);
    expect(user.json()).toEqual({
      Email: email,
      GatehouseID: account.id,
      TwitterUsername: 'ada_<b>',
      TwitterUserID: `tw-${seq}`,
      EVMAddress: evm(n),
    });
    const narrowed = await api('/oauth/api/2/user?scope=EVMAddress', tokens.access_token);
    expect(narrowed.json()).toEqual({ EVMAddress: evm(n) });
    // Linking Solana now does not hand it to this application: it was not granted.
    await t.gh.identities.link(systemActor(), account.id, { kind: 'solana', externalId: `Sol${seq}`, displayName: `Sol${seq}` });
    expect((await api('/oauth/api/2/user?scope=SolanaAddress', tokens.access_token)).statusCode).toBe(403);

    const claims = decodeJwt(tokens.id_token);
    expect(claims[IDENTITIES_CLAIM]).toEqual({ TwitterUsername: 'ada_<b>', TwitterUserID: `tw-${seq}`, EVMAddress: evm(n) });
    const info = await api('/userinfo', tokens.access_token);
    expect(info.json()[IDENTITIES_CLAIM]).toEqual({
      TwitterUsername: 'ada_<b>',
      TwitterUserID: `tw-${seq}`,
      EVMAddress: evm(n),
    });

    // Unlinked later: gone from the API and from userinfo at once (the ID token was a snapshot).
    await t.gh.identities.unlink(systemActor(), account.id, 'twitter');
    expect((await api('/oauth/api/2/user', tokens.access_token)).json()).not.toHaveProperty('TwitterUsername');
    expect((await api('/userinfo', tokens.access_token)).json()[IDENTITIES_CLAIM]).toEqual({ EVMAddress: evm(n) });
  });

  it('lists identities on the account page, and unlinks in one click', async () => {
    const browser = new Browser(t.publicApp);
    const { consentPath, account } = await toConsent(browser, uniqueEmail());
    await allow(browser, consentPath);
    await t.gh.identities.link(systemActor(), account.id, {
      kind: 'evm',
      externalId: evm(900 + seq),
      displayName: evm(900 + seq),
    });
    const page = await browser.get('/ui/account');
    expect(page.body).toContain('Linked accounts and wallets');
    expect(page.body).toContain(`<code>${evm(900 + seq)}</code>`);
    expect(page.body).toContain('href="/ui/account/identities/solana"');
    const unlinked = await browser.post('/ui/account/identities/unlink', { kind: 'evm' });
    expect(location(unlinked)).toBe('/ui/account?done=unlinked');
    expect(await t.gh.identities.list(account.id)).toEqual([]);
    // A second click (another tab) lands on the same page; a made-up kind is a clear 400.
    expect(location(await browser.post('/ui/account/identities/unlink', { kind: 'evm' }))).toBe('/ui/account?done=unlinked');
    const bogus = await browser.post('/ui/account/identities/unlink', { kind: 'myspace' });
    expect(bogus.statusCode).toBe(400);
    expect(bogus.body).toContain('not a kind of identity');
    const forged = await browser.post('/ui/account/identities/unlink', { kind: 'evm', _csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
  });
});
