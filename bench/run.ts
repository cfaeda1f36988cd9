/**
 * `npm run bench`: Gatehouse (PostgreSQL and embedded), panva's oidc-provider and a bare
 * Fastify ceiling, side by side on loopback, each in its own process, loaded by autocannon in
 * another. Prints one table. Options: --duration <s> (10), --connections <n> (50),
 * --only <row>[,<row>], --rounds <n> (1: run each row's cells n times, report medians and
 * paired ratios), --quick (2 s, 10 connections: a smoke test), --cpu-prof <dir>
 * (profile Gatehouse on PostgreSQL), --no-postgres, --growth <n> (Gatehouse on PostgreSQL
 * only: token and introspection rates before and after <n> live tokens are added; see
 * bench/growth.ts), --id-token-alg <RS256|ES256> (RS256: the ID tokens both servers sign at
 * the code exchange and at every refresh; ES256 shows what each does besides RSA),
 * --workers <n> (also Gatehouse on PostgreSQL with WORKERS=n, one more server in every row).
 * PostgreSQL comes from DATABASE_URL (a throwaway database is created on that server and
 * dropped after). Every cell also reports the server's CPU per request (bench/cpu.ts).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { adminAuthorization, SPAWNED_ADMIN_TOKEN } from '../test/support/http-driver.js';
import { cpuDuring, type Processes, postgresBackends } from './cpu.js';
import { authorizationCodeFlow, basicAuth, clientCredentialsToken, introspection, paths, type Target } from './flow.js';
import { COLD_TOKENS, countTokens, fillTokens, formatGrowth, type GrowthCell, growthToken } from './growth.js';
import type { LoadJob, LoadResult } from './load.js';
import {
  freePort,
  httpReady,
  printedReady,
  type Running,
  runLoadChild,
  startNode,
  tempDir,
  throwawayDatabase,
} from './processes.js';
import { formatTable, type Measured, OIDC_DURABLE, ROWS, type RowId } from './table.js';

function options() {
  try {
    return parseArgs({
      options: {
        duration: { type: 'string' },
        connections: { type: 'string' },
        only: { type: 'string' },
        rounds: { type: 'string' },
        quick: { type: 'boolean', default: false },
        'cpu-prof': { type: 'string' },
        'no-postgres': { type: 'boolean', default: false },
        growth: { type: 'string' },
        'id-token-alg': { type: 'string', default: 'RS256' },
        workers: { type: 'string' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
    process.exit(2);
  }
}
const values = options();

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    process.stderr.write(`--${name} must be a positive whole number, not "${raw}"\n`);
    process.exit(2);
  }
  return value;
}

const duration = positive('duration', values.duration, values.quick ? 2 : 10);
const connections = positive('connections', values.connections, values.quick ? 10 : 50);
const rounds = positive('rounds', values.rounds, 1);
const workers = values.workers === undefined ? undefined : positive('workers', values.workers, 1);
const rows: RowId[] = values.only ? (values.only.split(',') as RowId[]) : ROWS.map((r) => r.id);
for (const row of rows) {
  if (!ROWS.some((r) => r.id === row)) {
    process.stderr.write(`--only: unknown row "${row}" (rows: ${ROWS.map((r) => r.id).join(', ')})\n`);
    process.exit(2);
  }
}

const idTokenAlg = values['id-token-alg'];
if (idTokenAlg !== 'RS256' && idTokenAlg !== 'ES256') {
  process.stderr.write(`--id-token-alg must be RS256 or ES256, not "${idTokenAlg}"\n`);
  process.exit(2);
}

const redirectUri = 'https://app.example/callback';
const cleanups: (() => Promise<void> | void)[] = [];
const cleanup = async () => {
  for (const step of cleanups.reverse()) await Promise.resolve(step()).catch(() => undefined);
};
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

/** Each server's processes, charged with the CPU of its cells (bench/cpu.ts). */
const processesOf = new Map<string, Processes>();

const childEnv = (extra: Record<string, string>) => {
  const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: 'production', ...extra };
  if (!('DATABASE_URL' in extra)) delete env.DATABASE_URL;
  return env;
};

/**
 * Gatehouse is measured as `npm start` runs it: compiled, from a dist/ built from this
 * checkout's source just now (under tsx, every module carries the transpiler's helpers).
 */
function buildGatehouse(): void {
  process.stderr.write('building Gatehouse (npm run build) …\n');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) {
    process.stderr.write('npm run build failed: the bench measures the compiled server\n');
    process.exit(1);
  }
}

