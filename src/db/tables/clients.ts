/**
 * The client registry's tables: registered applications (RFC 7591 metadata, approval state)
 * and the initial access tokens that allow self-registration (RFC 7591 section 3).
 */
import type { Insertable, Selectable } from 'kysely';
import type { CreatedAt, Json, NullableTimestamp, Timestamp } from '../column-types.js';

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

export interface InitialAccessTokensTable {
  id: string;
  token_hash: string;
  description: string | null;
  uses_left: number | null;
  expires_at: NullableTimestamp;
  created_at: CreatedAt;
}

export type Client = Selectable<ClientsTable>;
export type NewClient = Insertable<ClientsTable>;
