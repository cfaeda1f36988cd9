import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLogs } from '../../test/support/captured-logs.js';
import { openTestDatabase } from '../../test/support/database.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { OutboxSender, OutboxStore } from './outbox.js';
import { recordingLogger } from './test-support.js';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
});
afterAll(() => database?.close());

const DAY = 86_400_000;

describe('OutboxStore', () => {
  it('lists newest first, filters by recipient and limits', async () => {
    let clock = Date.UTC(2030, 0, 1);
    const store = new OutboxStore(database.db, () => clock);
    await store.insert({ channel: 'email', to: 'list@example.com', subject: 'First', text: 'one' });
    clock += 1000;
    await store.insert({ channel: 'sms', to: '+15550100001', subject: 'ignored for sms', text: 'two' });
    // Same millisecond as the next one: insertion order still decides.
    clock += 1000;
    await store.insert({ channel: 'email', to: 'list@example.com', subject: 'Third', text: 'three' });
    await store.insert({ channel: 'email', to: 'list@example.com', subject: 'Fourth', text: 'four' });

    const forAda = await store.list({ to: 'list@example.com' });
    expect(forAda.map((m) => m.text)).toEqual(['four', 'three', 'one']);
    expect(forAda[0]).toEqual({
      id: expect.any(String),
      channel: 'email',
      to: 'list@example.com',
      subject: 'Fourth',
      text: 'four',
      created_at: new Date(Date.UTC(2030, 0, 1) + 2000),
    });

    const sms = await store.list({ to: '+15550100001' });
    expect(sms).toEqual([expect.objectContaining({ channel: 'sms', subject: null, text: 'two' })]);

    expect((await store.list({ to: 'list@example.com', limit: 2 })).map((m) => m.text)).toEqual(['four', 'three']);
    expect(await store.list({ to: 'nobody@example.com' })).toEqual([]);
  });

  it('deletes messages older than a number of days', async () => {
    let clock = Date.UTC(2031, 0, 1);
    const store = new OutboxStore(database.db, () => clock);
    await store.insert({ channel: 'email', to: 'old@example.com', subject: 'Old', text: 'old' });
    clock += 5 * DAY;
    await store.insert({ channel: 'email', to: 'old@example.com', subject: 'New', text: 'new' });
    clock += 3 * DAY;

    expect(await store.deleteOlderThan(7)).toBeGreaterThanOrEqual(1);
    expect((await store.list({ to: 'old@example.com' })).map((m) => m.text)).toEqual(['new']);
    expect(await store.deleteOlderThan(7)).toBe(0);
  });
});

describe('OutboxSender', () => {
  it('stores the message and logs it at info level with a "dev outbox" marker (pino)', async () => {
    const { logger, lines } = capturedLogs();
    const now = () => Date.UTC(2032, 0, 1);
    const store = new OutboxStore(database.db, now);
    const sender = new OutboxSender(store, logger, now);

    await sender.send({ channel: 'sms', to: '+15550100002', text: 'Your Gatehouse code is 123456. It expires in 10 minutes.' });

    expect(await store.list({ to: '+15550100002' })).toEqual([
      expect.objectContaining({ channel: 'sms', text: 'Your Gatehouse code is 123456. It expires in 10 minutes.' }),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      channel: 'sms',
      to: '+15550100002',
      text: 'Your Gatehouse code is 123456. It expires in 10 minutes.',
      msg: expect.stringMatching(/^dev outbox: /),
    });
  });

  it('removes messages past the retention now and then, not on every send', async () => {
    let clock = Date.UTC(2033, 0, 1);
    const now = () => clock;
    const store = new OutboxStore(database.db, now);
    const sender = new OutboxSender(store, recordingLogger(), now, { retentionDays: 1 / 48 }); // 30 minutes
    const texts = async () => (await store.list({ to: 'retention@example.com' })).map((m) => m.text);

    await sender.send({ channel: 'email', to: 'retention@example.com', subject: 'a', text: 'a' });
    clock += 40 * 60_000;
    // Past the retention, but within the hour after the last purge: it stays for now.
    await sender.send({ channel: 'email', to: 'retention@example.com', subject: 'b', text: 'b' });
    expect(await texts()).toEqual(['b', 'a']);
    clock += 21 * 60_000;
    await sender.send({ channel: 'email', to: 'retention@example.com', subject: 'c', text: 'c' });
    expect(await texts()).toEqual(['c', 'b']);
  });
});
