/**
 * The client registry: Hydra's client JSON in and out, validated metadata, secrets shown once
 * and stored hashed, and the approval status that gates every authorization.
 */
import type { Actor } from '../audit/actor.js';
import type { SecretBox } from '../crypto/encryption.js';
import { SIGNING_ALGORITHMS } from '../crypto/signing-keys.js';
import { hashSecret, newId, newSecret } from '../crypto/tokens.js';
import { type Client, type ClientStatus, json, type NewClient, type PendingChanges } from '../db/schema.js';
import { conflict, notFound, OAuthError } from '../errors.js';
import type { EventSink } from '../events/events.js';
import { type ApplicationType, redirectUriProblem } from '../oauth/redirect-uri.js';
import { formatScope, parseScope, type ScopeCatalogue } from '../oauth/scopes.js';
import type { TokenStore } from '../tokens/token-store.js';
import { applyJsonPatch, type JsonPatchOperation } from './json-patch.js';
import type { ClientFilter, ClientStore } from './store.js';

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
  /** Gatehouse extensions: what the developer wrote, who registered it, changes under review. */
  description: string;
  developer_account_id?: string;
  pending_changes?: PendingChanges;
  created_at: string;
  updated_at: string;
}

/** What a caller may send: every field optional, unknown fields ignored (as Hydra does). */
export type ClientInput = Partial<
  Omit<
    ClientJson,
    'subject_type' | 'client_secret_expires_at' | 'created_at' | 'updated_at' | 'developer_account_id' | 'pending_changes'
  >
>;

/** What a developer may set in the portal or through RFC 7591: no status, no skip_consent, no audience. */
export type DeveloperInput = Pick<
  ClientInput,
  | 'client_name'
  | 'description'
  | 'client_uri'
  | 'logo_uri'
  | 'policy_uri'
  | 'tos_uri'
  | 'contacts'
  | 'redirect_uris'
  | 'post_logout_redirect_uris'
  | 'scope'
  | 'token_endpoint_auth_method'
  | 'application_type'
  | 'grant_types'
  | 'response_types'
  | 'id_token_signed_response_alg'
>;

const DEVELOPER_FIELDS: readonly (keyof DeveloperInput)[] = [
  'client_name',
  'description',
  'client_uri',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'contacts',
  'redirect_uris',
  'post_logout_redirect_uris',
  'scope',
  'token_endpoint_auth_method',
  'application_type',
  'grant_types',
  'response_types',
  'id_token_signed_response_alg',
];

/**
 * Fields whose change on an approved client waits for an operator: each changes which redirect
 * URIs match (application_type turns on RFC 8252 loopback port variance) or what the client
 * may do (grants, response types, scopes, how it authenticates). What stays immediate is what
 * only describes the client (name, description, logo, links, contacts) and the ID token's
 * signing algorithm, which is one of our own asymmetric keys whichever is picked. Fields only
 * an operator sets (skip_consent, audience, owner, metadata, status) never reach a developer
 * edit at all.
 */
export const REVIEWED_FIELDS = [
  'redirect_uris',
  'post_logout_redirect_uris',
  'scope',
  'grant_types',
  'response_types',
  'application_type',
  'token_endpoint_auth_method',
] as const;
type ReviewedField = (typeof REVIEWED_FIELDS)[number];
/** The reviewed fields stored as JSON arrays; the others are plain text columns. */
const LIST_FIELDS: ReadonlySet<ReviewedField> = new Set([
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'response_types',
]);

const invalidMetadata = (description: string) => new OAuthError('invalid_client_metadata', description);
const invalidRedirect = (description: string) => new OAuthError('invalid_redirect_uri', description);

// RFC 3986 unreserved characters; not "." or "..", which URLs (/admin/clients/{id}) resolve away.
const CLIENT_ID = /^(?!\.\.?$)[A-Za-z0-9._~-]{1,128}$/;
const MAX_TEXT = 1000;
const MAX_LIST = 50;
const MAX_METADATA_BYTES = 16 * 1024;

export interface ClientsDeps {
  store: ClientStore;
  grants: TokenStore;
  scopes: ScopeCatalogue;
  events: EventSink;
  box: SecretBox;
  now: () => number;
}

export class Clients {
  constructor(private readonly deps: ClientsDeps) {}

  async get(id: string): Promise<Client> {
    const client = await this.deps.store.find(id);
    if (!client) throw notFound(`The client "${id}" does not exist.`);
    return client;
  }

  list(filter: ClientFilter): Promise<Client[]> {
    return this.deps.store.list(filter);
  }

