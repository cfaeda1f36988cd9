/** RFC 7662: token introspection (with Hydra's `ext` and `token_use`). */
import type { TokenWithGrant } from '../tokens/token-store.js';

export type IntrospectionAnswer = { active: false } | ({ active: true } & Record<string, unknown>);

/**
 * The answer for an active token's stored row (TokenLookup.activeRow), or for none. Built from
 * the row as stored, not from its ActiveToken: this is the hottest answer Gatehouse gives, and
 * the scope string needs no split and join, nor the members no copy.
 */
export function introspectionResponse(row: TokenWithGrant | undefined, issuer: string): IntrospectionAnswer {
  if (!row) return { active: false };
  const iat = Math.floor(row.created_at.getTime() / 1000);
  // Members in RFC 7662's order, the optional ones in their place; a token granted no scope has none.
  const answer: { active: true } & Record<string, unknown> = { active: true };
  if (row.scope) answer.scope = row.scope;
  answer.client_id = row.client_id;
  if (row.subject) answer.sub = row.subject;
  answer.exp = Math.floor(row.expires_at.getTime() / 1000);
  answer.iat = iat;
  answer.nbf = iat;
  answer.aud = row.audience;
  answer.iss = issuer;
  answer.token_type = 'Bearer';
  answer.token_use = row.kind === 'access' ? 'access_token' : 'refresh_token';
  const ext = row.access_token_claims;
  if (ext && Object.keys(ext).length > 0) answer.ext = ext;
  return answer;
}
