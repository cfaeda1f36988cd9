/**
 * Encryption at rest (signing keys) with AES-256-GCM under keys derived from SECRETS_SYSTEM.
 * The first secret encrypts; every secret is tried to decrypt, so secrets rotate by putting
 * the new one first and keeping the old one until the data is re-encrypted.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { InternalError } from '../errors.js';

/** A value this server stored cannot be read back: a fault of its secrets or its data, never of a request. */
export class DecryptionError extends InternalError {}

export class SecretBox {
  private readonly keys: { id: string; key: Buffer }[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new InternalError('SecretBox needs at least one secret');
    this.keys = secrets.map((secret) => {
      const key = Buffer.from(hkdfSync('sha256', secret, 'gatehouse', 'encryption-at-rest', 32));
      // A short key id tells which secret encrypted a value, so decryption tries one key.
      const id = createHash('sha256').update(key).digest('base64url').slice(0, 8);
      return { id, key };
    });
  }

  /** `v1.<key id>.<iv>.<ciphertext>.<tag>`, all base64url. */
  encrypt(plaintext: string, context: string): string {
    const { id, key } = this.keys[0] as { id: string; key: Buffer };
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', id, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  decrypt(value: string, context: string): string {
    const [version, id, iv, body, tag] = value.split('.');
    const entry = this.keys.find((k) => k.id === id);
    if (version !== 'v1' || !entry || iv === undefined || body === undefined || tag === undefined) {
      throw new DecryptionError('value was not encrypted with any of the configured SECRETS_SYSTEM');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError('value could not be decrypted: wrong secret or tampered data');
    }
  }

  /** Secrets for cookie signing, newest first (derived, so the raw secret is used for one thing only). */
  cookieSecrets(): string[] {
    return this.keys.map(({ key }) => createHmac('sha256', key).update('cookie-signing').digest('base64url'));
  }
}
