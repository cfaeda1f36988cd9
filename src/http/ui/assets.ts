/** The pages' stylesheet: read once, served with a validator and a short cache. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

// Beside this module both in src/ (tsx) and in dist/ (copied by scripts/copy-assets.mjs).
const stylesheet = readFileSync(new URL('../../ui/assets/app.css', import.meta.url));
const etag = `"${createHash('sha256').update(stylesheet).digest('base64url').slice(0, 16)}"`;

export async function assetRoutes(app: FastifyInstance): Promise<void> {
  app.get('/ui/assets/app.css', async (request, reply) => {
    reply.header('ETag', etag).header('Cache-Control', 'public, max-age=3600');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.type('text/css; charset=utf-8').send(stylesheet);
  });
}
