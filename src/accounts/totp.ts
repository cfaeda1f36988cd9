/**
 * Two-factor authentication with an authenticator app: TOTP (RFC 6238) over HOTP
 * (RFC 4226) with the parameters every app supports by default: SHA-1, 6 digits, 30-second
 * steps. Codes one step either side of now are accepted (RFC 6238 5.2 allows for clock drift
 * and typing time), and each step is accepted once per account: the step last accepted is
 * kept in `accounts.totp_last_step` and raised by one conditional UPDATE, so a code seen
 * over someone's shoulder, or sent twice at once, does not sign in twice (RFC 6238 5.2:
 * "the verifier MUST NOT accept the second attempt of the same OTP").
 *
 * The shared secret is 160 bits (RFC 4226 section 4, R6) and stored only encrypted with
 * SECRETS_SYSTEM, bound to its account. Recovery codes are stored only as scrypt hashes.
 * The rules are here; the SQL is TotpStore's (totp-store.ts).
 */
import { randomInt, type ScryptOptions, scrypt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { SecretBox } from '../crypto/encryption.js';
import { GatehouseError } from '../errors.js';
import type { TotpColumns, TotpStore } from './totp-store.js';

export type TotpErrorReason = 'wrong_code' | 'invalid_secret' | 'already_enabled' | 'not_enabled' | 'unknown_account';

const TOTP_REFUSALS: Record<TotpErrorReason, string> = {
  wrong_code: 'That code is not right. Check the time on your device and try the current code.',
  invalid_secret: 'This setup has expired. Start again to get a new code to scan.',
  already_enabled: 'Two-factor authentication is already on.',
  not_enabled: 'Two-factor authentication is not on.',
  unknown_account: 'No such account.',
};

export class TotpError extends GatehouseError {
  override name = 'TotpError';

  constructor(readonly reason: TotpErrorReason) {
    super(reason, TOTP_REFUSALS[reason], {
      status: reason === 'unknown_account' ? 404 : reason === 'wrong_code' || reason === 'invalid_secret' ? 400 : 409,
    });
  }
}

export interface TotpDeps {
  store: TotpStore;
  box: SecretBox;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Shown by authenticator apps above the code (the `issuer` of the otpauth URI). */
  issuer: string;
}

export interface Enrolment {
  /** Base32, for people who type it in instead of scanning. */
  secret: string;
  otpauthUrl: string;
  /** The QR code of `otpauthUrl` as an SVG document: paths only, no text or script. */
  qrSvg: string;
}

const ALGORITHM = 'SHA1';
const DIGITS = 6;
const PERIOD = 30;
const WINDOW = 1;
const SECRET_BYTES = 20;

export const RECOVERY_CODE_COUNT = 10;
// Lower-case letters and digits without the look-alikes 0/o, 1/l/i: 31 symbols, 12 of them
// (about 59 bits), shown as abcd-efgh-jkmn.
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const RECOVERY_LENGTH = 12;
// Recovery codes bypass the second factor, and 59 bits is within reach of an offline search
// against a fast hash, so they get scrypt (RFC 7914) with a per-account salt; the hash stays
// deterministic per account, so a check is one indexed lookup, not one scrypt per stored code.
const SCRYPT: ScryptOptions = { N: 2 ** 14, r: 8, p: 1 };

const scryptAsync = (password: string, salt: string) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));

export class Totp {
  constructor(private readonly deps: TotpDeps) {}

  /** A fresh secret and its QR code; nothing is stored until confirmEnrolment. */
  async startEnrolment(accountId: string, label: string): Promise<Enrolment> {
    const secret = new Secret({ size: SECRET_BYTES });
    const totp = this.totp(secret, label.trim() || accountId);
    const otpauthUrl = totp.toString();
    const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { secret: secret.base32, otpauthUrl, qrSvg };
  }

