/**
 * The Dashboard: a small relying party that signs people in with Gatehouse through
 * `@gatehouse/sdk` as a confidential client, and shows what it may see of them.
 *
 *   GET  /          landing page with the button, or the signed-in page
 *   GET  /login     starts a sign-in (state, nonce, PKCE kept server-side) and redirects to Gatehouse
 *   GET  /callback  finishes it (the SDK checks state, iss, the code and the ID token)
 *   POST /refresh   exchanges the refresh token for new tokens
 *   POST /logout    revokes the tokens, forgets the session, and goes to Gatehouse's RP-initiated logout
 *   GET  /signed-out where Gatehouse sends the person back after signing out
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import { type GatehouseClient, isGatehouseError, type TokenSet } from '@gatehouse/sdk';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { dashboardPage, errorPage, landingPage, type PageContext, signedOutPage } from './pages.js';
import { MemoryStore, newId, type SignedIn, type SignInState } from './sessions.js';
import { loadView } from './view.js';

export interface DashboardOptions {
  /** The SDK client, set up with this Dashboard's client id, secret, redirect and post-logout URIs. */
  gatehouse: GatehouseClient;
  /** Where the Dashboard is reached, e.g. `http://localhost:3000` (decides the cookies' Secure flag). */
  baseUrl: string;
  /** Signs the session cookie: 32 characters or more. */
  cookieSecret: string;
  logger?: FastifyServerOptions['logger'];
}

const SESSION_COOKIE = 'dashboard_session';
const SIGNIN_COOKIE = 'dashboard_signin';
const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
const SIGNIN_TTL_MS = 10 * 60 * 1000;

const stylesheet = readFileSync(new URL('../public/dashboard.css', import.meta.url));

/** What to tell the person when a sign-in fails, by the SDK's error code. */
function explain(code: string, detail: string): { status: number; title: string; description: string } {
  switch (code) {
    case 'access_denied':
      return {
        status: 403,
        title: 'Sign-in cancelled',
        description: 'You did not allow the Dashboard to use your Gatehouse account.',
      };
    case 'state_mismatch':
      return {
        status: 400,
        title: 'This sign-in cannot be finished',
        description: 'It has expired, was already used, or was started in another browser. Start again from the Dashboard.',
      };
    case 'invalid_grant':
      return {
        status: 400,
        title: 'This sign-in has expired',
        description: 'The sign-in code expired or was already used. Start again.',
      };
    case 'network_error':
      return { status: 502, title: 'Gatehouse cannot be reached', description: 'Try again in a moment.' };
    case 'iss_mismatch':
    case 'nonce_mismatch':
    case 'invalid_id_token':
      return {
        status: 400,
        title: 'This sign-in was refused',
        description: 'The answer did not pass the Dashboard’s security checks, so it was not used. Start again.',
      };
    default:
      return { status: 400, title: 'Sign-in failed', description: detail };
  }
}

/**
 * Gatehouse rotates refresh tokens: the new set replaces the old one, which is now spent. A
 * refresh may come without an ID token; the sign-in's one still names the person.
 */
function renewedTokens(old: TokenSet, renewed: TokenSet): TokenSet {
  return { ...renewed, idToken: renewed.idToken ?? old.idToken, claims: renewed.claims ?? old.claims };
}

