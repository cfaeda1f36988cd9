/**
 * Pages of the authorization server itself: the error page shown when a request cannot be
 * sent back to an application, the signed-out page, and the stand-ins shown at /ui/login,
 * /ui/consent and /ui/logout until the built-in login app is there.
 */
import { html } from './html.js';
import { layout } from './layout.js';

export function errorPage(error: string, description: string, nonce: string): string {
  return layout(
    'Something went wrong',
    html`<div class="error">
<h1>Something went wrong</h1>
<p>${description}</p>
<p class="muted">Error code: <code>${error}</code></p>
<p class="muted">If you came here from an application, go back to it and try again.</p>
</div>`,
    nonce,
  );
}

export function signedOutPage(nonce: string): string {
  return layout('Signed out', html`<h1>You are signed out</h1><p>You can close this window.</p>`, nonce);
}

export function pendingUiPage(which: 'login' | 'consent' | 'logout', challenge: string | undefined, nonce: string): string {
  const variable = { login: 'URLS_LOGIN', consent: 'URLS_CONSENT', logout: 'URLS_LOGOUT' }[which];
  return layout(
    `${which[0]?.toUpperCase()}${which.slice(1)}`,
    html`<h1>The built-in ${which} page is not available</h1>
<p>This Gatehouse has no ${which} app configured. An operator can point <code>${variable}</code> at a Hydra-compatible
${which} app, which answers this request through the admin API.</p>
${challenge ? html`<p class="muted">${which}_challenge: <code>${challenge}</code></p>` : ''}`,
    nonce,
  );
}
