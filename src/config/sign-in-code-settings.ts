/**
 * One-time sign-in codes: how they are delivered (SMTP, Twilio SMS and WhatsApp, else the dev
 * outbox), the captcha asked before a send, and how long they last and how many may be sent.
 */
import { ConfigError } from './config-error.js';
import { oneOf, seconds, secondsUpTo, setting, str, url, wholeNumber } from './parsers.js';

export const signInCodeSettings = {
  smtpUrl: setting({
    env: 'SMTP_URL',
    default: undefined,
    description: 'SMTP server for email (e.g. `smtps://user:pass@smtp.example.com:465`). Unset: emails go to the dev outbox.',
    parse: (raw, variable) => {
      if (!/^smtps?:\/\//.test(raw)) throw new ConfigError(variable, 'must be an smtp:// or smtps:// URL');
      return raw;
    },
  }),
  smtpFrom: setting({
    env: 'SMTP_FROM',
    default: 'Gatehouse <no-reply@localhost>',
    description: 'Sender of the emails Gatehouse sends.',
    parse: str,
  }),
  smsProvider: setting({
    env: 'SMS_PROVIDER',
    default: undefined,
    description: '`twilio` to send SMS (and WhatsApp) through Twilio. Unset: messages go to the dev outbox.',
    parse: oneOf('twilio'),
  }),
  twilioAccountSid: setting({ env: 'TWILIO_ACCOUNT_SID', default: undefined, description: 'Twilio account SID.', parse: str }),
  twilioAuthToken: setting({ env: 'TWILIO_AUTH_TOKEN', default: undefined, description: 'Twilio auth token.', parse: str }),
  twilioFrom: setting({
    env: 'TWILIO_FROM',
    default: undefined,
    description: 'Sender of SMS: a Twilio phone number (E.164) or messaging service SID (`MG…`).',
    parse: str,
  }),
  twilioWhatsappFrom: setting({
    env: 'TWILIO_WHATSAPP_FROM',
    default: undefined,
    description: 'WhatsApp sender number (E.164). Set it to offer WhatsApp delivery.',
    parse: str,
  }),
  twilioApiUrl: setting({
    env: 'TWILIO_API_URL',
    default: 'https://api.twilio.com',
    description: 'Base URL of the Twilio API (overridable for tests and proxies).',
    parse: url,
  }),
  captcha: setting({
    env: 'CAPTCHA',
    default: 'altcha',
    description:
      'Captcha before any SMS or WhatsApp send: `altcha` (self-hosted proof of work), `turnstile`, `hcaptcha`, or `none` (development only).',
    parse: oneOf('altcha', 'turnstile', 'hcaptcha', 'none'),
  }),
  captchaSiteKey: setting({
    env: 'CAPTCHA_SITE_KEY',
    default: undefined,
    description: 'Turnstile / hCaptcha site key.',
    parse: str,
  }),
  captchaSecret: setting({
    env: 'CAPTCHA_SECRET',
    default: undefined,
    description: 'Turnstile / hCaptcha secret key.',
    parse: str,
  }),
  captchaVerifyUrl: setting({
    env: 'CAPTCHA_VERIFY_URL',
    default: undefined,
    description: 'Override of the Turnstile / hCaptcha siteverify URL (tests, proxies).',
    parse: url,
  }),
  otpTtl: setting({
    env: 'TTL_LOGIN_CODE',
    default: '10m',
    description: 'How long a one-time login code is valid.',
    parse: seconds,
  }),
  otpMaxAttempts: setting({
    env: 'LOGIN_CODE_MAX_ATTEMPTS',
    default: '5',
    description: 'Wrong tries before a one-time code is void.',
    parse: (raw, variable) => {
      if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 20)
        throw new ConfigError(variable, 'must be a whole number from 1 to 20');
      return Number(raw);
    },
  }),
  otpResendCooldown: setting({
    env: 'LOGIN_CODE_RESEND_COOLDOWN',
    default: '60s',
    description:
      'How long before another code can be sent to the same address from the same network (while the last one is still waiting to be entered).',
    parse: seconds,
  }),
  otpLimitWindow: setting({
    env: 'LOGIN_CODE_LIMIT_WINDOW',
    default: '1h',
    description: 'The sliding window over which the one-time code limits below count (at most `1d`).',
    parse: secondsUpTo(86_400),
  }),
  otpCaptchaPerDestination: setting({
    env: 'LOGIN_CODE_CAPTCHA_PER_DESTINATION',
    default: '3',
    description:
      'Codes still waiting to be entered for one address, asked from anywhere within the window, after which an email code too needs the captcha (step-up, never a refusal). A browser that proved the address is not asked. SMS and WhatsApp always need it.',
    parse: wholeNumber(0, 1000),
  }),
  otpCaptchaPerNetwork: setting({
    env: 'LOGIN_CODE_CAPTCHA_PER_NETWORK',
    default: '5',
    description:
      'Codes still waiting to be entered, asked from one network (an IPv4 address or an IPv6 prefix, see `RATE_LIMIT_IPV6_PREFIX`) within the window, after which every send from it needs the captcha.',
    parse: wholeNumber(0, 1000),
  }),
  otpMaxPerNetwork: setting({
    env: 'LOGIN_CODE_MAX_PER_NETWORK',
    default: '20',
    description:
      'Hard ceiling on codes sent at the request of one network within the window, captcha or not: those still waiting to be entered, and every SMS or WhatsApp one (they cost money). Entered email codes do not count.',
    parse: wholeNumber(1, 100_000),
  }),
  otpMaxSmsPerDestination: setting({
    env: 'LOGIN_CODE_MAX_SMS_PER_DESTINATION',
    default: '5',
    description:
      'Hard ceiling on SMS and WhatsApp codes to one phone number within the window (SMS pumping). Browsers that proved the number have a budget of their own, so strangers cannot use it up.',
    parse: wholeNumber(1, 1000),
  }),
  otpRememberAddress: setting({
    env: 'LOGIN_CODE_REMEMBER_ADDRESS',
    default: '30d',
    description:
      'How long a browser that entered a code for an address is let past the limits that others can run up on that address (a signed cookie).',
    parse: secondsUpTo(400 * 86_400),
  }),
  defaultCountry: setting({
    env: 'DEFAULT_COUNTRY',
    default: undefined,
    description: 'ISO country (e.g. `US`) for phone numbers typed without a `+` prefix.',
    parse: (raw, variable) => {
      if (!/^[A-Z]{2}$/.test(raw)) throw new ConfigError(variable, 'must be a two-letter ISO country code such as US');
      return raw;
    },
  }),
};
