/**
 * The wallet link page (/ui/account/identities/{evm|solana|aptos|sei|injective|flow}): a
 * "connect" button for the wallet in the browser (revealed by /ui/assets/wallet-link.js),
 * and always the copy-paste path, which works without JavaScript: the address, then the
 * exact message to sign and a field for the signature.
 */
import type { WalletKind } from '../../wallets/chain.js';
import type { IssuedChallenge } from '../../wallets/wallet-links.js';
import { csrfField, hidden, notice } from '../forms.js';
import { html, type SafeHtml } from '../html.js';

interface WalletCopy {
  title: string;
  /** Which wallets the connect button reaches; no button for Flow (FCL is not loaded here). */
  connect?: { button: string; wallets: string; missing: string };
  addressHint: string;
  /** How to sign by hand, shown beside the message. */
  signHow: string;
  signatureLabel: string;
  signatureHint: string;
  publicKey?: { hint: string; optional?: boolean };
}

export const WALLET_COPY: Record<WalletKind, WalletCopy> = {
  evm: {
    title: 'Link an Ethereum wallet',
    connect: {
      button: 'Connect your Ethereum wallet',
      wallets: 'MetaMask, Rabby, Coinbase Wallet, or any wallet installed in this browser. One address serves every EVM chain.',
      missing: 'No Ethereum wallet was found in this browser. Install one, or sign the message yourself below.',
    },
    addressHint: '0x followed by 40 hexadecimal characters.',
    signHow: 'Use your wallet’s “Sign message” feature (personal_sign), or a tool such as cast wallet sign.',
    signatureLabel: 'Signature',
    signatureHint: 'The 0x… signature your wallet gave (130 hexadecimal characters).',
  },
  solana: {
    title: 'Link a Solana wallet',
    connect: {
      button: 'Connect your Solana wallet',
      wallets: 'Phantom, Solflare, Backpack, or any wallet of the Solana wallet standard.',
      missing: 'No Solana wallet was found in this browser. Install one, or sign the message yourself below.',
    },
    addressHint: 'The base58 address your wallet shows (32 to 44 characters).',
    signHow: 'Use your wallet’s “Sign message” feature: it signs the text as it is, with your account’s key.',
    signatureLabel: 'Signature',
    signatureHint: 'The signature, in base58, base64 or hex.',
  },
  aptos: {
    title: 'Link an Aptos wallet',
    connect: {
      button: 'Connect Petra',
      wallets: 'Petra, or another wallet that offers window.aptos.',
      missing: 'No Aptos wallet was found in this browser. Install Petra, or sign the message yourself below.',
    },
    addressHint: '0x followed by up to 64 hexadecimal characters.',
    signHow: 'Sign this full text (it is what Petra signs when asked for the message and nonce) with your account’s ed25519 key.',
    signatureLabel: 'Signature',
    signatureHint: 'The 0x… signature (128 hexadecimal characters).',
    publicKey: { hint: 'Your account’s public key: 0x followed by 64 hexadecimal characters.' },
  },
  sei: {
    title: 'Link a Sei wallet',
    connect: {
      button: 'Connect Keplr',
      wallets: 'Keplr, or another wallet that offers window.keplr, on the pacific-1 network.',
      missing: 'No Keplr wallet was found in this browser. Install it, or sign the message yourself below.',
    },
    addressHint: 'Your sei1… address.',
    signHow: 'Sign it as arbitrary data (ADR-036, Keplr’s signArbitrary) with the account of this address.',
    signatureLabel: 'Signature',
    signatureHint: 'The whole JSON that signArbitrary returns, or the base64 signature alone with the public key below.',
    publicKey: { hint: 'Base64 or hex; not needed when the JSON above includes pub_key.', optional: true },
  },
  injective: {
    title: 'Link an Injective wallet',
    connect: {
      button: 'Connect Keplr',
      wallets: 'Keplr, or another wallet that offers window.keplr, on the injective-1 network.',
      missing: 'No Keplr wallet was found in this browser. Install it, or sign the message yourself below.',
    },
    addressHint: 'Your inj1… address.',
    signHow: 'Sign it as arbitrary data (ADR-036, Keplr’s signArbitrary) with the account of this address.',
    signatureLabel: 'Signature',
    signatureHint: 'The whole JSON that signArbitrary returns, or the base64 signature alone with the public key below.',
    publicKey: { hint: 'Base64 or hex; not needed when the JSON above includes pub_key.', optional: true },
  },
  flow: {
    title: 'Link a Flow wallet',
    addressHint: '0x followed by 16 hexadecimal characters.',
    signHow:
      'Flow wallets prove an account with an FCL account proof. This page does not load FCL: create the proof with your Flow wallet or FCL, for the app identifier and nonce below, and paste it here.',
    signatureLabel: 'Account proof',
    signatureHint: 'The account-proof JSON (with its "signatures"), or lines of key index and signature such as 0:ab12….',
  },
};

