/**
 * Server-side sessions in memory, keyed by a random id that the browser holds in a signed
 * cookie: tokens and PKCE secrets never reach the browser. One process only; a real
 * deployment with several would keep them in its database or Redis instead.
 */
import { randomBytes } from 'node:crypto';
import type { PendingSignIn, TokenSet } from '@gatehouse/sdk';

/** A sign-in under way: what the callback checks. */
export interface SignInState {
  pending: PendingSignIn;
}

/** A signed-in person. */
export interface SignedIn {
  tokens: TokenSet;
  /** Ties the page's forms (Refresh, Sign out) to this session. */
  csrf: string;
  /** A one-time message for the next page ("Token refreshed"). */
  notice?: string;
}

interface Entry<T> {
  value: T;
  expiresAt: number;
}

export const newId = (): string => randomBytes(24).toString('base64url');

export class MemoryStore<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    /** How long an entry lives after it was last written. */
    private readonly ttlMs: number,
    /** Entries beyond this are dropped, oldest first, so a flood of sign-ins cannot fill the memory. */
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(id: string | undefined): T | undefined {
    if (id === undefined) return undefined;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.value;
  }

  /** Reads and removes: a pending sign-in is good for one callback. */
  take(id: string | undefined): T | undefined {
    const value = this.get(id);
    if (id !== undefined) this.entries.delete(id);
    return value;
  }

  set(id: string, value: T): void {
    this.entries.delete(id);
    this.entries.set(id, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(id: string | undefined): void {
    if (id !== undefined) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
