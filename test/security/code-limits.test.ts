/**
 * The one-time code send limits through the login app (issue 22, src/accounts/code-limits.ts):
 * a stranger who asks for codes for someone's address, from other networks, costs that
 * person at most a captcha, never an hour locked out; the hard ceilings that bound flooding
 * and SMS cost still hold; a developer signing in again and again is never locked out; and
 * an IPv6 subscriber's many addresses count as one network.
 */
import { type Challenge, solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/flow.js';
import { atStartOfWindow, startGatehouse, type TestGatehouse } from '../support/harness.js';
import { outboxCode } from '../support/stand-ins.js';

// Two servers shared by the tests (each test has its own addresses and networks): the attacker
// at its strongest, for whom every captcha passes (CAPTCHA=none), and the default ALTCHA.
let none: TestGatehouse;
let altcha: TestGatehouse;
beforeAll(async () => {
  none = await startGatehouse({ env: { CAPTCHA: 'none' } });
  altcha = await startGatehouse();
}, 180_000);
afterAll(async () => {
  await Promise.all([none?.close(), altcha?.close()]);
});

/** A server of its own for a test of settings. */
async function withGatehouse(env: Record<string, string>, test: (t: TestGatehouse) => Promise<void>) {
  const t = await startGatehouse({ env });
  try {
    await test(t);
  } finally {
    await t.close();
  }
}

/** A browser whose requests come from `address` (which a test may change: a phone leaving Wi-Fi). */
function browserAt(app: FastifyInstance, address: string): Browser & { address: string } {
  const from = { inject: (options: InjectOptions) => app.inject({ ...options, remoteAddress: browser.address }) };
  const browser = Object.assign(new Browser(from as unknown as FastifyInstance), { address });
  return browser;
}

let seq = 0;
const uniqueEmail = () => `limits${++seq}.${Date.now()}@example.com`;

/** Opens the sign-in page and asks for a code; returns the answer to the form post. */
async function askForCode(browser: Browser, fields: Record<string, string>) {
  const method = fields.phone ? 'phone' : 'email';
  expect((await browser.get(`/ui/login?method=${method}`)).statusCode).toBe(200);
  return browser.post('/ui/login', { method, ...fields });
}

/** Asks for a code and enters it: a whole sign-in without a login challenge. */
async function signIn(t: TestGatehouse, browser: Browser, email: string) {
  const sent = await askForCode(browser, { email });
  expect(sent.statusCode, sent.body).toBe(303);
  await browser.get('/ui/code');
  const entered = await browser.post('/ui/code', { code: await outboxCode(t, email) });
  expect(entered.statusCode).toBe(200); // "No account yet": the address is proved all the same
  expect(entered.body).toContain('No account yet');
  return entered;
}

/** What the ALTCHA widget does in a browser: fetch a challenge, solve it, post base64 JSON. */
async function solvedAltcha(browser: Browser): Promise<string> {
  const response = await browser.get('/ui/captcha/challenge');
  expect(response.statusCode).toBe(200);
  const challenge = response.json() as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey });
  if (!solution) throw new Error('no solution found');
  const payload = { challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution };
  return Buffer.from(JSON.stringify(payload)).toString('base64');
}

