/**
 * GET /admin/outbox: the messages the dev outbox kept instead of sending, newest first, so a
 * developer (or a test) can read a one-time code. Served only while some channel has no real
 * provider; with a provider for every channel there is nothing to read and the route says so.
 */
import type {} from '@fastify/swagger';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { OutboxStore } from '../../delivery/outbox.js';
import { notFound } from '../../oauth/errors.js';

export const OutboxQuery = Type.Object({
  to: Type.Optional(
    Type.String({ minLength: 1, maxLength: 320, description: 'Recipient: a lower-case email address or E.164 number' }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});

export const OutboxList = Type.Object(
  {
    messages: Type.Array(
      Type.Object({
        id: Type.String(),
        channel: Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('whatsapp')]),
        to: Type.String(),
        subject: Type.Union([Type.String(), Type.Null()]),
        text: Type.String(),
        created_at: Type.String({ format: 'date-time' }),
      }),
    ),
  },
  { $id: 'OutboxList' },
);

export interface OutboxRouteDeps {
  outbox: OutboxStore;
  /** False when every channel has a real provider: the route answers 404. */
  enabled: boolean;
}

export async function outboxRoutes(app: FastifyInstance, deps: OutboxRouteDeps): Promise<void> {
  app.get<{ Querystring: Static<typeof OutboxQuery> }>(
    '/admin/outbox',
    {
      schema: {
        tags: ['outbox'],
        summary: 'Messages kept by the dev outbox (only while a channel has no real provider), newest first',
        querystring: OutboxQuery,
        response: { 200: OutboxList },
      },
    },
    async (request, reply) => {
      if (!deps.enabled) {
        throw notFound('The dev outbox is not in use: every channel has a real delivery provider.');
      }
      const messages = await deps.outbox.list({ to: request.query.to, limit: request.query.limit ?? 50 });
      // It holds live one-time codes: no cache may keep a copy.
      reply.header('Cache-Control', 'no-store');
      return { messages: messages.map((m) => ({ ...m, created_at: m.created_at.toISOString() })) };
    },
  );
}
