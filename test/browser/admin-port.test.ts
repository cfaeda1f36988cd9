/// <reference lib="dom" />
/**
 * The attack of issue "Secure by default", item 1, replayed in Chromium: a page on another
 * site posts a form (and a no-cors fetch) to the admin port, and a page under a rebinding
 * name reads from it. Run against ADMIN_TOKEN=none, where the token is no help, so that only
 * the admin port's own checks stand between the page and the API.
 */
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { freePort, startGatehouse, type TestGatehouse } from '../support/harness.js';

let browser: Browser;
let t: TestGatehouse;
let evil: Server;
let evilPort: number;
let adminPort: number;
let served = '';

beforeAll(async () => {
  // Two names for this machine: the attacker's site and the rebinding name.
  browser = await launchChromium(['--host-resolver-rules=MAP evil.example 127.0.0.1, MAP rebind.evil.example 127.0.0.1']);
  t = await startGatehouse({ listen: true, env: { ADMIN_TOKEN: 'none', CAPTCHA: 'none' } });
  adminPort = Number(new URL(t.adminUrl).port);
  evilPort = await freePort();
  evil = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end(served);
  });
  await new Promise<void>((resolve) => evil.listen(evilPort, '127.0.0.1', resolve));
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await new Promise((resolve) => evil?.close(resolve));
});

describe('a page on another site', () => {
  it('cannot create a client on the admin port with a form, a text/plain form or a no-cors fetch', async () => {
    const target = `http://127.0.0.1:${adminPort}`;
    served = `<!doctype html><body>
<form id="form" method="post" action="${target}/admin/clients" target="f1">
<input name="client_id" value="attacker-app"><input name="client_secret" value="attacker-chosen-secret-0123456789">
<input name="redirect_uris" value="https://evil.example/cb"><input name="skip_consent" value="true"></form>
<form id="plain" method="post" enctype="text/plain" action="${target}/admin/clients" target="f2">
<input name='{"client_id":"attacker-plain","redirect_uris":["https://evil.example/cb"],"skip_consent":true,"x":"' value='"}'></form>
<iframe name="f1"></iframe><iframe name="f2"></iframe>
<script>
document.getElementById('form').submit();
document.getElementById('plain').submit();
fetch('${target}/admin/keys/gatehouse.openid.id-token', { method: 'POST', mode: 'no-cors' }).then(() => { document.title = 'sent'; }, () => { document.title = 'sent'; });
</script></body>`;
    const keysBefore = (await t.gh.keys.jwks()).keys.length;
    const page = await browser.newPage();
    const answers: number[] = [];
    page.on('response', (response) => {
      if (response.url().startsWith(target)) answers.push(response.status());
    });
    await page.goto(`http://evil.example:${evilPort}/`);
    await expect.poll(() => answers.length, { timeout: 10_000 }).toBe(3);
    // Refused as cross-site before any body is read (a no-cors answer reads as status 0).
    expect(answers.filter((status) => status !== 0).every((status) => status === 403)).toBe(true);
    expect(await t.gh.clientStore.find('attacker-app')).toBeUndefined();
    expect(await t.gh.clientStore.find('attacker-plain')).toBeUndefined();
    expect((await t.gh.keys.jwks()).keys.length).toBe(keysBefore);
    await page.close();
  });

  it('under a rebinding name reads nothing from the admin port', async () => {
    await t.gh.login.outbox.insert({ channel: 'email', to: 'victim@example.com', subject: 'Code', text: '123456' });
    const page = await browser.newPage();
    const response = await page.goto(`http://rebind.evil.example:${adminPort}/admin/outbox`);
    expect(response?.status()).toBe(421);
    expect(await page.content()).not.toContain('victim@example.com');
    // The same browser on the port's own name is answered.
    const own = await page.goto(`http://localhost:${adminPort}/admin/clients`);
    expect(own?.status()).toBe(200);
    await page.close();
  });
});
