import { describe, expect, it } from 'vitest';
import { safeNext } from './console-sign-in.js';

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
