/**
 * The developer portal (/ui/developers): a developer signs in with Gatehouse itself, registers
 * applications, follows their review, collects the client secret once, rotates it, edits and
 * deletes. Thin routes over DeveloperApplications (src/clients/developer-applications.ts, the
 * portal's rules) and the Clients service; the pages are in src/ui/pages/developers.ts.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientTypeOf, emptyApplication, valuesOf } from '../../clients/application-form.js';
import { type ClientJson, toClientJson } from '../../clients/clients.js';
import { DeveloperApplications, type FormRefusal } from '../../clients/developer-applications.js';
import type { Client } from '../../db/schema.js';
import { GatehouseError } from '../../errors.js';
import type { Gatehouse } from '../../gatehouse.js';
import { html, type SafeHtml } from '../../ui/html.js';
import { applicationFormPage } from '../../ui/pages/application-form.js';
import {
  applicationPage,
  applicationsPage,
  type ConfirmModel,
  confirmPage,
  noApplicationPage,
  type PortalFrame,
  portalSignedOutPage,
  type ScopeLine,
  secretPage,
} from '../../ui/pages/developers.js';
import { clientNetwork } from '../client-network.js';
import { type Developer, developerSessions, PORTAL_PATH } from './developer-session.js';
import { csrfToken, formOf, limitByAddress, queryOf, sendPage } from './ui-support.js';

const appPath = (id: string) => `${PORTAL_PATH}/apps/${encodeURIComponent(id)}`;

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

/** A request about one of the developer's own applications, once both are known. */
interface Own {
  request: FastifyRequest;
  reply: FastifyReply;
  developer: Developer;
  client: Client;
}

