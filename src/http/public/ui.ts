/** The pages the server itself links to: stand-in login/consent/logout, signed out, error. */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { pendingUiPage, signedOutPage } from '../../ui/pages.js';
import { htmlHeaders } from '../security.js';

function sendPage(reply: FastifyReply, render: (nonce: string) => string, status = 200) {
  const nonce = randomBytes(16).toString('base64');
  return reply.status(status).headers(htmlHeaders(nonce)).type('text/html; charset=utf-8').send(render(nonce));
}

export async function uiRoutes(app: FastifyInstance): Promise<void> {
  const config = { htmlErrors: true };
  for (const which of ['login', 'consent', 'logout'] as const) {
    app.get(`/ui/${which}`, { config }, async (request, reply) => {
      const challenge = (request.query as Record<string, unknown>)[`${which}_challenge`];
      return sendPage(reply, (nonce) => pendingUiPage(which, typeof challenge === 'string' ? challenge : undefined, nonce));
    });
  }
  app.get('/ui/signed-out', { config }, async (_request, reply) => sendPage(reply, signedOutPage));
}
