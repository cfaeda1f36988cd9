/**
 * WORKERS=2 (src/cluster.ts): `gatehouse serve` as a real process tree on PostgreSQL. Each
 * request below goes on a connection of its own, which the cluster hands to its next worker,
 * so consecutive requests alternate between the two.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STOP_TIMEOUT_MS } from '../../src/cluster.js';
import { onServer, throwawayDatabase } from '../support/database.js';
import { freePort } from '../support/harness.js';
import { adminAuthorization, basicAuthorization, SPAWNED_ADMIN_TOKEN, send } from '../support/http-driver.js';

const root = join(import.meta.dirname, '../..');
const postgres = process.env.GATEHOUSE_TEST_DB === 'postgres';
const serverUrl = () => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface Cluster {
  primary: ChildProcess;
  publicUrl: string;
  adminUrl: string;
  /** Every log line so far, parsed. */
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
  workers(): number[];
  waitFor(test: (line: Record<string, unknown>, index: number) => boolean, what: string): Promise<Record<string, unknown>>;
}

async function startCluster(env: Record<string, string>, ports?: { port: number; adminPort: number }): Promise<Cluster> {
  const port = ports?.port ?? (await freePort());
  const adminPort = ports?.adminPort ?? (await freePort());
  const primary = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/support/serve.ts')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_PORT: String(adminPort),
      ADMIN_HOST: '127.0.0.1',
      ISSUER: `http://127.0.0.1:${port}`,
      SECRETS_SYSTEM: randomBytes(32).toString('hex'),
      ADMIN_TOKEN: SPAWNED_ADMIN_TOKEN,
      LOG_LEVEL: 'info',
      WORKERS: '2',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const listeners = new Set<() => void>();
  let pending = '';
  const read = (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const complete = pending.split('\n');
    pending = complete.pop() ?? '';
    for (const text of complete) {
      try {
        lines.push(JSON.parse(text) as Record<string, unknown>);
      } catch {
        lines.push({ msg: text });
      }
    }
    for (const listener of listeners) listener();
  };
  primary.stdout?.on('data', read);
  primary.stderr?.on('data', read);
  const exited = new Promise<number | null>((resolve) => primary.once('exit', (code) => resolve(code)));
  const cluster: Cluster = {
    primary,
    publicUrl: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    lines,
    exited,
    workers: () => {
      try {
        // Only the forked workers: under tsx the primary has an esbuild child too.
        return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(primary.pid)], { encoding: 'utf8' })
          .split('\n')
          .filter((line) => line.includes('test/support/serve.ts'))
          .map((line) => Number.parseInt(line, 10));
      } catch {
        return []; // ps exits 1 when there are none
      }
    },
    waitFor: (test, what) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(test);
          if (found) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no log line ${what} in:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
        }, 60_000);
        listeners.add(check);
        check();
      }),
  };
  return cluster;
}

const servingLines = (c: Cluster) => c.lines.filter((l) => l.msg === 'every worker is serving').length;

