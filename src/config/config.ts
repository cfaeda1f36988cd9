/**
 * Gatehouse configuration: reads every setting (src/config/settings.ts) from the environment
 * and checks the ones that only make sense together. The rest of the code imports from here.
 */
import { ConfigError } from './config-error.js';
import type { Setting } from './parsers.js';
import { type Config, settings } from './settings.js';

export { ConfigError } from './config-error.js';
export type { RatePolicy } from './parsers.js';
export { type Config, settings } from './settings.js';

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
