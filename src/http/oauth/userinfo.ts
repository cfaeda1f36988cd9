/** GET|POST /userinfo (OIDC Core 5.3): the claims are decided in oauth/resource.ts. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Gatehouse } from '../../gatehouse.js';
import { type RawParams, readParams } from '../../oauth/params.js';
import { readBearer } from '../../oauth/token-lookup.js';

export async function userinfoRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.method === 'POST' ? readParams(request.body as RawParams) : undefined;
    const bearer = readBearer(request.headers.authorization, body?.get('access_token'));
    return reply.send(await gh.resources.userinfo(bearer));
  };
  app.get('/userinfo', handle);
  app.post('/userinfo', handle);
}
