/**
 * The composition root: every service, wired with its dependencies. The HTTP layer, the CLI
 * and the tests all start from here; nothing below imports a singleton.
 */
import { AccountStore } from './accounts/store.js';
import { Clients } from './clients/clients.js';
import { ClientStore } from './clients/store.js';
import type { Config } from './config/config.js';
import { SecretBox } from './crypto/encryption.js';
import { SigningKeys } from './crypto/signing-keys.js';
import { type Database, migrateToLatest } from './db/database.js';
import { EventBus } from './events/events.js';
import { Authorization } from './flows/authorization.js';
import { ConsentRequests } from './flows/consent-requests.js';
import type { FlowDeps } from './flows/context.js';
import { LoginRequests } from './flows/login-requests.js';
import { Logout } from './flows/logout.js';
import { FlowStore } from './flows/store.js';
import { GrantStore } from './grants/store.js';
import { ClientAuthenticator } from './oauth/client-authentication.js';
import { authorizationCodeGrant } from './oauth/grants/authorization-code.js';
import { clientCredentialsGrant } from './oauth/grants/client-credentials.js';
import { refreshTokenGrant } from './oauth/grants/refresh-token.js';
import { ScopeCatalogue } from './oauth/scopes.js';
import { TokenEndpoint } from './oauth/token-endpoint.js';
import { TokenIssuer } from './oauth/token-issuer.js';
import { TokenLookup } from './oauth/token-lookup.js';

export interface GatehouseOptions {
  config: Config;
  database: Database;
  secrets: string[];
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now?: () => number;
  /** Run migrations and create signing keys (default true). */
  prepare?: boolean;
}

export type Gatehouse = Awaited<ReturnType<typeof createGatehouse>>;

export async function createGatehouse(options: GatehouseOptions) {
  const { config, database } = options;
  const now = options.now ?? Date.now;
  const db = database.db;
  if (options.prepare ?? true) await migrateToLatest(db);

  const events = new EventBus(now);
  const box = new SecretBox(options.secrets);
  const keys = new SigningKeys(db, box, now);
  if (options.prepare ?? true) await keys.ensure();
  const scopes = new ScopeCatalogue(config.accountIdScope);
  const clientStore = new ClientStore(db);
  const grants = new GrantStore(db);
  const flows = new FlowStore(db);
  const accounts = new AccountStore(db);
  const clients = new Clients({ store: clientStore, grants, scopes, events, now });

  const flowDeps: FlowDeps = { db, flows, clients: clientStore, grants, keys, scopes, events, config, now };
  const issuer = new TokenIssuer(grants, keys, config, now);
  const authenticator = new ClientAuthenticator((id) => clientStore.find(id), events);
  const tokenEndpoint = new TokenEndpoint(authenticator, [
    authorizationCodeGrant({ db, grants, issuer, events, now }),
    refreshTokenGrant({ db, grants, issuer, events, now }),
    clientCredentialsGrant({ issuer, scopes }),
  ]);

  return {
    config,
    database,
    db,
    now,
    events,
    box,
    keys,
    scopes,
    clients,
    clientStore,
    grants,
    flows,
    accounts,
    authenticator,
    authorization: new Authorization(flowDeps),
    loginRequests: new LoginRequests(flowDeps),
    consentRequests: new ConsentRequests(flowDeps),
    logout: new Logout(flowDeps),
    tokenEndpoint,
    tokens: new TokenLookup(grants, now),
  };
}
