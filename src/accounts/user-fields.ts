/**
 * What an application may read about a person: the "Sign in with Galxe" fields per identity
 * scope (GET /oauth/api/2/user) and the OpenID Connect standard claims (userinfo).
 */
import type { Account } from '../db/schema.js';
import type { ScopeCatalogue } from '../oauth/scopes.js';

/** Galxe-shaped fields for the asked scopes, only those the account has. */
export function userFields(
  subject: string,
  account: Account | undefined,
  scopes: readonly string[],
  catalogue: ScopeCatalogue,
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const scope of scopes) {
    if (scope === catalogue.accountIdScope) fields[scope] = subject;
    else if (scope === 'Email' && account?.email && account.email_verified) fields.Email = account.email;
    // Linked identities (Twitter, Discord, wallets, …) are released here once they can be linked.
  }
  return fields;
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
