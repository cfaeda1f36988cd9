/**
 * What an application may read about a person: the "Sign in with Galxe" fields per identity
 * scope (GET /oauth/api/2/user) and the OpenID Connect standard claims (userinfo).
 */
import type { Account, LinkedIdentity } from '../db/schema.js';
import type { ScopeCatalogue } from '../oauth/scopes.js';
import { identityFields, identityKindForScope } from './linked-identities.js';

/** The claim that carries linked identities in userinfo and the ID token (OIDC Core 5.1.2: collision-resistant). */
export const IDENTITIES_CLAIM = 'urn:gatehouse:identities';

/** Galxe-shaped fields for the asked scopes, only those the account has. */
export function userFields(
  subject: string,
  account: Account | undefined,
  scopes: readonly string[],
  catalogue: ScopeCatalogue,
  identities: readonly LinkedIdentity[] = [],
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const scope of scopes) {
    if (scope === catalogue.accountIdScope) fields[scope] = subject;
    else if (scope === 'Email' && account?.email && account.email_verified) fields.Email = account.email;
    else Object.assign(fields, linkedFields(scope, identities));
  }
  return fields;
}

/** The fields of the identity a scope releases, if the person linked one. */
function linkedFields(scope: string, identities: readonly LinkedIdentity[]): Record<string, string> {
  const kind = identityKindForScope(scope);
  const identity = kind && identities.find((i) => i.kind === kind.kind);
  return identity ? identityFields(identity) : {};
}

/** Linked identities for OIDC: one namespaced claim holding the Galxe fields of the granted scopes. */
export function identityClaims(scopes: readonly string[], identities: readonly LinkedIdentity[]): Record<string, unknown> {
  const fields: Record<string, string> = {};
  for (const scope of scopes) Object.assign(fields, linkedFields(scope, identities));
  return Object.keys(fields).length > 0 ? { [IDENTITIES_CLAIM]: fields } : {};
}

/** OIDC Core 5.4: claims released by the profile, email and phone scopes. */
export function standardClaims(account: Account | undefined, scopes: readonly string[]): Record<string, unknown> {
  if (!account) return {};
  const claims: Record<string, unknown> = {};
  if (scopes.includes('email') && account.email) {
    claims.email = account.email;
    claims.email_verified = account.email_verified;
  }
  if (scopes.includes('phone') && account.phone) {
    claims.phone_number = account.phone;
    claims.phone_number_verified = account.phone_verified;
  }
  if (scopes.includes('profile')) claims.updated_at = Math.floor(account.updated_at.getTime() / 1000);
  return claims;
}
