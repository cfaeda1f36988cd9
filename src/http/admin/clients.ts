/** /admin/clients: Hydra's client CRUD, plus status and secret rotation. */

import type {} from '@fastify/swagger';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { toClientJson } from '../../clients/clients.js';
import type { JsonPatchOperation } from '../../clients/json-patch.js';
import type { Gatehouse } from '../../gatehouse.js';
import { keysetPage } from './pagination.js';
import {
  ChangesDecisionBody,
  ClientBody,
  ClientIdParams,
  ClientListQuery,
  DecisionBody,
  JsonPatch,
  StatusBody,
} from './schemas.js';

type IdParams = Static<typeof ClientIdParams>;
const tags = ['clients'];

export async function clientRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  app.get<{ Querystring: Static<typeof ClientListQuery> }>(
    '/admin/clients',
    { schema: { tags, summary: 'List clients', querystring: ClientListQuery } },
    async (request, reply) => {
      const q = request.query;
      const limit = q.page_size ?? 250;
      const clients = await gh.clients.list({
        limit: limit + 1,
        ...(q.page_token ? { after: q.page_token } : {}),
        ...(q.client_name ? { name: q.client_name } : {}),
        ...(q.owner ? { owner: q.owner } : {}),
        ...(q.status ? { status: q.status } : {}),
      });
      return keysetPage(reply, '/admin/clients', q, clients, limit).map(toClientJson);
    },
  );

  app.post<{ Body: Static<typeof ClientBody> }>(
    '/admin/clients',
    { schema: { tags, summary: 'Create a client (approved unless the body says otherwise)', body: ClientBody } },
    async (request, reply) =>
      reply.status(201).send(await gh.clients.create(request.actor, request.body, { status: 'approved' })),
  );

  app.get<{ Params: IdParams }>(
    '/admin/clients/:id',
    { schema: { tags, summary: 'Get a client', params: ClientIdParams } },
    async (request) => toClientJson(await gh.clients.get(request.params.id)),
  );

  app.put<{ Params: IdParams; Body: Static<typeof ClientBody> }>(
    '/admin/clients/:id',
    { schema: { tags, summary: 'Replace a client', params: ClientIdParams, body: ClientBody } },
    async (request) => gh.clients.replace(request.actor, request.params.id, request.body),
  );

  app.patch<{ Params: IdParams; Body: Static<typeof JsonPatch> }>(
    '/admin/clients/:id',
    { schema: { tags, summary: 'Patch a client (RFC 6902 JSON Patch)', params: ClientIdParams, body: JsonPatch } },
    async (request) => gh.clients.patch(request.actor, request.params.id, request.body as JsonPatchOperation[]),
  );

  app.delete<{ Params: IdParams }>(
    '/admin/clients/:id',
    { schema: { tags, summary: 'Delete a client', params: ClientIdParams } },
    async (request, reply) => {
      await gh.clients.remove(request.actor, request.params.id);
      return reply.status(204).send();
    },
  );

  app.put<{ Params: IdParams; Body: Static<typeof StatusBody> }>(
    '/admin/clients/:id/status',
    {
      schema: {
        tags,
        summary:
          'Set a client\'s status as given, outside the review (automation, migrations); leaving "approved" revokes its tokens',
        params: ClientIdParams,
        body: StatusBody,
      },
    },
    async (request) => gh.clients.setStatus(request.actor, request.params.id, request.body.status, request.body.reason),
  );

  // The review's decisions, under the rules the console and the CLI use (src/clients/review.ts):
  // only the transitions it allows, a reason where it asks for one, the developer told.
  app.post<{ Params: IdParams; Body: Static<typeof DecisionBody> }>(
    '/admin/clients/:id/decisions',
    {
      schema: {
        tags,
        summary: 'Approve, reject, suspend or reinstate a client under the review rules; leaving "approved" revokes its tokens',
        params: ClientIdParams,
        body: DecisionBody,
      },
    },
    async (request) => gh.clients.decide(request.actor, request.params.id, request.body.decision, request.body.reason),
  );

  app.put<{ Params: IdParams; Body: Static<typeof ChangesDecisionBody> }>(
    '/admin/clients/:id/pending-changes',
    {
      schema: {
        tags,
        summary: 'Approve or reject the redirect URI / scope changes a developer asked for an approved client',
        params: ClientIdParams,
        body: ChangesDecisionBody,
      },
    },
    async (request) => gh.clients.decideChanges(request.actor, request.params.id, request.body.decision, request.body.reason),
  );

  app.post<{ Params: IdParams }>(
    '/admin/clients/:id/secret',
    { schema: { tags, summary: 'Rotate the client secret; the new one is shown once', params: ClientIdParams } },
    async (request) => gh.clients.rotateSecret(request.actor, request.params.id),
  );
}
