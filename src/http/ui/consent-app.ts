/**
 * The built-in consent and logout pages, answering Hydra's consent and logout requests
 * through the same services as the admin API.
 */

import type { FastifyInstance } from 'fastify';
import { identityKindForScope } from '../../accounts/linked-identities.js';
import { identityClaims } from '../../accounts/user-fields.js';
import type { Account, LinkedIdentity } from '../../db/schema.js';
import type { Gatehouse } from '../../gatehouse.js';
import { type ConsentScope, consentPage } from '../../ui/pages/consent.js';
import { logoutPage, stillSignedInPage } from '../../ui/pages/messages.js';
import { csrfToken, formOf, limitByAddress, originsOf, queryOf, sendError, sendPage } from './ui-support.js';

export async function consentAppRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const config = { htmlErrors: true };

  function describeScope(
    name: string,
    subject: string,
    account: Account | undefined,
    identities: LinkedIdentity[],
    back: string,
  ): ConsentScope {
    const description = gh.scopes.get(name)?.description ?? name;
    if (name === gh.scopes.accountIdScope) return { name, description, value: subject };
    if (name === 'Email') {
      return account?.email && account.email_verified
        ? { name, description, value: account.email }
        : { name, description, unavailable: true };
    }
    const kind = identityKindForScope(name);
    if (!kind) return { name, description };
    const linked = identities.find((i) => i.kind === kind.kind);
    if (linked) return { name, description, value: linked.display_name };
    return { name, description, linkHref: `/ui/account/identities/${kind.kind}?${new URLSearchParams({ return_to: back })}` };
  }

  /** A scope shares something unless the page showed it as missing (nothing linked, no email). */
  const sharesSomething = (line: ConsentScope) => !line.linkHref && !line.unavailable;
  const csrf = { preHandler: app.csrfProtection };

  app.get('/ui/consent', { config }, async (request, reply) => {
    const challenge = queryOf(request).get('consent_challenge');
    const consent = await gh.consentRequests.get(challenge);
    if (consent.skip) {
      // Remembered: confirm the same grant without asking (as Hydra's consent apps do).
      const { redirect_to } = await gh.consentRequests.accept(request.actor, challenge, {
        grant_scope: consent.requested_scope,
        grant_access_token_audience: consent.requested_access_token_audience,
      });
      return reply.redirect(redirect_to, 303);
    }
    const account = await gh.accounts.find(consent.subject);
    const identities = account ? await gh.identities.list(account.id) : [];
    const back = `/ui/consent?${new URLSearchParams({ consent_challenge: challenge as string })}`;
    const scopes = consent.requested_scope.map((name) => describeScope(name, consent.subject, account, identities, back));
    return sendPage(
      reply,
      consentPage({
        challenge: challenge as string,
        client: consent.client,
        scopes,
        csrf: csrfToken(reply),
        who: account?.email ?? account?.phone ?? consent.subject,
      }),
      {
        title: `Allow ${consent.client.client_name || consent.client.client_id}?`,
        formTargets: originsOf(consent.client.redirect_uris),
      },
    );
  });

  app.post('/ui/consent', { config, ...csrf }, async (request, reply) => {
    await limitByAddress(gh, request, 'consent');
    const form = formOf(request);
    const challenge = form.get('consent_challenge');
    const consent = await gh.consentRequests.get(challenge);
    const decision = form.get('decision');
    if (decision === 'allow') {
      const remember = form.get('remember') === '1';
      const account = await gh.accounts.find(consent.subject);
      const identities = account ? await gh.identities.list(account.id) : [];
      // Only what the page showed as shared is granted: an identity scope with nothing linked is
      // left out, so linking something later does not hand it to this application unasked.
      const granted = consent.requested_scope.filter((name) =>
        sharesSomething(describeScope(name, consent.subject, account, identities, '')),
      );
      const { redirect_to } = await gh.consentRequests.accept(request.actor, challenge, {
        grant_scope: granted,
        grant_access_token_audience: consent.requested_access_token_audience,
        remember,
        remember_for: 0,
        session: { id_token: identityClaims(granted, identities) },
      });
      return reply.redirect(redirect_to, 303);
    }
    if (decision === 'deny') {
      const { redirect_to } = await gh.consentRequests.reject(request.actor, challenge, {
        error: 'access_denied',
        error_description: 'The person denied the request.',
      });
      return reply.redirect(redirect_to, 303);
    }
    return sendError(reply, 400, 'invalid_request', 'Choose Allow or Deny.');
  });

  app.get('/ui/logout', { config }, async (request, reply) => {
    const challenge = queryOf(request).get('logout_challenge');
    const logout = await gh.logout.get(challenge);
    return sendPage(reply, logoutPage({ challenge: challenge as string, csrf: csrfToken(reply), client: logout.client }), {
      title: 'Sign out?',
      formTargets: originsOf(logout.client?.post_logout_redirect_uris ?? []),
    });
  });

  app.post('/ui/logout', { config, ...csrf }, async (request, reply) => {
    const form = formOf(request);
    const challenge = form.get('logout_challenge');
    if (form.get('decision') === 'logout') {
      const { redirect_to } = await gh.logout.accept(challenge);
      return reply.redirect(redirect_to, 303);
    }
    await gh.logout.reject(challenge);
    return sendPage(reply, stillSignedInPage(), { title: 'Still signed in' });
  });
}
