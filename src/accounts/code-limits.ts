/**
 * The send limits on one-time codes: when a code may go out, when the captcha must come
 * first (step-up), and when the answer is no. A pure function of the codes already in the
 * window, so it is tested without a database and holds the same on every node.
 *
 * The old rule (five codes an hour per address, then "try again in 55 minutes") let anyone
 * lock a person out of signing in: five requests for their address, from anywhere. The
 * rules below are built so that what a stranger can run up on someone's address costs the
 * person at most a captcha, while what costs the operator money (SMS, WhatsApp) stays under
 * hard ceilings.
 *
 * Who asks. Each send is counted under the network that asked (an IPv4 address, or an IPv6
 * address by its /64, RATE_LIMIT_IPV6_PREFIX: addressBucket) and, when the browser carries a
 * signed cookie saying it entered a code for this destination before (or did so earlier in
 * this flow), as "proved".
 *
 * What counts. Codes that were entered do not count towards anything except the SMS and
 * WhatsApp ceilings: a person who got the code evidently owns the address, and a developer
 * signing in again and again is not flooding anyone. SMS and WhatsApp sends always count,
 * entered or not, because the owner of a premium-rate number can enter its codes too.
 *
 * Refused (hard), whatever the captcha says:
 * - cool-down: another code to the same destination from the same network while the last
 *   one from there is still waiting (LOGIN_CODE_RESEND_COOLDOWN). Per network, so a stranger
 *   asking every minute does not hold the person's own request back.
 * - per network: LOGIN_CODE_MAX_PER_NETWORK counted codes from one network (spraying
 *   addresses from one place, SMS pumping from one place).
 * - per phone number: LOGIN_CODE_MAX_SMS_PER_DESTINATION SMS / WhatsApp codes to one number,
 *   counted apart for proved and unproved browsers, so a stranger can use up only the
 *   unproved budget and the total stays bounded at twice the setting.
 *
 * Captcha first (step-up), never a refusal:
 * - every SMS and WhatsApp send (as before);
 * - an email send once the destination has LOGIN_CODE_CAPTCHA_PER_DESTINATION codes waiting
 *   from anyone (not asked of a proved browser): a stranger's requests make the person solve
 *   a captcha, no more;
 * - any send once its network has LOGIN_CODE_CAPTCHA_PER_NETWORK codes waiting.
 *
 * A refusal's retry time is when every broken limit allows the send again, so "try again in
 * N minutes" is true. What is left: a stranger can flood an inbox at one code a minute per
 * network they control, each after a captcha; a person who shares a network with an attacker
 * (a carrier NAT) shares its ceiling unless their browser has proved the address.
 */
import type { Config } from '../config/config.js';
import type { CodeChannel } from '../db/schema.js';

export interface CodeLimits {
  /** The sliding window every count below covers. */
  windowSeconds: number;
  /** Codes waiting for one destination after which an email send needs the captcha. */
  captchaPerDestination: number;
  /** Codes waiting from one network after which any send needs the captcha. */
  captchaPerNetwork: number;
  /** Counted codes from one network: a hard ceiling. */
  maxPerNetwork: number;
  /** SMS / WhatsApp codes to one number, per proved / unproved budget: a hard ceiling. */
  maxSmsPerDestination: number;
}

export const defaultCodeLimits: CodeLimits = {
  windowSeconds: 3600,
  captchaPerDestination: 3,
  captchaPerNetwork: 5,
  maxPerNetwork: 20,
  maxSmsPerDestination: 5,
};

export type CodeLimitsConfig = Pick<
  Config,
  'otpLimitWindow' | 'otpCaptchaPerDestination' | 'otpCaptchaPerNetwork' | 'otpMaxPerNetwork' | 'otpMaxSmsPerDestination'
>;