describe.skipIf(!postgres)('WORKERS=2 on PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> };
  let c: Cluster;

  beforeAll(async () => {
    database = await throwawayDatabase(serverUrl(), 'gatehouse_cluster');
    c = await startCluster({ DATABASE_URL: database.url, LOG_LEVEL: 'debug', CLEANUP_INTERVAL: '1' });
    await c.waitFor((l) => l.msg === 'every worker is serving', 'saying every worker serves');
  }, 90_000);

  afterAll(async () => {
    if (c && c.primary.exitCode === null) {
      c.primary.kill('SIGKILL');
      for (const pid of c.workers()) process.kill(pid, 'SIGKILL');
    }
    await database?.drop();
  });

  it('forks two workers, and new connections go to each of them', async () => {
    expect(c.workers()).toHaveLength(2);
    const before = c.lines.length;
    for (let i = 0; i < 10; i++) {
      expect((await send(`${c.publicUrl}/health/ready`, { newConnection: true })).status).toBe(200);
    }
    const servedBy = new Set(
      c.lines
        .slice(before)
        .filter((l) => l.msg === 'request completed')
        .map((l) => l.pid),
    );
    expect([...servedBy].sort()).toEqual([...c.workers()].sort());
  });

  it('runs the background clean-up in one worker, not in each', async () => {
    const runs = () => c.lines.filter((l) => l.msg === 'clean-up done');
    const deadline = Date.now() + 20_000;
    while (runs().length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    const cleaners = new Set(runs().map((l) => l.pid));
    expect(runs().length).toBeGreaterThanOrEqual(4);
    expect(cleaners.size).toBe(1);
    expect(c.workers()).toContain([...cleaners][0]);
  }, 30_000);

  it('answers /metrics on any worker with the requests of all of them', async () => {
    const count = async () => {
      const text = (await send(`${c.adminUrl}/metrics`, { newConnection: true, headers: adminAuthorization })).body;
      const line = text
        .split('\n')
        .find((l) => l.startsWith('gatehouse_http_request_duration_seconds_count{') && l.includes('route="/health/alive"'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const start = await count();
    for (let i = 0; i < 10; i++) await send(`${c.publicUrl}/health/alive`, { newConnection: true });
    // Two scrapes in a row reach both workers; each must report all ten.
    expect(await count()).toBe(start + 10);
    expect(await count()).toBe(start + 10);
  });

  it('answers /metrics with a clean 503 while a worker cannot answer for its part', async () => {
    const [stopped] = c.workers() as [number, number];
    process.kill(stopped, 'SIGSTOP');
    try {
      // Round robin: of two new connections one reaches the stopped worker and waits; the
      // other's worker asks the primary, which waits for the stopped one (prom-client: 5 s).
      const scrapes = [0, 1].map(() => send(`${c.adminUrl}/metrics`, { newConnection: true, headers: adminAuthorization }));
      const first = await Promise.race(scrapes);
      expect(first.status).toBe(503);
      expect(first.headers['content-type']).toContain('application/json');
      expect(JSON.parse(first.body)).toMatchObject({ error: 'temporarily_unavailable' });
      process.kill(stopped, 'SIGCONT');
      const answers = await Promise.all(scrapes);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 503]);
    } finally {
      process.kill(stopped, 'SIGCONT');
    }
  }, 30_000);

  it('keeps tokens consistent across workers: issued on one, introspected and revoked on the others', async () => {
    const created = await send(`${c.adminUrl}/admin/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...adminAuthorization },
      body: JSON.stringify({
        client_name: 'Cluster',
        grant_types: ['client_credentials'],
        redirect_uris: ['http://127.0.0.1/cb'],
        scope: 'openid',
        token_endpoint_auth_method: 'client_secret_basic',
      }),
    });
    expect(created.status).toBe(201);
    const client = JSON.parse(created.body) as { client_id: string; client_secret: string };
    const authorization = basicAuthorization(client.client_id, client.client_secret);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const issued = await send(`${c.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: { ...form, authorization },
      body: 'grant_type=client_credentials',
      newConnection: true,
    });
    const token = (JSON.parse(issued.body) as { access_token: string }).access_token;
    const active = async () => {
      const answer = await send(`${c.adminUrl}/admin/oauth2/introspect`, {
        method: 'POST',
        headers: { ...form, ...adminAuthorization },
        body: `token=${encodeURIComponent(token)}`,
        newConnection: true,
      });
      return (JSON.parse(answer.body) as { active: boolean }).active;
    };
    // Both workers answer, and both have the token cached after this.
    for (let i = 0; i < 4; i++) expect(await active()).toBe(true);
    const revoked = await send(`${c.publicUrl}/oauth2/revoke`, {
      method: 'POST',
      headers: { ...form, authorization },
      body: `token=${encodeURIComponent(token)}`,
      newConnection: true,
    });
    expect(revoked.status).toBe(200);
    // The worker that did not revoke learns it from PostgreSQL's notification, not a timeout.
    const deadline = Date.now() + 5_000;
    let answers: boolean[] = [];
    while (Date.now() < deadline) {
      answers = [await active(), await active()];
      if (!answers.includes(true)) break;
    }
    expect(answers).toEqual([false, false]);
  });

  it('restarts the workers one at a time on SIGHUP, answering every request meanwhile', async () => {
    const before = c.workers();
    const answers = new Map<number, number>();
    const keptAlive = new Map<number, number>();
    let running = true;
    // Six clients, each a new connection per request: before the listeners closed ahead of
    // Fastify's close, 1-2 of about 5,000 requests met a retiring worker's 503.
    const fresh = Array.from({ length: 6 }, async () => {
      while (running) {
        const { status } = await send(`${c.publicUrl}/health/ready`, { newConnection: true }).catch(() => ({ status: 0 }));
        answers.set(status, (answers.get(status) ?? 0) + 1);
      }
    });
    // Four more on kept-alive connections: what they send while their worker closes is answered
    // with Connection: close, where Fastify's default answered 503 (four in one of three runs:
    // src/http/graceful-close.test.ts is the test that always sees it). A connection the worker
    // closed while idle, just as the next request went out, is a reset that clients retry
    // (RFC 9112 9.3.1), as they must with any server that stops.
    const kept = Array.from({ length: 4 }, async () => {
      while (running) {
        const url = `${c.publicUrl}/health/ready`;
        // The retry on a connection of its own: another kept-alive one may be closing too.
        const { status } = await send(url).catch(() => send(url, { newConnection: true }).catch(() => ({ status: 0 })));
        keptAlive.set(status, (keptAlive.get(status) ?? 0) + 1);
      }
    });
    const load = Promise.all([...fresh, ...kept]);
    const started = c.lines.length;
    c.primary.kill('SIGHUP');
    await c.waitFor((l, i) => l.msg === 'rolling restart done' && i >= started, 'saying the restart is done');
    running = false;
    await load;
    const after = c.workers();
    expect(after).toHaveLength(2);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    expect([...answers.keys()]).toEqual([200]);
    expect(answers.get(200)).toBeGreaterThan(10);
    expect([...keptAlive.keys()]).toEqual([200]);
    // Stopped on purpose: neither old worker counts as a death to be replaced.
    expect(c.lines.slice(started).filter((l) => l.msg === 'a worker stopped unexpectedly; starting another')).toEqual([]);
  }, 90_000);

  it('replaces, within a rolling restart, an old worker that dies before its turn, and only once', async () => {
    const before = c.workers();
    const started = c.lines.length;
    c.primary.kill('SIGHUP');
    await c.waitFor((l, i) => i >= started && l.msg === 'rolling restart: replacing the workers one at a time', 'on the restart');
    // The first new worker takes seconds to start: the second old one dies before its turn.
    const last = before.at(-1) as number;
    process.kill(last, 'SIGKILL');
    await c.waitFor((l, i) => i >= started && l.msg === 'rolling restart done', 'saying the restart is done');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the primary's replacement delay, had it replaced it
    const after = c.workers();
    expect(after).toHaveLength(2);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    const logged = c.lines
      .slice(started)
      .filter((l) => l.worker === last)
      .map((l) => l.msg);
    expect(logged).toEqual(['a worker stopped unexpectedly; the rolling restart replaces it']);
  }, 90_000);

  it('ends a rolling restart whose new worker cannot start, the old workers serving on', async () => {
    const before = c.workers();
    const started = c.lines.length;
    const name = new URL(database.url).pathname.slice(1);
    // Connections already open stay; a new worker cannot open its own.
    await onServer(serverUrl(), `alter database ${name} allow_connections false`);
    try {
      c.primary.kill('SIGHUP');
      await c.waitFor(
        (l, i) =>
          i >= started && l.msg === 'rolling restart: a new worker did not come to serve (its log says why); the others serve on',
        'saying the restart ended',
      );
    } finally {
      await onServer(serverUrl(), `alter database ${name} allow_connections true`);
    }
    expect(c.workers().sort()).toEqual([...before].sort());
    for (let i = 0; i < 4; i++) {
      expect((await send(`${c.publicUrl}/health/ready`, { newConnection: true })).status).toBe(200);
    }
    expect(c.primary.exitCode).toBeNull();
  }, 90_000);

  it('replaces a worker that dies, and goes on serving; another worker takes over its clean-up', async () => {
    // The worker that cleans up: once its lease lapses (three intervals), another must take it.
    const current = c.workers();
    const cleaner = await c.waitFor(
      (l) => l.msg === 'clean-up done' && current.includes(l.pid as number),
      'of a worker cleaning up',
    );
    const victim = cleaner.pid as number;
    const survivor = c.workers().find((pid) => pid !== victim) as number;
    process.kill(victim, 'SIGKILL');
    const died = c.lines.length;
    await c.waitFor((l) => l.msg === 'a worker stopped unexpectedly; starting another' && l.worker === victim, 'on the death');
    for (let i = 0; i < 4; i++) {
      expect((await send(`${c.publicUrl}/health/ready`, { newConnection: true })).status).toBe(200);
    }
    const replacement = await c.waitFor(
      (l, i) => i >= died && l.msg === 'Gatehouse is listening' && l.pid !== victim && l.pid !== survivor,
      'from a new worker serving',
    );
    const now = c.workers();
    expect(now).toHaveLength(2);
    expect(now).toContain(survivor);
    expect(now).not.toContain(victim);
    expect(now).toContain(replacement.pid);
    await c.waitFor((l, i) => i >= died && l.msg === 'clean-up done' && l.pid !== victim, 'of another worker cleaning up');
    // And only that one: the other goes on leaving it to the lease's holder.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const cleaners = new Set(
      c.lines
        .slice(died)
        .filter((l) => l.msg === 'clean-up done')
        .map((l) => l.pid),
    );
    expect(cleaners.size).toBe(1);
  }, 90_000);

  it('stops every worker on SIGTERM and exits 0', async () => {
    const workers = c.workers();
    const started = Date.now();
    const linesBefore = c.lines.length;
    c.primary.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    // Not the primary's timeout, after which it kills them.
    expect(Date.now() - started).toBeLessThan(STOP_TIMEOUT_MS / 2);
    const alive = workers.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    expect(c.lines.slice(linesBefore).filter((l) => l.msg === 'Gatehouse stopped')).toHaveLength(workers.length + 1);
    expect(servingLines(c)).toBe(1);
  }, 60_000);
});

describe.skipIf(!postgres)('WORKERS=2 when a worker cannot start', () => {
  let database: { url: string; drop(): Promise<void> };
  let taken: Server;

  beforeAll(async () => {
    database = await throwawayDatabase(serverUrl(), 'gatehouse_cluster');
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => taken.close(resolve));
    await database?.drop();
  });

  it('stops the others and exits with an error, as one process would', async () => {
    const adminPort = (taken.address() as { port: number }).port;
    const c = await startCluster({ DATABASE_URL: database.url }, { port: await freePort(), adminPort });
    const code = await Promise.race([c.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 60_000))]);
    if (code === 'still running') c.primary.kill('SIGKILL');
    expect(code).toBe(1);
    expect(c.lines.some((l) => String(l.msg).startsWith('a worker failed to start'))).toBe(true);
    expect(c.workers()).toEqual([]);
  }, 90_000);
});
