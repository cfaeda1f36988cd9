/**
 * Input no handler can use, refused before any handler runs: a NUL character (PostgreSQL's
 * text and jsonb cannot hold one, so it would surface as a database error) and JSON nested
 * deeper than any real document (JSON.stringify would overflow the stack on it).
 */
import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../errors.js';

export const MAX_INPUT_DEPTH = 64;

/** Why a parsed query, path or body cannot be accepted, or undefined. Iterative: no recursion. */
export function inputProblem(value: unknown, maxDepth = MAX_INPUT_DEPTH): string | undefined {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return 'contains a NUL character';
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= maxDepth) return `is nested more than ${maxDepth} levels deep`;
    for (const [key, child] of Object.entries(current)) {
      if (key.includes('\u0000')) return 'contains a NUL character';
      pending.push([child, depth + 1]);
    }
  }
  return undefined;
}

export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    for (const [part, value] of [
      ['query', request.query],
      ['path', request.params],
      ['body', request.body],
    ] as const) {
      const problem = inputProblem(value);
      if (problem) return done(invalidRequest(`The request ${part} ${problem}.`));
    }
    done();
  });
}
