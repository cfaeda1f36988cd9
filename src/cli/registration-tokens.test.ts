import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatehouse, type TestGatehouse } from '../../test/support/harness.js';
import { type Io, main } from './main.js';
import { parseDuration } from './registration-tokens.js';

const ADMIN_TOKEN = 'cli-test-admin-token-0123456789';

function io(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: Io = { out: (l) => out.push(l), err: (l) => err.push(l), env };
  return { io: value, out, err, text: () => out.join('\n'), errors: () => err.join('\n') };
}

describe('gatehouse registration-tokens against the admin API', () => {
  let t: TestGatehouse;
  beforeAll(async () => {
    t = await startGatehouse({ listen: true, env: { ADMIN_TOKEN } });
  });
  afterAll(() => t?.close());

  const run = (args: string[]) => {
    const captured = io({ ADMIN_TOKEN });
    return main([...args, '--endpoint', t.adminUrl], captured.io).then((code) => ({ code, ...captured }));
  };

  const registerWith = (token: string) =>
    fetch(`${t.issuer}/oauth2/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ redirect_uris: ['https://rp.example/cb'] }),
    });

  it('creates a token that opens /oauth2/register, lists it without its value, and deletes it', async () => {
    const created = await run([
      'registration-tokens',
      'create',
      '--description',
      'partner X',
      '--uses',
      '2',
      '--expires-in',
      '7d',
    ]);
    expect(created.code, created.errors()).toBe(0);
    const token = /token: +(gh_iat_\S+) +\(shown once/.exec(created.text())?.[1] as string;
    expect(token).toBeDefined();
    const id = /id: +(\S+)/.exec(created.text())?.[1] as string;
    expect(created.text()).toContain('uses left:  2');
    const expires = /expires: +(\S+)/.exec(created.text())?.[1] as string;
    expect(Date.parse(expires) - Date.now()).toBeGreaterThan(7 * 86400_000 - 60_000);

    expect((await registerWith(token)).status).toBe(201);

    const listed = await run(['registration-tokens', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.text()).not.toContain('gh_iat_');
    expect(listed.text()).toContain(`${id}\tactive\tuses left 1\texpires ${expires}\tpartner X`);

    const json = await run(['registration-tokens', 'list', '--json']);
    expect(JSON.parse(json.text()).find((row: { id: string }) => row.id === id)).toMatchObject({
      uses_left: 1,
      description: 'partner X',
    });

    const deleted = await run(['registration-tokens', 'delete', id]);
    expect(deleted.code).toBe(0);
    expect(deleted.text()).toBe(`deleted ${id}`);
    expect((await registerWith(token)).status).toBe(401);
  });

  it('prints the whole token as JSON with --json, unlimited and never-expiring by default', async () => {
    const created = await run(['registration-tokens', 'create', '--json']);
    expect(created.code).toBe(0);
    const body = JSON.parse(created.text());
    expect(body).toMatchObject({ uses_left: null, expires_at: null, description: null, active: true });
    expect(body.token).toMatch(/^gh_iat_/);
    const listed = await run(['registration-tokens', 'list']);
    expect(listed.text()).toContain(`${body.id}\tactive\tuses left unlimited\texpires never\t`);
  });

  it('shows used-up tokens as such', async () => {
    const created = JSON.parse((await run(['registration-tokens', 'create', '--uses', '1', '--json'])).text());
    expect((await registerWith(created.token)).status).toBe(201);
    expect((await run(['registration-tokens', 'list'])).text()).toContain(`${created.id}\tused up\tuses left 0`);
  });

  it('explains bad usage (2) and refusals (1)', async () => {
    for (const args of [
      ['registration-tokens', 'create', '--uses', '0'],
      ['registration-tokens', 'create', '--uses', 'many'],
      ['registration-tokens', 'create', '--expires-in', 'soon'],
      ['registration-tokens', 'create', '--expires-in', '0d'],
      ['registration-tokens', 'delete'],
      ['registration-tokens', 'frobnicate'],
      ['registration-tokens'],
    ]) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.errors()).toContain('Run "gatehouse --help" for usage.');
    }
    const tooLong = await run(['registration-tokens', 'create', '--description', 'x'.repeat(201)]);
    expect(tooLong.code).toBe(1);
    expect(tooLong.errors()).toContain('invalid_request');
    const missing = await run(['registration-tokens', 'delete', 'no-such-token']);
    expect(missing.code).toBe(1);
    expect(missing.errors()).toContain('There is no initial access token "no-such-token"');
  });

  it('lists the commands in --help', async () => {
    const help = io();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.text()).toContain('registration-tokens create [--description D] [--uses N] [--expires-in 7d]');
  });
});

describe('parseDuration', () => {
  it.each([
    ['3600', 3600],
    ['90s', 90],
    ['10m', 600],
    ['24h', 86400],
    ['7d', 604800],
  ])('reads %s as %i seconds', (raw, seconds) => {
    expect(parseDuration(raw)).toBe(seconds);
  });

  it.each(['', '0', '-5', '1w', '1.5h', 'soon', '7 days'])('refuses %j', (raw) => {
    expect(() => parseDuration(raw)).toThrow(/is not a duration/);
  });
});
