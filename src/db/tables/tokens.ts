/**
 * What the token endpoint issues and signs with: grants (token families), authorization
 * codes, access and refresh tokens, and the ID token signing keys.
 */
import type { Selectable } from 'kysely';
import type { CreatedAt, Default, Json, JsonDefault, NullableTimestamp, Timestamp } from '../column-types.js';

/** A token family: everything issued from one consent (or one client_credentials call). */
export interface GrantsTable {
  id: string;
  client_id: string;
  subject: string | null;
  scope: string;
  audience: JsonDefault<string[]>;
  flow_id: string | null;
  session_id: string | null;
  auth_time: NullableTimestamp;
  acr: string | null;
  amr: JsonDefault<string[]>;
  access_token_claims: JsonDefault<Record<string, unknown>>;
  id_token_claims: JsonDefault<Record<string, unknown>>;
  created_at: CreatedAt;
  revoked_at: NullableTimestamp;
  revoked_reason: Default<string | null>;
}

export interface AuthorizationCodesTable {
  hash: string;
  grant_id: string;
  client_id: string;
  redirect_uri: string;
  redirect_uri_sent: boolean;
  code_challenge: string | null;
  code_challenge_method: 'S256' | 'plain' | null;
  nonce: string | null;
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
  created_at: CreatedAt;
}

export type TokenKind = 'access' | 'refresh';

export interface TokensTable {
  hash: string;
  kind: TokenKind;
  grant_id: string | null;
  client_id: string;
  subject: string | null;
  scope: string;
  audience: JsonDefault<string[]>;
  expires_at: Timestamp;
  created_at: CreatedAt;
  revoked_at: NullableTimestamp;
  /** Refresh tokens: set when exchanged; a second exchange is reuse. */
  rotated_at: NullableTimestamp;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  /** The private JWK, encrypted with SECRETS_SYSTEM (crypto/encryption.ts). */
  private_jwk: string;
  public_jwk: Json<Record<string, unknown>>;
  state: 'active' | 'retired';
  created_at: CreatedAt;
  retired_at: NullableTimestamp;
}

export type Grant = Selectable<GrantsTable>;
export type Token = Selectable<TokensTable>;
export type SigningKey = Selectable<SigningKeysTable>;
