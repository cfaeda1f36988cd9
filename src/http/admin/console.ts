/**
 * The admin console at /admin/ui on the admin port: the queue of applications waiting for a
 * decision, every client with search, one application with its actions, the audit log.
 * Operators sign in with ADMIN_TOKEN and their name (src/audit/operator-sessions.ts); every action calls
 * the same services as the admin API, so a suspension revokes tokens at once, and is written
 * to the audit log under the operator's name.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEntry } from '../../audit/audit-log.js';
import { CONSOLE_COOKIE, CONSOLE_SESSION_SECONDS, ConsoleSessions, operatorNameProblem } from '../../audit/operator-sessions.js';
import { CLIENT_STATUSES, type ClientJson, toClientJson } from '../../clients/clients.js';
import { safeEqual } from '../../crypto/tokens.js';
import type { Client, ClientStatus } from '../../db/schema.js';
import { GatehouseError } from '../../errors.js';
import { identify } from '../../events/actor.js';
import type { Gatehouse } from '../../gatehouse.js';
import { invalidRequest, notFound, OAuthError } from '../../oauth/errors.js';
import type { SafeHtml } from '../../ui/html.js';
import { pageHeaders } from '../../ui/layout.js';
import {
  type ConsoleSection,
  clientHref,
  consoleErrorPage,
  consoleLoginPage,
  consolePage,
  withQuery,
} from '../../ui/pages/console.js';
import {
  type ActionErrors,
  type ApplicationView,
  applicationPage,
  clientListPage,
  type DescribeScope,
  queuePage,
} from '../../ui/pages/console-applications.js';
import { accountIdsIn, auditPage, type People } from '../../ui/pages/console-audit.js';
import { clientNetwork } from '../client-network.js';
import { installBrowserCookies, signedCookie } from '../cookies.js';
import { installFormParser } from '../forms.js';
import { assetRoutes } from '../ui/assets.js';
import { csrfToken, formOf, queryOf } from '../ui/ui-support.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A console route: the console's sign-in cookie guards it, not the admin API's bearer token. */
    adminConsole?: boolean;
  }
}

/** Whether the admin port's bearer-token check leaves this request to the console's own sign-in. */
export const usesConsoleSignIn = (request: FastifyRequest): boolean => request.routeOptions.config?.adminConsole === true;

/** Sign-in attempts per address and window. Every attempt counts, so the token cannot be found by trying faster. */
export const LOGIN_ATTEMPTS = 10;
/**
 * And from all addresses together: the per-address limit alone does not bound a guesser who
 * has many addresses (or a TRUST_PROXY set wider than the proxies in front of Gatehouse).
 */
export const LOGIN_ATTEMPTS_ALL = 120;
export const LOGIN_WINDOW_SECONDS = 15 * 60;
const QUEUE_LIMIT = 200;
const PAGE_SIZE = 50;
const MAX_REASON = 1000;

/** What each decision does, and from which statuses it may be taken. */
const DECISIONS: Record<string, { from: ClientStatus[]; to: ClientStatus; reasonRequired: boolean; done: string }> = {
  approve: { from: ['pending', 'rejected'], to: 'approved', reasonRequired: false, done: 'approved' },
  reject: { from: ['pending'], to: 'rejected', reasonRequired: true, done: 'rejected' },
  suspend: { from: ['approved'], to: 'suspended', reasonRequired: true, done: 'suspended' },
  reinstate: { from: ['suspended'], to: 'approved', reasonRequired: false, done: 'reinstated' },
};

const FLASHES: Record<string, (name: string, client: Client) => string> = {
  approved: (name, c) =>
    `Approved “${name}”. It can sign people in now.` +
    (c.developer_account_id && c.token_endpoint_auth_method !== 'none'
      ? ' Its developer sees the client secret once, in the developer portal.'
      : ''),
  rejected: (name) => `Rejected “${name}”. The reason is kept with its status.`,
  suspended: (name) => `Suspended “${name}”: its tokens are revoked and new sign-ins are refused.`,
  reinstated: (name) =>
    `Reinstated “${name}”. It can sign people in again; the tokens revoked when it was suspended stay revoked.`,
  'change-approved': (name) => `Approved the change to “${name}”; it applies now.`,
  'change-rejected': (name) => `Rejected the change to “${name}”; it keeps its current settings.`,
};

