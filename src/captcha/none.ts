/** The `none` captcha: for development only; every verification passes. */
import type { Captcha, CaptchaWidget } from './captcha.js';

export class NoCaptcha implements Captcha {
  widget(): CaptchaWidget {
    return { kind: 'none', field: 'captcha' };
  }

  async challenge(): Promise<undefined> {
    return undefined;
  }

  async verify(): Promise<boolean> {
    return true;
  }
}
