/**
 * Linking a social account from the account page (issue 6): GitHub, Discord and X through the
 * OAuth connector, Telegram through its Login Widget. Each attempt lives in a short-lived
 * cookie, encrypted and bound to the signed-in account, on the paths of that kind only; the
 * callback proves the identity and hands it to gh.identities.link.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Connectors, telegramSettings } from '../../connectors/connectors.js';
import { ConnectorError } from '../../connectors/errors.js';
import type { LinkAttempt } from '../../connectors/oauth-connector.js';
import { type ConnectedUser, PRESETS, SOCIAL_KINDS } from '../../connectors/presets.js';
import { type TelegramLogin, verifyTelegramLogin } from '../../connectors/telegram.js';
import type { IdentityKind } from '../../db/schema.js';
import { OAuthError } from '../../errors.js';
import { identify } from '../../events/actor.js';
import { SESSION_COOKIE } from '../../flows/context.js';
import type { Gatehouse } from '../../gatehouse.js';
import { linkProblemPage, telegramLinkPage, type Way } from '../../ui/pages/social-link.js';
import { applyCookies, signedCookie } from '../cookies.js';
import { queryOf, safeReturnTo, sendPage } from './ui-support.js';

/** Long enough to sign in at the provider (and maybe create an account there), short enough to go stale. */
const ATTEMPT_TTL_SECONDS = 15 * 60;
const TELEGRAM_ORIGINS = ['https://telegram.org', 'https://oauth.telegram.org'];

type LinkKind = (typeof SOCIAL_KINDS)[number] | 'telegram';

interface Attempt extends Partial<Omit<LinkAttempt, 'redirectUri'>> {
  accountId: string;
  startedAt: number;
  returnTo?: string | undefined;
}

const LABELS: Record<LinkKind, string> = {
  github: PRESETS.github.label,
  discord: PRESETS.discord.label,
  twitter: PRESETS.twitter.label,
  telegram: 'Telegram',
};

