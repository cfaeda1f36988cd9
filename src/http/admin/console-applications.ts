/**
 * The console's application pages: the review queue, every client with search, one
 * application, and the decisions taken on them. Each route reads the request, calls one
 * service (ConsoleViews to show, Clients to decide, which keeps review.ts's rule) and renders.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CLIENT_STATUSES } from '../../clients/metadata.js';
import {
  CHANGE_DECISIONS,
  DECISIONS,
  type DecisionRule,
  parseChangeDecision,
  parseDecision,
  reasonOf,
} from '../../clients/review.js';
import { GatehouseError } from '../../errors.js';
import { invalidRequest } from '../../oauth/errors.js';
import { clientHref, withQuery } from '../../ui/pages/console.js';
import { applicationPage, clientListPage, queuePage } from '../../ui/pages/console-applications.js';
import type { ActionErrors } from '../../ui/pages/console-decisions.js';
import { formOf, queryOf } from '../ui/ui-support.js';
import type { ConsoleArea, ConsoleFrame } from './console-frame.js';

type Flash = { text: string; kind: 'info' | 'error' };

const clientIdOf = (value: string | undefined): string => {
  if (!value) throw invalidRequest('The form names no application.');
  return value;
};

/** Back where the decision was taken: the queue, or the application's page, with what was done. */
const doneHref = (from: string | undefined, id: string, done: string) =>
  from === 'queue' ? withQuery('/admin/ui', { done, client: id }) : withQuery(clientHref(id), { done });

async function showApplication(
  frame: ConsoleFrame,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  extra: { flash?: Flash | undefined; errors?: ActionErrors; status?: number } = {},
) {
  const { app, history, people } = await frame.views.application(id);
  const body = applicationPage({
    csrf: frame.csrf(reply),
    app,
    describe: frame.describe,
    history,
    people,
    flash: extra.flash,
    errors: extra.errors ?? {},
  });
  const title = app.client.client_name || app.client.client_id;
  return frame.send(reply, request, { title, body, current: 'clients', ...(extra.status ? { status: extra.status } : {}) });
}

/**
 * A decision the review refused, shown on the application's page: a decision that no longer
 * applies (409) as a notice of what is true now, a missing or long reason (400) at its box.
 */
function showRefusal(
  err: unknown,
  frame: ConsoleFrame,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  action: string,
) {
  if (!(err instanceof GatehouseError) || (err.error !== 'conflict' && err.error !== 'invalid_request')) throw err;
  if (err.error === 'conflict') {
    return showApplication(frame, request, reply, id, { flash: { text: err.description, kind: 'error' }, status: 409 });
  }
  const typed = (formOf(request).get('reason') ?? '').trim();
  const errors = { reason: { action, message: err.description, typed } };
  return showApplication(frame, request, reply, id, { errors, status: 400 });
}

export const applicationRoutes: ConsoleArea = (guarded, frame, csrf) => {
  const queue = async (request: FastifyRequest, reply: FastifyReply) => {
    const query = queryOf(request);
    const [waiting, flash] = await Promise.all([frame.views.queue(), frame.views.flash(query.get('done'), query.get('client'))]);
    const body = queuePage({ csrf: frame.csrf(reply), ...waiting, describe: frame.describe, flash });
    return frame.send(reply, request, { title: 'Pending queue', body, current: 'queue' });
  };
  guarded.get('/admin/ui', queue);
  guarded.get('/admin/ui/', queue);

  guarded.get('/admin/ui/clients', async (request, reply) => {
    const query = queryOf(request);
    const q = (query.get('q') ?? '').trim().slice(0, 200);
    const status = query.get('status') ?? '';
    const after = query.get('after');
    const found = await frame.views.search({ q, status, after });
    const body = clientListPage({ q, status, statuses: CLIENT_STATUSES, ...found, paged: after !== undefined });
    return frame.send(reply, request, { title: 'All applications', body, current: 'clients' });
  });

  const detail = async (request: FastifyRequest, reply: FastifyReply, id: string) => {
    const text = await frame.views.flash(queryOf(request).get('done'), id);
    return showApplication(frame, request, reply, id, text ? { flash: { text, kind: 'info' } } : {});
  };
  guarded.get<{ Params: { id: string } }>('/admin/ui/clients/:id', (request, reply) => detail(request, reply, request.params.id));
  // For the ids "." and "..", which no browser keeps in a path.
  guarded.get('/admin/ui/client', (request, reply) => detail(request, reply, clientIdOf(queryOf(request).get('id'))));

  /**
   * A decision form: which decision, on which client, with which reason; taken by the Clients
   * service, which keeps review.ts's rule; back where it was taken, or the refusal shown.
   */
  const decisionRoute =
    <D extends string>(d: {
      field: string;
      parse: (value: string | undefined) => D;
      take: (actor: FastifyRequest['actor'], id: string, decision: D, reason: string | undefined) => Promise<unknown>;
      done: (decision: D) => string;
      /** Which reason box a refusal is shown at. */
      box: (decision: D) => string;
    }) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const form = formOf(request);
      const id = clientIdOf(form.get('client_id'));
      const decision = d.parse(form.get(d.field));
      try {
        await d.take(request.actor, id, decision, reasonOf(form.get('reason')));
      } catch (err) {
        return showRefusal(err, frame, request, reply, id, d.box(decision));
      }
      return reply.redirect(doneHref(form.get('from'), id, d.done(decision)), 303);
    };

  const clients = frame.gh.clients;
  guarded.post(
    '/admin/ui/decide',
    csrf,
    decisionRoute({
      field: 'action',
      parse: parseDecision,
      take: (actor, id, decision, reason) => clients.decide(actor, id, decision, reason),
      done: (decision) => (DECISIONS.get(decision) as DecisionRule).done,
      box: (decision) => decision,
    }),
  );
  guarded.post(
    '/admin/ui/changes',
    csrf,
    decisionRoute({
      field: 'decision',
      parse: parseChangeDecision,
      take: (actor, id, decision, reason) => clients.decideChanges(actor, id, decision, reason),
      done: (decision) => CHANGE_DECISIONS.get(decision)?.done as string,
      box: () => 'reject-change',
    }),
  );
};