  /** Creates a client; the returned JSON carries the secret, which is never shown again. */
  async create(
    actor: Actor,
    input: ClientInput,
    defaults: { status: ClientStatus; developerAccountId?: string; secret?: 'now' | 'on_approval'; registrationToken?: string },
  ): Promise<ClientJson> {
    const id = input.client_id ?? newId();
    if (!CLIENT_ID.test(id))
      throw invalidMetadata('client_id must be 1-128 characters of A-Z a-z 0-9 . _ ~ -, and not "." or "..".');
    if (await this.deps.store.find(id)) throw conflict(`A client with id "${id}" already exists.`);
    const fields = this.validate(input, undefined);
    // A portal application gets its secret when it is approved, shown once to its developer then.
    const secret =
      defaults.secret === 'on_approval' ? undefined : this.secretFor(fields.token_endpoint_auth_method, input.client_secret);
    const now = new Date(this.deps.now());
    const status = input.status ?? defaults.status;
    const client = await this.deps.store.insert({
      ...fields,
      id,
      status,
      status_reason: input.status_reason ?? null,
      secret_hash: secret === undefined ? null : hashSecret(secret),
      developer_account_id: defaults.developerAccountId ?? null,
      registration_token_hash: defaults.registrationToken ? hashSecret(defaults.registrationToken) : null,
      status_changed_at: now,
      created_at: now,
      updated_at: now,
    });
    await this.deps.events.emit({ type: 'client.created', clientId: id, status: client.status }, actor);
    return { ...toClientJson(client), ...(secret !== undefined ? { client_secret: secret } : {}) };
  }

  /** PUT: replaces every field; the secret is replaced only when the body has one. */
  async replace(actor: Actor, id: string, input: ClientInput): Promise<ClientJson> {
    const existing = await this.get(id);
    if (input.client_id !== undefined && input.client_id !== id) {
      throw invalidMetadata('client_id cannot be changed.');
    }
    const fields = this.validate(input, undefined);
    return this.save(actor, existing, fields, input.client_secret, input.status, input.status_reason);
  }

  /** PATCH: an RFC 6902 JSON Patch over the client's JSON, as Hydra's admin API takes. */
  async patch(actor: Actor, id: string, operations: JsonPatchOperation[]): Promise<ClientJson> {
    const existing = await this.get(id);
    const current = toClientJson(existing) as unknown as Record<string, unknown>;
    const patched = applyJsonPatch(current, operations) as ClientInput;
    if (patched.client_id !== id) throw invalidMetadata('client_id cannot be changed.');
    const fields = this.validate(patched, existing);
    return this.save(actor, existing, fields, patched.client_secret, patched.status, patched.status_reason);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    if (!(await this.deps.store.delete(id))) throw notFound(`The client "${id}" does not exist.`);
    await this.deps.events.emit({ type: 'client.deleted', clientId: id }, actor);
  }

  async setStatus(actor: Actor, id: string, status: ClientStatus, reason?: string): Promise<ClientJson> {
    const existing = await this.get(id);
    return this.save(actor, existing, {}, undefined, status, reason);
  }

  /** The developer's own applications, newest first. */
  listForDeveloper(accountId: string): Promise<Client[]> {
    return this.deps.store.listByDeveloper(accountId);
  }

  /** A client of this developer; not found otherwise (another developer's id reveals nothing). */
  async getForDeveloper(accountId: string, id: string): Promise<Client> {
    const client = await this.deps.store.find(id);
    if (!client || client.developer_account_id !== accountId) throw notFound(`You have no application "${id}".`);
    return client;
  }

  /** Registers an application from the developer portal: pending, its secret issued at approval. */
  registerForDeveloper(actor: Actor, accountId: string, input: DeveloperInput): Promise<ClientJson> {
    return this.create(actor, developerFields(input), {
      status: 'pending',
      developerAccountId: accountId,
      secret: 'on_approval',
    });
  }

  /**
   * A developer's edit. Descriptive fields apply at once. Redirect URIs and scopes apply at
   * once while the application is not approved (a rejected one goes back to review); on an
   * approved one they are held as pending changes until an operator approves them, so a live
   * application keeps working while its change waits.
   */
  async updateForDeveloper(actor: Actor, accountId: string, id: string, input: DeveloperInput): Promise<ClientJson> {
    const existing = await this.getForDeveloper(accountId, id);
    // The edit starts from what the developer already asked for: a field the form does not
    // carry (the client type of an approved application, its grant types) keeps its pending
    // value instead of silently withdrawing it.
    const { requested_at: _, ...asked } = existing.pending_changes ?? { requested_at: '' };
    return this.reviewedUpdate(actor, existing, {
      ...toClientJson(existing),
      ...asked,
      ...developerFields(input),
    } as ClientInput);
  }

  /** RFC 7591: a client registering itself; pending, its secret issued now (RFC 7591 returns it at once). */
  registerDynamically(actor: Actor, clientId: string, input: DeveloperInput, registrationToken: string): Promise<ClientJson> {
    return this.create(
      actor,
      { ...developerFields(input), client_id: clientId },
      { status: 'pending', secret: 'now', registrationToken },
    );
  }

