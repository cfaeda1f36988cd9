/**
 * Chooses a provider per channel from the configuration: email through SMTP when SMTP_URL
 * is set, SMS and WhatsApp through Twilio when SMS_PROVIDER=twilio; any other channel goes
 * to the dev outbox. WhatsApp has no outbox: it is offered only with a real WhatsApp sender,
 * so a development set-up shows the two channels a person can actually test.
 */
import type { Config } from '../config/config.js';
import type { Db } from '../db/database.js';
import type { CodeChannel } from '../db/schema.js';
import { type Delivery, DeliveryError, type DeliveryLogger, type OutgoingMessage, type Sender } from './delivery.js';
import { OutboxSender, OutboxStore } from './outbox.js';
import { SmtpMailer } from './smtp.js';
import { TwilioSender } from './twilio.js';

export type DeliveryConfig = Pick<
  Config,
  | 'smtpUrl'
  | 'smtpFrom'
  | 'smsProvider'
  | 'twilioAccountSid'
  | 'twilioAuthToken'
  | 'twilioFrom'
  | 'twilioWhatsappFrom'
  | 'twilioApiUrl'
>;

export interface DeliveryDeps {
  db: Db;
  logger: DeliveryLogger;
  now: () => number;
  /** Twilio's HTTP client; defaults to the global fetch. */
  fetch?: typeof fetch;
}

const ORDER: CodeChannel[] = ['email', 'sms', 'whatsapp'];

export function createDelivery(config: DeliveryConfig, deps: DeliveryDeps): Delivery {
  const outbox = new OutboxSender(new OutboxStore(deps.db, deps.now), deps.logger, deps.now);
  const senders = new Map<CodeChannel, Sender>();

  senders.set(
    'email',
    config.smtpUrl ? new SmtpMailer({ url: config.smtpUrl, from: config.smtpFrom, logger: deps.logger }) : outbox,
  );

  if (config.smsProvider === 'twilio') {
    // loadConfig has checked that these three are set when SMS_PROVIDER=twilio.
    const twilio = new TwilioSender({
      accountSid: config.twilioAccountSid ?? '',
      authToken: config.twilioAuthToken ?? '',
      from: config.twilioFrom ?? '',
      whatsappFrom: config.twilioWhatsappFrom,
      apiUrl: config.twilioApiUrl,
      logger: deps.logger,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
    senders.set('sms', twilio);
    if (config.twilioWhatsappFrom) senders.set('whatsapp', twilio);
  } else {
    senders.set('sms', outbox);
  }

  return {
    channels: () => ORDER.filter((channel) => senders.has(channel)),
    usesOutbox: (channel) => senders.get(channel) === outbox,
    async send(message: OutgoingMessage) {
      const sender = senders.get(message.channel);
      if (!sender) throw new DeliveryError(`Sending by ${message.channel} is not available.`);
      await sender.send(message);
    },
  };
}

/** True when at least one channel writes to the dev outbox (GET /admin/outbox is then served). */
export const outboxInUse = (delivery: Delivery): boolean => delivery.channels().some((c) => delivery.usesOutbox(c));
