/**
 * Contract: sending one-time codes and notices by email, SMS or WhatsApp. Providers are
 * chosen by configuration (SMTP_URL, SMS_PROVIDER=twilio); with none configured a message
 * goes to the dev outbox (the `outbox` table, GET /admin/outbox) and to the log.
 */
import type { CodeChannel } from '../db/schema.js';
import { GatehouseError } from '../errors.js';

export interface OutgoingMessage {
  channel: CodeChannel;
  /** Lower-case email address, or an E.164 phone number. */
  to: string;
  /** Email only. */
  subject?: string;
  text: string;
}

export interface Delivery {
  send(message: OutgoingMessage): Promise<void>;
  /** Channels a person may choose: email and sms always (outbox or provider); whatsapp only when configured. */
  channels(): CodeChannel[];
  /** True for a channel that writes to the dev outbox instead of a real provider. */
  usesOutbox(channel: CodeChannel): boolean;
}

/** A provider that answered with a failure; the message is safe to show ("could not send the code"). */
export class DeliveryError extends GatehouseError {
  override name = 'DeliveryError';

  constructor(description: string, options: { cause?: unknown } = {}) {
    super('delivery_failed', description, { status: 502, ...options });
  }
}

/** One provider for one or more channels; createDelivery routes each channel to one. */
export interface Sender {
  send(message: OutgoingMessage): Promise<void>;
}

/** The part of a pino logger delivery needs: structured fields first, then the message. */
export interface DeliveryLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}
