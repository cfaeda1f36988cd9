import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ADMIN_TOKEN_FILE, loadAdminToken, loadSystemSecrets } from './secrets.js';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-secrets-'));
  dirs.push(dir);
  return join(dir, 'data');
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the admin token', () => {
  it('is generated once into DATA_DIR, readable by its owner only, and kept across starts', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    const first = loadAdminToken(config);
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[\w-]{43}$/);
    expect(first.file).toBe(join(config.dataDir, ADMIN_TOKEN_FILE));
    expect(statSync(first.file as string).mode & 0o777).toBe(0o600);
    const again = loadAdminToken(config);
    expect(again).toEqual({ token: first.token, file: first.file, created: false });
    // The CLI reads it and never writes one.
    expect(loadAdminToken(config, { create: false }).token).toBe(first.token);
  });

  it('is ADMIN_TOKEN when set, and none only when asked for by name', () => {
    const dir = dataDir();
    expect(loadAdminToken(loadConfig({ DATA_DIR: dir, ADMIN_TOKEN: 'an-operator-chosen-token' }))).toEqual({
      token: 'an-operator-chosen-token',
    });
    expect(loadAdminToken(loadConfig({ DATA_DIR: dir, ADMIN_TOKEN: 'none' }))).toEqual({ token: undefined });
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' })).toThrow('ADMIN_TOKEN: must be at least 16 characters long, or none');
  });

  it('is not invented by the CLI where no server has run', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    const found = loadAdminToken(config, { create: false });
    expect(found.token).toBeUndefined();
    expect(() => readFileSync(found.file as string)).toThrow();
  });

  it('stops the CLI at a token path that is no file, rather than going on as if no server had run', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    mkdirSync(join(config.dataDir, ADMIN_TOKEN_FILE), { recursive: true });
    expect(() => loadAdminToken(config, { create: false })).toThrow(/EISDIR/);
  });

  it('refuses a token file that holds no real token, naming the file', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    loadSystemSecrets(config);
    writeFileSync(join(config.dataDir, ADMIN_TOKEN_FILE), '\n');
    expect(() => loadAdminToken(config)).toThrow(/ADMIN_TOKEN: .*admin-token holds no token of 16 or more characters/);
  });
});

describe('the system secret', () => {
  it('is generated once into DATA_DIR and kept', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    const first = loadSystemSecrets(config);
    expect(first.generated).toBe(true);
    expect(loadSystemSecrets(config).secrets).toEqual(first.secrets);
    expect(statSync(first.file as string).mode & 0o777).toBe(0o600);
  });
});
