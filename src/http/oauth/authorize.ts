/** GET|POST /oauth2/auth and the Galxe alias GET /oauth: thin adapters over flows/authorization. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from '../../flows/context.js';
import type { Gatehouse } from '../../gatehouse.js';
import { type RawParams, readParams } from '../../oauth/params.js';
import { clientNetwork } from '../client-network.js';
import { applyCookies, readCookies, signedCookie } from '../cookies.js';

export async function authorizeRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const secure = gh.config.issuer.startsWith('https:');

  const handle = (impliedResponseType: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = (request.method === 'POST' ? request.body : request.query) as RawParams;
    const params = readParams(raw);
    const outcome = await gh.authorization.handle({
      params,
      impliedResponseType,
      endpoint: `${gh.config.issuer}${request.url.split('?')[0]}`,
      address: clientNetwork(gh, request),
      sessionId: signedCookie(request, SESSION_COOKIE),
      cookies: readCookies(request, []),
    });
    applyCookies(reply, outcome.cookies, secure);
    return reply.redirect(outcome.location, 303);
  };

  const config = { htmlErrors: true };
  app.get('/oauth2/auth', { config }, handle(false));
  // OIDC Core 3.1.2.1: the authorization endpoint must accept POST (form-encoded) too.
  app.post('/oauth2/auth', { config }, handle(false));
  app.get('/oauth', { config }, handle(true));
}
