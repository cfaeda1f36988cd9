/** POST /admin/oauth2/introspect (RFC 7662), as Hydra serves it on the admin port. */

import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { Gatehouse } from '../../gatehouse.js';
import { type RawParams, readParams } from '../../oauth/params.js';
import { requireForm } from '../oauth/form.js';

export async function introspectRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  app.post(
    '/admin/oauth2/introspect',
    { schema: { tags: ['tokens'], summary: 'Introspect a token (RFC 7662)' } },
    async (request) => {
      requireForm(request);
      // A cached token's answer comes back as itself, not a promise: no turn of the event loop.
      return gh.introspection.answer(readParams(request.body as RawParams));
    },
  );
}
