/**
 * The Kysely `Database` interface: every table, assembled from its group (db/tables/), and the
 * row types the rest of the code imports from here. Secrets (tokens, codes, challenges,
 * client secrets) appear only as hashes.
 */
import type { Generated } from 'kysely';
import type {
  AccountsTable,
  LinkedIdentitiesTable,
  OneTimeCodesTable,
  RecoveryCodesTable,
  WalletChallengesTable,
} from './tables/accounts.js';
import type { ClientsTable, InitialAccessTokensTable } from './tables/clients.js';
import type { FlowsTable, LoginSessionsTable, LogoutRequestsTable } from './tables/flows.js';
import type {
  AuditLogTable,
  ConsoleSessionsTable,
  LeasesTable,
  OutboxTable,
  RateLimitsTable,
  UsedCaptchasTable,
  UsedTelegramLoginsTable,
} from './tables/operations.js';
import type { AuthorizationCodesTable, GrantsTable, SigningKeysTable, TokensTable } from './tables/tokens.js';

export interface Database {
  clients: ClientsTable;
  signing_keys: SigningKeysTable;
  accounts: AccountsTable;
  flows: FlowsTable;
  login_sessions: LoginSessionsTable;
  logout_requests: LogoutRequestsTable;
  grants: GrantsTable;
  authorization_codes: AuthorizationCodesTable;
  tokens: TokensTable;
  recovery_codes: RecoveryCodesTable;
  one_time_codes: OneTimeCodesTable;
  outbox: OutboxTable;
  rate_limits: RateLimitsTable;
  used_captchas: UsedCaptchasTable;
  initial_access_tokens: InitialAccessTokensTable;
  audit_log: AuditLogTable;
  linked_identities: LinkedIdentitiesTable;
  wallet_challenges: WalletChallengesTable;
  leases: LeasesTable;
  console_sessions: ConsoleSessionsTable;
  used_telegram_logins: UsedTelegramLoginsTable;
}

export { type Json, json } from './column-types.js';
export type {
  Account,
  AccountsTable,
  CodeChannel,
  CodePurpose,
  IdentityKind,
  LinkedIdentitiesTable,
  LinkedIdentity,
  OneTimeCode,
  OneTimeCodesTable,
  RecoveryCodesTable,
  WalletChallengesTable,
} from './tables/accounts.js';
export type {
  Client,
  ClientStatus,
  ClientsTable,
  InitialAccessTokensTable,
  NewClient,
  PendingChanges,
} from './tables/clients.js';
export type {
  AuthorizationRequest,
  Flow,
  FlowState,
  FlowsTable,
  LoginSession,
  LoginSessionsTable,
  LogoutRequest,
  LogoutRequestsTable,
  RequestError,
} from './tables/flows.js';
export type {
  AuditLogTable,
  ConsoleSessionsTable,
  LeasesTable,
  OutboxMessage,
  OutboxTable,
  RateLimitsTable,
  UsedCaptchasTable,
  UsedTelegramLoginsTable,
} from './tables/operations.js';
export type {
  AuthorizationCodesTable,
  Grant,
  GrantsTable,
  SigningKey,
  SigningKeysTable,
  Token,
  TokenKind,
  TokensTable,
} from './tables/tokens.js';
// Generated is re-exported for query modules that insert rows with defaults.
export type { Generated };