export function codeLimitsFrom(config: CodeLimitsConfig): CodeLimits {
  return {
    windowSeconds: config.otpLimitWindow,
    captchaPerDestination: config.otpCaptchaPerDestination,
    captchaPerNetwork: config.otpCaptchaPerNetwork,
    maxPerNetwork: config.otpMaxPerNetwork,
    maxSmsPerDestination: config.otpMaxSmsPerDestination,
  };
}

/** SMS and WhatsApp messages cost the operator money; email does not. */
export const isPaid = (channel: CodeChannel): boolean => channel !== 'email';

/** The send being judged. */
export interface Send {
  destination: string;
  channel: CodeChannel;
  /** addressBucket of the client; null when unknown (then no per-network limit applies). */
  network: string | null;
  /** The browser proved this destination before. */
  proved: boolean;
  /** A captcha was solved for this very request. */
  captchaSolved: boolean;
}

/** A code already in the window, to the same destination or from the same network. */
export interface PastCode {
  destination: string;
  channel: CodeChannel;
  network: string | null;
  proved: boolean;
  createdAt: number;
  resendAfter: number;
  /** Entered (verified) or spent. */
  entered: boolean;
}

export type HardLimit = 'cooldown' | 'network' | 'destination';

export type Verdict =
  | { kind: 'send' }
  | { kind: 'captcha'; reason: 'channel' | 'destination' | 'network' }
  | { kind: 'refuse'; limit: HardLimit; retryAfterSeconds: number };

/** What the limits say about `send`, given the other codes of the window and the time. */
export function judge(send: Send, past: readonly PastCode[], limits: CodeLimits, now: number): Verdict {
  const windowMs = limits.windowSeconds * 1000;
  const inWindow = past.filter((c) => c.createdAt > now - windowMs);
  const toHere = inWindow.filter((c) => c.destination === send.destination);
  const fromHere = send.network === null ? [] : inWindow.filter((c) => c.network === send.network);
  const counted = (c: PastCode) => !c.entered || isPaid(c.channel);

  // Hard limits: the first time at which each broken one allows the send; the latest wins.
  const refusals: { limit: HardLimit; at: number }[] = [];
  const cooling = toHere.filter((c) => c.network === send.network && !c.entered && c.resendAfter > now);
  if (cooling.length > 0) refusals.push({ limit: 'cooldown', at: Math.max(...cooling.map((c) => c.resendAfter)) });
  const networkAt = freeAt(fromHere.filter(counted), limits.maxPerNetwork, windowMs);
  if (networkAt !== undefined) refusals.push({ limit: 'network', at: networkAt });
  if (isPaid(send.channel)) {
    const budget = toHere.filter((c) => isPaid(c.channel) && c.proved === send.proved);
    const destinationAt = freeAt(budget, limits.maxSmsPerDestination, windowMs);
    if (destinationAt !== undefined) refusals.push({ limit: 'destination', at: destinationAt });
  }
  if (refusals.length > 0) {
    const last = refusals.reduce((a, b) => (b.at > a.at ? b : a));
    return { kind: 'refuse', limit: last.limit, retryAfterSeconds: Math.max(1, Math.ceil((last.at - now) / 1000)) };
  }

  if (send.captchaSolved) return { kind: 'send' };
  if (isPaid(send.channel)) return { kind: 'captcha', reason: 'channel' };
  if (!send.proved && toHere.filter((c) => !c.entered).length >= limits.captchaPerDestination) {
    return { kind: 'captcha', reason: 'destination' };
  }
  if (fromHere.filter((c) => !c.entered).length >= limits.captchaPerNetwork) return { kind: 'captcha', reason: 'network' };
  return { kind: 'send' };
}

/**
 * When a window holding `codes` has room for one more under `max`: undefined if it has room
 * now, else the moment enough of the oldest have left it.
 */
function freeAt(codes: readonly PastCode[], max: number, windowMs: number): number | undefined {
  if (codes.length < max) return undefined;
  const times = codes.map((c) => c.createdAt).sort((a, b) => a - b);
  return (times[times.length - max] as number) + windowMs;
}
