/** RFC 7662: token introspection (with Hydra's `ext`, `token_use` and `scope` parameter). */
import type { TokenWithGrant } from '../tokens/token-store.js';
import { invalidRequest } from './errors.js';
import type { Params } from './params.js';
import { parseScope } from './scopes.js';
import type { TokenLookup } from './token-lookup.js';

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

/**
 * Hydra's `scope` parameter: a token is active only if it was granted every scope named
 * (none named: no condition).
 */
export function grantedAll(row: TokenWithGrant, required: readonly string[]): boolean {
  if (required.length === 0) return true;
  const granted = row.scope.split(' ');
  return required.every((s) => granted.includes(s));
}

/** RFC 7662 2.1: the introspection request's `token`, and Hydra's `scope`. */
export class Introspection {
  constructor(
    private readonly tokens: Pick<TokenLookup, 'activeRow'>,
    private readonly issuer: string,
  ) {}

  /** Synchronous when the token is cached: the hottest answer then takes no promise at all. */
  answer(params: Params): IntrospectionAnswer | Promise<IntrospectionAnswer> {
    const token = params.get('token');
    if (token === undefined) throw invalidRequest('The request has no token.');
    const found = this.tokens.activeRow(token);
    return found instanceof Promise ? found.then((row) => this.answerFor(row, params)) : this.answerFor(found, params);
  }

  private answerFor(row: TokenWithGrant | undefined, params: Params): IntrospectionAnswer {
    const required = parseScope(params.get('scope'));
    if (row && !grantedAll(row, required)) return { active: false };
    return introspectionResponse(row, this.issuer);
  }
}
