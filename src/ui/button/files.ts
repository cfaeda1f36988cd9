/**
 * Everything served under /ui/button/: the element's module, its stylesheet and the SVGs,
 * each read or drawn once, with its content type and a content hash (the ETag and the
 * ?v= version that makes a URL immutable).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { svgFiles } from './svg.js';

export interface ButtonFile {
  name: string;
  type: string;
  body: Buffer;
  /** A short hash of the body: the ETag (quoted) and the version in ?v=. */
  version: string;
}

export const SCRIPT = 'gatehouse-signin.js';
export const STYLESHEET = 'gatehouse-signin.css';

// Beside this module both in src/ (tsx, vitest) and in dist/ (copied by scripts/copy-assets.mjs).
const read = (name: string) => readFileSync(new URL(name, import.meta.url));

function file(name: string, type: string, body: Buffer): ButtonFile {
  return { name, type, body, version: createHash('sha256').update(body).digest('base64url').slice(0, 16) };
}

export function buttonFiles(): Map<string, ButtonFile> {
  const files = [
    file(SCRIPT, 'text/javascript; charset=utf-8', read(SCRIPT)),
    file(STYLESHEET, 'text/css; charset=utf-8', read(STYLESHEET)),
    ...svgFiles().map((svg) => file(svg.name, 'image/svg+xml; charset=utf-8', Buffer.from(svg.body))),
  ];
  return new Map(files.map((f) => [f.name, f]));
}
