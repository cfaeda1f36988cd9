/**
 * The console's decision forms: the decisions review.ts allows from the application's status,
 * each with its reason box (required where the rule needs a reason), and the changes a
 * developer asked for, old against new, with their approve and reject forms.
 */
import type { ClientJson } from '../../clients/clients.js';
import { DECISIONS, type Decision, decisionsFrom, MAX_REASON } from '../../clients/review.js';
import type { ClientStatus, PendingChanges } from '../../db/schema.js';
import { csrfField, hidden } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { when } from './console.js';

/** The plain words of a scope, as the consent screen shows them. */
export type DescribeScope = (scope: string) => string | undefined;

/** Where an action form sends the operator back to. */
export type ReturnTo = 'queue' | 'client';

export interface ActionErrors {
  /** The field error of the reason box of one action. */
  reason?: { action: string; message: string; typed: string } | undefined;
}

/** Old → new for each field held for review: removed entries struck, added ones marked. */
export function changesDiff(c: ClientJson, pending: PendingChanges, describe: DescribeScope): SafeHtml {
  const rows: { label: string; before: string[]; after: string[]; scopes?: boolean }[] = [];
  if (pending.redirect_uris) rows.push({ label: 'Redirect URIs', before: c.redirect_uris, after: pending.redirect_uris });
  if (pending.post_logout_redirect_uris) {
    rows.push({
      label: 'Post-logout redirect URIs',
      before: c.post_logout_redirect_uris,
      after: pending.post_logout_redirect_uris,
    });
  }
  if (pending.grant_types) rows.push({ label: 'Grant types', before: c.grant_types, after: pending.grant_types });
  if (pending.response_types) rows.push({ label: 'Response types', before: c.response_types, after: pending.response_types });
  if (pending.application_type) {
    rows.push({ label: 'Application type', before: [c.application_type], after: [pending.application_type] });
  }
  if (pending.token_endpoint_auth_method) {
    rows.push({
      label: 'Token endpoint authentication',
      before: [c.token_endpoint_auth_method],
      after: [pending.token_endpoint_auth_method],
    });
  }
  if (pending.scope !== undefined) {
    rows.push({
      label: 'Scopes',
      before: c.scope.split(' ').filter(Boolean),
      after: pending.scope.split(' ').filter(Boolean),
      scopes: true,
    });
  }
  const entry = (value: string, scopes: boolean | undefined) =>
    html`<code>${value}</code>${scopes && describe(value) ? html` <span class="muted">— ${describe(value)}</span>` : ''}`;
  return html`${rows.map(({ label, before, after, scopes }) => {
    const removed = before.filter((v) => !after.includes(v));
    const added = after.filter((v) => !before.includes(v));
    const kept = after.filter((v) => before.includes(v));
    return html`<h4>${label}</h4>
<ul class="diff">
${removed.map((v) => html`<li class="del"><span aria-hidden="true">−</span><span class="visually-hidden">Removed:</span> <del>${entry(v, scopes)}</del></li>`)}
${added.map((v) => html`<li class="add"><span aria-hidden="true">+</span><span class="visually-hidden">Added:</span> <ins>${entry(v, scopes)}</ins></li>`)}
${kept.map((v) => html`<li class="same"><span aria-hidden="true"> </span><span class="visually-hidden">Unchanged:</span> ${entry(v, scopes)}</li>`)}
</ul>`;
  })}
<p class="muted">Asked ${when(pending.requested_at)}. Until approved, the application keeps working with what it has now.</p>`;
}

function reasonBox(id: string, action: string, label: string, errors: ActionErrors, required: boolean): SafeHtml {
  const fieldId = `reason-${action}-${id}`;
  const error = errors.reason?.action === action ? errors.reason : undefined;
  return html`<label for="${fieldId}">${label}${required ? '' : html` <span class="muted">(optional)</span>`}</label>
<textarea id="${fieldId}" name="reason" rows="2" maxlength="${MAX_REASON}"${required ? html` required` : ''}${error ? html` aria-invalid="true" aria-describedby="${fieldId}-error" autofocus` : ''}>${error?.typed ?? ''}</textarea>
${error ? html`<p class="field-error" id="${fieldId}-error" role="alert">${error.message}</p>` : ''}`;
}

/** One decision's form, which works without JavaScript. */
function actionForm(
  target: { path: string; field: string; value: string },
  c: ClientJson,
  csrf: string,
  from: ReturnTo,
  body: SafeHtml | string,
  button: string,
  danger = false,
): SafeHtml {
  return html`<form method="post" action="${target.path}" class="action">
${csrfField(csrf)}${hidden('client_id', c.client_id)}${hidden('from', from)}
${body}<button type="submit" name="${target.field}" value="${target.value}"${danger ? html` class="danger"` : ''}>${button}</button></form>`;
}

/** How each decision is offered, from the status it applies to: the button, and the reason box's label. */
const WORDING: ReadonlyMap<string, { button: string; reason?: string; danger?: boolean }> = new Map([
  ['pending:approve', { button: 'Approve' }],
  ['pending:reject', { button: 'Reject', reason: 'Reason for rejecting', danger: true }],
  ['rejected:approve', { button: 'Approve after all', reason: 'Why you reconsider' }],
  [
    'approved:suspend',
    { button: 'Suspend: revoke its tokens and refuse sign-ins', reason: 'Reason for suspending', danger: true },
  ],
  ['suspended:reinstate', { button: 'Reinstate', reason: 'Note' }],
]);

/** The decisions that fit the application's status (review.ts). */
export function statusActions(c: ClientJson, csrf: string, from: ReturnTo, errors: ActionErrors = {}): SafeHtml {
  const offered = (decision: Decision, status: ClientStatus) => {
    const wording = WORDING.get(`${status}:${decision}`) ?? { button: decision };
    const required = DECISIONS.get(decision)?.reasonRequired ?? false;
    const box = wording.reason ? reasonBox(c.client_id, decision, wording.reason, errors, required) : '';
    const target = { path: '/admin/ui/decide', field: 'action', value: decision };
    return actionForm(target, c, csrf, from, box, wording.button, wording.danger);
  };
  const decisions = decisionsFrom(c.status);
  return decisions.length === 0
    ? html``
    : html`<div class="actions">
${decisions.map((d) => offered(d, c.status))}
</div>`;
}

export function changeActions(c: ClientJson, csrf: string, from: ReturnTo, errors: ActionErrors = {}): SafeHtml {
  const target = (value: string) => ({ path: '/admin/ui/changes', field: 'decision', value });
  const box = reasonBox(c.client_id, 'reject-change', 'Reason for rejecting the change', errors, true);
  return html`<div class="actions">
${actionForm(target('approve'), c, csrf, from, '', 'Approve change')}
${actionForm(target('reject'), c, csrf, from, box, 'Reject change', true)}
</div>`;
}
