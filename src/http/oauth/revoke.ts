/** POST /oauth2/revoke (RFC 7009). */

import type { FastifyInstance } from 'fastify';
import { hashSecret } from '../../crypto/tokens.js';
import type { Gatehouse } from '../../gatehouse.js';
import { invalidRequest, OAuthError } from '../../oauth/errors.js';
import { type RawParams, readParams } from '../../oauth/params.js';
import { clientNetwork } from '../client-network.js';
import { requireForm } from './form.js';

export async function revokeRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  app.post('/oauth2/revoke', async (request, reply) => {
    requireForm(request);
    const params = readParams(request.body as RawParams);
    const client = await gh.authenticator.authenticate(
      request.actor,
      request.headers.authorization,
      params,
      clientNetwork(gh, request),
    );
    const token = params.get('token');
    if (token === undefined) throw invalidRequest('The request has no token.');
    const row = await gh.tokens.find(token);
    // 2.2: an unknown or already invalid token is not an error.
    if (row) {
      if (row.client_id !== client.id) {
        throw new OAuthError('unauthorized_client', 'The token was not issued to this client.');
      }
      const now = new Date(gh.now());
      // 2.1: revoking a refresh token also ends the access tokens of the same grant.
      if (row.kind === 'refresh' && row.grant_id) await gh.grants.revokeGrant(row.grant_id, 'refresh token revoked', now);
      else await gh.grants.revokeToken(hashSecret(token), now);
      await gh.events.emit({ type: 'token.revoked', clientId: client.id, kind: row.kind }, request.actor);
    }
    return reply.status(200).send();
  });
}
