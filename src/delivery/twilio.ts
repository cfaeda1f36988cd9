/**
 * SMS and WhatsApp through Twilio's Programmable Messaging API:
 * POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json, HTTP Basic AccountSid:AuthToken,
 * form-encoded To, From (or MessagingServiceSid) and Body. WhatsApp is the same call with
 * `whatsapp:`-prefixed numbers.
 */
import { DeliveryError, type DeliveryLogger, type OutgoingMessage, type Sender } from './delivery.js';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** A phone number (E.164) or a messaging service SID (`MG…`). */
  from: string;
  /** The WhatsApp sender number (E.164); unset: WhatsApp is refused. */
  whatsappFrom?: string | undefined;
  /** e.g. https://api.twilio.com */
  apiUrl: string;
  logger: DeliveryLogger;
  fetch?: typeof fetch;
  /** Milliseconds before a request to Twilio is abandoned (default 10 s). */
  timeoutMs?: number;
}

/** Twilio's error body: https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions */
interface TwilioErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
  status?: number;
}

// Twilio error codes that mean "this number cannot receive the message": the person can fix
// them by typing another number. Everything else is our problem and gets a generic message.
const RECIPIENT_ERRORS = new Set([
  21211, // invalid 'To' phone number
  21408, // permission to send an SMS has not been enabled for the region
  21610, // the recipient has replied STOP
  21612, // the 'To' number is not reachable from the 'From' number
  21614, // 'To' number is not a valid mobile number
  63003, // WhatsApp: invalid destination number
]);

const whatsapp = (number: string) => (number.startsWith('whatsapp:') ? number : `whatsapp:${number}`);

export class TwilioSender implements Sender {
  private readonly endpoint: string;
  private readonly authorization: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: TwilioOptions) {
    this.endpoint = `${options.apiUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
    this.authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The form fields of one message. */
  private form(message: OutgoingMessage): URLSearchParams {
    const form = new URLSearchParams();
    if (message.channel === 'whatsapp') {
      if (!this.options.whatsappFrom) throw new DeliveryError('WhatsApp delivery is not configured.');
      form.set('To', whatsapp(message.to));
      form.set('From', whatsapp(this.options.whatsappFrom));
    } else if (message.channel === 'sms') {
      form.set('To', message.to);
      // A messaging service picks the sender number itself (and handles opt-outs).
      if (this.options.from.startsWith('MG')) form.set('MessagingServiceSid', this.options.from);
      else form.set('From', this.options.from);
    } else {
      throw new DeliveryError('Twilio does not deliver email.');
    }
    form.set('Body', message.text);
    return form;
  }

  async send(message: OutgoingMessage): Promise<void> {
    const body = this.form(message);
    let response: Response;
    try {
      response = await this.fetch(this.endpoint, {
        method: 'POST',
        headers: {
          Authorization: this.authorization,
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: body.toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      this.options.logger.warn(
        { channel: message.channel, err: err instanceof Error ? err.message : String(err) },
        'twilio: request failed',
      );
      throw new DeliveryError('The message could not be sent. Try again in a moment.', { cause: err });
    }

    if (response.ok) {
      const sent = (await response.json().catch(() => ({}))) as { sid?: string; status?: string };
      // Never the body: it holds the code.
      this.options.logger.info({ channel: message.channel, sid: sent.sid, status: sent.status }, 'twilio: message accepted');
      return;
    }

    const error = (await response.json().catch(() => ({}))) as TwilioErrorBody;
    // Twilio's code says what went wrong (see more_info); its message may quote the phone
    // number, so it stays out of the log.
    this.options.logger.warn(
      { channel: message.channel, status: response.status, twilio_code: error.code, more_info: error.more_info },
      'twilio: message refused',
    );
    const safe =
      error.code !== undefined && RECIPIENT_ERRORS.has(error.code)
        ? 'This phone number cannot receive the message. Check the number and try again.'
        : 'The message could not be sent. Try again in a moment.';
    throw new DeliveryError(safe, { cause: error });
  }
}