describe('a stranger asking for codes for someone else', () => {
  it('does not refuse the owner from their own network, however many codes others asked for', async () => {
    // Ten networks, and every captcha passes.
    const t = none;
    const victim = uniqueEmail();
    for (let i = 1; i <= 10; i++) {
      const sent = await askForCode(browserAt(t.publicApp, `198.51.100.${i}`), { email: victim });
      expect(sent.statusCode).toBe(303);
    }
    const owner = browserAt(t.publicApp, '192.0.2.10');
    const sent = await askForCode(owner, { email: victim });
    expect(sent.statusCode, sent.body).toBe(303);
    expect(sent.headers.location).toBe('/ui/code');
  });

  it('asks the owner for the captcha (step-up), and a solved one sends the code', async () => {
    const t = altcha;
    const victim = uniqueEmail();
    // Email needs no captcha while few codes wait for the address.
    for (let i = 1; i <= 3; i++) {
      expect((await askForCode(browserAt(t.publicApp, `198.51.100.${i}`), { email: victim })).statusCode).toBe(303);
    }
    // The attacker's next request, and the owner's, meet the captcha: nothing is sent without it.
    const stranger = await askForCode(browserAt(t.publicApp, '198.51.100.4'), { email: victim });
    expect(stranger.statusCode).toBe(400);
    const owner = browserAt(t.publicApp, '192.0.2.10');
    const asked = await askForCode(owner, { email: victim });
    expect(asked.statusCode).toBe(400);
    expect(asked.body).toContain('<altcha-widget');
    expect(asked.body).toContain('complete the check that you are a person');
    expect(asked.body).not.toMatch(/Try again in \d+ minutes/);
    expect(asked.body).toContain('src="/ui/assets/altcha.js"');

    const solution = await solvedAltcha(owner);
    const sent = await owner.post('/ui/login', { method: 'email', email: victim, altcha: solution });
    expect(sent.statusCode, sent.body).toBe(303);
    expect(sent.headers.location).toBe('/ui/code');
    // A solution is good once.
    t.advance(61);
    const replayed = await owner.post('/ui/login', { method: 'email', email: victim, altcha: solution });
    expect(replayed.statusCode).toBe(400);
  }, 60_000);

  it('lets a browser that proved the address through without a captcha', async () => {
    const t = altcha;
    const victim = uniqueEmail();
    const owner = browserAt(t.publicApp, '192.0.2.11');
    await signIn(t, owner, victim);
    for (let i = 1; i <= 6; i++) await askForCode(browserAt(t.publicApp, `198.51.101.${i}`), { email: victim });
    t.advance(61);
    const sent = await askForCode(owner, { email: victim });
    expect(sent.statusCode, sent.body).toBe(303);
    // The same browser from another network (a phone leaving Wi-Fi) is let through too.
    owner.address = '203.0.113.99';
    expect((await askForCode(owner, { email: victim })).statusCode).toBe(303);
  });

  it("is not held back by a stranger's cool-down", async () => {
    const t = none;
    const victim = uniqueEmail();
    expect((await askForCode(browserAt(t.publicApp, '198.51.102.1'), { email: victim })).statusCode).toBe(303);
    expect((await askForCode(browserAt(t.publicApp, '192.0.2.11'), { email: victim })).statusCode).toBe(303);
  });
});

describe('the hard ceilings', () => {
  it('send at most five SMS codes an hour to one number from browsers that did not prove it, captcha or not', async () => {
    const t = none;
    const phone = '+447911123456';
    for (let i = 1; i <= 5; i++) {
      const sent = await askForCode(browserAt(t.publicApp, `198.51.103.${i}`), { phone, channel: 'sms' });
      expect(sent.statusCode).toBe(303);
    }
    const refused = await askForCode(browserAt(t.publicApp, '198.51.103.6'), { phone, channel: 'sms' });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('Too many codes were sent to this number. Try again in 60 minutes');
    const outbox = await t.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(phone)}`);
    expect(outbox.json().messages).toHaveLength(5);
  });

  it('ask for the captcha before every SMS, a resend included', async () => {
    const t = altcha;
    const phone = '+447911123457';
    const browser = browserAt(t.publicApp, '192.0.2.20');
    const unsolved = await askForCode(browser, { phone, channel: 'sms' });
    expect(unsolved.statusCode).toBe(400);
    const sent = await browser.post('/ui/login', { method: 'phone', phone, channel: 'sms', altcha: await solvedAltcha(browser) });
    expect(sent.statusCode).toBe(303);
    // The code page's resend form carries the captcha; without it no second SMS goes out.
    const page = await browser.get('/ui/code');
    expect(page.body).toMatch(/<form method="post" action="\/ui\/code\/resend">[\s\S]*<altcha-widget/);
    t.advance(61);
    const resend = await browser.post('/ui/code/resend', {});
    expect(resend.statusCode).toBe(400);
    expect(resend.body).toContain('complete the check that you are a person');
    const outbox = await t.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(phone)}`);
    expect(outbox.json().messages).toHaveLength(1);
    const resent = await browser.post('/ui/code/resend', { altcha: await solvedAltcha(browser) });
    expect(resent.statusCode).toBe(303);
  }, 60_000);

  it('send at most twenty codes an hour at the request of one network, and say so', async () => {
    const t = none;
    const browser = browserAt(t.publicApp, '192.0.2.30');
    for (let i = 0; i < 20; i++) expect((await askForCode(browser, { email: uniqueEmail() })).statusCode).toBe(303);
    const refused = await askForCode(browser, { email: uniqueEmail() });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('Too many codes were asked for from your network. Try again in 60 minutes');
  });

  it('follow the settings', async () => {
    await withGatehouse({ CAPTCHA: 'none', LOGIN_CODE_MAX_PER_NETWORK: '2' }, async (t) => {
      const browser = browserAt(t.publicApp, '192.0.2.31');
      for (let i = 0; i < 2; i++) expect((await askForCode(browser, { email: uniqueEmail() })).statusCode).toBe(303);
      expect((await askForCode(browser, { email: uniqueEmail() })).statusCode).toBe(429);
    });
  }, 90_000);
});

