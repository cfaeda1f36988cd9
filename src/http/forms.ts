/** application/x-www-form-urlencoded bodies, keeping repeated names so they can be refused. */
import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../oauth/errors.js';
import { parseForm } from '../oauth/params.js';

export const FORM_BODY_LIMIT = 64 * 1024;

const FORM = 'application/x-www-form-urlencoded';

/**
 * Where only JSON is taken (the admin API), a form body is refused, except an empty one:
 * Hydra's SDKs (axios) label a bodiless PUT, such as accepting a logout, as a form.
 */
export function installEmptyFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
    if (body === '') return done(null, undefined);
    done(new OAuthError('invalid_request', 'This endpoint takes a JSON body (application/json).', { status: 415 }), undefined);
  });
}

export function installFormParser(app: FastifyInstance): void {
  // A scope may take forms where its parent took only empty ones (the admin port's).
  if (app.hasContentTypeParser(FORM)) app.removeContentTypeParser(FORM);
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
    done(null, parseForm(body as string));
  });
}
