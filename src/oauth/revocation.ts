/**
 * RFC 7009 2.1: revoking a token. What it ends is decided here, for the public revocation
 * endpoint and for the sessions that are access tokens (the developer portal's sign-out):
 * a refresh token takes its whole grant with it, as 2.1 says the server SHOULD ("all access
 * tokens based on the same authorization grant"); an access token ends alone, unless the
 * session it stands for ends, which takes the grant's refresh token too.
 */

import { hashSecret } from '../crypto/tokens.js';
import type { TokenKind } from '../db/schema.js';
import type { Actor } from '../events/actor.js';
import type { EventSink } from '../events/events.js';
import type { ClientAuthenticator } from './client-authentication.js';
import { invalidRequest, OAuthError } from './errors.js';
import type { Params } from './params.js';
import type { TokenLookup } from './token-lookup.js';

/** What revoking needs of the token store (src/tokens/token-store.ts). */
export interface RevocationStorage {
  revokeGrant(id: string, reason: string, now: Date): Promise<boolean>;
  revokeToken(hash: string, now: Date): Promise<void>;
}

/** The whole grant, or the token alone (by its hash). */
export type RevocationTarget = { grantId: string } | { tokenHash: string };

/**
 * What revoking `token` ends: its grant when it is a refresh token of one, or when the whole
 * session it stands for ends (`wholeSession`); otherwise the token alone. A token of no grant
 * (client_credentials) always ends alone.
 */
export function revocationTarget(
  token: string,
  stored: { kind: TokenKind; grantId: string | null },
  wholeSession: boolean,
): RevocationTarget {
  if (stored.grantId !== null && (stored.kind === 'refresh' || wholeSession)) return { grantId: stored.grantId };
  return { tokenHash: hashSecret(token) };
}

export interface RevocationDeps {
  authenticator: Pick<ClientAuthenticator, 'authenticate'>;
  tokens: Pick<TokenLookup, 'find'>;
  store: RevocationStorage;
  events: EventSink;
  now: () => number;
}

export class Revocation {
  constructor(private readonly deps: RevocationDeps) {}

  /** POST /oauth2/revoke: a client revokes one of its own tokens. */
  async revokeForClient(input: {
    actor: Actor;
    authorization: string | undefined;
    params: Params;
    address: string;
  }): Promise<void> {
    const { actor, params } = input;
    const client = await this.deps.authenticator.authenticate(actor, input.authorization, params, input.address);
    const token = params.get('token');
    if (token === undefined) throw invalidRequest('The request has no token.');
    const row = await this.deps.tokens.find(token);
    // 2.2: an unknown or already invalid token is not an error.
    if (!row) return;
    if (row.client_id !== client.id) throw new OAuthError('unauthorized_client', 'The token was not issued to this client.');
    await this.end(revocationTarget(token, { kind: row.kind, grantId: row.grant_id }, false), 'refresh token revoked');
    await this.deps.events.emit({ type: 'token.revoked', clientId: client.id, kind: row.kind }, actor);
  }

  /** Ends the session an access token stands for: the token, and its grant when it has one. */
  async endSession(accessToken: string, grantId: string | null, reason: string): Promise<void> {
    await this.end(revocationTarget(accessToken, { kind: 'access', grantId }, true), reason);
  }

  private async end(target: RevocationTarget, reason: string): Promise<void> {
    const now = new Date(this.deps.now());
    if ('grantId' in target) await this.deps.store.revokeGrant(target.grantId, reason, now);
    else await this.deps.store.revokeToken(target.tokenHash, now);
  }
}
