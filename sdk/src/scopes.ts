/**
 * Scopes and the user fields each one releases at `GET /oauth/api/2/user`, as types: asking
 * `getUser(token, ['Email', 'GatehouseID'])` gives `{ Email?: string; GatehouseID: string }`.
 */

/**
 * The fields of `/oauth/api/2/user`, per scope (the "Sign in with Galxe" shape). Every field
 * but the account id is optional: a person may have no verified email, or may not have linked
 * that kind of identity, and the field is then absent.
 */
export interface ScopeFields {
  /** The account id: always present when the scope was granted. */
  GatehouseID: { GatehouseID: string };
  /** The verified email address. */
  Email: { Email?: string };
  Twitter: { TwitterUsername?: string; TwitterUserID?: string };
  Discord: { DiscordUsername?: string; DiscordUserID?: string };
  Github: { GithubUsername?: string; GithubUserID?: string };
  Telegram: { TelegramUsername?: string; TelegramUserID?: string };
  EVMAddress: { EVMAddress?: string };
  SolanaAddress: { SolanaAddress?: string };
  SeiAddress: { SeiAddress?: string };
  AptosAddress: { AptosAddress?: string };
  InjectiveAddress: { InjectiveAddress?: string };
  FlowAddress: { FlowAddress?: string };
}

/** A scope that releases user fields. */
export type IdentityScope = keyof ScopeFields;

/** The identity scopes, in the order a consent screen lists them. */
export const IDENTITY_SCOPES: readonly IdentityScope[] = [
  'GatehouseID',
  'Email',
  'Twitter',
  'Discord',
  'Github',
  'Telegram',
  'EVMAddress',
  'SolanaAddress',
  'SeiAddress',
  'AptosAddress',
  'InjectiveAddress',
  'FlowAddress',
];

/** OpenID Connect scopes: they release claims in the ID token and at userinfo, no user fields. */
export type OidcScope = 'openid' | 'profile' | 'email' | 'phone' | 'offline_access';

/** Any scope Gatehouse knows, or another string (a deployment may rename the account-id scope). */
export type Scope = IdentityScope | OidcScope | (string & {});

type FieldsOf<S extends string> = S extends IdentityScope
  ? ScopeFields[S]
  : S extends OidcScope
    ? {}
    : // An account-id scope renamed by ACCOUNT_ID_SCOPE (e.g. "AcmeID") comes back under its own name.
      { [K in S]?: string };

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Flatten<T> = { [K in keyof T]: T[K] };

/** The fields `getUser` returns for the scopes `S`. */
export type UserFields<S extends string> = Flatten<UnionToIntersection<FieldsOf<S>>>;

/** Every field that may come back when no scope is named (all the token's scopes). */
export type AnyUserFields = Partial<Flatten<UnionToIntersection<ScopeFields[IdentityScope]>>> & {
  [field: string]: string | undefined;
};

/** Splits a space-delimited scope string (RFC 6749 section 3.3); accepts an array as is. */
export function scopeList(scope: string | readonly string[] | undefined): string[] {
  if (scope === undefined) return [];
  const list = typeof scope === 'string' ? scope.split(' ') : [...scope];
  return [...new Set(list.filter(Boolean))];
}
