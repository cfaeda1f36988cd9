import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { AccountStore } from '../accounts/account-store.js';
import { Accounts } from '../accounts/accounts.js';
import { LinkedIdentities } from '../accounts/linked-identities.js';
import { LinkedIdentityStore } from '../accounts/linked-identity-store.js';
import { RateLimiter } from '../accounts/rate-limit.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { systemActor } from '../events/actor.js';
import { EventBus, type StampedEvent } from '../events/events.js';
import { evmWallet, solanaWallet } from './test-support.js';
import { CHALLENGES_PER_ACCOUNT_HOUR, type IssuedChallenge, WalletLinks } from './wallet-links.js';

let database: Database;
let clock = Date.parse('2031-05-01T12:00:00Z');
const now = () => clock;
const events: StampedEvent[] = [];
let accounts: Accounts;
let identities: LinkedIdentities;
let links: WalletLinks;
let seq = 0;

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  const bus = new EventBus(now);
  bus.on((e) => {
    events.push(e);
  });
  accounts = new Accounts({ store: new AccountStore(database.db), now });
  identities = new LinkedIdentities({ store: new LinkedIdentityStore(database.db), events: bus, now });
  links = new WalletLinks({
    db: database.db,
    identities,
    limiter: new RateLimiter(database.db, now),
    now,
    issuer: 'http://127.0.0.1:4444',
    flowAccessApi: 'http://127.0.0.1:9',
  });
});
afterAll(() => database?.close());

const newAccount = async () => (await accounts.register({ email: `wallet${++seq}@example.com` })).id;
const forWallet = (c: IssuedChallenge) => ({ message: c.message, nonce: c.nonce, wallet: c.wallet });

