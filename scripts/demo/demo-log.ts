/**
 * The demo's terminal: Gatehouse logs JSON lines for machines; a newcomer wants the one-time
 * codes and the warnings, in words. This pino destination prints those and drops the rest
 * (LOG_LEVEL=debug, or GATEHOUSE_DEMO_RAW_LOG=1, shows everything as JSON instead).
 */
export interface LogLine {
  level: number;
  msg?: string;
  to?: string;
  channel?: string;
  text?: string;
  err?: { message?: string };
}

const WARN = 40;

/** What the demo prints for one log line, if anything. */
export function demoLine(line: LogLine): string | undefined {
  const message = line.msg ?? '';
  if (message.startsWith('dev outbox') && line.text) {
    const body = line.text
      .split('\n')
      .map((l) => `    │ ${l}`)
      .join('\n');
    return `\n  ✉  ${line.channel ?? 'message'} to ${line.to} (not sent: development outbox)\n${body}\n`;
  }
  if (line.level >= WARN) {
    const reason = line.err?.message ? ` (${line.err.message})` : '';
    return `  ${line.level >= 50 ? 'error' : 'note'}: ${message}${reason}`;
  }
  return undefined;
}

export function demoLogStream(write: (text: string) => void = (t) => process.stdout.write(`${t}\n`)) {
  return {
    write(chunk: string): void {
      for (const raw of chunk.split('\n')) {
        if (!raw.trim()) continue;
        try {
          const text = demoLine(JSON.parse(raw) as LogLine);
          if (text !== undefined) write(text);
        } catch {
          write(raw);
        }
      }
    },
  };
}
