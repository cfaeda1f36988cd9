/**
 * RFC 7591 dynamic client registration and RFC 7592 client management, on top of the client
 * registry: the registry validates metadata and keeps the review rule; this module decides
 * who may call (an initial access token to register, the client's registration access token
 * to read, update or delete it) and what the answers look like.
 *
 * A registered client is `pending`: it cannot start an authorization or get a token until an
 * operator approves it. RFC 7591 3.2.1 still returns its client_secret at registration, since
 * there is no later moment at which the client could collect it; it starts working on approval.
 *
 * The registration access token rotates on every update (RFC 7592 3 allows it; Hydra and
 * node-oidc-provider do the same): a token that leaked stops working at the owner's next
 * update, and the answer to an update always carries the one to use next.
 */

import { hashesMatch, hashSecret, newId, newSecret, prefixes } from '../crypto/tokens.js';
import type { Client } from '../db/schema.js';
import { type Actor, identify } from '../events/actor.js';
import type { EventSink } from '../events/events.js';
import { type AuthenticationFailures, type FailedCredential, tooManyFailures } from '../oauth/authentication-failures.js';
import { BearerError, invalidRequest } from '../oauth/errors.js';
import { toClientJson } from './client-json.js';
import type { Clients } from './clients.js';
import type { InitialAccessTokens } from './initial-access-tokens.js';
import type { ClientJson, DeveloperInput } from './metadata.js';
import type { RegistrationLimits } from './registration-limits.js';
import type { ClientStore } from './store.js';

/** RFC 7592 2.2: fields the server issues, which an update request must not carry. */
const SERVER_FIELDS = ['registration_access_token', 'registration_client_uri', 'client_secret_expires_at', 'client_id_issued_at'];

/** Compared against when the client does not exist, so that case takes as long as a wrong token. */
const NO_SUCH_HASH = hashSecret('no such registration access token');

/** RFC 7591 3.2.1 / RFC 7592 3: the client information response. */
export interface ClientInformation {
  client_id: string;
  client_id_issued_at: number;
  client_secret?: string;
  client_secret_expires_at?: 0;
  registration_access_token: string;
  registration_client_uri: string;
  client_name?: string;
  description?: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  scope: string;
  token_endpoint_auth_method: string;
  application_type: string;
  id_token_signed_response_alg?: string;
  logo_uri?: string;
  client_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
  contacts: string[];
  /** Gatehouse: the review state, and changes to an approved client that wait for an operator. */
  status: ClientJson['status'];
  status_reason?: string;
  pending_changes?: ClientJson['pending_changes'];
}

export interface RegistrationDeps {
  clients: Clients;
  store: ClientStore;
  tokens: InitialAccessTokens;
  limits: RegistrationLimits;
  /** Wrong initial and registration access tokens, counted per client and address. */
  failures: AuthenticationFailures;
  events: EventSink;
  issuer: string;
}

const initialTokenRefused = () =>
  new BearerError(
    'invalid_token',
    'Registering a client needs a valid initial access token as a Bearer token; this one is missing, unknown, expired or used up.',
    401,
  );

// The same answer whether the client exists or not (RFC 7592 2.1: 401 for an unknown client).
const registrationTokenRefused = () =>
  new BearerError('invalid_token', 'The registration access token is not valid for this client.', 401);

export class Registration {
  constructor(private readonly deps: RegistrationDeps) {}

  get tokens(): InitialAccessTokens {
    return this.deps.tokens;
  }

  /** Refuses early (before the body is read) a request whose initial access token cannot be used. */
  async requireInitialAccessToken(token: string | undefined, address: string): Promise<void> {
    if ((await this.deps.tokens.check(token)) === undefined) await this.refuse({ unknown: 'initial_access_token' }, address);
  }

  /** Refuses early (before the body is read) a request whose registration access token is not this client's. */
  async requireRegistrationToken(actor: Actor, clientId: string, token: string | undefined, address: string): Promise<void> {
    await this.authenticate(actor, clientId, token, address);
  }

  /**
   * RFC 7591 3.1: registers a pending client, spending one use of the initial access token.
   * Counted against the token's and the address's registration limits first, so a token
   * without a use limit still registers only so many clients an hour.
   */
  async register(
    actor: Actor,
    metadata: Record<string, unknown>,
    initialAccessToken: string | undefined,
    address: string,
  ): Promise<ClientInformation> {
    const usable = await this.deps.tokens.check(initialAccessToken);
    if (usable === undefined) return this.refuse({ unknown: 'initial_access_token' }, address);
    await this.deps.limits.admit({ initialAccessToken: usable }, address);
    const tokenId = await this.deps.tokens.consume(initialAccessToken);
    if (tokenId === undefined) throw initialTokenRefused();
    // The id is chosen here, never by the caller, so the audit entries name the new client as actor.
    const clientId = newId();
    const registrationToken = newSecret('registrationAccessToken');
    identify(actor, 'client', clientId);
    let created: ClientJson;
    try {
      created = await this.deps.clients.registerDynamically(actor, clientId, metadata as DeveloperInput, registrationToken);
    } catch (err) {
      // Refused metadata does not cost the caller a use of a limited token.
      await this.deps.tokens.refund(tokenId);
      throw err;
    }
    await this.deps.events.emit({ type: 'initial_access_token.used', tokenId, clientId }, actor);
    return this.information(created, registrationToken);
  }

