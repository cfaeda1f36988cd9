/**
 * Rendering the login app's pages: the sign-in form, the code page and the second-factor
 * page, each with the page policy its forms and its captcha widget need.
 */
import type { FastifyReply } from 'fastify';
import type { CaptchaWidget } from '../../captcha/captcha.js';
import type { Gatehouse } from '../../gatehouse.js';
import { type CodePageModel, codePage, noAccountPage, twoFactorPage } from '../../ui/pages/code.js';
import { type LoginPageModel, loginPage, pageUrl } from '../../ui/pages/login.js';
import { csrfToken, sendPage } from './ui-support.js';

/** The application a sign-in is for, as its pages show it and as their forms may leave to. */
export interface FlowContext {
  challenge: string | undefined;
  clientName: string | undefined;
  formTargets: string[];
  loginHint: string | undefined;
}

/** The sign-in page to go back to when a sign-in cannot go on. */
export const startOver = (challenge: string | undefined) => pageUrl('login', 'email', challenge);

/** The script and the third-party origins a page needs to show the captcha widget. */
function captchaPolicy(captcha: CaptchaWidget) {
  return {
    ...(captcha.scriptUrl ? { scripts: [captcha.scriptUrl] } : {}),
    ...(captcha.kind === 'turnstile' ? { thirdParty: ['https://challenges.cloudflare.com'] } : {}),
    ...(captcha.kind === 'hcaptcha' ? { thirdParty: ['https://hcaptcha.com', 'https://*.hcaptcha.com'] } : {}),
  };
}

export function loginPages(gh: Gatehouse) {
  return {
    signInForm(
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
    },

    /** The code page; its resend form shows the captcha when a new code needs one. */
    code(
      reply: FastifyReply,
      model: Omit<CodePageModel, 'csrf' | 'resendCaptcha' | 'startOver' | 'loginChallenge'>,
      ctx: FlowContext,
      options: { status?: number; askCaptcha?: boolean } = {},
    ) {
      const captcha = gh.login.captcha.widget();
      // Every SMS and WhatsApp send needs the captcha; an email one only after a step-up.
      const showsCaptcha = (model.channel !== 'email' || options.askCaptcha === true) && captcha.kind !== 'none';
      const page = codePage({
        ...model,
        loginChallenge: ctx.challenge,
        startOver: startOver(ctx.challenge),
        csrf: csrfToken(reply),
        resendCaptcha: showsCaptcha ? captcha : undefined,
      });
      return sendPage(reply, page, {
        title: 'Enter your code',
        status: options.status ?? 200,
        formTargets: ctx.formTargets,
        ...(showsCaptcha ? captchaPolicy(captcha) : {}),
      });
    },

    noAccount(reply: FastifyReply, destination: string, ctx: FlowContext) {
      const page = noAccountPage({
        destination,
        loginChallenge: ctx.challenge,
        csrf: csrfToken(reply),
        startOver: startOver(ctx.challenge),
      });
      return sendPage(reply, page, { title: 'No account yet', formTargets: ctx.formTargets });
    },

    secondFactor(reply: FastifyReply, ctx: FlowContext, m: { recovery: boolean; error?: string; status?: number }) {
      const page = twoFactorPage({
        loginChallenge: ctx.challenge,
        csrf: csrfToken(reply),
        errors: m.error ? { code: m.error } : {},
        recovery: m.recovery,
      });
      return sendPage(reply, page, {
        title: 'Two-factor authentication',
        status: m.status ?? 200,
        formTargets: ctx.formTargets,
      });
    },
  };
}
