/** POST /oauth2/token and the Galxe alias POST /oauth/auth/2/token. */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Gatehouse } from '../../gatehouse.js';
import { type RawParams, readParams } from '../../oauth/params.js';
import { clientNetwork } from '../client-network.js';
import { requireForm } from './form.js';

export async function tokenRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const handle = (lenientRedirectUri: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    requireForm(request);
    const response = await gh.tokenEndpoint.handle({
      actor: request.actor,
      authorization: request.headers.authorization,
      params: readParams(request.body as RawParams),
      lenientRedirectUri,
      address: clientNetwork(gh, request),
    });
    return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send(response);
  };
  app.post('/oauth2/token', handle(false));
  app.post('/oauth/auth/2/token', handle(true));
}
