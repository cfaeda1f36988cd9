/**
 * The ALTCHA widget's browser files, served from Gatehouse's own origin so the login pages
 * keep a strict Content-Security-Policy. The package's default build will not do: it injects
 * a <style> element (blocked by `style-src 'self'`) and starts its workers from blob: URLs
 * (which need `worker-src blob:`). Its "external" build does neither; it needs its
 * stylesheet as a file and its proof-of-work workers registered by the page. The loader
 * below does both, so a page includes one module script and nothing inline.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export const LOADER_PATH = '/ui/assets/altcha.js';
const BASE = '/ui/assets/altcha/';

const LOADER = `// Gatehouse's loader for the ALTCHA widget: no inline styles, no blob: workers.
import './altcha/widget.js';

const base = new URL('./altcha/', import.meta.url);
// The widget looks its solver up by the challenge's algorithm when it starts to work.
const pbkdf2 = () => new Worker(new URL('workers/pbkdf2.js', base));
const sha = () => new Worker(new URL('workers/sha.js', base));
for (const algorithm of ['PBKDF2/SHA-256', 'PBKDF2/SHA-384', 'PBKDF2/SHA-512']) globalThis.$altcha.algorithms.set(algorithm, pbkdf2);
for (const algorithm of ['SHA-256', 'SHA-384', 'SHA-512']) globalThis.$altcha.algorithms.set(algorithm, sha);

// The page may link the stylesheet itself (no flash of an unstyled widget); otherwise add it.
if (!document.querySelector('link[rel="stylesheet"][href*="/altcha/altcha.css"]')) {
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL('altcha.css', base).href;
  document.head.append(link);
}
`;

const JS = 'application/javascript; charset=utf-8';

const asset = (body: Buffer, type: string): Asset => ({
  body,
  type,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
});

/** Path → file. Read once, when the routes are registered. */
export function loadAltchaAssets(): Map<string, Asset> {
  // The package exports "./external" (its require condition resolves to the UMD file); the
  // ES module build, stylesheet and workers sit beside it in the package's dist/.
  const external = dirname(createRequire(import.meta.url).resolve('altcha/external'));
  const file = (...parts: string[]) => readFileSync(join(external, ...parts));
  return new Map([
    [LOADER_PATH, asset(Buffer.from(LOADER), JS)],
    [`${BASE}widget.js`, asset(file('altcha.min.js'), JS)],
    [`${BASE}altcha.css`, asset(file('altcha.css'), 'text/css; charset=utf-8')],
    [`${BASE}workers/pbkdf2.js`, asset(file('..', 'workers', 'pbkdf2.js'), JS)],
    [`${BASE}workers/sha.js`, asset(file('..', 'workers', 'sha.js'), JS)],
  ]);
}
