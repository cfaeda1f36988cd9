/**
 * What a fresh `npm start` generates into DATA_DIR instead of asking for a set-up step, and
 * keeps across restarts: the system secret (SECRETS_SYSTEM) and the admin token (ADMIN_TOKEN).
 * Written with O_EXCL, so that workers or nodes starting together on one DATA_DIR agree on one.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Config, ConfigError } from './config.js';

export interface SystemSecrets {
  secrets: string[];
  generated: boolean;
  file?: string;
}

/** Creates `file` holding `content` unless it exists; answers what the file holds and whether this call wrote it. */
function readOrCreate(file: string, content: () => string): { text: string; created: boolean } {
  try {
    return { text: readFileSync(file, 'utf8'), created: false };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(resolve(file, '..'), { recursive: true });
  const text = content();
  try {
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
    return { text, created: true };
  } catch (err) {
    // Another process of this DATA_DIR wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { text: readFileSync(file, 'utf8'), created: false };
    throw err;
  }
}

export function loadSystemSecrets(config: Pick<Config, 'secretsSystem' | 'dataDir'>): SystemSecrets {
  if (config.secretsSystem) return { secrets: config.secretsSystem, generated: false };
  const file = join(config.dataDir, 'secrets.json');
  const { text } = readOrCreate(file, () => `${JSON.stringify({ system: [randomBytes(32).toString('base64url')] }, null, 2)}\n`);
  const stored = JSON.parse(text) as { system: string[] };
  return { secrets: stored.system, generated: true, file };
}

export const ADMIN_TOKEN_FILE = 'admin-token';

/** Why a token file cannot be read that still means "no token here": it is missing, or another user's. */
const UNREADABLE = new Set(['ENOENT', 'EACCES', 'EPERM']);

export interface AdminToken {
  /** The bearer token the admin port requires; undefined only for ADMIN_TOKEN=none. */
  token: string | undefined;
  /** Where a generated token is kept (absolute), for the CLI and the console's sign-in page to point to. */
  file?: string;
  /** Whether this call generated it (first start). */
  created?: boolean;
}

/**
 * ADMIN_TOKEN, or the token generated once into DATA_DIR: the admin port is never open by
 * default. `create: false` (the CLI) reads an existing one and never writes.
 */
export function loadAdminToken(config: Pick<Config, 'adminToken' | 'dataDir'>, options: { create?: boolean } = {}): AdminToken {
  if (config.adminToken === false) return { token: undefined };
  if (config.adminToken) return { token: config.adminToken };
  const file = resolve(config.dataDir, ADMIN_TOKEN_FILE);
  let found: { text: string; created: boolean };
  if (options.create === false) {
    try {
      found = { text: readFileSync(file, 'utf8'), created: false };
    } catch (err) {
      // No token here, or not this user's to read: the CLI goes on without one, and a 401 says where it looked.
      if (!UNREADABLE.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      return { token: undefined, file };
    }
  } else {
    found = readOrCreate(file, () => `${randomBytes(32).toString('base64url')}\n`);
  }
  const token = found.text.trim();
  if (token.length < 16) {
    throw new ConfigError('ADMIN_TOKEN', `${file} holds no token of 16 or more characters; delete it to generate a new one`);
  }
  return { token, file, created: found.created };
}
