/** GET /admin/outbox, on a Fastify app with the real error handler. */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/support/database.js';
import { type Database, migrateToLatest } from '../../db/database.js';
import { OutboxStore } from '../../delivery/outbox.js';
import { installErrorHandler } from '../errors.js';
import { outboxRoutes } from './outbox.js';

let database: Database;
let store: OutboxStore;
const apps: FastifyInstance[] = [];

async function adminApp(enabled: boolean): Promise<FastifyInstance> {
  const app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } } });
  installErrorHandler(app, { admin: true, issuer: 'http://localhost:4444' });
  await outboxRoutes(app, { outbox: store, enabled });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  let clock = Date.UTC(2030, 0, 1);
  store = new OutboxStore(database.db, () => clock++);
  for (let i = 1; i <= 3; i++) {
    await store.insert({ channel: 'email', to: 'route@example.com', subject: `Code ${i}`, text: `Your code is 00000${i}` });
  }
  await store.insert({ channel: 'sms', to: '+15550100777', text: 'Your Gatehouse code is 777777. It expires in 10 minutes.' });
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await database?.close();
});

describe('GET /admin/outbox', () => {
  it('lists messages newest first, as { messages: [{ id, channel, to, subject, text, created_at }] }', async () => {
    const app = await adminApp(true);
    const response = await app.inject('/admin/outbox');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const { messages } = response.json();
    expect(messages.map((m: { text: string }) => m.text)).toEqual([
      'Your Gatehouse code is 777777. It expires in 10 minutes.',
      'Your code is 000003',
      'Your code is 000002',
      'Your code is 000001',
    ]);
    expect(messages[0]).toEqual({
      id: expect.any(String),
      channel: 'sms',
      to: '+15550100777',
      subject: null,
      text: 'Your Gatehouse code is 777777. It expires in 10 minutes.',
      created_at: new Date(Date.UTC(2030, 0, 1) + 3).toISOString(),
    });
  });

  it('filters by recipient and limits', async () => {
    const app = await adminApp(true);
    const response = await app.inject(`/admin/outbox?to=${encodeURIComponent('route@example.com')}&limit=2`);
    expect(response.statusCode).toBe(200);
    expect(response.json().messages.map((m: { subject: string }) => m.subject)).toEqual(['Code 3', 'Code 2']);
  });

  it('refuses a bad limit with the error JSON', async () => {
    const app = await adminApp(true);
    const response = await app.inject('/admin/outbox?limit=0');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request', status_code: 400 });
  });

  it('answers 404 with the error JSON when every channel has a real provider', async () => {
    const app = await adminApp(false);
    const response = await app.inject('/admin/outbox');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: 'not_found',
      error_description: 'The dev outbox is not in use: every channel has a real delivery provider.',
      status_code: 404,
    });
  });
});
