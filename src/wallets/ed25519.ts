/** The ed25519 check Solana and Aptos share: a pasted signature in any usual encoding, over the signed text. */
import { ed25519 } from '@noble/curves/ed25519';
import { decodings, textBytes } from './encoding.js';
import { walletError } from './errors.js';

export function assertEd25519Signed(input: {
  address: string;
  signature: string;
  signed: string;
  publicKey: Uint8Array;
  /** What to say when the signature does not decode to 64 bytes (each wallet shows it differently). */
  badFormat: string;
}): void {
  const candidates = decodings(input.signature, 64);
  if (candidates.length === 0) throw walletError('invalid_signature', input.badFormat);
  const message = textBytes(input.signed);
  const valid = candidates.some((signature) => {
    try {
      return ed25519.verify(signature, message, input.publicKey);
    } catch {
      return false;
    }
  });
  if (!valid) {
    throw walletError(
      'invalid_signature',
      `This signature was not made by ${input.address} over this message. Sign the message exactly as shown, with the wallet that holds this address.`,
    );
  }
}
