/**
 * Where and how Gatehouse runs: its two listeners and the proxies it believes, the database and
 * its processes, the secrets and the admin token, and the login, consent and logout UIs' URLs.
 */
import { availableParallelism } from 'node:os';
import { ConfigError } from './config-error.js';
import {
  databaseUrl,
  issuer,
  listOf,
  oneOf,
  type Parser,
  port,
  setting,
  str,
  trustedProxies,
  url,
  wholeNumber,
} from './parsers.js';

/** One of SECRETS_SYSTEM's keys: long enough to be one. */
const secret: Parser<string> = (raw, variable) => {
  if (raw.length < 32) throw new ConfigError(variable, 'each secret must be at least 32 characters long');
  return raw;
};

/** A DNS name the admin port may be reached by, lower-cased: no scheme, port or wildcard. */
const hostName: Parser<string> = (raw, variable) => {
  const name = raw.toLowerCase();
  if (!/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name)) {
    throw new ConfigError(variable, `"${name}" is not a host name (no scheme, port or wildcard)`);
  }
  return name;
};

export const serverSettings = {
  port: setting({ env: 'PORT', default: '4444', description: 'Public listener port.', parse: port }),
  host: setting({ env: 'HOST', default: '0.0.0.0', description: 'Public listener address.', parse: str }),
  adminPort: setting({ env: 'ADMIN_PORT', default: '4445', description: 'Admin listener port.', parse: port }),
  adminHost: setting({
    env: 'ADMIN_HOST',
    default: '127.0.0.1',
    description: 'Admin listener address. Keep it private: the admin API can approve clients.',
    parse: str,
  }),
  trustProxy: setting({
    env: 'TRUST_PROXY',
    default: 'loopback',
    description:
      'Which peers are believed when they send X-Forwarded-For (the client address that per-address limits count and the audit log records): a comma-separated list of addresses, CIDR ranges and `loopback`, `linklocal`, `uniquelocal`; a number of proxy hops; `false`; or `true` (anyone: only when nothing reaches Gatehouse except through its proxy, since any client could otherwise pose as many addresses).',
    parse: trustedProxies,
  }),
  rateLimitIpv6Prefix: setting({
    env: 'RATE_LIMIT_IPV6_PREFIX',
    default: '64',
    description:
      'Prefix length (32 to 128) by which per-address limits count an IPv6 client: one subscriber is routinely given a whole /64 (or /56, /48), and would otherwise be as many clients as it has addresses. An IPv4 address counts alone.',
    parse: wholeNumber(32, 128),
  }),
  issuer: setting({
    env: 'ISSUER',
    default: undefined,
    description: 'Issuer URL, the base of every public URL. Defaults to `http://localhost:$PORT`.',
    parse: issuer,
  }),
  databaseUrl: setting({
    env: 'DATABASE_URL',
    default: undefined,
    description: 'PostgreSQL connection string. Unset: an embedded PGlite database in `DATA_DIR`.',
    parse: databaseUrl,
  }),
  databasePoolSize: setting({
    env: 'DATABASE_POOL_SIZE',
    default: '10',
    description: 'Connections in the PostgreSQL pool.',
    parse: (raw, variable) => {
      const n = port(raw, variable);
      if (n < 1) throw new ConfigError(variable, 'must be at least 1');
      return n;
    },
  }),
  databasePreparedStatements: setting({
    env: 'DATABASE_PREPARED_STATEMENTS',
    default: 'on',
    description:
      'Whether PostgreSQL parses each statement once per connection (named prepared statements): `on`, or `off` behind a transaction-mode pooler that cannot keep them (PgBouncer before 1.21, or without `max_prepared_statements`).',
    parse: (raw, variable) => oneOf('on', 'off')(raw, variable) === 'on',
  }),
  workers: setting({
    env: 'WORKERS',
    default: '1',
    description:
      'Processes serving requests: a number (at most 64), or `auto` for one per CPU. Above 1, `gatehouse serve` runs a primary that forks the workers, shares the two ports among them and replaces one that dies. Needs `DATABASE_URL`: the embedded database belongs to one process.',
    parse: (raw, variable) => {
      if (raw === 'auto') return availableParallelism();
      const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(n >= 1 && n <= 64)) throw new ConfigError(variable, `"${raw}" is not a number of processes from 1 to 64, or auto`);
      return n;
    },
  }),
  dataDir: setting({
    env: 'DATA_DIR',
    default: './data',
    description: 'Directory of the embedded database and generated development secrets.',
    parse: str,
  }),
  secretsSystem: setting({
    env: 'SECRETS_SYSTEM',
    default: undefined,
    description:
      'Comma-separated secrets (32+ characters each) that encrypt signing keys at rest and sign cookies; the first one is used for new data, the others still decrypt (rotation). Unset: generated into `DATA_DIR` with a warning.',
    parse: (raw, variable) => {
      const secrets = listOf(secret)(raw, variable);
      if (secrets.length === 0) throw new ConfigError(variable, 'must contain at least one secret');
      return secrets;
    },
  }),
  adminToken: setting({
    env: 'ADMIN_TOKEN',
    default: undefined,
    description:
      'Bearer token required on the admin port (16+ characters), the same on every node. Unset: generated once into `DATA_DIR/admin-token`, which the CLI on the same machine reads and the console sign-in page points to. `none`: no token, only for an admin port protected otherwise (a private network, an authenticating proxy); the port still refuses browser pages and foreign host names.',
    parse: (raw, variable): string | false => {
      if (raw === 'none') return false;
      if (raw.length < 16) throw new ConfigError(variable, 'must be at least 16 characters long, or none');
      return raw;
    },
  }),
  adminHosts: setting({
    env: 'ADMIN_HOSTS',
    default: undefined,
    description:
      'Further host names the admin port answers to, comma-separated (the name a proxy or a metrics scraper reaches it by). It always answers to `localhost`, its own addresses and `ADMIN_HOST`; a request naming any other host is refused (421), which is what stops DNS rebinding.',
    parse: listOf(hostName),
  }),
  urlsLogin: setting({
    env: 'URLS_LOGIN',
    default: undefined,
    description: 'Login UI that receives `login_challenge`. Defaults to the built-in `$ISSUER/ui/login`.',
    parse: url,
  }),
  urlsConsent: setting({
    env: 'URLS_CONSENT',
    default: undefined,
    description: 'Consent UI that receives `consent_challenge`. Defaults to the built-in `$ISSUER/ui/consent`.',
    parse: url,
  }),
  urlsLogout: setting({
    env: 'URLS_LOGOUT',
    default: undefined,
    description: 'Logout UI that receives `logout_challenge`. Defaults to the built-in `$ISSUER/ui/logout`.',
    parse: url,
  }),
  urlsPostLogout: setting({
    env: 'URLS_POST_LOGOUT_REDIRECT',
    default: undefined,
    description: 'Where a logout without a valid `post_logout_redirect_uri` ends. Defaults to `$ISSUER/ui/signed-out`.',
    parse: url,
  }),
  urlsError: setting({
    env: 'URLS_ERROR',
    default: undefined,
    description: 'Error page for errors that cannot be sent to a client. Defaults to the built-in page.',
    parse: url,
  }),
};
