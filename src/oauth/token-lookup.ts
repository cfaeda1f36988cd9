/** Reading tokens back: the one place that decides whether a presented token is active. */

import { hashSecret, prefixes } from '../crypto/tokens.js';
import type { TokenKind } from '../db/schema.js';
import type { TokenStore, TokenWithGrant } from '../tokens/token-store.js';
import { BearerError, invalidRequest } from './errors.js';

export interface ActiveToken {
  kind: TokenKind;
  clientId: string;
  subject: string | null;
  scope: string[];
  audience: string[];
  issuedAt: Date;
  expiresAt: Date;
  grantId: string | null;
  /** session.access_token claims of the consent (Hydra's `ext`). */
  ext: Record<string, unknown>;
  idTokenClaims: Record<string, unknown>;
}

export function isActive(row: TokenWithGrant, now: number): boolean {
  return row.revoked_at === null && row.grant_revoked_at === null && row.rotated_at === null && row.expires_at.getTime() > now;
}

export class TokenLookup {
  constructor(
    private readonly grants: TokenStore,
    private readonly now: () => number,
  ) {}

  /**
   * The stored row of a token of ours, or undefined. A cached access token comes back as the
   * row itself, not a promise: a hit at introspection or userinfo then costs no promise at all,
   * which measured 3 µs of a 32 µs introspection (bench/RESULTS.md).
   */
  find(token: string): TokenWithGrant | undefined | Promise<TokenWithGrant | undefined> {
    // Not one of ours by its shape: no need to ask the database.
    if (!token.startsWith(prefixes.accessToken) && !token.startsWith(prefixes.refreshToken)) return undefined;
    return this.grants.findTokenToCheck(hashSecret(token));
  }

  /** The stored row of an active token (synchronous when cached, as `find`). */
  activeRow(token: string): TokenWithGrant | undefined | Promise<TokenWithGrant | undefined> {
    const found = this.find(token);
    return found instanceof Promise ? found.then((row) => this.ifActive(row)) : this.ifActive(found);
  }

  private ifActive(row: TokenWithGrant | undefined): TokenWithGrant | undefined {
    return row && isActive(row, this.now()) ? row : undefined;
  }

  async active(token: string): Promise<ActiveToken | undefined> {
    const row = await this.activeRow(token);
    if (!row) return undefined;
    return {
      kind: row.kind,
      clientId: row.client_id,
      subject: row.subject,
      scope: row.scope ? row.scope.split(' ') : [],
      audience: row.audience,
      issuedAt: row.created_at,
      expiresAt: row.expires_at,
      grantId: row.grant_id,
      ext: row.access_token_claims ?? {},
      idTokenClaims: row.id_token_claims ?? {},
    };
  }

  /** RFC 6750: an active access token presented as a bearer token, or invalid_token (401). */
  async bearer(token: string | undefined): Promise<ActiveToken> {
    if (token === undefined) throw new BearerError('invalid_request', 'The request has no access token.', 401);
    const active = await this.active(token);
    if (active?.kind !== 'access')
      throw new BearerError('invalid_token', 'The access token is invalid, expired or revoked.', 401);
    return active;
  }
}

/** RFC 6750 2.1 and 2.2: the header, or (POST only) the form body, never both. */
export function readBearer(authorization: string | undefined, bodyToken: string | undefined): string | undefined {
  if (authorization !== undefined) {
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
    if (!match) throw new BearerError('invalid_request', 'The Authorization header is not a Bearer token.', 400);
    if (bodyToken !== undefined) throw invalidRequest('The access token was sent in more than one way.');
    return match[1];
  }
  return bodyToken;
}
