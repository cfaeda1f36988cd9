/** A client row as the JSON that every API shows (Hydra's admin API shape, plus `status`), and back. */
import type { Client } from '../db/schema.js';
import { type ClientInput, type ClientJson, DEVELOPER_FIELDS, type DeveloperInput } from './metadata.js';

export function toClientJson(client: Client): ClientJson {
  return {
    client_id: client.id,
    client_name: client.name,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris,
    grant_types: client.grant_types,
    response_types: client.response_types,
    scope: client.scope,
    audience: client.audience,
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    application_type: client.application_type,
    skip_consent: client.skip_consent,
    ...(client.id_token_signed_response_alg ? { id_token_signed_response_alg: client.id_token_signed_response_alg } : {}),
    logo_uri: client.logo_uri ?? '',
    client_uri: client.client_uri ?? '',
    policy_uri: client.policy_uri ?? '',
    tos_uri: client.tos_uri ?? '',
    owner: client.owner ?? '',
    contacts: client.contacts,
    metadata: client.metadata,
    subject_type: 'public',
    client_secret_expires_at: 0,
    status: client.status,
    ...(client.status_reason ? { status_reason: client.status_reason } : {}),
    description: client.description ?? '',
    ...(client.developer_account_id ? { developer_account_id: client.developer_account_id } : {}),
    ...(client.pending_changes ? { pending_changes: client.pending_changes } : {}),
    created_at: client.created_at.toISOString(),
    updated_at: client.updated_at.toISOString(),
  };
}

/** Keeps only the fields a developer may set; the rest (status, skip_consent, audience…) are the operator's. */
export function developerFields(input: DeveloperInput): ClientInput {
  const picked: Record<string, unknown> = {};
  for (const field of DEVELOPER_FIELDS) if (input[field] !== undefined) picked[field] = input[field];
  return picked as ClientInput;
}
