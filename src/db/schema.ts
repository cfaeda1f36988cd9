/** Table types. Secrets (tokens, codes, challenges, client secrets) appear only as hashes. */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** jsonb: written as a JSON string (see `json()`), read back parsed. */
export type Json<T> = ColumnType<T, string, string>;
/** A column with a database default: optional on insert. */
type JsonDefault<T> = ColumnType<T, string | undefined, string>;
type Default<T> = ColumnType<T, T | undefined, T>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date, Date>;
type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

export const json = (value: unknown): string => JSON.stringify(value ?? null);

export type ClientStatus = 'pending' | 'approved' | 'rejected' | 'suspended';

export interface ClientsTable {
  id: string;
  secret_hash: string | null;
  name: string;
  status: ClientStatus;
  status_reason: string | null;
  redirect_uris: Json<string[]>;
  post_logout_redirect_uris: Json<string[]>;
  grant_types: Json<string[]>;
  response_types: Json<string[]>;
  scope: string;
  audience: Json<string[]>;
  token_endpoint_auth_method: string;
  application_type: string;
  skip_consent: boolean;
  id_token_signed_response_alg: string | null;
  logo_uri: string | null;
  client_uri: string | null;
  policy_uri: string | null;
  tos_uri: string | null;
  owner: string | null;
  contacts: Json<string[]>;
  metadata: Json<Record<string, unknown>>;
  description: string | null;
  /** The account that registered it in the developer portal (null when an operator did). */
  developer_account_id: string | null;
  /** Redirect URIs / scopes asked for an approved client, held until an operator decides. */
  pending_changes: Json<PendingChanges> | null;
  /** RFC 7592 registration access token, hashed. */
  registration_token_hash: string | null;
  /** A secret issued at approval, encrypted, until the developer has seen it once. */
  unrevealed_secret: string | null;
  status_changed_at: NullableTimestamp;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

/** A change to an approved client that needs review before it takes effect. */
export interface PendingChanges {
  redirect_uris?: string[];
  post_logout_redirect_uris?: string[];
  scope?: string;
  grant_types?: string[];
  response_types?: string[];
  application_type?: string;
  token_endpoint_auth_method?: string;
  requested_at: string;
}

export type IdentityKind =
  | 'twitter'
  | 'discord'
  | 'github'
  | 'telegram'
  | 'evm'
  | 'solana'
  | 'sei'
  | 'aptos'
  | 'injective'
  | 'flow';

export interface LinkedIdentitiesTable {
  id: string;
  account_id: string;
  kind: IdentityKind;
  /** The provider's stable user id, or the address in canonical form (EVM: lower case): unique per kind. */
  external_id: string;
  /** What is shown and shared: the current username, or the address as the wallet writes it. */
  display_name: string;
  details: JsonDefault<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface WalletChallengesTable {
  id: string;
  account_id: string;
  kind: string;
  address: string;
  nonce: string;
  message: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface InitialAccessTokensTable {
  id: string;
  token_hash: string;
  description: string | null;
  uses_left: number | null;
  expires_at: NullableTimestamp;
  created_at: CreatedAt;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: Timestamp;
  action: string;
  actor_type: string;
  actor_id: string | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  details: JsonDefault<Record<string, unknown>>;
  /** Set on an entry that repeated failures of one window count into (src/audit/folding.ts). */
  fold_key: ColumnType<string | null, string | null | undefined, string | null>;
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

export interface AccountsTable {
  id: string;
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  phone_verified: boolean;
  /** Encrypted with SECRETS_SYSTEM; null until 2FA is enrolled. */
  totp_secret: Default<string | null>;
  totp_enabled_at: Default<Date | null>;
  /** The last TOTP time step accepted, so a code cannot be used twice (RFC 6238 5.2). */
  totp_last_step: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type FlowState =
  | 'login_requested'
  | 'login_accepted'
  | 'login_rejected'
  | 'consent_requested'
  | 'consent_accepted'
  | 'consent_rejected'
  | 'done';

/** A validated authorization request, as stored on a flow. */
export interface AuthorizationRequest {
  response_type: 'code';
  redirect_uri: string;
  /** Whether redirect_uri was sent, which binds the token request (RFC 6749 4.1.3). */
  redirect_uri_sent: boolean;
  state: string;
  scope: string[];
  audience: string[];
  nonce: string | null;
  code_challenge: string | null;
  code_challenge_method: 'S256' | 'plain' | null;
  prompt: string[];
  max_age: number | null;
  ui_locales: string[];
  acr_values: string[];
  login_hint: string | null;
  display: string | null;
  id_token_hint_subject: string | null;
}

export interface RequestError {
  error: string;
  error_description: string;
  error_hint?: string;
  error_debug?: string;
  status_code?: number;
}

/** One authorization, from /oauth2/auth to the code: Hydra's login + consent requests. */
export interface FlowsTable {
  id: string;
  client_id: string;
  state: FlowState;
  request: Json<AuthorizationRequest>;
  request_url: string;
  csrf_hash: string;
  login_challenge_hash: string;
  login_verifier_hash: Default<string | null>;
  consent_challenge_hash: Default<string | null>;
  consent_verifier_hash: Default<string | null>;
  subject: Default<string | null>;
  login_session_id: Default<string | null>;
  login_skip: Default<boolean>;
  login_remember: Default<boolean>;
  login_remember_for: Default<number>;
  auth_time: NullableTimestamp;
  acr: Default<string | null>;
  amr: JsonDefault<string[]>;
  context: JsonDefault<Record<string, unknown>>;
  login_error: ColumnType<RequestError | null, string | undefined, string>;
  consent_skip: Default<boolean>;
  granted_scope: JsonDefault<string[]>;
  granted_audience: JsonDefault<string[]>;
  consent_remember: Default<boolean>;
  consent_remember_for: Default<number>;
  session_access_token: JsonDefault<Record<string, unknown>>;
  session_id_token: JsonDefault<Record<string, unknown>>;
  consent_error: ColumnType<RequestError | null, string | undefined, string>;
  consent_handled_at: NullableTimestamp;
  /** Set when the remembered consent is revoked (DELETE sessions/consent). */
  consent_revoked_at: NullableTimestamp;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

export interface LoginSessionsTable {
  id: string;
  subject: string;
  authenticated_at: Timestamp;
  remember: boolean;
  expires_at: Timestamp;
  created_at: CreatedAt;
}

export interface LogoutRequestsTable {
  challenge_hash: string;
  verifier_hash: string | null;
  subject: string | null;
  session_id: string | null;
  client_id: string | null;
  rp_initiated: boolean;
  request_url: string;
  post_logout_redirect_uri: string | null;
  state: string | null;
  status: 'requested' | 'accepted' | 'rejected' | 'done';
  created_at: CreatedAt;
  expires_at: Timestamp;
}

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

export interface RecoveryCodesTable {
  account_id: string;
  code_hash: string;
  used_at: NullableTimestamp;
  created_at: CreatedAt;
}

export type CodePurpose = 'login' | 'register';
export type CodeChannel = 'email' | 'sms' | 'whatsapp';

export interface OneTimeCodesTable {
  id: string;
  purpose: CodePurpose;
  channel: CodeChannel;
  /** Normalised: lower-case email, or E.164 phone number. */
  destination: string;
  code_hash: string;
  login_challenge_hash: string | null;
  attempts: Default<number>;
  max_attempts: number;
  /** The client's address as it connected (kept for the record). */
  ip: string | null;
  /** The network the limits count it by: addressBucket(ip, RATE_LIMIT_IPV6_PREFIX). */
  network: string | null;
  /** Asked by a browser that had already proved this destination (its own budget). */
  proved: Default<boolean>;
  created_at: CreatedAt;
  expires_at: Timestamp;
  resend_after: Timestamp;
  verified_at: NullableTimestamp;
  consumed_at: NullableTimestamp;
}

export interface OutboxTable {
  id: string;
  channel: string;
  recipient: string;
  subject: string | null;
  body: string;
  created_at: CreatedAt;
}

export interface RateLimitsTable {
  key: string;
  window_start: Date;
  count: number;
}

export interface UsedCaptchasTable {
  signature: string;
  expires_at: Date;
}

export interface ConsoleSessionsTable {
  id_hash: string;
  operator: string;
  token_tag: string;
  created_at: CreatedAt;
  expires_at: Date;
}

export interface UsedTelegramLoginsTable {
  hash: string;
  expires_at: Date;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: Date;
}

export interface Database {
  clients: ClientsTable;
  signing_keys: SigningKeysTable;
  accounts: AccountsTable;
  flows: FlowsTable;
  login_sessions: LoginSessionsTable;
  logout_requests: LogoutRequestsTable;
  grants: GrantsTable;
  authorization_codes: AuthorizationCodesTable;
  tokens: TokensTable;
  recovery_codes: RecoveryCodesTable;
  one_time_codes: OneTimeCodesTable;
  outbox: OutboxTable;
  rate_limits: RateLimitsTable;
  used_captchas: UsedCaptchasTable;
  initial_access_tokens: InitialAccessTokensTable;
  audit_log: AuditLogTable;
  linked_identities: LinkedIdentitiesTable;
  wallet_challenges: WalletChallengesTable;
  leases: LeasesTable;
  console_sessions: ConsoleSessionsTable;
  used_telegram_logins: UsedTelegramLoginsTable;
}

export type Client = Selectable<ClientsTable>;
export type LinkedIdentity = Selectable<LinkedIdentitiesTable>;
export type NewClient = Insertable<ClientsTable>;
export type Flow = Selectable<FlowsTable>;
export type Grant = Selectable<GrantsTable>;
export type Token = Selectable<TokensTable>;
export type Account = Selectable<AccountsTable>;
export type LoginSession = Selectable<LoginSessionsTable>;
export type LogoutRequest = Selectable<LogoutRequestsTable>;
export type SigningKey = Selectable<SigningKeysTable>;
export type OneTimeCode = Selectable<OneTimeCodesTable>;
export type OutboxMessage = Selectable<OutboxTable>;
// Generated is re-exported for query modules that insert rows with defaults.
export type { Generated };
