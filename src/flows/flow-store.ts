/**
 * Queries on flows: the login and consent requests of an authorization (Hydra's challenges),
 * each a row that moves from state to state until it ends in a code or is done. An
 * authorization-code flow takes a statement or two at each of its steps; under load the
 * requests at one step share them (src/db/group-commit.ts): new flows and lookups by
 * challenge or verifier here, the accepts in flow-accepts.ts, the end in a grant and a code in
 * src/tokens/authorization-codes.ts.
 */
import { type Insertable, sql, type Updateable } from 'kysely';
import { anyOf, type Db } from '../db/database.js';
import { GroupCommit, groupedLookup } from '../db/group-commit.js';
import type { Flow, FlowState, FlowsTable, LoginSessionsTable } from '../db/schema.js';

/** The states from which a flow can still end in a code. */
export const OPEN_FLOW_STATES = ['login_requested', 'login_accepted', 'consent_requested', 'consent_accepted'] as const;

/**
 * An ended flow is done, and remembers no consent: a consent accepted with remember on but
 * never turned into a code must not become a remembered consent.
 */
export const ENDED = { state: 'done', consent_remember: false } as const;

type FlowKey = 'login_challenge_hash' | 'login_verifier_hash' | 'consent_challenge_hash' | 'consent_verifier_hash';

/** A login session a flow establishes; remembered or not is always said. */
export type NewLoginSession = Insertable<LoginSessionsTable> & { remember: boolean };

/**
 * A flow as read by challenge or verifier, with when its login session ends (null: it has none,
 * or it ended): the checks that a request's session still lives need no read of their own.
 */
export type FlowWithSession = Flow & { session_expires_at: Date | null };

/** Whether the login session a flow relies on is live at `now` (see FlowWithSession). */
export const sessionLiveAt = (flow: FlowWithSession, now: number): boolean =>
  flow.session_expires_at !== null && flow.session_expires_at.getTime() > now;

/** A flow as read for the step after login, with the consent its person may have remembered. */
export type FlowAfterLogin = FlowWithSession & { remembered_scope: string[] | null; remembered_audience: string[] | null };

/**
 * The flow's login session still exists and has not expired: a request whose session ended
 * (sign-out, revocation) is neither accepted nor turned into a code, whenever it ended. A
 * condition of the grouped statements that move flows, whose rows are named `v`.
 */
export const LIVE_SESSION = `exists (select 1 from login_sessions s where s.id = flows.login_session_id and s.expires_at > v.now)`;

/** Every use-once write carries its checks per row, so grouping changes no answer. */
export class FlowStore {
  private readonly inserts: GroupCommit<Insertable<FlowsTable>, undefined>;
  private readonly lookups: Record<FlowKey, (hash: string) => Promise<FlowWithSession | undefined>>;
  private readonly afterLoginLookups: (item: { hash: string; now: Date }) => Promise<FlowAfterLogin | undefined>;

  constructor(
    private readonly db: Db,
    options: { concurrency?: number } = {},
  ) {
    const concurrency = options.concurrency ?? 4;
    this.inserts = new GroupCommit({
      run: async (flows: Insertable<FlowsTable>[]) => {
        await db.insertInto('flows').values(flows).execute();
        return flows.map(() => undefined);
      },
      concurrency,
      maxBatch: 200,
    });
    const lookupBy = (key: FlowKey) =>
      groupedLookup({
        fetch: (hashes: string[]): Promise<FlowWithSession[]> =>
          db
            .selectFrom('flows')
            .leftJoin('login_sessions as session', 'session.id', 'flows.login_session_id')
            .selectAll('flows')
            .select('session.expires_at as session_expires_at')
            .where(`flows.${key}`, '=', anyOf(hashes))
            .execute(),
        keyOfItem: (hash) => hash,
        keyOfRow: (flow) => flow[key] as string,
        concurrency,
        maxBatch: 200,
      });
    this.lookups = {
      login_challenge_hash: lookupBy('login_challenge_hash'),
      login_verifier_hash: lookupBy('login_verifier_hash'),
      consent_challenge_hash: lookupBy('consent_challenge_hash'),
      consent_verifier_hash: lookupBy('consent_verifier_hash'),
    };
    this.afterLoginLookups = groupedLookup({
      // The lookups of one group arrived within a turn of the event loop; the latest of their
      // clocks decides which remembered consents have expired.
      fetch: (items) =>
        this.findAfterLogin(
          items.map((item) => item.hash),
          new Date(Math.max(...items.map((item) => item.now.getTime()))),
        ),
      keyOfItem: (item) => item.hash,
      keyOfRow: (flow) => flow.login_verifier_hash as string,
      concurrency,
      maxBatch: 200,
    });
  }

