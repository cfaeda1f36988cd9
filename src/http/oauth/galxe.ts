/**
 * The "Sign in with Galxe" resource API: GET /oauth/api/2/token (token detail) and
 * GET /oauth/api/2/user (the person's fields per granted scope).
 */
import type { FastifyInstance } from 'fastify';
import { userFields } from '../../accounts/user-fields.js';
import type { Gatehouse } from '../../gatehouse.js';
import { BearerError } from '../../oauth/errors.js';
import { type RawParams, readParams } from '../../oauth/params.js';
import { parseScope } from '../../oauth/scopes.js';
import { readBearer } from '../../oauth/token-lookup.js';

/** Galxe writes Go's time format: "2022-08-31 16:00:22.666401 +0800 CST"; in UTC here. */
export function goTimeUtc(date: Date): string {
  const iso = date.toISOString(); // 2022-08-31T08:00:22.666Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} +0000 UTC`;
}

export async function galxeRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  app.get('/oauth/api/2/token', async (request, reply) => {
    const token = await gh.tokens.bearer(readBearer(request.headers.authorization, undefined));
    return reply.send({ client_id: token.clientId, expires_at: goTimeUtc(token.expiresAt), scope: token.scope.join(' ') });
  });

  app.get('/oauth/api/2/user', async (request, reply) => {
    const params = readParams(request.query as RawParams);
    const token = await gh.tokens.bearer(readBearer(request.headers.authorization, undefined));
    const asked = params.has('scope') ? parseScope(params.get('scope')) : token.scope;
    const missing = asked.find((s) => !token.scope.includes(s));
    if (missing !== undefined) {
      throw new BearerError('insufficient_scope', `The access token was not granted the scope "${missing}".`, 403);
    }
    const subject = token.subject ?? '';
    const { account, identities } = token.subject
      ? await gh.profiles.read(token.subject)
      : { account: undefined, identities: [] };
    return reply.send(userFields(subject, account, asked, gh.scopes, identities));
  });
}
