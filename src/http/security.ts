/** Response headers on everything: no sniffing, no referrer, no caching unless a route says so. (Pages add their policy: ui/layout.ts.) */
import type { FastifyInstance } from 'fastify';

export function installSecurityHeaders(app: FastifyInstance): void {
  // Callback hooks, here and in the other hooks every request passes: an async hook costs a
  // promise and a microtask per request, which shows on the hot routes (bench/RESULTS.md).
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    // RFC 6749 5.1: token responses must not be cached; nothing here is meant to be, unless a route says so.
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    done(null, payload);
  });
}
