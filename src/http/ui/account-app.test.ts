import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Browser } from '../../../test/support/flow.js';
import { startGatehouse, type TestGatehouse } from '../../../test/support/harness.js';
import { codeIn } from '../../../test/support/stand-ins.js';

let t: TestGatehouse;
beforeAll(async () => {
  t = await startGatehouse({ env: { CAPTCHA: 'none' } });
});
afterAll(() => t?.close());

const location = (response: { headers: Record<string, unknown> }) => response.headers.location as string;

/** A browser signed in to a new account's page. */
async function registered(): Promise<Browser> {
  const browser = new Browser(t.publicApp);
  const email = `setup.${Date.now()}@example.com`;
  await browser.get('/ui/register');
  const sent = await browser.post('/ui/register', { method: 'email', email });
  await browser.get(location(sent));
  const [message] = (await t.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(email)}`)).json().messages;
  const verified = await browser.post('/ui/code', { code: codeIn(message.text) });
  expect(location(verified)).toBe('/ui/account');
  return browser;
}

describe('turning 2FA on from the account page', () => {
  it('answers a database failure as a server fault, not as a wrong code', async () => {
    const browser = await registered();
    const setup = await browser.get('/ui/account/2fa');
    const secret = /<code>([A-Z2-7]+)<\/code>/.exec(setup.body)?.[1] as string;
    const outage = Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' });
    const confirm = vi.spyOn(t.gh.login.totp, 'confirmEnrolment').mockRejectedValueOnce(outage);
    try {
      const answer = await browser.post('/ui/account/2fa', { secret, code: '123456' });
      expect(answer.statusCode).toBe(503);
      expect(answer.body).not.toContain('not right');
    } finally {
      confirm.mockRestore();
    }
  });

  it('answers a wrong code with the setup page and a new secret to scan', async () => {
    const browser = await registered();
    const setup = await browser.get('/ui/account/2fa');
    const secret = /<code>([A-Z2-7]+)<\/code>/.exec(setup.body)?.[1] as string;
    const answer = await browser.post('/ui/account/2fa', { secret, code: 'abcdef' });
    expect(answer.statusCode).toBe(400);
    expect(answer.body).toContain('That code is not right. Scan the new QR code and try again.');
    expect(answer.body).not.toContain(secret);
  });
});
