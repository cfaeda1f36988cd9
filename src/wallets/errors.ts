/**
 * Why a wallet could not be linked. They are OAuthErrors (the one error family), with codes
 * of their own so the page can put each next to the field it is about and the script can
 * tell them apart.
 */
import { OAuthError } from '../errors.js';

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

const statuses: Partial<Record<WalletErrorCode, number>> = {
  challenge_used: 409,
  wallet_network_unavailable: 502,
};

export const walletError = (code: WalletErrorCode, description: string): OAuthError =>
  new OAuthError(code, description, { status: statuses[code] ?? 400 });

/** The form field an error is about, for the copy-paste page. */
export function fieldOf(code: string): 'address' | 'signature' | 'public_key' | undefined {
  if (code === 'invalid_address') return 'address';
  if (code === 'invalid_public_key') return 'public_key';
  if (code === 'invalid_signature' || code === 'invalid_message' || code === 'address_mismatch') return 'signature';
  return undefined;
}
