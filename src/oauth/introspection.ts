/** RFC 7662: token introspection (with Hydra's `ext` and `token_use`). */
import type { ActiveToken } from './token-lookup.js';

export function introspectionResponse(token: ActiveToken | undefined, issuer: string) {
  if (!token) return { active: false as const };
  return {
    active: true as const,
    scope: token.scope.join(' '),
    client_id: token.clientId,
    ...(token.subject ? { sub: token.subject } : {}),
    exp: Math.floor(token.expiresAt.getTime() / 1000),
    iat: Math.floor(token.issuedAt.getTime() / 1000),
    nbf: Math.floor(token.issuedAt.getTime() / 1000),
    aud: token.audience,
    iss: issuer,
    token_type: 'Bearer',
    token_use: token.kind === 'access' ? 'access_token' : 'refresh_token',
    ...(Object.keys(token.ext).length > 0 ? { ext: token.ext } : {}),
  };
}
