/** RFC 6749 4.1.3 with RFC 7636 4.6: redeem an authorization code, once. */

import { verifyPkce } from '../../crypto/pkce.js';
import { hashSecret } from '../../crypto/tokens.js';
import type { Actor } from '../../events/actor.js';
import type { EventSink } from '../../events/events.js';
import type { CodeWithGrant } from '../../tokens/authorization-codes.js';
import type { Spend } from '../../tokens/spend.js';
import { invalidGrant, type OAuthError } from '../errors.js';
import { earnsRefreshToken, type TokenIssuer } from '../token-issuer.js';
import type { GrantHandler } from './grant.js';
import { nothingLeft, stillAllowed } from './still-allowed.js';

/** What redeeming a code needs of the code store (src/tokens/authorization-codes.ts). */
export interface AuthorizationCodeStorage {
  /** The code by its hash, with what its tokens need of its grant. */
  find(hash: string): Promise<CodeWithGrant | undefined>;
  /** Marks the code used, buying nothing. */
  consume(hash: string, now: Date): Promise<unknown>;
  /** Spends the code and stores its tokens in one statement; false when it was already used. */
  spend(spend: Spend): Promise<boolean>;
}

/** Ending a whole token family (src/tokens/token-store.ts); true when it was still live. */
export interface GrantRevocation {
  revokeGrant(id: string, reason: string, now: Date): Promise<boolean>;
}

export interface AuthorizationCodeDeps {
  codes: AuthorizationCodeStorage;
  grants: GrantRevocation;
  issuer: Pick<TokenIssuer, 'prepare'>;
  events: EventSink;
  now: () => number;
}

/**
 * Read, check, mint, then one short transaction that spends the code and stores the tokens
 * together. The spend is the atomic `consumed_at IS NULL` update: of two concurrent
 * redemptions exactly one gets there, and the other is handled as a replay.
 */
export function authorizationCodeGrant(deps: AuthorizationCodeDeps): GrantHandler {
  const unusable = () => invalidGrant('The code is invalid, expired or already used.');

  /** RFC 6749 4.1.2: a code used twice revokes every token it issued. */
  async function replayed(actor: Actor, hash: string, clientId: string, now: Date): Promise<never> {
    const used = await deps.codes.find(hash);
    if (used?.consumed_at && used.client_id === clientId) {
      if (await deps.grants.revokeGrant(used.grant_id, 'authorization code replayed', now)) {
        await deps.events.emit({ type: 'code.replayed', clientId, grantId: used.grant_id }, actor);
      }
    }
    throw unusable();
  }

  return {
    grantType: 'authorization_code',
    required: ['code'],
    async handle({ actor, client, params, lenientRedirectUri }) {
      const code = params.get('code') as string; // required: the token endpoint saw it
      const verifier = params.get('code_verifier');
      const redirectUri = params.get('redirect_uri');
      const hash = hashSecret(code);
      const now = new Date(deps.now());

      // The code and its grant, read together.
      const row = await deps.codes.find(hash);
      if (!row) throw unusable();
      if (row.consumed_at) return replayed(actor, hash, client.id, now);
      // The client's scope may have been narrowed since the authorization request: tokens carry
      // only what it is allowed now, as on refresh (refresh-token.ts says why narrowing).
      const granted = row.scope ? row.scope.split(' ') : [];
      const { scope, audience } = stillAllowed(client, { scope: granted, audience: row.audience });

      const refusal = ((): OAuthError | undefined => {
        if (row.client_id !== client.id) return invalidGrant('The code was issued to another client.');
        if (row.expires_at <= now) return invalidGrant('The code has expired.');
        // Galxe's documented exchange has no redirect_uri; allowed when only one could be meant.
        const omittedOk = lenientRedirectUri && client.redirect_uris.length === 1 && client.redirect_uris[0] === row.redirect_uri;
        if (redirectUri !== undefined ? redirectUri !== row.redirect_uri : row.redirect_uri_sent && !omittedOk) {
          // RFC 6749 4.1.3: required, and identical, when the authorization request had it.
          return invalidGrant('redirect_uri does not match the one of the authorization request.');
        }
        // A public client has only PKCE to show the code is its own, and S256 is what the
        // authorization endpoint demands of it (RFC 9700 2.1.1). A code issued while the client
        // was confidential (its authentication method may have changed since) does not do.
        if (client.token_endpoint_auth_method === 'none' && row.code_challenge_method !== 'S256') {
          return invalidGrant('The code was not issued with an S256 code_challenge, which this client must use.');
        }
        if (row.code_challenge !== null && row.code_challenge_method !== null) {
          if (verifier === undefined) return invalidGrant('The code was issued with PKCE; code_verifier is required.');
          if (!verifyPkce(verifier, row.code_challenge, row.code_challenge_method)) {
            return invalidGrant('The code_verifier does not match the code_challenge.');
          }
        } else if (verifier !== undefined) {
          // RFC 9700 4.8.2: a verifier for a code issued without a challenge is a downgrade attempt.
          return invalidGrant('The code was issued without PKCE, but a code_verifier was sent.');
        }
        return nothingLeft(granted, scope);
      })();
      if (refusal) {
        // A failed redemption spends the code too: it must never be tried again.
        if (row.client_id === client.id) await deps.codes.consume(hash, now);
        throw refusal;
      }

      if (row.grant_revoked_at) throw invalidGrant('The authorization was revoked.');
      const prepared = await deps.issuer.prepare({
        client,
        grant: { ...row, audience, id: row.grant_id },
        scope,
        refreshToken: earnsRefreshToken(client, scope),
        idToken: scope.includes('openid'),
        nonce: row.nonce,
      });
      // One statement: the code is spent and its tokens stored, or neither (a concurrent
      // redemption got there first, which is handled as a replay).
      if (!(await deps.codes.spend({ hash, at: now, tokens: prepared.rows }))) return replayed(actor, hash, client.id, now);
      return prepared.response;
    },
  };
}
