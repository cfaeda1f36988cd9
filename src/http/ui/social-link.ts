/**
 * The routes that link a social account from the account page (issue 6): GitHub, Discord and
 * X through the OAuth connector, Telegram through its Login Widget. The rules are the
 * SocialLinks service's (connectors/social-links.ts); here the attempt it seals is kept in a
 * short-lived cookie on the paths of that kind only, and a refusal is a page saying why.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SOCIAL_KINDS } from '../../connectors/presets.js';
import { ATTEMPT_TTL_SECONDS, type Attempt, LINK_LABELS, type LinkKind, SocialLinks } from '../../connectors/social-links.js';
import { GatehouseError } from '../../errors.js';
import type { Gatehouse } from '../../gatehouse.js';
import { linkProblemPage, telegramLinkPage, type Way } from '../../ui/pages/social-link.js';
import { applyCookies } from '../cookies.js';
import { signedIn } from './signed-in.js';
import { queryOf, refusalOf, safeReturnTo, sendPage } from './ui-support.js';

const TELEGRAM_ORIGINS = ['https://telegram.org', 'https://oauth.telegram.org'];

/** Trying again cannot help: linking is not offered here, or the identity is someone else's. */
const FINAL = new Set(['not_available', 'conflict']);

export async function socialLinkRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const secure = gh.config.issuer.startsWith('https:');
  const config = { htmlErrors: true };
  const links = new SocialLinks(gh);
  const pathOf = (kind: LinkKind) => `/ui/account/identities/${kind}`;
  const callbackOf = (kind: LinkKind) => `${gh.config.issuer}${pathOf(kind)}/callback`;
  const cookieOf = (kind: LinkKind) => `gatehouse_link_${kind}`;
  const callbackParams = (request: FastifyRequest) => new URL(request.url, 'http://callback').searchParams;

  function keep(reply: FastifyReply, kind: LinkKind, sealed: string) {
    const cookie = { name: cookieOf(kind), value: sealed, path: pathOf(kind), maxAge: ATTEMPT_TTL_SECONDS, signed: false };
    applyCookies(reply, [cookie], secure);
  }

  /** The attempt this browser started for this account, once: the cookie is cleared whatever happens next. */
  function recall(request: FastifyRequest, reply: FastifyReply, kind: LinkKind, accountId: string): Attempt | undefined {
    const sealed = request.cookies[cookieOf(kind)];
    if (sealed !== undefined)
      applyCookies(reply, [{ name: cookieOf(kind), value: null, path: pathOf(kind), signed: false }], secure);
    return links.recall(kind, sealed, accountId);
  }

  const backTo = (returnTo: string | undefined): Way =>
    returnTo ? { href: returnTo, label: 'Go back without linking' } : { href: '/ui/account', label: 'Back to your account' };

  const retryOf = (kind: LinkKind, returnTo: string | undefined) =>
    returnTo ? `${pathOf(kind)}?${new URLSearchParams({ return_to: returnTo })}` : pathOf(kind);

  /** The page saying why `kind` was not linked; anything but a refusal goes on to the error handler. */
  function refused(request: FastifyRequest, reply: FastifyReply, kind: LinkKind, err: unknown, returnTo: string | undefined) {
    const refusal = refusalOf(err);
    request.log.info({ failure: refusal.error, debug: refusal.debug, kind }, 'linking refused');
    const heading = `${LINK_LABELS[kind]} was not linked`;
    const page = linkProblemPage({
      heading,
      description: refusal.description,
      code: refusal.error,
      back: backTo(returnTo),
      ...(FINAL.has(refusal.error) ? {} : { retry: retryOf(kind, returnTo) }),
    });
    return sendPage(reply, page, { title: heading, status: refusal.status });
  }

  const linked = (reply: FastifyReply, returnTo: string | undefined) =>
    reply.redirect(returnTo ?? '/ui/account?done=linked', 303);

  for (const kind of SOCIAL_KINDS) {
    app.get(pathOf(kind), { config }, async (request, reply) => {
      const who = await signedIn(gh, request);
      if (!who) return reply.redirect('/ui/login', 303);
      const returnTo = safeReturnTo(queryOf(request).get('return_to'));
      try {
        const started = await links.start(kind, who.account.id, returnTo, callbackOf(kind));
        keep(reply, kind, started.sealed);
        return reply.redirect(started.url, 303);
      } catch (err) {
        return refused(request, reply, kind, err, returnTo);
      }
    });

    app.get(`${pathOf(kind)}/callback`, { config }, async (request, reply) => {
      const who = await signedIn(gh, request);
      if (!who) return reply.redirect('/ui/login', 303);
      const attempt = recall(request, reply, kind, who.account.id);
      try {
        await links.finish(request.actor, kind, attempt, callbackParams(request), callbackOf(kind));
        return linked(reply, attempt?.returnTo);
      } catch (err) {
        // Saying no at the provider while answering an application's request: back to that request.
        if (err instanceof GatehouseError && err.error === 'access_denied' && attempt?.returnTo) {
          return reply.redirect(attempt.returnTo, 303);
        }
        return refused(request, reply, kind, err, attempt?.returnTo);
      }
    });
  }

  app.get(pathOf('telegram'), { config }, async (request, reply) => {
    const who = await signedIn(gh, request);
    if (!who) return reply.redirect('/ui/login', 303);
    const returnTo = safeReturnTo(queryOf(request).get('return_to'));
    try {
      const { botUsername, linked, sealed } = await links.startTelegram(who.account.id, returnTo);
      keep(reply, 'telegram', sealed);
      const back = returnTo ? { href: returnTo, label: 'Go back without linking' } : { href: '/ui/account', label: 'Cancel' };
      const page = telegramLinkPage({ botUsername, authUrl: callbackOf('telegram'), linked, back });
      return sendPage(reply, page, { title: 'Link Telegram', thirdParty: TELEGRAM_ORIGINS });
    } catch (err) {
      return refused(request, reply, 'telegram', err, returnTo);
    }
  });

  app.get(`${pathOf('telegram')}/callback`, { config }, async (request, reply) => {
    const who = await signedIn(gh, request);
    if (!who) return reply.redirect('/ui/login', 303);
    const attempt = recall(request, reply, 'telegram', who.account.id);
    try {
      await links.finishTelegram(request.actor, attempt, callbackParams(request));
      return linked(reply, attempt?.returnTo);
    } catch (err) {
      return refused(request, reply, 'telegram', err, attempt?.returnTo);
    }
  });
}
