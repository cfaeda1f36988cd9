/**
 * The developer portal's registration and edit form. Every field keeps what was typed and
 * shows its own error; a summary at the top links to each field in error.
 */
import {
  type ApplicationErrors,
  type ApplicationField,
  type ApplicationValues,
  CLIENT_TYPES,
  type ClientType,
} from '../../clients/application-form.js';
import type { ClientJson } from '../../clients/clients.js';
import type { ClientStatus } from '../../db/schema.js';
import { csrfField } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { CLIENT_TYPE_LABEL, type PortalFrame, portalFrame, type ScopeLine } from './developers.js';

export interface ApplicationFormModel {
  mode: 'register' | 'edit';
  /** The application being edited. */
  client?: ClientJson | undefined;
  values: ApplicationValues;
  errors: ApplicationErrors;
  /** A refusal that is about no single field. */
  message?: string | undefined;
  scopes: ScopeLine[];
  /** Set when the client type cannot change (an approved application). */
  fixedClientType?: ClientType | undefined;
}

const LABELS: Record<ApplicationField, string> = {
  client_name: 'Name',
  description: 'Description',
  client_uri: 'Homepage URL',
  logo_uri: 'Logo URL',
  policy_uri: 'Privacy policy URL',
  tos_uri: 'Terms of service URL',
  contact: 'Contact email',
  client_type: 'Client type',
  redirect_uris: 'Redirect URIs',
  post_logout_redirect_uris: 'Post-logout redirect URIs',
  scopes: 'Scopes',
};

const TYPE_HINT: Record<ClientType, string> = {
  confidential: 'Runs on a server that can keep a secret. It gets a client secret when approved and uses PKCE too (recommended).',
  public: 'Runs in the browser and cannot keep a secret: no client secret, PKCE (S256) on every authorization.',
  native:
    'Installed on a device: no client secret, PKCE. Redirect URIs may use a private-use scheme (com.example.app:/callback) or http://127.0.0.1 on any port (RFC 8252).',
};

const fieldId = (name: ApplicationField) => `f-${name}`;

function described(name: ApplicationField, hint: string | undefined, error: string | undefined): SafeHtml | string {
  const ids = [hint ? `${fieldId(name)}-hint` : '', error ? `${fieldId(name)}-error` : ''].filter(Boolean).join(' ');
  return html`${error ? html` aria-invalid="true"` : ''}${ids ? html` aria-describedby="${ids}"` : ''}`;
}

function after(name: ApplicationField, hint: string | undefined, error: string | undefined): SafeHtml {
  return html`${hint ? html`<p class="muted hint" id="${fieldId(name)}-hint">${hint}</p>` : ''}
${error ? html`<p class="field-error" id="${fieldId(name)}-error">${error}</p>` : ''}`;
}

interface FieldOptions {
  name: Exclude<ApplicationField, 'scopes' | 'client_type'>;
  value: string;
  error: string | undefined;
  hint?: string;
  type?: 'text' | 'url' | 'email';
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
}

function textField(o: FieldOptions): SafeHtml {
  return html`<label for="${fieldId(o.name)}">${LABELS[o.name]}${o.required ? '' : html` <span class="muted">(optional)</span>`}</label>
<input id="${fieldId(o.name)}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value}"${o.required ? html` required` : ''}${o.placeholder ? html` placeholder="${o.placeholder}"` : ''} autocomplete="${o.autocomplete ?? 'off'}"${described(o.name, o.hint, o.error)}>
${after(o.name, o.hint, o.error)}`;
}

function area(o: FieldOptions & { rows: number }): SafeHtml {
  return html`<label for="${fieldId(o.name)}">${LABELS[o.name]}${o.required ? '' : html` <span class="muted">(optional)</span>`}</label>
<textarea id="${fieldId(o.name)}" name="${o.name}" rows="${o.rows}"${o.name === 'description' ? '' : html` class="uris"`}${o.required ? html` required` : ''}${o.placeholder ? html` placeholder="${o.placeholder}"` : ''} spellcheck="false"${described(o.name, o.hint, o.error)}>${o.value}</textarea>
${after(o.name, o.hint, o.error)}`;
}

function clientTypeField(m: ApplicationFormModel): SafeHtml {
  const error = m.errors.client_type;
  if (m.fixedClientType) {
    return html`<p><strong>${LABELS.client_type}:</strong> ${CLIENT_TYPE_LABEL[m.fixedClientType]}</p>
<p class="muted">An approved application cannot switch between confidential and public; register a new one instead.</p>
${error ? html`<p class="field-error" id="${fieldId('client_type')}-error">${error}</p>` : ''}`;
  }
  return html`<fieldset id="${fieldId('client_type')}" role="radiogroup"${error ? html` aria-invalid="true" aria-describedby="${fieldId('client_type')}-error"` : ''}>
<legend>${LABELS.client_type}</legend>
${CLIENT_TYPES.map(
  (
    type,
  ) => html`<label class="choice"><input type="radio" name="client_type" value="${type}"${m.values.client_type === type ? html` checked` : ''}>
<span><strong>${CLIENT_TYPE_LABEL[type]}</strong><br><span class="muted">${TYPE_HINT[type]}</span></span></label>`,
)}
${error ? html`<p class="field-error" id="${fieldId('client_type')}-error">${error}</p>` : ''}
</fieldset>`;
}

