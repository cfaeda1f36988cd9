/**
 * The "Sign in with Galxe" resource API: GET /oauth/api/2/token (token detail) and
 * GET /oauth/api/2/user (the person's fields per granted scope, decided in oauth/resource.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Gatehouse } from '../../gatehouse.js';
import { type RawParams, readParams } from '../../oauth/params.js';
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
    const bearer = readBearer(request.headers.authorization, undefined);
    return reply.send(await gh.resources.galxeUser(bearer, params.get('scope')));
  });
}
