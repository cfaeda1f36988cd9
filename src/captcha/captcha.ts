/**
 * Contract: the captcha asked before any SMS or WhatsApp send. `altcha` is self-hosted proof
 * of work (works offline); `turnstile` and `hcaptcha` verify with their siteverify APIs;
 * `none` is for development.
 */
export interface CaptchaWidget {
  kind: 'altcha' | 'turnstile' | 'hcaptcha' | 'none';
  /** Script the page loads (served by Gatehouse for altcha; the vendor's for the others). */
  scriptUrl?: string;
  siteKey?: string;
  /** altcha: where the widget fetches its challenge. */
  challengeUrl?: string;
  /** Name of the form field that carries the solution. */
  field: string;
}

export interface Captcha {
  widget(): CaptchaWidget;
  /** A fresh altcha challenge (JSON for the widget); undefined for other providers. */
  challenge(): Promise<unknown | undefined>;
  /** True when the solution is valid and has not been used before. */
  verify(solution: string | undefined, remoteIp?: string): Promise<boolean>;
}
