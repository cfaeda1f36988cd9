/**
 * Cloudflare Turnstile and hCaptcha: the browser gets a token from the vendor's widget, and
 * the server asks the vendor's siteverify endpoint whether it is good. Both vendors refuse a
 * token the second time, so replay protection is theirs.
 */
import type { Captcha, CaptchaWidget } from './captcha.js';

export interface SiteverifyVendor {
  kind: 'turnstile' | 'hcaptcha';
  scriptUrl: string;
  verifyUrl: string;
  field: string;
}

export const TURNSTILE: SiteverifyVendor = {
  kind: 'turnstile',
  scriptUrl: 'https://challenges.cloudflare.com/turnstile/v0/api.js',
  verifyUrl: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
  field: 'cf-turnstile-response',
};

export const HCAPTCHA: SiteverifyVendor = {
  kind: 'hcaptcha',
  scriptUrl: 'https://js.hcaptcha.com/1/api.js',
  verifyUrl: 'https://api.hcaptcha.com/siteverify',
  field: 'h-captcha-response',
};

export interface SiteverifyOptions {
  vendor: SiteverifyVendor;
  siteKey: string;
  secret: string;
  /** Overrides the vendor's siteverify URL (CAPTCHA_VERIFY_URL). */
  verifyUrl?: string | undefined;
  fetch?: typeof fetch;
  logger?: { warn(fields: Record<string, unknown>, message: string): void };
  /** Milliseconds before the vendor is given up on (default 10 s). */
  timeoutMs?: number;
}

// Turnstile documents tokens of up to 2048 characters; hCaptcha's are of the same order.
// Anything far longer is not a token and is not worth a round trip.
const MAX_TOKEN_LENGTH = 8192;

export class SiteverifyCaptcha implements Captcha {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: SiteverifyOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  widget(): CaptchaWidget {
    const { vendor, siteKey } = this.options;
    return { kind: vendor.kind, scriptUrl: vendor.scriptUrl, siteKey, field: vendor.field };
  }

  async challenge(): Promise<undefined> {
    return undefined;
  }

  async verify(solution: string | undefined, remoteIp?: string): Promise<boolean> {
    if (!solution || solution.length > MAX_TOKEN_LENGTH) return false;
    const { vendor } = this.options;
    const form = new URLSearchParams({ secret: this.options.secret, response: solution });
    if (remoteIp) form.set('remoteip', remoteIp);
    // hCaptcha checks the token was issued for this site key when it is given.
    if (vendor.kind === 'hcaptcha') form.set('sitekey', this.options.siteKey);
    try {
      const response = await this.fetch(this.options.verifyUrl ?? vendor.verifyUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      const body = (await response.json().catch(() => undefined)) as { success?: unknown; 'error-codes'?: unknown } | undefined;
      if (!response.ok || body === undefined) {
        this.options.logger?.warn(
          { captcha: vendor.kind, status: response.status },
          'captcha: siteverify answered with an error',
        );
        return false;
      }
      // Only a literal true passes: a missing or malformed answer is a failure.
      return body.success === true;
    } catch (err) {
      // The vendor cannot be reached: the person is refused (fail closed) and can retry.
      this.options.logger?.warn(
        { captcha: vendor.kind, err: err instanceof Error ? err.message : String(err) },
        'captcha: siteverify request failed',
      );
      return false;
    }
  }
}
