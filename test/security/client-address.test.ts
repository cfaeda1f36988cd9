/**
 * Per-address limits count the address that connected, unless that peer is a proxy Gatehouse
 * was told to believe (TRUST_PROXY, default: loopback). A client that sends its own
 * X-Forwarded-For must not become as many clients as it has header values: that would turn
 * the per-address limits on sign-in forms (and so on code sends) into no limit at all.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Browser } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';

/** The login app's per-address ceiling on form posts (limitByAddress, bucket "login"). */
const FORM_POSTS_PER_MINUTE = 30;

let t: TestGatehouse | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** A browser connecting from `peer` whose every request claims another X-Forwarded-For. */
function forgingBrowser(app: FastifyInstance, peer: string): Browser {
  let n = 0;
  const forging = {
    inject: (options: InjectOptions) =>
      app.inject({
        ...options,
        remoteAddress: peer,
        headers: { ...(options.headers as Record<string, string>), 'x-forwarded-for': `198.51.100.${++n % 250}` },
      }),
  };
  return new Browser(forging as unknown as FastifyInstance);
}

/** Posts the registration form with a bad email until refused; returns how many were answered. */
async function postsUntilRefused(browser: Browser, most: number): Promise<number> {
  expect((await browser.get('/ui/register')).statusCode).toBe(200);
  for (let i = 0; i < most; i++) {
    const response = await browser.post('/ui/register', { method: 'email', email: `not-an-email-${i}` });
    if (response.statusCode === 429) return i;
    expect(response.statusCode).toBe(400);
  }
  return most;
}

describe('the client address behind X-Forwarded-For', () => {
  it('is not believed from a peer that is not a trusted proxy', async () => {
    t = await startGatehouse();
    const answered = await postsUntilRefused(forgingBrowser(t.publicApp, '203.0.113.7'), FORM_POSTS_PER_MINUTE + 5);
    expect(answered).toBe(FORM_POSTS_PER_MINUTE);
  });

  it('is believed from a proxy on loopback (the default), so each forwarded client has its own budget', async () => {
    t = await startGatehouse();
    const answered = await postsUntilRefused(forgingBrowser(t.publicApp, '127.0.0.1'), FORM_POSTS_PER_MINUTE + 5);
    expect(answered).toBe(FORM_POSTS_PER_MINUTE + 5);
  });

  it('is believed only from the proxies TRUST_PROXY names', async () => {
    t = await startGatehouse({ env: { TRUST_PROXY: '10.20.0.0/16' } });
    expect(await postsUntilRefused(forgingBrowser(t.publicApp, '10.20.3.4'), FORM_POSTS_PER_MINUTE + 5)).toBe(
      FORM_POSTS_PER_MINUTE + 5,
    );
    // Loopback is no longer trusted once the list does not name it.
    expect(await postsUntilRefused(forgingBrowser(t.publicApp, '127.0.0.1'), FORM_POSTS_PER_MINUTE + 5)).toBe(
      FORM_POSTS_PER_MINUTE,
    );
  });

  it.each([
    ['true', 'anyone: for a Gatehouse nothing reaches but through its proxy'],
    ['1', 'one hop: the peer is always the proxy'],
  ])('is believed from any peer with TRUST_PROXY=%s (%s)', async (value) => {
    t = await startGatehouse({ env: { TRUST_PROXY: value } });
    const answered = await postsUntilRefused(forgingBrowser(t.publicApp, '203.0.113.7'), FORM_POSTS_PER_MINUTE + 5);
    expect(answered).toBe(FORM_POSTS_PER_MINUTE + 5);
  });

  it('is recorded in the audit log as the address that connected', async () => {
    t = await startGatehouse();
    const created = await t.adminApp.inject({
      method: 'POST',
      url: '/admin/clients',
      remoteAddress: '203.0.113.9',
      headers: { 'x-forwarded-for': '192.0.2.1' },
      payload: { client_name: 'Audited', grant_types: ['client_credentials'], response_types: [] },
    });
    expect(created.statusCode).toBe(201);
    const { client_id } = created.json() as { client_id: string };
    const audit = await t.adminApp.inject(`/admin/audit?action=client.created&target_id=${client_id}`);
    expect(audit.statusCode).toBe(200);
    const [entry] = audit.json() as { ip?: string }[];
    expect(entry?.ip).toBe('203.0.113.9');
  });
});
