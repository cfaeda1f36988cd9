/**
 * The social providers whose connectors the configuration sets up (GitHub, Discord, X): the
 * name each setting is built from and the endpoints and scope it defaults to. How a connector
 * talks to each (token authentication, the user API's shape) is src/connectors/presets.ts'.
 */

export interface SocialProviderDefaults {
  label: string;
  /** Environment prefix: CONNECTOR_<env>_CLIENT_ID and the rest. */
  env: string;
  authorizationUrl: string;
  tokenUrl: string;
  /** The provider's "who am I" API. */
  userUrl: string;
  scope: string;
}

export const SOCIAL_PROVIDERS = {
  // docs.github.com "Authorizing OAuth apps": web application flow.
  github: {
    label: 'GitHub',
    env: 'GITHUB',
    authorizationUrl: 'https://github.com/login/oauth/authorize',
    tokenUrl: 'https://github.com/login/oauth/access_token',
    userUrl: 'https://api.github.com/user',
    scope: 'read:user',
  },
  // discord.com/developers/docs/topics/oauth2
  discord: {
    label: 'Discord',
    env: 'DISCORD',
    authorizationUrl: 'https://discord.com/oauth2/authorize',
    tokenUrl: 'https://discord.com/api/oauth2/token',
    userUrl: 'https://discord.com/api/users/@me',
    scope: 'identify',
  },
  // docs.x.com "OAuth 2.0 Authorization Code Flow with PKCE".
  twitter: {
    label: 'X (Twitter)',
    env: 'TWITTER',
    authorizationUrl: 'https://x.com/i/oauth2/authorize',
    tokenUrl: 'https://api.x.com/2/oauth2/token',
    userUrl: 'https://api.x.com/2/users/me',
    scope: 'users.read tweet.read',
  },
} satisfies Record<string, SocialProviderDefaults>;
