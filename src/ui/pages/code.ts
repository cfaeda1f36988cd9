/** The one-time code step, and the TOTP step that follows when 2FA is on. */

import type { CaptchaWidget } from '../../captcha/captcha.js';
import { csrfField, type FieldErrors, hidden, input, maskDestination, notice } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { captchaWidget } from './login.js';

export interface CodePageModel {
  destination: string;
  channel: string;
  loginChallenge?: string | undefined;
  csrf: string;
  errors: FieldErrors;
  message?: string | undefined;
  info?: string | undefined;
  startOver: string;
  /** A new code needs the captcha first (always for SMS and WhatsApp): shown in the resend form. */
  resendCaptcha?: CaptchaWidget | undefined;
}

export function codePage(m: CodePageModel): SafeHtml {
  const via = m.channel === 'email' ? 'email' : m.channel === 'whatsapp' ? 'WhatsApp message' : 'text message';
  return html`<h1>Enter your code</h1>
<p>We sent a 6-digit code by ${via} to <strong>${maskDestination(m.destination)}</strong>.</p>
${notice(m.info)}${notice(m.message, 'error')}
<form method="post" action="/ui/code" novalidate>
${csrfField(m.csrf)}${hidden('login_challenge', m.loginChallenge)}
${input({ name: 'code', label: 'Code', value: '', error: m.errors.code, autocomplete: 'one-time-code', inputmode: 'numeric', className: 'code', autofocus: true })}
<button type="submit">Verify</button>
</form>
<form method="post" action="/ui/code/resend">
${csrfField(m.csrf)}${hidden('login_challenge', m.loginChallenge)}
${m.resendCaptcha ? captchaWidget(m.resendCaptcha, m.errors.captcha) : ''}
<p class="muted">Didn’t get it? <button type="submit" class="link">Send a new code</button> · <a href="${m.startOver}">Use a different address</a></p>
</form>`;
}

export interface NoAccountModel {
  destination: string;
  loginChallenge?: string | undefined;
  csrf: string;
  startOver: string;
}

/** Shown only after the code proved the address, so it reveals nothing to a stranger. */
export function noAccountPage(m: NoAccountModel): SafeHtml {
  return html`<h1>No account yet</h1>
<p>There is no account for <strong>${m.destination}</strong>. Create one now?</p>
<form method="post" action="/ui/register/confirm">
${csrfField(m.csrf)}${hidden('login_challenge', m.loginChallenge)}
<button type="submit">Create my account</button>
</form>
<p class="muted"><a href="${m.startOver}">Use a different address</a></p>`;
}

export interface TwoFactorModel {
  loginChallenge?: string | undefined;
  csrf: string;
  errors: FieldErrors;
  recovery: boolean;
}

export function twoFactorPage(m: TwoFactorModel): SafeHtml {
  const challenge = m.loginChallenge ? `&login_challenge=${encodeURIComponent(m.loginChallenge)}` : '';
  return html`<h1>Two-factor authentication</h1>
<p>${m.recovery ? 'Enter one of your recovery codes.' : 'Enter the 6-digit code from your authenticator app.'}</p>
<form method="post" action="/ui/2fa" novalidate>
${csrfField(m.csrf)}${hidden('login_challenge', m.loginChallenge)}${hidden('kind', m.recovery ? 'recovery' : 'totp')}
${
  m.recovery
    ? input({
        name: 'code',
        label: 'Recovery code',
        value: '',
        error: m.errors.code,
        autocomplete: 'off',
        autofocus: true,
        placeholder: 'abcd-efgh-ijkl',
      })
    : input({
        name: 'code',
        label: 'Authenticator code',
        value: '',
        error: m.errors.code,
        autocomplete: 'one-time-code',
        inputmode: 'numeric',
        className: 'code',
        autofocus: true,
      })
}
<button type="submit">Verify</button>
</form>
<p class="muted">${
    m.recovery
      ? html`<a href="/ui/2fa?kind=totp${challenge}">Use your authenticator app</a>`
      : html`Lost your device? <a href="/ui/2fa?kind=recovery${challenge}">Use a recovery code</a>`
  }</p>`;
}
