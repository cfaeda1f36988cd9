import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startGatehouse, type TestGatehouse } from '../../test/support/harness.js';
import { systemActor } from '../events/actor.js';
import { type Io, main } from './main.js';

const ADMIN_TOKEN = 'cli-test-admin-token-0123456789';

function io(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: Io = { out: (l) => out.push(l), err: (l) => err.push(l), env };
  return { io: value, out, err, text: () => out.join('\n'), errors: () => err.join('\n') };
}

describe('gatehouse CLI against the admin API', () => {
  let t: TestGatehouse;
  let endpoint: string;
  beforeAll(async () => {
    t = await startGatehouse({ listen: true, env: { ADMIN_TOKEN } });
    endpoint = t.adminUrl;
  });
  afterAll(() => t?.close());

  const run = (args: string[], env: Record<string, string> = { ADMIN_TOKEN }) => {
    const captured = io(env);
    return main([...args, '--endpoint', endpoint], captured.io).then((code) => ({ code, ...captured }));
  };

  it('creates a pending client, approves, suspends, rotates its secret and deletes it', async () => {
    const created = await run([
      'clients',
      'create',
      '--name',
      'CLI app',
      '--redirect-uri',
      'https://cli.example/cb',
      '--scope',
      'openid Email',
      '--status',
      'pending',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const client = JSON.parse(created.text());
    expect(client).toMatchObject({ client_name: 'CLI app', status: 'pending', redirect_uris: ['https://cli.example/cb'] });
    expect(client.client_secret).toMatch(/^gh_cs_/);

    const listed = await run(['clients', 'list', '--status', 'pending', '--json']);
    expect(JSON.parse(listed.text()).map((c: { client_id: string }) => c.client_id)).toContain(client.client_id);
    expect(JSON.parse(listed.text())[0].client_secret).toBeUndefined();

    const approved = await run(['clients', 'approve', client.client_id]);
    expect(approved.code).toBe(0);
    expect(approved.text()).toBe(`${client.client_id} is now approved`);
    expect((await t.gh.clients.get(client.client_id)).status).toBe('approved');

    const suspended = await run(['clients', 'suspend', client.client_id, '--reason', 'abuse', '--json']);
    expect(JSON.parse(suspended.text())).toMatchObject({ status: 'suspended', status_reason: 'abuse' });

    const rotated = await run(['clients', 'rotate-secret', client.client_id, '--json']);
    const secret = JSON.parse(rotated.text()).client_secret;
    expect(secret).toMatch(/^gh_cs_/);
    expect(secret).not.toBe(client.client_secret);

    expect((await run(['clients', 'delete', client.client_id])).code).toBe(0);
    const gone = await run(['clients', 'get', client.client_id]);
    expect(gone.code).toBe(1);
    expect(gone.errors()).toContain('does not exist');
  });

  it('rejects a client with a reason', async () => {
    const created = JSON.parse(
      (
        await run(['clients', 'create', '--name', 'x', '--redirect-uri', 'https://x.example/cb', '--status', 'pending', '--json'])
      ).text(),
    );
    const rejected = await run(['clients', 'reject', created.client_id, '--reason', 'no privacy policy', '--json']);
    expect(JSON.parse(rejected.text())).toMatchObject({ status: 'rejected', status_reason: 'no privacy policy' });
  });

  it("reinstates a suspended client, decides on a developer's held change, and reads the audit log", async () => {
    const developer = await t.gh.login.accounts.register({ email: `cli.${Date.now()}@example.com` });
    const app = await t.gh.clients.registerForDeveloper(systemActor(), developer.id, {
      client_name: 'Held',
      redirect_uris: ['https://held.example/cb'],
      scope: 'openid',
    });
    expect((await run(['clients', 'approve', app.client_id])).code).toBe(0);
    expect((await run(['clients', 'suspend', app.client_id, '--reason', 'check'])).code).toBe(0);
    const reinstated = await run(['clients', 'reinstate', app.client_id]);
    expect(reinstated.text()).toBe(`${app.client_id} is now approved`);

    const change = {
      client_name: 'Held',
      redirect_uris: ['https://held.example/cb', 'https://held.example/v2'],
      scope: 'openid',
    };
    await t.gh.clients.updateForDeveloper(systemActor(), developer.id, app.client_id, change);
    const applied = await run(['clients', 'approve-changes', app.client_id, '--json']);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.text()).redirect_uris).toEqual(change.redirect_uris);
    const nothing = await run(['clients', 'reject-changes', app.client_id, '--reason', 'no']);
    expect(nothing.code).toBe(1);
    expect(nothing.errors()).toContain('no changes waiting');

    const log = await run(['audit', '--target', app.client_id, '--limit', '3']);
    expect(log.code).toBe(0);
    const lines = log.text().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain('client.changes_approved\toperator:admin-api\tclient:');
    const json = JSON.parse((await run(['audit', '--action', 'client.', '--limit', '1', '--json'])).text());
    expect(json[0].action).toMatch(/^client\./);
    expect((await run(['audit', '--limit', 'lots'])).code).toBe(2);
  });

  it('rotates the signing keys, keeping the old ones published', async () => {
    const before = (await t.gh.keys.jwks()).keys.map((k) => k.kid);
    const rotated = await run(['keys', 'rotate', '--alg', 'ES256', '--json']);
    expect(rotated.code).toBe(0);
    const created = JSON.parse(rotated.text()).keys;
    expect(created).toHaveLength(1);
    expect(created[0].alg).toBe('ES256');
    const after = (await t.gh.keys.jwks()).keys.map((k) => k.kid);
    expect(after).toEqual(expect.arrayContaining([...before, created[0].kid]));
  });

  it('explains a refused, unreachable or malformed call with its exit code', async () => {
    const noToken = await run(['clients', 'list'], {});
    expect(noToken.code).toBe(1);
    expect(noToken.errors()).toContain('ADMIN_TOKEN');

    const unreachable = io({ ADMIN_TOKEN });
    const port = await freePort();
    expect(await main(['clients', 'list', '--endpoint', `http://127.0.0.1:${port}`], unreachable.io)).toBe(3);
    expect(unreachable.errors()).toContain('cannot reach the admin API');

    expect((await run(['clients', 'create', '--redirect-uri', 'ftp://bad'])).code).toBe(1);
    expect((await run(['clients', 'approve'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['keys', 'rotate', '--alg', 'HS256'])).code).toBe(2);
    const unknownFlag = io();
    expect(await main(['clients', 'list', '--nope'], unknownFlag.io)).toBe(2);
    expect(unknownFlag.errors()).toContain("Unknown option '--nope'");
  });
});

describe('gatehouse serve and migrate on the embedded database', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates, serves, refuses a second process on the same files, and stops cleanly', async () => {
    const env = { DATA_DIR: dir, LOG_LEVEL: 'silent' };
    const migrated = io(env);
    expect(await main(['migrate'], migrated.io)).toBe(0);
    expect(migrated.text()).toContain('0001_core');
    const again = io(env);
    expect(await main(['migrate'], again.io)).toBe(0);
    expect(again.text()).toBe('the database is up to date');

    const port = await freePort();
    const adminPort = await freePort();
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const serving = io({ ...env, PORT: String(port), ADMIN_PORT: String(adminPort), HOST: '127.0.0.1' });
    const exit = main(['serve'], { ...serving.io, untilStopped: () => stopped });
    let ready: Response | undefined;
    for (let i = 0; i < 100 && !ready?.ok; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
    }
    expect(ready?.status).toBe(200);
    const discovery = (await (await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    expect(discovery.issuer).toBe(`http://localhost:${port}`);

    const locked = io(env);
    expect(await main(['migrate'], locked.io)).toBe(2);
    expect(locked.errors()).toMatch(/already open in this process|in use by process/);

    stop();
    expect(await exit).toBe(0);
    // Two embedded databases opened from cold, migrated and served: slow on a busy machine.
  }, 120_000);

  it('stops at start-up when a port is taken, releasing what it had opened', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const adminPort = (taken.address() as AddressInfo).port;
    const port = await freePort();
    try {
      const blocked = io({
        DATA_DIR: dir,
        LOG_LEVEL: 'silent',
        PORT: String(port),
        ADMIN_PORT: String(adminPort),
        HOST: '127.0.0.1',
      });
      expect(await main(['serve'], { ...blocked.io, untilStopped: () => new Promise(() => {}) })).toBe(1);
      expect(blocked.errors()).toContain(`cannot listen on 127.0.0.1:${adminPort} (ADMIN_PORT)`);
      // The public port it had bound and the embedded database are free again.
      const again = createServer();
      await new Promise<void>((resolve, reject) => again.once('error', reject).listen(port, '127.0.0.1', resolve));
      await new Promise((resolve) => again.close(resolve));
      const migrate = io({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
      expect(await main(['migrate'], migrate.io)).toBe(0);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 120_000);

  it('stops at start-up on bad configuration with one line naming the variable', async () => {
    const bad = io({ DATA_DIR: dir, ISSUER: 'not a url' });
    expect(await main(['serve'], bad.io)).toBe(2);
    expect(bad.err).toEqual(['gatehouse: ISSUER: "not a url" is not an absolute URL']);
  });
});
