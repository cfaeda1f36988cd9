/**
 * Runs every handler inside the request's actor context (src/audit/actor.ts), so the events a
 * request causes are attributed to whoever made it. A preHandler hook, because it is the last
 * hook before the handler: contexts entered earlier are lost across body parsing.
 */
import type { FastifyInstance } from 'fastify';
import { type Actor, actingAs } from '../audit/actor.js';

export function installActorContext(app: FastifyInstance, initial: Omit<Actor, 'ip'>): void {
  app.addHook('preHandler', (request, _reply, done) => {
    actingAs({ ...initial, ip: request.ip }, done);
  });
}
