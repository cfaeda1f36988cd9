import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from './delivery.js';
import { SmtpMailer } from './smtp.js';
import { codeMessage } from './templates.js';
import { closedPort, recordingLogger, startSmtpServer } from './test-support.js';

describe('SmtpMailer, against a real SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let refusing: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    refusing = await startSmtpServer({ rejectRecipients: true });
  });
  afterAll(async () => {
    await smtp?.close();
    await refusing?.close();
  });

  it('delivers the message with its sender, recipient, subject and text', async () => {
    const logger = recordingLogger();
    const mailer = new SmtpMailer({ url: smtp.url, from: 'Gatehouse <no-reply@gatehouse.test>', logger });
    const message = codeMessage('en', { code: '482910', minutes: 10, purpose: 'login', channel: 'email' });
    await mailer.send({ channel: 'email', to: 'ada@example.com', subject: message.subject, text: message.text });

    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail?.envelopeFrom).toBe('no-reply@gatehouse.test');
    expect(mail?.envelopeTo).toEqual(['ada@example.com']);
    expect(mail?.headers.get('from')).toBe('Gatehouse <no-reply@gatehouse.test>');
    expect(mail?.headers.get('to')).toBe('ada@example.com');
    expect(mail?.headers.get('subject')).toBe('Your Gatehouse sign-in code');
    expect(mail?.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(mail?.body).toBe(message.text);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'smtp: message accepted',
        fields: expect.objectContaining({ channel: 'email' }),
      }),
    ]);
    // The code never reaches the log of a real provider.
    expect(JSON.stringify(logger.lines)).not.toContain('482910');
  });

  it('turns a refused recipient into a DeliveryError with a safe message, and logs the SMTP status', async () => {
    const logger = recordingLogger();
    const mailer = new SmtpMailer({ url: refusing.url, from: 'no-reply@gatehouse.test', logger });
    const sending = mailer.send({ channel: 'email', to: 'nobody@example.com', subject: 'Hi', text: 'Code 123456' });
    await expect(sending).rejects.toBeInstanceOf(DeliveryError);
    await expect(sending).rejects.toThrow('The email could not be sent. Check the address and try again.');
    expect(refusing.received).toHaveLength(0);
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'smtp: message refused',
        fields: expect.objectContaining({ smtp_status: 550 }),
      }),
    ]);
    expect(JSON.stringify(logger.lines)).not.toContain('nobody@example.com');
  });

  it('turns an SMTP server that is down into a DeliveryError', async () => {
    const logger = recordingLogger();
    const mailer = new SmtpMailer({ url: `smtp://127.0.0.1:${await closedPort()}`, from: 'no-reply@gatehouse.test', logger });
    await expect(mailer.send({ channel: 'email', to: 'ada@example.com', subject: 'Hi', text: 'x' })).rejects.toBeInstanceOf(
      DeliveryError,
    );
    expect(logger.lines[0]).toMatchObject({ level: 'warn', fields: { code: 'ESOCKET' } });
  });

  it('refuses a message for another channel', async () => {
    const mailer = new SmtpMailer({ url: smtp.url, from: 'no-reply@gatehouse.test', logger: recordingLogger() });
    await expect(mailer.send({ channel: 'sms', to: '+15550100123', text: 'x' })).rejects.toBeInstanceOf(DeliveryError);
  });
});
