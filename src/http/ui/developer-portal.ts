/**
 * The developer portal (/ui/developers): a developer signs in with Gatehouse itself, registers
 * applications, follows their review, collects the client secret once, rotates it, edits and
 * deletes. Thin routes over the Clients service; the pages are in src/ui/pages/developers.ts.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type ApplicationErrors,
  type ApplicationValues,
  clientTypeOf,
  emptyApplication,
  fieldOfRefusal,
  PORTAL_GRANTS,
  readApplicationForm,
  valuesOf,
} from '../../clients/application-form.js';
import { type ClientJson, toClientJson } from '../../clients/clients.js';
import type { Client } from '../../db/schema.js';
import { GatehouseError } from '../../errors.js';
import type { Gatehouse } from '../../gatehouse.js';
import { OAuthError } from '../../oauth/errors.js';
import { html } from '../../ui/html.js';
import { applicationFormPage } from '../../ui/pages/application-form.js';
import {
  applicationPage,
  applicationsPage,
  confirmPage,
  noApplicationPage,
  type PortalFrame,
  portalSignedOutPage,
  type ScopeLine,
  type SecretState,
  secretPage,
} from '../../ui/pages/developers.js';
import { clientNetwork } from '../client-network.js';
import { type Developer, developerSessions, PORTAL_PATH } from './developer-session.js';
import { csrfToken, formOf, limitByAddress, queryOf, sendPage } from './ui-support.js';

const appPath = (id: string) => `${PORTAL_PATH}/apps/${encodeURIComponent(id)}`;

/** Refusals of the Clients service that are the developer's to fix on the form. */
const FORM_ERRORS = new Set(['invalid_client_metadata', 'invalid_redirect_uri', 'invalid_scope', 'invalid_request']);

// Maps, not object literals: the key is ?done= from the URL, and `?done=constructor` must find nothing.
const LIST_FLASH: ReadonlyMap<string, string> = new Map([
  ['deleted', 'The application is deleted. Its client ID and tokens no longer work.'],
]);

const APP_FLASH: ReadonlyMap<string, string> = new Map([
  ['registered', 'Registered. The application waits for an operator’s review; you will see its status here.'],
  ['updated', 'Saved.'],
  [
    'held',
    'Saved. Your changes to redirect URIs or scopes wait for an operator’s review; the application keeps working with its current settings meanwhile.',
  ],
  ['resubmitted', 'Saved and sent back for review.'],
  ['secret-gone', 'The client secret was already shown once. If you did not keep it, rotate it to get a new one.'],
]);

