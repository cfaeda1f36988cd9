/**
 * Stand-ins for the protocol services' unit tests: a client as the registry returns it, an
 * event sink that keeps what it was told, and a token issuer that mints without keys. The
 * stores are faked beside each test, in the narrow shape its service declares.
 */
import type { Insertable } from 'kysely';
import type { Client, TokensTable } from '../db/schema.js';
import type { Actor } from '../events/actor.js';
import type { EventSink, GatehouseEvent } from '../events/events.js';
import type { TokenWithGrant } from '../tokens/token-store.js';
import type { IssueOptions, PreparedTokens, TokenIssuer } from './token-issuer.js';

export const NOW = Date.parse('2026-06-01T12:00:00Z');
export const clock = () => NOW;

export function testClient(overrides: Partial<Client> = {}): Client {
  return {
    id: 'client-1',
    secret_hash: null,
    name: 'Test client',
    status: 'approved',
    status_reason: null,
    redirect_uris: ['https://app.example/callback'],
    post_logout_redirect_uris: [],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    scope: 'openid offline_access email',
    audience: [],
    token_endpoint_auth_method: 'client_secret_basic',
    application_type: 'web',
    skip_consent: false,
    id_token_signed_response_alg: null,
    logo_uri: null,
    client_uri: null,
    policy_uri: null,
    tos_uri: null,
    owner: null,
    contacts: [],
    metadata: {},
    description: null,
    developer_account_id: null,
    pending_changes: null,
    registration_token_hash: null,
    unrevealed_secret: null,
    status_changed_at: null,
    created_at: new Date(NOW),
    updated_at: new Date(NOW),
    ...overrides,
  };
}

export const testActor = (): Actor => ({ type: 'client', id: 'client-1' });

export function recordingEvents(): EventSink & { seen: GatehouseEvent[] } {
  const seen: GatehouseEvent[] = [];
  return {
    seen,
    emit: async (event) => {
      seen.push(event);
    },
  };
}

/** Mints one access token, and a refresh token when asked, named by a counter; signs nothing. */
export function fakeIssuer(): Pick<TokenIssuer, 'prepare'> & { prepared: IssueOptions[] } {
  const prepared: IssueOptions[] = [];
  let counter = 0;
  return {
    prepared,
    async prepare(options: IssueOptions): Promise<PreparedTokens> {
      prepared.push(options);
      counter += 1;
      const common = {
        grant_id: options.grant.id,
        client_id: options.client.id,
        subject: options.grant.subject,
        scope: options.scope.join(' '),
        audience: JSON.stringify(options.grant.audience),
        expires_at: new Date(NOW + 3_600_000),
      };
      const rows: Insertable<TokensTable>[] = [{ ...common, hash: `at-${counter}`, kind: 'access' }];
      if (options.refreshToken) rows.push({ ...common, hash: `rt-${counter}`, kind: 'refresh' });
      return {
        response: {
          access_token: `at-${counter}`,
          token_type: 'Bearer',
          expires_in: 3600,
          ...(options.refreshToken ? { refresh_token: `rt-${counter}` } : {}),
          scope: options.scope.join(' '),
        },
        rows,
      };
    },
  };
}

/** A live token as the token store reads it, with its grant's state. */
export function storedToken(overrides: Partial<TokenWithGrant> = {}): TokenWithGrant {
  return {
    hash: 'h',
    kind: 'access',
    grant_id: 'grant-1',
    client_id: 'client-1',
    subject: 'person-1',
    scope: 'openid',
    audience: [],
    expires_at: new Date(NOW + 60_000),
    created_at: new Date(NOW),
    revoked_at: null,
    rotated_at: null,
    grant_revoked_at: null,
    access_token_claims: null,
    id_token_claims: null,
    session_id: null,
    auth_time: null,
    acr: null,
    amr: [],
    ...overrides,
  };
}
