/**
 * Answering a login or consent request (Hydra's accept): one statement that moves the flow
 * only while it is still waiting, has not expired and its checks hold, so a challenge is
 * accepted once. Under load the accepts that arrive together share the statement
 * (src/db/group-commit.ts); a challenge twice in one group is tried for its first request
 * only, so grouping changes no answer.
 */
import { type Db, executeWithJson } from '../db/database.js';
import { groupedOnce } from '../db/group-commit.js';
import type { Flow } from '../db/schema.js';
import { LIVE_SESSION } from './flow-store.js';

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

export class FlowAccepts {
  private readonly loginAccepts: (accept: LoginAccept) => Promise<Flow | undefined>;
  private readonly consentAccepts: (accept: ConsentAccept) => Promise<Flow | undefined>;

  constructor(
    private readonly db: Db,
    options: { concurrency?: number } = {},
  ) {
    const concurrency = options.concurrency ?? 4;
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
}

/*
 * The grouped use-once writes. Each takes its group as one JSON document ($1), read by
 * json_to_recordset: one statement text whatever the group's size, and the keys of the flows
 * it may move as an array ($2, see executeWithJson). JSON columns travel as
 * the strings the services made of them and are cast where they are written.
 */
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
