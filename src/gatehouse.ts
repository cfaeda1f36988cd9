/**
 * The composition root: every service, wired with its dependencies. The HTTP layer, the CLI
 * and the tests all start from here; nothing below imports a singleton.
 */

import { AccountStore } from './accounts/account-store.js';
import { Accounts } from './accounts/accounts.js';
import { codeLimitsFrom } from './accounts/code-limits.js';
import { LinkedIdentities } from './accounts/linked-identities.js';
import { LinkedIdentityStore } from './accounts/linked-identity-store.js';
import { OneTimeCodeStore } from './accounts/one-time-code-store.js';
import { codeKeyFrom, OneTimeCodes } from './accounts/one-time-codes.js';
import { Profiles } from './accounts/profiles.js';
import { RateLimiter } from './accounts/rate-limit.js';
import { SecondFactor } from './accounts/second-factor.js';
import { Totp } from './accounts/totp.js';
import { TotpStore } from './accounts/totp-store.js';
import { AuditLog } from './audit/audit-log.js';
import { deleteExpiredConsoleSessions } from './audit/operator-sessions.js';
import { recordEventsIn } from './audit/record-events.js';
import { createCaptcha } from './captcha/create-captcha.js';
import { Clients } from './clients/clients.js';
import { developerPortalClient, ensureFirstPartyClient } from './clients/first-party.js';
import { InitialAccessTokenStore } from './clients/initial-access-token-store.js';
import { InitialAccessTokens } from './clients/initial-access-tokens.js';
import { notifyDevelopers } from './clients/notifications.js';
import { Registration } from './clients/registration.js';
import { RegistrationLimits } from './clients/registration-limits.js';
import { ClientStore } from './clients/store.js';
import type { Config } from './config/config.js';
import { UsedTelegramLogins } from './connectors/used-telegram-logins.js';
import { SecretBox } from './crypto/encryption.js';
import { SigningKeyStore } from './crypto/signing-key-store.js';
import { SigningKeys } from './crypto/signing-keys.js';
import { type Database, migrateToLatest } from './db/database.js';
import { createDelivery } from './delivery/create-delivery.js';
import { OutboxStore } from './delivery/outbox.js';
import { EventBus } from './events/events.js';
import { Authorization } from './flows/authorization.js';
import { ConsentRequests } from './flows/consent-requests.js';
import type { FlowDeps } from './flows/context.js';
import { FlowAccepts } from './flows/flow-accepts.js';
import { FlowStore } from './flows/flow-store.js';
import { LoginRequests } from './flows/login-requests.js';
import { LoginSessionStore } from './flows/login-session-store.js';
import { LoginSessions } from './flows/login-sessions.js';
import { Logout } from './flows/logout.js';
import { LogoutStore } from './flows/logout-store.js';
import { AuthenticationFailures } from './oauth/authentication-failures.js';
import { ClientAuthenticator } from './oauth/client-authentication.js';
import { authorizationCodeGrant } from './oauth/grant-types/authorization-code.js';
import { clientCredentialsGrant } from './oauth/grant-types/client-credentials.js';
import { refreshTokenGrant } from './oauth/grant-types/refresh-token.js';
import { Introspection } from './oauth/introspection.js';
import { ResourceApi } from './oauth/resource.js';
import { Revocation } from './oauth/revocation.js';
import { ScopeCatalogue } from './oauth/scopes.js';
import { TokenEndpoint } from './oauth/token-endpoint.js';
import { TokenIssuer } from './oauth/token-issuer.js';
import { TokenLookup } from './oauth/token-lookup.js';
import { AuthorizationCodeStore } from './tokens/authorization-codes.js';
import { TokenStore } from './tokens/token-store.js';
import { WalletChallenges } from './wallets/challenges.js';

export interface GatehouseOptions {
  config: Config;
  database: Database;
  secrets: string[];
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now?: () => number;
  /** Run migrations and create signing keys (default true). */
  prepare?: boolean;
  /** Where services report what an operator should see (dev outbox, unreachable providers). */
  logger?: ServiceLogger;
  /** The HTTP client for providers on the internet (Twilio, captcha siteverify); tests pass stand-ins. */
  fetch?: typeof fetch;
}

export interface ServiceLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

const silent: ServiceLogger = { info: () => {}, warn: () => {} };

export type Gatehouse = Awaited<ReturnType<typeof createGatehouse>>;