  /** RFC 7592 2.1: the client's current registration; the token presented is echoed back. */
  async read(actor: Actor, clientId: string, token: string | undefined, address: string): Promise<ClientInformation> {
    const client = await this.authenticate(actor, clientId, token, address);
    return this.information(toClientJson(client), token as string);
  }

  /**
   * RFC 7592 2.2: replaces the client's metadata. The body must name the client, must not
   * carry the fields the server issues, and may carry client_secret only as the current one
   * (a client never picks its own secret). Answers with a new registration access token.
   */
  async update(
    actor: Actor,
    clientId: string,
    token: string | undefined,
    body: Record<string, unknown>,
    address: string,
  ): Promise<ClientInformation> {
    const client = await this.authenticate(actor, clientId, token, address);
    if (body.client_id !== client.id) {
      throw invalidRequest("The body must carry client_id, and it must be this client's id.");
    }
    const issued = SERVER_FIELDS.find((field) => body[field] !== undefined);
    if (issued) throw invalidRequest(`The update request must not include "${issued}"; the server issues it.`);
    if (body.client_secret !== undefined) {
      const matches =
        typeof body.client_secret === 'string' &&
        client.secret_hash !== null &&
        hashesMatch(hashSecret(body.client_secret), client.secret_hash);
      if (!matches) throw invalidRequest("client_secret does not match the client's current secret; leave it out.");
    }
    const saved = await this.deps.clients.replaceRegistered(actor, client.id, body as DeveloperInput);
    const next = newSecret('registrationAccessToken');
    const rotated = await this.deps.store.update(client.id, { registration_token_hash: hashSecret(next) });
    // Deleted between the update and here: the client is gone, and so is what its token was for.
    if (!rotated) throw registrationTokenRefused();
    return this.information(saved, next);
  }

  /** RFC 7592 2.3: deletes the client, its grants and tokens; its credentials stop working. */
  async remove(actor: Actor, clientId: string, token: string | undefined, address: string): Promise<void> {
    const client = await this.authenticate(actor, clientId, token, address);
    await this.deps.clients.removeWithTokens(actor, client.id);
  }

  /** The client whose registration access token this is; 401 otherwise, unknown client included. */
  private async authenticate(actor: Actor, clientId: string, token: string | undefined, address: string): Promise<Client> {
    const usable = token?.startsWith(prefixes.registrationAccessToken) ?? false;
    const client = usable ? await this.deps.store.find(clientId) : undefined;
    const expected = client?.registration_token_hash ?? NO_SUCH_HASH;
    const matches = hashesMatch(hashSecret(token ?? ''), expected);
    if (!client?.registration_token_hash || !matches) {
      return this.refuse(client ? { client: client.id } : { unknown: 'client' }, address);
    }
    identify(actor, 'client', client.id);
    return client;
  }

  /**
   * A wrong token: 401 (RFC 6750 3.1), counted as a failure; beyond the limit 429 with
   * Retry-After, still invalid_token so that a client library reads it as refused.
   */
  private async refuse(who: FailedCredential, address: string): Promise<never> {
    const retryAfterSeconds = await this.deps.failures.count(who, address);
    if (retryAfterSeconds === undefined) {
      throw 'client' in who || who.unknown === 'client' ? registrationTokenRefused() : initialTokenRefused();
    }
    throw new BearerError('invalid_token', tooManyFailures(retryAfterSeconds), 429, retryAfterSeconds);
  }

  private information(client: ClientJson, registrationToken: string): ClientInformation {
    const optional = (name: 'client_name' | 'description' | 'logo_uri' | 'client_uri' | 'policy_uri' | 'tos_uri') =>
      client[name] ? { [name]: client[name] } : {};
    const confidential = client.token_endpoint_auth_method !== 'none';
    return {
      client_id: client.client_id,
      client_id_issued_at: Math.floor(Date.parse(client.created_at) / 1000),
      ...(client.client_secret !== undefined ? { client_secret: client.client_secret } : {}),
      // RFC 7591 3.2.1: required with a secret; 0 means it does not expire.
      ...(confidential ? { client_secret_expires_at: 0 as const } : {}),
      registration_access_token: registrationToken,
      registration_client_uri: `${this.deps.issuer}/oauth2/register/${encodeURIComponent(client.client_id)}`,
      ...optional('client_name'),
      ...optional('description'),
      redirect_uris: client.redirect_uris,
      post_logout_redirect_uris: client.post_logout_redirect_uris,
      grant_types: client.grant_types,
      response_types: client.response_types,
      scope: client.scope,
      token_endpoint_auth_method: client.token_endpoint_auth_method,
      application_type: client.application_type,
      ...(client.id_token_signed_response_alg ? { id_token_signed_response_alg: client.id_token_signed_response_alg } : {}),
      ...optional('logo_uri'),
      ...optional('client_uri'),
      ...optional('policy_uri'),
      ...optional('tos_uri'),
      contacts: client.contacts,
      status: client.status,
      ...(client.status_reason ? { status_reason: client.status_reason } : {}),
      ...(client.pending_changes ? { pending_changes: client.pending_changes } : {}),
    };
  }
}
