import { describe, expect, it } from 'vitest';
import { serverSettings } from './server-settings.js';

const { adminHosts, secretsSystem } = serverSettings;

describe('server settings read as lists', () => {
  it('ADMIN_HOSTS: lower-cased host names, and nothing that is not one', () => {
    expect(adminHosts.parse('Admin.Example.COM, metrics', 'ADMIN_HOSTS')).toEqual(['admin.example.com', 'metrics']);
    expect(() => adminHosts.parse('ok.example, https://admin.example', 'ADMIN_HOSTS')).toThrow(
      'ADMIN_HOSTS: "https://admin.example" is not a host name (no scheme, port or wildcard)',
    );
    expect(() => adminHosts.parse('*.example.com', 'ADMIN_HOSTS')).toThrow('is not a host name');
  });

  it('SECRETS_SYSTEM: at least one secret, each of 32 characters or more', () => {
    const [a, b] = ['a'.repeat(32), 'b'.repeat(40)];
    expect(secretsSystem.parse(`${a},${b}`, 'SECRETS_SYSTEM')).toEqual([a, b]);
    expect(() => secretsSystem.parse(' , ', 'SECRETS_SYSTEM')).toThrow('SECRETS_SYSTEM: must contain at least one secret');
    expect(() => secretsSystem.parse(`${a},short`, 'SECRETS_SYSTEM')).toThrow(
      'SECRETS_SYSTEM: each secret must be at least 32 characters long',
    );
  });
});
