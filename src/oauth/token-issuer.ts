/**
 * Mints the token response (RFC 6749 5.1): an opaque access token, a refresh token when the
 * grant allows one, and an ID token for OpenID Connect requests. Only hashes are stored.
 */

import type { Insertable } from 'kysely';
import type { SigningAlgorithm, SigningKeys } from '../crypto/signing-keys.js';
import { hashSecret, newSecret } from '../crypto/tokens.js';
import type { Client, Grant, TokensTable } from '../db/schema.js';
import { json } from '../db/schema.js';
import type { TokenStore } from '../tokens/token-store.js';
import { signIdToken } from './id-token.js';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope: string;
  id_token?: string;
}

export interface IssuerConfig {
  issuer: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  idTokenTtl: number;
  idTokenAlgorithm: SigningAlgorithm;
}

/** Tokens minted and signed, not yet stored. */
export interface PreparedTokens {
  response: TokenResponse;
  rows: Insertable<TokensTable>[];
}

export interface IssueOptions {
  client: Client;
  grant: Pick<Grant, 'subject' | 'audience' | 'session_id' | 'auth_time' | 'acr' | 'amr' | 'id_token_claims'> & {
    /** null for client_credentials tokens, which belong to no family. */
    id: string | null;
  };
  scope: string[];
  refreshToken: boolean;
  idToken: boolean;
  nonce?: string | null;
}

export class TokenIssuer {
  constructor(
    private readonly grants: TokenStore,
    private readonly keys: SigningKeys,
    private readonly config: IssuerConfig,
    private readonly now: () => number,
  ) {}

  /** Mints and stores (by group commit with other requests' tokens). */
  async issue(options: IssueOptions): Promise<TokenResponse> {
    const prepared = await this.prepare(options);
    await this.grants.insertTokens(prepared.rows);
    return prepared.response;
  }

  /**
   * Mints and signs without touching the database for writing, so that no transaction is
   * held open while a key is read or a signature computed.
   */
  async prepare(options: IssueOptions): Promise<PreparedTokens> {
    const { client, grant, scope } = options;
    const now = this.now();
    const accessToken = newSecret('accessToken');
    const refreshToken = options.refreshToken ? newSecret('refreshToken') : undefined;
    const common = {
      grant_id: grant.id,
      client_id: client.id,
      subject: grant.subject,
      scope: scope.join(' '),
      audience: json(grant.audience),
      // Gatehouse's clock, not the database's: introspection's iat and nbf come from here, and
      // exp from the same instant.
      created_at: new Date(now),
    };
    // The ID token is signed before anything is stored, so a signing failure stores nothing.
    const idToken =
      options.idToken && grant.subject
        ? await signIdToken(this.keys, {
            issuer: this.config.issuer,
            subject: grant.subject,
            clientId: client.id,
            ttl: this.config.idTokenTtl,
            now,
            nonce: options.nonce,
            accessToken,
            authTime: grant.auth_time,
            acr: grant.acr,
            amr: grant.amr,
            sid: grant.session_id,
            extra: grant.id_token_claims,
            alg: (client.id_token_signed_response_alg as SigningAlgorithm | null) ?? this.config.idTokenAlgorithm,
          })
        : undefined;
    const rows: Insertable<TokensTable>[] = [
      { ...common, hash: hashSecret(accessToken), kind: 'access', expires_at: new Date(now + this.config.accessTokenTtl * 1000) },
    ];
    if (refreshToken) {
      rows.push({
        ...common,
        hash: hashSecret(refreshToken),
        kind: 'refresh',
        expires_at: new Date(now + this.config.refreshTokenTtl * 1000),
      });
    }
    const response: TokenResponse = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.config.accessTokenTtl,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      scope: scope.join(' '),
      ...(idToken ? { id_token: idToken } : {}),
    };
    return { response, rows };
  }
}

/**
 * Whether a grant earns a refresh token: the client must be allowed the refresh_token grant,
 * and an OpenID Connect request must also have been granted offline_access (OIDC Core 11).
 * A plain OAuth request (no `openid`, as "Sign in with Galxe" clients make) needs only the
 * client's grant type.
 */
export function earnsRefreshToken(client: Client, scope: readonly string[]): boolean {
  if (!client.grant_types.includes('refresh_token')) return false;
  return !scope.includes('openid') || scope.includes('offline_access');
}
