/**
 * The upstreams of linked identities: the social connectors (GitHub, Discord, X, or an OpenID
 * Connect provider standing in for one), the Telegram bot, and the Flow Access API.
 */
import { ConfigError } from './config-error.js';
import { type Parser, type Setting, seconds, setting, str, upstreamUrl } from './parsers.js';
import { SOCIAL_PROVIDERS, type SocialProviderDefaults } from './social-providers.js';

type ConnectorSettingName = 'ClientId' | 'ClientSecret' | 'Issuer' | 'AuthorizationUrl' | 'TokenUrl' | 'UserinfoUrl' | 'Scope';

/** The settings of one social connector (src/connectors): credentials, an OIDC issuer, endpoint overrides. */
function connectorSettings<P extends string>(prefix: P, provider: SocialProviderDefaults) {
  const { env, label } = provider;
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
      `Override of the authorization endpoint (default \`${provider.authorizationUrl}\`).`,
      upstreamUrl,
    ),
    TokenUrl: one('TOKEN_URL', `Override of the token endpoint (default \`${provider.tokenUrl}\`).`, upstreamUrl),
    UserinfoUrl: one(
      'USERINFO_URL',
      `Override of the user API (default \`${provider.userUrl}\`; with an issuer, its userinfo endpoint).`,
      upstreamUrl,
    ),
    Scope: one('SCOPE', `Scope asked of ${label} (default \`${provider.scope}\`; with an issuer, \`openid profile email\`).`),
  };
  return Object.fromEntries(Object.entries(entries).map(([name, s]) => [`${prefix}${name}`, s])) as {
    [K in `${P}${ConnectorSettingName}`]: Setting<string> & { default: undefined };
  };
}

export const upstreamSettings = {
  ...connectorSettings('connectorGithub', SOCIAL_PROVIDERS.github),
  ...connectorSettings('connectorDiscord', SOCIAL_PROVIDERS.discord),
  ...connectorSettings('connectorTwitter', SOCIAL_PROVIDERS.twitter),
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
};
