/**
 * The admin console's frame (a top bar with the navigation and who is signed in), its sign-in
 * page and the small pieces its pages share. The pages themselves: console-applications.ts
 * and console-audit.ts.
 */
import { csrfField, notice } from '../forms.js';
import { html, type SafeHtml } from '../html.js';
import { documentHead, LOGO } from '../layout.js';

export type ConsoleSection = 'queue' | 'clients' | 'audit';

export interface ConsoleFrame {
  title: string;
  body: SafeHtml;
  /** ADMIN_TOKEN=none: anyone who reaches the port is let in, which every page says. */
  open: boolean;
  /** The signed-in operator; absent on the sign-in page. */
  operator?: string | undefined;
  csrf?: string | undefined;
  current?: ConsoleSection | undefined;
}

const SECTIONS: { id: ConsoleSection; href: string; label: string }[] = [
  { id: 'queue', href: '/admin/ui', label: 'Pending queue' },
  { id: 'clients', href: '/admin/ui/clients', label: 'All applications' },
  { id: 'audit', href: '/admin/ui/audit', label: 'Audit log' },
];

export function consolePage(frame: ConsoleFrame): string {
  const nav = frame.operator
    ? html`<nav aria-label="Console"><ul>${SECTIONS.map(
        (s) => html`<li><a href="${s.href}"${s.id === frame.current ? html` aria-current="page"` : ''}>${s.label}</a></li>`,
      )}</ul></nav>
<form method="post" action="/admin/ui/logout" class="who">${csrfField(frame.csrf ?? '')}
<span>Signed in as <strong>${frame.operator}</strong></span>
<button type="submit" class="link">Sign out</button></form>`
    : '';
  return html`${documentHead(`${frame.title} · Gatehouse console`)}
<body class="console">
<header class="console-bar">
<div class="brand">${LOGO}<span>Gatehouse</span><span class="muted">admin console</span></div>
${nav}
</header>
${
  frame.open
    ? html`<div class="console-warning" role="alert"><strong>ADMIN_TOKEN=none.</strong> The console and the admin API ask for no token: whoever can reach this port can use them. Keep it on a private network or behind a proxy that authenticates.</div>`
    : ''
}
<main class="console${frame.operator ? '' : ' narrow'}">
${frame.body}
</main>
</body>
</html>`.value;
}

export interface ConsoleLoginModel {
  csrf: string;
  open: boolean;
  /** Where the server keeps the admin token it generated (when ADMIN_TOKEN is unset). */
  tokenFile?: string | undefined;
  operator: string;
  next: string;
  errors: { operator?: string | undefined; token?: string | undefined; form?: string | undefined };
  flash?: string | undefined;
}

/** The sign-in form: the admin token and a name for the audit log (only the name when the port is open). */
export function consoleLoginPage(m: ConsoleLoginModel): SafeHtml {
  const field = (name: 'operator' | 'token') =>
    m.errors[name] ? html`<p class="field-error" id="f-${name}-error" role="alert">${m.errors[name]}</p>` : '';
  const invalid = (name: 'operator' | 'token') =>
    m.errors[name] ? html` aria-invalid="true" aria-describedby="f-${name}-error"` : '';
  return html`<h1>Sign in to the admin console</h1>
${notice(m.flash)}${notice(m.errors.form, 'error')}
<p class="muted">${
    m.open
      ? 'Tell us who you are: your name goes into the audit log next to everything you do here.'
      : m.tokenFile
        ? html`Use the admin token this server generated: on its machine, <code>cat ${m.tokenFile}</code> shows it (or set <code>ADMIN_TOKEN</code>). Your name goes into the audit log next to everything you do here.`
        : 'Use the ADMIN_TOKEN this server was started with. Your name goes into the audit log next to everything you do here.'
  }</p>
<form method="post" action="/admin/ui/login" novalidate>
${csrfField(m.csrf)}<input type="hidden" name="next" value="${m.next}">
<label for="f-operator">Your name or email</label>
<input id="f-operator" name="operator" type="text" value="${m.operator}" required maxlength="100" autocomplete="username"${m.errors.operator || !m.operator ? html` autofocus` : ''}${invalid('operator')}>
${field('operator')}
${
  m.open
    ? ''
    : html`<label for="f-token">Admin token</label>
<input id="f-token" name="token" type="password" required autocomplete="current-password"${m.operator && !m.errors.operator ? html` autofocus` : ''}${invalid('token')}>
${field('token')}`
}
<button type="submit">Sign in</button>
</form>`;
}

/** "2025-03-01 14:05 UTC", inside a machine-readable <time>. */
export function when(value: Date | string): SafeHtml {
  const date = typeof value === 'string' ? new Date(value) : value;
  const iso = date.toISOString();
  return html`<time datetime="${iso}">${iso.replace('T', ' ').slice(0, 16)} UTC</time>`;
}

export const statusBadge = (status: string) => html`<span class="badge status-${status}">${status}</span>`;

/** A link to a page the developer gave (homepage, policy…): never followed with our referrer, opened apart. */
export function outsideLink(uri: string | undefined): SafeHtml | string {
  if (!uri) return html`<span class="muted">—</span>`;
  // Registration only accepts http(s) URLs; anything else is shown as text, never as a link.
  if (!/^https?:\/\//i.test(uri)) return html`<code>${uri}</code>`;
  return html`<a href="${uri}" rel="noopener noreferrer nofollow" target="_blank">${uri}</a>`;
}

/** Where a client's page is. Ids "." and ".." would be eaten by URL normalisation in a path, so those go in the query. */
export function clientHref(id: string): string {
  return id === '.' || id === '..'
    ? `/admin/ui/client?${new URLSearchParams({ id })}`
    : `/admin/ui/clients/${encodeURIComponent(id)}`;
}

/** `href` with more query parameters. */
export function withQuery(href: string, params: Record<string, string | undefined>): string {
  const url = new URL(href, 'http://console.invalid');
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') url.searchParams.set(name, value);
  return url.pathname + url.search;
}

/** A refused console request, inside the console's frame so the way back is one click. */
export const consoleErrorPage = (error: string, description: string): SafeHtml => html`<div class="error">
<h1>That did not work</h1>
<p>${description}</p>
<p><a href="/admin/ui">Back to the pending queue</a> · <a href="/admin/ui/clients">All applications</a></p>
<p class="muted">Error code: <code>${error}</code></p>
</div>`;
