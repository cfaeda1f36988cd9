/**
 * Signing in (or registering) with a one-time code, step by step as the login app's pages
 * take them: send a code (a captcha first before every SMS or WhatsApp send, and before an
 * email one after a step-up of code-limits.ts), verify it, check the second factor when one
 * is enrolled, create the account when the person registers, and at the end answer the login
 * request or open a login session. Plain values in, what happened out; every refusal is a
 * GatehouseError whose description is the sentence the page shows. Nothing here knows of
 * HTTP, cookies or HTML.
 *
 * Every step answers the same whether or not an account exists, until a code has proved the
 * address.
 */

import type { Captcha } from '../captcha/captcha.js';
import type { Config } from '../config/config.js';
import { hashSecret } from '../crypto/tokens.js';
import type { Account, CodeChannel, OneTimeCode } from '../db/schema.js';
import type { Delivery } from '../delivery/delivery.js';
import { codeMessage } from '../delivery/templates.js';
import { GatehouseError } from '../errors.js';
import type { Actor } from '../events/actor.js';
import type { EventSink } from '../events/events.js';
import type { CookieChange } from '../flows/context.js';
import type { LoginRequests } from '../flows/login-requests.js';
import type { LoginSessions } from '../flows/login-sessions.js';
import type { Accounts } from './accounts.js';
import { normalizeEmail, normalizePhone } from './identifiers.js';
import type { IssuedCode, OneTimeCodes } from './one-time-codes.js';
import type { SecondFactor, SecondFactorCode } from './second-factor.js';
import type { Totp } from './totp.js';

export type SignInPurpose = 'login' | 'register';

export interface SignInDeps {
  accounts: Pick<Accounts, 'findByEmail' | 'findByPhone' | 'register'>;
  codes: Pick<OneTimeCodes, 'issue' | 'resend' | 'verify' | 'consume' | 'find' | 'proofTag'>;
  totp: Pick<Totp, 'isEnabled'>;
  secondFactor: Pick<SecondFactor, 'check'>;
  delivery: Pick<Delivery, 'send' | 'channels'>;
  captcha: Pick<Captcha, 'verify'>;
  loginRequests: Pick<LoginRequests, 'get' | 'accept'>;
  sessions: Pick<LoginSessions, 'find' | 'start'>;
  events: EventSink;
  config: Pick<Config, 'defaultCountry' | 'otpTtl' | 'loginSessionTtl'>;
  now: () => number;
}

/** The code a browser is working on, and whether the person asked to stay signed in. */
export interface Attempt {
  code: OneTimeCode;
  remember: boolean;
}

/** Who is asking, as the limits and the captcha see them. */
export interface Requester {
  actor: Actor;
  ip: string;
  /** The tags of the addresses this browser proved before (proved-addresses.ts). */
  provedTags: ReadonlySet<string>;
  /** The captcha solution the form carried; verified only when a send needs it. */
  captcha: string | undefined;
  /** The language of the message that carries the code. */
  locale: string;
}

/** The sign-in form, as posted. */
export interface CodeRequest {
  purpose: SignInPurpose;
  method: 'email' | 'phone';
  email?: string | undefined;
  phone?: string | undefined;
  channel?: string | undefined;
  loginChallenge: string | undefined;
  /** The browser's previous attempt in this sign-in, if any: a code it entered proves its address. */
  previous?: { codeId: string; remember: boolean } | undefined;
}

/** What comes after a step. */
export type SignInOutcome =
  /** Nothing to continue: the code is gone, spent or for another sign-in. */
  | { next: 'start_over' }
  | { next: 'second_factor' }
  /** The code proved an address no account has, on the sign-in page: offer to create one. */
  | { next: 'no_account'; destination: string }
  /** The application's login request is answered: back to it, at `redirectTo`. */
  | { next: 'signed_in'; redirectTo: string }
  /** Signed in to Gatehouse itself (no application asked): `session` is the new login session's cookie. */
  | { next: 'session_started'; session: CookieChange }
  /** This browser was signed in to Gatehouse already. */
  | { next: 'already_signed_in' };

/** What a verified code leads to, and the tag this browser may now keep for the address. */
export type VerifiedOutcome = SignInOutcome & { provedTag: string };

export class SignIn {
  constructor(private readonly deps: SignInDeps) {}

