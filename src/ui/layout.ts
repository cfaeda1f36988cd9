/** The page frame shared by every server-rendered page. */
import { html, type SafeHtml, trusted } from './html.js';

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#f6f8fa;--card:#fff;--accent:#3b5bdb;--danger:#c92a2a}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--bg:#0d1117;--card:#161b22;--accent:#748ffc;--danger:#ff6b6b}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:28rem;margin:8vh auto;padding:2rem;background:var(--card);border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 1rem}p{margin:.5rem 0}.muted{color:var(--muted);font-size:.9rem}
.error h1{color:var(--danger)}code{font-size:.85em;word-break:break-all}a{color:var(--accent)}
`;

export function layout(title: string, body: SafeHtml, nonce: string): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · Gatehouse</title>
<style nonce="${nonce}">${trusted(STYLE)}</style>
</head>
<body>
<main>${body}</main>
</body>
</html>`.value;
}
