/** RFC 6749 4.4: a confidential client gets a token for itself. */

import { invalidScope, OAuthError } from '../errors.js';
import { parseScope, type ScopeCatalogue } from '../scopes.js';
import type { TokenIssuer } from '../token-issuer.js';
import type { GrantHandler } from './grant.js';

/** Scopes that speak of a person, meaningless when the client acts for itself. */
const USER_SCOPES = new Set(['openid', 'offline_access', 'profile', 'email', 'phone']);

export function clientCredentialsGrant(deps: { issuer: Pick<TokenIssuer, 'issue'>; scopes: ScopeCatalogue }): GrantHandler {
  return {
    grantType: 'client_credentials',
    required: [],
    async handle({ client, params }) {
      if (client.token_endpoint_auth_method === 'none') {
        throw new OAuthError('unauthorized_client', 'A public client cannot use the client_credentials grant.');
      }
      const scope = parseScope(params.get('scope'));
      deps.scopes.assertKnown(scope);
      const allowed = client.scope.split(' ');
      const denied = scope.find((s) => !allowed.includes(s) || USER_SCOPES.has(s));
      if (denied !== undefined) throw invalidScope(`The scope "${denied}" cannot be granted to this client.`);
      const audience = params.get('audience')?.split(' ').filter(Boolean) ?? [];
      const deniedAudience = audience.find((a) => !client.audience.includes(a));
      if (deniedAudience !== undefined) throw invalidScope(`The audience "${deniedAudience}" is not allowed for this client.`);
      // No grant row: a client_credentials token has no family to revoke together.
      const grant = {
        id: null,
        subject: client.id,
        audience,
        session_id: null,
        auth_time: null,
        acr: null,
        amr: [],
        id_token_claims: {},
      };
      return deps.issuer.issue({ client, grant, scope, refreshToken: false, idToken: false });
    },
  };
}
