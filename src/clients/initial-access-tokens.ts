/**
 * RFC 7591 section 3: initial access tokens, which an operator hands to whoever may register
 * clients at /oauth2/register. Shown once, stored as hashes, limited in uses and in time;
 * a use is spent by one conditional UPDATE, so two registrations cannot share the last one.
 * The rules are here; the SQL is InitialAccessTokenStore's (initial-access-token-store.ts).
 */

import { hashSecret, newId, newSecret, prefixes } from '../crypto/tokens.js';
import type { Actor } from '../events/actor.js';
import type { EventSink } from '../events/events.js';
import { invalidRequest, notFound } from '../oauth/errors.js';
import type { InitialAccessTokenRow, InitialAccessTokenStore } from './initial-access-token-store.js';

export interface InitialAccessTokenJson {
  id: string;
  description: string | null;
  /** null: unlimited. */
  uses_left: number | null;
  /** null: never. */
  expires_at: string | null;
  created_at: string;
  /** Usable now: not expired and not used up. */
  active: boolean;
}

export interface NewInitialAccessToken {
  description?: string | undefined;
  /** How many registrations it allows; absent for unlimited. */
  uses?: number | undefined;
  /** Seconds until it stops working; absent for never. */
  expiresIn?: number | undefined;
}

export const MAX_USES = 1_000_000;
/** Ten years: a longer-lived registration credential is better made "never" on purpose. */
export const MAX_EXPIRES_IN = 10 * 365 * 86400;
const MAX_DESCRIPTION = 200;

export class InitialAccessTokens {
  constructor(private readonly deps: { store: InitialAccessTokenStore; events: EventSink; now: () => number }) {}

  /** Creates a token; the returned `token` is never shown again. */
  async create(actor: Actor, input: NewInitialAccessToken): Promise<InitialAccessTokenJson & { token: string }> {
    const description = input.description?.trim() || null;
    if (description !== null && description.length > MAX_DESCRIPTION) {
      throw invalidRequest(`description must be at most ${MAX_DESCRIPTION} characters.`);
    }
    if (input.uses !== undefined && !(Number.isInteger(input.uses) && input.uses >= 1 && input.uses <= MAX_USES)) {
      throw invalidRequest(`uses must be a whole number from 1 to ${MAX_USES}; leave it out for unlimited.`);
    }
    if (
      input.expiresIn !== undefined &&
      !(Number.isInteger(input.expiresIn) && input.expiresIn >= 1 && input.expiresIn <= MAX_EXPIRES_IN)
    ) {
      throw invalidRequest(`expires_in must be a whole number of seconds from 1 to ${MAX_EXPIRES_IN}; leave it out for never.`);
    }
    const token = newSecret('initialAccessToken');
    const now = this.deps.now();
    const row = await this.deps.store.insert({
      id: newId(),
      token_hash: hashSecret(token),
      description,
      uses_left: input.uses ?? null,
      expires_at: input.expiresIn === undefined ? null : new Date(now + input.expiresIn * 1000),
      created_at: new Date(now),
    });
    await this.deps.events.emit({ type: 'initial_access_token.created', tokenId: row.id }, actor);
    return { ...this.toJson(row), token };
  }

  /** Every token, newest first, without its secret; expired and used-up ones too, marked inactive. */
  async list(): Promise<InitialAccessTokenJson[]> {
    const rows = await this.deps.store.list();
    return rows.map((row) => this.toJson(row));
  }

  async remove(actor: Actor, id: string): Promise<void> {
    if (!(await this.deps.store.remove(id))) throw notFound(`There is no initial access token "${id}".`);
    await this.deps.events.emit({ type: 'initial_access_token.deleted', tokenId: id }, actor);
  }

  /** The id of the usable token with this value, without spending a use; undefined otherwise. */
  async check(token: string | undefined): Promise<string | undefined> {
    if (!token?.startsWith(prefixes.initialAccessToken)) return undefined;
    return this.deps.store.findUsable(hashSecret(token), new Date(this.deps.now()));
  }

  /**
   * Spends one use, atomically: the UPDATE only matches a token that is unexpired and has a use
   * left (null minus one stays null: unlimited). Returns its id, or undefined when it cannot be used.
   */
  async consume(token: string | undefined): Promise<string | undefined> {
    if (!token?.startsWith(prefixes.initialAccessToken)) return undefined;
    return this.deps.store.spendUse(hashSecret(token), new Date(this.deps.now()));
  }

  /** Gives back a use spent on a registration that was then refused (bad metadata). */
  refund(id: string): Promise<void> {
    return this.deps.store.refund(id);
  }

  private toJson(row: InitialAccessTokenRow): InitialAccessTokenJson {
    const expired = row.expires_at !== null && row.expires_at.getTime() <= this.deps.now();
    return {
      id: row.id,
      description: row.description,
      uses_left: row.uses_left,
      expires_at: row.expires_at?.toISOString() ?? null,
      created_at: row.created_at.toISOString(),
      active: !expired && (row.uses_left === null || row.uses_left > 0),
    };
  }
}
