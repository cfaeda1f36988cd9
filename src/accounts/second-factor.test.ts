/**
 * The second factor is checked in one place (second-factor.ts), which counts every try
 * against the account's limit and audits it. A route that called the TOTP module's checks
 * itself would skip both, so none may: this reads the HTTP layer's sources for such calls.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const HTTP = join(import.meta.dirname, '..', 'http');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });

it('no route checks or spends a second-factor code except through SecondFactor', () => {
  const direct = /totp\s*\.\s*(verify|useRecoveryCode|regenerateRecoveryCodes|disable)\s*\(/;
  const offenders = sources(HTTP).filter((path) => direct.test(readFileSync(path, 'utf8')));
  expect(offenders).toEqual([]);
});
