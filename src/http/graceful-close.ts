/**
 * Stopping Fastify servers so that no request is refused that could be answered. Fastify's own
 * close marks the server closing and closes idle connections before it stops accepting; here
 * accepting stops first, and Fastify's closing follows a moment later, so a connection accepted
 * just before then is not closed before its request arrives, and in a cluster the primary
 * hands later connections to the other workers (a worker that no longer listens declines
 * them). A request that arrives on a kept-alive connection once Fastify is closing is answered
 * with Connection: close (server.ts turns Fastify's 503 for it off). Fastify's close still waits
 * for the last connection to end; kept-alive ones are closed as soon as they are idle, where
 * Node closes the idle ones only once, when the listener closes, and would wait for the others
 * until their keep-alive timeout (72 s).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';

/** Between closing the listeners and Fastify's close: time for a just-accepted connection's request to arrive. */
const ACCEPTED_GRACE_MS = 250;
/** While stopping: how often connections that have become idle are closed. */
const IDLE_SWEEP_MS = 50;

export async function closeGracefully(apps: FastifyInstance[]): Promise<void> {
  for (const app of apps) if (app.server.listening) app.server.close();
  await sleep(ACCEPTED_GRACE_MS);
  const sweep = setInterval(() => {
    for (const app of apps) app.server.closeIdleConnections();
  }, IDLE_SWEEP_MS);
  try {
    await Promise.allSettled(apps.map((app) => app.close()));
  } finally {
    clearInterval(sweep);
  }
}
