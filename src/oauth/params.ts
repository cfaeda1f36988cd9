/**
 * Request parameters of OAuth endpoints. RFC 6749 section 3.1: parameters sent without a
 * value are treated as omitted, and no parameter may be included more than once.
 */

export type RawParams = Record<string, string | string[] | undefined>;

import { invalidRequest } from './errors.js';

export interface Params {
  get(name: string): string | undefined;
  has(name: string): boolean;
  names(): string[];
}

export const MAX_PARAM_LENGTH = 4096;

export function readParams(raw: RawParams | undefined | null, maxLength = MAX_PARAM_LENGTH): Params {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (Array.isArray(value)) {
      // A JSON body can hold anything in an array; only strings are parameter values.
      if (value.some((v) => typeof v !== 'string')) throw invalidRequest(`The "${name}" parameter must be a string.`);
      if (value.filter((v) => v !== '').length > 1) {
        throw invalidRequest(`The "${name}" parameter must not be included more than once.`);
      }
      const single = value.find((v) => v !== '');
      if (single !== undefined) values.set(name, single);
      continue;
    }
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') throw invalidRequest(`The "${name}" parameter must be a string.`);
    values.set(name, value);
  }
  for (const [name, value] of values) {
    if (value.length > maxLength) throw invalidRequest(`The "${name}" parameter is too long.`);
  }
  return {
    get: (name) => values.get(name),
    has: (name) => values.has(name),
    names: () => [...values.keys()],
  };
}

/** Parses an application/x-www-form-urlencoded body, keeping repeated names as arrays. */
export function parseForm(body: string): RawParams {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(body)) {
    const previous = out[name];
    if (previous === undefined) out[name] = value;
    else out[name] = Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return out;
}
