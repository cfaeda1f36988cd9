/**
 * The built-in login app: sign in or register with a one-time code by email, SMS or
 * WhatsApp (a captcha first for phones, and for email when many codes were asked for the
 * address or from the network: the step-up of code-limits.ts), then TOTP when enrolled. It answers the login
 * request through the same service the admin API wraps; without a login_challenge it signs
 * the person in to their account page.
 *
 * The code in progress is tied to the browser by a signed cookie, so a verified code cannot
 * be finished from another browser; every page answers the same whether or not an account
 * exists, until the code has proved the address. A browser that proved an address keeps a
 * signed cookie saying so (proved-addresses.ts), which lets it past the limits a stranger
 * can run up on that address.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InputError, normalizeEmail, normalizePhone } from '../../accounts/identifiers.js';
import { CaptchaRequired, CodeError, type OneTimeCodes, RateLimited } from '../../accounts/one-time-codes.js';
import type { CaptchaWidget } from '../../captcha/captcha.js';
import { hashSecret } from '../../crypto/tokens.js';
import type { Account, CodeChannel, OneTimeCode } from '../../db/schema.js';
import { DeliveryError } from '../../delivery/delivery.js';
import { codeMessage } from '../../delivery/templates.js';
import type { Actor } from '../../events/actor.js';
import { SESSION_COOKIE } from '../../flows/context.js';
import type { Gatehouse } from '../../gatehouse.js';
import type { FieldErrors } from '../../ui/forms.js';
import { type CodePageModel, codePage, noAccountPage, twoFactorPage } from '../../ui/pages/code.js';
import { type LoginPageModel, loginPage, pageUrl } from '../../ui/pages/login.js';
import { applyCookies, signedCookie } from '../cookies.js';
import { hasProved, rememberProved } from './proved-addresses.js';
import { csrfToken, formOf, limitByAddress, originsOf, queryOf, sendError, sendPage } from './ui-support.js';

const OTP_COOKIE = 'gatehouse_otp';
type Mode = 'login' | 'register';

/** Where a page of the flow may end up after a post: the application's callbacks. */
interface FlowContext {
  challenge: string | undefined;
  clientName: string | undefined;
  formTargets: string[];
  loginHint: string | undefined;
}