function scopesField(m: ApplicationFormModel): SafeHtml {
  const error = m.errors.scopes;
  return html`<fieldset id="${fieldId('scopes')}"${error ? html` aria-describedby="${fieldId('scopes')}-error"` : ''}>
<legend>${LABELS.scopes}</legend>
<p class="muted">What the application may ask people for. Each person still chooses on the consent screen.</p>
<div class="scope-grid">${m.scopes.map(
    (
      s,
    ) => html`<label class="check"><input type="checkbox" name="scope" value="${s.name}"${m.values.scopes.includes(s.name) ? html` checked` : ''}>
<span><code>${s.name}</code> <span class="muted">${s.description}</span></span></label>`,
  )}</div>
${error ? html`<p class="field-error" id="${fieldId('scopes')}-error">${error}</p>` : ''}
</fieldset>`;
}

function summary(m: ApplicationFormModel): SafeHtml | string {
  const entries = (Object.entries(m.errors) as [ApplicationField, string | undefined][]).filter(([, e]) => e);
  if (entries.length === 0 && !m.message) return '';
  return html`<div class="notice error" role="alert">
${m.message ? html`<p>${m.message}</p>` : ''}
${
  entries.length > 0
    ? html`<p>${entries.length === 1 ? 'One field needs' : `${entries.length} fields need`} your attention:</p>
<ul>${entries.map(([field, error]) => html`<li><a href="#${fieldId(field)}">${LABELS[field]}</a>: ${error}</li>`)}</ul>`
    : ''
}
</div>`;
}

function reviewNotice(status: ClientStatus | undefined): SafeHtml | string {
  if (status === 'approved') {
    return html`<div class="notice" role="status">Changes to the redirect URIs, post-logout redirect URIs and scopes are reviewed by an operator before they take effect; the application keeps working with its current settings meanwhile. Other changes apply at once.</div>`;
  }
  if (status === 'rejected') return html`<div class="notice" role="status">Saving sends the application back for review.</div>`;
  return '';
}

export function applicationFormPage(f: PortalFrame, m: ApplicationFormModel): SafeHtml {
  const v = m.values;
  const e = m.errors;
  const editing = m.mode === 'edit' && m.client;
  const action = editing ? `/ui/developers/apps/${encodeURIComponent(m.client?.client_id ?? '')}/edit` : '/ui/developers/apps';
  const cancel = editing ? `/ui/developers/apps/${encodeURIComponent(m.client?.client_id ?? '')}` : '/ui/developers';
  return portalFrame(
    f,
    html`<h1>${editing ? html`Edit ${m.client?.client_name}` : 'Register an application'}</h1>
${
  editing
    ? reviewNotice(m.client?.status)
    : html`<p>An operator reviews every new application. You get its client ID now; a confidential application gets its secret once it is approved.</p>`
}
${summary(m)}
<form method="post" action="${action}" novalidate>
${csrfField(f.csrf)}
<h2>About the application</h2>
<p class="muted">People see these on the sign-in and consent screens.</p>
${textField({ name: 'client_name', value: v.client_name, error: e.client_name, required: true, hint: 'Up to 200 characters.' })}
${area({ name: 'description', value: v.description, error: e.description, rows: 3, hint: 'What it does, for the operator who reviews it. Up to 2000 characters.' })}
${textField({ name: 'client_uri', value: v.client_uri, error: e.client_uri, type: 'url', placeholder: 'https://app.example' })}
${textField({ name: 'logo_uri', value: v.logo_uri, error: e.logo_uri, type: 'url', placeholder: 'https://app.example/logo.png', hint: 'A square image over https.' })}
${textField({ name: 'policy_uri', value: v.policy_uri, error: e.policy_uri, type: 'url', placeholder: 'https://app.example/privacy' })}
${textField({ name: 'tos_uri', value: v.tos_uri, error: e.tos_uri, type: 'url', placeholder: 'https://app.example/terms' })}
${textField({ name: 'contact', value: v.contact, error: e.contact, type: 'email', required: true, autocomplete: 'email', hint: 'Where the operator can reach you about this application.' })}
<h2>How it signs people in</h2>
${clientTypeField(m)}
${area({ name: 'redirect_uris', value: v.redirect_uris, error: e.redirect_uris, rows: 3, required: true, placeholder: 'https://app.example/callback', hint: 'One per line, matched exactly. https:// (http:// only for localhost or 127.0.0.1); no wildcards, no #fragment.' })}
${area({ name: 'post_logout_redirect_uris', value: v.post_logout_redirect_uris, error: e.post_logout_redirect_uris, rows: 2, placeholder: 'https://app.example/signed-out', hint: 'Where people may be sent after signing out. One per line.' })}
${scopesField(m)}
<div class="row">
<a class="button secondary" href="${cancel}">Cancel</a>
<button type="submit">${editing ? 'Save changes' : 'Register the application'}</button>
</div>
</form>`,
  );
}
