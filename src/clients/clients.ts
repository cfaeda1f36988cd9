/**
 * The client registry: Hydra's client JSON in and out, validated metadata, secrets shown once
 * and stored hashed, and the approval status that gates every authorization.
 */
import { SIGNING_ALGORITHMS } from '../crypto/signing-keys.js';
import { hashSecret, newId, newSecret } from '../crypto/tokens.js';
import { type Client, type ClientStatus, json, type NewClient } from '../db/schema.js';
import { conflict, notFound, OAuthError } from '../errors.js';
import type { EventSink } from '../events/events.js';
import type { GrantStore } from '../grants/store.js';
import { type ApplicationType, redirectUriProblem } from '../oauth/redirect-uri.js';
import { formatScope, parseScope, type ScopeCatalogue } from '../oauth/scopes.js';
import { applyJsonPatch, type JsonPatchOperation } from './json-patch.js';
import type { ClientStore } from './store.js';

export const CLIENT_STATUSES: readonly ClientStatus[] = ['pending', 'approved', 'rejected', 'suspended'];
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;

/** A client as Hydra's admin API shows it, plus `status`. */
export interface ClientJson {
  client_id: string;
  client_secret?: string;
  client_name: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  scope: string;
  audience: string[];
  token_endpoint_auth_method: string;
  application_type: string;
  skip_consent: boolean;
  id_token_signed_response_alg?: string;
  logo_uri: string;
  client_uri: string;
  policy_uri: string;
  tos_uri: string;
  owner: string;
  contacts: string[];
  metadata: Record<string, unknown>;
  subject_type: 'public';
  client_secret_expires_at: 0;
  status: ClientStatus;
  status_reason?: string;
  created_at: string;
  updated_at: string;
}

/** What a caller may send: every field optional, unknown fields ignored (as Hydra does). */
export type ClientInput = Partial<Omit<ClientJson, 'subject_type' | 'client_secret_expires_at' | 'created_at' | 'updated_at'>>;

const invalidMetadata = (description: string) => new OAuthError('invalid_client_metadata', description);
const invalidRedirect = (description: string) => new OAuthError('invalid_redirect_uri', description);

const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;
const MAX_TEXT = 1000;
const MAX_LIST = 50;
const MAX_METADATA_BYTES = 16 * 1024;

export interface ClientsDeps {
  store: ClientStore;
  grants: GrantStore;
  scopes: ScopeCatalogue;
  events: EventSink;
  now: () => number;
}

export class Clients {
  constructor(private readonly deps: ClientsDeps) {}

  async get(id: string): Promise<Client> {
    const client = await this.deps.store.find(id);
    if (!client) throw notFound(`The client "${id}" does not exist.`);
    return client;
  }

  list(filter: { after?: string; limit: number; name?: string; owner?: string; status?: string }): Promise<Client[]> {
    return this.deps.store.list(filter);
  }

  /** Creates a client; the returned JSON carries the secret, which is never shown again. */
  async create(input: ClientInput, defaults: { status: ClientStatus }): Promise<ClientJson> {
    const id = input.client_id ?? newId();
    if (!CLIENT_ID.test(id)) throw invalidMetadata('client_id must be 1-128 characters of A-Z a-z 0-9 . _ ~ -');
    if (await this.deps.store.find(id)) throw conflict(`A client with id "${id}" already exists.`);
    const fields = this.validate(input, undefined);
    const secret = this.secretFor(fields.token_endpoint_auth_method, input.client_secret);
    const now = new Date(this.deps.now());
    const client = await this.deps.store.insert({
      ...fields,
      id,
      status: input.status ?? defaults.status,
      status_reason: input.status_reason ?? null,
      secret_hash: secret === undefined ? null : hashSecret(secret),
      created_at: now,
      updated_at: now,
    });
    this.deps.events.emit({ type: 'client.created', clientId: id, status: client.status });
    return { ...toClientJson(client), ...(secret !== undefined ? { client_secret: secret } : {}) };
  }

  /** PUT: replaces every field; the secret is replaced only when the body has one. */
  async replace(id: string, input: ClientInput): Promise<ClientJson> {
    const existing = await this.get(id);
    if (input.client_id !== undefined && input.client_id !== id) {
      throw invalidMetadata('client_id cannot be changed.');
    }
    const fields = this.validate(input, undefined);
    return this.save(existing, fields, input.client_secret, input.status, input.status_reason);
  }

