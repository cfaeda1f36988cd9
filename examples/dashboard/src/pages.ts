/** The Dashboard's pages: landing, signed in, signed out, error. Everything goes through `html`. */
import { type Html, html } from './html.js';
import type { DashboardView } from './view.js';

export interface PageContext {
  /** Gatehouse's issuer: the sign-in button's script and stylesheet come from there. */
  issuer: string;
}

const LOGO = html`<svg class="logo" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor"
stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><rect x="3" y="3" width="7" height="9" rx="1"/>
<rect x="14" y="3" width="7" height="5" rx="1"/><rect x="14" y="12" width="7" height="9" rx="1"/><rect x="3" y="16" width="7" height="5" rx="1"/></svg>`;

export function layout(ctx: PageContext, title: string, body: Html, options: { button?: boolean } = {}): string {
  const button = options.button
    ? html`<link rel="stylesheet" href="${ctx.issuer}/ui/button/gatehouse-signin.css">
<script type="module" src="${ctx.issuer}/ui/button/gatehouse-signin.js"></script>`
    : '';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/assets/dashboard.css">
${button}
</head>
<body>
<header class="topbar"><a class="brand" href="/">${LOGO}<span>Dashboard</span></a>
<span class="tag">example app for Gatehouse</span></header>
<main>
${body}
</main>
<footer>A relying party of <a href="${ctx.issuer}">${new URL(ctx.issuer).host}</a>, built with <code>@gatehouse/sdk</code>.</footer>
</body>
</html>`.value;
}

/** The sign-in button: the web component, with a plain link inside for browsers without JavaScript. */
const signInButton = html`<gatehouse-signin href="/login" variant="dark" size="large">
<a class="gatehouse-signin gatehouse-signin--dark gatehouse-signin--large" href="/login">Sign in with Gatehouse</a>
</gatehouse-signin>`;

export function landingPage(ctx: PageContext, notice?: string): string {
  return layout(
    ctx,
    'Dashboard',
    html`<section class="hero">
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<h1>Your Dashboard</h1>
<p class="lead">Sign in with your Gatehouse account. You choose what the Dashboard may see:
your account id, your email or phone, and the accounts and wallets you linked.</p>
<div class="cta">${signInButton}</div>
<ol class="steps">
<li><strong>Sign in or register</strong> on Gatehouse with a one-time code.</li>
<li><strong>Allow</strong> the Dashboard to see what it asks for.</li>
<li><strong>Come back here</strong>, signed in: nothing but a token is shared.</li>
</ol>
</section>`,
    { button: true },
  );
}

function dateTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function fromNow(date: Date, now: number): string {
  const minutes = Math.round((date.getTime() - now) / 60_000);
  if (minutes <= 0) return 'expired';
  if (minutes < 90) return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} hours`;
  return `in ${Math.round(hours / 24)} days`;
}

const row = (label: string, value: Html | string | undefined, missing = 'Not shared') =>
  html`<div class="row"><dt>${label}</dt><dd>${value === undefined || value === '' ? html`<span class="muted">${missing}</span>` : value}</dd></div>`;

export function dashboardPage(ctx: PageContext, view: DashboardView, m: { csrf: string; notice?: string; now: number }): string {
  const identities =
    view.identities.length === 0
      ? html`<p class="muted">None shared. Link an account or a wallet on your
<a href="${ctx.issuer}/ui/account">Gatehouse account page</a>, then sign in again to share it.</p>`
      : html`<dl>${view.identities.map((i) =>
          row(
            i.label,
            i.value === undefined
              ? undefined
              : html`<code>${i.value}</code>${i.detail ? html` <span class="muted">${i.detail}</span>` : ''}`,
            'Not linked',
          ),
        )}</dl>`;
  return layout(
    ctx,
    'Dashboard',
    html`${m.notice ? html`<p class="notice" role="status">${m.notice}</p>` : ''}
<div class="title-row">
<div><h1>Signed in</h1>${view.email || view.phone ? html`<p class="muted">as ${view.email ?? view.phone}</p>` : ''}</div>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${m.csrf}">
<button type="submit" class="secondary">Sign out</button></form>
</div>
<div class="cards">
<section class="card" aria-labelledby="you">
<h2 id="you">You</h2>
<dl>
${row('Account ID', html`<code>${view.accountId}</code>`)}
${row('Email', view.email, view.emailShared ? 'None on this account' : 'Not shared')}
${row('Phone', view.phone, view.phoneShared ? 'None on this account' : 'Not shared')}
</dl>
</section>
<section class="card" aria-labelledby="linked">
<h2 id="linked">Linked identities</h2>
${identities}
</section>
<section class="card wide" aria-labelledby="token">
<h2 id="token">Access token</h2>
<dl>
${row('Client', html`<code>${view.token.clientId}</code>`)}
${row('Expires', html`${dateTime(view.token.expiresAt)} <span class="muted">(${fromNow(view.token.expiresAt, m.now)})</span>`)}
${row('Scope', html`<ul class="chips">${view.token.scope.map((s) => html`<li>${s}</li>`)}</ul>`)}
${row('Token', html`<code>…${view.token.ending}</code>`)}
</dl>
${
  view.canRefresh
    ? html`<form method="post" action="/refresh"><input type="hidden" name="_csrf" value="${m.csrf}">
<button type="submit">Refresh</button></form>`
    : html`<p class="muted">No refresh token was granted.</p>`
}
</section>
</div>`,
  );
}

export function signedOutPage(ctx: PageContext): string {
  return layout(
    ctx,
    'Signed out · Dashboard',
    html`<section class="hero">
<h1>You are signed out</h1>
<p class="lead">You left the Dashboard and your Gatehouse session ended.</p>
<div class="cta"><a class="button" href="/">Back to the Dashboard</a></div>
</section>`,
  );
}

export function errorPage(ctx: PageContext, m: { title: string; description: string; code?: string }): string {
  return layout(
    ctx,
    `${m.title} · Dashboard`,
    html`<section class="hero">
<h1>${m.title}</h1>
<p class="lead">${m.description}</p>
${m.code ? html`<p class="muted">Error code: <code>${m.code}</code></p>` : ''}
<div class="cta"><a class="button" href="/">Back to the Dashboard</a></div>
</section>`,
  );
}
