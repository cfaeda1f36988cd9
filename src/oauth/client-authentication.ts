/**
 * Client authentication at the token, revocation endpoints (RFC 6749 2.3): HTTP Basic,
 * credentials in the body, or none for a public client. Exactly one method per request.
 * Failures are counted per client and address (authentication-failures.ts).
 */

import { hashesMatch, hashSecret } from '../crypto/tokens.js';
import type { Client } from '../db/schema.js';
import { type Actor, identify } from '../events/actor.js';
import type { EventSink } from '../events/events.js';
import { type AuthenticationFailures, tooManyFailures } from './authentication-failures.js';
import { AuthenticationFailed, invalidClient, invalidRequest } from './errors.js';
import type { Params } from './params.js';

export interface ClientCredentials {
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
  clientId: string;
  secret?: string;
}

/** RFC 6749 2.3.1: Basic credentials are form-urlencoded before base64. */
function parseBasic(header: string): { clientId: string; secret: string } {
  const encoded = header.slice(6).trim();
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // RFC 6749 5.2: a client that tried Basic gets a 401 with the Basic challenge, malformed or not.
  const malformed = (description: string): never => {
    throw new AuthenticationFailed(true, 'malformed Basic credentials', description);
  };
  if (!/^[A-Za-z0-9+/]+=*$/.test(encoded) || colon < 0) {
    return malformed('The Authorization header is not valid Basic credentials.');
  }
  let clientId: string;
  let secret: string;
  try {
    clientId = decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' '));
    secret = decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' '));
  } catch (err) {
    // decodeURIComponent's one refusal: a malformed percent-escape.
    if (!(err instanceof URIError)) throw err;
    return malformed('The Basic credentials are not form-urlencoded.');
  }
  // RFC 6749 A.1: a client_id is VSCHAR; a control character (NUL above all) is never one.
  if (/\p{Cc}/u.test(clientId)) return malformed('The Basic credentials contain control characters.');
  return { clientId, secret };
}

export function readClientCredentials(authorization: string | undefined, params: Params): ClientCredentials {
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (authorization !== undefined && /^basic(?: |$)/i.test(authorization)) {
    if (bodySecret !== undefined) throw invalidRequest('The client used more than one authentication method.');
    const { clientId, secret } = parseBasic(authorization);
    if (bodyId !== undefined && bodyId !== clientId) throw invalidRequest('client_id differs from the authenticated client.');
    return { method: 'client_secret_basic', clientId, secret };
  }
  if (bodyId === undefined) throw invalidClient('The client did not authenticate (no client_id).', { status: 401 });
  if (bodySecret !== undefined) return { method: 'client_secret_post', clientId: bodyId, secret: bodySecret };
  return { method: 'none', clientId: bodyId };
}

export class ClientAuthenticator {
  constructor(
    private readonly findClient: (id: string) => Promise<Client | undefined>,
    private readonly events: EventSink,
    private readonly failures: AuthenticationFailures,
  ) {}

  /**
   * The authenticated, approved client; invalid_client (401) otherwise. `address` is the
   * caller's network (addressBucket), under which failures are counted.
   */
  async authenticate(actor: Actor, authorization: string | undefined, params: Params, address: string): Promise<Client> {
    const credentials = readClientCredentials(authorization, params);
    const client = await this.findClient(credentials.clientId);
    const usedBasic = credentials.method === 'client_secret_basic';
    const fail = async (debug: string): Promise<never> => {
      const [retryAfterSeconds] = await Promise.all([
        this.failures.count(client ? { client: client.id } : { unknown: 'client' }, address),
        client ? this.events.emit({ type: 'client.authentication_failed', clientId: client.id }, actor) : undefined,
      ]);
      if (retryAfterSeconds === undefined) throw new AuthenticationFailed(usedBasic, debug);
      // Still invalid_client; 429 says "back off", except that a client that tried Basic
      // must get 401 with the Basic challenge (RFC 6749 5.2). Retry-After either way.
      throw new AuthenticationFailed(usedBasic, `${debug}; failure limit reached`, tooManyFailures(retryAfterSeconds), {
        status: usedBasic ? 401 : 429,
        retryAfterSeconds,
      });
    };
    if (!client) return fail('unknown client');
    const registered = client.token_endpoint_auth_method;
    if (registered === 'none') {
      if (credentials.method !== 'none') return fail('public client sent a secret');
    } else {
      // Basic and post both present the same shared secret; a client may use either.
      if (credentials.method === 'none' || credentials.secret === undefined) return fail('confidential client sent no secret');
      if (!client.secret_hash || !hashesMatch(hashSecret(credentials.secret), client.secret_hash)) return fail('wrong secret');
    }
    if (client.status !== 'approved') {
      // Still invalid_client with the Basic challenge when Basic was used (RFC 6749 5.2).
      throw new AuthenticationFailed(usedBasic, `client status ${client.status}`, 'The client is not approved.');
    }
    identify(actor, 'client', client.id);
    return client;
  }
}
