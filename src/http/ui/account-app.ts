/**
 * The account page: a signed-in person sees their addresses, turns TOTP 2FA on or off,
 * revokes applications, and ends sessions. The login session cookie is the only credential.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { displayEmail } from '../../accounts/identifiers.js';
import { IDENTITY_KINDS, identityKind } from '../../accounts/linked-identities.js';
import type { SecondFactorCheck, SecondFactorCode } from '../../accounts/second-factor.js';
import { connectorAvailable } from '../../connectors/connectors.js';
import type { Account, LoginSession } from '../../db/schema.js';
import { OAuthError } from '../../errors.js';
import { identify } from '../../events/actor.js';
import { SESSION_COOKIE } from '../../flows/context.js';
import type { Gatehouse } from '../../gatehouse.js';
import { accountPage, type IdentityRow, recoveryCodesPage, totpSetupPage } from '../../ui/pages/account.js';
import { signedOutPage } from '../../ui/pages/messages.js';
import { applyCookies, signedCookie } from '../cookies.js';
import { csrfToken, formOf, limitByAddress, queryOf, sendPage } from './ui-support.js';

/** ?done= after an action; a Map, since the name comes from the URL (`?done=constructor`). */
const FLASHES: ReadonlyMap<string, string> = new Map([
  ['revoked', 'Access removed. The application can no longer use its tokens.'],
  ['2fa-off', 'Two-factor authentication is off.'],
  ['ended', 'That session is signed out.'],
  ['linked', 'Linked. Applications you allow can now see it.'],
  ['unlinked', 'Unlinked. Applications no longer see it.'],
]);
export async function accountAppRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const secure = gh.config.issuer.startsWith('https:');
  const config = { htmlErrors: true };
  const csrf = { preHandler: app.csrfProtection };

  /** The signed-in person, or undefined after sending the browser to sign in. */
  async function signedIn(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ session: LoginSession; account: Account } | undefined> {
    const session = await gh.login.sessions.find(signedCookie(request, SESSION_COOKIE));
    const account = session ? await gh.login.accounts.find(session.subject) : undefined;
    if (!session || !account) {
      await reply.redirect('/ui/login', 303);
      return undefined;
    }
    identify(request.actor, 'account', account.id);
    return { session, account };
  }

  /** Every kind of identity, linked or not; social ones only when their connector is configured. */
  async function identityRows(accountId: string): Promise<IdentityRow[]> {
    const linked = new Map((await gh.identities.list(accountId)).map((i) => [i.kind, i.display_name]));
    return IDENTITY_KINDS.map((k) => ({
      kind: k.kind,
      label: k.label,
      family: k.family,
      linked: linked.get(k.kind),
      available: identityLinkAvailable(gh, k.kind),
    }));
  }

  async function showAccount(
    reply: FastifyReply,
    who: { session: LoginSession; account: Account },
    messages: { flash?: string | undefined; error?: string | undefined } = {},
    status = 200,
  ) {
    const { flash, error } = messages;
    const { account, session } = who;
    const now = new Date(gh.now());
    const [consents, active, sessions] = await Promise.all([
      gh.consentRequests.listSessions(account.id),
      gh.grants.activeClients(account.id, now),
      gh.login.sessions.list(account.id),
    ]);
    // Applications with a remembered consent or a live token: either can be revoked.
    const apps = new Map<string, { clientId: string; name: string; scope: string[] }>();
    for (const c of consents) {
      apps.set(c.consent_request.client.client_id, {
        clientId: c.consent_request.client.client_id,
        name: c.consent_request.client.client_name || c.consent_request.client.client_id,
        scope: c.grant_scope,
      });
    }
    for (const grant of active) {
      if (apps.has(grant.client_id)) continue;
      const client = await gh.clientStore.find(grant.client_id);
      apps.set(grant.client_id, {
        clientId: grant.client_id,
        name: client?.name || grant.client_id,
        scope: grant.scope ? grant.scope.split(' ') : [],
      });
    }
    return sendPage(
      reply,
      accountPage({
        csrf: csrfToken(reply),
        // The person reads their own domain in Unicode when it cannot pass for another one.
        email: account.email === null ? null : displayEmail(account.email),
        phone: account.phone,
        accountId: account.id,
        twoFactor: {
          enabled: gh.login.totp.isEnabled(account),
          recoveryCodesLeft: gh.login.totp.isEnabled(account) ? await gh.login.totp.remainingRecoveryCodes(account.id) : 0,
        },
        apps: [...apps.values()],
        sessions: sessions.map((s) => ({ id: s.id, authenticatedAt: s.authenticated_at, current: s.id === session.id })),
        identities: await identityRows(account.id),
        flash,
        error,
      }),
      { title: 'Your account', wide: true, status },
    );
  }

  app.get('/ui/account', { config }, async (request, reply) => {
    const who = await signedIn(request, reply);
    if (!who) return reply;
    const query = queryOf(request);
    const flash = FLASHES.get(query.get('done') ?? '');
    return showAccount(reply, who, { flash });
  });

  app.post('/ui/account/identities/unlink', { config, ...csrf }, async (request, reply) => {
    const who = await signedIn(request, reply);
    if (!who) return reply;
    const kind = identityKind(formOf(request).get('kind') ?? '');
    if (!kind) return showAccount(reply, who, { error: 'That is not a kind of identity Gatehouse links.' }, 400);
    // Unlinking what is not linked (a second click, another tab) is not an error worth a page.
    await gh.identities.unlink(request.actor, who.account.id, kind.kind).catch((err: unknown) => {
      if (!(err instanceof OAuthError && err.error === 'not_found')) throw err;
    });
    return reply.redirect('/ui/account?done=unlinked', 303);
  });

  app.post('/ui/account/apps/revoke', { config, ...csrf }, async (request, reply) => {
    const who = await signedIn(request, reply);
    if (!who) return reply;
    const clientId = formOf(request).get('client_id');
    if (clientId) await gh.consentRequests.revokeSessions(request.actor, who.account.id, clientId, false);
    return reply.redirect('/ui/account?done=revoked', 303);
  });

  app.post('/ui/account/sessions/revoke', { config, ...csrf }, async (request, reply) => {
    const who = await signedIn(request, reply);
    if (!who) return reply;
    const id = formOf(request).get('session_id');
    if (id) await gh.login.sessions.end(request.actor, who.account.id, id);
    return reply.redirect('/ui/account?done=ended', 303);
  });

  app.post('/ui/account/signout', { config, ...csrf }, async (request, reply) => {
    const who = await signedIn(request, reply);
    if (!who) return reply;
    await gh.login.sessions.end(request.actor, who.account.id, who.session.id);
    applyCookies(reply, [gh.login.sessions.clearCookie()], secure);
    return sendPage(reply, signedOutPage(), { title: 'Signed out' });
  });

  app.get('/ui/account/2fa', { config }, async (request, reply) => {
    const who = await signedIn(request, reply);
    if (!who) return reply;
    if (gh.login.totp.isEnabled(who.account)) return reply.redirect('/ui/account', 303);
    const enrolment = await gh.login.totp.startEnrolment(
      who.account.id,
      who.account.email ?? who.account.phone ?? who.account.id,
    );
    return sendPage(
      reply,
      totpSetupPage({ csrf: csrfToken(reply), secret: enrolment.secret, qrSvg: enrolment.qrSvg, errors: {} }),
      {
        title: 'Set up two-factor authentication',
      },
    );
  });

  app.post('/ui/account/2fa', { config, ...csrf }, async (request, reply) => {
    await limitByAddress(gh, request, '2fa-setup');
    const who = await signedIn(request, reply);
    if (!who) return reply;
    const form = formOf(request);
    const secret = form.get('secret') ?? '';
    const code = (form.get('code') ?? '').replace(/\s+/g, '');
    let codes: string[] | undefined;
    try {
      codes = await gh.login.totp.confirmEnrolment(who.account.id, secret, code);
    } catch {
      codes = undefined;
    }
    if (!codes) {
      const enrolment = await gh.login.totp.startEnrolment(
        who.account.id,
        who.account.email ?? who.account.phone ?? who.account.id,
      );
      return sendPage(
        reply,
        totpSetupPage({
          csrf: csrfToken(reply),
          secret: enrolment.secret,
          qrSvg: enrolment.qrSvg,
          errors: { code: 'That code is not right. Scan the new QR code and try again.' },
        }),
        { title: 'Set up two-factor authentication', status: 400 },
      );
    }
    await gh.events.emit({ type: 'account.two_factor_enabled', accountId: who.account.id }, request.actor);
    return sendPage(reply, recoveryCodesPage(codes), { title: 'Save your recovery codes' });
  });

  /** A code of the enrolled factor from a form: an authenticator code, or a recovery code when the form says so. */
  function enteredCode(request: FastifyRequest): SecondFactorCode {
    const form = formOf(request);
    return { kind: form.get('kind') === 'recovery' ? 'recovery' : 'totp', code: form.get('code') ?? '' };
  }

  /** The account page again, saying why a second-factor code was refused; 2FA is unchanged. */
  function refused(
    reply: FastifyReply,
    who: { session: LoginSession; account: Account },
    check: Exclude<SecondFactorCheck, { ok: true }>,
  ) {
    const error =
      check.reason === 'wrong_code'
        ? 'That code is not right; two-factor authentication is unchanged.'
        : `Too many tries. Wait ${Math.max(1, Math.ceil(check.retryAfterSeconds / 60))} minutes and try again.`;
    return showAccount(reply, who, { error }, check.reason === 'wrong_code' ? 400 : 429);
  }

  app.post('/ui/account/2fa/disable', { config, ...csrf }, async (request, reply) => {
    await limitByAddress(gh, request, '2fa-setup');
    const who = await signedIn(request, reply);
    if (!who) return reply;
    // Turning protection off takes the protection itself, under the sign-in's guess limit.
    const done = await gh.login.secondFactor.disable(request.actor, who.account.id, enteredCode(request));
    if (!done.ok) return refused(reply, who, done);
    return reply.redirect('/ui/account?done=2fa-off', 303);
  });

  app.post('/ui/account/2fa/recovery-codes', { config, ...csrf }, async (request, reply) => {
    await limitByAddress(gh, request, '2fa-setup');
    const who = await signedIn(request, reply);
    if (!who) return reply;
    const done = await gh.login.secondFactor.regenerateRecoveryCodes(request.actor, who.account.id, enteredCode(request));
    if (!done.ok) return refused(reply, who, done);
    return sendPage(reply, recoveryCodesPage(done.codes), { title: 'Save your recovery codes' });
  });
}

/** Whether this server can link that kind: wallets always; social accounts when their connector is configured. */
function identityLinkAvailable(gh: Gatehouse, kind: string): boolean {
  return identityKind(kind)?.family === 'wallet' || connectorAvailable(gh, kind);
}