export async function socialLinkRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const secure = gh.config.issuer.startsWith('https:');
  const config = { htmlErrors: true };
  const connectors = new Connectors(gh.config, gh.now);
  const pathOf = (kind: LinkKind) => `/ui/account/identities/${kind}`;
  const callbackOf = (kind: LinkKind) => `${gh.config.issuer}${pathOf(kind)}/callback`;
  const cookieOf = (kind: LinkKind) => `gatehouse_link_${kind}`;

  /** The signed-in account (as the actor of what follows), or undefined after sending the browser to sign in. */
  async function signedIn(request: FastifyRequest, reply: FastifyReply) {
    const session = await gh.login.sessions.find(signedCookie(request, SESSION_COOKIE));
    const account = session ? await gh.login.accounts.find(session.subject) : undefined;
    if (!account) {
      await reply.redirect('/ui/login', 303);
      return undefined;
    }
    identify(request.actor, 'account', account.id);
    return account;
  }

  function remember(reply: FastifyReply, kind: LinkKind, attempt: Attempt) {
    const value = gh.box.encrypt(JSON.stringify(attempt), `link:${kind}`);
    applyCookies(
      reply,
      [{ name: cookieOf(kind), value, path: pathOf(kind), maxAge: ATTEMPT_TTL_SECONDS, signed: false }],
      secure,
    );
  }

  /** The attempt this browser started for this account, once: the cookie is cleared whatever happens next. */
  function recall(request: FastifyRequest, reply: FastifyReply, kind: LinkKind, accountId: string): Attempt | undefined {
    const raw = request.cookies[cookieOf(kind)];
    if (raw === undefined) return undefined;
    applyCookies(reply, [{ name: cookieOf(kind), value: null, path: pathOf(kind), signed: false }], secure);
    let attempt: Attempt;
    try {
      attempt = JSON.parse(gh.box.decrypt(raw, `link:${kind}`)) as Attempt;
    } catch {
      return undefined;
    }
    if (attempt.accountId !== accountId) return undefined;
    if (gh.now() - attempt.startedAt > ATTEMPT_TTL_SECONDS * 1000) return undefined;
    return attempt;
  }

  const backTo = (returnTo: string | undefined): Way =>
    returnTo ? { href: returnTo, label: 'Go back without linking' } : { href: '/ui/account', label: 'Back to your account' };

  const retryOf = (kind: LinkKind, returnTo: string | undefined) =>
    returnTo ? `${pathOf(kind)}?${new URLSearchParams({ return_to: returnTo })}` : pathOf(kind);

  function problem(
    reply: FastifyReply,
    kind: LinkKind,
    status: number,
    m: { code: string; description: string; returnTo?: string | undefined; retry?: boolean },
  ) {
    return sendPage(
      reply,
      linkProblemPage({
        heading: `${LABELS[kind]} was not linked`,
        description: m.description,
        code: m.code,
        back: backTo(m.returnTo),
        ...(m.retry === false ? {} : { retry: retryOf(kind, m.returnTo) }),
      }),
      { title: `${LABELS[kind]} was not linked`, status },
    );
  }

  const unavailable = (reply: FastifyReply, kind: LinkKind, returnTo: string | undefined) =>
    problem(reply, kind, 404, {
      code: 'not_available',
      description: `Linking a ${LABELS[kind]} account is not available on this server.`,
      returnTo,
      retry: false,
    });

  const lost = (reply: FastifyReply, kind: LinkKind) =>
    problem(reply, kind, 400, {
      code: 'invalid_state',
      description: 'This linking attempt has expired, or was started in another browser or by another account. Start again.',
    });

  function failed(
    request: FastifyRequest,
    reply: FastifyReply,
    kind: LinkKind,
    err: ConnectorError,
    returnTo: string | undefined,
  ) {
    request.log.info({ failure: err.failure, debug: err.debug, kind }, 'linking refused');
    return problem(reply, kind, err.status, { code: err.failure, description: err.description, returnTo });
  }

  /** Links the proved identity; a 409 (someone else's) is a page, not a crash. */
  async function link(reply: FastifyReply, kind: LinkKind, accountId: string, user: ConnectedUser, returnTo: string | undefined) {
    try {
      await gh.identities.link(reply.request.actor, accountId, {
        kind: kind as IdentityKind,
        externalId: user.id,
        displayName: user.username,
        details: user.details,
      });
    } catch (err) {
      if (err instanceof OAuthError && err.status === 409) {
        const description = `This ${LABELS[kind]} account is already linked to another Gatehouse account. Unlink it there first, or link a different one.`;
        return problem(reply, kind, 409, { code: 'conflict', description, returnTo, retry: false });
      }
      throw err;
    }
    return reply.redirect(returnTo ?? '/ui/account?done=linked', 303);
  }

  for (const kind of SOCIAL_KINDS) {
    app.get(pathOf(kind), { config }, async (request, reply) => {
      const account = await signedIn(request, reply);
      if (!account) return reply;
      const returnTo = safeReturnTo(queryOf(request).get('return_to'));
      const connector = connectors.get(kind);
      if (!connector) return unavailable(reply, kind, returnTo);
      let started: Awaited<ReturnType<typeof connector.start>>;
      try {
        started = await connector.start(callbackOf(kind));
      } catch (err) {
        if (err instanceof ConnectorError) return failed(request, reply, kind, err, returnTo);
        throw err;
      }
      const { state, verifier, nonce } = started.attempt;
      remember(reply, kind, { accountId: account.id, startedAt: gh.now(), returnTo, state, verifier, nonce });
      return reply.redirect(started.url, 303);
    });

    app.get(`${pathOf(kind)}/callback`, { config }, async (request, reply) => {
      const account = await signedIn(request, reply);
      if (!account) return reply;
      const attempt = recall(request, reply, kind, account.id);
      if (!attempt?.state || !attempt.verifier) return lost(reply, kind);
      const connector = connectors.get(kind);
      if (!connector) return unavailable(reply, kind, attempt.returnTo);
      let user: ConnectedUser;
      try {
        user = await connector.finish(new URL(request.url, 'http://callback').searchParams, {
          state: attempt.state,
          verifier: attempt.verifier,
          nonce: attempt.nonce,
          redirectUri: callbackOf(kind),
        });
      } catch (err) {
        if (!(err instanceof ConnectorError)) throw err;
        // Saying no at the provider while answering an application's request: back to that request.
        if (err.failure === 'access_denied' && attempt.returnTo) return reply.redirect(attempt.returnTo, 303);
        return failed(request, reply, kind, err, attempt.returnTo);
      }
      return link(reply, kind, account.id, user, attempt.returnTo);
    });
  }

  app.get(pathOf('telegram'), { config }, async (request, reply) => {
    const account = await signedIn(request, reply);
    if (!account) return reply;
    const returnTo = safeReturnTo(queryOf(request).get('return_to'));
    const telegram = telegramSettings(gh.config);
    if (!telegram) return unavailable(reply, 'telegram', returnTo);
    remember(reply, 'telegram', { accountId: account.id, startedAt: gh.now(), returnTo });
    const linked = (await gh.identities.list(account.id)).find((i) => i.kind === 'telegram')?.display_name;
    return sendPage(
      reply,
      telegramLinkPage({
        botUsername: telegram.botUsername,
        authUrl: callbackOf('telegram'),
        linked,
        back: returnTo ? { href: returnTo, label: 'Go back without linking' } : { href: '/ui/account', label: 'Cancel' },
      }),
      { title: 'Link Telegram', thirdParty: TELEGRAM_ORIGINS },
    );
  });

  app.get(`${pathOf('telegram')}/callback`, { config }, async (request, reply) => {
    const account = await signedIn(request, reply);
    if (!account) return reply;
    // The widget's data is a bearer proof for a day: only a browser that opened the link page for this account may use it.
    const attempt = recall(request, reply, 'telegram', account.id);
    if (!attempt) return lost(reply, 'telegram');
    const telegram = telegramSettings(gh.config);
    if (!telegram) return unavailable(reply, 'telegram', attempt.returnTo);
    let user: TelegramLogin;
    try {
      user = verifyTelegramLogin(new URL(request.url, 'http://callback').searchParams, telegram, gh.now());
    } catch (err) {
      if (!(err instanceof ConnectorError)) throw err;
      return failed(request, reply, 'telegram', err, attempt.returnTo);
    }
    // Spent before linking: of two uses of the same data, however close, one links and the other is refused.
    if (!(await gh.telegramLogins.spend(user.signature, user.usableUntil))) {
      const replayed = new ConnectorError(
        'replayed',
        'This Telegram sign-in was already used. Start again and sign in with the Telegram button.',
      );
      return failed(request, reply, 'telegram', replayed, attempt.returnTo);
    }
    return link(reply, 'telegram', account.id, { id: user.id, username: user.username, details: user.details }, attempt.returnTo);
  });
}
