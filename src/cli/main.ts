/**
 * The `gatehouse` command. `serve` and `migrate` work on the database; everything else is
 * a client of the admin API, so it works while the server holds the embedded database.
 * Exit codes: 0 done, 1 refused by the server, 2 bad usage or configuration, 3 unreachable.
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { ClientJson } from '../clients/clients.js';
import { ignoreHangups, inWorker, leaveCluster, runPrimary, tellPrimaryServing, untilPrimaryStops } from '../cluster.js';
import { type Config, ConfigError, loadConfig } from '../config/config.js';
import { loadAdminToken, loadSystemSecrets } from '../config/secrets.js';
import { DatabaseLockedError, migrateToLatest } from '../db/database.js';
import { openConfiguredDatabase, serve } from '../server.js';
import { AdminApiError, AdminClient, adminApiOf, ConnectionError } from './admin-client.js';
import { registrationTokensCommand } from './registration-tokens.js';
import { UsageError } from './usage-error.js';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** `serve` resolves this when it should stop (default: SIGINT / SIGTERM). */
  untilStopped?: () => Promise<void>;
}

const defaultIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

const HELP = `Usage: gatehouse <command> [options]

Server
  serve                          Start the public and admin listeners
  migrate                        Apply database migrations and exit

Clients (through the admin API)
  clients create [options]       Register a client; prints its secret once
      --name NAME --redirect-uri URI (repeatable) --post-logout-uri URI (repeatable)
      --scope "openid Email …" --grant-type TYPE (repeatable)
      --auth-method client_secret_basic|client_secret_post|none  --public (same as none)
      --status pending|approved  --client-id ID  --skip-consent
  clients list [--status S]      List clients
  clients get ID                 Show one client
  clients approve ID             Allow the client to start authorizations
  clients reject ID [--reason R] Refuse a pending client
  clients suspend ID [--reason R] Stop an approved client and revoke its tokens
  clients reinstate ID           Approve a suspended client again (its old tokens stay revoked)
  clients approve-changes ID     Apply the redirect URI / scope changes its developer asked for
  clients reject-changes ID [--reason R]  Drop them; the client keeps its settings
  clients rotate-secret ID       Issue a new secret; the old one stops working
  clients delete ID              Delete a client and everything it was issued

Dynamic client registration (RFC 7591 initial access tokens)
  registration-tokens create [--description D] [--uses N] [--expires-in 7d]
                                 Create a token for POST /oauth2/register; printed once
  registration-tokens list       List tokens (never their values)
  registration-tokens delete ID  Stop a token working; clients it registered stay

Audit log
  audit [--action A] [--target ID] [--limit N]
                                 Newest entries first; --action takes a prefix ending in "."

Keys
  keys rotate [--alg RS256|ES256] New ID token signing keys; the old stay published

Options
  --endpoint URL   Admin API (default $GATEHOUSE_ADMIN_URL, else http://$ADMIN_HOST:$ADMIN_PORT,
                   i.e. http://127.0.0.1:4445 as the server is configured by default)
  --token TOKEN    Admin bearer token (default $ADMIN_TOKEN, else the token the server
                   generated into $DATA_DIR/admin-token on this machine)
  --json           Machine-readable output
  -h, --help       This help`;

const options = {
  endpoint: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  name: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-uri': { type: 'string', multiple: true },
  scope: { type: 'string' },
  'grant-type': { type: 'string', multiple: true },
  'auth-method': { type: 'string' },
  public: { type: 'boolean', default: false },
  'skip-consent': { type: 'boolean', default: false },
  status: { type: 'string' },
  'client-id': { type: 'string' },
  reason: { type: 'string' },
  alg: { type: 'string' },
  description: { type: 'string' },
  uses: { type: 'string' },
  'expires-in': { type: 'string' },
  action: { type: 'string' },
  target: { type: 'string' },
  limit: { type: 'string' },
} as const;

