/**
 * The Sign-In With X text (the EIP-4361 layout that Sign In With Solana and others copy):
 * "<domain> wants you to sign in with your <Network> account:", the address, a statement,
 * then URI, Version, Chain ID, Nonce, Issued At and Expiration Time lines. Wallets such as
 * Phantom recognise the layout and check the domain against the page they run on.
 */
import type { SignInFields } from './chain.js';

export const STATEMENT = 'Link this wallet to your Gatehouse account';

/** How long a person has to sign (the message says so, and the challenge expires then). */
export const CHALLENGE_TTL_SECONDS = 600;

export function signInText(network: string, f: SignInFields): string {
  return [
    `${f.domain} wants you to sign in with your ${network} account:`,
    f.address,
    '',
    f.statement,
    '',
    `URI: ${f.uri}`,
    'Version: 1',
    `Chain ID: ${f.chainId}`,
    `Nonce: ${f.nonce}`,
    `Issued At: ${f.issuedAt.toISOString()}`,
    `Expiration Time: ${f.expirationTime.toISOString()}`,
  ].join('\n');
}

const LAYOUT =
  /^(?<domain>[A-Za-z0-9.\-[\]:]+) wants you to sign in with your (?<network>[A-Za-z]+) account:\n(?<address>\S+)\n\n(?<statement>[^\n]+)\n\nURI: (?<uri>\S+)\nVersion: 1\nChain ID: (?<chainId>\S+)\nNonce: (?<nonce>[A-Za-z0-9]+)\nIssued At: (?<issuedAt>\S+)\nExpiration Time: (?<expirationTime>\S+)$/;

/** The fields of a Sign-In With X text for `network`, or undefined if the text is not one. */
export function readSignInText(network: string, text: string): SignInFields | undefined {
  const groups = LAYOUT.exec(text)?.groups;
  if (!groups || groups.network !== network) return undefined;
  const issuedAt = new Date(groups.issuedAt as string);
  const expirationTime = new Date(groups.expirationTime as string);
  if (Number.isNaN(issuedAt.getTime()) || Number.isNaN(expirationTime.getTime())) return undefined;
  return {
    domain: groups.domain as string,
    address: groups.address as string,
    statement: groups.statement as string,
    uri: groups.uri as string,
    chainId: groups.chainId as string,
    nonce: groups.nonce as string,
    issuedAt,
    expirationTime,
  };
}