/** Charges a server, besides its own processes, with the PostgreSQL backends serving its (throwaway) database. */
async function chargeBackends(id: string, own: Processes, databaseUrl: string): Promise<void> {
  const backends = await postgresBackends(process.env.DATABASE_URL as string, new URL(databaseUrl).pathname.slice(1));
  cleanups.push(() => backends.close());
  processesOf.set(id, async () => [...(await own()), ...(await backends.processes())]);
}

/** A process and its children (Gatehouse's workers with WORKERS > 1), from /proc. */
function withChildren(pid: number): Processes {
  return async () => {
    try {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      return [pid, ...(children ? children.split(' ').map(Number) : [])];
    } catch {
      return [pid];
    }
  };
}

async function startGatehouse(
  id: string,
  label: string,
  databaseUrl?: string,
  cpuProf?: string,
  env: Record<string, string> = {},
): Promise<Target> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const data = tempDir('gatehouse-bench-');
  cleanups.push(() => data.remove());
  const publicUrl = `http://127.0.0.1:${port}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const running: Running = await startNode(
    label,
    [...(cpuProf ? ['--cpu-prof', '--cpu-prof-dir', cpuProf] : []), 'bin/gatehouse.js', 'serve'],
    childEnv({
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_PORT: String(adminPort),
      ADMIN_HOST: '127.0.0.1',
      ISSUER: publicUrl,
      DATA_DIR: data.path,
      SECRETS_SYSTEM: randomBytes(32).toString('hex'),
      ADMIN_TOKEN: SPAWNED_ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      // One load generator on loopback is thousands of people: the per-address limit on new
      // authorization requests is raised out of its way (it is still counted, as in production).
      RATE_LIMIT_AUTHORIZATION_REQUESTS: '100000000/1m',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...env,
    }),
    httpReady(`${publicUrl}/health/ready`),
  );
  cleanups.push(() => running.stop());
  const own = withChildren(running.child.pid as number);
  processesOf.set(id, own);
  if (databaseUrl) await chargeBackends(id, own, databaseUrl);
  const response = await fetch(`${adminUrl}/admin/clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminAuthorization },
    body: JSON.stringify({
      client_name: 'Bench',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      scope: 'openid offline_access email',
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: idTokenAlg,
    }),
  });
  const client = (await response.json()) as { client_id: string; client_secret: string };
  if (response.status !== 201) throw new Error(`${label}: client create failed: ${JSON.stringify(client)}`);
  return {
    id,
    label,
    kind: 'gatehouse',
    publicUrl,
    adminUrl,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    redirectUri,
  };
}

async function startOwnServer(
  id: string,
  label: string,
  entry: string,
  kind: Target['kind'],
  /** oidc-provider's PostgreSQL adapter's database (bench/servers/oidc-provider-postgres.ts). */
  adapterUrl?: string,
): Promise<Target> {
  const port = await freePort();
  const clientSecret = randomBytes(24).toString('base64url');
  const env = childEnv({
    PORT: String(port),
    BENCH_CLIENT_ID: 'bench',
    BENCH_CLIENT_SECRET: clientSecret,
    BENCH_REDIRECT_URI: redirectUri,
    BENCH_ID_TOKEN_ALG: idTokenAlg,
    ...(adapterUrl ? { BENCH_ADAPTER_URL: adapterUrl } : {}),
  });
  const running = await startNode(label, ['--import', 'tsx', entry], env, printedReady);
  cleanups.push(() => running.stop());
  const own: Processes = async () => [running.child.pid as number];
  processesOf.set(id, own);
  if (adapterUrl) await chargeBackends(id, own, adapterUrl);
  return { id, label, kind, publicUrl: `http://127.0.0.1:${port}`, clientId: 'bench', clientSecret, redirectUri };
}

/** Runs `count` flows, `parallel` at a time: refresh-token pools and userinfo tokens. */
async function mintFlows(target: Target, count: number, parallel = 8) {
  const out: Awaited<ReturnType<typeof authorizationCodeFlow>>[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next++ < count) out.push(await authorizationCodeFlow(target));
    }),
  );
  return out;
}