export async function main(argv: string[], io: Io = defaultIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`gatehouse: ${(err as Error).message}`);
    io.err('Run "gatehouse --help" for usage.');
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, sub, id] = positionals;
  if (values.help || !command) {
    io.out(HELP);
    return command || values.help ? 0 : 2;
  }

  try {
    if (command === 'serve') return await runServe(io);
    if (command === 'migrate') return await runMigrate(io);
    const admin = adminApiOf(io.env);
    const api = new AdminClient(
      values.endpoint ?? admin.endpoint,
      values.token ?? admin.token,
      io.fetch,
      values.token ? '--token' : admin.tokenSource,
    );
    const print = (value: unknown, human: () => string) => io.out(values.json ? JSON.stringify(value, null, 2) : human());
    if (command === 'clients') return await clientsCommand(api, sub, id, values, print);
    if (command === 'audit') return await auditCommand(api, values, print);
    if (command === 'registration-tokens') return await registrationTokensCommand(api, sub, id, values, print);
    if (command === 'keys' && sub === 'rotate') {
      if (values.alg !== undefined && values.alg !== 'RS256' && values.alg !== 'ES256')
        throw new UsageError('--alg must be RS256 or ES256');
      const result = await api.request<{ keys: { kid: string; alg: string }[] }>(
        'POST',
        '/admin/keys/gatehouse.openid.id-token',
        values.alg ? { alg: values.alg } : {},
      );
      print(result, () => result.keys.map((k) => `new active key ${k.kid} (${k.alg})`).join('\n'));
      return 0;
    }
    throw new UsageError(`unknown command "${positionals.join(' ')}"`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`gatehouse: ${err.message}`);
      io.err('Run "gatehouse --help" for usage.');
      return 2;
    }
    if (err instanceof ConfigError || err instanceof DatabaseLockedError) {
      io.err(`gatehouse: ${err.message}`);
      return 2;
    }
    if (err instanceof AdminApiError) {
      io.err(`gatehouse: ${err.message}`);
      return 1;
    }
    if (err instanceof ConnectionError) {
      io.err(`gatehouse: ${err.message}`);
      return 3;
    }
    io.err(`gatehouse: ${(err as Error).message ?? String(err)}`);
    return 1;
  }
}