  /**
   * RFC 7592 2.2: a dynamically registered client replaces its metadata. The developer fields
   * the body leaves out go back to their defaults; the operator's fields (skip_consent,
   * audience, owner, metadata) stay. The same review rule as the portal's edit applies.
   */
  async replaceRegistered(actor: Actor, id: string, input: DeveloperInput): Promise<ClientJson> {
    const existing = await this.get(id);
    const kept: Record<string, unknown> = { ...toClientJson(existing) };
    for (const field of DEVELOPER_FIELDS) delete kept[field];
    return this.reviewedUpdate(actor, existing, { ...kept, ...developerFields(input) } as ClientInput);
  }

  /**
   * Descriptive fields apply at once; the REVIEWED_FIELDS wait for an operator on an approved
   * (or suspended) client (see updateForDeveloper). The one place this rule lives, for every
   * path a developer changes a client by: the portal's edit and the RFC 7592 PUT.
   */
  private async reviewedUpdate(actor: Actor, existing: Client, wanted: ClientInput): Promise<ClientJson> {
    const id = existing.id;
    const fields = this.validate(wanted, existing);
    // A suspended client holds its changes too: reinstating it must not bring in unreviewed ones.
    if (existing.status === 'pending' || existing.status === 'rejected') {
      const status = existing.status === 'rejected' ? 'pending' : undefined;
      return this.save(actor, existing, { ...fields, pending_changes: null }, undefined, status, undefined);
    }
    // Confidential to public would drop the secret that proves who calls, public to confidential
    // would need one issued: neither is an edit, and no review makes it one.
    if ((fields.token_endpoint_auth_method === 'none') !== (existing.token_endpoint_auth_method === 'none')) {
      throw invalidMetadata('An approved application cannot switch between confidential and public; register a new one.');
    }
    const held: Partial<Record<ReviewedField, unknown>> = {};
    for (const field of REVIEWED_FIELDS) {
      const proposed: unknown = LIST_FIELDS.has(field) ? JSON.parse(fields[field]) : fields[field];
      if (JSON.stringify(proposed) !== JSON.stringify(existing[field])) held[field] = proposed;
      delete fields[field];
    }
    const heldFields = Object.keys(held);
    const pending: PendingChanges | null =
      heldFields.length > 0
        ? { ...(held as Partial<PendingChanges>), requested_at: new Date(this.deps.now()).toISOString() }
        : null;
    const saved = await this.save(
      actor,
      existing,
      { ...fields, pending_changes: pending === null ? null : json(pending) },
      undefined,
      undefined,
      undefined,
    );
    if (pending) await this.deps.events.emit({ type: 'client.changes_requested', clientId: id, fields: heldFields }, actor);
    return saved;
  }

  /** An operator's decision on the changes held for an approved client. */
  async decideChanges(actor: Actor, id: string, decision: 'approve' | 'reject', reason?: string): Promise<ClientJson> {
    const existing = await this.get(id);
    const pending = existing.pending_changes;
    if (!pending) throw conflict(`The client "${id}" has no changes waiting for review.`);
    const { requested_at: _, ...changes } = pending;
    const fields = Object.keys(changes);
    if (decision === 'reject') {
      const client = await this.deps.store.update(id, { pending_changes: null, updated_at: new Date(this.deps.now()) });
      if (!client) throw notFound(`The client "${id}" does not exist.`);
      await this.deps.events.emit({ type: 'client.changes_rejected', clientId: id, fields, reason }, actor);
      return toClientJson(client);
    }
    const validated = this.validate({ ...toClientJson(existing), ...changes } as ClientInput, existing);
    const update: Partial<NewClient> = { pending_changes: null };
    for (const field of REVIEWED_FIELDS) if (field in changes) Object.assign(update, { [field]: validated[field] });
    const client = await this.deps.store.update(id, { ...update, updated_at: new Date(this.deps.now()) });
    if (!client) throw notFound(`The client "${id}" does not exist.`);
    await this.deps.events.emit({ type: 'client.changes_approved', clientId: id, fields }, actor);
    return toClientJson(client);
  }

  /**
   * The secret issued when the application was approved, to its developer, once: the stored copy
   * is cleared in the same statement that reads it, so two tabs cannot both see it.
   */
  async revealSecret(accountId: string, id: string): Promise<string | undefined> {
    await this.getForDeveloper(accountId, id);
    const sealed = await this.deps.store.takeUnrevealedSecret(id);
    return sealed === undefined ? undefined : this.deps.box.decrypt(sealed, `client-secret:${id}`);
  }