async function jobFor(row: RowId, target: Target): Promise<LoadJob> {
  const base = { connections, duration };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const token = `${target.publicUrl}${paths(target.kind).token}`;
  switch (row) {
    case 'client_credentials':
      return {
        ...base,
        mode: 'fixed',
        url: token,
        method: 'POST',
        headers: { ...form, authorization: basicAuth(target) },
        body: 'grant_type=client_credentials',
      };
    case 'refresh': {
      const pool = (await mintFlows(target, connections + 5)).map((t) => t.refresh_token as string);
      if (pool.some((t) => !t)) throw new Error(`${target.label}: a flow returned no refresh token`);
      return {
        ...base,
        mode: 'refresh',
        url: token,
        method: 'POST',
        headers: { ...form, authorization: basicAuth(target) },
        refreshTokens: pool,
      };
    }
    case 'introspection': {
      const { access_token } = await clientCredentialsToken(target);
      const { url, headers } = introspection(target);
      // A 200 with active:false would measure the cheap path: check once that the token is live.
      const probe = await fetch(url, { method: 'POST', headers, body: new URLSearchParams({ token: access_token }) });
      const answer = (await probe.json()) as { active?: boolean };
      if (probe.status !== 200 || answer.active !== true)
        throw new Error(`${target.label}: introspection probe ${probe.status} ${JSON.stringify(answer)}`);
      return {
        ...base,
        mode: 'fixed',
        url,
        method: 'POST',
        headers,
        body: new URLSearchParams({ token: access_token }).toString(),
      };
    }
    case 'userinfo': {
      const [tokens] = await mintFlows(target, 1);
      return {
        ...base,
        mode: 'fixed',
        url: `${target.publicUrl}${paths(target.kind).userinfo}`,
        headers: { authorization: `Bearer ${tokens?.access_token}` },
      };
    }
    case 'flow':
      return { ...base, mode: 'flow', url: target.publicUrl, target };
  }
}

/** The ceiling answers each row's request shape (method, headers, body) with a fixed body. */
function ceilingJob(row: RowId, ceiling: Target, like: LoadJob): LoadJob {
  const { mode: _mode, url: _url, refreshTokens: _pool, target: _target, ...shape } = like;
  return {
    ...shape,
    mode: 'fixed',
    url: `${ceiling.publicUrl}/${row}`,
    body: like.mode === 'refresh' ? 'grant_type=refresh_token&refresh_token=x' : like.body,
  };
}

async function growth(size: number) {
  const pgServer = process.env.DATABASE_URL;
  if (!pgServer) {
    process.stderr.write('--growth needs DATABASE_URL: it measures Gatehouse on PostgreSQL\n');
    process.exit(2);
  }
  const database = await throwawayDatabase(pgServer);
  cleanups.push(() => database.drop());
  // The clean-up runs every 2 s, so it starts on the backlog as soon as it lands (below).
  const target = await startGatehouse('gh-pg', 'Gatehouse (PostgreSQL)', database.url, values['cpu-prof'], {
    CLEANUP_INTERVAL: '2',
  });
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say(`growth: ${COLD_TOKENS.toLocaleString('en-US')} live tokens for the cold introspection cycle …`);
  await fillTokens(database.url, target.clientId, 0, COLD_TOKENS, () => {});
  const cold: LoadJob = {
    connections,
    duration,
    mode: 'cycle',
    ...introspection(target),
    method: 'POST',
    cycle: { template: `token=${encodeURIComponent(growthToken(0)).replace(/0$/, '{i}')}`, count: COLD_TOKENS },
  };
  const cellJobs = async (): Promise<[string, LoadJob][]> => [
    ['client_credentials', await jobFor('client_credentials', target)],
    ['introspection (one hot token, cached)', await jobFor('introspection', target)],
    [`introspection (cold: ${COLD_TOKENS.toLocaleString('en-US')} tokens in turn)`, cold],
  ];
  const measure = async () => {
    const results: Record<string, LoadResult> = {};
    for (const [row, job] of await cellJobs()) results[row] = await runLoadChild<LoadResult>(job);
    return results;
  };
  say('growth: warming up …');
  await runLoadChild<LoadResult>({ ...(await jobFor('client_credentials', target)), duration: 3 });
  await runLoadChild<LoadResult>({ ...cold, duration: 3 });
  say('growth: measuring the small store …');
  const small = await measure();
  const smallCount = await countTokens(database.url);
  say(`growth: adding ${size.toLocaleString('en-US')} live tokens …`);
  await fillTokens(database.url, target.clientId, COLD_TOKENS, COLD_TOKENS + size, (done) =>
    say(`  ${done.toLocaleString('en-US')}`),
  );
  say('growth: measuring the grown store …');
  const grown = await measure();
  const grownCount = await countTokens(database.url);
  say(`growth: adding ${size.toLocaleString('en-US')} expired tokens in one transaction …`);
  const expiredFrom = COLD_TOKENS + size;
  await fillTokens(database.url, target.clientId, expiredFrom, expiredFrom + size, () => {}, { expired: true });
  say('growth: measuring while the background clean-up deletes them …');
  const cleaning: Record<string, LoadResult & { removed: number }> = {};
  for (const [row, job] of await cellJobs()) {
    const before = await countTokens(database.url, 'expired');
    const result = await runLoadChild<LoadResult>(job);
    cleaning[row] = { ...result, removed: before - (await countTokens(database.url, 'expired')) };
  }
  const cells: GrowthCell[] = Object.keys(small).map((row) => ({
    row,
    small: small[row],
    grown: grown[row],
    cleaning: cleaning[row],
  }));
  const stores = { small: smallCount, grown: grownCount, backlog: size };
  process.stdout.write(`\n${formatGrowth(cells, stores, duration, connections)}\n`);
}

