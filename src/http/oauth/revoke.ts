/** POST /oauth2/revoke (RFC 7009): what a revocation ends is decided in oauth/revocation.ts. */

import type { FastifyInstance } from 'fastify';
import type { Gatehouse } from '../../gatehouse.js';
import { type RawParams, readParams } from '../../oauth/params.js';
import { clientNetwork } from '../client-network.js';
import { requireForm } from './form.js';

export async function revokeRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  app.post('/oauth2/revoke', async (request, reply) => {
    requireForm(request);
    await gh.revocation.revokeForClient({
      actor: request.actor,
      authorization: request.headers.authorization,
      params: readParams(request.body as RawParams),
      address: clientNetwork(gh, request),
    });
    return reply.status(200).send();
  });
}