/** A place inside the console to return to after signing in; anything else is the queue. */
export function safeNext(value: string | undefined): string {
  if (!value || !/^\/admin\/ui(?:[/?]|$)/.test(value) || /[\\\s]|\/\//.test(value)) return '/admin/ui';
  if (/^\/admin\/ui\/log(?:in|out)(?:[/?]|$)/.test(value)) return '/admin/ui';
  return value;
}

export async function consoleRoutes(
  app: FastifyInstance,
  gh: Gatehouse,
  options: { adminToken?: string | undefined; adminTokenFile?: string | undefined },
): Promise<void> {
  const adminToken = options.adminToken || undefined;
  const open = adminToken === undefined;
  const sessions = new ConsoleSessions({ db: gh.db, secrets: gh.box.cookieSecrets(), adminToken, now: gh.now });
  const operators = new WeakMap<FastifyRequest, string>();
  const describe: DescribeScope = (scope) => gh.scopes.get(scope)?.description;
  // One token per response: a second generateCsrf on a first visit would make a second secret and cookie.
  const tokens = new WeakMap<FastifyReply, string>();
  const csrfFor = (reply: FastifyReply): string => {
    const known = tokens.get(reply);
    if (known !== undefined) return known;
    const token = csrfToken(reply);
    tokens.set(reply, token);
    return token;
  };

  const send = (
    reply: FastifyReply,
    request: FastifyRequest,
    page: { title: string; body: SafeHtml; current?: ConsoleSection; status?: number },
  ) => {
    // The frame's one form is the signed-in operator's sign-out. A request refused before its
    // cookies were read (the admin port's guard) has no operator, and needs no token.
    const operator = operators.get(request);
    return reply
      .status(page.status ?? 200)
      .headers(pageHeaders())
      .type('text/html; charset=utf-8')
      .send(
        consolePage({
          title: page.title,
          body: page.body,
          open,
          operator,
          csrf: operator === undefined ? undefined : csrfFor(reply),
          current: page.current,
        }),
      );
  };

  async function viewOf(client: Client): Promise<ApplicationView> {
    const json = toClientJson(client);
    if (!client.developer_account_id) return { client: json };
    const account = await gh.login.accounts.find(client.developer_account_id);
    return account
      ? { client: json, developer: { id: account.id, email: account.email, phone: account.phone } }
      : { client: json, developerMissing: true };
  }

  async function peopleIn(entries: AuditEntry[]): Promise<People> {
    const found = await Promise.all(accountIdsIn(entries).map((id) => gh.login.accounts.find(id)));
    const people = new Map<string, string>();
    for (const account of found) {
      const address = account?.email ?? account?.phone;
      if (account && address) people.set(account.id, address);
    }
    return people;
  }

  async function showClient(
    request: FastifyRequest,
    reply: FastifyReply,
    client: Client,
    extra: { flash?: { text: string; kind: 'info' | 'error' }; errors?: ActionErrors; status?: number } = {},
  ) {
    const [app, history] = await Promise.all([
      viewOf(client),
      gh.audit.list({ targetType: 'client', targetId: client.id, limit: 20 }),
    ]);
    const body = applicationPage({
      csrf: csrfFor(reply),
      app,
      describe,
      history,
      people: await peopleIn(history),
      flash: extra.flash,
      errors: extra.errors ?? {},
    });
    return send(reply, request, {
      title: client.name || client.id,
      body,
      current: 'clients',
      ...(extra.status ? { status: extra.status } : {}),
    });
  }

  async function flashFor(done: string | undefined, clientId: string | undefined): Promise<string | undefined> {
    const message = done && Object.hasOwn(FLASHES, done) ? FLASHES[done] : undefined;
    if (!message || !clientId) return undefined;
    const client = await gh.clientStore.find(clientId);
    return client ? message(client.name || client.id, client) : undefined;
  }

  const doneHref = (from: string | undefined, id: string, done: string) =>
    from === 'queue' ? withQuery('/admin/ui', { done, client: id }) : withQuery(clientHref(id), { done });

  const clientIdOf = (value: string | undefined): string => {
    if (!value) throw invalidRequest('The form names no application.');
    return value;
  };

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

    const showLogin = (
      request: FastifyRequest,
      reply: FastifyReply,
      model: { operator: string; next: string; errors: Parameters<typeof consoleLoginPage>[0]['errors']; flash?: string },
      status = 200,
    ) =>
      send(reply, request, {
        title: 'Sign in',
        body: consoleLoginPage({ csrf: csrfFor(reply), open, tokenFile: options.adminTokenFile, ...model }),
        status,
      });

    scope.get('/admin/ui/login', async (request, reply) => {
      const query = queryOf(request);
      const next = safeNext(query.get('next'));
      if (await sessions.read(signedCookie(request, CONSOLE_COOKIE))) return reply.redirect(next, 303);
      const flash = query.get('done') === 'signed-out' ? 'You are signed out of the console.' : undefined;
      return showLogin(request, reply, { operator: '', next, errors: {}, ...(flash ? { flash } : {}) });
    });

    scope.post('/admin/ui/login', csrf, async (request, reply) => {
      const form = formOf(request);
      const operator = (form.get('operator') ?? '').trim();
      const next = safeNext(form.get('next'));
      const nameProblem = operatorNameProblem(operator);
      if (adminToken !== undefined) {
        const limits = [
          await gh.login.limiter.hit(`console-login:${clientNetwork(gh, request)}`, LOGIN_ATTEMPTS, LOGIN_WINDOW_SECONDS),
          await gh.login.limiter.hit('console-login:*', LOGIN_ATTEMPTS_ALL, LOGIN_WINDOW_SECONDS),
        ];
        const refused = limits.find((limit) => !limit.allowed);
        if (refused) {
          reply.header('Retry-After', String(refused.retryAfterSeconds));
          const minutes = Math.ceil(refused.retryAfterSeconds / 60);
          const form = `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or use the admin API with the token.`;
          return showLogin(request, reply, { operator, next, errors: { form } }, 429);
        }
        const token = form.get('token') ?? '';
        if (!safeEqual(token, adminToken)) {
          // The typed name is unproven here: recorded as a claim, not as the actor.
          if (token) {
            identify(request.actor, 'anonymous');
            await gh.events.emit({ type: 'console.sign_in_failed', claimed: operator.slice(0, 100) }, request.actor);
          }
          const errors = { token: token ? 'That is not the admin token.' : 'Enter the admin token.', operator: nameProblem };
          return showLogin(request, reply, { operator, next, errors }, 401);
        }
      }
      if (nameProblem) return showLogin(request, reply, { operator, next, errors: { operator: nameProblem } }, 400);
      identify(request.actor, 'operator', operator);
      await gh.events.emit({ type: 'console.signed_in', operator }, request.actor);
      reply.setCookie(CONSOLE_COOKIE, await sessions.issue(operator), {
        path: '/admin',
        httpOnly: true,
        sameSite: 'strict',
        // The admin port may be plain HTTP on loopback while the issuer is https: follow the request.
        secure: 'auto',
        signed: true,
        maxAge: CONSOLE_SESSION_SECONDS,
      });
      return reply.redirect(next, 303);
    });

    await scope.register(async (guarded) => {
      guarded.addHook('onRequest', async (request, reply) => {
        const session = await sessions.read(signedCookie(request, CONSOLE_COOKIE));
        if (!session) {
          const next = request.method === 'GET' ? safeNext(request.url) : '/admin/ui';
          await reply.redirect(withQuery('/admin/ui/login', { next: next === '/admin/ui' ? undefined : next }), 303);
          return reply;
        }
        operators.set(request, session.operator);
      });
      // A refused request (unknown client, bad filter…) keeps the console's frame; anything else,
      // CSRF failures and server errors included, goes to the admin app's one error handler.
      guarded.setErrorHandler((error, request, reply) => {
        if (!(error instanceof GatehouseError) || error.status >= 500) throw error;
        if (error.debug) request.log.info({ error: error.error, debug: error.debug }, 'request refused');
        return send(reply, request, {
          title: 'That did not work',
          body: consoleErrorPage(error.error, error.description),
          status: error.status,
        });
      });
      // After the admin app has opened the request's actor context (a preHandler): name the operator.
      guarded.addHook('preHandler', async (request) => {
        identify(request.actor, 'operator', operators.get(request) as string);
      });

      guarded.post('/admin/ui/logout', csrf, async (request, reply) => {
        await sessions.end(signedCookie(request, CONSOLE_COOKIE));
        reply.clearCookie(CONSOLE_COOKIE, { path: '/admin', httpOnly: true, sameSite: 'strict', secure: 'auto', signed: true });
        return reply.redirect('/admin/ui/login?done=signed-out', 303);
      });

      const queue = async (request: FastifyRequest, reply: FastifyReply) => {
        const query = queryOf(request);
        // A queue: who has waited longest comes first (ordered by the query).
        const [pending, changes] = await Promise.all([
          gh.clients.list({ status: 'pending', oldestFirst: true, limit: QUEUE_LIMIT + 1 }),
          gh.clients.list({ status: 'approved', withPendingChanges: true, oldestFirst: true, limit: QUEUE_LIMIT }),
        ]);
        const body = queuePage({
          csrf: csrfFor(reply),
          pending: await Promise.all(pending.slice(0, QUEUE_LIMIT).map(viewOf)),
          changes: await Promise.all(changes.map(viewOf)),
          more: pending.length > QUEUE_LIMIT,
          describe,
          flash: await flashFor(query.get('done'), query.get('client')),
        });
        return send(reply, request, { title: 'Pending queue', body, current: 'queue' });
      };
      guarded.get('/admin/ui', queue);
      guarded.get('/admin/ui/', queue);

      guarded.get('/admin/ui/clients', async (request, reply) => {
        const query = queryOf(request);
        const q = (query.get('q') ?? '').trim().slice(0, 200);
        const status = query.get('status') ?? '';
        if (status && !(CLIENT_STATUSES as readonly string[]).includes(status)) {
          throw invalidRequest(`There is no status "${status}"; use one of ${CLIENT_STATUSES.join(', ')}.`);
        }
        const after = query.get('after');
        const found = await gh.clients.list({
          limit: PAGE_SIZE + 1,
          ...(q ? { q } : {}),
          ...(status ? { status } : {}),
          ...(after ? { after } : {}),
        });
        const clients: ClientJson[] = found.slice(0, PAGE_SIZE).map(toClientJson);
        const body = clientListPage({
          q,
          status,
          statuses: CLIENT_STATUSES,
          clients,
          next: found.length > PAGE_SIZE ? clients.at(-1)?.client_id : undefined,
          paged: after !== undefined,
        });
        return send(reply, request, { title: 'All applications', body, current: 'clients' });
      });

      const detail = async (request: FastifyRequest, reply: FastifyReply, id: string) => {
        const query = queryOf(request);
        const client = await gh.clients.get(id);
        const text = await flashFor(query.get('done'), id);
        return showClient(request, reply, client, text ? { flash: { text, kind: 'info' } } : {});
      };
      guarded.get<{ Params: { id: string } }>('/admin/ui/clients/:id', (request, reply) =>
        detail(request, reply, request.params.id),
      );
      // For the ids "." and "..", which no browser keeps in a path.
      guarded.get('/admin/ui/client', (request, reply) => detail(request, reply, clientIdOf(queryOf(request).get('id'))));

      guarded.post('/admin/ui/decide', csrf, async (request, reply) => {
        const form = formOf(request);
        const id = clientIdOf(form.get('client_id'));
        const action = form.get('action') ?? '';
        const rule = Object.hasOwn(DECISIONS, action) ? DECISIONS[action] : undefined;
        if (!rule) throw invalidRequest('Choose approve, reject, suspend or reinstate.');
        const client = await gh.clients.get(id);
        const reason = (form.get('reason') ?? '').trim();
        if (!rule.from.includes(client.status)) {
          // Another operator (or another tab) decided first: show what is true now.
          const text = `This application is ${client.status} now, so “${action}” does not apply; nothing was changed.`;
          return showClient(request, reply, client, { flash: { text, kind: 'error' }, status: 409 });
        }
        const problem =
          rule.reasonRequired && !reason
            ? `Give a reason to ${action} the application: it is kept with its status and in the audit log.`
            : reason.length > MAX_REASON
              ? `Keep the reason under ${MAX_REASON} characters.`
              : undefined;
        if (problem) {
          const errors = { reason: { action, message: problem, typed: reason } };
          return showClient(request, reply, client, { errors, status: 400 });
        }
        await gh.clients.setStatus(request.actor, id, rule.to, reason || undefined);
        return reply.redirect(doneHref(form.get('from'), id, rule.done), 303);
      });

      guarded.post('/admin/ui/changes', csrf, async (request, reply) => {
        const form = formOf(request);
        const id = clientIdOf(form.get('client_id'));
        const decision = form.get('decision');
        if (decision !== 'approve' && decision !== 'reject') throw invalidRequest('Choose to approve or reject the change.');
        const client = await gh.clients.get(id);
        if (!client.pending_changes) {
          const text = 'This application has no change waiting for review any more; nothing was changed.';
          return showClient(request, reply, client, { flash: { text, kind: 'error' }, status: 409 });
        }
        const reason = (form.get('reason') ?? '').trim();
        const problem =
          decision === 'reject' && !reason
            ? 'Give a reason to reject the change: it is kept in the audit log.'
            : reason.length > MAX_REASON
              ? `Keep the reason under ${MAX_REASON} characters.`
              : undefined;
        if (problem) {
          const errors = { reason: { action: 'reject-change', message: problem, typed: reason } };
          return showClient(request, reply, client, { errors, status: 400 });
        }
        await gh.clients.decideChanges(request.actor, id, decision, reason || undefined);
        return reply.redirect(doneHref(form.get('from'), id, `change-${decision}d`), 303);
      });

      guarded.get('/admin/ui/audit', async (request, reply) => {
        const query = queryOf(request);
        const action = (query.get('action') ?? '').trim();
        const target = (query.get('target') ?? '').trim();
        const actor = (query.get('actor') ?? '').trim();
        const before = query.get('before');
        if (before !== undefined && !/^\d{1,18}$/.test(before)) throw invalidRequest('The page link is malformed.');
        const actionOk = action === '' || /^[A-Za-z0-9_.]{1,100}$/.test(action);
        // "client" means the family "client."; a dotted name is exact unless it ends with the dot.
        const actionFilter = action === '' || !actionOk ? undefined : action.includes('.') ? action : `${action}.`;
        const entries = actionOk
          ? await gh.audit.list({
              limit: PAGE_SIZE + 1,
              ...(before ? { before } : {}),
              ...(actionFilter ? { action: actionFilter } : {}),
              ...(target ? { targetId: target } : {}),
              ...(actor ? { actorId: actor } : {}),
            })
          : [];
        const page = entries.slice(0, PAGE_SIZE);
        const body = auditPage({
          entries: page,
          people: await peopleIn(page),
          action,
          target,
          actor,
          next: entries.length > PAGE_SIZE ? page.at(-1)?.id : undefined,
          paged: before !== undefined,
          error: actionOk ? undefined : 'An action is made of letters, digits, "_" and ".", such as client.status_changed.',
        });
        return send(reply, request, { title: 'Audit log', body, current: 'audit' });
      });

      // A mistyped console address is a page, not the JSON API's answer.
      guarded.all('/admin/ui/*', async (request) => {
        throw notFound(`The console has no page at ${request.url.split('?')[0]}.`);
      });
    });
  });
}
