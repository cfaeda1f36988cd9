/**
 * A client's secret: shown once, stored as a hash. An operator's client gets it when it is
 * created; a portal application when it is first approved, sealed until its developer looks.
 */
import type { SecretBox } from '../crypto/encryption.js';
import { hashSecret, newSecret } from '../crypto/tokens.js';
import type { Client, ClientStatus, NewClient } from '../db/schema.js';
import { CLIENT_SECRET_LENGTH } from './metadata.js';
import { invalidMetadata } from './normalize.js';

/** The secret a client starts with: none for a public client, the one supplied, or a new one. */
export function secretFor(method: string, supplied: string | undefined): string | undefined {
  if (method === 'none') {
    if (supplied) throw invalidMetadata('A public client (token_endpoint_auth_method "none") cannot have a secret.');
    return undefined;
  }
  if (supplied === undefined || supplied === '') return newSecret('clientSecret');
  if (typeof supplied !== 'string' || supplied.length < CLIENT_SECRET_LENGTH.min || supplied.length > CLIENT_SECRET_LENGTH.max) {
    // Secrets are stored as SHA-256 hashes, which is only safe for high-entropy secrets.
    throw invalidMetadata(
      `client_secret must be ${CLIENT_SECRET_LENGTH.min} to ${CLIENT_SECRET_LENGTH.max} characters; omit it to have one generated.`,
    );
  }
  return supplied;
}

/**
 * The secret columns after an edit or a status change, and the secret to show when one was
 * made or supplied now.
 */
export function secretColumns(
  existing: Client,
  method: string,
  supplied: string | undefined,
  nextStatus: ClientStatus,
  box: SecretBox,
): { secret: string | undefined; columns: Pick<NewClient, 'secret_hash' | 'unrevealed_secret'> } {
  if (method === 'none') return { secret: undefined, columns: { secret_hash: null, unrevealed_secret: null } };
  let secret: string | undefined;
  let secretHash = existing.secret_hash;
  let unrevealed = existing.unrevealed_secret;
  if (supplied !== undefined || (existing.secret_hash === null && !existing.developer_account_id)) {
    secret = secretFor(method, supplied);
    secretHash = secret === undefined ? null : hashSecret(secret);
  }
  if (nextStatus === 'approved' && existing.developer_account_id && existing.secret_hash === null) {
    // A portal application's first approval issues its secret, kept sealed until its developer looks.
    const issued = newSecret('clientSecret');
    secretHash = hashSecret(issued);
    unrevealed = box.encrypt(issued, `client-secret:${existing.id}`);
  }
  return { secret, columns: { secret_hash: secretHash, unrevealed_secret: unrevealed } };
}
