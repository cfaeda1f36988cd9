import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './ui-support.js';

describe('safeReturnTo', () => {
  it('keeps a path under /ui/ with its query', () => {
    expect(safeReturnTo('/ui/consent?consent_challenge=abc')).toBe('/ui/consent?consent_challenge=abc');
    expect(safeReturnTo('/ui/account')).toBe('/ui/account');
  });

  it.each([
    undefined,
    '',
    'https://evil.example/ui/',
    '//evil.example/ui/',
    '/ui//evil.example',
    '/\\evil.example',
    '/ui/\\evil',
    '/ui/../admin',
    '/ui/%2e%2e/oauth2/token',
    '/uix/page',
    '/oauth2/auth',
    'javascript:alert(1)',
    '/ui/\tx',
    '/ui/ x',
    `/ui/${'a'.repeat(2001)}`,
  ])('refuses %s', (value) => {
    expect(safeReturnTo(value)).toBeUndefined();
  });
});