export async function loginAppRoutes(app: FastifyInstance, gh: Gatehouse): Promise<void> {
  const secure = gh.config.issuer.startsWith('https:');
  const config = { htmlErrors: true };
  const csrf = { preHandler: app.csrfProtection };

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

  /** The script and the third-party origins a page needs to show the captcha widget. */
  function captchaPolicy(captcha: CaptchaWidget) {
    return {
      ...(captcha.scriptUrl ? { scripts: [captcha.scriptUrl] } : {}),
      ...(captcha.kind === 'turnstile' ? { thirdParty: ['https://challenges.cloudflare.com'] } : {}),
      ...(captcha.kind === 'hcaptcha' ? { thirdParty: ['https://hcaptcha.com', 'https://*.hcaptcha.com'] } : {}),
    };
  }

  /** True when the form carries a captcha solution that verifies (always, with CAPTCHA=none). */
  async function captchaSolved(request: FastifyRequest): Promise<boolean> {
    const widget = gh.login.captcha.widget();
    return gh.login.captcha.verify(formOf(request).get(widget.field), request.ip);
  }

  /** This browser proved `destination`: by the signed cookie, or a code it entered in this flow. */
  function provedHere(request: FastifyRequest, destination: string, current: OneTimeCode | undefined): boolean {
    if (current?.verified_at && current.destination === destination) return true;
    return hasProved(request, gh.login.codes.proofTag(destination), gh.now());
  }

  function renderLogin(
    reply: FastifyReply,
    model: Omit<LoginPageModel, 'csrf' | 'phoneChannels' | 'captcha'>,
    ctx: FlowContext,
    status = 200,
  ) {
    const captcha = gh.login.captcha.widget();
    const showsCaptcha = model.method === 'phone' || model.askCaptcha === true;
    return sendPage(
      reply,
      loginPage({
        ...model,
        csrf: csrfToken(reply),
        phoneChannels: gh.login.delivery.channels().filter((c) => c !== 'email'),
        captcha,
      }),
      {
        title: model.mode === 'register' ? 'Create your account' : 'Sign in',
        status,
        formTargets: ctx.formTargets,
        ...(showsCaptcha ? captchaPolicy(captcha) : {}),
      },
    );
  }

  /** The code page; its resend form shows the captcha when a new code needs one. */
  function renderCode(
    reply: FastifyReply,
    model: Omit<CodePageModel, 'csrf' | 'resendCaptcha'>,
    ctx: FlowContext,
    options: { status?: number; askCaptcha?: boolean } = {},
  ) {
    const captcha = gh.login.captcha.widget();
    // Every SMS and WhatsApp send needs the captcha; an email one only after a step-up.
    const showsCaptcha = (model.channel !== 'email' || options.askCaptcha === true) && captcha.kind !== 'none';
    return sendPage(reply, codePage({ ...model, csrf: csrfToken(reply), resendCaptcha: showsCaptcha ? captcha : undefined }), {
      title: 'Enter your code',
      status: options.status ?? 200,
      formTargets: ctx.formTargets,
      ...(showsCaptcha ? captchaPolicy(captcha) : {}),
    });
  }

  const show = (mode: Mode) => async (request: FastifyRequest, reply: FastifyReply) => {
    const query = queryOf(request);
    const challenge = query.get('login_challenge');
    const method = query.get('method') === 'phone' ? 'phone' : 'email';
    if (challenge) {
      const loginRequest = await gh.loginRequests.get(challenge);
      // A remembered session: Hydra asks the login app to confirm it without asking the person.
      if (loginRequest.skip) {
        const { redirect_to } = await gh.loginRequests.accept(request.actor, challenge, { subject: loginRequest.subject });
        return reply.redirect(redirect_to, 303);
      }
    } else if (await gh.login.sessions.find(signedCookie(request, SESSION_COOKIE))) {
      return reply.redirect('/ui/account', 303);
    }
    const ctx = await flowContext(challenge);
    return renderLogin(
      reply,
      { mode, method, loginChallenge: challenge, clientName: ctx.clientName, values: {}, errors: {}, loginHint: ctx.loginHint },
      ctx,
    );
  };

  const submit = (mode: Mode) => async (request: FastifyRequest, reply: FastifyReply) => {
    await limitByAddress(gh, request, 'login');
    const form = formOf(request);
    const challenge = form.get('login_challenge');
    const ctx = await flowContext(challenge);
    const method = form.get('method') === 'phone' ? 'phone' : 'email';
    const values = {
      email: form.get('email'),
      phone: form.get('phone'),
      channel: form.get('channel'),
      remember: form.get('remember') === '1',
    };
    const errors: FieldErrors = {};
    const again = (status: number, message?: string, askCaptcha = false) =>
      renderLogin(
        reply,
        { mode, method, loginChallenge: challenge, clientName: ctx.clientName, values, errors, message, askCaptcha },
        ctx,
        status,
      );

    let destination = '';
    let channel: CodeChannel = 'email';
    try {
      if (method === 'email') {
        destination = normalizeEmail(values.email ?? '');
      } else {
        destination = normalizePhone(values.phone ?? '', gh.config.defaultCountry);
        channel = values.channel === 'whatsapp' && gh.login.delivery.channels().includes('whatsapp') ? 'whatsapp' : 'sms';
      }
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      errors[err.field] = err.message;
    }
    // The captcha comes before any SMS or WhatsApp send; email needs it only after a step-up.
    const solved = Object.values(errors).some(Boolean) ? false : await captchaSolved(request);
    if (method === 'phone' && !errors.phone && !solved) {
      errors.captcha = 'Please complete the check that you are a person.';
    }
    if (Object.values(errors).some(Boolean)) return again(400);

    let issued: Awaited<ReturnType<OneTimeCodes['issue']>>;
    try {
      issued = await gh.login.codes.issue({
        purpose: mode,
        channel,
        destination,
        loginChallengeHash: challenge ? hashSecret(challenge) : null,
        ip: request.ip,
        proved: provedHere(request, destination, (await currentCode(request, challenge))?.code),
        captchaSolved: solved,
      });
    } catch (err) {
      if (err instanceof CaptchaRequired) {
        errors.captcha = STEP_UP_TEXT;
        return again(400, undefined, true);
      }
      if (err instanceof RateLimited) return again(429, refusalText(err));
      throw err;
    }
    try {
      await sendCode(request, destination, channel, mode, issued.code);
    } catch (err) {
      if (err instanceof DeliveryError) return again(502, 'We could not send the code. Check the address and try again.');
      throw err;
    }
    setOtpCookie(reply, issued.id, values.remember);
    return reply.redirect(codeUrl(challenge), 303);
  };

  async function sendCode(request: FastifyRequest, to: string, channel: CodeChannel, purpose: Mode, code: string) {
    const locale = request.headers['accept-language']?.split(',')[0]?.split('-')[0]?.trim() || 'en';
    const message = codeMessage(locale, { code, minutes: Math.round(gh.config.otpTtl / 60), purpose, channel });
    await gh.login.delivery.send({ channel, to, subject: message.subject, text: message.text });
  }

  function setOtpCookie(reply: FastifyReply, id: string, remember: boolean) {
    applyCookies(
      reply,
      [{ name: OTP_COOKIE, value: `${id}.${remember ? 1 : 0}`, path: '/ui', maxAge: gh.config.otpTtl, signed: true }],
      secure,
    );
  }

  /** The code this browser is working on, if it is still usable. */
  async function currentCode(
    request: FastifyRequest,
    challenge: string | undefined,
  ): Promise<{ code: OneTimeCode; remember: boolean } | undefined> {
    const [id, remember] = (signedCookie(request, OTP_COOKIE) ?? '').split('.');
    if (!id) return undefined;
    const code = await gh.login.codes.find(id);
    if (!code || code.consumed_at || code.expires_at.getTime() <= gh.now()) return undefined;
    // A code belongs to the sign-in it was asked for.
    if (code.login_challenge_hash !== (challenge ? hashSecret(challenge) : null)) return undefined;
    return { code, remember: remember === '1' };
  }

  const startOver = (challenge: string | undefined) => pageUrl('login', 'email', challenge);

  app.get('/ui/login', { config }, show('login'));
  app.get('/ui/register', { config }, show('register'));
  app.post('/ui/login', { config, ...csrf }, submit('login'));
  app.post('/ui/register', { config, ...csrf }, submit('register'));

  app.get('/ui/code', { config }, async (request, reply) => {
    const challenge = queryOf(request).get('login_challenge');
    const ctx = await flowContext(challenge);
    const current = await currentCode(request, challenge);
    if (!current) return reply.redirect(startOver(challenge), 303);
    const sent = queryOf(request).get('sent') === '1';
    return renderCode(
      reply,
      {
        destination: current.code.destination,
        channel: current.code.channel,
        loginChallenge: challenge,
        errors: {},
        startOver: startOver(challenge),
        ...(sent ? { info: 'We sent a new code.' } : {}),
      },
      ctx,
    );
  });

  app.post('/ui/code', { config, ...csrf }, async (request, reply) => {
    await limitByAddress(gh, request, 'code');
    const form = formOf(request);
    const challenge = form.get('login_challenge');
    const ctx = await flowContext(challenge);
    const current = await currentCode(request, challenge);
    if (!current) return reply.redirect(startOver(challenge), 303);
    const { code } = current;
    let verified: OneTimeCode;
    try {
      verified = await gh.login.codes.verify(code.id, (form.get('code') ?? '').replace(/\s+/g, ''));
    } catch (err) {
      if (!(err instanceof CodeError)) throw err;
      const message = {
        wrong:
          err.attemptsLeft > 0
            ? `That code is not right. ${err.attemptsLeft} ${err.attemptsLeft === 1 ? 'try' : 'tries'} left.`
            : 'That code is not right, and that was the last try. Send a new code.',
        expired: 'This code has expired. Send a new one.',
        too_many_attempts: 'Too many wrong tries. Send a new code.',
        used: 'This code was already used. Send a new one.',
        unknown: 'This code is no longer valid. Send a new one.',
      }[err.reason];
      return renderCode(
        reply,
        {
          destination: code.destination,
          channel: code.channel,
          loginChallenge: challenge,
          errors: { code: message },
          startOver: startOver(challenge),
        },
        ctx,
        { status: 400 },
      );
    }
    // This browser has now proved the address: strangers' requests for it no longer hold it back.
    rememberProved(request, reply, gh.login.codes.proofTag(verified.destination), {
      now: gh.now(),
      ttlSeconds: gh.config.otpRememberAddress,
      secure,
    });
    const account = await accountFor(verified);
    if (!account) {
      if (verified.purpose === 'register')
        return proceed(reply, challenge, verified, await register(request.actor, verified), current.remember);
      return sendPage(
        reply,
        noAccountPage({
          destination: verified.destination,
          loginChallenge: challenge,
          csrf: csrfToken(reply),
          startOver: startOver(challenge),
        }),
        { title: 'No account yet', formTargets: ctx.formTargets },
      );
    }
    return proceed(reply, challenge, verified, account, current.remember);
  });

  app.post('/ui/code/resend', { config, ...csrf }, async (request, reply) => {
    await limitByAddress(gh, request, 'code');
    const challenge = formOf(request).get('login_challenge');
    const ctx = await flowContext(challenge);
    const current = await currentCode(request, challenge);
    if (!current) return reply.redirect(startOver(challenge), 303);
    let issued: Awaited<ReturnType<OneTimeCodes['resend']>>;
    try {
      issued = await gh.login.codes.resend(current.code.id, {
        ip: request.ip,
        proved: provedHere(request, current.code.destination, current.code),
        captchaSolved: await captchaSolved(request),
      });
    } catch (err) {
      if (!(err instanceof RateLimited || err instanceof CaptchaRequired)) throw err;
      const page = {
        destination: current.code.destination,
        channel: current.code.channel,
        loginChallenge: challenge,
        startOver: startOver(challenge),
      };
      if (err instanceof CaptchaRequired) {
        return renderCode(reply, { ...page, errors: { captcha: STEP_UP_TEXT } }, ctx, { status: 400, askCaptcha: true });
      }
      return renderCode(reply, { ...page, errors: {}, message: refusalText(err) }, ctx, { status: 429 });
    }
    try {
      await sendCode(request, current.code.destination, current.code.channel, current.code.purpose, issued.code);
    } catch (err) {
      if (err instanceof DeliveryError)
        return sendError(
          reply,
          502,
          'delivery_failed',
          'We could not send the code. Try again in a moment.',
          startOver(challenge),
        );
      throw err;
    }
    setOtpCookie(reply, issued.id, current.remember);
    return reply.redirect(`${codeUrl(challenge)}${challenge ? '&' : '?'}sent=1`, 303);
  });

  // The address is proved; the person chose to create an account from the sign-in page.
  app.post('/ui/register/confirm', { config, ...csrf }, async (request, reply) => {
    const challenge = formOf(request).get('login_challenge');
    const current = await currentCode(request, challenge);
    if (!current?.code.verified_at) return reply.redirect(startOver(challenge), 303);
    const account = (await accountFor(current.code)) ?? (await register(request.actor, current.code));
    return proceed(reply, challenge, current.code, account, current.remember);
  });

  app.get('/ui/2fa', { config }, async (request, reply) => {
    const query = queryOf(request);
    const challenge = query.get('login_challenge');
    const ctx = await flowContext(challenge);
    const current = await currentCode(request, challenge);
    if (!current?.code.verified_at) return reply.redirect(startOver(challenge), 303);
    return sendPage(
      reply,
      twoFactorPage({
        loginChallenge: challenge,
        csrf: csrfToken(reply),
        errors: {},
        recovery: query.get('kind') === 'recovery',
      }),
      { title: 'Two-factor authentication', formTargets: ctx.formTargets },
    );
  });

  app.post('/ui/2fa', { config, ...csrf }, async (request, reply) => {
    await limitByAddress(gh, request, '2fa');
    const form = formOf(request);
    const challenge = form.get('login_challenge');
    const ctx = await flowContext(challenge);
    const current = await currentCode(request, challenge);
    if (!current?.code.verified_at) return reply.redirect(startOver(challenge), 303);
    const account = await accountFor(current.code);
    if (!account) return reply.redirect(startOver(challenge), 303);
    const recovery = form.get('kind') === 'recovery';
    // One guess limit per account and one audit event for every check of the second factor.
    const checked = await gh.login.secondFactor.check(
      request.actor,
      account.id,
      { kind: recovery ? 'recovery' : 'totp', code: form.get('code') ?? '' },
      'sign_in',
    );
    if (!checked.ok) {
      const message =
        checked.reason === 'wrong_code'
          ? 'That code is not right.'
          : `Too many tries. Wait ${waitText(checked.retryAfterSeconds)} and try again.`;
      return sendPage(
        reply,
        twoFactorPage({ loginChallenge: challenge, csrf: csrfToken(reply), errors: { code: message }, recovery }),
        {
          title: 'Two-factor authentication',
          status: checked.reason === 'wrong_code' ? 400 : 429,
          formTargets: ctx.formTargets,
        },
      );
    }
    return finish(reply, challenge, current.code, account, current.remember, true);
  });

  function accountFor(code: OneTimeCode): Promise<Account | undefined> {
    return code.channel === 'email'
      ? gh.login.accounts.findByEmail(code.destination)
      : gh.login.accounts.findByPhone(code.destination);
  }

  async function register(actor: Actor, code: OneTimeCode): Promise<Account> {
    const account = await gh.login.accounts.register(
      code.channel === 'email' ? { email: code.destination } : { phone: code.destination },
    );
    await gh.events.emit({ type: 'account.created', accountId: account.id, via: code.channel }, actor);
    return account;
  }

  async function proceed(
    reply: FastifyReply,
    challenge: string | undefined,
    code: OneTimeCode,
    account: Account,
    remember: boolean,
  ) {
    if (gh.login.totp.isEnabled(account)) {
      return reply.redirect(`/ui/2fa${challenge ? `?login_challenge=${encodeURIComponent(challenge)}` : ''}`, 303);
    }
    return finish(reply, challenge, code, account, remember, false);
  }

  /** Spends the code and signs the person in: answers the login request, or opens the account page. */
  async function finish(
    reply: FastifyReply,
    challenge: string | undefined,
    code: OneTimeCode,
    account: Account,
    remember: boolean,
    mfa: boolean,
  ) {
    if (!(await gh.login.codes.consume(code.id))) {
      return sendError(
        reply,
        409,
        'code_used',
        'This code was already used to sign in. Please start again.',
        startOver(challenge),
      );
    }
    applyCookies(reply, [{ name: OTP_COOKIE, value: null, path: '/ui', signed: true }], secure);
    // RFC 8176 method references: "sms" for a texted code, "otp" for a one-time code, "mfa" with TOTP.
    const amr = [code.channel === 'email' ? 'otp' : 'sms', ...(mfa ? ['otp', 'mfa'] : [])];
    const uniqueAmr = [...new Set(amr)];
    if (challenge) {
      const { redirect_to } = await gh.loginRequests.accept(reply.request.actor, challenge, {
        subject: account.id,
        remember,
        remember_for: remember ? gh.config.loginSessionTtl : 0,
        amr: uniqueAmr,
        acr: mfa ? 'mfa' : '1',
      });
      return reply.redirect(redirect_to, 303);
    }
    const { cookie } = await gh.login.sessions.start(account.id, remember);
    applyCookies(reply, [cookie], secure);
    return reply.redirect('/ui/account', 303);
  }
}

const codeUrl = (challenge: string | undefined) =>
  `/ui/code${challenge ? `?login_challenge=${encodeURIComponent(challenge)}` : ''}`;

const STEP_UP_TEXT = 'Please complete the check that you are a person, then ask again.';

/** What a refusal says: which limit, and when a new code can be had (the latest of the broken limits). */
function refusalText(err: RateLimited): string {
  const wait = waitText(err.retryAfterSeconds);
  switch (err.limit) {
    case 'cooldown':
      return `A code was sent a moment ago. You can ask for another in ${wait}.`;
    case 'network':
      return `Too many codes were asked for from your network. Try again in ${wait}.`;
    case 'destination':
      return `Too many codes were sent to this number. Try again in ${wait}, or sign in with your email address.`;
  }
}

function waitText(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}