describe('challenges', () => {
  it('name the domain, the URI, the address, a 128-bit nonce, issued-at and a 10-minute expiry', async () => {
    const accountId = await newAccount();
    const wallet = evmWallet();
    const c = await links.challenge(accountId, 'evm', wallet.address.toLowerCase(), { chainId: '0x89' });
    expect(c.address).toBe(wallet.address);
    expect(c.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(c.expiresAt.getTime() - clock).toBe(600_000);
    expect(c.message).toBe(
      [
        'http://127.0.0.1:4444 wants you to sign in with your Ethereum account:',
        wallet.address,
        '',
        'Link this wallet to your Gatehouse account',
        '',
        'URI: http://127.0.0.1:4444/ui/account/identities/evm',
        'Version: 1',
        'Chain ID: 137',
        `Nonce: ${c.nonce}`,
        `Issued At: ${new Date(clock).toISOString()}`,
        `Expiration Time: ${new Date(clock + 600_000).toISOString()}`,
      ].join('\n'),
    );
    const again = await links.challenge(accountId, 'evm', wallet.address);
    expect(again.nonce).not.toBe(c.nonce);
  });

  it('refuse what is not an address of the chain', async () => {
    const accountId = await newAccount();
    await expect(links.challenge(accountId, 'solana', '0xdeadbeef')).rejects.toMatchObject({
      error: 'invalid_address',
      status: 400,
    });
    await expect(links.challenge(accountId, 'evm', '')).rejects.toMatchObject({ error: 'invalid_address' });
  });

  it('are counted per account: past the hourly ceiling, none is written', async () => {
    const accountId = await newAccount();
    const wallet = evmWallet();
    for (let i = 0; i < CHALLENGES_PER_ACCOUNT_HOUR; i++) await links.challenge(accountId, 'evm', wallet.address);
    await expect(links.challenge(accountId, 'evm', wallet.address)).rejects.toMatchObject({
      error: 'too_many_requests',
      status: 429,
    });
    // Another account is not held back by this one.
    await expect(links.challenge(await newAccount(), 'evm', wallet.address)).resolves.toBeDefined();
  });
});

describe('linking', () => {
  it('links the address, records it, and spends the challenge', async () => {
    const accountId = await newAccount();
    const wallet = evmWallet();
    const c = await links.challenge(accountId, 'evm', wallet.address);
    const linked = await links.link(systemActor(), accountId, 'evm', { nonce: c.nonce, ...(await wallet.sign(forWallet(c))) });
    expect(linked).toMatchObject({ kind: 'evm', external_id: wallet.address.toLowerCase(), display_name: wallet.address });
    expect(events.at(-1)).toMatchObject({ type: 'identity.linked', accountId, kind: 'evm', name: wallet.address });
    await expect(
      links.link(systemActor(), accountId, 'evm', { nonce: c.nonce, ...(await wallet.sign(forWallet(c))) }),
    ).rejects.toMatchObject({
      error: 'challenge_used',
      status: 409,
    });
  });

  it('finds the challenge from the message when the nonce is not given', async () => {
    const accountId = await newAccount();
    const wallet = solanaWallet();
    const c = await links.challenge(accountId, 'solana', wallet.address);
    await expect(links.link(systemActor(), accountId, 'solana', await wallet.signText(c.message))).resolves.toMatchObject({
      kind: 'solana',
    });
  });

  it('refuses an expired challenge, another account’s, and a message for another site', async () => {
    const accountId = await newAccount();
    const wallet = evmWallet();
    const expired = await links.challenge(accountId, 'evm', wallet.address);
    clock += 601_000;
    await expect(
      links.link(systemActor(), accountId, 'evm', { nonce: expired.nonce, ...(await wallet.sign(forWallet(expired))) }),
    ).rejects.toMatchObject({
      error: 'challenge_expired',
    });

    const c = await links.challenge(accountId, 'evm', wallet.address);
    const stranger = await newAccount();
    await expect(
      links.link(systemActor(), stranger, 'evm', { nonce: c.nonce, ...(await wallet.sign(forWallet(c))) }),
    ).rejects.toMatchObject({
      error: 'challenge_unknown',
    });
    await expect(links.link(systemActor(), accountId, 'solana', { nonce: c.nonce, signature: 'x' })).rejects.toMatchObject({
      error: 'challenge_unknown',
    });

    const elsewhere = c.message.replaceAll('127.0.0.1:4444', 'evil.example');
    await expect(
      links.link(systemActor(), accountId, 'evm', { nonce: c.nonce, ...(await wallet.signText(elsewhere)) }),
    ).rejects.toMatchObject({
      error: 'wrong_domain',
      description: expect.stringContaining('evil.example'),
    });
    const https = c.message.replace('http://127.0.0.1:4444 wants', '127.0.0.1:4444 wants');
    await expect(
      links.link(systemActor(), accountId, 'evm', { nonce: c.nonce, ...(await wallet.signText(https)) }),
    ).rejects.toMatchObject({
      error: 'wrong_domain',
    });
    const edited = c.message.replace('Link this wallet', 'Give away this wallet');
    await expect(
      links.link(systemActor(), accountId, 'evm', { nonce: c.nonce, ...(await wallet.signText(edited)) }),
    ).rejects.toMatchObject({
      error: 'invalid_message',
    });
    const other = evmWallet();
    const theirs = c.message.replace(wallet.address, other.address);
    await expect(
      links.link(systemActor(), accountId, 'evm', { nonce: c.nonce, ...(await other.signText(theirs)) }),
    ).rejects.toMatchObject({
      error: 'address_mismatch',
    });
    // None of those spent it: the right signature still links.
    await expect(
      links.link(systemActor(), accountId, 'evm', { nonce: c.nonce, ...(await wallet.sign(forWallet(c))) }),
    ).resolves.toBeDefined();
  });

  it('spends a challenge once when two requests race with the same signature', async () => {
    const accountId = await newAccount();
    const wallet = evmWallet();
    const c = await links.challenge(accountId, 'evm', wallet.address);
    const proof = { nonce: c.nonce, ...(await wallet.sign(forWallet(c))) };
    const results = await Promise.allSettled([
      links.link(systemActor(), accountId, 'evm', proof),
      links.link(systemActor(), accountId, 'evm', proof),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { error: 'challenge_used' } });
  });

  it('tells a person who proved an address that another account has it', async () => {
    const wallet = evmWallet();
    const first = await newAccount();
    const c1 = await links.challenge(first, 'evm', wallet.address);
    await links.link(systemActor(), first, 'evm', { nonce: c1.nonce, ...(await wallet.sign(forWallet(c1))) });
    const second = await newAccount();
    const c2 = await links.challenge(second, 'evm', wallet.address);
    await expect(
      links.link(systemActor(), second, 'evm', { nonce: c2.nonce, signature: `0x${'11'.repeat(65)}` }),
    ).rejects.toMatchObject({
      error: 'invalid_signature',
    });
    await expect(
      links.link(systemActor(), second, 'evm', { nonce: c2.nonce, ...(await wallet.sign(forWallet(c2))) }),
    ).rejects.toMatchObject({
      error: 'conflict',
      status: 409,
    });
  });

  it('forgets challenges a day after they expired', async () => {
    const accountId = await newAccount();
    const c = await links.challenge(accountId, 'evm', evmWallet().address);
    expect(await links.challenges.findByNonce(c.nonce)).toBeDefined();
    expect(await links.challenges.deleteExpired(new Date(clock + 600_000 + 23 * 3600_000))).toBe(0);
    expect(await links.challenges.deleteExpired(new Date(clock + 600_000 + 25 * 3600_000))).toBeGreaterThan(0);
    expect(await links.challenges.findByNonce(c.nonce)).toBeUndefined();
  });
});
