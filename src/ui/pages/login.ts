/** Sign in and register: by email, or by phone (SMS / WhatsApp) after a captcha. */
import type { CaptchaWidget } from '../../captcha/captcha.js';
import type { CodeChannel } from '../../db/schema.js';
import { checkbox, csrfField, type FieldErrors, hidden, input, notice } from '../forms.js';
import { html, type SafeHtml } from '../html.js';

export interface LoginPageModel {
  mode: 'login' | 'register';
  method: 'email' | 'phone';
  loginChallenge?: string | undefined;
  clientName?: string | undefined;
  csrf: string;
  values: { email?: string; phone?: string; channel?: string; remember?: boolean };
  errors: FieldErrors;
  message?: string | undefined;
  phoneChannels: CodeChannel[];
  captcha: CaptchaWidget;
  /** Show the captcha on the email form too: many codes were asked for lately (step-up). */
  askCaptcha?: boolean;
  loginHint?: string | undefined;
}

export function pageUrl(mode: 'login' | 'register', method: 'email' | 'phone', challenge: string | undefined): string {
  const query = new URLSearchParams({ ...(challenge ? { login_challenge: challenge } : {}), method });
  return `/ui/${mode}?${query}`;
}

export function captchaWidget(widget: CaptchaWidget, error: string | undefined): SafeHtml | string {
  if (widget.kind === 'none') return '';
  const box =
    widget.kind === 'altcha'
      ? html`<altcha-widget challenge="${widget.challengeUrl ?? ''}" name="${widget.field}" configuration='{"hideFooter":true}'></altcha-widget>`
      : widget.kind === 'turnstile'
        ? html`<div class="cf-turnstile" data-sitekey="${widget.siteKey ?? ''}"></div>`
        : html`<div class="h-captcha" data-sitekey="${widget.siteKey ?? ''}"></div>`;
  return html`<div class="captcha">${box}${error ? html`<p class="field-error" role="alert">${error}</p>` : ''}</div>`;
}

export function loginPage(m: LoginPageModel): SafeHtml {
  const register = m.mode === 'register';
  const title = register ? 'Create your account' : 'Sign in';
  const other = register
    ? html`Already have an account? <a href="${pageUrl('login', m.method, m.loginChallenge)}">Sign in</a>`
    : html`New here? <a href="${pageUrl('register', m.method, m.loginChallenge)}">Register here</a>`;
  const remember = m.values.remember ?? true;
  const form =
    m.method === 'email'
      ? html`${input({ name: 'email', label: 'Email address', type: 'email', value: m.values.email ?? m.loginHint, error: m.errors.email, autocomplete: 'email', autofocus: true, placeholder: 'name@example.com' })}
${m.askCaptcha ? captchaWidget(m.captcha, m.errors.captcha) : ''}`
      : html`${input({ name: 'phone', label: 'Phone number', type: 'tel', value: m.values.phone, error: m.errors.phone, autocomplete: 'tel', autofocus: true, placeholder: '+1 555 010 0123', hint: 'Include the country code, e.g. +44.' })}
${
  m.phoneChannels.length > 1
    ? html`<fieldset class="row"><legend class="muted">Send the code by</legend>${m.phoneChannels.map(
        (c) =>
          html`<label class="check"><input type="radio" name="channel" value="${c}"${(m.values.channel ?? 'sms') === c ? html` checked` : ''}> ${c === 'sms' ? 'SMS' : 'WhatsApp'}</label>`,
      )}</fieldset>`
    : hidden('channel', 'sms')
}
${captchaWidget(m.captcha, m.errors.captcha)}`;
  return html`<h1>${title}</h1>
${m.clientName ? html`<p class="muted">to continue to <strong>${m.clientName}</strong></p>` : ''}
${notice(m.message, 'error')}
<nav class="tabs" aria-label="Sign-in method">
  <a href="${pageUrl(m.mode, 'email', m.loginChallenge)}"${m.method === 'email' ? html` aria-current="page"` : ''}>Email</a>
  <a href="${pageUrl(m.mode, 'phone', m.loginChallenge)}"${m.method === 'phone' ? html` aria-current="page"` : ''}>Phone</a>
</nav>
<form method="post" action="/ui/${m.mode}" novalidate>
${csrfField(m.csrf)}${hidden('login_challenge', m.loginChallenge)}${hidden('method', m.method)}
${form}
${checkbox('remember', 'Keep me signed in on this device', remember)}
<button type="submit">${register ? 'Send me a code' : 'Continue'}</button>
</form>
<p class="muted">${other}</p>`;
}
