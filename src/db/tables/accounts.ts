/**
 * The people's tables: accounts with their second factor, recovery codes, one-time codes,
 * linked identities and the wallet challenges that prove them.
 */
import type { ColumnType, Selectable } from 'kysely';
import type { CreatedAt, Default, JsonDefault, NullableTimestamp, Timestamp } from '../column-types.js';

export interface AccountsTable {
  id: string;
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  phone_verified: boolean;
  /** Encrypted with SECRETS_SYSTEM; null until 2FA is enrolled. */
  totp_secret: Default<string | null>;
  totp_enabled_at: Default<Date | null>;
  /** The last TOTP time step accepted, so a code cannot be used twice (RFC 6238 5.2). */
  totp_last_step: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface RecoveryCodesTable {
  account_id: string;
  code_hash: string;
  used_at: NullableTimestamp;
  created_at: CreatedAt;
}

export type CodePurpose = 'login' | 'register';

export type CodeChannel = 'email' | 'sms' | 'whatsapp';

export interface OneTimeCodesTable {
  id: string;
  purpose: CodePurpose;
  channel: CodeChannel;
  /** Normalised: lower-case email, or E.164 phone number. */
  destination: string;
  code_hash: string;
  login_challenge_hash: string | null;
  attempts: Default<number>;
  max_attempts: number;
  /** The client's address as it connected (kept for the record). */
  ip: string | null;
  /** The network the limits count it by: addressBucket(ip, RATE_LIMIT_IPV6_PREFIX). */
  network: string | null;
  /** Asked by a browser that had already proved this destination (its own budget). */
  proved: Default<boolean>;
  created_at: CreatedAt;
  expires_at: Timestamp;
  resend_after: Timestamp;
  verified_at: NullableTimestamp;
  consumed_at: NullableTimestamp;
}

export type IdentityKind =
  | 'twitter'
  | 'discord'
  | 'github'
  | 'telegram'
  | 'evm'
  | 'solana'
  | 'sei'
  | 'aptos'
  | 'injective'
  | 'flow';

export interface LinkedIdentitiesTable {
  id: string;
  account_id: string;
  kind: IdentityKind;
  /** The provider's stable user id, or the address in canonical form (EVM: lower case): unique per kind. */
  external_id: string;
  /** What is shown and shared: the current username, or the address as the wallet writes it. */
  display_name: string;
  details: JsonDefault<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface WalletChallengesTable {
  id: string;
  account_id: string;
  kind: string;
  address: string;
  nonce: string;
  message: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export type Account = Selectable<AccountsTable>;
export type OneTimeCode = Selectable<OneTimeCodesTable>;
export type LinkedIdentity = Selectable<LinkedIdentitiesTable>;
