/**
 * Linking a wallet from the account page: GET /ui/account/identities/{kind} (the page),
 * POST …/challenge (a message for an address) and POST …/verify (the signature → the link).
 * The page's script posts the same forms asking for JSON (`Accept: application/json`);
 * without JavaScript the forms render pages. Either way the signed-in person's session
 * cookie is the only credential, and every form carries the CSRF token.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../../db/schema.js';
import type { Gatehouse } from '../../gatehouse.js';
import type { Params } from '../../oauth/params.js';
import { type WalletLinkModel, walletLinkPage, walletLinkTitle, walletTakenPage } from '../../ui/pages/wallet-link.js';
import { WALLET_KINDS, type WalletKind } from '../../wallets/chain.js';
import { fieldOf } from '../../wallets/errors.js';
import { CHAINS, type IssuedChallenge, WalletLinks, WalletTaken } from '../../wallets/wallet-links.js';
import { asksForJson } from '../errors.js';
import { signedIn } from './signed-in.js';
import { csrfToken, formOf, limitByAddress, queryOf, refusalOf, safeReturnTo, sendPage } from './ui-support.js';

export const WALLET_SCRIPT_PATH = '/ui/assets/wallet-link.js';

// Beside this module both in src/ (tsx) and in dist/ (copied by scripts/copy-assets.mjs).
const script = readFileSync(new URL('../../ui/assets/wallet-link.js', import.meta.url));
const scriptEtag = `"${createHash('sha256').update(script).digest('base64url').slice(0, 16)}"`;

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
    limiter: gh.login.limiter,
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
  async function signedInAccount(request: FastifyRequest, reply: FastifyReply): Promise<Account | undefined> {
    const who = await signedIn(gh, request);
    if (who) return who.account;
    if (asksForJson(request)) {
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

  /** A post of the page or its script: the per-address limit, then the signed-in person, their form and where to return. */
  const posted =
    (bucket: string, handle: (request: FastifyRequest, reply: FastifyReply, post: WalletPost) => Promise<unknown>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      await limitByAddress(gh, request, bucket);
      const account = await signedInAccount(request, reply);
      if (!account) return reply;
      const form = formOf(request);
      return handle(request, reply, { account, form, returnTo: safeReturnTo(form.get('return_to')) });
    };

  for (const kind of WALLET_KINDS) {
    const path = `/ui/account/identities/${kind}`;

    app.get(path, { config }, async (request, reply) => {
      const account = await signedInAccount(request, reply);
      if (!account) return reply;
      const returnTo = safeReturnTo(queryOf(request).get('return_to'));
      return page(reply, account, kind, { returnTo, step: 'address', errors: {} });
    });

    const options = { config, ...csrf };
    app.post(
      `${path}/challenge`,
      options,
      posted('wallet-challenge', async (request, reply, { account, form, returnTo }) => {
        const address = form.get('address') ?? '';
        let challenge: IssuedChallenge;
        try {
          challenge = await wallets.challenge(account.id, kind, address, { chainId: form.get('chain_id') });
        } catch (err) {
          if (asksForJson(request)) throw err;
          // The form shows an address it cannot read beside the field; any other refusal is the error page.
          const refused = refusalOf(err);
          if (refused.error !== 'invalid_address') throw refused;
          const errors = { address: refused.description };
          return page(reply, account, kind, { returnTo, step: 'address', address, errors }, 400);
        }
        if (asksForJson(request)) return reply.send(challengeJson(challenge));
        return page(reply, account, kind, { returnTo, step: 'sign', challenge, errors: {} });
      }),
    );

    app.post(
      `${path}/verify`,
      options,
      posted('wallet-verify', async (request, reply, { account, form, returnTo }) => {
        const nonce = form.get('nonce');
        try {
          const linked = await wallets.link(request.actor, account.id, kind, {
            nonce,
            message: form.get('message'),
            signature: form.get('signature') ?? '',
            publicKey: form.get('public_key'),
          });
          const next = returnTo ?? '/ui/account?done=linked';
          if (asksForJson(request)) return reply.send({ linked: { kind, address: linked.display_name }, redirect_to: next });
          return reply.redirect(next, 303);
        } catch (err) {
          if (asksForJson(request)) throw err;
          const refused = refusalOf(err);
          if (refused instanceof WalletTaken) {
            const taken = walletTakenPage({ kind, address: refused.address, description: refused.description, returnTo });
            return sendPage(reply, taken, { title: 'This wallet is linked to another account', status: refused.status });
          }
          // The same message can be signed again after a wrong signature; a spent or expired one cannot.
          const challenge = await wallets.pending(account.id, kind, nonce);
          const field = fieldOf(refused.error);
          if (challenge) {
            return page(
              reply,
              account,
              kind,
              {
                returnTo,
                step: 'sign',
                challenge,
                errors: field ? { [field]: refused.description } : {},
                error: field ? undefined : refused.description,
              },
              refused.status,
            );
          }
          return page(
            reply,
            account,
            kind,
            { returnTo, step: 'address', errors: {}, error: refused.description },
            refused.status,
          );
        }
      }),
    );
  }
}

interface WalletPost {
  account: Account;
  form: Params;
  returnTo: string | undefined;
}
