/** The consent screen: who is asking, for what, in plain words; Allow or Deny. */
import type { ClientJson } from '../../clients/clients.js';
import { checkbox, csrfField, hidden } from '../forms.js';
import { html, type SafeHtml } from '../html.js';

/** One asked scope: what it means, and exactly what would be shared, or how to link it first. */
export interface ConsentScope {
  name: string;
  description: string;
  /** The value the application will read (the address, the username, the email). */
  value?: string | undefined;
  /** An identity scope with nothing linked: where to link it, then come back. */
  linkHref?: string | undefined;
  /** Nothing to share and nothing to link here (e.g. no email on a phone account). */
  unavailable?: boolean;
}

export interface ConsentModel {
  challenge: string;
  client: ClientJson;
  scopes: ConsentScope[];
  csrf: string;
  who: string;
}

function scopeLine(s: ConsentScope): SafeHtml {
  if (s.linkHref) {
    return html`<li class="missing"><div>${s.description}<br><span class="muted">Not linked yet: nothing will be shared.</span> <a href="${s.linkHref}">Link it now</a> <span class="muted">or continue without it.</span></div></li>`;
  }
  if (s.unavailable) {
    return html`<li class="missing"><div>${s.description}<br><span class="muted">Your account has none: nothing will be shared.</span></div></li>`;
  }
  return html`<li><div>${s.description}${s.value ? html`<br><code class="shared">${s.value}</code>` : ''}</div></li>`;
}

const safeLink = (uri: string) => /^https?:\/\//i.test(uri);

export function appHeader(client: Pick<ClientJson, 'client_name' | 'client_id' | 'logo_uri' | 'client_uri'>): SafeHtml {
  const name = client.client_name || client.client_id;
  return html`<div class="app">
${client.logo_uri && safeLink(client.logo_uri) ? html`<img src="${client.logo_uri}" alt="" referrerpolicy="no-referrer">` : html`<span class="initial" aria-hidden="true">${name.slice(0, 1).toUpperCase()}</span>`}
<div><strong>${name}</strong>${client.client_uri && safeLink(client.client_uri) ? html`<br><a class="muted" href="${client.client_uri}" rel="noopener noreferrer">${new URL(client.client_uri).host}</a>` : ''}</div>
</div>`;
}

export function consentPage(m: ConsentModel): SafeHtml {
  const name = m.client.client_name || m.client.client_id;
  const links = [
    m.client.policy_uri && safeLink(m.client.policy_uri)
      ? html`<a href="${m.client.policy_uri}" rel="noopener noreferrer">privacy policy</a>`
      : undefined,
    m.client.tos_uri && safeLink(m.client.tos_uri)
      ? html`<a href="${m.client.tos_uri}" rel="noopener noreferrer">terms of service</a>`
      : undefined,
  ].filter(Boolean);
  return html`${appHeader(m.client)}
<h1>${name} wants to access your Gatehouse account</h1>
<p class="muted">Signed in as ${m.who}</p>
${m.scopes.length > 0 ? html`<p>This will allow ${name} to:</p><ul class="scopes">${m.scopes.map(scopeLine)}</ul>` : html`<p>${name} asks to sign you in.</p>`}
${links.length > 0 ? html`<p class="muted">Before you allow, read ${name}’s ${links.length === 2 ? html`${links[0]} and ${links[1]}` : links[0]}.</p>` : ''}
<form method="post" action="/ui/consent">
${csrfField(m.csrf)}${hidden('consent_challenge', m.challenge)}
${checkbox('remember', 'Remember this decision', true)}
<div class="row">
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button>
</div>
</form>
<footer>You can remove this access at any time on your <a href="/ui/account">account page</a>.</footer>`;
}
