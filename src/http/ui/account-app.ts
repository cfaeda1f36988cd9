/**
 * The account page's routes: a signed-in person sees their addresses, turns TOTP 2FA on or
 * off, revokes applications, ends sessions and unlinks identities. What each may do is the
 * OwnAccount service's (accounts/own-account.ts); a refusal shows the account page again
 * with its sentence. The login session cookie is the only credential.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { displayEmail } from '../../accounts/identifiers.js';
import { OwnAccount } from '../../accounts/own-account.js';
import type { SecondFactorCode } from '../../accounts/second-factor.js';
import type { Gatehouse } from '../../gatehouse.js';
import { accountPage, recoveryCodesPage, totpSetupPage } from '../../ui/pages/account.js';
import { signedOutPage } from '../../ui/pages/messages.js';
import { applyCookies } from '../cookies.js';
import { type SignedIn, signedIn } from './signed-in.js';
import { csrfToken, formOf, limitByAddress, queryOf, refusalOf, sendPage } from './ui-support.js';

/** ?done= after an action; a Map, since the name comes from the URL (`?done=constructor`). */
const FLASHES: ReadonlyMap<string, string> = new Map([
  ['revoked', 'Access removed. The application can no longer use its tokens.'],
  ['2fa-off', 'Two-factor authentication is off.'],
  ['ended', 'That session is signed out.'],
  ['linked', 'Linked. Applications you allow can now see it.'],
  ['unlinked', 'Unlinked. Applications no longer see it.'],
]);

type AccountAction = (request: FastifyRequest, reply: FastifyReply, who: SignedIn) => Promise<unknown>;

export async function accountAppRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const secure = gh.config.issuer.startsWith('https:');
  const config = { htmlErrors: true };
  const csrf = { preHandler: app.csrfProtection };
  const { sessions, totp, secondFactor } = gh.login;
  const own = new OwnAccount({ ...gh, sessions, totp, secondFactor });

  async function showAccount(
    reply: FastifyReply,
    who: SignedIn,
    messages: { flash?: string; error?: string } = {},
    status = 200,
  ) {
    const { account, session } = who;
    const overview = await own.overview(account, session);
    const page = accountPage({
      ...overview,
      ...messages,
      csrf: csrfToken(reply),
      // The person reads their own domain in Unicode when it cannot pass for another one.
      email: account.email === null ? null : displayEmail(account.email),
      phone: account.phone,
      accountId: account.id,
    });
    return sendPage(reply, page, { title: 'Your account', wide: true, status });
  }

  /**
   * A route for the signed-in person only (others go to sign in), after the per-address
   * limit when `limit` names one; a refusal shows the account page again with its sentence.
   */
  const forSignedIn =
    (limit: string | undefined, action: AccountAction) => async (request: FastifyRequest, reply: FastifyReply) => {
      if (limit) await limitByAddress(gh, request, limit);
      const who = await signedIn(gh, request);
      if (!who) return reply.redirect('/ui/login', 303);
      try {
        return await action(request, reply, who);
      } catch (err) {
        const refused = refusalOf(err);
        return showAccount(reply, who, { error: refused.description }, refused.status);
      }
    };

  /** A code of the enrolled factor from a form: an authenticator code, or a recovery code when the form says so. */
  function enteredCode(request: FastifyRequest): SecondFactorCode {
    const form = formOf(request);
    return { kind: form.get('kind') === 'recovery' ? 'recovery' : 'totp', code: form.get('code') ?? '' };
  }

  /** The setup page with a new secret to scan (the one refused is not offered again). */
  async function showSetup(reply: FastifyReply, who: SignedIn, refusal?: { error: string; status: number }) {
    const enrolment = await own.startTwoFactor(who.account);
    if (!enrolment) return reply.redirect('/ui/account', 303);
    const { secret, qrSvg } = enrolment;
    const errors = refusal ? { code: refusal.error } : {};
    return sendPage(reply, totpSetupPage({ csrf: csrfToken(reply), secret, qrSvg, errors }), {
      title: 'Set up two-factor authentication',
      status: refusal?.status ?? 200,
    });
  }

  app.get(
    '/ui/account',
    { config },
    forSignedIn(undefined, (request, reply, who) => {
      const flash = FLASHES.get(queryOf(request).get('done') ?? '');
      return showAccount(reply, who, flash ? { flash } : {});
    }),
  );

  /** A post that changes one thing, then shows the account page saying so (`?done=`, FLASHES). */
  function change(
    path: string,
    limit: string | undefined,
    done: string,
    act: (request: FastifyRequest, who: SignedIn) => Promise<void>,
  ) {
    app.post(
      path,
      { config, ...csrf },
      forSignedIn(limit, async (request, reply, who) => {
        await act(request, who);
        return reply.redirect(`/ui/account?done=${done}`, 303);
      }),
    );
  }

  change('/ui/account/identities/unlink', undefined, 'unlinked', (request, { account }) =>
    own.unlink(request.actor, account.id, formOf(request).get('kind') ?? ''),
  );
  change('/ui/account/apps/revoke', undefined, 'revoked', (request, { account }) =>
    own.revokeApp(request.actor, account.id, formOf(request).get('client_id')),
  );
  change('/ui/account/sessions/revoke', undefined, 'ended', (request, { account }) =>
    own.endSession(request.actor, account.id, formOf(request).get('session_id')),
  );
  // Turning protection off takes the protection itself, under the sign-in's guess limit.
  change('/ui/account/2fa/disable', '2fa-setup', '2fa-off', (request, { account }) =>
    own.disableTwoFactor(request.actor, account.id, enteredCode(request)),
  );

  app.post(
    '/ui/account/signout',
    { config, ...csrf },
    forSignedIn(undefined, async (request, reply, who) => {
      await own.endSession(request.actor, who.account.id, who.session.id);
      applyCookies(reply, [gh.login.sessions.clearCookie()], secure);
      return sendPage(reply, signedOutPage(), { title: 'Signed out' });
    }),
  );

  app.get(
    '/ui/account/2fa',
    { config },
    forSignedIn(undefined, (_request, reply, who) => showSetup(reply, who)),
  );

  app.post(
    '/ui/account/2fa',
    { config, ...csrf },
    forSignedIn('2fa-setup', async (request, reply, who) => {
      const form = formOf(request);
      let codes: string[];
      try {
        codes = await own.enableTwoFactor(request.actor, who.account.id, form.get('secret') ?? '', form.get('code') ?? '');
      } catch (err) {
        const refused = refusalOf(err);
        return showSetup(reply, who, { error: refused.description, status: refused.status });
      }
      return sendPage(reply, recoveryCodesPage(codes), { title: 'Save your recovery codes' });
    }),
  );

  app.post(
    '/ui/account/2fa/recovery-codes',
    { config, ...csrf },
    forSignedIn('2fa-setup', async (request, reply, who) => {
      const codes = await own.replaceRecoveryCodes(request.actor, who.account.id, enteredCode(request));
      return sendPage(reply, recoveryCodesPage(codes), { title: 'Save your recovery codes' });
    }),
  );
}
