/**
 * The login, consent and logout requests (Hydra's challenges) and the login sessions they
 * remember.
 */
import type { ColumnType, Selectable } from 'kysely';
import type { CreatedAt, Default, Json, JsonDefault, NullableTimestamp, Timestamp } from '../column-types.js';

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

export type Flow = Selectable<FlowsTable>;
export type LoginSession = Selectable<LoginSessionsTable>;
export type LogoutRequest = Selectable<LogoutRequestsTable>;
