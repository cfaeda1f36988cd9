/**
 * RFC 6749 6 with rotation (OAuth 2.1 4.3.1, RFC 9700 4.14.2): each refresh token works
 * once; presenting a rotated one again means it was stolen, and the whole family is revoked.
 */

import { hashSecret } from '../../crypto/tokens.js';
import type { Actor } from '../../events/actor.js';
import type { EventSink } from '../../events/events.js';
import type { Spend } from '../../tokens/spend.js';
import type { TokenWithGrant } from '../../tokens/token-store.js';
import { invalidGrant, invalidScope } from '../errors.js';
import { includesAll, parseScope } from '../scopes.js';
import { earnsRefreshToken, type TokenIssuer } from '../token-issuer.js';
import type { GrantHandler } from './grant.js';
import { nothingLeft, stillAllowed } from './still-allowed.js';

/** What rotating a refresh token needs of the token store (src/tokens/token-store.ts). */
export interface RefreshTokenStorage {
  /** The token by its hash as it is now, with its grant's state (never a cached copy). */
  findToken(hash: string): Promise<TokenWithGrant | undefined>;
  /** Marks the token rotated and stores its successors in one statement; false when it was not live. */
  rotate(rotation: Spend): Promise<boolean>;
  /** Ends the token's whole family; true when it was still live. */
  revokeGrant(id: string, reason: string, now: Date): Promise<boolean>;
}

export interface RefreshTokenDeps {
  grants: RefreshTokenStorage;
  issuer: Pick<TokenIssuer, 'prepare'>;
  events: EventSink;
  now: () => number;
}

export function refreshTokenGrant(deps: RefreshTokenDeps): GrantHandler {
  const unusable = () => invalidGrant('The refresh token is invalid, expired, revoked or already used.');

  async function reused(actor: Actor, grantId: string, clientId: string, now: Date): Promise<never> {
    if (await deps.grants.revokeGrant(grantId, 'refresh token reused', now)) {
      await deps.events.emit({ type: 'refresh_token.reused', clientId, grantId }, actor);
    }
    throw unusable();
  }

  return {
    grantType: 'refresh_token',
    required: ['refresh_token'],
    async handle({ actor, client, params }) {
      const token = params.get('refresh_token') as string; // required: the token endpoint saw it
      const askedScope = params.has('scope') ? parseScope(params.get('scope')) : undefined;
      const hash = hashSecret(token);
      const now = new Date(deps.now());

      const row = await deps.grants.findToken(hash);
      if (row?.kind !== 'refresh' || !row.grant_id || row.client_id !== client.id) throw unusable();
      if (row.rotated_at) return reused(actor, row.grant_id, client.id, now);
      if (row.revoked_at || row.grant_revoked_at || row.expires_at <= now) throw unusable();
      const granted = row.scope ? row.scope.split(' ') : [];
      // RFC 6749 6: a narrower scope may be asked for; it may not exceed the original grant.
      if (askedScope && !includesAll(granted, askedScope)) {
        throw invalidScope('The requested scope exceeds the scope originally granted.');
      }
      // Nor what the client is allowed now: an operator may have taken scopes away since.
      const withdrawn = askedScope?.find((s) => !client.scope.split(' ').includes(s));
      if (withdrawn !== undefined) throw invalidScope(`The client may no longer be granted the scope "${withdrawn}".`);
      // Asking for nothing in particular narrows the grant to what the client may still have,
      // rather than refusing: an operator who removes one scope from a client should not sign
      // out every person using it, and the response's `scope` tells the client what it holds
      // now (RFC 6749 5.1). The narrowing is for good: the new refresh token carries only what
      // is left, so adding the scope back later does not bring it back without new consent.
      const kept = stillAllowed(client, { scope: granted, audience: row.audience });
      const refusal = nothingLeft(granted, kept.scope);
      if (refusal) throw refusal;
      const scope = askedScope ?? kept.scope;
      // The token row carries what the ID token needs from its grant (one read, not two).
      const grant = {
        id: row.grant_id,
        subject: row.subject,
        audience: kept.audience,
        session_id: row.session_id,
        auth_time: row.auth_time,
        acr: row.acr,
        amr: row.amr,
        id_token_claims: row.id_token_claims ?? {},
      };
      // A successor refresh token only while the client may still have one: the refresh_token
      // grant type was checked by the token endpoint; offline_access may have been taken away
      // (the rotation below then ends the family with this access token).
      const prepared = await deps.issuer.prepare({
        client,
        grant,
        scope,
        refreshToken: earnsRefreshToken(client, kept.scope),
        idToken: scope.includes('openid'),
      });
      // The new refresh token keeps the whole remaining scope, so narrowing one access token loses nothing.
      const refreshRow = prepared.rows.find((r) => r.kind === 'refresh');
      if (refreshRow) refreshRow.scope = kept.scope.join(' ');

      if (!(await deps.grants.rotate({ hash, at: now, tokens: prepared.rows })))
        return reused(actor, row.grant_id, client.id, now);
      return prepared.response;
    },
  };
}
