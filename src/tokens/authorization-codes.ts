/**
 * An authorization code's whole life (RFC 6749 4.1.2, 10.5): minted when a consent ends,
 * stored with its grant in the statement that ends the flow, read back at the token endpoint,
 * and spent once, in the statement that stores the tokens it buys. Only its hash is stored.
 * Each step is one statement, shared by the concurrent requests at that step
 * (src/db/group-commit.ts); a code is always read fresh, since using one changes it.
 */
import type { Insertable, Selectable } from 'kysely';
import { hashSecret, newSecret } from '../crypto/tokens.js';
import { anyOf, type Db, executeWithJson } from '../db/database.js';
import { groupedOnce } from '../db/group-commit.js';
import type { AuthorizationCodesTable, AuthorizationRequest, Grant, GrantsTable } from '../db/schema.js';
import { LIVE_SESSION } from '../flows/flow-store.js';
import { groupedByHash } from './lookup-by-hash.js';
import { groupedSpends, type Spend, spendStatement } from './spend.js';

export type CodeWithGrant = Selectable<AuthorizationCodesTable> &
  Pick<Grant, 'subject' | 'scope' | 'audience' | 'session_id' | 'auth_time' | 'acr' | 'amr' | 'id_token_claims'> & {
    grant_revoked_at: Date | null;
  };

/** A code for the client, and the row that stands for it (its hash and what it is bound to). */
export interface MintedCode {
  code: string;
  row: Insertable<AuthorizationCodesTable>;
}

/** An accepted consent ending in its grant and code (issue). */
interface Ending {
  flowId: string;
  now: Date;
  flowExpiresAt: Date;
  grant: Insertable<GrantsTable> & { id: string };
  code: Insertable<AuthorizationCodesTable>;
}

export class AuthorizationCodeStore {
  private readonly issues: (ending: Ending) => Promise<true | undefined>;
  private readonly reads: (hash: string) => Promise<CodeWithGrant | undefined>;
  private readonly spends: (spend: Spend) => Promise<boolean>;

  constructor(
    private readonly db: Db,
    options: { concurrency?: number } = {},
  ) {
    const concurrency = options.concurrency ?? 4;
    this.issues = groupedOnce({
      keyOf: (ending: Ending) => ending.flowId,
      write: (endings) => this.issueMany(endings),
      concurrency,
      maxBatch: 200,
    });
    this.reads = groupedByHash((hashes) => this.findMany(hashes), concurrency);
    this.spends = groupedSpends(db, SPEND_CODE, concurrency);
  }

  /**
   * A new code, bound to its client, redirect URI, PKCE challenge and nonce (RFC 6749 4.1.3,
   * RFC 7636 4.4); nothing is stored yet.
   */
  mint(request: AuthorizationRequest, grant: { id: string; client_id: string }, expiresAt: Date): MintedCode {
    const code = newSecret('authorizationCode');
    return {
      code,
      row: {
        hash: hashSecret(code),
        grant_id: grant.id,
        client_id: grant.client_id,
        redirect_uri: request.redirect_uri,
        redirect_uri_sent: request.redirect_uri_sent,
        code_challenge: request.code_challenge,
        code_challenge_method: request.code_challenge_method,
        nonce: request.nonce,
        expires_at: expiresAt,
      },
    };
  }

  /**
   * Ends an accepted consent with its grant and code, in one statement: the flow moves to
   * done, and the grant and the code exist, exactly when it was still consent_accepted and
   * its login session is live. False when a concurrent request finished it first, or the
   * session has ended. Concurrent endings share a statement.
   */
  issue(
    flowId: string,
    now: Date,
    flowExpiresAt: Date,
    grant: Insertable<GrantsTable> & { id: string },
    code: Insertable<AuthorizationCodesTable>,
  ): Promise<boolean> {
    return this.issues({ flowId, now, flowExpiresAt, grant, code }).then((done) => done === true);
  }

  /** The first ending of each flow in a group; the flows it ended, by id. */
  private async issueMany(firsts: Ending[]): Promise<Map<string, true>> {
    const rows = firsts.map(({ flowId, now, flowExpiresAt, grant: g, code: c }) => ({
      flow_id: flowId,
      now,
      expires_at: flowExpiresAt,
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
      ISSUE_WITH_GRANT,
      [rows],
      firsts.map((ending) => ending.flowId),
    );
    return new Map(ended.map((row) => [row.flow_id, true]));
  }

  /** A code with what the tokens it buys need of its grant, in one read (grouped). */
  find(hash: string): Promise<CodeWithGrant | undefined> {
    return this.reads(hash);
  }

  private findMany(hashes: string[]): Promise<CodeWithGrant[]> {
    return this.db
      .selectFrom('authorization_codes')
      .innerJoin('grants', 'grants.id', 'authorization_codes.grant_id')
      .selectAll('authorization_codes')
      .select([
        'grants.subject',
        'grants.scope',
        'grants.audience',
        'grants.session_id',
        'grants.auth_time',
        'grants.acr',
        'grants.amr',
        'grants.id_token_claims',
        'grants.revoked_at as grant_revoked_at',
      ])
      .where('authorization_codes.hash', '=', anyOf(hashes))
      .execute();
  }

  /** Marks the code used, buying nothing (a failed redemption); undefined when it was already used. */
  consume(hash: string, now: Date): Promise<Selectable<AuthorizationCodesTable> | undefined> {
    return this.db
      .updateTable('authorization_codes')
      .set({ consumed_at: now })
      .where('hash', '=', hash)
      .where('consumed_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
  }

  /** Spends the code and stores its tokens, or neither: false when it was already used. */
  spend(spend: Spend): Promise<boolean> {
    return this.spends(spend);
  }
}

const SPEND_CODE = spendStatement(`
    update authorization_codes set consumed_at = presented.at from presented
    where authorization_codes.hash = any($3::text[]) and authorization_codes.hash = presented.hash
      and authorization_codes.consumed_at is null
    returning authorization_codes.hash`);

/**
 * The flow's end, its grant and its code, for a group of flows given as one JSON document
 * ($1), their ids as an array ($2). Each insert joins the step before, so it writes a row only
 * for the flows that moved; a flow whose login session has ended is not turned into a code.
 */
const ISSUE_WITH_GRANT = `
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
