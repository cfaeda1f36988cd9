/** The account page: who you are, linked identities, 2FA, the applications you allowed, your sessions. */

import { csrfField, type FieldErrors, hidden, input, notice } from '../forms.js';
import { html, type SafeHtml, trusted } from '../html.js';

export interface AccountModel {
  csrf: string;
  email: string | null;
  phone: string | null;
  accountId: string;
  twoFactor: { enabled: boolean; recoveryCodesLeft: number };
  apps: { clientId: string; name: string; scope: string[] }[];
  sessions: { id: string; authenticatedAt: Date; current: boolean }[];
  identities: IdentityRow[];
  flash?: string | undefined;
  error?: string | undefined;
}

/** One kind of identity on the account page: linked (with what is shared), linkable, or not offered here. */
export interface IdentityRow {
  kind: string;
  label: string;
  family: 'social' | 'wallet';
  linked?: string | undefined;
  available: boolean;
}

const when = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export function accountPage(m: AccountModel): SafeHtml {
  const post = (action: string, label: string, fields: SafeHtml | string = '', kind = 'secondary') =>
    html`<form method="post" action="${action}">${csrfField(m.csrf)}${fields}<button type="submit" class="${kind}">${label}</button></form>`;
  return html`<h1>Your account</h1>
${notice(m.flash)}
${m.error ? html`<div class="notice error" role="alert">${m.error}</div>` : ''}
<table>
${m.email ? html`<tr><th scope="row">Email</th><td>${m.email}</td></tr>` : ''}
${m.phone ? html`<tr><th scope="row">Phone</th><td>${m.phone}</td></tr>` : ''}
<tr><th scope="row">Account ID</th><td><code>${m.accountId}</code></td></tr>
</table>

<h2>Linked accounts and wallets</h2>
<p class="muted">Applications see one only if you allow the matching permission.</p>
${identityTable(m, post)}

<h2>Two-factor authentication</h2>
${
  m.twoFactor.enabled
    ? html`<p>On. You have ${m.twoFactor.recoveryCodesLeft} recovery code${m.twoFactor.recoveryCodesLeft === 1 ? '' : 's'} left.</p>
<form method="post" action="/ui/account/2fa/disable">${csrfField(m.csrf)}
${input({ name: 'code', label: 'Authenticator code to turn it off', value: '', autocomplete: 'one-time-code', inputmode: 'numeric', className: 'code' })}
<button type="submit" class="secondary">Turn off two-factor authentication</button></form>
<form method="post" action="/ui/account/2fa/recovery-codes">${csrfField(m.csrf)}
<label for="f-regenerate-code">Authenticator code for new recovery codes</label>
<input id="f-regenerate-code" name="code" type="text" value="" required autocomplete="one-time-code" inputmode="numeric" class="code">
<button type="submit" class="secondary">Replace my recovery codes</button></form>`
    : html`<p>Off. Add an authenticator app so that a code alone cannot open your account.</p>
<a class="button" href="/ui/account/2fa">Set up two-factor authentication</a>`
}

<h2>Applications you allowed</h2>
${
  m.apps.length === 0
    ? html`<p class="muted">None yet.</p>`
    : html`<table><tbody>${m.apps.map(
        (a) => html`<tr><td><strong>${a.name}</strong><br><span class="muted">${a.scope.join(', ') || 'sign-in only'}</span></td>
<td>${post('/ui/account/apps/revoke', 'Revoke', hidden('client_id', a.clientId))}</td></tr>`,
      )}</tbody></table>`
}

<h2>Sessions</h2>
<table><tbody>${m.sessions.map(
    (s) => html`<tr><td>Signed in ${when(s.authenticatedAt)}${s.current ? html` <strong>(this device)</strong>` : ''}</td>
<td>${s.current ? '' : post('/ui/account/sessions/revoke', 'Sign out', hidden('session_id', s.id))}</td></tr>`,
  )}</tbody></table>

${post('/ui/account/signout', 'Sign out', '', 'danger')}`;
}

export interface TotpSetupModel {
  csrf: string;
  secret: string;
  qrSvg: string;
  errors: FieldErrors;
}

export function totpSetupPage(m: TotpSetupModel): SafeHtml {
  // The SVG comes from the QR encoder, built from our own data: nothing a person typed.
  return html`<h1>Set up two-factor authentication</h1>
<p>Scan this code with an authenticator app (Google Authenticator, 1Password, Aegis…), then enter the 6-digit code it shows.</p>
<div class="qr">${trusted(m.qrSvg)}</div>
<p class="muted">Can’t scan? Enter this key: <code>${m.secret}</code></p>
<form method="post" action="/ui/account/2fa" novalidate>
${csrfField(m.csrf)}${hidden('secret', m.secret)}
${input({ name: 'code', label: 'Code from the app', value: '', error: m.errors.code, autocomplete: 'one-time-code', inputmode: 'numeric', className: 'code', autofocus: true })}
<button type="submit">Turn on</button>
</form>`;
}

export function recoveryCodesPage(codes: string[]): SafeHtml {
  return html`<h1>Save your recovery codes</h1>
<p>Two-factor authentication is on. If you lose your device, each of these codes signs you in once. Store them somewhere safe: they are shown only now.</p>
<ul class="codes">${codes.map((c) => html`<li>${c}</li>`)}</ul>
<a class="button" href="/ui/account">I saved them</a>`;
}

function identityTable(
  m: AccountModel,
  post: (action: string, label: string, fields?: SafeHtml | string, kind?: string) => SafeHtml,
): SafeHtml {
  const rows = (family: IdentityRow['family']) =>
    m.identities
      .filter((i) => i.family === family)
      .map(
        (i) => html`<tr><th scope="row">${i.label}</th>
<td>${i.linked ? html`<code>${i.linked}</code>` : html`<span class="muted">${i.available ? 'Not linked' : 'Not available on this server'}</span>`}</td>
<td>${
          i.linked
            ? post('/ui/account/identities/unlink', 'Unlink', hidden('kind', i.kind))
            : i.available
              ? html`<a href="/ui/account/identities/${i.kind}">Link<span class="visually-hidden"> ${i.label}</span></a>`
              : ''
        }</td></tr>`,
      );
  return html`<table class="identities"><tbody>${rows('social')}${rows('wallet')}</tbody></table>`;
}