export async function createGatehouse(options: GatehouseOptions) {
  const { config, database } = options;
  const now = options.now ?? Date.now;
  const db = database.db;
  if (options.prepare ?? true) await migrateToLatest(db);

  const logger = options.logger ?? silent;
  const events = new EventBus(now, (err, event) =>
    logger.warn({ err, event: event.type }, 'an event subscriber failed; the action itself went through'),
  );
  // Grouped reads and writes may take half the pool each; the embedded database has one connection.
  const concurrency = database.kind === 'pglite' ? 1 : Math.max(1, Math.floor(config.databasePoolSize / 2));
  const audit = new AuditLog(db, { concurrency: Math.min(2, concurrency), foldWindowSeconds: config.auditFoldWindow });
  recordEventsIn(events, audit);
  const box = new SecretBox(options.secrets);
  const keys = new SigningKeys(new SigningKeyStore(db), box, now);
  if (options.prepare ?? true) await keys.ensure();
  const scopes = new ScopeCatalogue(config.accountIdScope);
  const clientStore = new ClientStore(db, database.invalidations);
  const grants = new TokenStore(db, database.invalidations, { concurrency });
  const codes = new AuthorizationCodeStore(db, { concurrency });
  const flows = new FlowStore(db, { concurrency });
  const accounts = new AccountStore(db);
  const clients = new Clients({ store: clientStore, grants, scopes, events, box, now });
  // Every per-address and per-credential limit counts in the database, shared by all nodes.
  const limiter = new RateLimiter(db, now);
  const authFailures = new AuthenticationFailures(limiter, config.rateLimitClientAuthFailures);
  const registrationLimits = new RegistrationLimits({
    limiter,
    perCredential: config.rateLimitRegistrations,
    perAddress: config.rateLimitRegistrationsPerAddress,
  });
  // RFC 7591 / 7592: self-registration behind initial access tokens (gh.registration.tokens).
  const registration = new Registration({
    clients,
    store: clientStore,
    tokens: new InitialAccessTokens({ store: new InitialAccessTokenStore(db), events, now }),
    limits: registrationLimits,
    failures: authFailures,
    events,
    issuer: config.issuer,
  });
  // The developer portal signs its developers in through Gatehouse itself, as a first-party client.
  if (options.prepare ?? true) await ensureFirstPartyClient(clients, developerPortalClient(config.issuer));

  const flowDeps: FlowDeps = {
    flows,
    accepts: new FlowAccepts(db, { concurrency }),
    sessions: new LoginSessionStore(db),
    logouts: new LogoutStore(db),
    codes,
    clients: clientStore,
    grants,
    keys,
    scopes,
    events,
    config,
    now,
  };
  const issuer = new TokenIssuer(grants, keys, config, now);
  const authenticator = new ClientAuthenticator((id) => clientStore.findCached(id), events, authFailures);
  const tokens = new TokenLookup(grants, now);
  const profiles = new Profiles(db, { concurrency });
  const tokenEndpoint = new TokenEndpoint(authenticator, [
    authorizationCodeGrant({ codes, grants, issuer, events, now }),
    refreshTokenGrant({ grants, issuer, events, now }),
    clientCredentialsGrant({ issuer, scopes }),
  ]);

  const secret = options.secrets[0] as string;
  const providers = options.fetch ? { fetch: options.fetch } : {};
  // The built-in login app's services (issue 3): codes, 2FA, delivery, captcha, limits.
  const totp = new Totp({ store: new TotpStore(db), box, now, issuer: 'Gatehouse' });
  const login = {
    accounts: new Accounts({ store: accounts, now }),
    codes: new OneTimeCodes({
      store: new OneTimeCodeStore(db),
      now,
      codeKey: codeKeyFrom(secret),
      config,
      limits: codeLimitsFrom(config),
    }),
    totp,
    // Every check of an enrolled second factor goes through here: one limit, one audit event.
    secondFactor: new SecondFactor({ totp, limiter, events }),
    limiter,
    delivery: createDelivery(config, { db, logger, now, ...providers }),
    outbox: new OutboxStore(db, now),
    captcha: createCaptcha(config, { db, secret, now, logger, ...providers }),
    sessions: new LoginSessions(flowDeps),
  };

  const telegramLogins = new UsedTelegramLogins(db);

  notifyDevelopers(events, { clients: clientStore, accounts, delivery: login.delivery, issuer: config.issuer });

  /** Removes what has expired everywhere; the server runs it in the background. */
  async function deleteExpired(at: Date = new Date(now()), signal?: AbortSignal): Promise<number> {
    const counts = await Promise.all([
      grants.deleteExpired(at, signal),
      login.codes.deleteExpired(at, signal),
      login.limiter.deleteExpired(at),
      login.outbox.deleteOlderThan(7, signal),
      audit.deleteOlderThan(new Date(at.getTime() - config.auditRetention * 1000), signal),
      new WalletChallenges({ db, now }).deleteExpired(at, signal),
      deleteExpiredConsoleSessions(db, at),
      telegramLogins.deleteExpired(at, signal),
    ]);
    return counts.reduce((sum, n) => sum + n, 0);
  }

  return {
    config,
    database,
    login,
    deleteExpired,
    db,
    now,
    events,
    audit,
    identities: new LinkedIdentities({ store: new LinkedIdentityStore(db), events, now }),
    telegramLogins,
    profiles,
    box,
    keys,
    scopes,
    clients,
    registration,
    registrationLimits,
    clientStore,
    grants,
    flows,
    accounts,
    authenticator,
    authorization: new Authorization(flowDeps, { limiter: login.limiter, policy: config.rateLimitAuthorizationRequests }),
    loginRequests: new LoginRequests(flowDeps),
    consentRequests: new ConsentRequests(flowDeps),
    logout: new Logout(flowDeps),
    tokenEndpoint,
    tokens,
    introspection: new Introspection(tokens, config.issuer),
    resources: new ResourceApi({ tokens, profiles, scopes }),
    revocation: new Revocation({ authenticator, tokens, store: grants, events, now }),
  };
}
