import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.js';
import { Connectors, connectorAvailable, telegramSettings } from './connectors.js';

const configError = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return undefined;
};

describe('connector configuration', () => {
  it('turns a connector on with its client id, and Telegram with its bot', () => {
    const config = loadConfig({
      CONNECTOR_DISCORD_CLIENT_ID: '1234',
      TELEGRAM_BOT_TOKEN: '123456:AAH-abcdefghijklmnopqrstuvwxyz',
      TELEGRAM_BOT_USERNAME: '@GateBot',
    });
    expect(connectorAvailable(config, 'discord')).toBe(true);
    expect(connectorAvailable({ config }, 'discord')).toBe(true);
    expect(connectorAvailable(config, 'github')).toBe(false);
    expect(connectorAvailable(config, 'twitter')).toBe(false);
    expect(connectorAvailable(config, 'telegram')).toBe(true);
    expect(connectorAvailable(config, 'evm')).toBe(false);
    expect(telegramSettings(config)).toEqual({
      botToken: '123456:AAH-abcdefghijklmnopqrstuvwxyz',
      botUsername: 'GateBot',
      maxAgeSeconds: 86400,
    });
    const connectors = new Connectors(config);
    expect(connectors.get('github')).toBeUndefined();
    expect(connectors.get('discord')?.label).toBe('Discord');
    expect(connectors.get('discord')).toBe(connectors.get('discord'));
  });

  it('uses OpenID Connect when an issuer (or its discovery URL) is set', () => {
    const config = loadConfig({
      CONNECTOR_GITHUB_CLIENT_ID: 'abc',
      CONNECTOR_GITHUB_ISSUER: 'https://id.example.com/.well-known/openid-configuration',
    });
    expect(new Connectors(config).get('github')?.usesOidc).toBe(true);
    expect(new Connectors(loadConfig({ CONNECTOR_GITHUB_CLIENT_ID: 'abc' })).get('github')?.usesOidc).toBe(false);
  });

  it.each([
    [{ CONNECTOR_GITHUB_TOKEN_URL: 'http://github.internal/token' }, 'CONNECTOR_GITHUB_TOKEN_URL: must be an https URL'],
    [{ CONNECTOR_DISCORD_ISSUER: 'ftp://x' }, 'CONNECTOR_DISCORD_ISSUER: must be an http or https URL'],
    [
      { CONNECTOR_TWITTER_CLIENT_SECRET: 's' },
      'CONNECTOR_TWITTER_CLIENT_ID: is required when CONNECTOR_TWITTER_CLIENT_SECRET is set',
    ],
    [{ TELEGRAM_BOT_TOKEN: 'not-a-token' }, 'TELEGRAM_BOT_TOKEN: must be a bot token'],
    [
      { TELEGRAM_BOT_TOKEN: '123456:AAH-abcdefghijklmnopqrstuvwxyz' },
      'TELEGRAM_BOT_USERNAME: is required when TELEGRAM_BOT_TOKEN is set',
    ],
    [{ TELEGRAM_BOT_USERNAME: 'GateBot' }, 'TELEGRAM_BOT_TOKEN: is required when TELEGRAM_BOT_USERNAME is set'],
    [{ TELEGRAM_AUTH_MAX_AGE: 'soon' }, 'TELEGRAM_AUTH_MAX_AGE: "soon" is not a duration'],
  ])('refuses bad configuration with one line naming the variable (%o)', (env, message) => {
    expect(configError(env)).toContain(message);
  });

  it('allows plain http only for a loopback test upstream', () => {
    for (const host of ['127.0.0.1:8080', 'localhost:3000', '[::1]:9000']) {
      expect(configError({ CONNECTOR_GITHUB_USERINFO_URL: `http://${host}/user` })).toBeUndefined();
    }
    expect(configError({ CONNECTOR_GITHUB_USERINFO_URL: 'http://127.0.0.1.example.com/user' })).toContain('https');
  });
});
