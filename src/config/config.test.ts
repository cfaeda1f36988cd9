import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settings } from './config.js';

describe('loadConfig', () => {
  it('applies every default and derives the issuer from PORT', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 4444,
      host: '0.0.0.0',
      adminPort: 4445,
      adminHost: '127.0.0.1',
      issuer: 'http://localhost:4444',
      dataDir: './data',
      accessTokenTtl: 86400,
      refreshTokenTtl: 30 * 86400,
      authorizationCodeTtl: 600,
      accountIdScope: 'GatehouseID',
      idTokenAlgorithm: 'RS256',
      trustProxy: ['loopback'],
      databasePreparedStatements: true,
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'off' }).databasePreparedStatements).toBe(false);
    expect(loadConfig({ PORT: '8080' }).issuer).toBe('http://localhost:8080');
  });

  it('reads WORKERS as a number of processes, or one per CPU', () => {
    expect(loadConfig({}).workers).toBe(1);
    const postgres = { DATABASE_URL: 'postgres://127.0.0.1/gatehouse' };
    expect(loadConfig({ ...postgres, WORKERS: '4' }).workers).toBe(4);
    expect(loadConfig({ ...postgres, WORKERS: 'auto' }).workers).toBe(availableParallelism());
    expect(loadConfig({ WORKERS: '1' }).workers).toBe(1);
  });

  it('parses durations, lists and trims a trailing slash from URLs', () => {
    const config = loadConfig({
      TTL_ACCESS_TOKEN: '15m',
      SECRETS_SYSTEM: `${'a'.repeat(32)}, ${'b'.repeat(40)}`,
      ISSUER: 'https://id.example.com/',
    });
    expect(config.accessTokenTtl).toBe(900);
    expect(loadConfig({ CLEANUP_INTERVAL: '1d' }).cleanupInterval).toBe(86_400);
    expect(config.secretsSystem).toEqual(['a'.repeat(32), 'b'.repeat(40)]);
    expect(config.issuer).toBe('https://id.example.com');
  });

  it('reads which proxies to believe: none, all, a hop count, or addresses and ranges', () => {
    const trust = (value: string) => loadConfig({ TRUST_PROXY: value }).trustProxy;
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('2')).toBe(2);
    expect(trust('loopback, 10.0.0.0/8, 192.0.2.7, fd00::/8, ::1')).toEqual([
      'loopback',
      '10.0.0.0/8',
      '192.0.2.7',
      'fd00::/8',
      '::1',
    ]);
  });

  it('reads the one-time code limits and the IPv6 prefix of per-address limits', () => {
    expect(loadConfig({})).toMatchObject({
      rateLimitIpv6Prefix: 64,
      otpLimitWindow: 3600,
      otpCaptchaPerDestination: 3,
      otpCaptchaPerNetwork: 5,
      otpMaxPerNetwork: 20,
      otpMaxSmsPerDestination: 5,
      otpRememberAddress: 30 * 86400,
    });
    expect(loadConfig({ RATE_LIMIT_IPV6_PREFIX: '48' }).rateLimitIpv6Prefix).toBe(48);
    expect(loadConfig({ RATE_LIMIT_IPV6_PREFIX: '128' }).rateLimitIpv6Prefix).toBe(128);
    expect(loadConfig({ LOGIN_CODE_CAPTCHA_PER_DESTINATION: '0' }).otpCaptchaPerDestination).toBe(0);
    expect(loadConfig({ LOGIN_CODE_LIMIT_WINDOW: '30m' }).otpLimitWindow).toBe(1800);
  });

  it.each([
    ['PORT', 'abc', 'not a TCP port'],
    ['RATE_LIMIT_IPV6_PREFIX', '31', 'from 32 to 128'],
    ['RATE_LIMIT_IPV6_PREFIX', '129', 'from 32 to 128'],
    ['RATE_LIMIT_IPV6_PREFIX', '/64', 'from 32 to 128'],
    ['RATE_LIMIT_IPV6_PREFIX', '64.5', 'from 32 to 128'],
    ['LOGIN_CODE_MAX_PER_NETWORK', '0', 'whole number from 1'],
    ['LOGIN_CODE_MAX_SMS_PER_DESTINATION', 'many', 'whole number from 1'],
    ['LOGIN_CODE_CAPTCHA_PER_NETWORK', '-1', 'whole number from 0'],
    ['LOGIN_CODE_LIMIT_WINDOW', '2d', 'at most 86400 seconds'],
    ['TRUST_PROXY', 'loopbak', 'not an IP address'],
    ['TRUST_PROXY', '10.0.0.0/33', 'not an IP address'],
    ['TRUST_PROXY', 'proxy.internal', 'not an IP address'],
    ['PORT', '70000', 'not a TCP port'],
    ['ISSUER', 'ftp://x', 'http or https'],
    ['ISSUER', 'https://x.example/?a=1', 'query or fragment'],
    ['DATABASE_URL', 'mysql://x', 'postgres://'],
    ['SECRETS_SYSTEM', 'short', 'at least 32'],
    ['TTL_ACCESS_TOKEN', '10 minutes', 'not a duration'],
    ['ACCOUNT_ID_SCOPE', 'has space', 'letter followed'],
    ['LOG_LEVEL', 'loud', 'must be one of'],
    ['DATABASE_PREPARED_STATEMENTS', 'false', 'must be one of'],
    ['ADMIN_TOKEN', 'short', 'at least 16'],
    // Longer than a timer can wait: Node would fire it every millisecond instead.
    ['CLEANUP_INTERVAL', '30d', 'at most 86400 seconds'],
    ['WORKERS', '0', 'from 1 to 64, or auto'],
    ['WORKERS', '65', 'from 1 to 64, or auto'],
    ['WORKERS', '2.5', 'from 1 to 64, or auto'],
    // The embedded database belongs to one process.
    ['WORKERS', '2', 'needs DATABASE_URL'],
  ])('refuses %s=%s naming the variable', (variable, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message.startsWith(`${variable}: `)).toBe(true);
  });

  it('documents every setting', () => {
    for (const s of Object.values(settings)) {
      expect(s.env).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(s.description.length).toBeGreaterThan(10);
    }
  });
});
