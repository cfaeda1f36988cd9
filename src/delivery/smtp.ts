/** Email through an SMTP server (nodemailer), configured by one URL: SMTP_URL. */
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { DeliveryError, type DeliveryLogger, type OutgoingMessage, type Sender } from './delivery.js';

export interface SmtpOptions {
  /** smtp://user:pass@host:587 or smtps://user:pass@host:465 (nodemailer's URL form). */
  url: string;
  /** The From header, e.g. `Gatehouse <no-reply@example.com>`. */
  from: string;
  logger: DeliveryLogger;
}

export class SmtpMailer implements Sender {
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(private readonly options: SmtpOptions) {
    this.transport = nodemailer.createTransport({
      url: options.url,
      // nodemailer waits minutes by default; a person is waiting for this code, so a dead
      // server must fail the request quickly instead.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    } as SMTPTransport.Options);
  }

  async send(message: OutgoingMessage): Promise<void> {
    if (message.channel !== 'email') throw new DeliveryError('SMTP delivers email only.');
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to: message.to,
        subject: message.subject ?? '',
        text: message.text,
      });
      this.options.logger.info({ channel: 'email', messageId: info.messageId }, 'smtp: message accepted');
    } catch (err) {
      // nodemailer's errors carry the SMTP reply code (e.g. 550) and a code such as
      // ECONNECTION or EENVELOPE; the server's text may quote the address, so it stays out.
      const e = err as { code?: string; responseCode?: number; command?: string };
      this.options.logger.warn(
        { channel: 'email', code: e.code, smtp_status: e.responseCode, command: e.command },
        'smtp: message refused',
      );
      throw new DeliveryError('The email could not be sent. Check the address and try again.', { cause: err });
    }
  }

  /** Closes pooled connections, if any (a plain SMTP transport opens one per message). */
  close(): void {
    this.transport.close();
  }
}
