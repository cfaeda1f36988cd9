/**
 * The developer portal's pages: the developer's applications, one application with its
 * credentials and review state, a secret shown once, confirmations. The registration and
 * edit form is in application-form.ts.
 */

import type { ClientType } from '../../clients/application-form.js';
import type { ClientJson } from '../../clients/clients.js';
import type { SecretState } from '../../clients/developer-applications.js';
import type { ClientStatus } from '../../db/schema.js';
import { csrfField, hidden, notice } from '../forms.js';
import { html, type SafeHtml } from '../html.js';

/** What every portal page shows around its content: who is signed in, and the way out. */
export interface PortalFrame {
  csrf: string;
  who: string;
}

export interface ScopeLine {
  name: string;
  description: string;
}

const STATUS_LABEL: Record<ClientStatus, string> = {
  pending: 'Waiting for review',
  approved: 'Approved',
  rejected: 'Rejected',
  suspended: 'Suspended',
};

export const CLIENT_TYPE_LABEL: Record<ClientType, string> = {
  confidential: 'Confidential: a web application with a server',
  public: 'Public: a single-page application in the browser',
  native: 'Public: a mobile or desktop application',
};

const day = (iso: string) => iso.slice(0, 10);
const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export const statusBadge = (status: ClientStatus) =>
  html`<span class="app-status app-status-${status}">${STATUS_LABEL[status]}</span>`;

export function portalFrame(f: PortalFrame, body: SafeHtml): SafeHtml {
  return html`<div class="portal">
<header class="portal-bar">
<a href="/ui/developers" class="portal-home">Developer portal</a>
<span class="muted">Signed in as <strong>${f.who}</strong></span>
<form method="post" action="/ui/developers/signout">${csrfField(f.csrf)}<button type="submit" class="link">Sign out of the portal</button></form>
</header>
${body}
</div>`;
}

export interface AppSummary {
  client_id: string;
  client_name: string;
  status: ClientStatus;
  created_at: string;
  pending_changes?: unknown;
}

