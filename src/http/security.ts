/** Response headers on everything: no sniffing, no referrer, no caching unless a route says so. (Pages add their policy: ui/layout.ts.) */
import type { FastifyInstance } from 'fastify';

export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    // RFC 6749 5.1: token responses must not be cached; nothing here is meant to be, unless a route says so.
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
}
