/**
 * RFC 7591 registration endpoint and RFC 7592 client configuration endpoint:
 * POST /oauth2/register, and GET | PUT | DELETE /oauth2/register/{client_id}.
 * The bearer token is checked in onRequest, before the body is read, so a caller without a
 * valid token gets 401 whatever it sent.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Gatehouse } from '../../gatehouse.js';
import { OAuthError } from '../../oauth/errors.js';
import { clientNetwork } from '../client-network.js';

interface ClientParams {
  clientId: string;
}

/** The token of an `Authorization: Bearer` header; anything else counts as no token (401). */
function bearerOf(request: FastifyRequest): string | undefined {
  return /^Bearer +([\x21-\x7e]+) *$/i.exec(request.headers.authorization ?? '')?.[1];
}

/** RFC 7591 3.1: the metadata is a JSON object, sent as application/json. */
function metadataOf(request: FastifyRequest): Record<string, unknown> {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new OAuthError('invalid_request', 'The client metadata must be a JSON object sent as application/json.', {
      status: 415,
    });
  }
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OAuthError('invalid_request', 'The body must be a JSON object of client metadata.');
  }
  return body as Record<string, unknown>;
}

// RFC 7591 3.2.1: answers carry credentials, so no cache may keep them.
const noStore = (reply: FastifyReply) => reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');

export async function registerRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const registration = gh.registration;
  const requireClientToken = async (request: FastifyRequest<{ Params: ClientParams }>) =>
    registration.requireRegistrationToken(request.actor, request.params.clientId, bearerOf(request), clientNetwork(gh, request));

  app.post(
    '/oauth2/register',
    { onRequest: async (request) => registration.requireInitialAccessToken(bearerOf(request), clientNetwork(gh, request)) },
    async (request, reply) => {
      const information = await registration.register(
        request.actor,
        metadataOf(request),
        bearerOf(request),
        clientNetwork(gh, request),
      );
      return noStore(reply).status(201).send(information);
    },
  );

  app.get<{ Params: ClientParams }>('/oauth2/register/:clientId', async (request, reply) =>
    noStore(reply).send(
      await registration.read(request.actor, request.params.clientId, bearerOf(request), clientNetwork(gh, request)),
    ),
  );

  app.put<{ Params: ClientParams }>('/oauth2/register/:clientId', { onRequest: requireClientToken }, async (request, reply) =>
    noStore(reply).send(
      await registration.update(
        request.actor,
        request.params.clientId,
        bearerOf(request),
        metadataOf(request),
        clientNetwork(gh, request),
      ),
    ),
  );

  app.delete<{ Params: ClientParams }>('/oauth2/register/:clientId', async (request, reply) => {
    await registration.remove(request.actor, request.params.clientId, bearerOf(request), clientNetwork(gh, request));
    return noStore(reply).status(204).send();
  });
}
