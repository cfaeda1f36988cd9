/**
 * A fresh `npm start` (serve() on an empty DATA_DIR, no ADMIN_TOKEN) locks its admin port with
 * a token it generates and says where it is; the CLI on the same machine finds the port and
 * the token from the same environment, with no flags; a second start keeps the token.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Io, main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/config.js';
import { type RunningServer, serve } from '../../src/server.js';
import { capturedLogs } from '../support/captured-logs.js';
import { freePort } from '../support/harness.js';

let root: string;
let env: Record<string, string>;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gatehouse-default-'));
  env = {
    DATA_DIR: join(root, 'data'),
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    ADMIN_PORT: String(await freePort()),
    CAPTCHA: 'none',
  };
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function start(): Promise<{ server: RunningServer; logs: Record<string, unknown>[] }> {
  const { logger, lines } = capturedLogs('info');
  return { server: await serve(loadConfig(env), logger), logs: lines };
}

function cli(args: string[], extra: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), env: { ...env, ...extra } };
  return main(args, io).then((code) => ({ code, out: out.join('\n'), err: err.join('\n') }));
}

describe('a first start with nothing configured', () => {
  it('requires a generated admin token, which the CLI finds and the console points to', async () => {
    const first = await start();
    const adminUrl = `http://127.0.0.1:${env.ADMIN_PORT}`;
    let token: string;
    try {
      const file = join(env.DATA_DIR as string, 'admin-token');
      token = readFileSync(file, 'utf8').trim();
      expect(first.logs.find((l) => l.level === 40 && String(l.msg).includes('generated an admin token'))).toMatchObject({
        file,
      });
      // Secret values never go into the log, only where they are.
      expect(JSON.stringify(first.logs)).not.toContain(token);

      const bare = await fetch(`${adminUrl}/admin/clients`);
      expect(bare.status).toBe(401);
      expect(bare.headers.get('www-authenticate')).toContain('Bearer');
      const outbox = await fetch(`${adminUrl}/admin/outbox`);
      expect(outbox.status).toBe(401);
      const withToken = await fetch(`${adminUrl}/admin/clients`, { headers: { authorization: `Bearer ${token}` } });
      expect(withToken.status).toBe(200);

      const signIn = await (await fetch(`${adminUrl}/admin/ui/login`)).text();
      expect(signIn).toContain(`cat ${file}`);
      expect(signIn).toContain('name="token"');

      // No --endpoint, no --token: the same environment says where and with what.
      const created = await cli([
        'clients',
        'create',
        '--name',
        'First app',
        '--redirect-uri',
        'https://first.example/cb',
        '--json',
      ]);
      expect(created.err).toBe('');
      expect(created.code).toBe(0);
      expect(JSON.parse(created.out)).toMatchObject({ client_name: 'First app', status: 'approved' });
      const wrong = await cli(['clients', 'list'], { ADMIN_TOKEN: 'not-the-token-of-this-server' });
      expect(wrong.code).toBe(1);
      expect(wrong.err).toContain('The token from ADMIN_TOKEN is not the one this server uses.');
      const elsewhere = await cli(['clients', 'list'], { DATA_DIR: join(root, 'other') });
      expect(elsewhere.code).toBe(1);
      expect(elsewhere.err).toContain(`looked for ${join(root, 'other', 'admin-token')}`);
    } finally {
      await first.server.close();
    }

    const second = await start();
    try {
      expect(readFileSync(join(env.DATA_DIR as string, 'admin-token'), 'utf8').trim()).toBe(token);
      expect(second.logs.some((l) => String(l.msg).includes('generated an admin token'))).toBe(false);
      expect((await cli(['clients', 'list'])).code).toBe(0);
    } finally {
      await second.server.close();
    }
  });
});
