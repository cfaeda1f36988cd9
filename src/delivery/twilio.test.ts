import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from './delivery.js';
import { closedPort, recordingLogger, startTwilio } from './test-support.js';
import { TwilioSender } from './twilio.js';

describe('TwilioSender, against a stand-in that answers as Twilio does', () => {
  let twilio: Awaited<ReturnType<typeof startTwilio>>;
  beforeAll(async () => {
    twilio = await startTwilio();
  });
  afterAll(() => twilio?.close());

  const sender = (overrides: Partial<ConstructorParameters<typeof TwilioSender>[0]> = {}) => {
    const logger = recordingLogger();
    return {
      logger,
      sender: new TwilioSender({
        accountSid: twilio.accountSid,
        authToken: twilio.authToken,
        from: '+15005550006',
        apiUrl: twilio.url,
        logger,
        ...overrides,
      }),
    };
  };
  const last = () => twilio.requests.at(-1);

  it('posts an SMS to the Messages resource with Basic auth and the form fields To, From, Body', async () => {
    const { sender: sms, logger } = sender();
    await sms.send({ channel: 'sms', to: '+447700900123', text: 'Your Gatehouse code is 123456. It expires in 10 minutes.' });

    const request = last();
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`);
    expect(request?.authorization).toBe(`Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`);
    expect(request?.contentType).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(request?.form ?? [])).toEqual({
      To: '+447700900123',
      From: '+15005550006',
      Body: 'Your Gatehouse code is 123456. It expires in 10 minutes.',
    });
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'info',
        fields: expect.objectContaining({ sid: expect.stringMatching(/^SM/), status: 'queued' }),
      }),
    ]);
    expect(JSON.stringify(logger.lines)).not.toContain('123456');
  });

  it('sends through a messaging service when TWILIO_FROM is an MG… SID', async () => {
    const { sender: sms } = sender({ from: 'MG0123456789abcdef0123456789abcdef' });
    await sms.send({ channel: 'sms', to: '+15550100123', text: 'hello' });
    expect(Object.fromEntries(last()?.form ?? [])).toEqual({
      To: '+15550100123',
      MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
      Body: 'hello',
    });
  });

  it('sends WhatsApp with whatsapp:-prefixed numbers', async () => {
    const { sender: wa } = sender({ whatsappFrom: '+14155238886' });
    await wa.send({ channel: 'whatsapp', to: '+447700900123', text: 'hello' });
    expect(Object.fromEntries(last()?.form ?? [])).toEqual({
      To: 'whatsapp:+447700900123',
      From: 'whatsapp:+14155238886',
      Body: 'hello',
    });

    // A sender configured with the prefix already is not prefixed twice.
    const { sender: prefixed } = sender({ whatsappFrom: 'whatsapp:+14155238886' });
    await prefixed.send({ channel: 'whatsapp', to: '+447700900123', text: 'hello' });
    expect(last()?.form.get('From')).toBe('whatsapp:+14155238886');
  });

  it("turns Twilio's 400 into a DeliveryError a person can act on, and logs Twilio's code", async () => {
    const { sender: sms, logger } = sender();
    const sending = sms.send({ channel: 'sms', to: '+1555', text: 'Your code is 123456' });
    await expect(sending).rejects.toBeInstanceOf(DeliveryError);
    await expect(sending).rejects.toThrow('This phone number cannot receive the message. Check the number and try again.');
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message: 'twilio: message refused',
        fields: { channel: 'sms', status: 400, twilio_code: 21211, more_info: 'https://www.twilio.com/docs/errors/21211' },
      },
    ]);
  });

  it('hides other refusals (here: wrong credentials) behind a generic message', async () => {
    const { sender: sms, logger } = sender({ authToken: 'not-the-token' });
    const sending = sms.send({ channel: 'sms', to: '+15550100123', text: 'x' });
    await expect(sending).rejects.toThrow('The message could not be sent. Try again in a moment.');
    expect(logger.lines[0]?.fields).toMatchObject({ status: 401, twilio_code: 20003 });
  });

  it('turns an unreachable Twilio into a DeliveryError', async () => {
    const { sender: sms, logger } = sender({ apiUrl: `http://127.0.0.1:${await closedPort()}` });
    await expect(sms.send({ channel: 'sms', to: '+15550100123', text: 'x' })).rejects.toBeInstanceOf(DeliveryError);
    expect(logger.lines[0]).toMatchObject({ level: 'warn', message: 'twilio: request failed' });
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const { sender: sms } = sender({
      fetch: async (input, init) => {
        calls.push(String(input));
        return fetch(input, init);
      },
    });
    await sms.send({ channel: 'sms', to: '+15550100123', text: 'x' });
    expect(calls).toEqual([`${twilio.url}/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`]);
  });

  it('refuses WhatsApp without a WhatsApp sender, and email, without calling Twilio', async () => {
    const before = twilio.requests.length;
    const { sender: sms } = sender();
    await expect(sms.send({ channel: 'whatsapp', to: '+15550100123', text: 'x' })).rejects.toThrow(
      'WhatsApp delivery is not configured.',
    );
    await expect(sms.send({ channel: 'email', to: 'a@example.com', text: 'x' })).rejects.toBeInstanceOf(DeliveryError);
    expect(twilio.requests.length).toBe(before);
  });
});
