/**
 * The built-in consent and logout pages, answering Hydra's consent and logout requests
 * through the same services as the admin API.
 */
import type { FastifyInstance } from 'fastify';
import type { Gatehouse } from '../../gatehouse.js';
import { consentPage } from '../../ui/pages/consent.js';
import { logoutPage, stillSignedInPage } from '../../ui/pages/messages.js';
import { csrfToken, formOf, limitByAddress, originsOf, queryOf, sendError, sendPage } from './ui-support.js';

export async function consentAppRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const config = { htmlErrors: true };
  const csrf = { preHandler: app.csrfProtection };

  app.get('/ui/consent', { config }, async (request, reply) => {
    const challenge = queryOf(request).get('consent_challenge');
    const consent = await gh.consentRequests.get(challenge);
    if (consent.skip) {
      // Remembered: confirm the same grant without asking (as Hydra's consent apps do).
      const { redirect_to } = await gh.consentRequests.accept(challenge, {
        grant_scope: consent.requested_scope,
        grant_access_token_audience: consent.requested_access_token_audience,
      });
      return reply.redirect(redirect_to, 303);
    }
    const account = await gh.accounts.find(consent.subject);
    const scopes = consent.requested_scope.map((name) => ({ name, description: gh.scopes.get(name)?.description ?? name }));
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
      const { redirect_to } = await gh.consentRequests.accept(challenge, {
        grant_scope: consent.requested_scope,
        grant_access_token_audience: consent.requested_access_token_audience,
        remember,
        remember_for: 0,
      });
      return reply.redirect(redirect_to, 303);
    }
    if (decision === 'deny') {
      const { redirect_to } = await gh.consentRequests.reject(challenge, {
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