  /**
   * Turns 2FA on once `code` proves the app holds `secret`; returns the recovery codes,
   * which are shown once and never again. Throws TotpError.
   */
  async confirmEnrolment(accountId: string, secret: string, code: string): Promise<string[]> {
    const base32 = secret.replace(/[\s=]/g, '').toUpperCase();
    // Base32 of at least 160 bits; the secret comes back through a form, so check it.
    if (!/^[A-Z2-7]+$/.test(base32) || base32.length < Math.ceil((SECRET_BYTES * 8) / 5) || base32.length > 128) {
      throw new TotpError('invalid_secret');
    }
    const step = this.matchingStep(Secret.fromBase32(base32), code);
    if (step === null) throw new TotpError('wrong_code');
    const { codes, hashes } = await newRecoveryCodes(accountId);
    const outcome = await this.deps.store.enable(accountId, {
      encryptedSecret: this.deps.box.encrypt(base32, secretContext(accountId)),
      step,
      recoveryHashes: hashes,
      at: new Date(this.deps.now()),
    });
    if (outcome !== 'enabled') throw new TotpError(outcome);
    return codes;
  }

  isEnabled(account: TotpColumns): boolean {
    return account.totp_secret !== null && account.totp_enabled_at !== null;
  }

  /** True once per accepted time step for a valid code; false for anything else. */
  async verify(accountId: string, code: string): Promise<boolean> {
    const { store, box } = this.deps;
    const row = await store.secretOf(accountId);
    if (!row?.totp_secret || !row.totp_enabled_at) return false;
    const secret = Secret.fromBase32(box.decrypt(row.totp_secret, secretContext(accountId)));
    const step = this.matchingStep(secret, code);
    if (step === null) return false;
    return store.acceptStep(accountId, row.totp_secret, step);
  }

  /** Spends one recovery code (dashes, spaces and case are ignored); true once per code. */
  async useRecoveryCode(accountId: string, code: string): Promise<boolean> {
    const canonical = code.toLowerCase().replace(/[\s-]/g, '');
    if (canonical.length !== RECOVERY_LENGTH || ![...canonical].every((c) => RECOVERY_ALPHABET.includes(c))) return false;
    const at = new Date(this.deps.now());
    return this.deps.store.spendRecoveryCode(accountId, await recoveryHash(accountId, canonical), at);
  }

  /** Turns 2FA off: forgets the secret, the last step and the recovery codes. */
  disable(accountId: string): Promise<void> {
    return this.deps.store.disable(accountId);
  }

  /** Replaces every recovery code with new ones, returned once. Throws TotpError when 2FA is off. */
  async regenerateRecoveryCodes(accountId: string): Promise<string[]> {
    const { codes, hashes } = await newRecoveryCodes(accountId);
    const outcome = await this.deps.store.replaceRecoveryCodes(accountId, hashes, new Date(this.deps.now()));
    if (outcome !== 'replaced') throw new TotpError(outcome);
    return codes;
  }

  remainingRecoveryCodes(accountId: string): Promise<number> {
    return this.deps.store.remainingRecoveryCodes(accountId);
  }

  private totp(secret: Secret, label: string): TOTP {
    return new TOTP({ issuer: this.deps.issuer, label, secret, algorithm: ALGORITHM, digits: DIGITS, period: PERIOD });
  }

  /** The time step (RFC 6238 4.2: T = floor(unix time / 30)) whose code `code` is, within the window. */
  private matchingStep(secret: Secret, code: string): number | null {
    const token = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(token)) return null;
    const timestamp = this.deps.now();
    // otpauth compares candidates with timingSafeEqual.
    const delta = TOTP.validate({
      token,
      secret,
      algorithm: ALGORITHM,
      digits: DIGITS,
      period: PERIOD,
      timestamp,
      window: WINDOW,
    });
    if (delta === null) return null;
    return TOTP.counter({ period: PERIOD, timestamp }) + delta;
  }
}

/** Binds the ciphertext to its account: a secret copied to another row does not decrypt. */
const secretContext = (accountId: string) => `totp:${accountId}`;

/** A fresh set of recovery codes, as shown (abcd-efgh-jkmn) and as stored (hashes, in the same order). */
async function newRecoveryCodes(accountId: string): Promise<{ codes: string[]; hashes: string[] }> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let code = '';
    for (let i = 0; i < RECOVERY_LENGTH; i++) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
    return code.match(/.{4}/g)?.join('-') as string;
  });
  return { codes, hashes: await Promise.all(codes.map((c) => recoveryHash(accountId, c))) };
}

async function recoveryHash(accountId: string, code: string): Promise<string> {
  const canonical = code.toLowerCase().replace(/[\s-]/g, '');
  return (await scryptAsync(canonical, `gatehouse-recovery-code:${accountId}`)).toString('base64url');
}
