/** Short pages: signed out, logout confirmation, errors. */
import type { ClientJson } from '../../clients/clients.js';
import { csrfField, hidden } from '../forms.js';
import { html, type SafeHtml } from '../html.js';

export const signedOutPage = (): SafeHtml => html`<h1>You are signed out</h1><p>You can close this window.</p>`;

export const errorPage = (error: string, description: string, restart?: string): SafeHtml => html`<div class="error">
<h1>Something went wrong</h1>
<p>${description}</p>
${restart ? html`<p><a class="button secondary" href="${restart}">Start again</a></p>` : ''}
<p class="muted">Error code: <code>${error}</code></p>
<p class="muted">If you came here from an application, go back to it and try again.</p>
</div>`;

export function logoutPage(m: { challenge: string; csrf: string; client?: ClientJson | undefined }): SafeHtml {
  return html`<h1>Sign out?</h1>
<p>${m.client ? html`<strong>${m.client.client_name || m.client.client_id}</strong> asks to sign you out of Gatehouse.` : 'Do you want to sign out of Gatehouse?'}</p>
<form method="post" action="/ui/logout">
${csrfField(m.csrf)}${hidden('logout_challenge', m.challenge)}
<div class="row">
<button type="submit" name="decision" value="stay" class="secondary">Stay signed in</button>
<button type="submit" name="decision" value="logout">Sign out</button>
</div>
</form>`;
}

export const stillSignedInPage = (): SafeHtml =>
  html`<h1>You are still signed in</h1><p>Nothing changed. <a href="/ui/account">Go to your account</a>.</p>`;
