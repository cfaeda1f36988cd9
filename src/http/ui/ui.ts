/** Pages the server links to outside a flow: signed out. */
import type { FastifyInstance } from 'fastify';
import { signedOutPage } from '../../ui/pages/messages.js';
import { sendPage } from './ui-support.js';

export async function uiRoutes(app: FastifyInstance): Promise<void> {
  app.get('/ui/signed-out', { config: { htmlErrors: true } }, async (_request, reply) =>
    sendPage(reply, signedOutPage(), { title: 'Signed out' }),
  );
}
