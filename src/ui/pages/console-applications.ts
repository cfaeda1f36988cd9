/**
 * The console's application pages: the queue of applications waiting for a decision, the list
 * of every client with search, and one application with its actions and history. Everything
 * a developer typed is shown as text (escaped by `html`), links open apart and never as images.
 */
import type { AuditEntry } from '../../audit/audit-log.js';
import type { ClientJson } from '../../clients/clients.js';
import type { ApplicationView, People } from '../../clients/console-views.js';
import { notice } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { clientHref, outsideLink, statusBadge, when, withQuery } from './console.js';
import { auditTable } from './console-audit.js';
import { type ActionErrors, changeActions, changesDiff, type DescribeScope, statusActions } from './console-decisions.js';

const none = html`<span class="muted">—</span>`;
const nameOf = (c: ClientJson) => c.client_name || c.client_id;

const uriList = (uris: readonly string[]) =>
  uris.length === 0 ? none : html`<ul class="plain">${uris.map((u) => html`<li><code>${u}</code></li>`)}</ul>`;

function scopeList(scope: string, describe: DescribeScope): SafeHtml {
  const scopes = scope.split(' ').filter(Boolean);
  if (scopes.length === 0) return html`<span class="muted">none</span>`;
  return html`<ul class="plain">${scopes.map(
    (s) => html`<li><code>${s}</code>${describe(s) ? html` <span class="muted">— ${describe(s)}</span>` : ''}</li>`,
  )}</ul>`;
}

function developerLine(app: ApplicationView): SafeHtml {
  if (app.developer) {
    const d = app.developer;
    return html`${d.email ?? ''}${d.email && d.phone ? ' · ' : ''}${d.phone ?? ''}${!d.email && !d.phone ? 'an account with no address' : ''}
<br><span class="muted">account <code>${d.id}</code></span>`;
  }
  if (app.developerMissing) return html`<span class="muted">a developer account that no longer exists</span>`;
  return html`<span class="muted">an operator, through the admin API</span>`;
}

/** Everything the developer entered, and what the server knows about the application. */
export function applicationFacts(app: ApplicationView, describe: DescribeScope): SafeHtml {
  const c = app.client;
  const confidential = c.token_endpoint_auth_method !== 'none';
  return html`<dl class="facts">
<dt>Client ID</dt><dd><code>${c.client_id}</code></dd>
<dt>Description</dt><dd>${c.description ? html`<p class="prose">${c.description}</p>` : none}</dd>
<dt>Homepage</dt><dd>${outsideLink(c.client_uri)}</dd>
<dt>Logo</dt><dd>${outsideLink(c.logo_uri)}</dd>
<dt>Privacy policy</dt><dd>${outsideLink(c.policy_uri)}</dd>
<dt>Terms of service</dt><dd>${outsideLink(c.tos_uri)}</dd>
<dt>Contacts</dt><dd>${c.contacts.length === 0 ? none : html`<ul class="plain">${c.contacts.map((x) => html`<li>${x}</li>`)}</ul>`}</dd>
<dt>Client type</dt><dd>${
    confidential
      ? html`Confidential: authenticates with a client secret (<code>${c.token_endpoint_auth_method}</code>)`
      : html`Public: no secret, PKCE required (<code>none</code>)`
  } · ${c.application_type} application</dd>
<dt>Grant types</dt><dd>${c.grant_types.map((g, i) => html`${i > 0 ? ', ' : ''}<code>${g}</code>`)}</dd>
<dt>Redirect URIs</dt><dd>${uriList(c.redirect_uris)}</dd>
<dt>Post-logout redirect URIs</dt><dd>${uriList(c.post_logout_redirect_uris)}</dd>
<dt>Scopes</dt><dd>${scopeList(c.scope, describe)}</dd>
${c.audience.length > 0 ? html`<dt>Audience</dt><dd>${uriList(c.audience)}</dd>` : ''}
${c.skip_consent ? html`<dt>Consent</dt><dd><strong>Skipped</strong>: people are not asked before it receives their data.</dd>` : ''}
${c.owner ? html`<dt>Owner</dt><dd>${c.owner}</dd>` : ''}
<dt>Registered by</dt><dd>${developerLine(app)}</dd>
<dt>Created</dt><dd>${when(c.created_at)}</dd>
</dl>`;
}

function applicationHeading(c: ClientJson, level: 'h1' | 'h3'): SafeHtml {
  const title = html`${nameOf(c)} ${statusBadge(c.status)}`;
  return level === 'h1'
    ? html`<h1>${title}</h1>`
    : html`<h3><a href="${clientHref(c.client_id)}">${nameOf(c)}</a> ${statusBadge(c.status)}</h3>`;
}

export interface QueueModel {
  csrf: string;
  pending: ApplicationView[];
  changes: ApplicationView[];
  /** More are waiting than the page shows. */
  more: boolean;
  describe: DescribeScope;
  flash?: string | undefined;
}

