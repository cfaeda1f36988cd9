/**
 * Local stand-ins for what a test talks to: an application's callback, an SMTP server,
 * and Twilio's Messages API (answering as Twilio does). All on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => resolve(body));
  });

/** An application's redirect URI: records every callback and shows a small page. */
export async function startCallbackServer() {
  const hits: URL[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    hits.push(url);
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(
      `<!doctype html><title>Callback</title><h1>Callback received</h1><p id="query">${url.search.replace(/[<>&"]/g, '')}</p>`,
    );
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/callback`,
    postLogoutUrl: `http://127.0.0.1:${port}/signed-out`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface CapturedMail {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server (smtp-server) that keeps what it receives. */
export async function startSmtpServer() {
  const messages: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk) => {
        raw += chunk;
      });
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port)),
  );
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TwilioMessage {
  to: string;
  from: string | undefined;
  body: string;
}

/**
 * Twilio's Messages API as far as Gatehouse uses it: POST
 * /2010-04-01/Accounts/{sid}/Messages.json with Basic auth, answering 201 with the message
 * resource, or Twilio's error JSON.
 */
export async function startFakeTwilio(
  accountSid = `AC${randomBytes(16).toString('hex')}`,
  authToken = randomBytes(16).toString('hex'),
) {
  const messages: TwilioMessage[] = [];
  const server = createServer(async (request, response) => {
    const body = new URLSearchParams(await readBody(request));
    const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    if (request.method !== 'POST' || request.url !== `/2010-04-01/Accounts/${accountSid}/Messages.json`) {
      return json(404, {
        code: 20404,
        message: 'The requested resource was not found',
        more_info: 'https://www.twilio.com/docs/errors/20404',
        status: 404,
      });
    }
    if (request.headers.authorization !== expectedAuth) {
      return json(401, {
        code: 20003,
        message: 'Authenticate',
        more_info: 'https://www.twilio.com/docs/errors/20003',
        status: 401,
      });
    }
    const to = body.get('To') ?? '';
    if (!/^(whatsapp:)?\+[1-9]\d{6,14}$/.test(to)) {
      return json(400, {
        code: 21211,
        message: `The 'To' number ${to} is not a valid phone number.`,
        more_info: 'https://www.twilio.com/docs/errors/21211',
        status: 400,
      });
    }
    const message = { to, from: body.get('From') ?? body.get('MessagingServiceSid') ?? undefined, body: body.get('Body') ?? '' };
    messages.push(message);
    const sid = `SM${randomBytes(16).toString('hex')}`;
    return json(201, {
      account_sid: accountSid,
      api_version: '2010-04-01',
      body: message.body,
      date_created: new Date().toUTCString(),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: message.from,
      num_segments: '1',
      price: null,
      sid,
      status: 'queued',
      to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    });
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The six-digit code in a message body. */
export const codeIn = (text: string): string => {
  const match = /\b(\d{6})\b/.exec(text);
  if (!match) throw new Error(`no code in: ${text}`);
  return match[1] as string;
};

/** The code of the last message the dev outbox holds for `to` (read through the admin API). */
export async function outboxCode(t: { adminApp: FastifyInstance }, to: string): Promise<string> {
  const response = await t.adminApp.inject(`/admin/outbox?to=${encodeURIComponent(to)}`);
  return codeIn(response.json().messages[0].text);
}
