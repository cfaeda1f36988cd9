/** Linking a social account: the Telegram widget page, and the page that says why linking stopped. */
import { html, type SafeHtml } from '../html.js';

/** Where a person goes back to: the consent page they came from, or their account. */
export interface Way {
  href: string;
  label: string;
}

export function linkProblemPage(m: { heading: string; description: string; code: string; back: Way; retry?: string }): SafeHtml {
  return html`<div class="error">
<h1>${m.heading}</h1>
<p>${m.description}</p>
<p><a class="button" href="${m.back.href}">${m.back.label}</a></p>
${m.retry ? html`<p><a class="button secondary" href="${m.retry}">Try again</a></p>` : ''}
<p class="muted">Error code: <code>${m.code}</code></p>
</div>`;
}

/**
 * Telegram's own button (core.telegram.org/widgets/login): its script draws the button in a
 * frame from oauth.telegram.org and, once the person confirms in Telegram, sends the browser
 * to `authUrl` with the signed login data. The page's policy names both Telegram origins.
 */
export function telegramLinkPage(m: { botUsername: string; authUrl: string; linked?: string | undefined; back: Way }): SafeHtml {
  return html`<h1>Link your Telegram account</h1>
<p>Sign in with Telegram below. Gatehouse receives your Telegram id, username and name, signed by Telegram; nothing is posted for you.</p>
${m.linked ? html`<p class="muted">Linked now: <code>${m.linked}</code>. Signing in with another Telegram account replaces it.</p>` : ''}
<div class="telegram-login">
<script async src="https://telegram.org/js/telegram-widget.js?22" data-telegram-login="${m.botUsername}" data-size="large" data-auth-url="${m.authUrl}"></script>
</div>
<noscript><p class="notice error">Telegram's sign-in button needs JavaScript. Turn it on for this page, or link Telegram from another browser.</p></noscript>
<p><a class="button secondary" href="${m.back.href}">${m.back.label}</a></p>`;
}
