/** GET /oauth2/sessions/logout: RP-initiated logout, and the end of the logout flow. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LOGOUT_CSRF_COOKIE, SESSION_COOKIE } from '../../flows/context.js';
import type { Gatehouse } from '../../gatehouse.js';
import { type RawParams, readParams } from '../../oauth/params.js';
import { applyCookies, readCookies, signedCookie } from '../cookies.js';

export async function logoutRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const secure = gh.config.issuer.startsWith('https:');
  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = (request.method === 'POST' ? request.body : request.query) as RawParams;
    const outcome = await gh.logout.handle({
      actor: request.actor,
      params: readParams(raw),
      requestUrl: `${gh.config.issuer}${request.url}`,
      sessionId: signedCookie(request, SESSION_COOKIE),
      cookies: readCookies(request, [LOGOUT_CSRF_COOKIE]),
    });
    applyCookies(reply, outcome.cookies, secure);
    return reply.redirect(outcome.location, 303);
  };
  app.get('/oauth2/sessions/logout', { config: { htmlErrors: true } }, handle);
  app.post('/oauth2/sessions/logout', { config: { htmlErrors: true } }, handle);
}