describe('a developer signing in again and again', () => {
  it('is never locked out: codes that were entered count towards nothing', async () => {
    const t = altcha;
    const me = uniqueEmail();
    const browser = browserAt(t.publicApp, '127.0.0.1');
    for (let i = 0; i < 12; i++) {
      await signIn(t, browser, me);
      t.advance(30);
    }
  }, 60_000);

  it('is asked for the captcha, not refused, after asking for codes without entering them', async () => {
    const t = altcha;
    const me = uniqueEmail();
    for (let i = 0; i < 3; i++) {
      // A fresh browser each time (a private window), the same machine.
      expect((await askForCode(browserAt(t.publicApp, '127.0.0.1'), { email: me })).statusCode).toBe(303);
      t.advance(61);
    }
    const asked = await askForCode(browserAt(t.publicApp, '127.0.0.1'), { email: me });
    expect(asked.statusCode).toBe(400);
    expect(asked.body).toContain('<altcha-widget');
  });
});

describe('IPv6 clients', () => {
  it('count the addresses of one /64 as one network, and two /64s apart', async () => {
    const t = none;
    for (let i = 1; i <= 20; i++) {
      const sent = await askForCode(browserAt(t.publicApp, `2001:db8:1:2::${i.toString(16)}`), { email: uniqueEmail() });
      expect(sent.statusCode).toBe(303);
    }
    const twentyFirst = await askForCode(browserAt(t.publicApp, '2001:db8:1:2:ffff::21'), { email: uniqueEmail() });
    expect(twentyFirst.statusCode).toBe(429);
    const otherNetwork = await askForCode(browserAt(t.publicApp, '2001:db8:1:3::1'), { email: uniqueEmail() });
    expect(otherNetwork.statusCode).toBe(303);
  });

  it('share the form-post ceiling of their network, with RATE_LIMIT_IPV6_PREFIX deciding the prefix', async () => {
    await withGatehouse({ RATE_LIMIT_IPV6_PREFIX: '56' }, async (t) => {
      const postsUntilRefused = async (addresses: (i: number) => string) => {
        const browser = browserAt(t.publicApp, addresses(0));
        expect((await browser.get('/ui/register')).statusCode).toBe(200);
        for (let i = 0; i < 40; i++) {
          browser.address = addresses(i);
          const response = await browser.post('/ui/register', { method: 'email', email: 'not-an-email' });
          if (response.statusCode === 429) return i;
          expect(response.statusCode).toBe(400);
        }
        return 40;
      };
      atStartOfWindow(t, 60);
      // 30 posts a minute from one network (limitByAddress): the /64s of one /56 share them.
      expect(await postsUntilRefused((i) => `2001:db8:aa:${i.toString(16)}::1`)).toBe(30);
      expect(await postsUntilRefused((i) => `2001:db8:bb:${i.toString(16)}::1`)).toBe(30);
    });
  }, 90_000);
});
