/**
 * What the admin console shows: the review queue, the search over every client, one
 * application with its developer and history, and the audit log with the people it names.
 * Reads only; every decision goes through the Clients service (review.ts decides what applies).
 */
import type { AuditEntry, AuditFilter } from '../audit/audit-log.js';
import type { Account, Client } from '../db/schema.js';
import { invalidRequest } from '../oauth/errors.js';
import { toClientJson } from './client-json.js';
import type { Clients } from './clients.js';
import { CLIENT_STATUSES, type ClientJson } from './metadata.js';
import { flashFor } from './review.js';
import type { ClientStore } from './store.js';

export interface DeveloperView {
  id: string;
  email: string | null;
  phone: string | null;
}

export interface ApplicationView {
  client: ClientJson;
  /** The portal account that registered it; undefined when an operator created it. */
  developer?: DeveloperView | undefined;
  /** The account was removed since it registered the application. */
  developerMissing?: boolean;
}

/** Account ids → the email or phone they belong to, so a person is recognisable in the log. */
export type People = ReadonlyMap<string, string>;

export interface ConsoleViewsDeps {
  clients: Pick<Clients, 'get' | 'list'>;
  store: Pick<ClientStore, 'find'>;
  accounts: { find(id: string): Promise<Account | undefined> };
  audit: { list(filter: AuditFilter): Promise<AuditEntry[]> };
}

const QUEUE_LIMIT = 200;
const PAGE_SIZE = 50;
const HISTORY = 20;

export class ConsoleViews {
  constructor(private readonly deps: ConsoleViewsDeps) {}

  /** Who has waited longest comes first (ordered by the query). */
  async queue(): Promise<{ pending: ApplicationView[]; changes: ApplicationView[]; more: boolean }> {
    const [pending, changes] = await Promise.all([
      this.deps.clients.list({ status: 'pending', oldestFirst: true, limit: QUEUE_LIMIT + 1 }),
      this.deps.clients.list({ status: 'approved', withPendingChanges: true, oldestFirst: true, limit: QUEUE_LIMIT }),
    ]);
    return {
      pending: await Promise.all(pending.slice(0, QUEUE_LIMIT).map((c) => this.viewOf(c))),
      changes: await Promise.all(changes.map((c) => this.viewOf(c))),
      more: pending.length > QUEUE_LIMIT,
    };
  }

  /** One page of every client, by id, matching a search and a status. */
  async search(filter: {
    q: string;
    status: string;
    after: string | undefined;
  }): Promise<{ clients: ClientJson[]; next?: string }> {
    if (filter.status && !(CLIENT_STATUSES as readonly string[]).includes(filter.status)) {
      throw invalidRequest(`There is no status "${filter.status}"; use one of ${CLIENT_STATUSES.join(', ')}.`);
    }
    const found = await this.deps.clients.list({
      limit: PAGE_SIZE + 1,
      ...(filter.q ? { q: filter.q } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.after ? { after: filter.after } : {}),
    });
    const clients = found.slice(0, PAGE_SIZE).map(toClientJson);
    const next = found.length > PAGE_SIZE ? clients.at(-1)?.client_id : undefined;
    return next === undefined ? { clients } : { clients, next };
  }

  /** One application, its developer, and the last of its history with the people it names. */
  async application(id: string): Promise<{ app: ApplicationView; history: AuditEntry[]; people: People }> {
    const client = await this.deps.clients.get(id);
    const [app, history] = await Promise.all([
      this.viewOf(client),
      this.deps.audit.list({ targetType: 'client', targetId: client.id, limit: HISTORY }),
    ]);
    return { app, history, people: await this.peopleIn(history) };
  }

  /** The flash a `?done=` after a decision names, about the client it names. */
  async flash(done: string | undefined, clientId: string | undefined): Promise<string | undefined> {
    const message = done ? flashFor(done) : undefined;
    if (!message || !clientId) return undefined;
    const client = await this.deps.store.find(clientId);
    return client ? message(client.name || client.id, client) : undefined;
  }

  /** A page of the audit log, newest first, with the addresses of the accounts it names. */
  async auditPage(filter: Omit<AuditFilter, 'limit'>): Promise<{ entries: AuditEntry[]; next?: string; people: People }> {
    const found = await this.deps.audit.list({ ...filter, limit: PAGE_SIZE + 1 });
    const entries = found.slice(0, PAGE_SIZE);
    const people = await this.peopleIn(entries);
    const next = found.length > PAGE_SIZE ? entries.at(-1)?.id : undefined;
    return next === undefined ? { entries, people } : { entries, next, people };
  }

  private async viewOf(client: Client): Promise<ApplicationView> {
    const json = toClientJson(client);
    if (!client.developer_account_id) return { client: json };
    const account = await this.deps.accounts.find(client.developer_account_id);
    return account
      ? { client: json, developer: { id: account.id, email: account.email, phone: account.phone } }
      : { client: json, developerMissing: true };
  }

  private async peopleIn(entries: readonly AuditEntry[]): Promise<People> {
    const found = await Promise.all(accountIdsIn(entries).map((id) => this.deps.accounts.find(id)));
    const people = new Map<string, string>();
    for (const account of found) {
      const address = account?.email ?? account?.phone;
      if (account && address) people.set(account.id, address);
    }
    return people;
  }
}

/** The accounts an audit page names, as actor (a developer, an account) or as target. */
export function accountIdsIn(entries: readonly AuditEntry[]): string[] {
  const ids = new Set<string>();
  for (const e of entries) {
    if ((e.actor.type === 'developer' || e.actor.type === 'account') && e.actor.id) ids.add(e.actor.id);
    if (e.target?.type === 'account') ids.add(e.target.id);
  }
  return [...ids];
}
