/**
 * What the log must never hold (issue 28): the bearer values that travel in URLs. A flow's
 * challenges and verifiers let whoever holds them finish someone's sign-in, an authorization
 * code is redeemable for ten minutes, an ID token hint names a person, and the Telegram
 * widget's signed data links that Telegram account to whoever presents it. Each is replaced by
 * REDACTED wherever a URL is logged: the request serializer of both listeners, error messages
 * and stacks, and any string field or message of a log line. Headers are never logged, so
 * `authorization` and `cookie` stay out.
 */
import type { FastifyServerOptions } from 'fastify';
import pino, { type Logger, type LoggerOptions } from 'pino';

export const REDACTED = '[redacted]';

/** Query parameters whose value is a secret (or the Telegram widget's signed data); the one list. */
export const SECRET_PARAMETERS: ReadonlySet<string> = new Set([
  // The Hydra-style flow: each one is a bearer handle on a sign-in in progress.
  'login_challenge',
  'login_verifier',
  'consent_challenge',
  'consent_verifier',
  'logout_challenge',
  'logout_verifier',
  // OAuth 2.0 / OIDC values that are credentials or bind a response to its request.
  'code',
  'state',
  'id_token_hint',
  'code_verifier',
  'client_secret',
  'client_assertion',
  'assertion',
  'access_token',
  'refresh_token',
  'token',
  'secret',
  '_csrf',
  // The Telegram Login Widget's data (core.telegram.org/widgets/login): the whole signed set.
  'hash',
  'auth_date',
  'id',
  'first_name',
  'last_name',
  'username',
  'photo_url',
]);

/** A name or value as a query parser reads it: percent- and plus-decoded (undefined when malformed). */
function decoded(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch (err) {
    if (err instanceof URIError) return undefined;
    throw err;
  }
}

// A `name=value` pair after `?`, `&` or `;`; the value runs to the next `&` or `#` (a `;` inside
// it is part of the value for Fastify's parser, so it is redacted with it) or to whitespace.
const PAIR = /([?&;])([^=&#\s?;]+)=([^&#\s]*)/g;
/** A URL nested in a parameter (`return_to=%2Fui%2Fconsent%3Fconsent_challenge%3D…`) is looked into this deep. */
const MAX_NESTING = 3;

/** The text with the value of every secret parameter replaced: a URL, or a message that quotes one. */
export function redactSecrets(text: string, depth = 0): string {
  if (!text.includes('=')) return text;
  return text.replace(PAIR, (pair, separator: string, name: string, value: string) => {
    // Case does not save a secret: `CODE` is over-redacted rather than `code` missed.
    const plainName = (decoded(name) ?? name).toLowerCase();
    if (SECRET_PARAMETERS.has(plainName)) return `${separator}${name}=${REDACTED}`;
    if (depth >= MAX_NESTING) return pair;
    // Decoded as often as it was encoded (a return_to inside a return_to), then looked into.
    let inner = value;
    for (let i = 0; i < MAX_NESTING && /%[0-9a-f]{2}|\+/i.test(inner); i++) inner = decoded(inner) ?? inner;
    if (!inner.includes('=')) return pair;
    const redacted = redactSecrets(inner, depth + 1);
    if (redacted === inner) return pair;
    return `${separator}${name}=${inner === value ? redacted : encodeURIComponent(redacted)}`;
  });
}

/** What a request line holds: no headers (so no Authorization, no Cookie), and a redacted URL. */
interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number } | null;
}

export function serializeRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: typeof request.url === 'string' ? redactSecrets(request.url) : request.url,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** pino's error serializer, with a URL quoted in the message, the stack or any string field redacted. */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? redactSecrets(err) : err;
  const serialized = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(serialized)) {
    if (typeof value === 'string') serialized[key] = redactSecrets(value);
  }
  return serialized;
}

/** A line's own string fields (`{ url }`, a `debug` quoting an upstream answer) get the same treatment. */
function redactFields<T extends object>(fields: T): T {
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value !== 'string') continue;
    const redacted = redactSecrets(value);
    if (redacted === value) continue;
    out ??= { ...(fields as Record<string, unknown>) };
    out[key] = redacted;
  }
  return (out as T | undefined) ?? fields;
}

export const logSerializers = { req: serializeRequest, err: serializeError };

/** The root logger's options: the serializers, the field formatter, and messages redacted too. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers: logSerializers,
    formatters: { log: redactFields },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
}

/**
 * The logger a listener is given, made safe whatever made it: a logger instance gets the
 * serializers and the field formatter through a child (pino lets a child add both), options
 * get them merged in, and `false` stays silent.
 */
export function redactingLoggerOptions(
  logger: FastifyServerOptions['logger'] | FastifyServerOptions['loggerInstance'],
): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (!logger) return { logger: false };
  if (typeof logger === 'object' && 'child' in logger && typeof logger.child === 'function') {
    const safe = (logger as Logger).child({}, { serializers: logSerializers, formatters: { log: redactFields } });
    return { loggerInstance: safe as FastifyServerOptions['loggerInstance'] };
  }
  const options = logger === true ? {} : (logger as LoggerOptions);
  return {
    logger: {
      ...options,
      ...loggerOptions(options.level ?? 'info'),
      serializers: { ...options.serializers, ...logSerializers },
      formatters: { ...options.formatters, log: redactFields },
    } as FastifyServerOptions['logger'],
  };
}
