import { randomUUID } from 'node:crypto';
import { TOTP } from 'otpauth';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { codeIn } from '../../test/support/stand-ins.js';
import { loadConfig } from '../config/config.js';
import type { Database } from '../db/database.js';
import type { OutgoingMessage } from '../delivery/delivery.js';
import { GatehouseError } from '../errors.js';
import { systemActor } from '../events/actor.js';
import { createGatehouse, type Gatehouse } from '../gatehouse.js';
import { CodeError } from './code-refusals.js';
import { SecondFactorRefused } from './second-factor.js';
import { type Attempt, type Requester, SignIn } from './sign-in.js';

let database: Database;
let gh: Gatehouse;
let signIn: SignIn;
let clock = Date.parse('2031-09-01T08:00:00Z');
const sent: OutgoingMessage[] = [];
const actor = systemActor();

beforeAll(async () => {
  database = await openTestDatabase();
  const config = loadConfig({ CAPTCHA: 'none', LOG_LEVEL: 'silent' });
  gh = await createGatehouse({ config, database, secrets: ['a-system-secret-of-at-least-32-characters'], now: () => clock });
  signIn = new SignIn({
    ...gh.login,
    // The form's captcha verifies when it says "solved": the rule under test is when it is asked.
    captcha: { verify: async (solution) => solution === 'solved' },
    // What was sent, where the outbox would have it.
    delivery: {
      channels: () => ['email', 'sms'],
      send: async (message) => {
        sent.push(message);
      },
    },
    loginRequests: gh.loginRequests,
    events: gh.events,
    config: gh.config,
    now: () => clock,
  });
});
afterAll(() => database?.close());
beforeEach(() => {
  clock += 3600_000;
  sent.length = 0;
});

let network = 0;
/** A requester of its own network, so no test counts against another's limits. */
const stranger = (over: Partial<Requester> = {}): Requester => ({
  actor,
  ip: `198.51.${++network % 250}.${network % 7}`,
  provedTags: new Set(),
  captcha: undefined,
  locale: 'en',
  ...over,
});
const email = () => `${randomUUID().replace(/[^a-f]/g, '')}@example.com`;
const lastCode = () => codeIn(sent.at(-1)?.text ?? '');

async function refusal(promise: Promise<unknown>): Promise<GatehouseError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GatehouseError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

async function emailAttempt(address: string, purpose: 'login' | 'register' = 'login'): Promise<Attempt> {
  const issued = await signIn.sendCode({ purpose, method: 'email', email: address, loginChallenge: undefined }, stranger());
  const attempt = await signIn.resume(issued.id, false, undefined);
  if (!attempt) throw new Error('the code just sent is not usable');
  return attempt;
}

describe('SignIn.sendCode', () => {
  it('asks for the captcha before any SMS, and sends one once it is solved', async () => {
    const form = { purpose: 'login', method: 'phone', phone: '+447911234567', loginChallenge: undefined } as const;
    const unsolved = await refusal(signIn.sendCode(form, stranger()));
    expect(unsolved.error).toBe('captcha_required');
    expect(unsolved.description).toBe('Please complete the check that you are a person.');
    expect(sent).toEqual([]);

    await signIn.sendCode(form, stranger({ captcha: 'solved' }));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ channel: 'sms', to: '+447911234567' });
  });

  it('sends email without a captcha until codes wait for the address, then steps up', async () => {
    const address = email();
    for (let i = 0; i < 3; i++) {
      await signIn.sendCode({ purpose: 'login', method: 'email', email: address, loginChallenge: undefined }, stranger());
    }
    const form = { purpose: 'login', method: 'email', email: address, loginChallenge: undefined } as const;
    const stepUp = await refusal(signIn.sendCode(form, stranger()));
    expect(stepUp.error).toBe('captcha_required');
    expect(sent).toHaveLength(3);

    await signIn.sendCode(form, stranger({ captcha: 'solved' }));
    // A browser that proved the address before is not asked.
    await signIn.sendCode(form, stranger({ provedTags: new Set([gh.login.codes.proofTag(address)]) }));
    expect(sent).toHaveLength(5);
  });

  it('refuses an address that is not one, by its field', async () => {
    const bad = await refusal(
      signIn.sendCode({ purpose: 'login', method: 'email', email: 'not an address', loginChallenge: undefined }, stranger()),
    );
    expect(bad).toMatchObject({ error: 'invalid_request', field: 'email', status: 400 });
  });
});

