/** /admin/registration-tokens: the RFC 7591 initial access tokens that open /oauth2/register. */
import type {} from '@fastify/swagger';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { MAX_EXPIRES_IN, MAX_USES } from '../../clients/initial-access-tokens.js';
import type { Gatehouse } from '../../gatehouse.js';

const tags = ['registration'];

export const RegistrationTokenCreate = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 200, description: 'What the token is for, or who has it' })),
    uses: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_USES, description: 'How many clients it may register; absent: unlimited' }),
    ),
    expires_in: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_EXPIRES_IN, description: 'Seconds until it stops working; absent: never' }),
    ),
  },
  { additionalProperties: false },
);

const RegistrationToken = Type.Object({
  id: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  uses_left: Type.Union([Type.Integer(), Type.Null()], { description: 'null: unlimited' }),
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'null: never' }),
  created_at: Type.String({ format: 'date-time' }),
  active: Type.Boolean({ description: 'Usable now: neither expired nor used up' }),
});

const CreatedRegistrationToken = Type.Composite([
  RegistrationToken,
  Type.Object({ token: Type.String({ description: 'The initial access token; shown only in this answer' }) }),
]);

const TokenIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

export async function registrationTokenRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const tokens = gh.registration.tokens;

  app.post<{ Body: Static<typeof RegistrationTokenCreate> }>(
    '/admin/registration-tokens',
    {
      schema: {
        tags,
        summary: 'Create an initial access token for dynamic client registration; the token is shown once',
        body: RegistrationTokenCreate,
        response: { 201: CreatedRegistrationToken },
      },
    },
    async (request, reply) => {
      const { description, uses, expires_in } = request.body;
      return reply.status(201).send(await tokens.create(request.actor, { description, uses, expiresIn: expires_in }));
    },
  );

  app.get(
    '/admin/registration-tokens',
    {
      schema: {
        tags,
        summary: 'List initial access tokens (never their values), newest first',
        response: { 200: Type.Array(RegistrationToken) },
      },
    },
    async () => tokens.list(),
  );

  app.delete<{ Params: Static<typeof TokenIdParams> }>(
    '/admin/registration-tokens/:id',
    {
      schema: {
        tags,
        summary: 'Delete an initial access token; clients it registered stay',
        params: TokenIdParams,
      },
    },
    async (request, reply) => {
      await tokens.remove(request.actor, request.params.id);
      return reply.status(204).send();
    },
  );
}