  /** PATCH: an RFC 6902 JSON Patch over the client's JSON, as Hydra's admin API takes. */
  async patch(id: string, operations: JsonPatchOperation[]): Promise<ClientJson> {
    const existing = await this.get(id);
    const current = toClientJson(existing) as unknown as Record<string, unknown>;
    const patched = applyJsonPatch(current, operations) as ClientInput;
    if (patched.client_id !== id) throw invalidMetadata('client_id cannot be changed.');
    const fields = this.validate(patched, existing);
    return this.save(existing, fields, patched.client_secret, patched.status, patched.status_reason);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.deps.store.delete(id))) throw notFound(`The client "${id}" does not exist.`);
    this.deps.events.emit({ type: 'client.deleted', clientId: id });
  }

  async setStatus(id: string, status: ClientStatus, reason?: string): Promise<ClientJson> {
    const existing = await this.get(id);
    return this.save(existing, {}, undefined, status, reason);
  }

  /** Issues a new secret; the old one stops working at once. */
  async rotateSecret(id: string): Promise<ClientJson> {
    const existing = await this.get(id);
    if (existing.token_endpoint_auth_method === 'none') throw invalidMetadata('A public client has no secret.');
    const secret = newSecret('clientSecret');
    const client = await this.deps.store.update(id, { secret_hash: hashSecret(secret), updated_at: new Date(this.deps.now()) });
    if (!client) throw notFound(`The client "${id}" does not exist.`);
    this.deps.events.emit({ type: 'client.secret_rotated', clientId: id });
    return { ...toClientJson(client), client_secret: secret };
  }

  private async save(
    existing: Client,
    fields: Partial<NewClient>,
    secretInput: string | undefined,
    status: ClientStatus | undefined,
    reason: string | undefined,
  ): Promise<ClientJson> {
    const method = fields.token_endpoint_auth_method ?? existing.token_endpoint_auth_method;
    let secret: string | undefined;
    let secretHash = existing.secret_hash;
    if (method === 'none') secretHash = null;
    else if (secretInput !== undefined || existing.secret_hash === null) {
      secret = this.secretFor(method, secretInput);
      secretHash = secret === undefined ? null : hashSecret(secret);
    }
    if (status !== undefined && !CLIENT_STATUSES.includes(status)) {
      throw invalidMetadata(`status must be one of ${CLIENT_STATUSES.join(', ')}.`);
    }
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_TEXT)) {
      throw invalidMetadata(`status_reason must be a string of at most ${MAX_TEXT} characters.`);
    }
    const nextStatus = status ?? existing.status;
    const now = new Date(this.deps.now());
    const client = await this.deps.store.update(existing.id, {
      ...fields,
      secret_hash: secretHash,
      status: nextStatus,
      status_reason: status !== undefined && status !== existing.status ? (reason ?? null) : (reason ?? existing.status_reason),
      updated_at: now,
    });
    if (!client) throw notFound(`The client "${existing.id}" does not exist.`);
    if (nextStatus !== existing.status) {
      // A client that is no longer approved loses every token it holds, at once.
      if (existing.status === 'approved') await this.deps.grants.revoke({ clientId: existing.id }, `client ${nextStatus}`, now);
      this.deps.events.emit({
        type: 'client.status_changed',
        clientId: existing.id,
        from: existing.status,
        to: nextStatus,
        reason,
      });
    } else {
      this.deps.events.emit({ type: 'client.updated', clientId: existing.id });
    }
    return { ...toClientJson(client), ...(secret !== undefined ? { client_secret: secret } : {}) };
  }

  private secretFor(method: string, supplied: string | undefined): string | undefined {
    if (method === 'none') {
      if (supplied) throw invalidMetadata('A public client (token_endpoint_auth_method "none") cannot have a secret.');
      return undefined;
    }
    if (supplied === undefined || supplied === '') return newSecret('clientSecret');
    if (typeof supplied !== 'string' || supplied.length < 32 || supplied.length > 512) {
      // Secrets are stored as SHA-256 hashes, which is only safe for high-entropy secrets.
      throw invalidMetadata('client_secret must be 32 to 512 characters; omit it to have one generated.');
    }
    return supplied;
  }

  /** Checks every field and returns the columns to store. */
  private validate(
    input: ClientInput,
    existing: Client | undefined,
  ): Omit<NewClient, 'id' | 'status' | 'secret_hash' | 'updated_at'> {
    const text = (name: keyof ClientInput, max = MAX_TEXT): string | null => {
      const value = input[name];
      if (value === undefined || value === null || value === '') return null;
      if (typeof value !== 'string') throw invalidMetadata(`${name} must be a string.`);
      if (value.length > max) throw invalidMetadata(`${name} must be at most ${max} characters.`);
      return value;
    };
    const strings = (name: keyof ClientInput, fallback: string[]): string[] => {
      const value = input[name];
      if (value === undefined || value === null) return fallback;
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        throw invalidMetadata(`${name} must be an array of strings.`);
      }
      if (value.length > MAX_LIST) throw invalidMetadata(`${name} must have at most ${MAX_LIST} entries.`);
      return [...new Set(value as string[])];
    };
    const webUri = (name: 'logo_uri' | 'client_uri' | 'policy_uri' | 'tos_uri'): string | null => {
      const value = text(name, 2000);
      if (value === null) return null;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        throw invalidMetadata(`${name} must be an absolute URL.`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalidMetadata(`${name} must be an http(s) URL.`);
      return value;
    };

    const applicationType = (text('application_type') ?? 'web') as ApplicationType;
    if (applicationType !== 'web' && applicationType !== 'native') {
      throw invalidMetadata('application_type must be "web" or "native".');
    }
    const method = text('token_endpoint_auth_method') ?? 'client_secret_basic';
    if (!(AUTH_METHODS as readonly string[]).includes(method)) {
      throw invalidMetadata(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}.`);
    }
    const grantTypes = strings('grant_types', ['authorization_code']);
    for (const g of grantTypes) {
      if (!(GRANT_TYPES as readonly string[]).includes(g)) throw invalidMetadata(`The grant type "${g}" is not supported.`);
    }
    if (method === 'none' && grantTypes.includes('client_credentials')) {
      throw invalidMetadata('A public client cannot use the client_credentials grant.');
    }
    const responseTypes = strings('response_types', grantTypes.includes('authorization_code') ? ['code'] : []);
    for (const r of responseTypes) {
      if (r !== 'code') throw invalidMetadata(`The response type "${r}" is not supported; only "code" is.`);
    }
    if (grantTypes.includes('authorization_code') !== responseTypes.includes('code')) {
      throw invalidMetadata('The authorization_code grant and the "code" response type go together.');
    }
    const redirectUris = strings('redirect_uris', []);
    for (const uri of redirectUris) {
      const problem = redirectUriProblem(uri, applicationType);
      if (problem) throw invalidRedirect(`The redirect URI "${uri}" ${problem}.`);
    }
    if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
      throw invalidRedirect('A client using the authorization_code grant needs at least one redirect URI.');
    }
    const postLogout = strings('post_logout_redirect_uris', []);
    for (const uri of postLogout) {
      const problem = redirectUriProblem(uri, applicationType);
      if (problem) throw invalidRedirect(`The post-logout redirect URI "${uri}" ${problem}.`);
    }
    const scopeText = input.scope === undefined ? 'openid offline_access' : input.scope;
    if (typeof scopeText !== 'string') throw invalidMetadata('scope must be a space-delimited string.');
    let scopes: string[];
    try {
      scopes = parseScope(scopeText);
      this.deps.scopes.assertKnown(scopes);
    } catch (err) {
      throw invalidMetadata(err instanceof OAuthError ? err.description : 'scope is malformed.');
    }
    const alg = text('id_token_signed_response_alg');
    if (alg !== null && !(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) {
      throw invalidMetadata(`id_token_signed_response_alg must be one of ${SIGNING_ALGORITHMS.join(', ')}.`);
    }
    const contacts = strings('contacts', []);
    if (contacts.some((c) => c.length > 320)) throw invalidMetadata('contacts entries must be at most 320 characters.');
    const metadata = input.metadata ?? existing?.metadata ?? {};
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      throw invalidMetadata('metadata must be a JSON object.');
    }
    if (JSON.stringify(metadata).length > MAX_METADATA_BYTES) throw invalidMetadata('metadata is larger than 16 KiB.');
    const skipConsent = input.skip_consent ?? false;
    if (typeof skipConsent !== 'boolean') throw invalidMetadata('skip_consent must be a boolean.');
    const audience = strings('audience', []);

    return {
      name: text('client_name', 200) ?? '',
      redirect_uris: json(redirectUris),
      post_logout_redirect_uris: json(postLogout),
      grant_types: json(grantTypes),
      response_types: json(responseTypes),
      scope: formatScope(scopes),
      audience: json(audience),
      token_endpoint_auth_method: method,
      application_type: applicationType,
      skip_consent: skipConsent,
      id_token_signed_response_alg: alg,
      logo_uri: webUri('logo_uri'),
      client_uri: webUri('client_uri'),
      policy_uri: webUri('policy_uri'),
      tos_uri: webUri('tos_uri'),
      owner: text('owner', 200),
      contacts: json(contacts),
      metadata: json(metadata),
    };
  }
}

export function toClientJson(client: Client): ClientJson {
  return {
    client_id: client.id,
    client_name: client.name,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris,
    grant_types: client.grant_types,
    response_types: client.response_types,
    scope: client.scope,
    audience: client.audience,
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    application_type: client.application_type,
    skip_consent: client.skip_consent,
    ...(client.id_token_signed_response_alg ? { id_token_signed_response_alg: client.id_token_signed_response_alg } : {}),
    logo_uri: client.logo_uri ?? '',
    client_uri: client.client_uri ?? '',
    policy_uri: client.policy_uri ?? '',
    tos_uri: client.tos_uri ?? '',
    owner: client.owner ?? '',
    contacts: client.contacts,
    metadata: client.metadata,
    subject_type: 'public',
    client_secret_expires_at: 0,
    status: client.status,
    ...(client.status_reason ? { status_reason: client.status_reason } : {}),
    created_at: client.created_at.toISOString(),
    updated_at: client.updated_at.toISOString(),
  };
}

export const isPublicClient = (client: Client): boolean => client.token_endpoint_auth_method === 'none';