export async function developerPortalRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const config = { htmlErrors: true };
  const csrf = { preHandler: app.csrfProtection };
  const sessions = developerSessions(gh);

  const frame = (reply: FastifyReply, developer: Developer): PortalFrame => ({ csrf: csrfToken(reply), who: developer.who });
  const scopeLines = (names: readonly string[]): ScopeLine[] =>
    names.map((name) => ({ name, description: gh.scopes.get(name)?.description ?? '' }));
  const params = (request: FastifyRequest) => request.params as { id: string };
  // A per-address ceiling on the portal's writes (registrations, edits, secrets), as on every form.
  const limit = (request: FastifyRequest, bucket: string) => limitByAddress(gh, request, `developers-${bucket}`);

  /** The developer's application, or a 404 page inside the portal (another developer's looks the same as none). */
  async function ownApplication(reply: FastifyReply, developer: Developer, id: string): Promise<Client | undefined> {
    try {
      return await gh.clients.getForDeveloper(developer.account.id, id);
    } catch (err) {
      if (!(err instanceof GatehouseError) || err.error !== 'not_found') throw err;
      await sendPage(reply, noApplicationPage(frame(reply, developer), id), {
        title: 'No such application',
        wide: true,
        status: 404,
      });
      return undefined;
    }
  }

  function showForm(
    reply: FastifyReply,
    developer: Developer,
    m: { client?: ClientJson; values: ApplicationValues; errors: ApplicationErrors; message?: string; status?: number },
  ) {
    const fixed = m.client?.status === 'approved' ? clientTypeOf(m.client) : undefined;
    return sendPage(
      reply,
      applicationFormPage(frame(reply, developer), {
        mode: m.client ? 'edit' : 'register',
        client: m.client,
        values: m.values,
        errors: m.errors,
        message: m.message,
        scopes: scopeLines(gh.scopes.names()),
        fixedClientType: fixed,
      }),
      { title: m.client ? `Edit ${m.client.client_name}` : 'Register an application', wide: true, status: m.status ?? 200 },
    );
  }

  /** A refusal of the service shown on the form (next to its field when it names one), or rethrown. */
  function refusal(err: unknown): { errors: ApplicationErrors; message?: string } {
    if (!(err instanceof GatehouseError) || !FORM_ERRORS.has(err.error)) throw err;
    const field = fieldOfRefusal(err);
    return field ? { errors: { [field]: err.description } } : { errors: {}, message: err.description };
  }

  const secretState = (client: Client): SecretState =>
    client.token_endpoint_auth_method === 'none'
      ? 'public'
      : client.unrevealed_secret !== null
        ? 'ready'
        : client.secret_hash === null
          ? 'on_approval'
          : 'hidden';

  app.get(PORTAL_PATH, { config }, async (request, reply) => {
    const developer = await sessions.requireDeveloper(request, reply);
    if (!developer) return reply;
    const apps = await gh.clients.listForDeveloper(developer.account.id);
    return sendPage(
      reply,
      applicationsPage(frame(reply, developer), {
        apps: apps.map(toClientJson),
        flash: LIST_FLASH.get(queryOf(request).get('done') ?? ''),
      }),
      { title: 'Your applications', wide: true },
    );
  });

  app.get(`${PORTAL_PATH}/callback`, { config }, async (request, reply) => {
    await limit(request, 'sign-in');
    return sessions.finishSignIn(request, reply);
  });

  app.post(`${PORTAL_PATH}/signout`, { config, ...csrf }, async (request, reply) => {
    const developer = await sessions.current(request);
    if (developer) await sessions.signOut(reply, developer);
    return sendPage(reply, portalSignedOutPage(), { title: 'Signed out of the developer portal' });
  });

  app.get(`${PORTAL_PATH}/apps/new`, { config }, async (request, reply) => {
    const developer = await sessions.requireDeveloper(request, reply);
    if (!developer) return reply;
    // The account's own address is the likely contact; the developer can change it.
    const values = { ...emptyApplication(), contact: developer.account.email ?? '' };
    return showForm(reply, developer, { values, errors: {} });
  });

  app.post(`${PORTAL_PATH}/apps`, { config, ...csrf }, async (request, reply) => {
    await limit(request, 'register');
    const developer = await sessions.requireDeveloper(request, reply);
    if (!developer) return reply;
    const form = readApplicationForm(request.body, { scopes: gh.scopes });
    if (!form.input) return showForm(reply, developer, { values: form.values, errors: form.errors, status: 400 });
    // Each registration waits in the operators' queue: so many per account and per address.
    try {
      await gh.registrationLimits.admit({ developerAccount: developer.account.id }, clientNetwork(gh, request));
    } catch (err) {
      if (!(err instanceof GatehouseError) || err.status !== 429) throw err;
      // The form again, as typed, with the reason: nothing is lost by waiting.
      reply.header('Retry-After', String(err.retryAfterSeconds));
      return showForm(reply, developer, { values: form.values, errors: {}, message: err.description, status: 429 });
    }
    let created: ClientJson;
    try {
      created = await gh.clients.registerForDeveloper(request.actor, developer.account.id, { ...form.input, ...PORTAL_GRANTS });
    } catch (err) {
      return showForm(reply, developer, { values: form.values, ...refusal(err), status: 400 });
    }
    return reply.redirect(`${appPath(created.client_id)}?done=registered`, 303);
  });

  app.get(`${PORTAL_PATH}/apps/:id`, { config }, async (request, reply) => {
    const developer = await sessions.requireDeveloper(request, reply);
    if (!developer) return reply;
    const client = await ownApplication(reply, developer, params(request).id);
    if (!client) return reply;
    const pendingScope = client.pending_changes?.scope;
    return sendPage(
      reply,
      applicationPage(frame(reply, developer), {
        client: toClientJson(client),
        clientType: clientTypeOf(client),
        secret: secretState(client),
        scopes: scopeLines(client.scope ? client.scope.split(' ') : []),
        pendingScopes: pendingScope === undefined ? undefined : scopeLines(pendingScope ? pendingScope.split(' ') : []),
        flash: APP_FLASH.get(queryOf(request).get('done') ?? ''),
      }),
      { title: client.name || client.id, wide: true },
    );
  });

  app.get(`${PORTAL_PATH}/apps/:id/edit`, { config }, async (request, reply) => {
    const developer = await sessions.requireDeveloper(request, reply);
    if (!developer) return reply;
    const client = await ownApplication(reply, developer, params(request).id);
    if (!client) return reply;
    return showForm(reply, developer, { client: toClientJson(client), values: valuesOf(client), errors: {} });
  });

  app.post(`${PORTAL_PATH}/apps/:id/edit`, { config, ...csrf }, async (request, reply) => {
    await limit(request, 'edit');
    const developer = await sessions.requireDeveloper(request, reply);
    if (!developer) return reply;
    const client = await ownApplication(reply, developer, params(request).id);
    if (!client) return reply;
    const current = toClientJson(client);
    const fixed = client.status === 'approved' ? clientTypeOf(client) : undefined;
    const form = readApplicationForm(request.body, { scopes: gh.scopes, clientType: fixed });
    if (!form.input)
      return showForm(reply, developer, { client: current, values: form.values, errors: form.errors, status: 400 });
    // The form edits the first contact; any others an operator added are kept.
    const contact = form.input.contacts?.[0] as string;
    const contacts = [contact, ...client.contacts.slice(1).filter((c) => c !== contact)];
    let updated: ClientJson;
    try {
      updated = await gh.clients.updateForDeveloper(request.actor, developer.account.id, client.id, { ...form.input, contacts });
    } catch (err) {
      return showForm(reply, developer, { client: current, values: form.values, ...refusal(err), status: 400 });
    }
    const done =
      client.status === 'rejected' && updated.status === 'pending' ? 'resubmitted' : updated.pending_changes ? 'held' : 'updated';
    return reply.redirect(`${appPath(client.id)}?done=${done}`, 303);
  });

  app.post(`${PORTAL_PATH}/apps/:id/secret`, { config, ...csrf }, async (request, reply) => {
    await limit(request, 'secret');
    const developer = await sessions.requireDeveloper(request, reply);
    if (!developer) return reply;
    const client = await ownApplication(reply, developer, params(request).id);
    if (!client) return reply;
    const secret = await gh.clients.revealSecret(developer.account.id, client.id);
    if (secret === undefined) return reply.redirect(`${appPath(client.id)}?done=secret-gone`, 303);
    return sendPage(
      reply,
      secretPage(frame(reply, developer), {
        client: toClientJson(client),
        secret,
        rotated: false,
        tokenEndpoint: `${gh.config.issuer}/oauth2/token`,
      }),
      { title: 'Your client secret', wide: true },
    );
  });

  app.post(`${PORTAL_PATH}/apps/:id/rotate`, { config, ...csrf }, async (request, reply) => {
    await limit(request, 'secret');
    const developer = await sessions.requireDeveloper(request, reply);
    if (!developer) return reply;
    const client = await ownApplication(reply, developer, params(request).id);
    if (!client) return reply;
    if (client.token_endpoint_auth_method === 'none') {
      throw new OAuthError('invalid_request', 'A public application has no client secret to rotate.');
    }
    if (client.secret_hash === null) {
      throw new OAuthError(
        'conflict',
        'This application gets its first secret when it is approved; there is none to rotate yet.',
      );
    }
    const name = client.name || client.id;
    if (formOf(request).get('confirm') !== 'yes') {
      return sendPage(
        reply,
        confirmPage(frame(reply, developer), {
          title: 'Rotate the client secret?',
          text: html`A new secret for <strong>${name}</strong> is shown once. The current secret stops working at once, so your servers need the new one straight away. Tokens already issued keep working until they expire.`,
          action: `${appPath(client.id)}/rotate`,
          button: 'Rotate the secret',
          cancel: appPath(client.id),
        }),
        { title: 'Rotate the client secret?', wide: true },
      );
    }
    const rotated = await gh.clients.rotateSecret(request.actor, client.id);
    return sendPage(
      reply,
      secretPage(frame(reply, developer), {
        client: rotated,
        secret: rotated.client_secret as string,
        rotated: true,
        tokenEndpoint: `${gh.config.issuer}/oauth2/token`,
      }),
      { title: 'Your new client secret', wide: true },
    );
  });

  app.post(`${PORTAL_PATH}/apps/:id/delete`, { config, ...csrf }, async (request, reply) => {
    await limit(request, 'edit');
    const developer = await sessions.requireDeveloper(request, reply);
    if (!developer) return reply;
    const client = await ownApplication(reply, developer, params(request).id);
    if (!client) return reply;
    if (formOf(request).get('confirm') !== 'yes') {
      return sendPage(
        reply,
        confirmPage(frame(reply, developer), {
          title: 'Delete this application?',
          text: html`<strong>${client.name || client.id}</strong> stops working at once: nobody can sign in to it any more, and every token it holds is revoked. This cannot be undone.`,
          action: `${appPath(client.id)}/delete`,
          button: 'Delete the application',
          danger: true,
          cancel: appPath(client.id),
        }),
        { title: 'Delete this application?', wide: true },
      );
    }
    await gh.clients.removeForDeveloper(request.actor, developer.account.id, client.id);
    return reply.redirect(`${PORTAL_PATH}?done=deleted`, 303);
  });
}
