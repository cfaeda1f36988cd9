/** /admin/keys/{set}: the ID token signing keys, their rotation and removal. */

import type {} from '@fastify/swagger';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ID_TOKEN_KEY_SET } from '../../crypto/signing-keys.js';
import type { Gatehouse } from '../../gatehouse.js';
import { notFound } from '../../oauth/errors.js';
import { KeyCreate, KeyParams, KeySetParams } from './schemas.js';

// Hydra's name for the same set, so Hydra tooling finds it.
const SET_NAMES = new Set([ID_TOKEN_KEY_SET, 'hydra.openid.id-token']);

function checkSet(set: string): void {
  if (!SET_NAMES.has(set)) throw notFound(`No key set "${set}"; the ID token keys are "${ID_TOKEN_KEY_SET}".`);
}

export async function keyRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const tags = ['keys'];
  app.get<{ Params: Static<typeof KeySetParams> }>(
    '/admin/keys/:set',
    { schema: { tags, summary: 'The public keys of the set, active and retired', params: KeySetParams } },
    async (request) => {
      checkSet(request.params.set);
      return gh.keys.jwks();
    },
  );
  app.get<{ Params: Static<typeof KeyParams> }>(
    '/admin/keys/:set/:kid',
    { schema: { tags, params: KeyParams } },
    async (request) => {
      checkSet(request.params.set);
      const key = (await gh.keys.list()).find((k) => k.kid === request.params.kid);
      if (!key) throw notFound(`No key with kid "${request.params.kid}".`);
      return { keys: [key.jwk] };
    },
  );
  app.post<{ Params: Static<typeof KeySetParams>; Body: Static<typeof KeyCreate> }>(
    '/admin/keys/:set',
    {
      schema: {
        tags,
        summary: 'Rotate: new active keys (one algorithm or all); the previous ones stay published, retired',
        params: KeySetParams,
        body: KeyCreate,
      },
    },
    async (request, reply) => {
      checkSet(request.params.set);
      // Hydra's kid names the new key; "" (what its CLI sends) means "generate one".
      const created = await gh.keys.rotate(request.body?.alg, request.body?.kid || undefined);
      await gh.events.emit({ type: 'key.rotated', kids: created.map((k) => k.kid) }, request.actor);
      return reply.status(201).send({ keys: created.map((k) => k.jwk) });
    },
  );
  app.delete<{ Params: Static<typeof KeyParams> }>(
    '/admin/keys/:set/:kid',
    { schema: { tags, summary: 'Remove a retired key from the published set', params: KeyParams } },
    async (request, reply) => {
      checkSet(request.params.set);
      await gh.keys.remove(request.params.kid);
      await gh.events.emit({ type: 'key.deleted', kid: request.params.kid }, request.actor);
      return reply.status(204).send();
    },
  );
}
