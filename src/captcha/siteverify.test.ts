import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import type { Db } from '../db/database.js';
import type { Captcha } from './captcha.js';
import { createCaptcha } from './create-captcha.js';

interface Verification {
  path: string;
  contentType: string | undefined;
  form: Record<string, string>;
}

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => resolve(body));
  });

/**
 * Turnstile's and hCaptcha's siteverify as they answer: 200 with `success` and `error-codes`.
 * The token decides the answer; the secret must be the configured one.
 */
async function startSiteverify(secret: string) {
  const calls: Verification[] = [];
  const server = createServer(async (request, response) => {
    const form = Object.fromEntries(new URLSearchParams(await readBody(request)));
    calls.push({ path: request.url ?? '', contentType: request.headers['content-type'], form });
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    if (request.method !== 'POST') return json(405, { success: false, 'error-codes': ['bad-request'] });
    if (form.secret !== secret) return json(200, { success: false, 'error-codes': ['invalid-input-secret'] });
    switch (form.response) {
      case 'good-token':
        return json(200, { success: true, challenge_ts: new Date().toISOString(), hostname: 'localhost', 'error-codes': [] });
      case 'server-error':
        return json(500, { success: true });
      case 'not-json':
        response.writeHead(200, { 'Content-Type': 'text/html' });
        return response.end('<html>maintenance</html>');
      case 'string-true':
        return json(200, { success: 'true' });
      default:
        return json(200, { success: false, 'error-codes': ['timeout-or-duplicate'] });
    }
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const deps = { db: undefined as unknown as Db, secret: 'unused-by-these-providers', now: Date.now };

let siteverify: Awaited<ReturnType<typeof startSiteverify>>;
beforeAll(async () => {
  siteverify = await startSiteverify('the-captcha-secret');
});
afterAll(() => siteverify?.close());

describe.each([
  { kind: 'turnstile', field: 'cf-turnstile-response', script: 'https://challenges.cloudflare.com/turnstile/v0/api.js' },
  { kind: 'hcaptcha', field: 'h-captcha-response', script: 'https://js.hcaptcha.com/1/api.js' },
] as const)('$kind', ({ kind, field, script }) => {
  const make = (
    verifyPath: string,
    extra: { fetch?: typeof fetch; logger?: { warn: (f: Record<string, unknown>, m: string) => void } } = {},
  ) =>
    createCaptcha(
      loadConfig({
        CAPTCHA: kind,
        CAPTCHA_SITE_KEY: 'the-site-key',
        CAPTCHA_SECRET: 'the-captcha-secret',
        CAPTCHA_VERIFY_URL: `${siteverify.url}${verifyPath}`,
      }),
      { ...deps, ...extra },
    );
  let captcha: Captcha;
  beforeAll(() => {
    captcha = make(`/${kind}/siteverify`);
  });

  it("describes the vendor's widget", async () => {
    expect(captcha.widget()).toEqual({ kind, scriptUrl: script, siteKey: 'the-site-key', field });
    expect(await captcha.challenge()).toBeUndefined();
  });

  it('posts secret, response and remoteip as a form, and passes on success: true', async () => {
    expect(await captcha.verify('good-token', '203.0.113.7')).toBe(true);
    const call = siteverify.calls.at(-1);
    expect(call?.path).toBe(`/${kind}/siteverify`);
    expect(call?.contentType).toBe('application/x-www-form-urlencoded');
    expect(call?.form).toEqual({
      secret: 'the-captcha-secret',
      response: 'good-token',
      remoteip: '203.0.113.7',
      ...(kind === 'hcaptcha' ? { sitekey: 'the-site-key' } : {}),
    });
  });

  it('fails on anything but success: true', async () => {
    for (const token of ['used-token', 'server-error', 'not-json', 'string-true']) {
      expect(await captcha.verify(token, '203.0.113.7')).toBe(false);
    }
    // Without an address the field is left out rather than sent empty.
    expect(await captcha.verify('used-token')).toBe(false);
    expect(siteverify.calls.at(-1)?.form).not.toHaveProperty('remoteip');
  });

  it('fails without asking the vendor when there is no token', async () => {
    const before = siteverify.calls.length;
    expect(await captcha.verify(undefined)).toBe(false);
    expect(await captcha.verify('')).toBe(false);
    expect(await captcha.verify('x'.repeat(10_000))).toBe(false);
    expect(siteverify.calls.length).toBe(before);
  });

  it('fails closed, and logs, when the vendor cannot be reached', async () => {
    const warnings: string[] = [];
    const down = createCaptcha(
      loadConfig({
        CAPTCHA: kind,
        CAPTCHA_SITE_KEY: 'k',
        CAPTCHA_SECRET: 's',
        CAPTCHA_VERIFY_URL: `http://127.0.0.1:${await closedPort()}/siteverify`,
      }),
      { ...deps, logger: { warn: (_fields, message) => warnings.push(message) } },
    );
    expect(await down.verify('good-token', '203.0.113.7')).toBe(false);
    expect(warnings).toEqual(['captcha: siteverify request failed']);
  });

  it("uses the vendor's siteverify URL by default (through the injected fetch)", async () => {
    const urls: string[] = [];
    const offline = createCaptcha(loadConfig({ CAPTCHA: kind, CAPTCHA_SITE_KEY: 'k', CAPTCHA_SECRET: 's' }), {
      ...deps,
      fetch: async (input) => {
        urls.push(String(input));
        return new Response(JSON.stringify({ success: true }), { status: 200, headers: { 'Content-Type': 'application/json' } });
      },
    });
    expect(await offline.verify('token')).toBe(true);
    expect(urls).toEqual([
      kind === 'turnstile' ? 'https://challenges.cloudflare.com/turnstile/v0/siteverify' : 'https://api.hcaptcha.com/siteverify',
    ]);
  });
});

describe('none', () => {
  it('passes everything and shows no widget', async () => {
    const captcha = createCaptcha(loadConfig({ CAPTCHA: 'none' }), deps);
    expect(captcha.widget().kind).toBe('none');
    expect(await captcha.verify(undefined)).toBe(true);
    expect(await captcha.challenge()).toBeUndefined();
  });
});
