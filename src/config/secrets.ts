/**
 * SECRETS_SYSTEM, or for development a secret generated once into DATA_DIR, so that a fresh
 * `npm start` works and keeps its keys across restarts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';

export interface SystemSecrets {
  secrets: string[];
  generated: boolean;
  file?: string;
}

export function loadSystemSecrets(config: Pick<Config, 'secretsSystem' | 'dataDir'>): SystemSecrets {
  if (config.secretsSystem) return { secrets: config.secretsSystem, generated: false };
  const file = join(config.dataDir, 'secrets.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { system: string[] };
    return { secrets: stored.system, generated: true, file };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const secrets = [randomBytes(32).toString('base64url')];
  writeFileSync(file, `${JSON.stringify({ system: secrets }, null, 2)}\n`, { mode: 0o600 });
  return { secrets, generated: true, file };
}
