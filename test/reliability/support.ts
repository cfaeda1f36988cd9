/**
 * What the reliability tests share: Gatehouse as a real child process (so it can be killed
 * with SIGKILL), throwaway PostgreSQL databases and clusters, and OAuth calls over real HTTP.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { throwawayDatabase as throwawayOn } from '../support/database.js';
import { freePort, TEST_SECRET } from '../support/harness.js';
import { adminAccept, adminAuthorization, basicAuthorization, CookieJar, SPAWNED_ADMIN_TOKEN } from '../support/http-driver.js';

const root = new URL('../..', import.meta.url).pathname;

export interface Node {
  ports: { port: number; adminPort: number };
  publicUrl: string;
  adminUrl: string;
  child: ChildProcess;
  /** Everything the child wrote to stderr and stdout, for a failing test's message. */
  output: () => string;
  /** Resident set size of the child in bytes, from /proc. */
  rss(): number;
  /** With WORKERS: the worker processes serving now (the child's own children, from /proc). */
  workers(): number[];
  /** Memory right after a full garbage collection in the child (see child.ts), in bytes. */
  memoryAfterCollection(): Promise<Memory>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface Memory {
  rss: number;
  /** Live JavaScript objects. */
  heapUsed: number;
  /** Memory outside the JavaScript heap that its objects hold (Buffers, sockets' native parts). */
  external: number;
  /** Memory V8's young generation (its two semi-spaces) holds, whatever is alive in it. */
  youngGeneration: number;
  /**
   * Every object a heap snapshot finds alive, Buffers' contents included, summed: what a leak
   * grows, and nothing else (heapUsed also counts memory the collector has not handed back).
   * Undefined for a node started without heap snapshots.
   */
  live: number | undefined;
}

/** The sum of the self sizes of every node in a V8 heap snapshot file. */
export function liveBytesIn(snapshotFile: string): number {
  const { snapshot, nodes } = JSON.parse(readFileSync(snapshotFile, 'utf8')) as {
    snapshot: { meta: { node_fields: string[] } };
    nodes: number[];
  };
  const fields = snapshot.meta.node_fields.length;
  const selfSize = snapshot.meta.node_fields.indexOf('self_size');
  let total = 0;
  for (let i = selfSize; i < nodes.length; i += fields) total += nodes[i] as number;
  return total;
}

export interface NodeOptions {
  databaseUrl?: string;
  dataDir?: string;
  /** Reuse the ports of an earlier run of the same node (a restart). */
  ports?: { port: number; adminPort: number };
  /** Nodes behind one load balancer share one issuer; default: the node's own public URL. */
  issuer?: string;
  /** Whether memoryAfterCollection writes a heap snapshot to count live objects (default true; child.ts). */
  heapSnapshots?: boolean;
  /** WORKERS (src/cluster.ts): the child is then the primary, and its children serve. */
  workers?: number;
  /** V8 flags for the child's node (the soak pins the young generation with them). */
  v8Flags?: string[];
}

/** Starts `gatehouse serve` as a child process and waits until /health/ready answers 200. */
export async function startNode(options: NodeOptions): Promise<Node> {
  const port = options.ports?.port ?? (await freePort());
  const adminPort = options.ports?.adminPort ?? (await freePort());
  const publicUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    PORT: String(port),
    ADMIN_PORT: String(adminPort),
    HOST: '127.0.0.1',
    ADMIN_HOST: '127.0.0.1',
    ISSUER: options.issuer ?? publicUrl,
    SECRETS_SYSTEM: TEST_SECRET,
    ADMIN_TOKEN: SPAWNED_ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    // The load and soak runs are many people from one loopback address: the per-address limit
    // on new authorization requests is raised out of their way (still counted, as in production).
    RATE_LIMIT_AUTHORIZATION_REQUESTS: '100000000/1m',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(options.dataDir ? { DATA_DIR: options.dataDir } : {}),
    ...(options.heapSnapshots === false ? { GATEHOUSE_HEAP_SNAPSHOTS: 'off' } : {}),
    ...(options.workers ? { WORKERS: String(options.workers) } : {}),
  };
  const child = spawn(
    process.execPath,
    [...(options.v8Flags ?? []), '--expose-gc', '--import', 'tsx', join(root, 'test/reliability/child.ts')],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const node: Node = {
    ports: { port, adminPort },
    publicUrl,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    child,
    output: () => output,
    workers: () => {
      try {
        const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
        // Only the forked workers: under tsx the child has an esbuild process too.
        const isWorker = (pid: string) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('child.ts');
          } catch {
            return false; // gone meanwhile
          }
        };
        return children.split(' ').filter(isWorker).map(Number);
      } catch {
        return [];
      }
    },
    rss: () => {
      const status = execFileSync('cat', [`/proc/${child.pid}/status`]).toString();
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 'NaN');
      return kb * 1024;
    },
    memoryAfterCollection: () =>
      new Promise((resolve, reject) => {
        let line = '';
        const timer = setTimeout(() => {
          child.stdout?.off('data', read);
          reject(new Error(`no memory report from the child within 30 s:\n${output}`));
        }, 30_000);
        const read = (chunk: Buffer) => {
          line += chunk.toString();
          const report = /^memory (\{.*\})$/m.exec(line);
          if (!report) return;
          clearTimeout(timer);
          child.stdout?.off('data', read);
          const { snapshot, ...memory } = JSON.parse(report[1] as string) as Omit<Memory, 'live'> & {
            snapshot: string | null;
          };
          try {
            resolve({ ...memory, live: snapshot === null ? undefined : liveBytesIn(snapshot) });
          } catch (err) {
            reject(err);
          } finally {
            if (snapshot !== null) rmSync(snapshot, { force: true });
          }
        };
        child.stdout?.on('data', read);
        child.kill('SIGUSR2');
      }),
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gatehouse exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${publicUrl}/health/ready`).then(
      (r) => r.status,
      () => 0,
    );
    if (ready === 200) return node;
    await sleep(250);
  }
  await node.kill('SIGKILL');
  throw new Error(`gatehouse did not become ready:\n${output}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const sharedServerUrl = () => process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A uniquely named database on the shared server; `drop` removes it (forcing connections off). */
