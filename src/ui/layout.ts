/** The page frame shared by every server-rendered page, and the headers that go with it. */
import { html, type SafeHtml } from './html.js';

/** Gatehouse's mark, beside its name at the top of every page. */
export const LOGO = html`<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2"><path d="M4 21V9l8-6 8 6v12"/><path d="M9 21v-6h6v6"/></svg>`;

export interface PageOptions {
  title: string;
  body: SafeHtml;
  wide?: boolean;
  /** Extra scripts (same origin), e.g. the captcha widget. */
  scripts?: string[];
}

/** The document's head, the same on every page: no referrer leaves, one stylesheet, no favicon request. */
export function documentHead(title: string, scripts: readonly string[] = []): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<link rel="stylesheet" href="/ui/assets/app.css">
<link rel="icon" href="data:,">
${scripts.map((src) => html`<script src="${src}" type="module" defer></script>`)}
</head>`;
}

export function layout(options: PageOptions): string {
  return html`${documentHead(`${options.title} · Gatehouse`, options.scripts)}
<body>
<main${options.wide ? html` class="wide"` : ''}>
<div class="brand">${LOGO}<span>Gatehouse</span></div>
${options.body}
</main>
</body>
</html>`.value;
}

export interface PolicyOptions {
  /** Origins a form on the page may end up at after redirects (the application's callback). */
  formTargets?: string[];
  /** Origins of third-party captcha scripts and frames. */
  thirdParty?: string[];
}

/**
 * A strict policy: nothing inline, same-origin scripts and styles, no framing. form-action
 * also governs the redirects after a form post (the consent answer ends at the application),
 * so those origins are named.
 */
export function pageHeaders(options: PolicyOptions = {}): Record<string, string> {
  const formTargets = [...new Set(options.formTargets ?? [])].join(' ');
  const third = (options.thirdParty ?? []).join(' ');
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      `script-src 'self'${third ? ` ${third}` : ''}`,
      `style-src 'self'${third ? ` ${third}` : ''}`,
      "img-src 'self' https: data:",
      `connect-src 'self'${third ? ` ${third}` : ''}`,
      `frame-src${third ? ` ${third}` : " 'none'"}`,
      "worker-src 'self'",
      `form-action 'self'${formTargets ? ` ${formTargets}` : ''}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
  };
}
