/** Queries on flows (login + consent requests), login sessions and logout requests. */
import { type Insertable, sql, type Updateable } from 'kysely';
import { anyOf, type Db, executeWithJson } from '../db/database.js';
import { GroupCommit, groupedLookup, groupedOnce } from '../db/group-commit.js';
import type {
  AuthorizationCodesTable,
  Flow,
  FlowState,
  FlowsTable,
  GrantsTable,
  LoginSession,
  LoginSessionsTable,
  LogoutRequest,
  LogoutRequestsTable,
} from '../db/schema.js';

/** The states from which a flow can still end in a code. */
export const OPEN_FLOW_STATES = ['login_requested', 'login_accepted', 'consent_requested', 'consent_accepted'] as const;

/**
 * An ended flow is done, and remembers no consent: a consent accepted with remember on but
 * never turned into a code must not become a remembered consent.
 */
const ENDED = { state: 'done', consent_remember: false } as const;

type FlowKey = 'login_challenge_hash' | 'login_verifier_hash' | 'consent_challenge_hash' | 'consent_verifier_hash';

/** A login session a flow establishes; remembered or not is always said. */
export type NewLoginSession = Insertable<LoginSessionsTable> & { remember: boolean };

/** What a consent accept writes into its flow. */
export interface ConsentAcceptance {
  granted_scope: string;
  granted_audience: string;
  consent_remember: boolean;
  consent_remember_for: number;
  session_access_token: string;
  session_id_token: string;
  consent_handled_at: Date;
  consent_verifier_hash: string;
}

/** What a login accept writes into its flow. */
export interface LoginAcceptance {
  subject: string;
  login_remember: boolean;
  login_remember_for: number;
  acr: string | null;
  amr: string;
  context: string;
  login_verifier_hash: string;
}

interface LoginAccept {
  challengeHash: string;
  now: Date;
  acceptance: LoginAcceptance;
}

interface ConsentAccept {
  challengeHash: string;
  now: Date;
  acceptance: ConsentAcceptance;
  granted: { scope: string[]; audience: string[] };
}

/** An accepted consent ending in its grant and code (finishWithCode). */
interface Ending {
  id: string;
  now: Date;
  expiresAt: Date;
  grant: Insertable<GrantsTable> & { id: string };
  code: Insertable<AuthorizationCodesTable>;
}

/** A flow as read for the step after login, with the consent its person may have remembered. */
export type FlowAfterLogin = Flow & { remembered_scope: string[] | null; remembered_audience: string[] | null };

/**
 * An authorization-code flow takes a statement or two at each of its steps; under load the
 * requests at one step share them (src/db/group-commit.ts): new flows, lookups by challenge
 * or verifier, the login and consent accepts, and the consent's end in a grant and a code.
 * Every use-once write carries its checks per row, and a key twice in one group is tried for
 * its first request only, so grouping changes no answer.
 */
