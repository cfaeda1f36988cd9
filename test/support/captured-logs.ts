/** A pino logger whose lines a test reads back, parsed, in the order they were written. */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { loggerOptions } from '../../src/http/log-redaction.js';

export interface CapturedLogs {
  logger: Logger;
  lines: Record<string, unknown>[];
}

export function capturedLogs(level: pino.LevelWithSilent = 'info'): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      // One write may carry several lines.
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  // The options the server's own logger has (src/server.ts), so a test sees what production writes.
  return { logger: pino(loggerOptions(level), stream), lines };
}
