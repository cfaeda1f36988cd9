/**
 * The built-in login app's routes: sign in or register with a one-time code by email, SMS or
 * WhatsApp, then TOTP when enrolled. The steps and their rules are the sign-in service's
 * (accounts/sign-in.ts); here each route reads its form and cookies, takes one step, and
 * renders the page or redirects. It answers the login request through the same service the
 * admin API wraps; without a login_challenge it signs the person in to their account page.
 *
 * The code in progress is tied to the browser by a signed cookie, so a verified code cannot
 * be finished from another browser. A browser that proved an address keeps a signed cookie
 * saying so (proved-addresses.ts), which lets it past the limits a stranger can run up on
 * that address.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CodeError } from '../../accounts/code-refusals.js';
import { InputError } from '../../accounts/identifiers.js';
import { SecondFactorRefused } from '../../accounts/second-factor.js';
import { type Attempt, type Requester, SignIn, type SignInOutcome } from '../../accounts/sign-in.js';
import type { GatehouseError } from '../../errors.js';
import { SESSION_COOKIE } from '../../flows/context.js';
import type { Gatehouse } from '../../gatehouse.js';
import type { FieldErrors } from '../../ui/forms.js';
import { applyCookies, signedCookie } from '../cookies.js';
import { type FlowContext, loginPages, startOver } from './login-pages.js';
import { provedTags, rememberProved } from './proved-addresses.js';
import { formOf, limitByAddress, originsOf, queryOf, refusalOf, sendError } from './ui-support.js';

const OTP_COOKIE = 'gatehouse_otp';
const ACCOUNT_PAGE = '/ui/account';
type Mode = 'login' | 'register';

export async function loginAppRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const secure = gh.config.issuer.startsWith('https:');
  const config = { htmlErrors: true };
  const csrf = { preHandler: app.csrfProtection };
  const signIn = new SignIn({ ...gh.login, loginRequests: gh.loginRequests, events: gh.events, config: gh.config, now: gh.now });
  const pages = loginPages(gh);

  async function flowContext(challenge: string | undefined): Promise<FlowContext> {
    if (!challenge) return { challenge: undefined, clientName: undefined, formTargets: [], loginHint: undefined };
    const request = await gh.loginRequests.get(challenge);
    return {
      challenge,
      clientName: request.client.client_name || request.client.client_id,
      formTargets: originsOf(request.client.redirect_uris),
      loginHint: request.oidc_context.login_hint,
    };
  }

  /** Who asks for a code, as the limits and the captcha see them. */
  function requester(request: FastifyRequest): Requester {
    const locale = request.headers['accept-language']?.split(',')[0]?.split('-')[0]?.trim() || 'en';
    return {
      actor: request.actor,
      ip: request.ip,
      provedTags: provedTags(request, gh.now()),
      captcha: formOf(request).get(gh.login.captcha.widget().field),
      locale,
    };
  }

  /** The code this browser works on, from its cookie: `id.remember`. */
  function otpCookie(request: FastifyRequest): { codeId: string; remember: boolean } | undefined {
    const [codeId, remember] = (signedCookie(request, OTP_COOKIE) ?? '').split('.');
    return codeId ? { codeId, remember: remember === '1' } : undefined;
  }

  function resume(request: FastifyRequest, challenge: string | undefined): Promise<Attempt | undefined> {
    const otp = otpCookie(request);
    return signIn.resume(otp?.codeId, otp?.remember ?? false, challenge);
  }

  function setOtpCookie(reply: FastifyReply, id: string, remember: boolean) {
    const value = `${id}.${remember ? 1 : 0}`;
    applyCookies(reply, [{ name: OTP_COOKIE, value, path: '/ui', maxAge: gh.config.otpTtl, signed: true }], secure);
  }

  /** Where a step leads: a page, the second factor, or out of the login app, signed in. */
  function go(reply: FastifyReply, outcome: SignInOutcome, ctx: FlowContext) {
    switch (outcome.next) {
      case 'start_over':
        return reply.redirect(startOver(ctx.challenge), 303);
      case 'second_factor':
        return reply.redirect(withChallenge('/ui/2fa', ctx.challenge), 303);
      case 'no_account':
        return pages.noAccount(reply, outcome.destination, ctx);
      case 'signed_in':
        applyCookies(reply, [{ name: OTP_COOKIE, value: null, path: '/ui', signed: true }], secure);
        return reply.redirect(outcome.redirectTo, 303);
      case 'session_started':
        applyCookies(reply, [{ name: OTP_COOKIE, value: null, path: '/ui', signed: true }, outcome.session], secure);
        return reply.redirect(ACCOUNT_PAGE, 303);
      case 'already_signed_in':
        return reply.redirect(ACCOUNT_PAGE, 303);
    }
  }

  /** A refusal that ends this sign-in (its code was spent meanwhile, its request answered): the error page. */
  const ended = (reply: FastifyReply, err: GatehouseError, ctx: FlowContext) =>
    sendError(reply, err.status, err.error, err.description, err.restartUrl ?? startOver(ctx.challenge));

  const show = (mode: Mode) => async (request: FastifyRequest, reply: FastifyReply) => {
    const query = queryOf(request);
    const challenge = query.get('login_challenge');
    const skipped = await signIn.skip(request.actor, challenge, signedCookie(request, SESSION_COOKIE));
    if (skipped) return go(reply, skipped, withoutPage(challenge));
    const ctx = await flowContext(challenge);
    const method = query.get('method') === 'phone' ? 'phone' : 'email';
    const model = { mode, method, loginChallenge: challenge, clientName: ctx.clientName, values: {}, errors: {} } as const;
    return pages.signInForm(reply, { ...model, loginHint: ctx.loginHint }, ctx);
  };

  const submit = (mode: Mode) => async (request: FastifyRequest, reply: FastifyReply) => {
    await limitByAddress(gh, request, 'login');
    const form = formOf(request);
    const challenge = form.get('login_challenge');
    const ctx = await flowContext(challenge);
    const method: 'email' | 'phone' = form.get('method') === 'phone' ? 'phone' : 'email';
    const values = { email: form.get('email'), phone: form.get('phone'), channel: form.get('channel') };
    const remember = form.get('remember') === '1';
    try {
      const previous = otpCookie(request);
      const sent = await signIn.sendCode(
        { purpose: mode, method, ...values, loginChallenge: challenge, previous },
        requester(request),
      );
      setOtpCookie(reply, sent.id, remember);
      return reply.redirect(withChallenge('/ui/code', challenge), 303);
    } catch (err) {
      const refused = refusalOf(err);
      const errors: FieldErrors = {};
      if (refused instanceof InputError) errors[refused.field] = refused.description;
      const askCaptcha = refused.error === 'captcha_required';
      if (askCaptcha) errors.captcha = refused.description;
      const message = Object.keys(errors).length > 0 ? undefined : refused.description;
      const model = { mode, method, loginChallenge: challenge, clientName: ctx.clientName, errors, message, askCaptcha };
      return pages.signInForm(reply, { ...model, values: { ...values, remember } }, ctx, refused.status);
    }
  };

  app.get('/ui/login', { config }, show('login'));
  app.get('/ui/register', { config }, show('register'));
  app.post('/ui/login', { config, ...csrf }, submit('login'));
  app.post('/ui/register', { config, ...csrf }, submit('register'));

  app.get('/ui/code', { config }, async (request, reply) => {
    const challenge = queryOf(request).get('login_challenge');
    const ctx = await flowContext(challenge);
    const attempt = await resume(request, challenge);
    if (!attempt) return go(reply, { next: 'start_over' }, ctx);
    const info = queryOf(request).get('sent') === '1' ? 'We sent a new code.' : undefined;
    return pages.code(reply, { destination: attempt.code.destination, channel: attempt.code.channel, errors: {}, info }, ctx);
  });

  app.post('/ui/code', { config, ...csrf }, async (request, reply) => {
    await limitByAddress(gh, request, 'code');
    const form = formOf(request);
    const challenge = form.get('login_challenge');
    const ctx = await flowContext(challenge);
    const attempt = await resume(request, challenge);
    if (!attempt) return go(reply, { next: 'start_over' }, ctx);
    try {
      const outcome = await signIn.verifyCode(attempt, form.get('code') ?? '', request.actor, challenge);
      // This browser has now proved the address: strangers' requests for it no longer hold it back.
      const remembered = { now: gh.now(), ttlSeconds: gh.config.otpRememberAddress, secure };
      rememberProved(request, reply, outcome.provedTag, remembered);
      return go(reply, outcome, ctx);
    } catch (err) {
      const refused = refusalOf(err);
      if (!(refused instanceof CodeError)) return ended(reply, refused, ctx);
      const { destination, channel } = attempt.code;
      return pages.code(reply, { destination, channel, errors: { code: refused.description } }, ctx, { status: refused.status });
    }
  });

  app.post('/ui/code/resend', { config, ...csrf }, async (request, reply) => {
    await limitByAddress(gh, request, 'code');
    const challenge = formOf(request).get('login_challenge');
    const ctx = await flowContext(challenge);
    const attempt = await resume(request, challenge);
    if (!attempt) return go(reply, { next: 'start_over' }, ctx);
    try {
      const sent = await signIn.resendCode(attempt, requester(request));
      setOtpCookie(reply, sent.id, attempt.remember);
      return reply.redirect(`${withChallenge('/ui/code', challenge)}${challenge ? '&' : '?'}sent=1`, 303);
    } catch (err) {
      const refused = refusalOf(err);
      // The old code stopped working when the new one was made: nothing is left to enter.
      if (refused.error === 'delivery_failed') return ended(reply, refused, ctx);
      const { destination, channel } = attempt.code;
      const askCaptcha = refused.error === 'captcha_required';
      const page = askCaptcha
        ? { destination, channel, errors: { captcha: refused.description } }
        : { destination, channel, errors: {}, message: refused.description };
      return pages.code(reply, page, ctx, { status: refused.status, askCaptcha });
    }
  });

  // The address is proved; the person chose to create an account from the sign-in page.
  app.post('/ui/register/confirm', { config, ...csrf }, async (request, reply) => {
    const challenge = formOf(request).get('login_challenge');
    const ctx = withoutPage(challenge);
    const attempt = await resume(request, challenge);
    try {
      return go(reply, await signIn.confirmRegistration(attempt, request.actor, challenge), ctx);
    } catch (err) {
      return ended(reply, refusalOf(err), ctx);
    }
  });

  app.get('/ui/2fa', { config }, async (request, reply) => {
    const query = queryOf(request);
    const challenge = query.get('login_challenge');
    const ctx = await flowContext(challenge);
    const attempt = await resume(request, challenge);
    if (!signIn.awaitsSecondFactor(attempt)) return go(reply, { next: 'start_over' }, ctx);
    return pages.secondFactor(reply, ctx, { recovery: query.get('kind') === 'recovery' });
  });

  app.post('/ui/2fa', { config, ...csrf }, async (request, reply) => {
    await limitByAddress(gh, request, '2fa');
    const form = formOf(request);
    const challenge = form.get('login_challenge');
    const ctx = await flowContext(challenge);
    const recovery = form.get('kind') === 'recovery';
    const entered = { kind: recovery ? 'recovery' : 'totp', code: form.get('code') ?? '' } as const;
    try {
      return go(reply, await signIn.checkSecondFactor(await resume(request, challenge), entered, request.actor, challenge), ctx);
    } catch (err) {
      const refused = refusalOf(err);
      if (!(refused instanceof SecondFactorRefused)) return ended(reply, refused, ctx);
      return pages.secondFactor(reply, ctx, { recovery, error: refused.description, status: refused.status });
    }
  });
}

/** The context of a step that shows no form page of its own (it redirects, or shows an error): nothing to look up. */
const withoutPage = (challenge: string | undefined): FlowContext => ({
  challenge,
  clientName: undefined,
  formTargets: [],
  loginHint: undefined,
});

const withChallenge = (path: string, challenge: string | undefined) =>
  `${path}${challenge ? `?login_challenge=${encodeURIComponent(challenge)}` : ''}`;
