/**
 * Every check of an enrolled second factor (signing in, turning 2FA off, replacing the
 * recovery codes) shares one guess limit per account and one audit event (issue 28): a
 * six-digit code must not be guessable at a page that forgot the limit the sign-in keeps.
 */

import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECOND_FACTOR_ATTEMPTS, SECOND_FACTOR_WINDOW_SECONDS } from '../../src/accounts/second-factor.js';
import { Browser } from '../support/flow.js';
import { atStartOfWindow, startGatehouse, type TestGatehouse } from '../support/harness.js';
import { codeIn } from '../support/stand-ins.js';

let t: TestGatehouse;
beforeAll(async () => {
  t = await startGatehouse({ env: { CAPTCHA: 'none' } });
});
afterAll(() => t?.close());

let seq = 0;
const uniqueEmail = () => `guarded${++seq}.${Date.now()}@example.com`;
const location = (response: { headers: Record<string, unknown> }) => response.headers.location as string;

async function lastCode(to: string): Promise<string> {
  const [message] = (await t.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(to)}`)).json().messages;
  return codeIn(message.text);
}

/** Signs a browser in to its account page with an emailed code; with TOTP enrolled, stops at the 2FA page. */
async function signIn(browser: Browser, email: string, mode: 'login' | 'register') {
  await browser.get('/ui/login');
  const sent = await browser.post(`/ui/${mode}`, { method: 'email', email, remember: '1' });
  expect(sent.statusCode).toBe(303);
  await browser.get(location(sent));
  const verified = await browser.post('/ui/code', { code: await lastCode(email) });
  expect(verified.statusCode).toBe(303);
  await browser.get(location(verified));
  return location(verified);
}

/** A new account, signed in, with TOTP enrolled: its browser, authenticator, id and recovery codes. */
async function enrolled() {
  const browser = new Browser(t.publicApp);
  const email = uniqueEmail();
  expect(await signIn(browser, email, 'register')).toBe('/ui/account');
  const setup = await browser.get('/ui/account/2fa');
  const secret = /<code>([A-Z2-7]+)<\/code>/.exec(setup.body)?.[1] as string;
  const totp = new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' });
  const done = await browser.post('/ui/account/2fa', { secret, code: totp.generate({ timestamp: t.gh.now() }) });
  expect(done.statusCode).toBe(200);
  const recovery = [...done.body.matchAll(/<li>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})<\/li>/g)].map((m) => m[1] as string);
  const account = await t.gh.login.accounts.findByEmail(email);
  await browser.get('/ui/account');
  return { browser, email, totp, recovery, accountId: account?.id as string };
}

/** The authenticator's code now: a TOTP step is good once, so the clock moves a step first. */
function rightCode(totp: TOTP): string {
  t.advance(30);
  return totp.generate({ timestamp: t.gh.now() });
}

/** A code no step of the accepted window (now, and one either side) gives. */
function wrongCode(totp: TOTP): string {
  const near = new Set([-30_000, 0, 30_000].map((d) => totp.generate({ timestamp: t.gh.now() + d })));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
}

async function auditOf(accountId: string, action: string) {
  const entries = (await t.adminApp.inject(`/admin/audit?target_type=account&target_id=${accountId}&page_size=100`)).json();
  return entries.filter((e: { action: string }) => e.action === action);
}

async function twoFactorOn(accountId: string): Promise<boolean> {
  const account = await t.gh.login.accounts.find(accountId);
  if (!account) throw new Error('no such account');
  return t.gh.login.totp.isEnabled(account);
}

describe('one guess limit and one audit event for every check of the second factor', () => {
  it('turning 2FA off stops after the limit, audits each wrong code, and refuses even the right one until the window ends', async () => {
    const me = await enrolled();
    atStartOfWindow(t, SECOND_FACTOR_WINDOW_SECONDS);
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      statuses.push((await me.browser.post('/ui/account/2fa/disable', { code: wrongCode(me.totp) })).statusCode);
    }
    expect(statuses).toEqual([...Array(SECOND_FACTOR_ATTEMPTS).fill(400), ...Array(14 - SECOND_FACTOR_ATTEMPTS).fill(429)]);
    const limited = await me.browser.post('/ui/account/2fa/disable', { code: rightCode(me.totp) });
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain('Too many tries');
    expect(await twoFactorOn(me.accountId)).toBe(true);

    // Each wrong code is counted, folded into one entry for the window (AUDIT_FOLD_WINDOW).
    const failures = await auditOf(me.accountId, 'account.two_factor_failed');
    expect(failures).toHaveLength(1);
    expect(failures[0].details).toMatchObject({ purpose: 'disable', count: SECOND_FACTOR_ATTEMPTS });

    t.advance(SECOND_FACTOR_WINDOW_SECONDS);
    const off = await me.browser.post('/ui/account/2fa/disable', { code: rightCode(me.totp) });
    expect(off.statusCode).toBe(303);
    expect(await twoFactorOn(me.accountId)).toBe(false);
    expect(await auditOf(me.accountId, 'account.two_factor_disabled')).toHaveLength(1);
  });

  it('signing in, turning 2FA off and replacing recovery codes count against the same limit', async () => {
    const me = await enrolled();
    atStartOfWindow(t, SECOND_FACTOR_WINDOW_SECONDS);
    const thief = new Browser(t.publicApp);
    expect(await signIn(thief, me.email, 'login')).toBe('/ui/2fa');
    for (let i = 0; i < 4; i++) {
      expect((await thief.post('/ui/2fa', { kind: 'totp', code: wrongCode(me.totp) })).statusCode).toBe(400);
    }
    for (let i = 0; i < 3; i++) {
      expect((await me.browser.post('/ui/account/2fa/disable', { code: wrongCode(me.totp) })).statusCode).toBe(400);
    }
    for (let i = 0; i < 3; i++) {
      expect((await me.browser.post('/ui/account/2fa/recovery-codes', { code: wrongCode(me.totp) })).statusCode).toBe(400);
    }
    // The limit is spent: no page checks a code now, right or wrong, TOTP or recovery code.
    expect((await thief.post('/ui/2fa', { kind: 'recovery', code: me.recovery[0] as string })).statusCode).toBe(429);
    expect((await me.browser.post('/ui/account/2fa/recovery-codes', { code: rightCode(me.totp) })).statusCode).toBe(429);
    expect((await me.browser.post('/ui/account/2fa/disable', { code: rightCode(me.totp) })).statusCode).toBe(429);
    expect(await twoFactorOn(me.accountId)).toBe(true);

    const byPurpose = Object.fromEntries(
      (await auditOf(me.accountId, 'account.two_factor_failed')).map((e: { details: { purpose: string; count: number } }) => [
        e.details.purpose,
        e.details.count,
      ]),
    );
    expect(byPurpose).toEqual({ disable: 3, regenerate_recovery_codes: 3, sign_in: 4 });
  });

  it('replaces the recovery codes only for a code of the factor, and the old ones stop working', async () => {
    const me = await enrolled();
    atStartOfWindow(t, SECOND_FACTOR_WINDOW_SECONDS);
    const replaced = await me.browser.post('/ui/account/2fa/recovery-codes', { code: rightCode(me.totp) });
    expect(replaced.statusCode).toBe(200);
    const fresh = [...replaced.body.matchAll(/<li>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})<\/li>/g)].map((m) => m[1] as string);
    expect(fresh).toHaveLength(10);
    expect(await auditOf(me.accountId, 'account.recovery_codes_regenerated')).toHaveLength(1);

    const old = await me.browser.post('/ui/account/2fa/disable', { kind: 'recovery', code: me.recovery[0] as string });
    expect(old.statusCode).toBe(400);
    const off = await me.browser.post('/ui/account/2fa/disable', { kind: 'recovery', code: fresh[0] as string });
    expect(off.statusCode).toBe(303);
    expect(await twoFactorOn(me.accountId)).toBe(false);
    const used = await auditOf(me.accountId, 'account.recovery_code_used');
    expect(used[0].details).toEqual({ left: 9, purpose: 'disable' });
  });
});
