/**
 * The typed readers of environment variables (durations, rates, URLs, lists, ports, …): each
 * turns the raw text into a value or throws a ConfigError naming the variable.
 */
import { isIP } from 'node:net';
import { isLocalMachineHost } from '../net/loopback.js';
import { ConfigError } from './config-error.js';

export type Parser<T> = (raw: string, variable: string) => T;

export interface Setting<T> {
  env: string;
  description: string;
  /** Default as shown in the docs; `undefined` means unset. */
  default: string | undefined;
  parse: Parser<T>;
}

/** Declares one setting, keeping whether it has a default: a setting without one is optional in Config. */
export const setting = <T, D extends string | undefined>(s: Setting<T> & { default: D }) => s;

export const str: Parser<string> = (raw) => raw;

export const port: Parser<number> = (raw, variable) => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 0 || n > 65535) {
    throw new ConfigError(variable, `"${raw}" is not a TCP port (0-65535)`);
  }
  return n;
};

export const seconds: Parser<number> = (raw, variable) => {
  const match = /^(\d+)(s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new ConfigError(variable, `"${raw}" is not a duration (e.g. 3600, 10m, 24h, 30d)`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const value = Number(match[1]) * unit;
  if (value <= 0) throw new ConfigError(variable, 'must be greater than zero');
  return value;
};

/** A duration of at most `max` seconds. */
export const secondsUpTo =
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
export const rate: Parser<RatePolicy> = (raw, variable) => {
  const match = /^\s*(\d{1,9})\s*\/\s*(\S+)\s*$/.exec(raw);
  if (!match) throw new ConfigError(variable, `"${raw}" is not a rate such as 60/10m (a count, a slash, a duration)`);
  const limit = Number(match[1]);
  if (limit < 1) throw new ConfigError(variable, 'the count must be at least 1');
  return { limit, windowSeconds: secondsUpTo(86_400)(match[2] as string, variable) };
};

export const url: Parser<string> = (raw, variable) => {
  if (!URL.canParse(raw)) throw new ConfigError(variable, `"${raw}" is not an absolute URL`);
  const parsed = new URL(raw);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(variable, 'must be an http or https URL');
  }
  return raw.replace(/\/+$/, '');
};

export const issuer: Parser<string> = (raw, variable) => {
  const value = url(raw, variable);
  const parsed = new URL(value);
  // RFC 8414 section 2: the issuer has no query or fragment.
  if (parsed.search || parsed.hash) throw new ConfigError(variable, 'must not have a query or fragment');
  return value;
};

export const databaseUrl: Parser<string> = (raw, variable) => {
  if (!/^postgres(ql)?:\/\//.test(raw)) {
    throw new ConfigError(variable, 'must be a postgres:// or postgresql:// connection string');
  }
  return raw;
};

export const list: Parser<string[]> = (raw) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** A comma-separated list whose every entry `entry` reads (and may throw for). */
export const listOf =
  <T>(entry: Parser<T>): Parser<T[]> =>
  (raw, variable) =>
    list(raw, variable).map((item) => entry(item, variable));

export const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw, variable) => {
    if (!values.includes(raw as T)) throw new ConfigError(variable, `must be one of ${values.join(', ')}`);
    return raw as T;
  };

export const scopeName: Parser<string> = (raw, variable) => {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(raw)) {
    throw new ConfigError(variable, 'must be a letter followed by letters, digits or underscores');
  }
  return raw;
};

/** A whole number from `min` to `max`. */
export const wholeNumber =
  (min: number, max: number): Parser<number> =>
  (raw, variable) => {
    const value = raw.trim();
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
      throw new ConfigError(variable, `must be a whole number from ${min} to ${max}`);
    return Number(value);
  };

/** The address ranges proxy-addr (Fastify's trustProxy) knows by name. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Which peers may tell Gatehouse the client's address (X-Forwarded-For): nobody, everybody, a
 * number of proxy hops, or addresses, CIDR ranges and range names. Checked here, so that a typo
 * is a clear start-up error and not a proxy silently distrusted.
 */
export const trustedProxies: Parser<boolean | number | string[]> = (raw, variable) => {
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
export const upstreamUrl: Parser<string> = (raw, variable) => {
  const value = url(raw, variable);
  const { protocol, hostname } = new URL(value);
  if (protocol === 'http:' && !isLocalMachineHost(hostname)) {
    throw new ConfigError(variable, 'must be an https URL (http only for a loopback test upstream)');
  }
  return value;
};
