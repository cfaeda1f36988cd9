import { describe, expect, it } from 'vitest';
import { safeNext } from './console.js';
import { CONSOLE_SESSION_SECONDS, ConsoleSessions, operatorNameProblem } from './console-session.js';

const OLD = 'cookie-secret-old-0123456789abcdef';
const NEW = 'cookie-secret-new-0123456789abcdef';

describe('console sessions', () => {
  let now = 1_700_000_000_000;
  const clock = () => now;
  const sessions = (adminToken: string | undefined, secrets = [NEW]) => new ConsoleSessions({ secrets, adminToken, now: clock });

  it('reads back who signed in, until 12 hours have passed', () => {
    const s = sessions('token-a');
    const value = s.issue('ada@ops.example');
    expect(s.read(value)).toEqual({ operator: 'ada@ops.example', expiresAt: now + CONSOLE_SESSION_SECONDS * 1000 });
    now += CONSOLE_SESSION_SECONDS * 1000;
    expect(s.read(value)).toBeUndefined();
  });

  it('is void once ADMIN_TOKEN changes, is set or is removed', () => {
    const withToken = sessions('token-a').issue('ada');
    expect(sessions('token-b').read(withToken)).toBeUndefined();
    expect(sessions(undefined).read(withToken)).toBeUndefined();
    const open = sessions(undefined).issue('ada');
    expect(sessions(undefined).read(open)).toBeDefined();
    expect(sessions('token-a').read(open)).toBeUndefined();
  });

  it('keeps working while SECRETS_SYSTEM rotates, and not under an unknown secret', () => {
    const value = sessions('token-a', [OLD]).issue('ada');
    expect(sessions('token-a', [NEW, OLD]).read(value)?.operator).toBe('ada');
    expect(sessions('token-a', [NEW]).read(value)).toBeUndefined();
  });

  it('does not reveal the token in the cookie', () => {
    const value = sessions('a-very-secret-admin-token').issue('ada');
    expect(Buffer.from(value, 'base64url').toString()).not.toContain('a-very-secret-admin-token');
  });

  it('refuses malformed values', () => {
    const s = sessions('token-a');
    for (const value of [
      '',
      'not base64 !',
      Buffer.from('[]').toString('base64url'),
      Buffer.from('{"o":1}').toString('base64url'),
    ]) {
      expect(s.read(value)).toBeUndefined();
    }
  });
});

describe('operator names', () => {
  it('takes a name or an email, and refuses empty, long, control characters and reserved names', () => {
    expect(operatorNameProblem('ada@ops.example')).toBeUndefined();
    expect(operatorNameProblem('Ada Lovelace')).toBeUndefined();
    expect(operatorNameProblem('')).toMatch(/Enter your name/);
    expect(operatorNameProblem('x'.repeat(101))).toMatch(/at most 100/);
    expect(operatorNameProblem('ada\nroot')).toMatch(/printable/);
    expect(operatorNameProblem('Admin-API')).toMatch(/reserved/);
  });
});

describe('where the console returns after sign-in', () => {
  it('stays inside the console', () => {
    expect(safeNext('/admin/ui/clients?q=x')).toBe('/admin/ui/clients?q=x');
    expect(safeNext('/admin/ui')).toBe('/admin/ui');
    for (const bad of [
      undefined,
      'https://evil.example',
      '//evil.example',
      '/admin/ui//evil',
      '/admin/uix',
      '/admin/clients',
      '/admin/ui/login',
      '/admin/ui\\x',
    ]) {
      expect(safeNext(bad)).toBe('/admin/ui');
    }
  });
});
