/**
 * Writes the README's configuration table from src/config/config.ts, between the markers
 * <!-- config:start --> and <!-- config:end -->. `--check` fails when the README is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { settings } from '../src/config/config.js';

export function configTable(): string {
  const rows = Object.values(settings).map(
    (s) => `| \`${s.env}\` | ${s.default === undefined ? '—' : `\`${s.default}\``} | ${s.description} |`,
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

const readme = new URL('../README.md', import.meta.url);
const text = readFileSync(readme, 'utf8');
const next = text.replace(/(<!-- config:start -->)[\s\S]*?(<!-- config:end -->)/, `$1\n${configTable()}\n$2`);
if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error('README.md configuration table is stale: run npm run docs:config');
    process.exit(1);
  }
} else {
  writeFileSync(readme, next);
}
