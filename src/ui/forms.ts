/** Form building blocks: labelled fields that keep what was typed and show their error. */
import { html, type SafeHtml } from './html.js';

export type FieldErrors = Record<string, string | undefined>;

export const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`;

export const hidden = (name: string, value: string | undefined) =>
  value === undefined ? '' : html`<input type="hidden" name="${name}" value="${value}">`;

export interface InputOptions {
  name: string;
  label: string;
  type?: 'email' | 'tel' | 'text';
  value?: string | undefined;
  error?: string | undefined;
  autocomplete?: string;
  inputmode?: string;
  placeholder?: string;
  className?: string;
  autofocus?: boolean;
  hint?: string;
}

export function input(o: InputOptions): SafeHtml {
  const id = `f-${o.name}`;
  return html`<label for="${id}">${o.label}</label>
<input id="${id}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.value ?? ''}" required
${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${o.inputmode ? html` inputmode="${o.inputmode}"` : ''}${o.placeholder ? html` placeholder="${o.placeholder}"` : ''}${o.className ? html` class="${o.className}"` : ''}${o.autofocus ? html` autofocus` : ''}${o.error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
${o.hint && !o.error ? html`<p class="muted">${o.hint}</p>` : ''}
${o.error ? html`<p class="field-error" id="${id}-error" role="alert">${o.error}</p>` : ''}`;
}

export const checkbox = (name: string, label: string, checked: boolean) =>
  html`<label class="check"><input type="checkbox" name="${name}" value="1"${checked ? html` checked` : ''}> ${label}</label>`;

export const notice = (text: string | undefined, kind: 'info' | 'error' = 'info') =>
  text
    ? html`<div class="notice${kind === 'error' ? ' error' : ''}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</div>`
    : '';

/** a•••@example.com / +1 ••• ••• 0123: enough to recognise, not enough to read off a screen. */
export function maskDestination(destination: string): string {
  const at = destination.indexOf('@');
  if (at > 0) return `${destination[0]}•••${destination.slice(at)}`;
  return `${destination.slice(0, 3)} ••• ${destination.slice(-4)}`;
}
