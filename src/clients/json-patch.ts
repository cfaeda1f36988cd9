/** RFC 6902 JSON Patch (add, remove, replace, test), as Hydra's PATCH /admin/clients takes. */
import { OAuthError } from '../oauth/errors.js';

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test' | string;
  path: string;
  value?: unknown;
}

const badPatch = (description: string) => new OAuthError('invalid_request', description);

/** RFC 6901 section 4: "~1" is "/", "~0" is "~". */
function parsePointer(path: string): string[] {
  if (typeof path !== 'string' || !path.startsWith('/')) throw badPatch(`"${String(path)}" is not a JSON pointer.`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * RFC 6901 section 4: an array index is "0" or digits without a leading zero; `Number()`
 * alone would read "", " 1", "1e0" and "0x1" as indexes.
 */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,8})$/;
const arrayIndex = (token: string): number => (ARRAY_INDEX.test(token) ? Number(token) : Number.NaN);

/** A member of the document itself: "toString" and the like, inherited from Object.prototype, are not. */
const hasMember = (container: Record<string, unknown>, key: string) => Object.hasOwn(container, key);

export function applyJsonPatch(document: Record<string, unknown>, operations: JsonPatchOperation[]): unknown {
  if (!Array.isArray(operations)) throw badPatch('The body must be a JSON Patch array.');
  const doc = structuredClone(document) as Record<string, unknown>;
  for (const operation of operations) {
    if (typeof operation !== 'object' || operation === null) throw badPatch('Each patch operation must be an object.');
    const keys = parsePointer(operation.path);
    if (keys.some((k) => FORBIDDEN.has(k))) throw badPatch(`"${operation.path}" cannot be patched.`);
    const last = keys.pop() as string;
    let parent: unknown = doc;
    for (const key of keys) {
      const holder = parent as Record<string, unknown>;
      parent = Array.isArray(holder) ? holder[arrayIndex(key)] : hasMember(holder, key) ? holder[key] : undefined;
      if (typeof parent !== 'object' || parent === null) throw badPatch(`"${operation.path}" does not exist.`);
    }
    const container = parent as Record<string, unknown> | unknown[];
    switch (operation.op) {
      case 'add':
      case 'replace': {
        if (Array.isArray(container)) {
          const index = last === '-' ? container.length : arrayIndex(last);
          if (!Number.isInteger(index) || index < 0 || index > container.length)
            throw badPatch(`Bad index in "${operation.path}".`);
          if (operation.op === 'add') container.splice(index, 0, operation.value);
          else if (index < container.length) container[index] = operation.value;
          else throw badPatch(`"${operation.path}" does not exist.`);
        } else {
          if (operation.op === 'replace' && !hasMember(container, last)) throw badPatch(`"${operation.path}" does not exist.`);
          container[last] = operation.value;
        }
        break;
      }
      case 'remove': {
        if (Array.isArray(container)) {
          const index = arrayIndex(last);
          if (!Number.isInteger(index) || index >= container.length) throw badPatch(`"${operation.path}" does not exist.`);
          container.splice(index, 1);
        } else {
          if (!hasMember(container, last)) throw badPatch(`"${operation.path}" does not exist.`);
          delete container[last];
        }
        break;
      }
      case 'test': {
        const actual = Array.isArray(container)
          ? container[arrayIndex(last)]
          : hasMember(container, last)
            ? container[last]
            : undefined;
        if (JSON.stringify(actual) !== JSON.stringify(operation.value)) throw badPatch(`The test at "${operation.path}" failed.`);
        break;
      }
      default:
        throw badPatch(`The patch operation "${String(operation.op)}" is not supported.`);
    }
  }
  return doc;
}
