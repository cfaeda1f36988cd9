import { type Kysely, sql } from 'kysely';

/** The authorization server's tables. Every secret column holds a hash. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table clients (
      id text primary key,
      secret_hash text,
      name text not null default '',
      status text not null check (status in ('pending', 'approved', 'rejected', 'suspended')),
      status_reason text,
      redirect_uris jsonb not null default '[]',
      post_logout_redirect_uris jsonb not null default '[]',
      grant_types jsonb not null default '[]',
      response_types jsonb not null default '[]',
      scope text not null default '',
      audience jsonb not null default '[]',
      token_endpoint_auth_method text not null,
      application_type text not null default 'web',
      skip_consent boolean not null default false,
      id_token_signed_response_alg text,
      logo_uri text,
      client_uri text,
      policy_uri text,
      tos_uri text,
      owner text,
      contacts jsonb not null default '[]',
      metadata jsonb not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table signing_keys (
      kid text primary key,
      alg text not null,
      private_jwk text not null,
      public_jwk jsonb not null,
      state text not null check (state in ('active', 'retired')),
      created_at timestamptz not null default now(),
      retired_at timestamptz
    );
    create index signing_keys_state on signing_keys (state, alg);

    create table accounts (
      id text primary key,
      email text unique,
      email_verified boolean not null default false,
      phone text unique,
      phone_verified boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table flows (
      id text primary key,
      client_id text not null references clients (id) on delete cascade,
      state text not null,
      request jsonb not null,
      request_url text not null,
      csrf_hash text not null,
      login_challenge_hash text not null unique,
      login_verifier_hash text unique,
      consent_challenge_hash text unique,
      consent_verifier_hash text unique,
      subject text,
      login_session_id text,
      login_skip boolean not null default false,
      login_remember boolean not null default false,
      login_remember_for integer not null default 0,
      auth_time timestamptz,
      acr text,
      amr jsonb not null default '[]',
      context jsonb not null default '{}',
      login_error jsonb,
      consent_skip boolean not null default false,
      granted_scope jsonb not null default '[]',
      granted_audience jsonb not null default '[]',
      consent_remember boolean not null default false,
      consent_remember_for integer not null default 0,
      session_access_token jsonb not null default '{}',
      session_id_token jsonb not null default '{}',
      consent_error jsonb,
      consent_handled_at timestamptz,
      consent_revoked_at timestamptz,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    );
    -- Remembered consents are looked up by subject and client.
    create index flows_remembered_consent on flows (subject, client_id)
      where consent_remember and state = 'done' and consent_revoked_at is null;
    create index flows_expires_at on flows (expires_at);

    create table login_sessions (
      id text primary key,
      subject text not null,
      authenticated_at timestamptz not null,
      remember boolean not null default false,
      expires_at timestamptz not null,
      created_at timestamptz not null default now()
    );
    create index login_sessions_subject on login_sessions (subject);

    create table logout_requests (
      challenge_hash text primary key,
      verifier_hash text unique,
      subject text,
      session_id text,
      client_id text references clients (id) on delete cascade,
      rp_initiated boolean not null,
      request_url text not null,
      post_logout_redirect_uri text,
      state text,
      status text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null
    );

    create table grants (
      id text primary key,
      client_id text not null references clients (id) on delete cascade,
      subject text,
      scope text not null,
      audience jsonb not null default '[]',
      flow_id text,
      session_id text,
      auth_time timestamptz,
      acr text,
      amr jsonb not null default '[]',
      access_token_claims jsonb not null default '{}',
      id_token_claims jsonb not null default '{}',
      created_at timestamptz not null default now(),
      revoked_at timestamptz,
      revoked_reason text
    );
    create index grants_subject_client on grants (subject, client_id);

    create table authorization_codes (
      hash text primary key,
      grant_id text not null references grants (id) on delete cascade,
      client_id text not null,
      redirect_uri text not null,
      redirect_uri_sent boolean not null,
      code_challenge text,
      code_challenge_method text,
      nonce text,
      expires_at timestamptz not null,
      consumed_at timestamptz,
      created_at timestamptz not null default now()
    );

    create table tokens (
      hash text primary key,
      kind text not null check (kind in ('access', 'refresh')),
      grant_id text references grants (id) on delete cascade,
      client_id text not null references clients (id) on delete cascade,
      subject text,
      scope text not null,
      audience jsonb not null default '[]',
      expires_at timestamptz not null,
      created_at timestamptz not null default now(),
      revoked_at timestamptz,
      rotated_at timestamptz
    );
    create index tokens_grant on tokens (grant_id);
    create index tokens_client on tokens (client_id);
    create index tokens_expires_at on tokens (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop table tokens; drop table authorization_codes; drop table grants; drop table logout_requests;
    drop table login_sessions; drop table flows; drop table accounts; drop table signing_keys;
    drop table clients;
  `.execute(db);
}
