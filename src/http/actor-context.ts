/**
 * Gives every request its actor (src/audit/actor.ts): who made it, from where. Routes pass
 * `request.actor` to the services they call; services narrow it once they know more.
 */
import type { FastifyInstance } from 'fastify';
import type { Actor } from '../audit/actor.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

export function installActorContext(app: FastifyInstance, initial: Omit<Actor, 'ip'>): void {
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', (request, _reply, done) => {
    request.actor = { ...initial, ip: request.ip };
    done();
  });
}
