/**
 * Which connectors this server offers, built from the configuration: a social connector is on
 * when its client id is set, Telegram when its bot is. The account page asks
 * `connectorAvailable` to show "Link" or "not available".
 */
import type { Config } from '../config/config.js';
import { OAuthConnector } from './oauth-connector.js';
import { isSocialKind, PRESETS, type SocialKind } from './presets.js';

type Source = { config: Config } | Config;
const configOf = (source: Source): Config => ('config' in source ? source.config : source);

const PREFIX = { github: 'connectorGithub', discord: 'connectorDiscord', twitter: 'connectorTwitter' } as const;

/** Whether people can link `kind` here: a configured connector (GitHub, Discord, X) or Telegram bot. */
export function connectorAvailable(source: Source, kind: string): boolean {
  const config = configOf(source);
  if (kind === 'telegram') return telegramSettings(config) !== undefined;
  return isSocialKind(kind) && Boolean(config[`${PREFIX[kind]}ClientId`]);
}

export interface TelegramSettings {
  botToken: string;
  botUsername: string;
  maxAgeSeconds: number;
}

export function telegramSettings(config: Config): TelegramSettings | undefined {
  if (!config.telegramBotToken || !config.telegramBotUsername) return undefined;
  return {
    botToken: config.telegramBotToken,
    botUsername: config.telegramBotUsername,
    maxAgeSeconds: config.telegramAuthMaxAge,
  };
}

/** One connector per kind per process, so an OIDC provider's discovery is cached between requests. */
export class Connectors {
  private readonly built = new Map<SocialKind, OAuthConnector>();

  constructor(
    private readonly config: Config,
    private readonly now?: () => number,
  ) {}

  get(kind: SocialKind): OAuthConnector | undefined {
    const existing = this.built.get(kind);
    if (existing) return existing;
    const prefix = PREFIX[kind];
    const c = this.config;
    const clientId = c[`${prefix}ClientId`];
    if (!clientId) return undefined;
    const connector = new OAuthConnector({
      preset: PRESETS[kind],
      clientId,
      clientSecret: c[`${prefix}ClientSecret`],
      issuer: c[`${prefix}Issuer`],
      authorizationUrl: c[`${prefix}AuthorizationUrl`],
      tokenUrl: c[`${prefix}TokenUrl`],
      userUrl: c[`${prefix}UserinfoUrl`],
      scope: c[`${prefix}Scope`],
      timeoutSeconds: c.connectorTimeout,
      ...(this.now ? { now: this.now } : {}),
    });
    this.built.set(kind, connector);
    return connector;
  }
}
