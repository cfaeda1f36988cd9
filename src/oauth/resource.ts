/**
 * The resource API: what a bearer token may read of its person. RFC 6750 3.1: a request for
 * more than the token was granted is insufficient_scope (403). OIDC Core 5.3: userinfo needs
 * the openid scope; 5.4: its claims are those of the granted scopes. The Galxe user API
 * (reference/galxe-sign-in.md) reads the scopes asked, and every granted one when none is.
 */

import type { Profiles } from '../accounts/profiles.js';
import { IDENTITIES_CLAIM, identityClaims, standardClaims, userFields } from '../accounts/user-fields.js';
import { BearerError } from './errors.js';
import { parseScope, type ScopeCatalogue } from './scopes.js';
import type { ActiveToken, TokenLookup } from './token-lookup.js';

/** The scopes a resource request reads: those asked, all granted, or insufficient_scope. */
export function scopesToRead(granted: readonly string[], asked: readonly string[] | undefined): readonly string[] {
  if (asked === undefined) return granted;
  const missing = asked.find((s) => !granted.includes(s));
  if (missing !== undefined) {
    throw new BearerError('insufficient_scope', `The access token was not granted the scope "${missing}".`, 403);
  }
  return asked;
}

/** The person an OpenID Connect token speaks for (OIDC Core 5.3), or insufficient_scope. */
export function openIdSubject(token: Pick<ActiveToken, 'scope' | 'subject'>): string {
  if (!token.scope.includes('openid') || !token.subject) {
    throw new BearerError('insufficient_scope', 'The access token was not granted the openid scope.', 403);
  }
  return token.subject;
}

// The identities claim is left out of the ID token's copy: userinfo reads it fresh, so an unlinked identity is gone.
const RESERVED = new Set(['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', IDENTITIES_CLAIM]);

export interface ResourceDeps {
  tokens: Pick<TokenLookup, 'bearer'>;
  profiles: Pick<Profiles, 'read'>;
  scopes: ScopeCatalogue;
}

/** The person's fields and claims, read fresh at each call within the token's granted scopes. */
export class ResourceApi {
  constructor(private readonly deps: ResourceDeps) {}

  /** GET|POST /userinfo: the claims of the granted scopes (OIDC Core 5.3.2). */
  async userinfo(bearer: string | undefined): Promise<Record<string, unknown>> {
    const token = await this.deps.tokens.bearer(bearer);
    const subject = openIdSubject(token);
    const { account, identities } = await this.deps.profiles.read(subject);
    const extra = Object.fromEntries(Object.entries(token.idTokenClaims).filter(([k]) => !RESERVED.has(k)));
    return {
      ...extra,
      ...standardClaims(account, token.scope),
      ...identityClaims(token.scope, identities),
      sub: subject,
    };
  }

  /** GET /oauth/api/2/user: the Galxe fields of the scopes asked (`scope`, space-separated). */
  async galxeUser(bearer: string | undefined, scope: string | undefined): Promise<Record<string, unknown>> {
    const token = await this.deps.tokens.bearer(bearer);
    const asked = scopesToRead(token.scope, scope === undefined ? undefined : parseScope(scope));
    const { account, identities } = token.subject
      ? await this.deps.profiles.read(token.subject)
      : { account: undefined, identities: [] };
    return userFields(token.subject ?? '', account, asked, this.deps.scopes, identities);
  }
}
