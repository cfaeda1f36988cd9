/**
 * Linking a wallet from the account page: GET /ui/account/identities/{kind} (the page),
 * POST …/challenge (a message for an address) and POST …/verify (the signature → the link).
 * The page's script posts the same forms asking for JSON (`Accept: application/json`);
 * without JavaScript the forms render pages. Either way the signed-in person's session
 * cookie is the only credential, and every form carries the CSRF token.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../../db/schema.js';
import { OAuthError } from '../../errors.js';
import { identify } from '../../events/actor.js';
import { SESSION_COOKIE } from '../../flows/context.js';
import type { Gatehouse } from '../../gatehouse.js';
import { type WalletLinkModel, walletLinkPage, walletLinkTitle, walletTakenPage } from '../../ui/pages/wallet-link.js';
import { WALLET_KINDS, type WalletKind } from '../../wallets/chain.js';
import { fieldOf } from '../../wallets/errors.js';
import { CHAINS, type IssuedChallenge, WalletLinks } from '../../wallets/wallet-links.js';
import { signedCookie } from '../cookies.js';
import { csrfToken, formOf, limitByAddress, queryOf, safeReturnTo, sendPage } from './ui-support.js';

export const WALLET_SCRIPT_PATH = '/ui/assets/wallet-link.js';

// Beside this module both in src/ (tsx) and in dist/ (copied by scripts/copy-assets.mjs).
const script = readFileSync(new URL('../../ui/assets/wallet-link.js', import.meta.url));
const scriptEtag = `"${createHash('sha256').update(script).digest('base64url').slice(0, 16)}"`;

/** Challenges one account may ask for in an hour (the per-address limit comes first). */
const CHALLENGES_PER_ACCOUNT_HOUR = 30;
export const CHALLENGE_WINDOW_SECONDS = 3600;

const wantsJson = (request: FastifyRequest) => (request.headers.accept ?? '').includes('application/json');

/**
 * The script's requests get their errors as JSON; a form post's fall through to the app's
 * handler, which renders a page (the routes are `htmlErrors`).
 */
function jsonErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (!wantsJson(request)) throw error;
  const known =
    error instanceof OAuthError
      ? error
      : error.code?.startsWith('FST_CSRF_')
        ? new OAuthError('invalid_request', 'This page has expired. Reload it and try again.', { status: 403 })
        : undefined;
  if (!known) throw error;
  return reply
    .status(known.status)
    .header('Cache-Control', 'no-store')
    .type('application/json; charset=utf-8')
    .send(known.toJSON());
}

function challengeJson(c: IssuedChallenge) {
  return {
    kind: c.kind,
    nonce: c.nonce,
    address: c.address,
    message: c.message,
    to_sign: c.toSign,
    expires_at: c.expiresAt.toISOString(),
    wallet: c.wallet,
  };
}

