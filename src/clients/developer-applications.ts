/**
 * The developer portal's rules: a developer sees and changes only their own applications;
 * registrations count against the account's and the address's limits; an approved
 * application keeps its client type; a secret is shown once, and rotated only when there is
 * one; a refusal of the registry is shown on the form, next to the field it is about.
 */

import type { Client } from '../db/schema.js';
import { GatehouseError } from '../errors.js';
import type { Actor } from '../events/actor.js';
import { conflict, invalidRequest } from '../oauth/errors.js';
import type { ScopeCatalogue } from '../oauth/scopes.js';
import {
  type ApplicationErrors,
  type ApplicationValues,
  type ClientType,
  clientTypeOf,
  fieldOfRefusal,
  PORTAL_GRANTS,
  readApplicationForm,
} from './application-form.js';
import type { Clients } from './clients.js';
import type { ClientJson } from './metadata.js';
import type { RegistrationLimits } from './registration-limits.js';

/** Where the developer's secret is: none (public), not issued yet, issued and not yet seen, seen. */
export type SecretState = 'public' | 'on_approval' | 'ready' | 'hidden';

/** The form again, as typed, with why it was refused. */
export interface FormRefusal {
  values: ApplicationValues;
  errors: ApplicationErrors;
  message?: string;
  status: number;
  retryAfterSeconds?: number;
}

/** What an edit did: saved, held for review, or sent back for review. */
export type EditOutcome = 'updated' | 'held' | 'resubmitted';

/** Refusals of the Clients service that are the developer's to fix on the form. */
const FORM_ERRORS = new Set(['invalid_client_metadata', 'invalid_redirect_uri', 'invalid_scope', 'invalid_request']);

export interface DeveloperApplicationsDeps {
  clients: Clients;
  limits: Pick<RegistrationLimits, 'admit'>;
  scopes: ScopeCatalogue;
}

export class DeveloperApplications {
  constructor(private readonly deps: DeveloperApplicationsDeps) {}

  /** An approved application cannot change its client type, so its form does not offer it. */
  fixedClientType = (
    client: Pick<Client, 'status' | 'token_endpoint_auth_method' | 'application_type'>,
  ): ClientType | undefined => (client.status === 'approved' ? clientTypeOf(client) : undefined);

  secretState(client: Client): SecretState {
    if (client.token_endpoint_auth_method === 'none') return 'public';
    if (client.unrevealed_secret !== null) return 'ready';
    return client.secret_hash === null ? 'on_approval' : 'hidden';
  }

  /** Registers the posted form as a pending application, within the registration limits. */
  async register(
    actor: Actor,
    accountId: string,
    address: string,
    posted: unknown,
  ): Promise<{ client: ClientJson } | { refused: FormRefusal }> {
    const form = readApplicationForm(posted, { scopes: this.deps.scopes });
    if (!form.input) return { refused: { values: form.values, errors: form.errors, status: 400 } };
    // Each registration waits in the operators' queue: so many per account and per address.
    try {
      await this.deps.limits.admit({ developerAccount: accountId }, address);
    } catch (err) {
      if (!(err instanceof GatehouseError) || err.status !== 429) throw err;
      // The form again, as typed, with the reason: nothing is lost by waiting.
      const refused: FormRefusal = { values: form.values, errors: {}, message: err.description, status: 429 };
      return {
        refused: err.retryAfterSeconds === undefined ? refused : { ...refused, retryAfterSeconds: err.retryAfterSeconds },
      };
    }
    try {
      return { client: await this.deps.clients.registerForDeveloper(actor, accountId, { ...form.input, ...PORTAL_GRANTS }) };
    } catch (err) {
      return { refused: { values: form.values, ...onForm(err), status: 400 } };
    }
  }

  /** The developer's edit of their own application, from the posted form. */
  async edit(
    actor: Actor,
    accountId: string,
    client: Client,
    posted: unknown,
  ): Promise<{ done: EditOutcome } | { refused: FormRefusal }> {
    const form = readApplicationForm(posted, { scopes: this.deps.scopes, clientType: this.fixedClientType(client) });
    if (!form.input) return { refused: { values: form.values, errors: form.errors, status: 400 } };
    // The form edits the first contact; any others an operator added are kept.
    const contact = form.input.contacts?.[0] as string;
    const contacts = [contact, ...client.contacts.slice(1).filter((c) => c !== contact)];
    let updated: ClientJson;
    try {
      updated = await this.deps.clients.updateForDeveloper(actor, accountId, client.id, { ...form.input, contacts });
    } catch (err) {
      return { refused: { values: form.values, ...onForm(err), status: 400 } };
    }
    const done =
      client.status === 'rejected' && updated.status === 'pending' ? 'resubmitted' : updated.pending_changes ? 'held' : 'updated';
    return { done };
  }

  /** Refuses to rotate what is not there: a public application's secret, or one not issued yet. */
  checkRotatable(client: Client): void {
    if (client.token_endpoint_auth_method === 'none') {
      throw invalidRequest('A public application has no client secret to rotate.');
    }
    if (client.secret_hash === null) {
      throw conflict('This application gets its first secret when it is approved; there is none to rotate yet.');
    }
  }

  /** A new secret for the developer's own application, shown once; the old one stops working. */
  rotate(actor: Actor, client: Client): Promise<ClientJson> {
    this.checkRotatable(client);
    return this.deps.clients.rotateSecret(actor, client.id);
  }
}

/** A refusal of the service shown on the form (next to its field when it names one), or rethrown. */
function onForm(err: unknown): { errors: ApplicationErrors; message?: string } {
  if (!(err instanceof GatehouseError) || !FORM_ERRORS.has(err.error)) throw err;
  const field = fieldOfRefusal(err);
  return field ? { errors: { [field]: err.description } } : { errors: {}, message: err.description };
}
