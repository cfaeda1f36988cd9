/**
 * What a grant may still give its client at the token endpoint: the scopes and audiences it
 * was granted that the client is allowed now. An operator who narrows a client (PUT or PATCH
 * /admin/clients/{id}) means it for the grants the client already holds, not only for new
 * authorizations; otherwise rotating refresh tokens would keep the old scopes forever.
 */
import type { Client } from '../../db/schema.js';
import { invalidScope, type OAuthError } from '../errors.js';

export interface Allowance {
  scope: string[];
  audience: string[];
}

export function stillAllowed(client: Pick<Client, 'scope' | 'audience'>, granted: Allowance): Allowance {
  const scopes = new Set(client.scope.split(' ').filter(Boolean));
  return {
    scope: granted.scope.filter((s) => scopes.has(s)),
    audience: granted.audience.filter((a) => client.audience.includes(a)),
  };
}

/**
 * invalid_scope when the client was granted scopes and may keep none of them: a token for
 * nothing the person consented to would only hide from the client that its grant is gone.
 */
export function nothingLeft(granted: readonly string[], kept: readonly string[]): OAuthError | undefined {
  return granted.length > 0 && kept.length === 0
    ? invalidScope('None of the scopes of this grant is still allowed for the client; ask the person again.')
    : undefined;
}