  /**
   * Whether a visit to the sign-in page is done without asking anything: a remembered session
   * is confirmed to the application (as Hydra asks of login apps), and a person signed in here
   * already needs no form. Undefined: show the form.
   */
  async skip(
    actor: Actor,
    loginChallenge: string | undefined,
    sessionId: string | undefined,
  ): Promise<SignInOutcome | undefined> {
    const { loginRequests, sessions } = this.deps;
    if (loginChallenge) {
      const request = await loginRequests.get(loginChallenge);
      if (!request.skip) return undefined;
      const { redirect_to } = await loginRequests.accept(actor, loginChallenge, { subject: request.subject });
      return { next: 'signed_in', redirectTo: redirect_to };
    }
    return (await sessions.find(sessionId)) ? { next: 'already_signed_in' } : undefined;
  }

  /** The attempt `codeId` names, while it is usable for this sign-in (a code belongs to the one it was asked for). */
  async resume(codeId: string | undefined, remember: boolean, loginChallenge: string | undefined): Promise<Attempt | undefined> {
    if (!codeId) return undefined;
    const code = await this.deps.codes.find(codeId);
    if (!code || code.consumed_at || code.expires_at.getTime() <= this.deps.now()) return undefined;
    if (code.login_challenge_hash !== challengeHash(loginChallenge)) return undefined;
    return { code, remember };
  }

  /**
   * Sends a code to the address of the form. Throws InputError for an address that is not
   * one, `captcha_required` when the captcha must come first, RateLimited, DeliveryError.
   */
  async sendCode(form: CodeRequest, by: Requester): Promise<IssuedCode> {
    const { destination, channel } = this.destinationOf(form);
    // The captcha comes before any SMS or WhatsApp send; email needs it only after a step-up.
    const captchaSolved = await this.deps.captcha.verify(by.captcha, by.ip);
    if (channel !== 'email' && !captchaSolved) {
      throw new GatehouseError('captcha_required', 'Please complete the check that you are a person.');
    }
    const previous = form.previous
      ? await this.resume(form.previous.codeId, form.previous.remember, form.loginChallenge)
      : undefined;
    const issued = await this.deps.codes.issue({
      purpose: form.purpose,
      channel,
      destination,
      loginChallengeHash: challengeHash(form.loginChallenge),
      ip: by.ip,
      proved: this.proved(destination, by.provedTags, previous?.code),
      captchaSolved,
    });
    await this.deliver(destination, channel, form.purpose, issued.code, by.locale);
    return issued;
  }

  /** A new code for the attempt's address, which stops the old one; refused as sendCode is. */
  async resendCode(attempt: Attempt, by: Requester): Promise<IssuedCode> {
    const { code } = attempt;
    const issued = await this.deps.codes.resend(code.id, {
      ip: by.ip,
      proved: this.proved(code.destination, by.provedTags, code),
      captchaSolved: await this.deps.captcha.verify(by.captcha, by.ip),
    });
    await this.deliver(code.destination, code.channel, code.purpose, issued.code, by.locale);
    return issued;
  }

  /**
   * Checks the code the person typed (CodeError when it is not right), then goes on: the
   * second factor, the offer to register, or signed in (registering first on the
   * registration page).
   */
  async verifyCode(
    attempt: Attempt,
    entered: string,
    actor: Actor,
    loginChallenge: string | undefined,
  ): Promise<VerifiedOutcome> {
    const verified = await this.deps.codes.verify(attempt.code.id, entered.replace(/\s+/g, ''));
    const provedTag = this.deps.codes.proofTag(verified.destination);
    const proceeding = { ...attempt, code: verified };
    const account = await this.accountFor(verified);
    if (account) return { ...(await this.proceed(proceeding, account, actor, loginChallenge)), provedTag };
    if (verified.purpose !== 'register') return { next: 'no_account', destination: verified.destination, provedTag };
    const created = await this.register(verified, actor);
    return { ...(await this.proceed(proceeding, created, actor, loginChallenge)), provedTag };
  }

  /** The address is proved; the person chose, on the sign-in page, to create an account for it. */
  async confirmRegistration(
    attempt: Attempt | undefined,
    actor: Actor,
    loginChallenge: string | undefined,
  ): Promise<SignInOutcome> {
    if (!attempt?.code.verified_at) return { next: 'start_over' };
    const account = (await this.accountFor(attempt.code)) ?? (await this.register(attempt.code, actor));
    return this.proceed(attempt, account, actor, loginChallenge);
  }