export interface WalletLinkModel {
  kind: WalletKind;
  csrf: string;
  host: string;
  /** The Chain ID the connect button asks the wallet for (Keplr). */
  chainId: string;
  returnTo?: string | undefined;
  /** The address linked now, if any. */
  linked?: string | undefined;
  step: 'address' | 'sign';
  address?: string | undefined;
  challenge?: IssuedChallenge | undefined;
  errors: { address?: string | undefined; signature?: string | undefined; public_key?: string | undefined };
  error?: string | undefined;
}

const base = (kind: WalletKind) => `/ui/account/identities/${kind}`;
const minute = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;

/** Enough rows to show the whole message without scrolling (long lines wrap at about 64 characters). */
const rowsFor = (text: string) => text.split('\n').reduce((rows, line) => rows + Math.max(1, Math.ceil(line.length / 64)), 1);

export const walletLinkTitle = (kind: WalletKind) => WALLET_COPY[kind].title;

/** Where Cancel and "Back" go: the page that sent the person here, or the account page. */
export const backHref = (returnTo: string | undefined) => returnTo ?? '/ui/account';

function described(id: string, hint: string | undefined, error: string | undefined): SafeHtml {
  const ids = [hint && !error ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`${error ? html` aria-invalid="true"` : ''}${ids ? html` aria-describedby="${ids}"` : ''}`;
}

function fieldNotes(id: string, hint: string | undefined, error: string | undefined): SafeHtml {
  return html`${hint && !error ? html`<p class="muted" id="${id}-hint">${hint}</p>` : ''}${
    error ? html`<p class="field-error" id="${id}-error" role="alert">${error}</p>` : ''
  }`;
}

function addressForm(m: WalletLinkModel): SafeHtml {
  const copy = WALLET_COPY[m.kind];
  return html`<form method="post" action="${base(m.kind)}/challenge" novalidate>
${csrfField(m.csrf)}${hidden('return_to', m.returnTo)}
<label for="wl-address">Your address</label>
<input id="wl-address" name="address" type="text" value="${m.address ?? ''}" required autocomplete="off" spellcheck="false" class="mono"${described('wl-address', copy.addressHint, m.errors.address)}>
${fieldNotes('wl-address', copy.addressHint, m.errors.address)}
<button type="submit" class="secondary">Show the message to sign</button>
</form>`;
}

function flowFacts(c: IssuedChallenge): SafeHtml {
  return html`<dl class="wallet-facts">
<dt>App identifier</dt><dd><code>${c.wallet.appIdentifier}</code></dd>
<dt>Address</dt><dd><code>${c.address}</code></dd>
<dt>Nonce</dt><dd><code>${c.nonce}</code></dd>
<dt>Bytes signed (hex)</dt><dd><code>${c.wallet.signable}</code></dd>
</dl>`;
}

function signForm(m: WalletLinkModel, c: IssuedChallenge): SafeHtml {
  const copy = WALLET_COPY[m.kind];
  const pk = copy.publicKey;
  return html`<p>Sign this exact text with the wallet that holds <code>${c.address}</code>. ${copy.signHow}</p>
<label for="wl-message">${m.kind === 'flow' ? 'What the proof is for' : 'Message to sign'}</label>
<textarea id="wl-message" class="wallet-message" readonly rows="${rowsFor(c.toSign)}" spellcheck="false" aria-describedby="wl-message-hint">${c.toSign}</textarea>
<p class="muted" id="wl-message-hint">It can be used once, until ${minute(c.expiresAt)}.</p>
${m.kind === 'flow' ? flowFacts(c) : ''}
<form method="post" action="${base(m.kind)}/verify" novalidate>
${csrfField(m.csrf)}${hidden('nonce', c.nonce)}${hidden('return_to', m.returnTo)}
<label for="wl-signature">${copy.signatureLabel}</label>
<textarea id="wl-signature" name="signature" rows="${m.kind === 'flow' ? 6 : 3}" required spellcheck="false" autocomplete="off" class="mono"${described('wl-signature', copy.signatureHint, m.errors.signature)}></textarea>
${fieldNotes('wl-signature', copy.signatureHint, m.errors.signature)}
${
  pk
    ? html`<label for="wl-public-key">Public key${pk.optional ? html` <span class="muted">(optional)</span>` : ''}</label>
<input id="wl-public-key" name="public_key" type="text" value=""${pk.optional ? '' : html` required`} autocomplete="off" spellcheck="false" class="mono"${described('wl-public-key', pk.hint, m.errors.public_key)}>
${fieldNotes('wl-public-key', pk.hint, m.errors.public_key)}`
    : ''
}
<button type="submit">Link this wallet</button>
</form>
<p><a href="${base(m.kind)}${m.returnTo ? `?return_to=${encodeURIComponent(m.returnTo)}` : ''}">Use another address</a></p>`;
}

export function walletLinkPage(m: WalletLinkModel): SafeHtml {
  const copy = WALLET_COPY[m.kind];
  const connect = m.step === 'address' ? copy.connect : undefined;
  return html`<div class="wallet-link" data-kind="${m.kind}" data-chain-id="${m.chainId}" data-challenge-url="${base(m.kind)}/challenge" data-verify-url="${base(m.kind)}/verify"${m.returnTo ? html` data-return-to="${m.returnTo}"` : ''}>
<p class="crumbs"><a href="${backHref(m.returnTo)}">← ${m.returnTo ? 'Back' : 'Your account'}</a></p>
<h1>${copy.title}</h1>
<p>Prove that you hold an address by signing a short message. Signing is free: it sends no transaction and gives no one access to your funds.</p>
<p class="muted">The message names this site, <strong>${m.host}</strong>. It can be used once and expires after 10 minutes. Applications see the address only when you allow them to.</p>
${m.linked ? notice(`Linked now: ${m.linked}. Linking another address replaces it.`) : ''}
${m.error ? notice(m.error, 'error') : ''}
${
  connect
    ? html`<section class="wallet-connect" data-wallet data-missing="${connect.missing}" hidden aria-labelledby="wl-connect">
<h2 id="wl-connect">With the wallet in this browser</h2>
<p class="muted">${connect.wallets}</p>
<button type="button" data-action="connect">${connect.button}</button>
<p class="wallet-status" data-status role="status" aria-live="polite"></p>
</section>`
    : ''
}
<section aria-labelledby="wl-manual">
<h2 id="wl-manual">${connect ? 'Or sign the message yourself' : m.step === 'sign' ? 'Sign the message' : 'Sign a message yourself'}</h2>
${m.step === 'sign' && m.challenge ? signForm(m, m.challenge) : addressForm(m)}
</section>
<p><a class="button secondary" href="${backHref(m.returnTo)}">Cancel</a></p>
</div>`;
}

/** The address proved to be the person's, but another account has it. */
export function walletTakenPage(m: {
  kind: WalletKind;
  address?: string | undefined;
  description: string;
  returnTo?: string | undefined;
}): SafeHtml {
  return html`<div class="error">
<h1>This wallet is linked to another account</h1>
${m.address ? html`<p><code>${m.address}</code></p>` : ''}
<p>${m.description}</p>
<p>Sign in to that account and unlink it there, or link another address to this account.</p>
<div class="row">
<a class="button secondary" href="${base(m.kind)}${m.returnTo ? `?return_to=${encodeURIComponent(m.returnTo)}` : ''}">Link another address</a>
<a class="button" href="/ui/account">Back to your account</a>
</div>
${m.returnTo ? html`<p><a href="${m.returnTo}">Go back without linking</a></p>` : ''}
</div>`;
}