export async function walletLinkRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const wallets = new WalletLinks({
    db: gh.db,
    identities: gh.identities,
    now: gh.now,
    issuer: gh.config.issuer,
    flowAccessApi: gh.config.flowAccessApi,
  });
  const host = new URL(gh.config.issuer).host;
  const config = { htmlErrors: true };
  const csrf = { preHandler: app.csrfProtection };

  app.get(WALLET_SCRIPT_PATH, async (request, reply) => {
    reply.header('ETag', scriptEtag).header('Cache-Control', 'public, max-age=3600');
    if (request.headers['if-none-match'] === scriptEtag) return reply.status(304).send();
    return reply.type('application/javascript; charset=utf-8').send(script);
  });

  /** The signed-in person; undefined after answering (to the sign-in page, or 401 for the script). */
  async function signedIn(request: FastifyRequest, reply: FastifyReply): Promise<Account | undefined> {
    const session = await gh.login.sessions.find(signedCookie(request, SESSION_COOKIE));
    const account = session ? await gh.login.accounts.find(session.subject) : undefined;
    if (account) {
      identify(request.actor, 'account', account.id);
      return account;
    }
    if (wantsJson(request)) {
      await reply
        .status(401)
        .send({ error: 'login_required', error_description: 'You are signed out. Sign in again, then link the wallet.' });
    } else {
      await reply.redirect('/ui/login', 303);
    }
    return undefined;
  }

  async function page(
    reply: FastifyReply,
    account: Account,
    kind: WalletKind,
    m: Omit<WalletLinkModel, 'kind' | 'csrf' | 'host' | 'chainId' | 'linked'>,
    status = 200,
  ) {
    const linked = (await gh.identities.list(account.id)).find((i) => i.kind === kind)?.display_name;
    return sendPage(
      reply,
      walletLinkPage({ ...m, kind, csrf: csrfToken(reply), host, chainId: CHAINS[kind].defaultChainId, linked }),
      { title: walletLinkTitle(kind), status, wide: true, scripts: [WALLET_SCRIPT_PATH] },
    );
  }

  for (const kind of WALLET_KINDS) {
    const path = `/ui/account/identities/${kind}`;

    app.get(path, { config }, async (request, reply) => {
      const account = await signedIn(request, reply);
      if (!account) return reply;
      const returnTo = safeReturnTo(queryOf(request).get('return_to'));
      return page(reply, account, kind, { returnTo, step: 'address', errors: {} });
    });

    app.post(`${path}/challenge`, { config, errorHandler: jsonErrors, ...csrf }, async (request, reply) => {
      await limitByAddress(gh, request, 'wallet-challenge');
      const account = await signedIn(request, reply);
      if (!account) return reply;
      const limit = await gh.login.limiter.hit(
        `wallet-challenge:${account.id}`,
        CHALLENGES_PER_ACCOUNT_HOUR,
        CHALLENGE_WINDOW_SECONDS,
      );
      if (!limit.allowed) {
        throw new OAuthError(
          'too_many_requests',
          `Too many messages were asked for on this account. Try again in ${Math.ceil(limit.retryAfterSeconds / 60)} minutes.`,
          { status: 429 },
        );
      }
      const form = formOf(request);
      const returnTo = safeReturnTo(form.get('return_to'));
      const address = form.get('address') ?? '';
      let challenge: IssuedChallenge;
      try {
        challenge = await wallets.challenge(account.id, kind, address, { chainId: form.get('chain_id') });
      } catch (err) {
        if (!(err instanceof OAuthError) || wantsJson(request) || err.error !== 'invalid_address') throw err;
        return page(reply, account, kind, { returnTo, step: 'address', address, errors: { address: err.description } }, 400);
      }
      if (wantsJson(request)) return reply.send(challengeJson(challenge));
      return page(reply, account, kind, { returnTo, step: 'sign', challenge, errors: {} });
    });

    app.post(`${path}/verify`, { config, errorHandler: jsonErrors, ...csrf }, async (request, reply) => {
      await limitByAddress(gh, request, 'wallet-verify');
      const account = await signedIn(request, reply);
      if (!account) return reply;
      const form = formOf(request);
      const returnTo = safeReturnTo(form.get('return_to'));
      const nonce = form.get('nonce');
      try {
        const linked = await wallets.link(request.actor, account.id, kind, {
          nonce,
          message: form.get('message'),
          signature: form.get('signature') ?? '',
          publicKey: form.get('public_key'),
        });
        const next = returnTo ?? '/ui/account?done=linked';
        if (wantsJson(request)) return reply.send({ linked: { kind, address: linked.display_name }, redirect_to: next });
        return reply.redirect(next, 303);
      } catch (err) {
        if (!(err instanceof OAuthError) || wantsJson(request)) throw err;
        if (err.error === 'conflict') {
          const spent = nonce ? await wallets.challenges.findByNonce(nonce) : undefined;
          const address = spent ? CHAINS[kind].parseAddress(spent.address).display : undefined;
          return sendPage(reply, walletTakenPage({ kind, address, description: err.description, returnTo }), {
            title: 'This wallet is linked to another account',
            status: 409,
          });
        }
        // The same message can be signed again after a wrong signature; a spent or expired one cannot.
        const challenge = await wallets.pending(account.id, kind, nonce);
        const field = fieldOf(err.error);
        if (challenge) {
          return page(
            reply,
            account,
            kind,
            {
              returnTo,
              step: 'sign',
              challenge,
              errors: field ? { [field]: err.description } : {},
              error: field ? undefined : err.description,
            },
            err.status,
          );
        }
        return page(reply, account, kind, { returnTo, step: 'address', errors: {}, error: err.description }, err.status);
      }
    });
  }
}
