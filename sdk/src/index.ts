/**
 * `@gatehouse/sdk`: sign people in with Gatehouse from a server (a confidential client with a
 * secret) or from a browser (a public client, PKCE only).
 *
 * @packageDocumentation
 */
export {
  GatehouseClient,
  type GatehouseClientOptions,
  type LogoutOptions,
  type PendingSignIn,
  type SignInOptions,
  type SignInRequest,
  type TokenDetail,
  type UserInfo,
} from './client.js';
export {
  type CheckCode,
  CheckError,
  GatehouseError,
  isGatehouseError,
  OAuthError,
  type OAuthErrorCode,
} from './errors.js';
export {
  type AnyUserFields,
  IDENTITY_SCOPES,
  type IdentityScope,
  type OidcScope,
  type Scope,
  type ScopeFields,
  scopeList,
  type UserFields,
} from './scopes.js';
export type { IdTokenClaims, TokenSet } from './tokens.js';
