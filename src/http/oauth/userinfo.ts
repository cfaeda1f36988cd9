/** GET|POST /userinfo (OIDC Core 5.3). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IDENTITIES_CLAIM, identityClaims, standardClaims } from '../../accounts/user-fields.js';
import type { Gatehouse } from '../../gatehouse.js';
import { BearerError } from '../../oauth/errors.js';
import { type RawParams, readParams } from '../../oauth/params.js';
import { readBearer } from '../../oauth/token-lookup.js';

// The identities claim is left out of the ID token's copy: userinfo reads it fresh, so an unlinked identity is gone.
const RESERVED = new Set(['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'jti', IDENTITIES_CLAIM]);

export async function userinfoRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.method === 'POST' ? readParams(request.body as RawParams) : undefined;
    const token = await gh.tokens.bearer(readBearer(request.headers.authorization, body?.get('access_token')));
    if (!token.scope.includes('openid') || !token.subject) {
      throw new BearerError('insufficient_scope', 'The access token was not granted the openid scope.', 403);
    }
    // Fresh at each call: what the person links or unlinks later shows here, within the granted scopes.
    const { account, identities } = await gh.profiles.read(token.subject);
    const extra = Object.fromEntries(Object.entries(token.idTokenClaims).filter(([k]) => !RESERVED.has(k)));
    return reply.send({
      ...extra,
      ...standardClaims(account, token.scope),
      ...identityClaims(token.scope, identities),
      sub: token.subject,
    });
  };
  app.get('/userinfo', handle);
  app.post('/userinfo', handle);
}
