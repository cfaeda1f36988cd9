/**
 * The admin console at /admin/ui on the admin port: the queue of applications waiting for a
 * decision, every client with search, one application with its actions, the audit log.
 * Operators sign in with ADMIN_TOKEN and their name (src/audit/operator-sessions.ts); every action calls
 * the same services as the admin API, so a suspension revokes tokens at once, and is written
 * to the audit log under the operator's name. This module assembles the console's scope; the
 * routes are by area: console-sign-in.ts, console-applications.ts, console-audit.ts.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CONSOLE_COOKIE, ConsoleSessions } from '../../audit/operator-sessions.js';
import { GatehouseError } from '../../errors.js';
import { identify } from '../../events/actor.js';
import type { Gatehouse } from '../../gatehouse.js';
import { notFound } from '../../oauth/errors.js';
import { consoleErrorPage, withQuery } from '../../ui/pages/console.js';
import { installBrowserCookies, signedCookie } from '../cookies.js';
import { installFormParser } from '../forms.js';
import { assetRoutes } from '../ui/assets.js';
import { applicationRoutes } from './console-applications.js';
import { auditRoutes } from './console-audit.js';
import { ConsoleFrame } from './console-frame.js';
import { safeNext, signInRoutes, signOutRoute } from './console-sign-in.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A console route: the console's sign-in cookie guards it, not the admin API's bearer token. */
    adminConsole?: boolean;
  }
}

/** Whether the admin port's bearer-token check leaves this request to the console's own sign-in. */
export const usesConsoleSignIn = (request: FastifyRequest): boolean => request.routeOptions.config?.adminConsole === true;

export async function consoleRoutes(
  app: FastifyInstance,
  gh: Gatehouse,
  options: { adminToken?: string | undefined; adminTokenFile?: string | undefined },
): Promise<void> {
  const adminToken = options.adminToken || undefined;
  const sessions = new ConsoleSessions({ db: gh.db, secrets: gh.box.cookieSecrets(), adminToken, now: gh.now });
  const frame = new ConsoleFrame(gh, adminToken === undefined);

  await app.register(async (scope) => {
    // The console's forms: the only form bodies the admin port takes besides introspection's.
    installFormParser(scope);
    // Its own cookie names, as cookies ignore ports.
    await installBrowserCookies(scope, gh.box.cookieSecrets(), {
      cookieKey: 'gatehouse_console_csrf',
      cookieOpts: { path: '/admin/ui', sameSite: 'strict', secure: 'auto' },
    });
    const csrf = { preHandler: scope.csrfProtection };
    // Every console route: an HTML page on error, left out of the API's OpenAPI document, and
    // exempt from the bearer token (the guard below, or nothing for the sign-in page itself).
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, htmlErrors: true, adminConsole: true };
      route.schema = { ...route.schema, hide: true };
    });

    // The stylesheet on the admin port too, for the console and for the error pages.
    await assetRoutes(scope);
    signInRoutes(scope, frame, csrf, { sessions, adminToken, adminTokenFile: options.adminTokenFile });

    await scope.register(async (guarded) => {
      guarded.addHook('onRequest', async (request, reply) => {
        const session = await sessions.read(signedCookie(request, CONSOLE_COOKIE));
        if (!session) {
          const next = request.method === 'GET' ? safeNext(request.url) : '/admin/ui';
          await reply.redirect(withQuery('/admin/ui/login', { next: next === '/admin/ui' ? undefined : next }), 303);
          return reply;
        }
        frame.signedIn(request, session.operator);
      });
      // A refused request (unknown client, bad filter…) keeps the console's frame; anything else,
      // CSRF failures and server errors included, goes to the admin app's one error handler.
      guarded.setErrorHandler((error, request, reply) => {
        if (!(error instanceof GatehouseError) || error.status >= 500) throw error;
        if (error.debug) request.log.info({ error: error.error, debug: error.debug }, 'request refused');
        return frame.send(reply, request, {
          title: 'That did not work',
          body: consoleErrorPage(error.error, error.description),
          status: error.status,
        });
      });
      // After the admin app has opened the request's actor context (a preHandler): name the operator.
      guarded.addHook('preHandler', async (request) => {
        identify(request.actor, 'operator', frame.operatorOf(request) as string);
      });

      signOutRoute(guarded, sessions, csrf);
      applicationRoutes(guarded, frame, csrf);
      auditRoutes(guarded, frame, csrf);

      // A mistyped console address is a page, not the JSON API's answer.
      guarded.all('/admin/ui/*', async (request) => {
        throw notFound(`The console has no page at ${request.url.split('?')[0]}.`);
      });
    });
  });
}
