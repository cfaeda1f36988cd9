/**
 * The "Sign in with Gatehouse" button: its files under /ui/button/ (loaded by relying parties
 * from their own origins) and the brand guidelines page at /ui/brand.
 */
import type { FastifyInstance } from 'fastify';
import type { Gatehouse } from '../../gatehouse.js';
import { notFound } from '../../oauth/errors.js';
import { buttonFiles, SCRIPT } from '../../ui/button/files.js';
import { readChoice, snippets } from '../../ui/button/snippet.js';
import { svgFiles } from '../../ui/button/svg.js';
import { brandPage } from '../../ui/pages/brand.js';
import { queryOf, sendPage } from './ui-support.js';

/** If-None-Match holds a list, and may mark tags weak (RFC 9110 13.1.2 compares weakly for GET). */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '');
    return candidate === '*' || candidate === etag;
  });
}

export async function buttonRoutes(app: FastifyInstance, gh: Pick<Gatehouse, 'config'>): Promise<void> {
  const files = buttonFiles();
  const script = files.get(SCRIPT);
  const downloads = svgFiles().map(({ name, description }) => ({ name, description }));

  app.get<{ Params: { file: string }; Querystring: Record<string, unknown> }>('/ui/button/:file', async (request, reply) => {
    const file = files.get(request.params.file);
    if (!file) throw notFound('There is no such file of the sign-in button.');
    const etag = `"${file.version}"`;
    // A URL that names the content's hash never changes; the plain one is what relying parties
    // embed, so it has to pick up a new release within a day.
    const versioned = request.query.v === file.version;
    reply.headers({
      // Relying parties load these from their own pages: module scripts and mask images are
      // CORS requests, and CORP lets them through a cross-origin-isolated page. Only here.
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      ETag: etag,
      'Cache-Control': versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=86400',
    });
    // An SVG opened on its own is a document of this origin: it may run nothing.
    if (file.type.startsWith('image/svg+xml')) reply.header('Content-Security-Policy', "default-src 'none'");
    if (matches(request.headers['if-none-match'], etag)) return reply.status(304).send();
    return reply.type(file.type).send(file.body);
  });

  app.get('/ui/brand', { config: { htmlErrors: true } }, async (request, reply) => {
    const params = queryOf(request);
    const { choice, hrefInput, error } = readChoice((name) => params.get(name));
    return sendPage(
      reply,
      brandPage({ choice, hrefInput, hrefError: error, snippets: snippets(gh.config.issuer, choice), downloads }),
      {
        title: 'Sign in with Gatehouse: brand guidelines',
        wide: true,
        status: error ? 400 : 200,
        scripts: [`/ui/button/${SCRIPT}?v=${script?.version ?? ''}`],
      },
    );
  });
}
