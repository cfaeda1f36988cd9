/**
 * Reading the bytes people paste: wallets and tools print signatures and keys in hex (with or
 * without 0x), base64 or base58, and the text alone does not always say which.
 */
import { base58, base64, base64nopad, base64url, base64urlnopad, hex } from '@scure/base';

const utf8 = new TextEncoder();

export const textBytes = (text: string): Uint8Array => utf8.encode(text);

export const toHex = (bytes: Uint8Array): string => hex.encode(bytes);

/** Hex, with or without 0x, of any case; undefined unless it is whole bytes of hex. */
export function hexBytes(text: string): Uint8Array | undefined {
  const digits = text.trim().replace(/^0x/i, '');
  if (digits.length === 0 || digits.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(digits)) return undefined;
  return hex.decode(digits.toLowerCase());
}

/**
 * Every reading of `text` that gives exactly `length` bytes. A base58 string can also be valid
 * base64, so all are returned: a signature is checked against each, and only a real one verifies.
 */
export function decodings(text: string, length: number): Uint8Array[] {
  const value = text.trim();
  const found: Uint8Array[] = [];
  const attempt = (decode: () => Uint8Array | undefined) => {
    try {
      const bytes = decode();
      if (bytes?.length === length && !found.some((f) => equalBytes(f, bytes))) found.push(bytes);
    } catch {
      // Not this encoding.
    }
  };
  attempt(() => hexBytes(value));
  for (const coder of [base64, base64nopad, base64url, base64urlnopad]) attempt(() => coder.decode(value));
  attempt(() => base58.decode(value));
  return found;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
