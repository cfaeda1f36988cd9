/**
 * The console's sign-in and sign-out pages: the admin token and a name for the audit log in,
 * a session cookie out (src/audit/console-sign-in.ts decides; src/audit/operator-sessions.ts
 * keeps the sessions).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConsoleSignIn } from '../../audit/console-sign-in.js';
import { CONSOLE_COOKIE, CONSOLE_SESSION_SECONDS, type ConsoleSessions } from '../../audit/operator-sessions.js';
import { consoleLoginPage } from '../../ui/pages/console.js';
import { clientNetwork } from '../client-network.js';
import { signedCookie } from '../cookies.js';
import { formOf, queryOf } from '../ui/ui-support.js';
import type { ConsoleFrame, CsrfGuard } from './console-frame.js';

/** A place inside the console to return to after signing in; anything else is the queue. */
export function safeNext(value: string | undefined): string {
  if (!value || !/^\/admin\/ui(?:[/?]|$)/.test(value) || /[\\\s]|\/\//.test(value)) return '/admin/ui';
  if (/^\/admin\/ui\/log(?:in|out)(?:[/?]|$)/.test(value)) return '/admin/ui';
  return value;
}

// The admin port may be plain HTTP on loopback while the issuer is https: `secure` follows the request.
const COOKIE = { path: '/admin', httpOnly: true, sameSite: 'strict', secure: 'auto', signed: true } as const;

type LoginModel = Omit<Parameters<typeof consoleLoginPage>[0], 'csrf' | 'open' | 'tokenFile'>;

export function signInRoutes(
  scope: FastifyInstance,
  frame: ConsoleFrame,
  csrf: CsrfGuard,
  options: { sessions: ConsoleSessions; adminToken: string | undefined; adminTokenFile: string | undefined },
): void {
  const gh = frame.gh;
  const signIn = new ConsoleSignIn({
    sessions: options.sessions,
    limiter: gh.login.limiter,
    events: gh.events,
    adminToken: options.adminToken,
  });
  const showLogin = (request: FastifyRequest, reply: FastifyReply, model: LoginModel, status = 200) =>
    frame.send(reply, request, {
      title: 'Sign in',
      body: consoleLoginPage({ csrf: frame.csrf(reply), open: frame.open, tokenFile: options.adminTokenFile, ...model }),
      status,
    });

  scope.get('/admin/ui/login', async (request, reply) => {
    const query = queryOf(request);
    const next = safeNext(query.get('next'));
    if (await options.sessions.read(signedCookie(request, CONSOLE_COOKIE))) return reply.redirect(next, 303);
    const flash = query.get('done') === 'signed-out' ? 'You are signed out of the console.' : undefined;
    return showLogin(request, reply, { operator: '', next, errors: {}, ...(flash ? { flash } : {}) });
  });

  scope.post('/admin/ui/login', csrf, async (request, reply) => {
    const form = formOf(request);
    const operator = (form.get('operator') ?? '').trim();
    const next = safeNext(form.get('next'));
    const outcome = await signIn.attempt(request.actor, {
      operator,
      token: form.get('token') ?? '',
      address: clientNetwork(gh, request),
    });
    if (!('session' in outcome)) {
      if (outcome.retryAfterSeconds !== undefined) reply.header('Retry-After', String(outcome.retryAfterSeconds));
      return showLogin(request, reply, { operator, next, errors: outcome.errors }, outcome.status);
    }
    reply.setCookie(CONSOLE_COOKIE, outcome.session, { ...COOKIE, maxAge: CONSOLE_SESSION_SECONDS });
    return reply.redirect(next, 303);
  });
}

/** Signing out ends the session for every copy of its cookie. */
export function signOutRoute(guarded: FastifyInstance, sessions: ConsoleSessions, csrf: CsrfGuard): void {
  guarded.post('/admin/ui/logout', csrf, async (request, reply) => {
    await sessions.end(signedCookie(request, CONSOLE_COOKIE));
    reply.clearCookie(CONSOLE_COOKIE, COOKIE);
    return reply.redirect('/admin/ui/login?done=signed-out', 303);
  });
}