export function queuePage(m: QueueModel): SafeHtml {
  return html`<h1>Pending queue</h1>
${notice(m.flash)}
<h2>New applications <span class="count">${m.pending.length}${m.more ? '+' : ''}</span></h2>
${
  m.pending.length === 0
    ? html`<p class="muted">No application is waiting for a decision.</p>`
    : m.pending.map(
        (app) => html`<article class="card" aria-labelledby="app-${app.client.client_id}">
<div id="app-${app.client.client_id}">${applicationHeading(app.client, 'h3')}</div>
${applicationFacts(app, m.describe)}
${statusActions(app.client, m.csrf, 'queue')}
</article>`,
      )
}
<h2>Changes to approved applications <span class="count">${m.changes.length}</span></h2>
${
  m.changes.length === 0
    ? html`<p class="muted">No approved application asks for a change.</p>`
    : m.changes.map(
        (app) => html`<article class="card" aria-labelledby="chg-${app.client.client_id}">
<div id="chg-${app.client.client_id}">${applicationHeading(app.client, 'h3')}</div>
<p>Registered by ${developerLine(app)}</p>
${app.client.pending_changes ? changesDiff(app.client, app.client.pending_changes, m.describe) : ''}
${changeActions(app.client, m.csrf, 'queue')}
</article>`,
      )
}
${m.more ? html`<p class="muted">More applications are waiting; decide on these first, or <a href="/admin/ui/clients?status=pending">list every pending one</a>.</p>` : ''}`;
}

export interface DetailModel {
  csrf: string;
  app: ApplicationView;
  describe: DescribeScope;
  history: AuditEntry[];
  people: People;
  flash?: { text: string; kind: 'info' | 'error' } | undefined;
  errors?: ActionErrors;
}

export function applicationPage(m: DetailModel): SafeHtml {
  const c = m.app.client;
  const errors = m.errors ?? {};
  return html`<p class="crumbs"><a href="/admin/ui/clients">All applications</a> /</p>
${applicationHeading(c, 'h1')}
${m.flash ? notice(m.flash.text, m.flash.kind) : ''}
${c.status_reason ? html`<p><strong>Reason:</strong> ${c.status_reason}</p>` : ''}
${
  c.pending_changes
    ? html`<section class="card"><h2>Changes waiting for review</h2>
${changesDiff(c, c.pending_changes, m.describe)}
${changeActions(c, m.csrf, 'client', errors)}</section>`
    : ''
}
<section><h2>Details</h2>${applicationFacts(m.app, m.describe)}
<p class="muted">Last changed ${when(c.updated_at)}.</p></section>
<section><h2>Decision</h2>${statusActions(c, m.csrf, 'client', errors)}</section>
<section><h2>History</h2>
${auditTable(m.history, { showTarget: false, people: m.people })}
<p><a href="${withQuery('/admin/ui/audit', { target: c.client_id })}">Everything about this application in the audit log</a></p>
</section>`;
}

export interface ClientListModel {
  q: string;
  status: string;
  statuses: readonly string[];
  clients: ClientJson[];
  /** The id to continue after, when there is a next page. */
  next?: string | undefined;
  /** Not the first page. */
  paged: boolean;
  flash?: string | undefined;
}

export function clientListPage(m: ClientListModel): SafeHtml {
  const filters = { q: m.q, status: m.status };
  return html`<h1>All applications</h1>
${notice(m.flash)}
<form method="get" action="/admin/ui/clients" class="filters" role="search">
<div><label for="f-q">Search</label>
<input id="f-q" name="q" type="search" value="${m.q}" placeholder="Client ID, name or contact"></div>
<div><label for="f-status">Status</label>
<select id="f-status" name="status"><option value="">Any status</option>${m.statuses.map(
    (s) => html`<option value="${s}"${s === m.status ? html` selected` : ''}>${s}</option>`,
  )}</select></div>
<div><button type="submit">Search</button></div>
</form>
${
  m.clients.length === 0
    ? html`<p class="muted">${m.q || m.status ? 'No application matches.' : 'No application yet.'}</p>`
    : html`<div class="scroll"><table class="list">
<thead><tr><th scope="col">Name</th><th scope="col">Client ID</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Contacts</th><th scope="col">Created</th></tr></thead>
<tbody>${m.clients.map(
        (c) => html`<tr>
<td><a href="${clientHref(c.client_id)}">${nameOf(c)}</a>${c.pending_changes ? html` <span class="badge status-pending">change asked</span>` : ''}</td>
<td><code>${c.client_id}</code></td>
<td>${statusBadge(c.status)}</td>
<td>${c.token_endpoint_auth_method === 'none' ? 'public' : 'confidential'}</td>
<td>${c.contacts.join(', ')}</td>
<td>${when(c.created_at)}</td>
</tr>`,
      )}</tbody></table></div>`
}
<nav class="pager" aria-label="Pages">
${m.paged ? html`<a href="${withQuery('/admin/ui/clients', filters)}">First page</a>` : ''}
${m.next ? html`<a href="${withQuery('/admin/ui/clients', { ...filters, after: m.next })}">Next page</a>` : ''}
</nav>`;
}