function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export async function buildDashboard(options: DashboardOptions): Promise<FastifyInstance> {
  const { gatehouse } = options;
  const ctx: PageContext = { issuer: gatehouse.issuer };
  const issuerOrigin = new URL(gatehouse.issuer).origin;
  const secure = new URL(options.baseUrl).protocol === 'https:';
  const sessions = new MemoryStore<SignedIn>(SESSION_TTL_MS);
  const signIns = new MemoryStore<SignInState>(SIGNIN_TTL_MS);
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true } as const;

  const app = Fastify({ logger: options.logger ?? false });
  await app.register(cookie, { secret: options.cookieSecret });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.addHook('onSend', async (_request, reply) => {
    // The button's script and stylesheet come from Gatehouse; nothing inline, no framing.
    reply.header(
      'Content-Security-Policy',
      `default-src 'none'; script-src ${issuerOrigin}; style-src 'self' ${issuerOrigin}; img-src 'self' data: ${issuerOrigin}; ` +
        `form-action 'self' ${issuerOrigin}; frame-ancestors 'none'; base-uri 'none'`,
    );
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'same-origin');
  });

  const readCookie = (request: FastifyRequest, name: string): string | undefined => {
    const raw = request.cookies[name];
    if (raw === undefined) return undefined;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && unsigned.value !== null ? unsigned.value : undefined;
  };
  const sessionOf = (request: FastifyRequest) => {
    const id = readCookie(request, SESSION_COOKIE);
    const session = sessions.get(id);
    return session && id ? { id, session } : undefined;
  };
  const page = (reply: FastifyReply, body: string, status = 200) =>
    reply.status(status).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(body);
  const endSession = (reply: FastifyReply, id: string) => {
    sessions.delete(id);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  };

  app.get('/assets/dashboard.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(stylesheet),
  );

  app.get('/', async (request, reply) => {
    const current = sessionOf(request);
    if (!current) return page(reply, landingPage(ctx));
    const { id, session } = current;
    let view: Awaited<ReturnType<typeof loadView>>;
    try {
      view = await loadView(gatehouse, session.tokens);
    } catch (err) {
      if (!isGatehouseError(err) || (err.code !== 'invalid_token' && err.code !== 'invalid_grant')) throw err;
      // The access token expired or was revoked: one refresh, else the session is over.
      const renewed = session.tokens.refreshToken
        ? await gatehouse.refresh(session.tokens.refreshToken).catch(() => undefined)
        : undefined;
      if (!renewed) {
        endSession(reply, id);
        return page(reply, landingPage(ctx, 'Your access ended at Gatehouse (it expired or was revoked). Sign in again.'));
      }
      session.tokens = renewedTokens(session.tokens, renewed);
      view = await loadView(gatehouse, session.tokens);
    }
    const notice = session.notice;
    delete session.notice;
    sessions.set(id, session);
    return page(reply, dashboardPage(ctx, view, { csrf: session.csrf, now: Date.now(), ...(notice ? { notice } : {}) }));
  });

  app.get('/login', async (_request, reply) => {
    const request = await gatehouse.signInUrl();
    const { url, ...pending } = request;
    const id = newId();
    signIns.set(id, { pending });
    reply.setCookie(SIGNIN_COOKIE, id, { ...cookieOptions, maxAge: SIGNIN_TTL_MS / 1000 });
    return reply.redirect(url, 303);
  });

  app.get('/callback', async (request, reply) => {
    const signIn = signIns.take(readCookie(request, SIGNIN_COOKIE));
    reply.clearCookie(SIGNIN_COOKIE, { path: '/' });
    const refuse = (code: string, detail: string) => {
      request.log.info({ code }, 'sign-in refused');
      const { status, title, description } = explain(code, detail);
      return page(reply, errorPage(ctx, { title, description, code }), status);
    };
    // No sign-in under way in this browser: the SDK would say state_mismatch too.
    if (!signIn) return refuse('state_mismatch', '');
    let tokens: TokenSet;
    try {
      tokens = await gatehouse.handleCallback(request.url, signIn.pending);
    } catch (err) {
      if (!isGatehouseError(err)) throw err;
      return refuse(err.code, err.description);
    }
    const previous = sessionOf(request);
    if (previous) sessions.delete(previous.id);
    // A new session id at sign-in: a session id planted before sign-in is worth nothing after.
    const id = newId();
    sessions.set(id, { tokens, csrf: newId() });
    reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions, maxAge: SESSION_TTL_MS / 1000 });
    return reply.redirect('/', 303);
  });

  /** The POST forms carry the session's CSRF token; SameSite=Lax already keeps other sites' posts out. */
  const postedSession = (request: FastifyRequest) => {
    const current = sessionOf(request);
    const token = (request.body as Record<string, string> | undefined)?._csrf;
    return current && sameSecret(token, current.session.csrf) ? current : undefined;
  };

  app.post('/refresh', async (request, reply) => {
    const current = postedSession(request);
    if (!current) return reply.redirect('/', 303);
    const { id, session } = current;
    if (!session.tokens.refreshToken) return reply.redirect('/', 303);
    try {
      const renewed = await gatehouse.refresh(session.tokens.refreshToken);
      session.tokens = renewedTokens(session.tokens, renewed);
      session.notice = 'Token refreshed: a new access token and a new refresh token.';
      sessions.set(id, session);
    } catch (err) {
      if (!isGatehouseError(err, 'invalid_grant')) throw err;
      endSession(reply, id);
      return page(reply, landingPage(ctx, 'Your access ended at Gatehouse (the refresh token was revoked). Sign in again.'));
    }
    return reply.redirect('/', 303);
  });

  app.post('/logout', async (request, reply) => {
    const current = postedSession(request);
    if (!current) return reply.redirect('/', 303);
    const { id, session } = current;
    endSession(reply, id);
    // Revoking the refresh token ends the whole grant; the person stays free to sign in again.
    const token = session.tokens.refreshToken ?? session.tokens.accessToken;
    await gatehouse.revoke(token).catch((err) => request.log.warn({ err }, 'revocation failed'));
    const idTokenHint = session.tokens.idToken;
    return reply.redirect(gatehouse.logoutUrl(idTokenHint ? { idTokenHint } : {}), 303);
  });

  app.get('/signed-out', async (_request, reply) => page(reply, signedOutPage(ctx)));

  app.setNotFoundHandler(async (_request, reply) =>
    page(reply, errorPage(ctx, { title: 'Page not found', description: 'There is no such page on the Dashboard.' }), 404),
  );

  app.setErrorHandler(async (err, request, reply) => {
    if (isGatehouseError(err, 'network_error')) {
      return page(reply, errorPage(ctx, { ...explain(err.code, err.description), code: err.code }), 502);
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return page(
        reply,
        errorPage(ctx, { title: 'Bad request', description: 'The Dashboard could not read that request.' }),
        status,
      );
    }
    request.log.error({ err }, 'unexpected error');
    return page(reply, errorPage(ctx, { title: 'Something went wrong', description: 'Try again in a moment.' }), 500);
  });

  return app;
}
