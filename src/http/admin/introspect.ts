/** POST /admin/oauth2/introspect (RFC 7662), as Hydra serves it on the admin port. */

import type {} from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { Gatehouse } from '../../gatehouse.js';
import { invalidRequest } from '../../oauth/errors.js';
import { introspectionResponse } from '../../oauth/introspection.js';
import { type RawParams, readParams } from '../../oauth/params.js';
import { parseScope } from '../../oauth/scopes.js';
import { requireForm } from '../oauth/form.js';

export async function introspectRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  app.post(
    '/admin/oauth2/introspect',
    { schema: { tags: ['tokens'], summary: 'Introspect a token (RFC 7662)' } },
    async (request) => {
      requireForm(request);
      const params = readParams(request.body as RawParams);
      const token = params.get('token');
      if (token === undefined) throw invalidRequest('The request has no token.');
      // Awaited only when it is a promise: a cached token is answered without a turn of the loop.
      const found = gh.tokens.activeRow(token);
      const row = found instanceof Promise ? await found : found;
      // Hydra's `scope` parameter: the token is active only if it was granted all of these.
      const required = parseScope(params.get('scope'));
      if (row && required.length > 0) {
        const granted = row.scope.split(' ');
        if (required.some((s) => !granted.includes(s))) return { active: false };
      }
      return introspectionResponse(row, gh.config.issuer);
    },
  );
}