async function clientsCommand(
  api: AdminClient,
  sub: string | undefined,
  id: string | undefined,
  values: Record<string, string | boolean | string[] | undefined>,
  print: (value: unknown, human: () => string) => void,
): Promise<number> {
  const needId = () => {
    if (!id) throw new UsageError(`clients ${sub} needs a client id`);
    return encodeURIComponent(id);
  };
  const setStatus = async (status: string) => {
    const client = await api.request<ClientJson>('PUT', `/admin/clients/${needId()}/status`, {
      status,
      ...(values.reason ? { reason: values.reason } : {}),
    });
    print(client, () => `${client.client_id} is now ${client.status}`);
    return 0;
  };
  switch (sub) {
    case 'create': {
      const method = values.public ? 'none' : (values['auth-method'] as string | undefined);
      const body = {
        ...(values['client-id'] ? { client_id: values['client-id'] } : {}),
        ...(values.name ? { client_name: values.name } : {}),
        ...(values['redirect-uri'] ? { redirect_uris: values['redirect-uri'] } : {}),
        ...(values['post-logout-uri'] ? { post_logout_redirect_uris: values['post-logout-uri'] } : {}),
        ...(values.scope !== undefined ? { scope: values.scope } : {}),
        ...(values['grant-type'] ? { grant_types: values['grant-type'] } : {}),
        ...(method ? { token_endpoint_auth_method: method } : {}),
        ...(values['skip-consent'] ? { skip_consent: true } : {}),
        ...(values.status ? { status: values.status } : {}),
      };
      const client = await api.request<ClientJson>('POST', '/admin/clients', body);
      print(client, () =>
        [
          `client_id:     ${client.client_id}`,
          ...(client.client_secret ? [`client_secret: ${client.client_secret}   (shown once: store it now)`] : []),
          `status:        ${client.status}`,
        ].join('\n'),
      );
      return 0;
    }
    case 'list': {
      const query = values.status ? `?status=${encodeURIComponent(values.status as string)}` : '';
      const clients = await api.request<ClientJson[]>('GET', `/admin/clients${query}`);
      print(clients, () =>
        clients.length === 0
          ? 'no clients'
          : clients.map((c) => `${c.client_id}\t${c.status}\t${c.client_name}\t${c.redirect_uris.join(' ')}`).join('\n'),
      );
      return 0;
    }
    case 'get': {
      const client = await api.request<ClientJson>('GET', `/admin/clients/${needId()}`);
      print(client, () => JSON.stringify(client, null, 2));
      return 0;
    }
    case 'approve':
      return setStatus('approved');
    case 'reject':
      return setStatus('rejected');
    case 'suspend':
      return setStatus('suspended');
    case 'reinstate':
      return setStatus('approved');
    case 'approve-changes':
    case 'reject-changes': {
      const decision = sub === 'approve-changes' ? 'approve' : 'reject';
      const client = await api.request<ClientJson>('PUT', `/admin/clients/${needId()}/pending-changes`, {
        decision,
        ...(values.reason ? { reason: values.reason } : {}),
      });
      print(client, () => `${client.client_id}: changes ${decision === 'approve' ? 'applied' : 'dropped'}`);
      return 0;
    }
    case 'rotate-secret': {
      const client = await api.request<ClientJson>('POST', `/admin/clients/${needId()}/secret`);
      print(client, () => `client_secret: ${client.client_secret}   (shown once: store it now)`);
      return 0;
    }
    case 'delete': {
      await api.request('DELETE', `/admin/clients/${needId()}`);
      print({ deleted: id }, () => `deleted ${id}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "clients ${sub ?? ''}"`);
  }
}

interface AuditEntryJson {
  id: string;
  at: string;
  action: string;
  actor: { type: string; id?: string };
  target?: { type: string; id: string };
  ip?: string;
  details: Record<string, unknown>;
}

async function auditCommand(
  api: AdminClient,
  values: Record<string, string | boolean | string[] | undefined>,
  print: (value: unknown, human: () => string) => void,
): Promise<number> {
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be a whole number from 1 to 500');
  const query = new URLSearchParams({ page_size: String(limit) });
  if (values.action) query.set('action', values.action as string);
  if (values.target) query.set('target_id', values.target as string);
  const entries = await api.request<AuditEntryJson[]>('GET', `/admin/audit?${query}`);
  print(entries, () =>
    entries.length === 0
      ? 'no entries'
      : entries
          .map((e) =>
            [
              e.at,
              e.action,
              `${e.actor.type}${e.actor.id ? `:${e.actor.id}` : ''}`,
              e.target ? `${e.target.type}:${e.target.id}` : '-',
              Object.keys(e.details).length > 0 ? JSON.stringify(e.details) : '',
            ].join('\t'),
          )
          .join('\n'),
  );
  return 0;
}

async function runMigrate(io: Io): Promise<number> {
  const config = loadConfig(io.env);
  const database = await openConfiguredDatabase(config);
  try {
    const applied = await migrateToLatest(database.db);
    io.out(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'the database is up to date');
    return 0;
  } finally {
    await database.close();
  }
}

async function runServe(io: Io): Promise<number> {
  const config = loadConfig(io.env);
  const untilStopped = io.untilStopped ?? waitForSignal;
  const worker = inWorker();
  if (config.workers > 1 && !worker) return runCluster(config, io, untilStopped);
  // Listening before serving: a worker's primary may ask it to stop while it starts.
  const stopped = worker ? Promise.race([untilStopped(), untilPrimaryStops()]) : untilStopped();
  if (worker) ignoreHangups();
  try {
    const server = await serve(config);
    if (worker) tellPrimaryServing();
    await stopped;
    await server.close();
    return 0;
  } finally {
    if (worker) leaveCluster();
  }
}

/**
 * The primary of WORKERS > 1: what must happen once happens here, before any worker starts:
 * the development secret is generated into DATA_DIR (or read), and the migrations run.
 */
async function runCluster(config: Config, io: Io, untilStopped: () => Promise<void>): Promise<number> {
  const logger = pino({ level: config.logLevel });
  const secrets = loadSystemSecrets(config);
  // Generated here once, so that the workers all read the same one.
  loadAdminToken(config);
  const database = await openConfiguredDatabase(config);
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
  logger.info({ workers: config.workers, secretsGenerated: secrets.generated }, 'starting the workers');
  return runPrimary({ workers: config.workers, env: io.env, logger, untilStopped });
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