export const throwawayDatabase = (serverUrl = sharedServerUrl()) => throwawayOn(serverUrl, 'gatehouse_rel');

/**
 * A PostgreSQL cluster of our own that a test may stop and start: initdb into a temp
 * directory, listening on a free loopback port, run as the `postgres` user when we are root
 * (initdb refuses root). Never the shared server.
 */
export async function ownCluster(): Promise<{ url: string; stop(): void; start(): void; remove(): void }> {
  const version = readdirSync('/usr/lib/postgresql').sort().at(-1);
  const bin = (name: string) => `/usr/lib/postgresql/${version}/bin/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  const asPostgres = process.getuid?.() === 0;
  const run = (command: string, args: string[]) =>
    execFileSync(asPostgres ? 'runuser' : command, asPostgres ? ['-u', 'postgres', '--', command, ...args] : args, {
      stdio: 'pipe',
    });
  run(bin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const start = () =>
    run(bin('pg_ctl'), [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      'start',
    ]);
  const stop = () => run(bin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    remove: () => {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Client {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
}

export const REDIRECT_URI = 'https://app.example/callback';

export async function createClient(node: Node, body: Record<string, unknown> = {}): Promise<Client> {
  const response = await fetch(`${node.adminUrl}/admin/clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminAuthorization },
    body: JSON.stringify({
      client_name: 'Reliability',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      scope: 'openid offline_access Email',
      ...body,
    }),
  });
  if (response.status !== 201) throw new Error(`client create: ${response.status} ${await response.text()}`);
  return (await response.json()) as Client;
}

export const basic = (c: Client) => basicAuthorization(c.client_id, c.client_secret);

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  contentType: string;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { unparsed: text.slice(0, 500) };
  }
  return { status: response.status, body, contentType: response.headers.get('content-type') ?? '' };
}

export async function tokenRequest(node: Node, client: Client, form: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${node.publicUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
    body: new URLSearchParams(form),
  });
  return answer(response);
}

export async function introspect(node: Node, token: string): Promise<Answer> {
  const response = await fetch(`${node.adminUrl}/admin/oauth2/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...adminAuthorization },
    body: new URLSearchParams({ token }),
  });
  return answer(response);
}

/**
 * authorize → login accept → consent accept → code exchange. Each step may go to a different
 * node: `steps` names the node for the browser's authorize, the login accept, the browser's
 * return, the consent accept, the browser's return and the code exchange.
 */
export async function authorizationCodeFlow(
  client: Client,
  steps: { authorize: Node; loginAccept: Node; afterLogin: Node; consentAccept: Node; afterConsent: Node; token: Node },
  scope = 'openid offline_access',
): Promise<Answer> {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope,
    state: randomBytes(12).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  // The browser talks to one issuer; another node is the same issuer behind a load balancer,
  // so a redirect to the issuer's origin is followed on whichever node the step names.
  const on = (node: Node, url: string) => {
    const u = new URL(url);
    return `${node.publicUrl}${u.pathname}${u.search}`;
  };
  let url = await jar.redirect(`${steps.authorize.publicUrl}/oauth2/auth?${query}`);
  const login = url.searchParams.get('login_challenge');
  if (!login) throw new Error(`authorize: no login_challenge in ${url}`);
  const afterLogin = await adminAccept(
    steps.loginAccept.adminUrl,
    `/admin/oauth2/auth/requests/login/accept?login_challenge=${login}`,
    {
      subject: 'reliability-user',
      remember: false,
    },
  );
  url = await jar.redirect(on(steps.afterLogin, afterLogin));
  const consent = url.searchParams.get('consent_challenge');
  if (!consent) throw new Error(`login: no consent_challenge in ${url}`);
  const afterConsent = await adminAccept(
    steps.consentAccept.adminUrl,
    `/admin/oauth2/auth/requests/consent/accept?consent_challenge=${consent}`,
    { grant_scope: scope.split(' '), remember: false },
  );
  url = await jar.redirect(on(steps.afterConsent, afterConsent));
  const code = url.searchParams.get('code');
  if (!code) throw new Error(`flow ended without a code: ${url}`);
  return tokenRequest(steps.token, client, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
}

export const oneNode = (node: Node) => ({
  authorize: node,
  loginAccept: node,
  afterLogin: node,
  consentAccept: node,
  afterConsent: node,
  token: node,
});
