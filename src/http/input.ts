/**
 * Input no handler can use, refused before any handler runs: a NUL character (PostgreSQL's
 * text and jsonb cannot hold one, so it would surface as a database error) and JSON nested
 * deeper than any real document (JSON.stringify would overflow the stack on it).
 */
import type { FastifyInstance } from 'fastify';
import { invalidRequest } from '../oauth/errors.js';

export const MAX_INPUT_DEPTH = 64;

const NUL = 'contains a NUL character';

/**
 * Why a parsed query, path or body cannot be accepted, or undefined. Iterative (no
 * recursion), and a flat object of strings, which nearly every request is, allocates nothing.
 */
export function inputProblem(value: unknown, maxDepth = MAX_INPUT_DEPTH): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? NUL : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const pending: object[] = [value];
  const depths: number[] = [0];
  while (pending.length > 0) {
    const current = pending.pop() as object;
    const depth = depths.pop() as number;
    if (depth >= maxDepth) return `is nested more than ${maxDepth} levels deep`;
    for (const key of Object.keys(current)) {
      if (key.includes('\u0000')) return NUL;
      const child = (current as Record<string, unknown>)[key];
      if (typeof child === 'string') {
        if (child.includes('\u0000')) return NUL;
      } else if (typeof child === 'object' && child !== null) {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return undefined;
}

export interface InputGuardOptions {
  /**
   * A POST or PUT that came without a body reads as an empty object: the admin API's, where
   * Hydra's clients send some (a reject, a key rotation) bare. Here rather than in a hook of
   * its own, since every request pays for each hook it passes.
   */
  bodilessWritesAreEmpty?: boolean;
}

export function installInputGuard(app: FastifyInstance, options: InputGuardOptions = {}): void {
  const emptyBodies = options.bodilessWritesAreEmpty === true;
  app.addHook('preValidation', (request, _reply, done) => {
    if (emptyBodies && request.body === undefined && (request.method === 'POST' || request.method === 'PUT')) {
      request.body = {};
    }
    const problem = (part: string, value: unknown) => {
      const found = inputProblem(value);
      return found ? invalidRequest(`The request ${part} ${found}.`) : undefined;
    };
    done(problem('query', request.query) ?? problem('path', request.params) ?? problem('body', request.body));
  });
}