  /** Whether the attempt has proved its address and waits for the second factor. */
  awaitsSecondFactor(attempt: Attempt | undefined): attempt is Attempt {
    return Boolean(attempt?.code.verified_at);
  }

  /**
   * The second factor after a proved address, under the account's guess limit
   * (second-factor.ts): `wrong_code` or `too_many_requests` when refused.
   */
  async checkSecondFactor(
    attempt: Attempt | undefined,
    entered: SecondFactorCode,
    actor: Actor,
    loginChallenge: string | undefined,
  ): Promise<SignInOutcome> {
    if (!this.awaitsSecondFactor(attempt)) return { next: 'start_over' };
    const account = await this.accountFor(attempt.code);
    if (!account) return { next: 'start_over' };
    await this.deps.secondFactor.check(actor, account.id, entered, 'sign_in');
    return this.finish(attempt, account, actor, loginChallenge, true);
  }

  private destinationOf(form: CodeRequest): { destination: string; channel: CodeChannel } {
    if (form.method === 'email') return { destination: normalizeEmail(form.email ?? ''), channel: 'email' };
    const destination = normalizePhone(form.phone ?? '', this.deps.config.defaultCountry);
    const whatsapp = form.channel === 'whatsapp' && this.deps.delivery.channels().includes('whatsapp');
    return { destination, channel: whatsapp ? 'whatsapp' : 'sms' };
  }

  /** This browser proved `destination`: by a remembered tag, or by the code it entered in this sign-in. */
  private proved(destination: string, tags: ReadonlySet<string>, current: OneTimeCode | undefined): boolean {
    if (current?.verified_at && current.destination === destination) return true;
    return tags.has(this.deps.codes.proofTag(destination));
  }

  private async deliver(to: string, channel: CodeChannel, purpose: SignInPurpose, code: string, locale: string) {
    const message = codeMessage(locale, { code, minutes: Math.round(this.deps.config.otpTtl / 60), purpose, channel });
    await this.deps.delivery.send({ channel, to, subject: message.subject, text: message.text });
  }

  private accountFor(code: OneTimeCode): Promise<Account | undefined> {
    const { accounts } = this.deps;
    return code.channel === 'email' ? accounts.findByEmail(code.destination) : accounts.findByPhone(code.destination);
  }

  private async register(code: OneTimeCode, actor: Actor): Promise<Account> {
    const account = await this.deps.accounts.register(
      code.channel === 'email' ? { email: code.destination } : { phone: code.destination },
    );
    await this.deps.events.emit({ type: 'account.created', accountId: account.id, via: code.channel }, actor);
    return account;
  }

  private proceed(attempt: Attempt, account: Account, actor: Actor, loginChallenge: string | undefined) {
    if (this.deps.totp.isEnabled(account)) return Promise.resolve<SignInOutcome>({ next: 'second_factor' });
    return this.finish(attempt, account, actor, loginChallenge, false);
  }

  /** Spends the code and signs the person in: answers the login request, or opens a login session. */
  private async finish(
    attempt: Attempt,
    account: Account,
    actor: Actor,
    loginChallenge: string | undefined,
    mfa: boolean,
  ): Promise<SignInOutcome> {
    const { codes, config } = this.deps;
    if (!(await codes.consume(attempt.code.id))) {
      throw new GatehouseError('code_used', 'This code was already used to sign in. Please start again.', { status: 409 });
    }
    // RFC 8176 method references: "sms" for a texted code, "otp" for a one-time code, "mfa" with TOTP.
    const amr = [...new Set([attempt.code.channel === 'email' ? 'otp' : 'sms', ...(mfa ? ['otp', 'mfa'] : [])])];
    const { remember } = attempt;
    if (loginChallenge) {
      const { redirect_to } = await this.deps.loginRequests.accept(actor, loginChallenge, {
        subject: account.id,
        remember,
        remember_for: remember ? config.loginSessionTtl : 0,
        amr,
        acr: mfa ? 'mfa' : '1',
      });
      return { next: 'signed_in', redirectTo: redirect_to };
    }
    const { cookie } = await this.deps.sessions.start(account.id, remember);
    return { next: 'session_started', session: cookie };
  }
}

const challengeHash = (challenge: string | undefined) => (challenge ? hashSecret(challenge) : null);
