/**
 * The client registry: clients created, replaced, patched and removed; secrets shown once and
 * stored hashed; the approval status that gates every authorization, changed by an operator's
 * decision (review.ts); a developer's edits, some held for review (pending-changes.ts).
 * What the metadata may be is metadata.ts and normalize.ts; its JSON is client-json.ts.
 */

import type { SecretBox } from '../crypto/encryption.js';
import { hashSecret, newId, newSecret } from '../crypto/tokens.js';
import type { Client, ClientStatus, NewClient } from '../db/schema.js';
import type { Actor } from '../events/actor.js';
import type { EventSink } from '../events/events.js';
import { conflict, notFound } from '../oauth/errors.js';
import type { ScopeCatalogue } from '../oauth/scopes.js';
import type { TokenStore } from '../tokens/token-store.js';
import { developerFields, toClientJson } from './client-json.js';
import { applyJsonPatch, type JsonPatchOperation } from './json-patch.js';
import { type ClientInput, type ClientJson, DEVELOPER_FIELDS, type DeveloperInput } from './metadata.js';
import { checkClientId, checkStatus, invalidMetadata, type MetadataColumns, normalizeMetadata } from './normalize.js';
import { approvedColumns, holdReviewed, holdsChanges } from './pending-changes.js';
import { type ChangeDecision, checkChangeDecision, checkDecision, type Decision, reasonOf } from './review.js';
import { secretColumns, secretFor } from './secrets.js';
import type { ClientFilter, ClientStore } from './store.js';

// The client's shapes, where the rest of the code has always found them.
export { toClientJson } from './client-json.js';
export { AUTH_METHODS, CLIENT_STATUSES, type ClientInput, type ClientJson, type DeveloperInput } from './metadata.js';

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
    checkClientId(id);
    if (await this.deps.store.find(id)) throw conflict(`A client with id "${id}" already exists.`);
    const fields = this.validate(input, undefined);
    // A portal application gets its secret when it is approved, shown once to its developer then.
    const secret =
      defaults.secret === 'on_approval' ? undefined : secretFor(fields.token_endpoint_auth_method, input.client_secret);
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

  /**
   * Sets the status as the admin API's PUT /admin/clients/{id}/status asks, from whatever it
   * was: unlike `decide`, it does not keep review.ts's table (yet), since callers of the API
   * (and its test suites) still move clients between any two statuses without a reason.
   */
  async setStatus(actor: Actor, id: string, status: ClientStatus, reason?: string): Promise<ClientJson> {
    const existing = await this.get(id);
    return this.save(actor, existing, {}, undefined, status, reason);
  }

  /** An operator's decision on a client, as review.ts allows it from the client's status. */
  async decide(actor: Actor, id: string, decision: Decision, typedReason?: string): Promise<ClientJson> {
    const existing = await this.get(id);
    const reason = reasonOf(typedReason);
    const rule = checkDecision(decision, existing.status, reason);
    return this.save(actor, existing, {}, undefined, rule.to, reason);
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
   * Descriptive fields apply at once; the reviewed fields wait for an operator on a client that
   * holds changes (pending-changes.ts). The one place this rule is applied, for every path a
   * developer changes a client by: the portal's edit and the RFC 7592 PUT.
   */
  private async reviewedUpdate(actor: Actor, existing: Client, wanted: ClientInput): Promise<ClientJson> {
    const fields = this.validate(wanted, existing);
    if (!holdsChanges(existing)) {
      const status = existing.status === 'rejected' ? 'pending' : undefined;
      return this.save(actor, existing, { ...fields, pending_changes: null }, undefined, status, undefined);
    }
    const held = holdReviewed(fields, existing, new Date(this.deps.now()));
    const saved = await this.save(actor, existing, held.columns, undefined, undefined, undefined);
    if (held.fields.length > 0) {
      await this.deps.events.emit({ type: 'client.changes_requested', clientId: existing.id, fields: held.fields }, actor);
    }
    return saved;
  }

  /** An operator's decision on the changes held for an approved client. */
  async decideChanges(actor: Actor, id: string, decision: ChangeDecision, typedReason?: string): Promise<ClientJson> {
    const existing = await this.get(id);
    const reason = reasonOf(typedReason);
    checkChangeDecision(decision, existing.pending_changes !== null, reason);
    const { requested_at: _, ...changes } = existing.pending_changes ?? { requested_at: '' };
    const fields = Object.keys(changes);
    const update: Partial<NewClient> =
      decision === 'reject'
        ? { pending_changes: null }
        : approvedColumns(changes, this.validate({ ...toClientJson(existing), ...changes } as ClientInput, existing));
    const client = await this.deps.store.update(id, { ...update, updated_at: new Date(this.deps.now()) });
    if (!client) throw notFound(`The client "${id}" does not exist.`);
    await this.deps.events.emit(
      decision === 'reject'
        ? { type: 'client.changes_rejected', clientId: id, fields, reason }
        : { type: 'client.changes_approved', clientId: id, fields },
      actor,
    );
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

  /** Writes an edit and a status change, with what follows from them: the secret, revoked tokens, the events. */
  private async save(
    actor: Actor,
    existing: Client,
    fields: Partial<NewClient>,
    secretInput: string | undefined,
    status: ClientStatus | undefined,
    reason: string | undefined,
  ): Promise<ClientJson> {
    const nextStatus = status ?? existing.status;
    const method = fields.token_endpoint_auth_method ?? existing.token_endpoint_auth_method;
    const { secret, columns } = secretColumns(existing, method, secretInput, nextStatus, this.deps.box);
    checkStatus(status, reason);
    const now = new Date(this.deps.now());
    const changed = nextStatus !== existing.status;
    const client = await this.deps.store.update(existing.id, {
      ...fields,
      ...columns,
      status: nextStatus,
      status_reason: changed ? (reason ?? null) : (reason ?? existing.status_reason),
      ...(changed ? { status_changed_at: now } : {}),
      updated_at: now,
    });
    if (!client) throw notFound(`The client "${existing.id}" does not exist.`);
    if (changed) {
      // A client that is no longer approved loses every token it holds, at once.
      if (existing.status === 'approved') await this.deps.grants.revoke({ clientId: existing.id }, `client ${nextStatus}`, now);
      const { id: clientId, status: from } = existing;
      await this.deps.events.emit({ type: 'client.status_changed', clientId, from, to: nextStatus, reason }, actor);
    } else {
      await this.deps.events.emit({ type: 'client.updated', clientId: existing.id }, actor);
    }
    return { ...toClientJson(client), ...(secret !== undefined ? { client_secret: secret } : {}) };
  }

  private readonly validate = (input: ClientInput, existing: Client | undefined): MetadataColumns =>
    normalizeMetadata(input, existing, this.deps.scopes);
}
