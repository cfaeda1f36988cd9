/**
 * GitHub, Discord and X as presets of the one OAuth 2.0 connector: where each provider's
 * endpoints are, which scope reads the person's id and name, how the client authenticates
 * at the token endpoint, and how each user API names the person. Everything else is the
 * generic connector's.
 */
import { SOCIAL_PROVIDERS, type SocialProviderDefaults } from '../config/social-providers.js';

export type SocialKind = 'github' | 'discord' | 'twitter';

export const SOCIAL_KINDS: readonly SocialKind[] = ['github', 'discord', 'twitter'];

export const isSocialKind = (kind: string): kind is SocialKind => (SOCIAL_KINDS as readonly string[]).includes(kind);

/** Who the provider says the person is: a stable id, the current username, and a few extras. */
export interface ConnectedUser {
  id: string;
  username: string;
  details: Record<string, string>;
}

export interface Preset extends SocialProviderDefaults {
  kind: SocialKind;
  /** How a confidential client authenticates at the token endpoint (what the provider documents). */
  tokenAuth: 'client_secret_post' | 'client_secret_basic';
  /** Headers the user API asks for, beyond the bearer token. */
  userHeaders: Record<string, string>;
  /** The user API's answer → the person, or undefined when it does not name one. */
  readUser(body: unknown): ConnectedUser | undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
/** GitHub's ids are JSON numbers (safe integers); kept as strings, like everyone else's. */
const numericId = (value: unknown): string | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
/** Discord's and X's ids are snowflakes sent as strings: as a JSON number one would have lost digits. */
const id = (value: unknown): string | undefined => {
  const s = text(value);
  return s && /^\d{1,30}$/.test(s) ? s : undefined;
};
const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const only = (entries: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));

export const PRESETS: Record<SocialKind, Preset> = {
  // docs.github.com "Authorizing OAuth apps": web application flow; PKCE (S256) is supported.
  github: {
    kind: 'github',
    ...SOCIAL_PROVIDERS.github,
    tokenAuth: 'client_secret_post',
    // The REST API refuses requests without a User-Agent.
    userHeaders: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' },
    readUser(body) {
      const user = record(body);
      const userId = numericId(user?.id);
      const login = text(user?.login);
      if (!userId || !login) return undefined;
      return { id: userId, username: login, details: only({ name: text(user?.name) }) };
    },
  },
  // discord.com/developers/docs/topics/oauth2; usernames are the new unique ones, global_name is for display.
  discord: {
    kind: 'discord',
    ...SOCIAL_PROVIDERS.discord,
    tokenAuth: 'client_secret_basic',
    userHeaders: { accept: 'application/json' },
    readUser(body) {
      const user = record(body);
      const userId = id(user?.id);
      const username = text(user?.username);
      if (!userId || !username) return undefined;
      return { id: userId, username, details: only({ name: text(user?.global_name) }) };
    },
  },
  // docs.x.com "OAuth 2.0 Authorization Code Flow with PKCE": PKCE is required; confidential clients use Basic.
  twitter: {
    kind: 'twitter',
    ...SOCIAL_PROVIDERS.twitter,
    tokenAuth: 'client_secret_basic',
    userHeaders: { accept: 'application/json' },
    readUser(body) {
      const data = record(record(body)?.data);
      const userId = id(data?.id);
      const username = text(data?.username);
      if (!userId || !username) return undefined;
      return { id: userId, username, details: only({ name: text(data?.name) }) };
    },
  },
};

/** OIDC Core 5.1: `sub` is the stable id; the name shown is the best of what the provider releases. */
export function readOidcUser(claims: Record<string, unknown>): ConnectedUser | undefined {
  const sub = text(claims.sub);
  if (!sub) return undefined;
  const username = text(claims.preferred_username) ?? text(claims.name) ?? text(claims.email) ?? sub;
  return { id: sub, username, details: only({ name: text(claims.name) }) };
}
