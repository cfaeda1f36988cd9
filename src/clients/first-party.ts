/**
 * First-party clients: Gatehouse's own applications (the developer portal, later the admin
 * console) sign people in through the same authorization code flow as everyone else, as
 * public PKCE clients that skip the consent screen. Their definition lives in code and is put
 * in place at every start.
 */

import type { Client } from '../db/schema.js';
import { GatehouseError } from '../errors.js';
import { systemActor } from '../events/actor.js';
import type { Clients } from './clients.js';
import type { ClientInput } from './metadata.js';

export interface FirstPartyClient {
  id: string;
  name: string;
  redirectUri: string;
  scope: string;
}

export const DEVELOPER_PORTAL_CLIENT_ID = 'gatehouse-developer-portal';

/** The portal's client: it only needs to know who signed in, so it asks for `openid` alone. */
export const developerPortalClient = (issuer: string): FirstPartyClient => ({
  id: DEVELOPER_PORTAL_CLIENT_ID,
  name: 'Gatehouse developer portal',
  redirectUri: `${issuer}/ui/developers/callback`,
  scope: 'openid',
});

function definition(spec: FirstPartyClient): ClientInput {
  return {
    client_id: spec.id,
    client_name: spec.name,
    redirect_uris: [spec.redirectUri],
    post_logout_redirect_uris: [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    scope: spec.scope,
    token_endpoint_auth_method: 'none',
    application_type: 'web',
    skip_consent: true,
    owner: 'Gatehouse',
    // Lets an operator's tools tell Gatehouse's own clients from registered ones.
    metadata: { first_party: true },
  };
}

function upToDate(client: Client, wanted: ClientInput): boolean {
  return (
    client.name === wanted.client_name &&
    client.scope === wanted.scope &&
    client.token_endpoint_auth_method === 'none' &&
    client.skip_consent &&
    JSON.stringify(client.redirect_uris) === JSON.stringify(wanted.redirect_uris) &&
    JSON.stringify(client.grant_types) === JSON.stringify(wanted.grant_types) &&
    client.metadata?.first_party === true
  );
}

async function find(clients: Clients, id: string): Promise<Client | undefined> {
  try {
    return await clients.get(id);
  } catch (err) {
    if (err instanceof GatehouseError && err.error === 'not_found') return undefined;
    throw err;
  }
}

/**
 * Creates the client approved, or brings its definition up to date (a new ISSUER moves its
 * redirect URI). Its status is left alone once it exists: an operator who suspended it meant
 * to close that application, and a restart must not reopen it. Idempotent, and safe when
 * several nodes start at once.
 */
export async function ensureFirstPartyClient(clients: Clients, spec: FirstPartyClient): Promise<Client> {
  const wanted = definition(spec);
  let existing = await find(clients, spec.id);
  if (!existing) {
    try {
      await clients.create(systemActor(), { ...wanted, status: 'approved' }, { status: 'approved' });
    } catch (err) {
      // Another node created it between our read and our insert: reconcile with theirs.
      if (!(await find(clients, spec.id))) throw err;
    }
    existing = await clients.get(spec.id);
  }
  if (upToDate(existing, wanted)) return existing;
  await clients.replace(systemActor(), spec.id, wanted);
  return clients.get(spec.id);
}
