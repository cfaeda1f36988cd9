import type { FastifyRequest } from 'fastify';
import { OAuthError } from '../../oauth/errors.js';

/** RFC 6749 3.2 / RFC 7009 2.1: these endpoints take application/x-www-form-urlencoded only. */
export function requireForm(request: FastifyRequest): void {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
  }
}
