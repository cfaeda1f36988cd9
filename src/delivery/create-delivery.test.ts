import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/support/database.js';
import { loadConfig } from '../config/config.js';
import { type Database, migrateToLatest } from '../db/database.js';
import { createDelivery, outboxInUse } from './create-delivery.js';
import { DeliveryError } from './delivery.js';
import { OutboxStore } from './outbox.js';
import { recordingLogger, startSmtpServer, startTwilio } from './test-support.js';

let database: Database;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let twilio: Awaited<ReturnType<typeof startTwilio>>;
beforeAll(async () => {
  database = await openTestDatabase();
  await migrateToLatest(database.db);
  smtp = await startSmtpServer();
  twilio = await startTwilio();
});
afterAll(async () => {
  await smtp?.close();
  await twilio?.close();
  await database?.close();
});

const now = () => Date.UTC(2030, 5, 1);
const deps = () => ({ db: database.db, logger: recordingLogger(), now });
const twilioEnv = (extra: Record<string, string> = {}) => ({
  SMS_PROVIDER: 'twilio',
  TWILIO_ACCOUNT_SID: twilio.accountSid,
  TWILIO_AUTH_TOKEN: twilio.authToken,
  TWILIO_FROM: '+15005550006',
  TWILIO_API_URL: twilio.url,
  ...extra,
});

describe('createDelivery', () => {
  it('with nothing configured: email and SMS go to the outbox; WhatsApp is not offered', async () => {
    const d = deps();
    const delivery = createDelivery(loadConfig({}), d);
    expect(delivery.channels()).toEqual(['email', 'sms']);
    expect(delivery.usesOutbox('email')).toBe(true);
    expect(delivery.usesOutbox('sms')).toBe(true);
    expect(delivery.usesOutbox('whatsapp')).toBe(false);
    expect(outboxInUse(delivery)).toBe(true);

    await delivery.send({ channel: 'email', to: 'outbox-email@example.com', subject: 'Your code', text: 'Code 111111' });
    await delivery.send({ channel: 'sms', to: '+15550100111', text: 'Code 222222' });
    await expect(delivery.send({ channel: 'whatsapp', to: '+15550100111', text: 'x' })).rejects.toBeInstanceOf(DeliveryError);

    const store = new OutboxStore(database.db, now);
    expect(await store.list({ to: 'outbox-email@example.com' })).toEqual([
      expect.objectContaining({ channel: 'email', subject: 'Your code', text: 'Code 111111' }),
    ]);
    expect(await store.list({ to: '+15550100111' })).toEqual([expect.objectContaining({ channel: 'sms', text: 'Code 222222' })]);
    expect(d.logger.lines.filter((l) => l.message.startsWith('dev outbox'))).toHaveLength(2);
    expect(smtp.received).toHaveLength(0);
  });

  it('with SMTP_URL: email goes to the SMTP server, SMS still to the outbox', async () => {
    const delivery = createDelivery(loadConfig({ SMTP_URL: smtp.url, SMTP_FROM: 'Gatehouse <auth@gatehouse.test>' }), deps());
    expect(delivery.channels()).toEqual(['email', 'sms']);
    expect(delivery.usesOutbox('email')).toBe(false);
    expect(delivery.usesOutbox('sms')).toBe(true);
    expect(outboxInUse(delivery)).toBe(true);

    await delivery.send({ channel: 'email', to: 'smtp@example.com', subject: 'Your code', text: 'Code 333333' });
    expect(smtp.received.at(-1)).toMatchObject({ envelopeFrom: 'auth@gatehouse.test', envelopeTo: ['smtp@example.com'] });
    expect(await new OutboxStore(database.db, now).list({ to: 'smtp@example.com' })).toEqual([]);
  });

  it('with SMS_PROVIDER=twilio: SMS goes to Twilio; WhatsApp only with TWILIO_WHATSAPP_FROM', async () => {
    const smsOnly = createDelivery(loadConfig(twilioEnv()), deps());
    expect(smsOnly.channels()).toEqual(['email', 'sms']);
    expect(smsOnly.usesOutbox('sms')).toBe(false);
    await smsOnly.send({ channel: 'sms', to: '+15550100444', text: 'Code 444444' });
    expect(twilio.requests.at(-1)?.form.get('To')).toBe('+15550100444');
    await expect(smsOnly.send({ channel: 'whatsapp', to: '+15550100444', text: 'x' })).rejects.toBeInstanceOf(DeliveryError);

    const withWhatsapp = createDelivery(loadConfig(twilioEnv({ TWILIO_WHATSAPP_FROM: '+14155238886' })), deps());
    expect(withWhatsapp.channels()).toEqual(['email', 'sms', 'whatsapp']);
    expect(withWhatsapp.usesOutbox('whatsapp')).toBe(false);
    await withWhatsapp.send({ channel: 'whatsapp', to: '+15550100555', text: 'Code 555555' });
    expect(Object.fromEntries(twilio.requests.at(-1)?.form ?? [])).toEqual({
      To: 'whatsapp:+15550100555',
      From: 'whatsapp:+14155238886',
      Body: 'Code 555555',
    });
  });

  it('with a provider for every channel, the outbox is not in use', () => {
    const delivery = createDelivery(loadConfig({ SMTP_URL: smtp.url, ...twilioEnv() }), deps());
    expect(delivery.channels().map((c) => delivery.usesOutbox(c))).toEqual([false, false]);
    expect(outboxInUse(delivery)).toBe(false);
  });

  it('passes an injected fetch to Twilio', async () => {
    const calls: string[] = [];
    const delivery = createDelivery(loadConfig(twilioEnv()), {
      ...deps(),
      fetch: async (input, init) => {
        calls.push(String(input));
        return fetch(input, init);
      },
    });
    await delivery.send({ channel: 'sms', to: '+15550100666', text: 'x' });
    expect(calls).toHaveLength(1);
  });
});