describe('SignIn.verifyCode', () => {
  it('counts down the tries left on a wrong code', async () => {
    const attempt = await emailAttempt(email());
    const wrong = String((Number(lastCode()) + 1) % 1_000_000).padStart(6, '0');
    const refused = await refusal(signIn.verifyCode(attempt, wrong, actor, undefined));
    expect(refused).toBeInstanceOf(CodeError);
    expect(refused.description).toBe('That code is not right. 4 tries left.');
  });

  it('offers to register an address no account has, and registers it when confirmed', async () => {
    const address = email();
    const attempt = await emailAttempt(address);
    const verified = await signIn.verifyCode(attempt, lastCode(), actor, undefined);
    expect(verified).toMatchObject({ next: 'no_account', destination: address, provedTag: gh.login.codes.proofTag(address) });
    expect(await gh.login.accounts.findByEmail(address)).toBeUndefined();

    const proved = await signIn.resume(attempt.code.id, false, undefined);
    const done = await signIn.confirmRegistration(proved, actor, undefined);
    expect(done).toMatchObject({ next: 'session_started' });
    expect(await gh.login.accounts.findByEmail(address)).toMatchObject({ email: address, email_verified: true });
  });

  it('registers a new address on the registration page and opens a session', async () => {
    const address = email();
    const attempt = await emailAttempt(address, 'register');
    const done = await signIn.verifyCode(attempt, lastCode(), actor, undefined);
    expect(done).toMatchObject({ next: 'session_started', session: { name: 'gatehouse_session' } });
    const account = await gh.login.accounts.findByEmail(address);
    expect(account).toBeDefined();
    // The code is spent: it signs in once.
    expect(await signIn.resume(attempt.code.id, false, undefined)).toBeUndefined();
  });

  it('asks for the second factor when TOTP is on, and signs in only with a right code', async () => {
    const address = email();
    const account = await gh.login.accounts.register({ email: address });
    const { secret } = await gh.login.totp.startEnrolment(account.id, address);
    const totp = new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' });
    await gh.login.totp.confirmEnrolment(account.id, secret, totp.generate({ timestamp: clock }));
    clock += 30_000;

    const attempt = await emailAttempt(address);
    expect(await signIn.verifyCode(attempt, lastCode(), actor, undefined)).toMatchObject({ next: 'second_factor' });
    const proved = await signIn.resume(attempt.code.id, false, undefined);
    expect(signIn.awaitsSecondFactor(proved)).toBe(true);

    const near = [-30_000, 0, 30_000].map((d) => totp.generate({ timestamp: clock + d }));
    const code = ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c)) as string;
    const wrong = await refusal(signIn.checkSecondFactor(proved, { kind: 'totp', code }, actor, undefined));
    expect(wrong).toBeInstanceOf(SecondFactorRefused);
    expect(wrong).toMatchObject({ error: 'wrong_code', status: 400 });
    const right = { kind: 'totp', code: totp.generate({ timestamp: clock }) } as const;
    expect(await signIn.checkSecondFactor(proved, right, actor, undefined)).toMatchObject({ next: 'session_started' });
  });

  it('sends a browser without a proved code back to the start', async () => {
    const attempt = await emailAttempt(email());
    expect(signIn.awaitsSecondFactor(attempt)).toBe(false);
    expect(await signIn.checkSecondFactor(attempt, { kind: 'totp', code: '123456' }, actor, undefined)).toEqual({
      next: 'start_over',
    });
    expect(await signIn.confirmRegistration(attempt, actor, undefined)).toEqual({ next: 'start_over' });
  });
});
