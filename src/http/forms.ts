/** application/x-www-form-urlencoded bodies, keeping repeated names so they can be refused. */
import type { FastifyInstance } from 'fastify';
import { parseForm } from '../oauth/params.js';

export const FORM_BODY_LIMIT = 64 * 1024;

export function installFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => {
      done(null, parseForm(body as string));
    },
  );
}
