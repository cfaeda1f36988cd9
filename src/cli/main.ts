/**
 * The `gatehouse` command. `serve` and `migrate` work on the database; everything else is
 * a client of the admin API, so it works while the server holds the embedded database.
 * Exit codes: 0 done, 1 refused by the server, 2 bad usage or configuration, 3 unreachable.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.js';
import { DatabaseLockedError } from '../db/database.js';
import { untilStopSignal } from '../process-events.js';
import { AdminApiError, AdminClient, adminApiOf, ConnectionError } from './admin-client.js';
import { auditCommand } from './audit.js';
import { clientsCommand } from './clients.js';
import type { Print } from './command.js';
import { rotateKeysCommand } from './keys.js';
import { registrationTokensCommand } from './registration-tokens.js';
import { runMigrate, runServe } from './serve.js';
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
    if (command === 'serve') return await runServe(io.env, io.untilStopped ?? untilStopSignal);
    if (command === 'migrate') return await runMigrate(io.env, io.out);
    const admin = adminApiOf(io.env);
    const api = new AdminClient(
      values.endpoint ?? admin.endpoint,
      values.token ?? admin.token,
      io.fetch,
      values.token ? '--token' : admin.tokenSource,
    );
    const print: Print = (value, human) => io.out(values.json ? JSON.stringify(value, null, 2) : human());
    const invocation = { sub, id, values, print };
    if (command === 'clients') return await clientsCommand(api, invocation);
    if (command === 'audit') return await auditCommand(api, invocation);
    if (command === 'registration-tokens') return await registrationTokensCommand(api, invocation);
    if (command === 'keys' && sub === 'rotate') return await rotateKeysCommand(api, invocation);
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
