/**
 * The scope catalogue: the OpenID Connect scopes and the identity scopes of "Sign in with
 * Galxe", each with the plain words a consent screen shows and the user fields it releases
 * at /oauth/api/2/user.
 */
import { invalidScope } from './errors.js';

export interface ScopeInfo {
  name: string;
  description: string;
  /** Field names released by GET /oauth/api/2/user. */
  fields: string[];
}

const identityScopes: ScopeInfo[] = [
  { name: 'Email', description: 'Your email address', fields: ['Email'] },
  { name: 'Twitter', description: 'Your X (Twitter) account', fields: ['TwitterUsername', 'TwitterUserID'] },
  { name: 'Discord', description: 'Your Discord account', fields: ['DiscordUsername', 'DiscordUserID'] },
  { name: 'Github', description: 'Your GitHub account', fields: ['GithubUsername', 'GithubUserID'] },
  { name: 'Telegram', description: 'Your Telegram account', fields: ['TelegramUsername', 'TelegramUserID'] },
  { name: 'EVMAddress', description: 'Your EVM (Ethereum) address', fields: ['EVMAddress'] },
  { name: 'SolanaAddress', description: 'Your Solana address', fields: ['SolanaAddress'] },
  { name: 'SeiAddress', description: 'Your Sei address', fields: ['SeiAddress'] },
  { name: 'AptosAddress', description: 'Your Aptos address', fields: ['AptosAddress'] },
  { name: 'InjectiveAddress', description: 'Your Injective address', fields: ['InjectiveAddress'] },
  { name: 'FlowAddress', description: 'Your Flow address', fields: ['FlowAddress'] },
];

const oidcScopes: ScopeInfo[] = [
  { name: 'openid', description: 'Sign you in', fields: [] },
  { name: 'profile', description: 'Your basic profile', fields: [] },
  { name: 'email', description: 'Your email address', fields: [] },
  { name: 'phone', description: 'Your phone number', fields: [] },
  { name: 'offline_access', description: 'Stay connected when you are not using it', fields: [] },
];

export class ScopeCatalogue {
  private readonly byName: Map<string, ScopeInfo>;

  constructor(readonly accountIdScope: string) {
    const accountId = { name: accountIdScope, description: 'Your account ID', fields: [accountIdScope] };
    this.byName = new Map([...oidcScopes, ...identityScopes, accountId].map((s) => [s.name, s]));
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): ScopeInfo | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Throws invalid_scope naming the first scope that is not in the catalogue. */
  assertKnown(scopes: readonly string[]): void {
    const unknown = scopes.find((s) => !this.byName.has(s));
    if (unknown !== undefined) throw invalidScope(`The scope "${unknown}" is not supported.`);
  }
}

/** RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), space-delimited. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function parseScope(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const tokens = raw.split(' ').filter(Boolean);
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) throw invalidScope('The scope parameter has a malformed scope token.');
  }
  return [...new Set(tokens)];
}

export const formatScope = (scopes: readonly string[]): string => scopes.join(' ');

export const includesAll = (granted: readonly string[], asked: readonly string[]): boolean =>
  asked.every((s) => granted.includes(s));
