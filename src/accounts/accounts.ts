/**
 * Accounts as the login app sees them: found by a proved email or phone number, and created
 * by the registration flow only (DESIGN.md 6), never by an API call. The rules live here;
 * the SQL is AccountStore's (account-store.ts).
 */
import { newId } from '../crypto/tokens.js';
import type { Account } from '../db/schema.js';
import { InternalError } from '../errors.js';
import type { AccountStore } from './account-store.js';
import { normalizeEmail, normalizePhone } from './identifiers.js';

export interface AccountsDeps {
  store: AccountStore;
  /** Milliseconds since the epoch. */
  now: () => number;
}

export class Accounts {
  constructor(private readonly deps: AccountsDeps) {}

  find(id: string): Promise<Account | undefined> {
    return this.deps.store.find(id);
  }

  /** `email` as stored: normalised (identifiers.ts). */
  findByEmail(email: string): Promise<Account | undefined> {
    return this.deps.store.findByEmail(email);
  }

  /** `phone` in E.164. */
  findByPhone(phone: string): Promise<Account | undefined> {
    return this.deps.store.findByPhone(phone);
  }

  /**
   * Creates the account for an address a one-time code has just proved, so it is stored as
   * verified. Two registrations racing for one address (double submit, two tabs) both get
   * the one account the unique index let through.
   */
  async register(identifiers: { email?: string; phone?: string }): Promise<Account> {
    // The callers pass normalised destinations; normalising again costs nothing and keeps a
    // mis-cased address from ever becoming a second account.
    const email = identifiers.email === undefined ? null : normalizeEmail(identifiers.email);
    const phone = identifiers.phone === undefined ? null : normalizePhone(identifiers.phone);
    if (email === null && phone === null) throw new InternalError('an account needs an email address or a phone number');
    const now = new Date(this.deps.now());
    const created = await this.deps.store.insertUnlessTaken({
      id: newId(),
      email,
      email_verified: email !== null,
      phone,
      phone_verified: phone !== null,
      created_at: now,
      updated_at: now,
    });
    if (created) return created;
    const existing =
      (email !== null ? await this.findByEmail(email) : undefined) ??
      (phone !== null ? await this.findByPhone(phone) : undefined);
    if (!existing) throw new InternalError('account registration conflicted but no account holds the address');
    return existing;
  }
}