  /** Stores a new flow; a failed group is retried flow by flow, so one bad row fails alone. */
  insert(flow: Insertable<FlowsTable>): Promise<void> {
    return this.inserts.submit(flow);
  }

  findBy(key: FlowKey, hash: string): Promise<FlowWithSession | undefined> {
    return this.lookups[key](hash);
  }

  /**
   * Moves a flow from one state to the next; undefined when it was not in `from` any more
   * (a concurrent request won), which makes every challenge and verifier single use.
   */
  transition(id: string, from: FlowState[], changes: Updateable<FlowsTable> & { state: FlowState }): Promise<Flow | undefined> {
    return this.db
      .updateTable('flows')
      .set(changes)
      .where('id', '=', id)
      .where('state', 'in', from)
      .returningAll()
      .executeTakeFirst();
  }

  /** The same, storing the login session the flow established in the same statement, only if it moved. */
  transitionWithSession(
    id: string,
    from: FlowState[],
    changes: Updateable<FlowsTable> & { state: FlowState },
    session: NewLoginSession,
  ): Promise<Flow | undefined> {
    return this.db
      .with('moved', (db) => db.updateTable('flows').set(changes).where('id', '=', id).where('state', 'in', from).returningAll())
      .with('stored', (db) =>
        db
          .insertInto('login_sessions')
          .columns(['id', 'subject', 'authenticated_at', 'remember', 'expires_at'])
          .expression((eb) =>
            eb
              .selectFrom('moved')
              .select([
                sql<string>`${session.id}::text`.as('id'),
                sql<string>`${session.subject}::text`.as('subject'),
                sql<Date>`${session.authenticated_at}::timestamptz`.as('authenticated_at'),
                sql<boolean>`${session.remember}::boolean`.as('remember'),
                sql<Date>`${session.expires_at}::timestamptz`.as('expires_at'),
              ]),
          )
          .returning('id'),
      )
      .selectFrom('moved')
      .selectAll()
      .executeTakeFirst() as Promise<Flow | undefined>;
  }

  /**
   * A flow by its login verifier, with what the person last agreed to share with its client
   * (the newest remembered, unrevoked, unexpired consent): one read for the step after login.
   */
  findByLoginVerifier(hash: string, now: Date): Promise<FlowAfterLogin | undefined> {
    return this.afterLoginLookups({ hash, now });
  }

  private findAfterLogin(hashes: string[], now: Date): Promise<FlowAfterLogin[]> {
    return this.db
      .selectFrom('flows')
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('flows as remembered')
            .select(['remembered.granted_scope as remembered_scope', 'remembered.granted_audience as remembered_audience'])
            .whereRef('remembered.subject', '=', 'flows.subject')
            .whereRef('remembered.client_id', '=', 'flows.client_id')
            .where('remembered.state', '=', 'done')
            .where('remembered.consent_remember', '=', true)
            .where('remembered.consent_revoked_at', 'is', null)
            .where('remembered.expires_at', '>', now)
            .orderBy('remembered.consent_handled_at', 'desc')
            .limit(1)
            .as('remembered'),
        (join) => join.onTrue(),
      )
      .leftJoin('login_sessions as session', 'session.id', 'flows.login_session_id')
      .selectAll('flows')
      .select(['remembered.remembered_scope', 'remembered.remembered_audience', 'session.expires_at as session_expires_at'])
      .where('flows.login_verifier_hash', '=', anyOf(hashes))
      .execute();
  }

  /** The consents a person asked to be remembered, newest first (optionally of one login session). */
  listRememberedConsents(subject: string, now: Date, loginSessionId?: string): Promise<Flow[]> {
    let query = this.db
      .selectFrom('flows')
      .selectAll()
      .where('subject', '=', subject)
      .where('state', '=', 'done')
      .where('consent_remember', '=', true)
      .where('consent_revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('consent_handled_at', 'desc');
    if (loginSessionId !== undefined) query = query.where('login_session_id', '=', loginSessionId);
    return query.execute();
  }

  async revokeConsents(subject: string, clientId: string | undefined, now: Date): Promise<void> {
    let query = this.db
      .updateTable('flows')
      .set({ consent_revoked_at: now })
      .where('subject', '=', subject)
      .where('consent_revoked_at', 'is', null);
    if (clientId !== undefined) query = query.where('client_id', '=', clientId);
    await query.execute();
  }

  /** Ends one open flow whose login session has ended; false when it was no longer open. */
  async endFlow(id: string): Promise<boolean> {
    return (await this.transition(id, [...OPEN_FLOW_STATES], ENDED)) !== undefined;
  }
}
