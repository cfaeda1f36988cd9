/**
 * Gatehouse configuration: every setting, its default and its meaning, in one table.
 * The README's configuration section is generated from `settings` (npm run docs:config).
 */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { PRESETS, type Preset } from '../connectors/presets.js';
import { GatehouseError } from '../errors.js';
import { isLocalMachineHost } from '../net/loopback.js';

export class ConfigError extends GatehouseError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

type Parser<T> = (raw: string, variable: string) => T;

interface Setting<T> {
  env: string;
  description: string;
  /** Default as shown in the docs; `undefined` means unset. */
  default: string | undefined;
  parse: Parser<T>;
}

const str: Parser<string> = (raw) => raw;

const port: Parser<number> = (raw, variable) => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 0 || n > 65535) {
    throw new ConfigError(variable, `"${raw}" is not a TCP port (0-65535)`);
  }
  return n;
};

const seconds: Parser<number> = (raw, variable) => {
  const match = /^(\d+)(s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new ConfigError(variable, `"${raw}" is not a duration (e.g. 3600, 10m, 24h, 30d)`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const value = Number(match[1]) * unit;
  if (value <= 0) throw new ConfigError(variable, 'must be greater than zero');
  return value;
};

/** A duration of at most `max` seconds. */
const secondsUpTo =
  (max: number): Parser<number> =>
  (raw, variable) => {
    const value = seconds(raw, variable);
    if (value > max) throw new ConfigError(variable, `must be at most ${max} seconds`);
    return value;
  };

/** How many events a limit allows, and in how long a window: the `N/duration` of a RATE_LIMIT_* setting. */
export interface RatePolicy {
  limit: number;
  windowSeconds: number;
}

/**
 * `N/duration` (e.g. `60/10m`): at most N in each fixed window of that length. A window is at
 * most a day, since the limiter's clean-up assumes no window is longer (src/accounts/rate-limit.ts).
 */
const rate: Parser<RatePolicy> = (raw, variable) => {
  const match = /^\s*(\d{1,9})\s*\/\s*(\S+)\s*$/.exec(raw);
  if (!match) throw new ConfigError(variable, `"${raw}" is not a rate such as 60/10m (a count, a slash, a duration)`);
  const limit = Number(match[1]);
  if (limit < 1) throw new ConfigError(variable, 'the count must be at least 1');
  return { limit, windowSeconds: secondsUpTo(86_400)(match[2] as string, variable) };
};

const url: Parser<string> = (raw, variable) => {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(variable, `"${raw}" is not an absolute URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(variable, 'must be an http or https URL');
  }
  return raw.replace(/\/+$/, '');
};

const issuer: Parser<string> = (raw, variable) => {
  const value = url(raw, variable);
  const parsed = new URL(value);
  // RFC 8414 section 2: the issuer has no query or fragment.
  if (parsed.search || parsed.hash) throw new ConfigError(variable, 'must not have a query or fragment');
  return value;
};

const databaseUrl: Parser<string> = (raw, variable) => {
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError(variable, 'must be a postgres:// or postgresql:// connection string');
  }
  return raw;
};

const list: Parser<string[]> = (raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw, variable) => {
    if (!values.includes(raw as T)) throw new ConfigError(variable, `must be one of ${values.join(', ')}`);
    return raw as T;
  };

const scopeName: Parser<string> = (raw, variable) => {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(raw)) {
    throw new ConfigError(variable, 'must be a letter followed by letters, digits or underscores');
  }
  return raw;
};

/** A whole number from `min` to `max`. */
const wholeNumber =
  (min: number, max: number): Parser<number> =>
  (raw, variable) => {
    const value = raw.trim();
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
      throw new ConfigError(variable, `must be a whole number from ${min} to ${max}`);
    return Number(value);
  };

const setting = <T, D extends string | undefined>(s: Setting<T> & { default: D }) => s;

/** The address ranges proxy-addr (Fastify's trustProxy) knows by name. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Which peers may tell Gatehouse the client's address (X-Forwarded-For): nobody, everybody, a
 * number of proxy hops, or addresses, CIDR ranges and range names. Checked here, so that a typo
 * is a clear start-up error and not a proxy silently distrusted.
 */
const trustedProxies: Parser<boolean | number | string[]> = (raw, variable) => {
  const value = raw.trim();
  if (value === 'false' || value === 'none') return false;
  if (value === 'true' || value === 'all') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = list(value, variable);
  if (entries.length === 0) throw new ConfigError(variable, 'must name at least one proxy address');
  for (const entry of entries) {
    if (PROXY_RANGE_NAMES.includes(entry)) continue;
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || rest.length > 0) {
      throw new ConfigError(
        variable,
        `"${entry}" is not an IP address, a CIDR range or one of ${PROXY_RANGE_NAMES.join(', ')} (or use true, false or a hop count)`,
      );
    }
  }
  return entries;
};

/** An upstream's URL: https, or http only on a loopback address (a local test upstream). */
const upstreamUrl: Parser<string> = (raw, variable) => {
  const value = url(raw, variable);
  const { protocol, hostname } = new URL(value);
  if (protocol === 'http:' && !isLocalMachineHost(hostname)) {
    throw new ConfigError(variable, 'must be an https URL (http only for a loopback test upstream)');
  }
  return value;
};

type ConnectorSettingName = 'ClientId' | 'ClientSecret' | 'Issuer' | 'AuthorizationUrl' | 'TokenUrl' | 'UserinfoUrl' | 'Scope';

/** The settings of one social connector (src/connectors): credentials, an OIDC issuer, endpoint overrides. */
function connectorSettings<P extends string>(prefix: P, preset: Preset) {
  const { env, label } = preset;
  const one = (suffix: string, description: string, parse: Parser<string> = str) =>
    setting({ env: `CONNECTOR_${env}_${suffix}`, default: undefined, description, parse });
  const entries: Record<ConnectorSettingName, Setting<string> & { default: undefined }> = {
    ClientId: one(
      'CLIENT_ID',
      `Client id of the ${label} OAuth app. Set, people can link their ${label} account; unset, ${label} is "not available".`,
    ),
    ClientSecret: one('CLIENT_SECRET', `Client secret of the ${label} OAuth app (unset: a public client, PKCE only).`),
    Issuer: one(
      'ISSUER',
      `An OpenID Connect provider that stands in for ${label} (another Gatehouse, Keycloak, …): endpoints by discovery at \`$ISSUER/.well-known/openid-configuration\`, the person from userinfo \`sub\` and \`preferred_username\`.`,
      upstreamUrl,
    ),
    AuthorizationUrl: one(
      'AUTHORIZATION_URL',
      `Override of the authorization endpoint (default \`${preset.authorizationUrl}\`).`,
      upstreamUrl,
    ),
    TokenUrl: one('TOKEN_URL', `Override of the token endpoint (default \`${preset.tokenUrl}\`).`, upstreamUrl),
    UserinfoUrl: one(
      'USERINFO_URL',
      `Override of the user API (default \`${preset.userUrl}\`; with an issuer, its userinfo endpoint).`,
      upstreamUrl,
    ),
    Scope: one('SCOPE', `Scope asked of ${label} (default \`${preset.scope}\`; with an issuer, \`openid profile email\`).`),
  };
  return Object.fromEntries(Object.entries(entries).map(([name, s]) => [`${prefix}${name}`, s])) as {
    [K in `${P}${ConnectorSettingName}`]: Setting<string> & { default: undefined };
  };
}

export const settings = {
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
      const secrets = list(raw, variable);
      if (secrets.length === 0) throw new ConfigError(variable, 'must contain at least one secret');
      for (const s of secrets) {
        if (s.length < 32) throw new ConfigError(variable, 'each secret must be at least 32 characters long');
      }
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
    parse: (raw, variable) => {
      const names = list(raw, variable).map((name) => name.toLowerCase());
      for (const name of names) {
        if (!/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(name)) {
          throw new ConfigError(variable, `"${name}" is not a host name (no scheme, port or wildcard)`);
        }
      }
      return names;
    },
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
  accessTokenTtl: setting({
    env: 'TTL_ACCESS_TOKEN',
    default: '24h',
    description: 'Access token lifetime.',
    parse: seconds,
  }),
  refreshTokenTtl: setting({
    env: 'TTL_REFRESH_TOKEN',
    default: '30d',
    description: 'Refresh token lifetime.',
    parse: seconds,
  }),
  authorizationCodeTtl: setting({
    env: 'TTL_AUTH_CODE',
    default: '10m',
    description: 'Authorization code lifetime.',
    parse: seconds,
  }),
  idTokenTtl: setting({ env: 'TTL_ID_TOKEN', default: '1h', description: 'ID token lifetime.', parse: seconds }),
  flowTtl: setting({
    env: 'TTL_LOGIN_CONSENT_REQUEST',
    default: '30m',
    description: 'How long a login, consent or logout challenge stays usable.',
    parse: seconds,
  }),
  loginSessionTtl: setting({
    env: 'TTL_LOGIN_SESSION',
    default: '30d',
    description: 'Upper bound of a remembered login session (`remember_for: 0` means this long).',
    parse: seconds,
  }),
  auditRetention: setting({
    env: 'AUDIT_RETENTION',
    default: '400d',
    description: 'How long audit log entries are kept before the background clean-up removes them.',
    parse: seconds,
  }),
  auditFoldWindow: setting({
    env: 'AUDIT_FOLD_WINDOW',
    default: '10m',
    description:
      'Repeated failures (a client failing to authenticate, a wrong second factor, a failed console sign-in) are written as one audit entry per failure kind, target and window of this length, with a `count` and the `last_at` of the latest (at most `1d`).',
    parse: secondsUpTo(86_400),
  }),
  rateLimitAuthorizationRequests: setting({
    env: 'RATE_LIMIT_AUTHORIZATION_REQUESTS',
    default: '60/10m',
    description:
      'New authorization requests (each one a login request kept for `TTL_LOGIN_CONSENT_REQUEST`) one client address may start (an IPv6 address counts by its /64); beyond it the browser goes back to the client with `temporarily_unavailable`. Raise it when many people share one address (a campus or carrier NAT).',
    parse: rate,
  }),
  rateLimitClientAuthFailures: setting({
    env: 'RATE_LIMIT_CLIENT_AUTH_FAILURES',
    default: '10/10m',
    description:
      'Failed client authentications (token, revocation, RFC 7592 client configuration endpoints) counted per client and address; beyond it the failures are answered 429 with `Retry-After` (401 with Basic, as RFC 6749 5.2 requires).',
    parse: rate,
  }),
  rateLimitRegistrations: setting({
    env: 'RATE_LIMIT_REGISTRATIONS',
    default: '20/1h',
    description:
      'Clients that one initial access token (RFC 7591 `/oauth2/register`) or one developer account (the developer portal) may register; beyond it 429.',
    parse: rate,
  }),
  rateLimitRegistrationsPerAddress: setting({
    env: 'RATE_LIMIT_REGISTRATIONS_PER_ADDRESS',
    default: '20/1h',
    description: 'Clients that one client address may register, by either way, whatever credential it holds; beyond it 429.',
    parse: rate,
  }),
  cleanupInterval: setting({
    env: 'CLEANUP_INTERVAL',
    default: '10m',
    description:
      'How often the background clean-up removes expired codes, challenges, tokens, sessions and one-time codes (at most `1d`).',
    // A timer cannot wait longer than 2^31 - 1 ms (about 24.8 days); a day is plenty.
    parse: secondsUpTo(86_400),
  }),
  idTokenAlgorithm: setting({
    env: 'ID_TOKEN_ALG',
    default: 'RS256',
    description: 'Default ID token signing algorithm (a client may ask for the other one).',
    parse: oneOf('RS256', 'ES256'),
  }),
  accountIdScope: setting({
    env: 'ACCOUNT_ID_SCOPE',
    default: 'GatehouseID',
    description: 'Name of the scope (and the field) that shares the account id.',
    parse: scopeName,
  }),
  smtpUrl: setting({
    env: 'SMTP_URL',
    default: undefined,
    description: 'SMTP server for email (e.g. `smtps://user:pass@smtp.example.com:465`). Unset: emails go to the dev outbox.',
    parse: (raw, variable) => {
      if (!/^smtps?:\/\//.test(raw)) throw new ConfigError(variable, 'must be an smtp:// or smtps:// URL');
      return raw;
    },
  }),
  smtpFrom: setting({
    env: 'SMTP_FROM',
    default: 'Gatehouse <no-reply@localhost>',
    description: 'Sender of the emails Gatehouse sends.',
    parse: str,
  }),
  smsProvider: setting({
    env: 'SMS_PROVIDER',
    default: undefined,
    description: '`twilio` to send SMS (and WhatsApp) through Twilio. Unset: messages go to the dev outbox.',
    parse: oneOf('twilio'),
  }),
  twilioAccountSid: setting({ env: 'TWILIO_ACCOUNT_SID', default: undefined, description: 'Twilio account SID.', parse: str }),
  twilioAuthToken: setting({ env: 'TWILIO_AUTH_TOKEN', default: undefined, description: 'Twilio auth token.', parse: str }),
  twilioFrom: setting({
    env: 'TWILIO_FROM',
    default: undefined,
    description: 'Sender of SMS: a Twilio phone number (E.164) or messaging service SID (`MG…`).',
    parse: str,
  }),
  twilioWhatsappFrom: setting({
    env: 'TWILIO_WHATSAPP_FROM',
    default: undefined,
    description: 'WhatsApp sender number (E.164). Set it to offer WhatsApp delivery.',
    parse: str,
  }),
  twilioApiUrl: setting({
    env: 'TWILIO_API_URL',
    default: 'https://api.twilio.com',
    description: 'Base URL of the Twilio API (overridable for tests and proxies).',
    parse: url,
  }),
  captcha: setting({
    env: 'CAPTCHA',
    default: 'altcha',
    description:
      'Captcha before any SMS or WhatsApp send: `altcha` (self-hosted proof of work), `turnstile`, `hcaptcha`, or `none` (development only).',
    parse: oneOf('altcha', 'turnstile', 'hcaptcha', 'none'),
  }),
  captchaSiteKey: setting({
    env: 'CAPTCHA_SITE_KEY',
    default: undefined,
    description: 'Turnstile / hCaptcha site key.',
    parse: str,
  }),
  captchaSecret: setting({
    env: 'CAPTCHA_SECRET',
    default: undefined,
    description: 'Turnstile / hCaptcha secret key.',
    parse: str,
  }),
  captchaVerifyUrl: setting({
    env: 'CAPTCHA_VERIFY_URL',
    default: undefined,
    description: 'Override of the Turnstile / hCaptcha siteverify URL (tests, proxies).',
    parse: url,
  }),
  otpTtl: setting({
    env: 'TTL_LOGIN_CODE',
    default: '10m',
    description: 'How long a one-time login code is valid.',
    parse: seconds,
  }),
  otpMaxAttempts: setting({
    env: 'LOGIN_CODE_MAX_ATTEMPTS',
    default: '5',
    description: 'Wrong tries before a one-time code is void.',
    parse: (raw, variable) => {
      if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 20)
        throw new ConfigError(variable, 'must be a whole number from 1 to 20');
      return Number(raw);
    },
  }),
  otpResendCooldown: setting({
    env: 'LOGIN_CODE_RESEND_COOLDOWN',
    default: '60s',
    description:
      'How long before another code can be sent to the same address from the same network (while the last one is still waiting to be entered).',
    parse: seconds,
  }),
  otpLimitWindow: setting({
    env: 'LOGIN_CODE_LIMIT_WINDOW',
    default: '1h',
    description: 'The sliding window over which the one-time code limits below count (at most `1d`).',
    parse: secondsUpTo(86_400),
  }),
  otpCaptchaPerDestination: setting({
    env: 'LOGIN_CODE_CAPTCHA_PER_DESTINATION',
    default: '3',
    description:
      'Codes still waiting to be entered for one address, asked from anywhere within the window, after which an email code too needs the captcha (step-up, never a refusal). A browser that proved the address is not asked. SMS and WhatsApp always need it.',
    parse: wholeNumber(0, 1000),
  }),
  otpCaptchaPerNetwork: setting({
    env: 'LOGIN_CODE_CAPTCHA_PER_NETWORK',
    default: '5',
    description:
      'Codes still waiting to be entered, asked from one network (an IPv4 address or an IPv6 prefix, see `RATE_LIMIT_IPV6_PREFIX`) within the window, after which every send from it needs the captcha.',
    parse: wholeNumber(0, 1000),
  }),
  otpMaxPerNetwork: setting({
    env: 'LOGIN_CODE_MAX_PER_NETWORK',
    default: '20',
    description:
      'Hard ceiling on codes sent at the request of one network within the window, captcha or not: those still waiting to be entered, and every SMS or WhatsApp one (they cost money). Entered email codes do not count.',
    parse: wholeNumber(1, 100_000),
  }),
  otpMaxSmsPerDestination: setting({
    env: 'LOGIN_CODE_MAX_SMS_PER_DESTINATION',
    default: '5',
    description:
      'Hard ceiling on SMS and WhatsApp codes to one phone number within the window (SMS pumping). Browsers that proved the number have a budget of their own, so strangers cannot use it up.',
    parse: wholeNumber(1, 1000),
  }),
  otpRememberAddress: setting({
    env: 'LOGIN_CODE_REMEMBER_ADDRESS',
    default: '30d',
    description:
      'How long a browser that entered a code for an address is let past the limits that others can run up on that address (a signed cookie).',
    parse: secondsUpTo(400 * 86_400),
  }),
  defaultCountry: setting({
    env: 'DEFAULT_COUNTRY',
    default: undefined,
    description: 'ISO country (e.g. `US`) for phone numbers typed without a `+` prefix.',
    parse: (raw, variable) => {
      if (!/^[A-Z]{2}$/.test(raw)) throw new ConfigError(variable, 'must be a two-letter ISO country code such as US');
      return raw;
    },
  }),
  ...connectorSettings('connectorGithub', PRESETS.github),
  ...connectorSettings('connectorDiscord', PRESETS.discord),
  ...connectorSettings('connectorTwitter', PRESETS.twitter),
  connectorTimeout: setting({
    env: 'CONNECTOR_TIMEOUT',
    default: '10s',
    description: 'How long a connector waits for its upstream (discovery, token, user API) before giving up.',
    parse: seconds,
  }),
  telegramBotToken: setting({
    env: 'TELEGRAM_BOT_TOKEN',
    default: undefined,
    description: 'Token of the Telegram bot behind the Telegram Login Widget (from @BotFather). Set, people can link Telegram.',
    parse: (raw, variable) => {
      if (!/^\d+:[A-Za-z0-9_-]{20,}$/.test(raw)) throw new ConfigError(variable, 'must be a bot token such as 123456:AAH…');
      return raw;
    },
  }),
  telegramBotUsername: setting({
    env: 'TELEGRAM_BOT_USERNAME',
    default: undefined,
    description: "The bot's username, shown by the widget; its domain (@BotFather /setdomain) must be the issuer's host.",
    parse: (raw, variable) => {
      const name = raw.replace(/^@/, '');
      if (!/^[A-Za-z][A-Za-z0-9_]{4,31}$/.test(name)) throw new ConfigError(variable, 'must be a Telegram bot username');
      return name;
    },
  }),
  telegramAuthMaxAge: setting({
    env: 'TELEGRAM_AUTH_MAX_AGE',
    default: '1d',
    description: 'Oldest Telegram login data (`auth_date`) accepted when linking.',
    parse: seconds,
  }),
  flowAccessApi: setting({
    env: 'FLOW_ACCESS_API',
    default: 'https://rest-mainnet.onflow.org',
    description:
      "Flow Access API (REST) from which a Flow account's keys are read to check its wallet's account proof (https; http only on a loopback test stand-in).",
    parse: upstreamUrl,
  }),
  logLevel: setting({
    env: 'LOG_LEVEL',
    default: 'info',
    description: 'pino log level.',
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  }),
};

type Settings = typeof settings;
type ValueOf<K extends keyof Settings> = ReturnType<Settings[K]['parse']>;
type Optional = {
  [K in keyof Settings]: Settings[K]['default'] extends string ? never : K;
}[keyof Settings];

export type Config = { [K in Exclude<keyof Settings, Optional>]: ValueOf<K> } & {
  [K in Optional]: ValueOf<K> | undefined;
} & { issuer: string };

/** Reads the configuration from an environment; throws ConfigError naming the bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(settings) as [string, Setting<unknown>][]) {
    const raw = env[s.env];
    const value = raw !== undefined && raw !== '' ? raw : s.default;
    out[key] = value === undefined ? undefined : s.parse(value, s.env);
  }
  const config = out as Config;
  config.issuer ??= `http://localhost:${config.port}`;
  checkTogether(config);
  return config;
}

/** Settings that only make sense together. */
function checkTogether(config: Config): void {
  if (config.workers > 1 && !config.databaseUrl) {
    throw new ConfigError('WORKERS', 'above 1 needs DATABASE_URL: the embedded database can be opened by one process only');
  }
  if (config.smsProvider === 'twilio') {
    for (const [key, env] of [
      ['twilioAccountSid', 'TWILIO_ACCOUNT_SID'],
      ['twilioAuthToken', 'TWILIO_AUTH_TOKEN'],
      ['twilioFrom', 'TWILIO_FROM'],
    ] as const) {
      if (!config[key]) throw new ConfigError(env, 'is required when SMS_PROVIDER=twilio');
    }
  }
  for (const [prefix, env] of [
    ['connectorGithub', 'GITHUB'],
    ['connectorDiscord', 'DISCORD'],
    ['connectorTwitter', 'TWITTER'],
  ] as const) {
    if (config[`${prefix}ClientSecret`] && !config[`${prefix}ClientId`]) {
      throw new ConfigError(`CONNECTOR_${env}_CLIENT_ID`, `is required when CONNECTOR_${env}_CLIENT_SECRET is set`);
    }
  }
  if (Boolean(config.telegramBotToken) !== Boolean(config.telegramBotUsername)) {
    const [missing, set] = config.telegramBotToken
      ? ['TELEGRAM_BOT_USERNAME', 'TELEGRAM_BOT_TOKEN']
      : ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_BOT_USERNAME'];
    throw new ConfigError(missing, `is required when ${set} is set`);
  }
  if (config.captcha === 'turnstile' || config.captcha === 'hcaptcha') {
    if (!config.captchaSiteKey) throw new ConfigError('CAPTCHA_SITE_KEY', `is required when CAPTCHA=${config.captcha}`);
    if (!config.captchaSecret) throw new ConfigError('CAPTCHA_SECRET', `is required when CAPTCHA=${config.captcha}`);
  }
}
