/** The console's audit log: who did what, when, to what, from where; newest first. */
import type { AuditEntry } from '../../audit/audit-log.js';
import type { People } from '../../clients/console-views.js';
import { html, type SafeHtml } from '../html.js';
import { clientHref, when, withQuery } from './console.js';

const personOf = (id: string, people: People) => (people.has(id) ? html`<br><span class="muted">${people.get(id)}</span>` : '');

function actorOf(entry: AuditEntry, people: People): SafeHtml {
  const id = entry.actor.id;
  return html`<span class="actor">${entry.actor.type}${id ? html`:<strong>${id}</strong>${personOf(id, people)}` : ''}</span>`;
}

function targetOf(entry: AuditEntry, people: People): SafeHtml | string {
  const target = entry.target;
  if (!target) return '';
  const label = html`${target.type} <code>${target.id}</code>`;
  if (target.type === 'client') return html`<a href="${clientHref(target.id)}">${label}</a>`;
  return target.type === 'account' ? html`${label}${personOf(target.id, people)}` : label;
}

function detailsOf(details: Record<string, unknown>): SafeHtml | string {
  const entries = Object.entries(details);
  if (entries.length === 0) return '';
  return html`<dl class="details">${entries.map(
    ([key, value]) =>
      html`<dt>${key}</dt><dd>${typeof value === 'string' ? value : Array.isArray(value) && value.every((v) => typeof v === 'string') ? value.join(', ') : JSON.stringify(value)}</dd>`,
  )}</dl>`;
}

export function auditTable(entries: AuditEntry[], options: { showTarget: boolean; people: People }): SafeHtml {
  if (entries.length === 0) return html`<p class="muted">No entries.</p>`;
  return html`<div class="scroll"><table class="list audit">
<thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Actor</th>${options.showTarget ? html`<th scope="col">Target</th>` : ''}<th scope="col">IP</th><th scope="col">Details</th></tr></thead>
<tbody>${entries.map(
    (e) => html`<tr>
<td>${when(e.at)}</td>
<td><code>${e.action}</code></td>
<td>${actorOf(e, options.people)}</td>
${options.showTarget ? html`<td>${targetOf(e, options.people)}</td>` : ''}
<td>${e.ip ?? ''}</td>
<td>${detailsOf(e.details)}</td>
</tr>`,
  )}</tbody></table></div>`;
}

export interface AuditPageModel {
  entries: AuditEntry[];
  people: People;
  action: string;
  target: string;
  actor: string;
  /** The id to continue before, when there are older entries. */
  next?: string | undefined;
  paged: boolean;
  error?: string | undefined;
}

export function auditPage(m: AuditPageModel): SafeHtml {
  const filters = { action: m.action, target: m.target, actor: m.actor };
  return html`<h1>Audit log</h1>
<p class="muted">Every administrative action and security event, newest first. Also at <code>GET /admin/audit</code>.</p>
<form method="get" action="/admin/ui/audit" class="filters" role="search">
<div><label for="f-action">Action</label>
<input id="f-action" name="action" type="search" value="${m.action}" placeholder="client.status_changed" aria-describedby="f-action-hint"${m.error ? html` aria-invalid="true"` : ''}>
</div>
<div><label for="f-target">Target</label>
<input id="f-target" name="target" type="search" value="${m.target}" placeholder="Client, account or key ID"></div>
<div><label for="f-actor">Actor</label>
<input id="f-actor" name="actor" type="search" value="${m.actor}" placeholder="Operator name, account ID…"></div>
<div><button type="submit">Filter</button></div>
</form>
<p class="muted" id="f-action-hint">An action ending in a dot, such as <code>client.</code>, matches its whole family; a single word means the same.</p>
${m.error ? html`<p class="field-error" role="alert">${m.error}</p>` : ''}
${auditTable(m.entries, { showTarget: true, people: m.people })}
<nav class="pager" aria-label="Pages">
${m.paged ? html`<a href="${withQuery('/admin/ui/audit', filters)}">Newest entries</a>` : ''}
${m.next ? html`<a href="${withQuery('/admin/ui/audit', { ...filters, before: m.next })}">Older entries</a>` : ''}
</nav>`;
}
