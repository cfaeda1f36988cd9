/**
 * Gives every request its actor (src/events/actor.ts): who made it, from where. Routes pass
 * `request.actor` to the services they call; services narrow it once they know more.
 *
 * Made on first use: most requests emit no event, and the client address behind a trusted
 * proxy is parsed from X-Forwarded-For each time it is read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../events/actor.js';

declare module 'fastify' {
  interface FastifyRequest {
    readonly actor: Actor;
    /** The actor once made; read `actor`. */
    actorMade: Actor | null;
  }
}

export function installActorContext(app: FastifyInstance, initial: Omit<Actor, 'ip'>): void {
  app.decorateRequest('actorMade', null);
  app.decorateRequest('actor', {
    getter(this: FastifyRequest): Actor {
      this.actorMade ??= { ...initial, ip: this.ip };
      return this.actorMade;
    },
  });
}
