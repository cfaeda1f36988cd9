/** /health/alive: the process answers. /health/ready: and its database does too. */
import type { FastifyInstance } from 'fastify';
import type { Gatehouse } from '../gatehouse.js';

export async function healthRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  app.get('/health/alive', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (request, reply) => {
    try {
      await gh.database.ping();
      return { status: 'ok' };
    } catch (err) {
      request.log.warn({ err }, 'database not reachable');
      return reply.status(503).send({ status: 'unavailable', errors: { database: 'not reachable' } });
    }
  });
}