export function applicationsPage(f: PortalFrame, m: { apps: AppSummary[]; flash?: string | undefined }): SafeHtml {
  const rows = m.apps.map(
    (a) => html`<tr>
<td><a href="/ui/developers/apps/${encodeURIComponent(a.client_id)}"><strong>${a.client_name || a.client_id}</strong></a>${a.pending_changes ? html`<br><span class="muted">Changes waiting for review</span>` : ''}</td>
<td>${statusBadge(a.status)}</td>
<td><code>${a.client_id}</code></td>
<td><time datetime="${a.created_at}">${day(a.created_at)}</time></td>
</tr>`,
  );
  return portalFrame(
    f,
    html`<h1>Your applications</h1>
${notice(m.flash)}
<p>Register an application to let people sign in to it with their Gatehouse account. An operator reviews every new application before it can sign anyone in.</p>
<p><a class="button inline" href="/ui/developers/apps/new">Register an application</a></p>
${
  m.apps.length === 0
    ? html`<p class="muted">You have not registered an application yet.</p>`
    : html`<table class="apps">
<thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Client ID</th><th scope="col">Registered</th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}`,
  );
}

/** An unknown application, or another developer's: the same answer for both. */
export const noApplicationPage = (f: PortalFrame, id: string): SafeHtml =>
  portalFrame(
    f,
    html`<h1>No such application</h1><p>You have no application with the client ID <code>${id}</code>.</p>
<a class="button inline" href="/ui/developers">Your applications</a>`,
  );

export interface ApplicationModel {
  client: ClientJson;
  clientType: ClientType;
  secret: SecretState;
  scopes: ScopeLine[];
  pendingScopes?: ScopeLine[] | undefined;
  flash?: string | undefined;
}

function statusNotice(c: ClientJson): SafeHtml {
  switch (c.status) {
    case 'pending':
      return html`<div class="notice" role="status"><strong>Waiting for review.</strong> An operator checks every new application. Until it is approved, it cannot sign anyone in.</div>`;
    case 'rejected':
      return html`<div class="notice error" role="status"><strong>Rejected.</strong> ${c.status_reason ? html`The operator wrote: “${c.status_reason}”` : 'The operator gave no reason.'}
<br>Edit the application to address this: saving it sends it back for review.</div>`;
    case 'suspended':
      return html`<div class="notice error" role="status"><strong>Suspended.</strong> ${c.status_reason ? html`The operator wrote: “${c.status_reason}”` : 'The operator gave no reason.'}
<br>It cannot sign anyone in, and the tokens it held were revoked. Contact the operator to have it reinstated.</div>`;
    default:
      return html`<div class="notice" role="status"><strong>Approved.</strong> The application can sign people in.</div>`;
  }
}

const uriList = (uris: string[], none: string) =>
  uris.length === 0
    ? html`<span class="muted">${none}</span>`
    : html`<ul class="uri-list">${uris.map((u) => html`<li><code>${u}</code></li>`)}</ul>`;

const scopeList = (scopes: ScopeLine[]) =>
  scopes.length === 0
    ? html`<span class="muted">None</span>`
    : html`<ul class="uri-list">${scopes.map((s) => html`<li><code>${s.name}</code> <span class="muted">${s.description}</span></li>`)}</ul>`;

const link = (url: string) =>
  url ? html`<a href="${url}" rel="noopener noreferrer">${url}</a>` : html`<span class="muted">Not given</span>`;

function secretSection(f: PortalFrame, m: ApplicationModel): SafeHtml {
  const base = `/ui/developers/apps/${encodeURIComponent(m.client.client_id)}`;
  switch (m.secret) {
    case 'public':
      return html`<dd>None: a public client proves itself with PKCE instead of a secret.</dd>`;
    case 'on_approval':
      return html`<dd>Issued when the application is approved, and shown to you once, here.</dd>`;
    case 'ready':
      return html`<dd><div class="notice" role="status">Your client secret is ready. It can be shown only once: have somewhere safe to put it.</div>
<form method="post" action="${base}/secret">${csrfField(f.csrf)}<button type="submit" class="inline">Show the client secret</button></form></dd>`;
    default:
      return html`<dd>Hidden: it was shown once, and Gatehouse keeps only a hash of it. If it is lost or leaked, rotate it.
<form method="post" action="${base}/rotate">${csrfField(f.csrf)}<button type="submit" class="secondary inline">Rotate secret</button></form></dd>`;
  }
}

/** A requested list beside the current one: what it adds is marked, what it drops is struck out. */
function diffList(current: readonly string[], wanted: readonly string[], show: (value: string) => SafeHtml): SafeHtml {
  const added = wanted.map(
    (v) => html`<li>${show(v)}${current.includes(v) ? '' : html` <span class="app-status app-status-pending">added</span>`}</li>`,
  );
  const removed = current
    .filter((v) => !wanted.includes(v))
    .map((v) => html`<li><del>${show(v)}</del> <span class="muted">removed</span></li>`);
  return html`<ul class="uri-list">${added}${removed}</ul>`;
}

function pendingSection(m: ApplicationModel): SafeHtml | string {
  const pending = m.client.pending_changes;
  if (!pending) return '';
  const uri = (u: string) => html`<code>${u}</code>`;
  const described = new Map([...m.scopes, ...(m.pendingScopes ?? [])].map((s) => [s.name, s.description]));
  const scope = (name: string) => html`<code>${name}</code> <span class="muted">${described.get(name) ?? ''}</span>`;
  const rows: SafeHtml[] = [];
  if (pending.redirect_uris) {
    rows.push(html`<dt>Redirect URIs</dt><dd>${diffList(m.client.redirect_uris, pending.redirect_uris, uri)}</dd>`);
  }
  if (pending.post_logout_redirect_uris) {
    rows.push(
      html`<dt>Post-logout redirect URIs</dt><dd>${diffList(m.client.post_logout_redirect_uris, pending.post_logout_redirect_uris, uri)}</dd>`,
    );
  }
  if (pending.grant_types) {
    rows.push(html`<dt>Grant types</dt><dd>${diffList(m.client.grant_types, pending.grant_types, uri)}</dd>`);
  }
  if (pending.response_types) {
    rows.push(html`<dt>Response types</dt><dd>${diffList(m.client.response_types, pending.response_types, uri)}</dd>`);
  }
  if (pending.application_type) {
    rows.push(html`<dt>Application type</dt><dd>${diffList([m.client.application_type], [pending.application_type], uri)}</dd>`);
  }
  if (pending.token_endpoint_auth_method) {
    rows.push(
      html`<dt>Token endpoint authentication</dt><dd>${diffList([m.client.token_endpoint_auth_method], [pending.token_endpoint_auth_method], uri)}</dd>`,
    );
  }
  if (pending.scope !== undefined) {
    const names = (list: ScopeLine[] | undefined) => (list ?? []).map((s) => s.name);
    rows.push(html`<dt>Scopes</dt><dd>${diffList(names(m.scopes), names(m.pendingScopes), scope)}</dd>`);
  }
  return html`<section class="pending-changes" aria-labelledby="pending-title">
<h2 id="pending-title">Changes waiting for review</h2>
<p>You asked for these changes on ${minute(pending.requested_at)}. An operator reviews them before they take effect; until then the application keeps working with its current settings (below). To withdraw them, edit the application and put the current values back.</p>
<dl class="app-details">${rows}</dl>
</section>`;
}

export function applicationPage(f: PortalFrame, m: ApplicationModel): SafeHtml {
  const c = m.client;
  const base = `/ui/developers/apps/${encodeURIComponent(c.client_id)}`;
  return portalFrame(
    f,
    html`<p class="muted"><a href="/ui/developers">← Your applications</a></p>
<div class="app">${c.logo_uri ? html`<img src="${c.logo_uri}" alt="">` : html`<span class="initial" aria-hidden="true">${(c.client_name || '?').slice(0, 1).toUpperCase()}</span>`}
<div><h1>${c.client_name || c.client_id}</h1>${statusBadge(c.status)}</div></div>
${notice(m.flash)}
${statusNotice(c)}
<h2>Credentials</h2>
<dl class="app-details">
<dt>Client ID</dt><dd><code>${c.client_id}</code></dd>
<dt>Client type</dt><dd>${CLIENT_TYPE_LABEL[m.clientType]}</dd>
<dt>Client secret</dt>${secretSection(f, m)}
</dl>
${pendingSection(m)}
<h2>Settings</h2>
<dl class="app-details">
<dt>Description</dt><dd>${c.description ? html`<span class="prewrap">${c.description}</span>` : html`<span class="muted">Not given</span>`}</dd>
<dt>Homepage</dt><dd>${link(c.client_uri)}</dd>
<dt>Logo URL</dt><dd>${link(c.logo_uri)}</dd>
<dt>Privacy policy</dt><dd>${link(c.policy_uri)}</dd>
<dt>Terms of service</dt><dd>${link(c.tos_uri)}</dd>
<dt>Contact email</dt><dd>${c.contacts.join(', ') || html`<span class="muted">Not given</span>`}</dd>
<dt>Redirect URIs</dt><dd>${uriList(c.redirect_uris, 'None')}</dd>
<dt>Post-logout redirect URIs</dt><dd>${uriList(c.post_logout_redirect_uris, 'None')}</dd>
<dt>Scopes</dt><dd>${scopeList(m.scopes)}</dd>
<dt>Grant types</dt><dd>${c.grant_types.join(', ')}</dd>
<dt>Registered</dt><dd><time datetime="${c.created_at}">${minute(c.created_at)}</time></dd>
</dl>
<p><a class="button secondary inline" href="${base}/edit">Edit the application</a></p>
<h2>Delete</h2>
<p class="muted">Deleting stops the application at once and revokes every token it holds. You are asked to confirm.</p>
<form method="post" action="${base}/delete">${csrfField(f.csrf)}<button type="submit" class="danger inline">Delete this application</button></form>`,
  );
}

/** A secret, once: after approval (revealed) or after a rotation. */
export function secretPage(
  f: PortalFrame,
  m: { client: ClientJson; secret: string; rotated: boolean; tokenEndpoint: string },
): SafeHtml {
  const base = `/ui/developers/apps/${encodeURIComponent(m.client.client_id)}`;
  return portalFrame(
    f,
    html`<h1>${m.rotated ? 'Your new client secret' : 'Your client secret'}</h1>
<p>For <strong>${m.client.client_name || m.client.client_id}</strong>.${m.rotated ? ' The previous secret no longer works.' : ''}</p>
<div class="notice error" role="alert"><strong>Copy it now: it will not be shown again.</strong> Gatehouse keeps only a hash of it. If you lose it, rotate the secret to get a new one.</div>
<label for="client-secret">Client secret</label>
<input id="client-secret" type="text" class="secret" value="${m.secret}" readonly aria-describedby="client-secret-hint" autocomplete="off" spellcheck="false">
<p class="muted" id="client-secret-hint">Click in the box, select all (Ctrl+A or ⌘A) and copy (Ctrl+C or ⌘C). Keep it on your server only, never in a browser or a mobile app.</p>
<dl class="app-details">
<dt>Client ID</dt><dd><code>${m.client.client_id}</code></dd>
<dt>Token endpoint</dt><dd><code>${m.tokenEndpoint}</code></dd>
<dt>Authentication</dt><dd><code>client_secret_basic</code> (HTTP Basic) or <code>client_secret_post</code> (in the form body)</dd>
</dl>
<a class="button" href="${base}">I have saved it</a>`,
  );
}

export interface ConfirmModel {
  title: string;
  text: SafeHtml | string;
  action: string;
  button: string;
  danger?: boolean;
  cancel: string;
}

/** A confirmation step that works without JavaScript: the same POST again, with confirm=yes. */
export function confirmPage(f: PortalFrame, m: ConfirmModel): SafeHtml {
  return portalFrame(
    f,
    html`<h1>${m.title}</h1>
<p>${m.text}</p>
<form method="post" action="${m.action}">${csrfField(f.csrf)}${hidden('confirm', 'yes')}
<div class="row">
<a class="button secondary" href="${m.cancel}">Cancel</a>
<button type="submit"${m.danger ? html` class="danger"` : ''}>${m.button}</button>
</div>
</form>`,
  );
}

export const portalSignedOutPage = (): SafeHtml => html`<h1>You are signed out of the developer portal</h1>
<p>You may still be signed in to Gatehouse itself, so signing in to the portal again may not ask for a code.
To sign out of Gatehouse on this device too, use <a href="/ui/account">your account page</a>.</p>
<a class="button" href="/ui/developers">Sign in to the portal again</a>`;