export class FlowStore {
  private readonly inserts: GroupCommit<Insertable<FlowsTable>, undefined>;
  private readonly lookups: Record<FlowKey, (hash: string) => Promise<Flow | undefined>>;
  private readonly afterLoginLookups: (item: { hash: string; now: Date }) => Promise<FlowAfterLogin | undefined>;
  private readonly loginAccepts: (accept: LoginAccept) => Promise<Flow | undefined>;
  private readonly consentAccepts: (accept: ConsentAccept) => Promise<Flow | undefined>;
  private readonly codeIssues: (ending: Ending) => Promise<true | undefined>;

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
        fetch: (hashes: string[]) => db.selectFrom('flows').selectAll().where(key, '=', anyOf(hashes)).execute(),
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
    this.loginAccepts = groupedOnce({
      keyOf: (accept: LoginAccept) => accept.challengeHash,
      write: (accepts) => this.acceptLogins(accepts),
      concurrency,
      maxBatch: 200,
    });
    this.consentAccepts = groupedOnce({
      keyOf: (accept: ConsentAccept) => accept.challengeHash,
      write: (accepts) => this.acceptConsents(accepts),
      concurrency,
      maxBatch: 200,
    });
    this.codeIssues = groupedOnce({
      keyOf: (ending) => ending.id,
      write: (endings) => this.finishManyWithCode(endings),
      concurrency,
      maxBatch: 200,
    });
  }

  /** Stores a new flow; a failed group is retried flow by flow, so one bad row fails alone. */
  insert(flow: Insertable<FlowsTable>): Promise<void> {
    return this.inserts.submit(flow);
  }

  findBy(key: FlowKey, hash: string): Promise<Flow | undefined> {
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

  /**
   * Accepts a login request, if it is still waiting and not expired, and, when it reuses a
   * remembered session, only while that session lives and only for its subject (Hydra's rule). A skipped login keeps
   * the original authentication time (OIDC auth_time). Concurrent accepts share a statement.
   */
  acceptLogin(challengeHash: string, now: Date, acceptance: LoginAcceptance): Promise<Flow | undefined> {
    return this.loginAccepts({ challengeHash, now, acceptance });
  }

  /** The first accept of each challenge in a group; the flows it moved, by challenge. */
  private async acceptLogins(firsts: LoginAccept[]): Promise<Map<string, Flow>> {
    const rows = firsts.map(({ challengeHash, now, acceptance }) => ({ challenge_hash: challengeHash, now, ...acceptance }));
    const { rows: moved } = await executeWithJson<Flow>(
      this.db,
      ACCEPT_LOGINS,
      [rows],
      firsts.map((accept) => accept.challengeHash),
    );
    return new Map(moved.map((flow) => [flow.login_challenge_hash, flow]));
  }

  /**
   * Accepts a consent request, if it is still waiting, not expired, its login session lives,
   * and it grants nothing the authorization request did not ask for (jsonb containment of
   * the requested lists).
   * Concurrent accepts share a statement.
   */
  acceptConsent(
    challengeHash: string,
    now: Date,
    acceptance: ConsentAcceptance,
    granted: { scope: string[]; audience: string[] },
  ): Promise<Flow | undefined> {
    return this.consentAccepts({ challengeHash, now, acceptance, granted });
  }

  /** The first accept of each challenge in a group; the flows it moved, by challenge. */
  private async acceptConsents(firsts: ConsentAccept[]): Promise<Map<string, Flow>> {
    const rows = firsts.map(({ challengeHash, now, acceptance, granted }) => ({
      challenge_hash: challengeHash,
      now,
      ...acceptance,
      scope: granted.scope,
      audience: granted.audience,
    }));
    const { rows: moved } = await executeWithJson<Flow>(
      this.db,
      ACCEPT_CONSENTS,
      [rows],
      firsts.map((accept) => accept.challengeHash),
    );
    return new Map(moved.map((flow) => [flow.consent_challenge_hash as string, flow]));
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
      .selectAll('flows')
      .select(['remembered.remembered_scope', 'remembered.remembered_audience'])
      .where('flows.login_verifier_hash', '=', anyOf(hashes))
      .execute();
  }

  /**
   * Ends an accepted consent with its grant and code, in one statement: the flow moves to
   * done, and the grant and the code exist, exactly when it was still consent_accepted and
   * its login session is live. False when a concurrent request finished it first, or the
   * session has ended. Concurrent endings share a statement.
   */
  finishWithCode(
    id: string,
    now: Date,
    expiresAt: Date,
    grant: Insertable<GrantsTable> & { id: string },
    code: Insertable<AuthorizationCodesTable>,
  ): Promise<boolean> {
    return this.codeIssues({ id, now, expiresAt, grant, code }).then((done) => done === true);
  }

  /** The first ending of each flow in a group; the flows it ended, by id. */
  private async finishManyWithCode(firsts: Ending[]): Promise<Map<string, true>> {
    const rows = firsts.map(({ id, now, expiresAt, grant: g, code: c }) => ({
      flow_id: id,
      now,
      expires_at: expiresAt,
      grant_id: g.id,
      client_id: g.client_id,
      subject: g.subject ?? null,
      scope: g.scope,
      audience: g.audience ?? '[]',
      session_id: g.session_id ?? null,
      auth_time: g.auth_time ?? null,
      acr: g.acr ?? null,
      amr: g.amr ?? '[]',
      access_token_claims: g.access_token_claims ?? '{}',
      id_token_claims: g.id_token_claims ?? '{}',
      code_hash: c.hash,
      redirect_uri: c.redirect_uri,
      redirect_uri_sent: c.redirect_uri_sent,
      code_challenge: c.code_challenge ?? null,
      code_challenge_method: c.code_challenge_method ?? null,
      nonce: c.nonce ?? null,
      code_expires_at: c.expires_at,
    }));
    const { rows: ended } = await executeWithJson<{ flow_id: string }>(
      this.db,
      FINISH_WITH_CODE,
      [rows],
      firsts.map((ending) => ending.id),
    );
    return new Map(ended.map((row) => [row.flow_id, true]));
  }

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

  // Login sessions

  async insertSession(session: Insertable<LoginSessionsTable>): Promise<void> {
    await this.db.insertInto('login_sessions').values(session).execute();
  }

  findSession(id: string, now: Date): Promise<LoginSession | undefined> {
    return this.db.selectFrom('login_sessions').selectAll().where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
  }

  listSessions(subject: string, now: Date): Promise<LoginSession[]> {
    return this.db
      .selectFrom('login_sessions')
      .selectAll()
      .where('subject', '=', subject)
      .where('expires_at', '>', now)
      .orderBy('authenticated_at', 'desc')
      .execute();
  }

  async updateSession(id: string, changes: Updateable<LoginSessionsTable>): Promise<void> {
    await this.db.updateTable('login_sessions').set(changes).where('id', '=', id).execute();
  }

  /** Whether a login session is still live: a flow that relies on it checks at each use. */
  async sessionLive(id: string | null, now: Date): Promise<boolean> {
    return id !== null && (await this.findSession(id, now)) !== undefined;
  }

  /**
   * Ends login sessions (one by id, or every one of a subject) and, in the same statement,
   * every flow still open on them: a login or consent request that would reuse the session,
   * or a sign-in of the subject not yet turned into a code, would otherwise still end in a
   * code for a person who signed out (Hydra 1.x cascaded the same deletion to its login
   * requests). A session named by id ends only the flows of its own subject, when one is given.
   */
  async deleteSessions(filter: { id?: string; subject?: string }): Promise<number> {
    const { id, subject } = filter;
    if (id === undefined && subject === undefined) throw new RangeError('deleteSessions needs an id or a subject');
    const row = await this.db
      .with('gone', (db) => {
        let query = db.deleteFrom('login_sessions');
        if (id !== undefined) query = query.where('id', '=', id);
        if (subject !== undefined) query = query.where('subject', '=', subject);
        return query.returning('id');
      })
      .with('ended', (db) => {
        let query = db.updateTable('flows').set(ENDED).where('state', 'in', OPEN_FLOW_STATES);
        if (id !== undefined) query = query.where('login_session_id', '=', id);
        if (subject !== undefined) query = query.where('subject', '=', subject);
        return query.returning('id');
      })
      .selectFrom('gone')
      .select((eb) => eb.fn.countAll<string | number | bigint>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /** Ends one open flow whose login session has ended; false when it was no longer open. */
  async endFlow(id: string): Promise<boolean> {
    return (await this.transition(id, [...OPEN_FLOW_STATES], ENDED)) !== undefined;
  }

  // Logout requests

  async insertLogout(request: Insertable<LogoutRequestsTable>): Promise<void> {
    await this.db.insertInto('logout_requests').values(request).execute();
  }

  findLogout(key: 'challenge_hash' | 'verifier_hash', hash: string): Promise<LogoutRequest | undefined> {
    return this.db.selectFrom('logout_requests').selectAll().where(key, '=', hash).executeTakeFirst();
  }

  transitionLogout(
    challengeHash: string,
    from: LogoutRequest['status'][],
    changes: Updateable<LogoutRequestsTable> & { status: LogoutRequest['status'] },
  ): Promise<LogoutRequest | undefined> {
    return this.db
      .updateTable('logout_requests')
      .set(changes)
      .where('challenge_hash', '=', challengeHash)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
  }
}

/*
 * The grouped use-once writes. Each takes its group as one JSON document ($1), read by
 * json_to_recordset: one statement text whatever the group's size, and the keys of the flows
 * it may move as an array ($2, see executeWithJson). JSON columns travel as
 * the strings the services made of them and are cast where they are written.
 */

/**
 * The flow's login session still exists and has not expired: a request whose session ended
 * (sign-out, revocation) is neither accepted nor turned into a code, whenever it ended.
 */
const LIVE_SESSION = `exists (select 1 from login_sessions s where s.id = flows.login_session_id and s.expires_at > v.now)`;

const ACCEPT_LOGINS = `
  update flows set subject = v.subject, login_remember = v.login_remember, login_remember_for = v.login_remember_for,
    acr = v.acr, amr = v.amr::jsonb, context = v.context::jsonb, login_verifier_hash = v.login_verifier_hash,
    state = 'login_accepted',
    auth_time = case when flows.login_skip and flows.auth_time is not null then flows.auth_time else v.now end
  from json_to_recordset($1::json) as v(
    challenge_hash text, now timestamptz, subject text, login_remember boolean, login_remember_for integer,
    acr text, amr text, context text, login_verifier_hash text
  )
  where flows.login_challenge_hash = any($2::text[]) and flows.login_challenge_hash = v.challenge_hash
    and flows.state = 'login_requested' and flows.expires_at > v.now
    and (flows.login_skip = false or (flows.subject = v.subject and ${LIVE_SESSION}))
  returning flows.*`;

const ACCEPT_CONSENTS = `
  update flows set granted_scope = v.granted_scope::jsonb, granted_audience = v.granted_audience::jsonb,
    consent_remember = v.consent_remember, consent_remember_for = v.consent_remember_for,
    session_access_token = v.session_access_token::jsonb, session_id_token = v.session_id_token::jsonb,
    consent_handled_at = v.consent_handled_at, consent_verifier_hash = v.consent_verifier_hash, state = 'consent_accepted'
  from json_to_recordset($1::json) as v(
    challenge_hash text, now timestamptz, granted_scope text, granted_audience text, consent_remember boolean,
    consent_remember_for integer, session_access_token text, session_id_token text, consent_handled_at timestamptz,
    consent_verifier_hash text, scope jsonb, audience jsonb
  )
  where flows.consent_challenge_hash = any($2::text[]) and flows.consent_challenge_hash = v.challenge_hash
    and flows.state = 'consent_requested' and flows.expires_at > v.now
    and flows.request -> 'scope' @> v.scope and flows.request -> 'audience' @> v.audience
    and ${LIVE_SESSION}
  returning flows.*`;

// Each insert joins the step before, so it writes a row only for the flows that moved.
const FINISH_WITH_CODE = `
  with v as (
    select * from json_to_recordset($1::json) as v(
      flow_id text, now timestamptz, expires_at timestamptz, grant_id text, client_id text, subject text, scope text, audience text,
      session_id text, auth_time timestamptz, acr text, amr text, access_token_claims text, id_token_claims text,
      code_hash text, redirect_uri text, redirect_uri_sent boolean, code_challenge text, code_challenge_method text,
      nonce text, code_expires_at timestamptz
    )
  ), done as (
    update flows set state = 'done', expires_at = v.expires_at from v
    where flows.id = any($2::text[]) and flows.id = v.flow_id and flows.state = 'consent_accepted' and ${LIVE_SESSION}
    returning flows.id
  ), granted as (
    insert into grants (id, client_id, subject, scope, audience, flow_id, session_id, auth_time, acr, amr,
                        access_token_claims, id_token_claims)
    select v.grant_id, v.client_id, v.subject, v.scope, v.audience::jsonb, v.flow_id, v.session_id, v.auth_time, v.acr,
           v.amr::jsonb, v.access_token_claims::jsonb, v.id_token_claims::jsonb
    from v join done on done.id = v.flow_id
    returning id
  ), coded as (
    insert into authorization_codes (hash, grant_id, client_id, redirect_uri, redirect_uri_sent, code_challenge,
                                     code_challenge_method, nonce, expires_at)
    select v.code_hash, granted.id, v.client_id, v.redirect_uri, v.redirect_uri_sent, v.code_challenge,
           v.code_challenge_method, v.nonce, v.code_expires_at
    from v join granted on granted.id = v.grant_id
    returning grant_id
  )
  select v.flow_id from v join coded on coded.grant_id = v.grant_id`;
