/**
 * The one place errors become responses: RFC 6749 5.2 JSON (with the WWW-Authenticate
 * challenge RFC 6749 and RFC 6750 ask for), a 4.1.2.1 redirect to a trusted redirect URI,
 * or a readable HTML page. Nothing else leaves: no stack, no internal message.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { asPublicError, GatehouseError } from '../errors.js';
import { redirectWith } from '../oauth/authorize/request.js';
import { ClientRedirectError, invalidRequest } from '../oauth/errors.js';
import { layout, pageHeaders } from '../ui/layout.js';
import { errorPage } from '../ui/pages/messages.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Errors of this route are shown as a page to a person, not as JSON. */
    htmlErrors?: boolean;
  }
}

/** A page's own script asking for JSON (Accept: application/json): its errors are JSON too. */
export const asksForJson = (request: FastifyRequest): boolean => (request.headers.accept ?? '').includes('application/json');

/** Fastify's own client errors (bad JSON, wrong content type, body too large, …). */
function fromFastify(err: FastifyError): GatehouseError | undefined {
  if (err.code?.startsWith('FST_CSRF_')) {
    return invalidRequest('This form has expired or did not come from this site. Go back, reload the page and try again.', {
      status: 403,
      debug: err.code,
    });
  }
  if (err.validation) {
    return invalidRequest(`The request is invalid: ${err.message.replace(/^(body|querystring|params|headers)\/?/, '$1 ')}`);
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const description =
      status === 413
        ? 'The request body is too large.'
        : status === 415
          ? 'The request body has a content type this endpoint does not accept.'
          : 'The request is malformed.';
    return invalidRequest(description, { status, debug: err.message });
  }
  return undefined;
}

/**
 * The router's own errors (a path segment that is not valid percent-encoding, or longer than
 * maxParamLength) never reach setErrorHandler; without this Fastify answers them in its own
 * shape, with its internal error code.
 */
export function frameworkErrors(options: { admin: boolean }): FastifyServerOptions['frameworkErrors'] {
  return (rawError, request, reply) => {
    const status =
      rawError.statusCode !== undefined && rawError.statusCode >= 400 && rawError.statusCode < 500 ? rawError.statusCode : 500;
    const error =
      status < 500 ? invalidRequest('The request URL is malformed or too long.', { status }) : asPublicError(rawError);
    if (status >= 500) request.log.error({ err: rawError }, 'request failed');
    (reply as FastifyReply)
      .status(status)
      .header('Cache-Control', 'no-store')
      .type('application/json; charset=utf-8')
      .send({ ...error.toJSON(), ...(options.admin ? { status_code: status } : {}) });
  };
}

export function installErrorHandler(app: FastifyInstance, options: { admin: boolean; issuer: string }): void {
  app.setErrorHandler((rawError: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const error =
      rawError instanceof GatehouseError
        ? asPublicError(rawError)
        : (fromFastify(rawError as FastifyError) ?? asPublicError(rawError));
    if (error.status >= 500) {
      request.log.error({ err: rawError }, 'request failed');
    } else if (error.debug) {
      request.log.info({ error: error.error, debug: error.debug }, 'request refused');
    }

    if (error.retryAfterSeconds !== undefined) reply.header('Retry-After', String(error.retryAfterSeconds));
    if (error instanceof ClientRedirectError) {
      return reply.redirect(
        redirectWith(error.redirectUri, {
          error: error.error,
          error_description: error.description,
          state: error.state,
          iss: options.issuer,
        }),
        303,
      );
    }
    if (request.routeOptions.config?.htmlErrors && !asksForJson(request)) {
      return reply
        .status(error.status)
        .headers(pageHeaders())
        .type('text/html; charset=utf-8')
        .send(layout({ title: 'Something went wrong', body: errorPage(error.error, error.description, error.restartUrl) }));
    }
    if (error.challenge !== undefined) reply.header('WWW-Authenticate', error.challenge);
    reply.header('Cache-Control', 'no-store');
    return reply
      .status(error.status)
      .type('application/json; charset=utf-8')
      .send({ ...error.toJSON(), ...(options.admin ? { status_code: error.status } : {}) });
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .type('application/json; charset=utf-8')
      .send({ error: 'not_found', error_description: `No route for ${request.method} ${request.url.split('?')[0]}.` });
  });
}
