/**
 * The life of a developer's application in the services and the admin API: pending until an
 * operator approves it, its secret issued at approval and shown once, edits to an approved
 * application held for review, the developer told by email, every step in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeveloperInput } from '../../src/clients/clients.js';
import { systemActor } from '../../src/events/actor.js';
import { admin, runFlow, token } from '../support/flow.js';
import { startGatehouse, type TestGatehouse } from '../support/harness.js';

let t: TestGatehouse;
beforeAll(async () => {
  t = await startGatehouse();
});
afterAll(() => t.close());

let seq = 0;
async function developer() {
  return t.gh.login.accounts.register({ email: `dev${++seq}.${Date.now()}@example.com` });
}

const app = (overrides: Partial<DeveloperInput> = {}): DeveloperInput => ({
  client_name: 'Weather Station',
  description: 'Shows the weather where you are.',
  client_uri: 'https://weather.example',
  contacts: ['owner@weather.example'],
  redirect_uris: ['https://weather.example/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  scope: 'openid offline_access Email',
  ...overrides,
});

const outboxTo = async (to: string) =>
  (await t.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(to)}`)).json().messages as { subject: string; text: string }[];

describe('an application registered by a developer', () => {
  it('starts pending, without a secret, and cannot start an authorization', async () => {
    const dev = await developer();
    const created = await t.gh.clients.registerForDeveloper(systemActor(), dev.id, app());
    expect(created.status).toBe('pending');
    expect(created.client_secret).toBeUndefined();
    expect(created.developer_account_id).toBe(dev.id);
    const start = await t.publicApp.inject(
      `/oauth2/auth?${new URLSearchParams({ client_id: created.client_id, response_type: 'code', redirect_uri: 'https://weather.example/callback', scope: 'openid', state: 'abcdefgh' })}`,
    );
    expect(start.statusCode).toBe(403);
    expect(start.headers.location).toBeUndefined();
    expect(start.body).toContain('has not been approved');
  });

  it('is given its secret at approval, which the developer sees exactly once and which works', async () => {
    const dev = await developer();
    const { client_id } = await t.gh.clients.registerForDeveloper(systemActor(), dev.id, app());
    const approved = await admin(t, 'PUT', `/admin/clients/${client_id}/status`, { status: 'approved' });
    expect(approved.statusCode).toBe(200);
    // The operator does not see it: it is for the developer.
    expect(approved.json().client_secret).toBeUndefined();

    const [first, second] = await Promise.all([
      t.gh.clients.revealSecret(dev.id, client_id),
      t.gh.clients.revealSecret(dev.id, client_id),
    ]);
    const secrets = [first, second].filter(Boolean) as string[];
    expect(secrets).toHaveLength(1);
    expect(await t.gh.clients.revealSecret(dev.id, client_id)).toBeUndefined();

    const client = await t.gh.clients.get(client_id);
    const flow = await runFlow(t, { client: { ...(await admin(t, 'GET', `/admin/clients/${client_id}`)).json() } });
    const exchanged = await token(
      t,
      {
        grant_type: 'authorization_code',
        code: flow.query.get('code') as string,
        redirect_uri: client.redirect_uris[0] as string,
      },
      { basic: [client_id, secrets[0] as string] },
    );
    expect(exchanged.statusCode).toBe(200);
  });

  it('another developer cannot read it, reveal its secret or change it', async () => {
    const owner = await developer();
    const other = await developer();
    const { client_id } = await t.gh.clients.registerForDeveloper(systemActor(), owner.id, app());
    await expect(t.gh.clients.getForDeveloper(other.id, client_id)).rejects.toMatchObject({ error: 'not_found' });
    await expect(t.gh.clients.revealSecret(other.id, client_id)).rejects.toMatchObject({ error: 'not_found' });
    await expect(
      t.gh.clients.updateForDeveloper(systemActor(), other.id, client_id, app({ client_name: 'Mine now' })),
    ).rejects.toMatchObject({
      error: 'not_found',
    });
    expect(await t.gh.clients.listForDeveloper(other.id)).toEqual([]);
  });

  it('cannot set what belongs to the operator (status, skip_consent, audience)', async () => {
    const dev = await developer();
    const sneaky = { ...app(), status: 'approved', skip_consent: true, audience: ['https://api.example'] } as DeveloperInput;
    const created = await t.gh.clients.registerForDeveloper(systemActor(), dev.id, sneaky);
    expect(created).toMatchObject({ status: 'pending', skip_consent: false, audience: [] });
  });

  it('refuses control characters in a name (they would forge lines in an email subject)', async () => {
    const dev = await developer();
    await expect(
      t.gh.clients.registerForDeveloper(systemActor(), dev.id, app({ client_name: 'Nice app\r\nBcc: victim@example.com' })),
    ).rejects.toMatchObject({ error: 'invalid_client_metadata' });
  });
});

describe('changes to an approved application', () => {
  async function approvedApp() {
    const dev = await developer();
    const { client_id } = await t.gh.clients.registerForDeveloper(systemActor(), dev.id, app());
    await t.gh.clients.setStatus(systemActor(), client_id, 'approved');
    return { dev, client_id };
  }

  it('apply at once for descriptive fields, and wait for review for redirect URIs and scopes', async () => {
    const { dev, client_id } = await approvedApp();
    const updated = await t.gh.clients.updateForDeveloper(
      systemActor(),
      dev.id,
      client_id,
      app({
        client_name: 'Weather Station 2',
        redirect_uris: ['https://weather.example/callback', 'https://weather.example/v2/callback'],
        scope: 'openid offline_access Email Twitter',
      }),
    );
    expect(updated.client_name).toBe('Weather Station 2');
    expect(updated.status).toBe('approved');
    expect(updated.redirect_uris).toEqual(['https://weather.example/callback']);
    expect(updated.scope).toBe('openid offline_access Email');
    expect(updated.pending_changes).toMatchObject({
      redirect_uris: ['https://weather.example/callback', 'https://weather.example/v2/callback'],
      scope: 'openid offline_access Email Twitter',
    });

    // The live application keeps working meanwhile; the new callback does not yet.
    const start = (redirect: string) =>
      t.publicApp.inject(
        `/oauth2/auth?${new URLSearchParams({ client_id, response_type: 'code', redirect_uri: redirect, scope: 'openid', state: 'abcdefgh' })}`,
      );
    expect((await start('https://weather.example/callback')).statusCode).toBe(303);
    expect((await start('https://weather.example/v2/callback')).statusCode).toBe(400);

    const decided = await admin(t, 'PUT', `/admin/clients/${client_id}/pending-changes`, { decision: 'approve' });
    expect(decided.statusCode).toBe(200);
    expect(decided.json().pending_changes).toBeUndefined();
    expect(decided.json().scope).toBe('openid offline_access Email Twitter');
    expect((await start('https://weather.example/v2/callback')).statusCode).toBe(303);
  });

  it('can be rejected with a reason, leaving the application as it was', async () => {
    const { dev, client_id } = await approvedApp();
    await t.gh.clients.updateForDeveloper(
      systemActor(),
      dev.id,
      client_id,
      app({ redirect_uris: ['https://elsewhere.example/cb'] }),
    );
    const rejected = await admin(t, 'PUT', `/admin/clients/${client_id}/pending-changes`, {
      decision: 'reject',
      reason: 'That domain is not yours.',
    });
    expect(rejected.json()).toMatchObject({ redirect_uris: ['https://weather.example/callback'], status: 'approved' });
    expect(rejected.json().pending_changes).toBeUndefined();
    const again = await admin(t, 'PUT', `/admin/clients/${client_id}/pending-changes`, { decision: 'approve' });
    expect(again.statusCode).toBe(409);
  });

  it('holds a new grant type too, and holds changes on a suspended application until reinstated and reviewed', async () => {
    const { dev, client_id } = await approvedApp();
    const widened = await t.gh.clients.updateForDeveloper(
      systemActor(),
      dev.id,
      client_id,
      app({ grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] }),
    );
    expect(widened.grant_types).toEqual(['authorization_code', 'refresh_token']);
    expect(widened.pending_changes?.grant_types).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
    await t.gh.clients.decideChanges(systemActor(), client_id, 'reject', 'Not needed.');

    await t.gh.clients.setStatus(systemActor(), client_id, 'suspended', 'Abuse reports.');
    const edited = await t.gh.clients.updateForDeveloper(
      systemActor(),
      dev.id,
      client_id,
      app({ redirect_uris: ['https://evil.example/cb'] }),
    );
    expect(edited.redirect_uris).toEqual(['https://weather.example/callback']);
    expect(edited.pending_changes?.redirect_uris).toEqual(['https://evil.example/cb']);
    const reinstated = await t.gh.clients.setStatus(systemActor(), client_id, 'approved');
    expect(reinstated.redirect_uris).toEqual(['https://weather.example/callback']);
  });

  it.each<[string, Partial<DeveloperInput>]>([
    ['application_type', { application_type: 'native' }],
    ['token_endpoint_auth_method', { token_endpoint_auth_method: 'client_secret_post' }],
    ['post_logout_redirect_uris', { post_logout_redirect_uris: ['https://elsewhere.example/bye'] }],
    ['response_types', { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }],
  ])('hold a change of %s for review, and an operator approval applies it', async (_field, change) => {
    const { dev, client_id } = await approvedApp();
    const before = await t.gh.clients.get(client_id);
    const held = await t.gh.clients.updateForDeveloper(systemActor(), dev.id, client_id, app(change));
    for (const [name, value] of Object.entries(change)) {
      expect(held[name as keyof typeof held], name).toEqual(before[name as keyof typeof before]);
      expect(held.pending_changes?.[name as keyof typeof held.pending_changes], name).toEqual(value);
    }
    const applied = await t.gh.clients.decideChanges(systemActor(), client_id, 'approve');
    for (const [name, value] of Object.entries(change)) expect(applied[name as keyof typeof applied], name).toEqual(value);
  });

  it('a switch to native leaves loopback redirects exact until approved', async () => {
    const dev = await developer();
    const loopback = 'http://127.0.0.1:8080/callback';
    const { client_id } = await t.gh.clients.registerForDeveloper(systemActor(), dev.id, app({ redirect_uris: [loopback] }));
    await t.gh.clients.setStatus(systemActor(), client_id, 'approved');
    const start = (redirect: string) =>
      t.publicApp.inject(
        `/oauth2/auth?${new URLSearchParams({ client_id, response_type: 'code', redirect_uri: redirect, scope: 'openid', state: 'abcdefgh' })}`,
      );
    await t.gh.clients.updateForDeveloper(
      systemActor(),
      dev.id,
      client_id,
      app({ redirect_uris: [loopback], application_type: 'native' }),
    );
    expect((await t.gh.clients.get(client_id)).application_type).toBe('web');
    expect((await start('http://127.0.0.1:40000/callback')).statusCode).toBe(400);
    await t.gh.clients.decideChanges(systemActor(), client_id, 'approve');
    expect((await start('http://127.0.0.1:40000/callback')).statusCode).toBe(303);
  });

  it('an edit without a field keeps what was already asked for it (the portal form has no grant types)', async () => {
    const { dev, client_id } = await approvedApp();
    await t.gh.clients.updateForDeveloper(
      systemActor(),
      dev.id,
      client_id,
      app({ grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] }),
    );
    const { grant_types: _, ...withoutGrants } = app({ client_name: 'Renamed' });
    const edited = await t.gh.clients.updateForDeveloper(systemActor(), dev.id, client_id, withoutGrants);
    expect(edited.client_name).toBe('Renamed');
    expect(edited.grant_types).toEqual(['authorization_code', 'refresh_token']);
    expect(edited.pending_changes?.grant_types).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
  });

  it('an edit that changes nothing reviewed holds nothing', async () => {
    const { dev, client_id } = await approvedApp();
    const updated = await t.gh.clients.updateForDeveloper(
      systemActor(),
      dev.id,
      client_id,
      app({ description: 'Now with rain.' }),
    );
    expect(updated.pending_changes).toBeUndefined();
    expect(updated.description).toBe('Now with rain.');
  });

  it('a rejected application goes back to review when its developer edits it', async () => {
    const dev = await developer();
    const { client_id } = await t.gh.clients.registerForDeveloper(systemActor(), dev.id, app());
    await t.gh.clients.setStatus(systemActor(), client_id, 'rejected', 'No privacy policy.');
    const edited = await t.gh.clients.updateForDeveloper(
      systemActor(),
      dev.id,
      client_id,
      app({ policy_uri: 'https://weather.example/privacy' }),
    );
    expect(edited.status).toBe('pending');
    expect(edited.status_reason).toBeUndefined();
  });

  it('an unknown client is 404 and a bad decision 400 on the admin API', async () => {
    expect((await admin(t, 'PUT', '/admin/clients/nope/pending-changes', { decision: 'approve' })).statusCode).toBe(404);
    const { client_id } = await approvedApp();
    const bad = await admin(t, 'PUT', `/admin/clients/${client_id}/pending-changes`, { decision: 'maybe' });
    expect(bad.statusCode).toBe(400);
  });
});

describe('the developer is told by email', () => {
  it('when the application is approved, rejected with the reason, or suspended', async () => {
    const dev = await developer();
    const { client_id } = await t.gh.clients.registerForDeveloper(
      systemActor(),
      dev.id,
      app({ contacts: ['team@weather.example'] }),
    );
    await admin(t, 'PUT', `/admin/clients/${client_id}/status`, { status: 'rejected', reason: 'Add a privacy policy.' });
    const toDeveloper = await outboxTo(dev.email as string);
    expect(toDeveloper[0]?.subject).toBe('Your application "Weather Station" was not approved');
    expect(toDeveloper[0]?.text).toContain('Reason given: Add a privacy policy.');
    expect(toDeveloper[0]?.text).toContain(`Client ID: ${client_id}`);
    expect((await outboxTo('team@weather.example'))[0]?.subject).toBe(toDeveloper[0]?.subject);

    await admin(t, 'PUT', `/admin/clients/${client_id}/status`, { status: 'approved' });
    expect((await outboxTo(dev.email as string))[0]?.subject).toBe('Your application "Weather Station" is approved');
    await admin(t, 'PUT', `/admin/clients/${client_id}/status`, { status: 'suspended', reason: 'Abuse reports.' });
    expect((await outboxTo(dev.email as string))[0]?.subject).toBe('Your application "Weather Station" is suspended');
    await admin(t, 'PUT', `/admin/clients/${client_id}/status`, { status: 'approved' });
    expect((await outboxTo(dev.email as string))[0]?.subject).toBe('Your application "Weather Station" is active again');
  });
});

describe('the audit log', () => {
  it('records administrative actions with who, when, what and from where', async () => {
    const before = new Date(t.gh.now() - 1000).toISOString();
    const created = await admin(t, 'POST', '/admin/clients', {
      client_name: 'Audited',
      redirect_uris: ['https://audited.example/cb'],
    });
    const id = created.json().client_id;
    await admin(t, 'PUT', `/admin/clients/${id}/status`, { status: 'suspended', reason: 'Testing the log.' });
    await admin(t, 'POST', `/admin/clients/${id}/secret`);
    const response = await admin(t, 'GET', `/admin/audit?target_id=${id}&since=${encodeURIComponent(before)}`);
    expect(response.statusCode).toBe(200);
    const entries = response.json();
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      'client.secret_rotated',
      'client.status_changed',
      'client.created',
    ]);
    expect(entries[1]).toMatchObject({
      actor: { type: 'operator', id: 'admin-api' },
      target: { type: 'client', id },
      ip: '127.0.0.1',
      details: { from: 'approved', to: 'suspended', reason: 'Testing the log.' },
    });
    expect(Date.parse(entries[1].at)).toBeGreaterThan(Date.parse(before));
    // The log holds no secret.
    expect(JSON.stringify(entries)).not.toContain('gh_cs_');
  });

  it('names the client when a refresh token is reused, and records the key rotation', async () => {
    const created = await admin(t, 'POST', '/admin/clients', {
      client_name: 'Reuser',
      redirect_uris: ['https://reuser.example/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid offline_access',
    });
    const client = created.json();
    const flow = await runFlow(t, { client, scope: 'openid offline_access' });
    const basic: [string, string] = [client.client_id, client.client_secret];
    const tokens = (
      await token(
        t,
        { grant_type: 'authorization_code', code: flow.query.get('code') as string, redirect_uri: client.redirect_uris[0] },
        { basic },
      )
    ).json();
    await token(t, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, { basic });
    await token(t, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, { basic });
    const reuse = (await admin(t, 'GET', `/admin/audit?action=refresh_token.reused&target_id=${client.client_id}`)).json();
    expect(reuse).toHaveLength(1);
    expect(reuse[0].actor).toEqual({ type: 'client', id: client.client_id });

    await admin(t, 'POST', '/admin/keys/gatehouse.openid.id-token', { alg: 'RS256' });
    const keys = (await admin(t, 'GET', '/admin/audit?action=key.&page_size=1')).json();
    expect(keys[0].action).toBe('key.rotated');
  });

  it('names the system when no request is behind an action', async () => {
    const dev = await developer();
    const { client_id } = await t.gh.clients.registerForDeveloper(systemActor(), dev.id, app());
    const entries = (await admin(t, 'GET', `/admin/audit?target_id=${client_id}`)).json();
    expect(entries[0].actor).toEqual({ type: 'system' });
  });

  it('pages newest first with a Link header, and filters by action prefix', async () => {
    for (let i = 0; i < 3; i++)
      await admin(t, 'POST', '/admin/clients', { client_name: `Paged ${i}`, redirect_uris: ['https://p.example/cb'] });
    const first = await admin(t, 'GET', '/admin/audit?action=client.&page_size=2');
    expect(first.json()).toHaveLength(2);
    const link = /<([^>]+)>; rel="next"/.exec(first.headers.link as string)?.[1] as string;
    expect(link).toContain('page_token=');
    const second = await admin(t, 'GET', link);
    expect(Number(second.json()[0].id)).toBeLessThan(Number(first.json()[1].id));
    expect(second.json().every((e: { action: string }) => e.action.startsWith('client.'))).toBe(true);
  });

  it('refuses a malformed query with a clear 400', async () => {
    for (const query of ['page_token=abc', 'page_size=0', 'since=yesterday', 'page_size=100000']) {
      const response = await admin(t, 'GET', `/admin/audit?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error).toBeTruthy();
    }
  });

  it('drops entries past AUDIT_RETENTION in the background clean-up', async () => {
    await admin(t, 'POST', '/admin/clients', { client_name: 'Old news', redirect_uris: ['https://old.example/cb'] });
    const count = async () =>
      Number(
        (
          await t.gh.db
            .selectFrom('audit_log')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count()).toBeGreaterThan(0);
    await t.gh.deleteExpired(new Date(t.gh.now() + (t.gh.config.auditRetention + 60) * 1000));
    expect(await count()).toBe(0);
  });
});