export async function developerPortalRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const config = { htmlErrors: true };
  const csrf = { preHandler: app.csrfProtection };
  const sessions = developerSessions(gh);
  const apps = new DeveloperApplications({ clients: gh.clients, limits: gh.registrationLimits, scopes: gh.scopes });

  const frame = (reply: FastifyReply, developer: Developer): PortalFrame => ({ csrf: csrfToken(reply), who: developer.who });
  const scopeLines = (names: readonly string[]): ScopeLine[] =>
    names.map((name) => ({ name, description: gh.scopes.get(name)?.description ?? '' }));
  const tokenEndpoint = `${gh.config.issuer}/oauth2/token`;
  const page = (reply: FastifyReply, developer: Developer, body: (f: PortalFrame) => SafeHtml, title: string, status = 200) =>
    sendPage(reply, body(frame(reply, developer)), { title, wide: true, status });

  /** The developer's application, or a 404 page inside the portal (another developer's looks the same as none). */
  async function ownApplication(reply: FastifyReply, developer: Developer, id: string): Promise<Client | undefined> {
    try {
      return await gh.clients.getForDeveloper(developer.account.id, id);
    } catch (err) {
      if (!(err instanceof GatehouseError) || err.error !== 'not_found') throw err;
      await page(reply, developer, (f) => noApplicationPage(f, id), 'No such application', 404);
      return undefined;
    }
  }

  /**
   * A route about one of the developer's applications: counted against the address's limit
   * for `bucket` (the portal's writes), signed in, and the application theirs.
   */
  const own =
    (bucket: string | undefined, handler: (own: Own) => Promise<unknown>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      if (bucket) await limitByAddress(gh, request, `developers-${bucket}`);
      const developer = await sessions.requireDeveloper(request, reply);
      if (!developer) return reply;
      const client = await ownApplication(reply, developer, (request.params as { id: string }).id);
      if (!client) return reply;
      return handler({ request, reply, developer, client });
    };

  function showForm(
    reply: FastifyReply,
    developer: Developer,
    client: ClientJson | undefined,
    form: Omit<FormRefusal, 'status'> & { status?: number },
  ) {
    if (form.retryAfterSeconds !== undefined) reply.header('Retry-After', String(form.retryAfterSeconds));
    const model = {
      mode: client ? ('edit' as const) : ('register' as const),
      client,
      values: form.values,
      errors: form.errors,
      message: form.message,
      scopes: scopeLines(gh.scopes.names()),
      fixedClientType: client ? apps.fixedClientType(client) : undefined,
    };
    const title = client ? `Edit ${client.client_name}` : 'Register an application';
    return page(reply, developer, (f) => applicationFormPage(f, model), title, form.status ?? 200);
  }

  /** A confirmation step: the same POST again, with confirm=yes. */
  const confirm = (own: Own, action: string, m: Omit<ConfirmModel, 'action' | 'cancel'>) =>
    page(
      own.reply,
      own.developer,
      (f) => confirmPage(f, { ...m, action: `${appPath(own.client.id)}/${action}`, cancel: appPath(own.client.id) }),
      m.title,
    );
  const confirmed = (request: FastifyRequest) => formOf(request).get('confirm') === 'yes';

  const showSecret = (own: Own, client: ClientJson, secret: string, rotated: boolean) =>
    page(
      own.reply,
      own.developer,
      (f) => secretPage(f, { client, secret, rotated, tokenEndpoint }),
      rotated ? 'Your new client secret' : 'Your client secret',
    );

  app.get(PORTAL_PATH, { config }, async (request, reply) => {
    const developer = await sessions.requireDeveloper(request, reply);
    if (!developer) return reply;
    const list = await gh.clients.listForDeveloper(developer.account.id);
    const flash = LIST_FLASH.get(queryOf(request).get('done') ?? '');
    return page(reply, developer, (f) => applicationsPage(f, { apps: list.map(toClientJson), flash }), 'Your applications');
  });

  app.get(`${PORTAL_PATH}/callback`, { config }, async (request, reply) => {
    await limitByAddress(gh, request, 'developers-sign-in');
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
    return showForm(reply, developer, undefined, { values, errors: {} });
  });

  app.post(`${PORTAL_PATH}/apps`, { config, ...csrf }, async (request, reply) => {
    await limitByAddress(gh, request, 'developers-register');
    const developer = await sessions.requireDeveloper(request, reply);
    if (!developer) return reply;
    const address = clientNetwork(gh, request);
    const result = await apps.register(request.actor, developer.account.id, address, request.body);
    if ('refused' in result) return showForm(reply, developer, undefined, result.refused);
    return reply.redirect(`${appPath(result.client.client_id)}?done=registered`, 303);
  });

  app.get(
    `${PORTAL_PATH}/apps/:id`,
    { config },
    own(undefined, async ({ request, reply, developer, client }) => {
      const pendingScope = client.pending_changes?.scope;
      const model = {
        client: toClientJson(client),
        clientType: clientTypeOf(client),
        secret: apps.secretState(client),
        scopes: scopeLines(client.scope ? client.scope.split(' ') : []),
        pendingScopes: pendingScope === undefined ? undefined : scopeLines(pendingScope ? pendingScope.split(' ') : []),
        flash: APP_FLASH.get(queryOf(request).get('done') ?? ''),
      };
      return page(reply, developer, (f) => applicationPage(f, model), client.name || client.id);
    }),
  );

  app.get(
    `${PORTAL_PATH}/apps/:id/edit`,
    { config },
    own(undefined, async ({ reply, developer, client }) =>
      showForm(reply, developer, toClientJson(client), { values: valuesOf(client), errors: {} }),
    ),
  );

  app.post(
    `${PORTAL_PATH}/apps/:id/edit`,
    { config, ...csrf },
    own('edit', async ({ request, reply, developer, client }) => {
      const result = await apps.edit(request.actor, developer.account.id, client, request.body);
      if ('refused' in result) return showForm(reply, developer, toClientJson(client), result.refused);
      return reply.redirect(`${appPath(client.id)}?done=${result.done}`, 303);
    }),
  );

  app.post(
    `${PORTAL_PATH}/apps/:id/secret`,
    { config, ...csrf },
    own('secret', async (mine) => {
      const secret = await gh.clients.revealSecret(mine.developer.account.id, mine.client.id);
      if (secret === undefined) return mine.reply.redirect(`${appPath(mine.client.id)}?done=secret-gone`, 303);
      return showSecret(mine, toClientJson(mine.client), secret, false);
    }),
  );

  app.post(
    `${PORTAL_PATH}/apps/:id/rotate`,
    { config, ...csrf },
    own('secret', async (mine) => {
      apps.checkRotatable(mine.client);
      if (!confirmed(mine.request)) {
        return confirm(mine, 'rotate', {
          title: 'Rotate the client secret?',
          text: html`A new secret for <strong>${mine.client.name || mine.client.id}</strong> is shown once. The current secret stops working at once, so your servers need the new one straight away. Tokens already issued keep working until they expire.`,
          button: 'Rotate the secret',
        });
      }
      const rotated = await apps.rotate(mine.request.actor, mine.client);
      return showSecret(mine, rotated, rotated.client_secret as string, true);
    }),
  );

  app.post(
    `${PORTAL_PATH}/apps/:id/delete`,
    { config, ...csrf },
    own('edit', async (mine) => {
      if (!confirmed(mine.request)) {
        return confirm(mine, 'delete', {
          title: 'Delete this application?',
          text: html`<strong>${mine.client.name || mine.client.id}</strong> stops working at once: nobody can sign in to it any more, and every token it holds is revoked. This cannot be undone.`,
          button: 'Delete the application',
          danger: true,
        });
      }
      await gh.clients.removeForDeveloper(mine.request.actor, mine.developer.account.id, mine.client.id);
      return mine.reply.redirect(`${PORTAL_PATH}?done=deleted`, 303);
    }),
  );
}