  /** Removes a developer's own application (and with it every token it holds). */
  async removeForDeveloper(actor: Actor, accountId: string, id: string): Promise<void> {
    await this.getForDeveloper(accountId, id);
    await this.removeWithTokens(actor, id);
  }

  /** Removes a client after revoking every grant and token it holds (the portal, RFC 7592 2.3). */
  async removeWithTokens(actor: Actor, id: string): Promise<void> {
    await this.deps.grants.revoke({ clientId: id }, 'client deleted', new Date(this.deps.now()));
    await this.remove(actor, id);
  }

  /** Issues a new secret; the old one stops working at once. */
  async rotateSecret(actor: Actor, id: string): Promise<ClientJson> {
    const existing = await this.get(id);
    if (existing.token_endpoint_auth_method === 'none') throw invalidMetadata('A public client has no secret.');
    const secret = newSecret('clientSecret');
    const client = await this.deps.store.update(id, {
      secret_hash: hashSecret(secret),
      unrevealed_secret: null,
      updated_at: new Date(this.deps.now()),
    });
    if (!client) throw notFound(`The client "${id}" does not exist.`);
    await this.deps.events.emit({ type: 'client.secret_rotated', clientId: id }, actor);
    return { ...toClientJson(client), client_secret: secret };
  }

  private async save(
    actor: Actor,
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
    else if (secretInput !== undefined || (existing.secret_hash === null && !existing.developer_account_id)) {
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
    let unrevealed = existing.unrevealed_secret;
    if (nextStatus === 'approved' && existing.developer_account_id && method !== 'none' && existing.secret_hash === null) {
      // A portal application's first approval issues its secret, kept sealed until its developer looks.
      const issued = newSecret('clientSecret');
      secretHash = hashSecret(issued);
      unrevealed = this.deps.box.encrypt(issued, `client-secret:${existing.id}`);
    }
    if (method === 'none') unrevealed = null;
    const changed = nextStatus !== existing.status;
    const client = await this.deps.store.update(existing.id, {
      ...fields,
      secret_hash: secretHash,
      unrevealed_secret: unrevealed,
      status: nextStatus,
      status_reason: changed ? (reason ?? null) : (reason ?? existing.status_reason),
      ...(changed ? { status_changed_at: now } : {}),
      updated_at: now,
    });
    if (!client) throw notFound(`The client "${existing.id}" does not exist.`);
    if (nextStatus !== existing.status) {
      // A client that is no longer approved loses every token it holds, at once.
      if (existing.status === 'approved') await this.deps.grants.revoke({ clientId: existing.id }, `client ${nextStatus}`, now);
      await this.deps.events.emit(
        {
          type: 'client.status_changed',
          clientId: existing.id,
          from: existing.status,
          to: nextStatus,
          reason,
        },
        actor,
      );
    } else {
      await this.deps.events.emit({ type: 'client.updated', clientId: existing.id }, actor);
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
  ): Omit<
    NewClient,
    | 'id'
    | 'status'
    | 'secret_hash'
    | 'updated_at'
    | 'developer_account_id'
    | 'pending_changes'
    | 'registration_token_hash'
    | 'unrevealed_secret'
    | 'status_changed_at'
  > & { redirect_uris: string; post_logout_redirect_uris: string; scope: string } {
    const text = (name: keyof ClientInput, max = MAX_TEXT): string | null => {
      const value = input[name];
      if (value === undefined || value === null || value === '') return null;
      if (typeof value !== 'string') throw invalidMetadata(`${name} must be a string.`);
      if (value.length > max) throw invalidMetadata(`${name} must be at most ${max} characters.`);
      // Control characters have no place in a name or a URL, and would let a value forge lines
      // in an email subject or a log; a description may have line breaks.
      if (hasControlCharacters(value, name === 'description'))
        throw invalidMetadata(`${name} must not contain control characters.`);
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
      description: text('description', 2000),
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
    description: client.description ?? '',
    ...(client.developer_account_id ? { developer_account_id: client.developer_account_id } : {}),
    ...(client.pending_changes ? { pending_changes: client.pending_changes } : {}),
    created_at: client.created_at.toISOString(),
    updated_at: client.updated_at.toISOString(),
  };
}

export const isPublicClient = (client: Client): boolean => client.token_endpoint_auth_method === 'none';

/** Keeps only the fields a developer may set; the rest (status, skip_consent, audience…) are the operator's. */
function developerFields(input: DeveloperInput): ClientInput {
  const picked: Record<string, unknown> = {};
  for (const field of DEVELOPER_FIELDS) if (input[field] !== undefined) picked[field] = input[field];
  return picked as ClientInput;
}

function hasControlCharacters(value: string, allowLineBreaks: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (allowLineBreaks && (c === 9 || c === 10 || c === 13)) continue;
    if (c < 32 || c === 127) return true;
  }
  return false;
}