/** One cell: the load child's result and the CPU the server spent meanwhile. */
async function measure(target: string, job: LoadJob): Promise<{ result: LoadResult; cpuMs?: number }> {
  return cpuDuring(processesOf.get(target) ?? (async () => []), () => runLoadChild<LoadResult>(job));
}

async function main() {
  buildGatehouse();
  if (values.growth !== undefined) return growth(positive('growth', values.growth, 1_000_000));
  const targets: Target[] = [];
  const pgServer = values['no-postgres'] ? undefined : process.env.DATABASE_URL;
  if (pgServer) {
    const database = await throwawayDatabase(pgServer);
    cleanups.push(() => database.drop());
    targets.push(await startGatehouse('gh-pg', 'Gatehouse (PostgreSQL)', database.url, values['cpu-prof']));
    if (workers !== undefined) {
      const workersDatabase = await throwawayDatabase(pgServer);
      cleanups.push(() => workersDatabase.drop());
      const label = `Gatehouse (PostgreSQL, ${workers} worker${workers === 1 ? '' : 's'})`;
      targets.push(await startGatehouse('gh-pg-workers', label, workersDatabase.url, undefined, { WORKERS: String(workers) }));
    }
  } else {
    process.stderr.write(
      'Gatehouse on PostgreSQL: left out (set DATABASE_URL to a server where the bench may create a database)\n',
    );
  }
  targets.push(await startGatehouse('gh-pglite', 'Gatehouse (embedded PGlite)'));
  targets.push(await startOwnServer('oidc', 'oidc-provider', 'bench/servers/oidc-provider.ts', 'oidc-provider'));
  if (pgServer) {
    const adapterDatabase = await throwawayDatabase(pgServer);
    cleanups.push(() => adapterDatabase.drop());
    targets.push(
      await startOwnServer(
        OIDC_DURABLE,
        'oidc-provider (PostgreSQL adapter)',
        'bench/servers/oidc-provider.ts',
        'oidc-provider',
        adapterDatabase.url,
      ),
    );
  }
  const ceiling = await startOwnServer('ceiling', 'bare Fastify', 'bench/servers/ceiling.ts', 'ceiling');

  const measured: Measured[] = [];
  for (const row of rows) {
    for (let round = 1; round <= rounds; round++) {
      const of = rounds > 1 ? ` (round ${round} of ${rounds})` : '';
      let shape: LoadJob | undefined;
      // Each round starts with another server: on this VM the first cell after a pause runs
      // slower, and a fixed order would hand that to one server every time.
      const order = targets.map((_, i) => targets[(i + round - 1) % targets.length] as Target);
      for (const target of order) {
        process.stderr.write(`${row}: ${target.label}${of} …\n`);
        try {
          const job = await jobFor(row, target);
          // The ceiling answers Gatehouse's request shape, whichever server went first.
          if (target.kind === 'gatehouse') shape ??= job;
          measured.push({ row, round, target: target.id, label: target.label, ...(await measure(target.id, job)) });
        } catch (error) {
          process.stderr.write(`${row} on ${target.label} failed: ${error instanceof Error ? error.message : error}\n`);
          measured.push({ row, round, target: target.id, label: target.label, failed: true });
        }
      }
      if (row !== 'flow' && shape) {
        process.stderr.write(`${row}: bare Fastify${of} …\n`);
        measured.push({
          row,
          round,
          target: 'ceiling',
          label: ceiling.label,
          ...(await measure('ceiling', ceilingJob(row, ceiling, shape))),
        });
      }
    }
  }
  process.stdout.write(`\n${formatTable(measured, { duration, connections, rounds, idTokenAlg })}\n`);
}

try {
  await main();
} finally {
  await cleanup();
}
