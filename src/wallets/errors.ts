/**
 * Why a wallet could not be linked: GatehouseErrors with codes of their own (not RFC 6749's),
 * so the page can put each next to the field it is about and the script can tell them apart.
 */

export type WalletErrorCode =
  | 'invalid_address'
  | 'invalid_public_key'
  | 'invalid_signature'
  | 'invalid_message'
  | 'wrong_domain'
  | 'address_mismatch'
  | 'challenge_unknown'
  | 'challenge_used'
  | 'challenge_expired'
  | 'wallet_network_unavailable';

import { GatehouseError } from '../errors.js';

const statuses: Partial<Record<WalletErrorCode, number>> = {
  challenge_used: 409,
  wallet_network_unavailable: 502,
};

/** `cause`: what went wrong underneath (a network failure), for the log only. */
export const walletError = (code: WalletErrorCode, description: string, cause?: unknown): GatehouseError =>
  new GatehouseError(code, description, {
    status: statuses[code] ?? 400,
    ...(cause === undefined ? {} : { cause, debug: cause instanceof Error ? cause.message : String(cause) }),
  });

/** The form field an error is about, for the copy-paste page. */
export function fieldOf(code: string): 'address' | 'signature' | 'public_key' | undefined {
  if (code === 'invalid_address') return 'address';
  if (code === 'invalid_public_key') return 'public_key';
  if (code === 'invalid_signature' || code === 'invalid_message' || code === 'address_mismatch') return 'signature';
  return undefined;
}
