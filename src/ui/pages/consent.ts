/** The consent screen: who is asking, for what, in plain words; Allow or Deny. */
import type { ClientJson } from '../../clients/clients.js';
import { checkbox, csrfField, hidden } from '../forms.js';
import { html, type SafeHtml } from '../html.js';

export interface ConsentModel {
  challenge: string;
  client: ClientJson;
  scopes: { name: string; description: string }[];
  csrf: string;
  who: string;
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
${m.scopes.length > 0 ? html`<p>This will allow ${name} to:</p><ul class="scopes">${m.scopes.map((s) => html`<li>${s.description}</li>`)}</ul>` : html`<p>${name} asks to sign you in.</p>`}
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
