/** Chooses the captcha from CAPTCHA (altcha, turnstile, hcaptcha, none). */
import type { Config } from '../config/config.js';
import type { Db } from '../db/database.js';
import { AltchaCaptcha, type AltchaOptions } from './altcha.js';
import type { Captcha } from './captcha.js';
import { NoCaptcha } from './none.js';
import { HCAPTCHA, SiteverifyCaptcha, TURNSTILE } from './siteverify.js';
import { UsedCaptchaStore } from './used-captchas.js';

export type CaptchaConfig = Pick<Config, 'captcha' | 'captchaSiteKey' | 'captchaSecret' | 'captchaVerifyUrl'>;

export interface CaptchaDeps {
  db: Db;
  /** Master secret (the first of SECRETS_SYSTEM): altcha derives its HMAC keys from it. */
  secret: string;
  now: () => number;
  /** The siteverify HTTP client; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Where a siteverify that cannot be reached is reported. */
  logger?: { warn(fields: Record<string, unknown>, message: string): void };
  /** altcha's difficulty and lifetime; the defaults suit production. */
  altcha?: Pick<AltchaOptions, 'cost' | 'counter' | 'ttlSeconds'>;
}

export function createCaptcha(config: CaptchaConfig, deps: CaptchaDeps): Captcha {
  switch (config.captcha) {
    case 'altcha':
      return new AltchaCaptcha({ ...deps.altcha, secret: deps.secret, store: new UsedCaptchaStore(deps.db), now: deps.now });
    case 'turnstile':
    case 'hcaptcha':
      // loadConfig has checked that the site key and secret are set for these two.
      return new SiteverifyCaptcha({
        vendor: config.captcha === 'turnstile' ? TURNSTILE : HCAPTCHA,
        siteKey: config.captchaSiteKey ?? '',
        secret: config.captchaSecret ?? '',
        verifyUrl: config.captchaVerifyUrl,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(deps.logger ? { logger: deps.logger } : {}),
      });
    case 'none':
      return new NoCaptcha();
  }
}
