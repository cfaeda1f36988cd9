import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { loadConfig } from '../config/config.js';
import type { Database } from '../db/database.js';
import { GatehouseError } from '../errors.js';
import { systemActor } from '../events/actor.js';
import { createGatehouse, type Gatehouse } from '../gatehouse.js';
import { OwnAccount, type OwnAccountDeps } from './own-account.js';
import { TotpError } from './totp.js';

let database: Database;
let gh: Gatehouse;
const actor = systemActor();

beforeAll(async () => {
  database = await openTestDatabase();
  const config = loadConfig({ LOG_LEVEL: 'silent', CONNECTOR_GITHUB_CLIENT_ID: 'gh-client' });
  gh = await createGatehouse({ config, database, secrets: ['a-system-secret-of-at-least-32-characters'] });
});
afterAll(() => database?.close());

const own = (totp: Partial<OwnAccountDeps['totp']> = {}) =>
  new OwnAccount({ ...gh, ...gh.login, totp: Object.assign(Object.create(gh.login.totp), totp) });
const newAccount = () => gh.login.accounts.register({ email: `${randomUUID()}@example.com` });

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal');
}

describe('OwnAccount.enableTwoFactor', () => {
  it('words a wrong code for the page, which shows a new secret to scan', async () => {
    const account = await newAccount();
    const wrong = await refusal(own().enableTwoFactor(actor, account.id, 'A'.repeat(32), '123456'));
    expect(wrong).toBeInstanceOf(GatehouseError);
    expect(wrong).toMatchObject({
      error: 'wrong_code',
      status: 400,
      description: 'That code is not right. Scan the new QR code and try again.',
    });
  });

  it('lets a fault that is not a refusal through, so it is never shown as a wrong code', async () => {
    const outage = new Error('Connection terminated unexpectedly');
    const failing = own({ confirmEnrolment: () => Promise.reject(outage) });
    expect(await refusal(failing.enableTwoFactor(actor, (await newAccount()).id, 'A'.repeat(32), '123456'))).toBe(outage);
    const enabled = own({ confirmEnrolment: () => Promise.reject(new TotpError('already_enabled')) });
    const already = await refusal(enabled.enableTwoFactor(actor, (await newAccount()).id, 'A'.repeat(32), '123456'));
    expect(already).toMatchObject({ error: 'already_enabled', status: 409 });
  });
});

describe('OwnAccount.unlink', () => {
  it('refuses a kind Gatehouse does not link, and takes unlinking what is not linked as done', async () => {
    const account = await newAccount();
    expect(await refusal(own().unlink(actor, account.id, 'myspace'))).toMatchObject({ error: 'invalid_request', status: 400 });
    await expect(own().unlink(actor, account.id, 'github')).resolves.toBeUndefined();
  });

  it('unlinks a linked identity', async () => {
    const account = await newAccount();
    await gh.identities.link(actor, account.id, { kind: 'github', externalId: randomUUID(), displayName: 'ada', details: {} });
    await own().unlink(actor, account.id, 'github');
    expect(await gh.identities.list(account.id)).toEqual([]);
  });
});

describe('OwnAccount.overview', () => {
  it('lists every kind of identity, offering the social ones whose connector is configured', async () => {
    const account = await newAccount();
    const { session } = await gh.login.sessions.start(account.id, false);
    const overview = await own().overview(account, session);
    expect(overview.twoFactor).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    expect(overview.sessions).toEqual([{ id: session.id, authenticatedAt: session.authenticated_at, current: true }]);
    const available = Object.fromEntries(overview.identities.map((i) => [i.kind, i.available]));
    expect(available).toMatchObject({ github: true, discord: false, telegram: false, evm: true });
  });
});
