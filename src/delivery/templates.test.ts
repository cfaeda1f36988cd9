import { describe, expect, it } from 'vitest';
import { codeMessage, supportedLocales } from './templates.js';

describe('codeMessage', () => {
  it('keeps SMS and WhatsApp to one short line', () => {
    for (const channel of ['sms', 'whatsapp'] as const) {
      const message = codeMessage('en', { code: '123456', minutes: 10, purpose: 'login', channel });
      expect(message.text).toBe('Your Gatehouse code is 123456. It expires in 10 minutes.');
      // One GSM-7 segment is 160 characters.
      expect(message.text.length).toBeLessThanOrEqual(160);
    }
  });

  it('writes an email with a subject that says why the code was sent', () => {
    const login = codeMessage('en', { code: '654321', minutes: 10, purpose: 'login', channel: 'email' });
    expect(login.subject).toBe('Your Gatehouse sign-in code');
    expect(login.text).toContain('\n\n654321\n\n');
    expect(login.text).toContain('It expires in 10 minutes.');

    const register = codeMessage('en', { code: '654321', minutes: 15, purpose: 'register', channel: 'email' });
    expect(register.subject).toBe('Your Gatehouse registration code');
    expect(register.text).toContain('finish creating your Gatehouse account');
    expect(register.text).toContain('15 minutes');
  });

  it('uses the singular for one minute', () => {
    expect(codeMessage('en', { code: '111111', minutes: 1, purpose: 'login', channel: 'sms' }).text).toBe(
      'Your Gatehouse code is 111111. It expires in 1 minute.',
    );
  });

  it('speaks French for any French tag, and English for a language it does not have', () => {
    expect(supportedLocales).toEqual(expect.arrayContaining(['en', 'fr']));
    for (const tag of ['fr', 'fr-CA', 'FR', 'fr_FR', ' fr ']) {
      expect(codeMessage(tag, { code: '123456', minutes: 10, purpose: 'login', channel: 'sms' }).text).toBe(
        'Votre code Gatehouse est 123456. Il expire dans 10 minutes.',
      );
    }
    const email = codeMessage('fr', { code: '123456', minutes: 1, purpose: 'register', channel: 'email' });
    expect(email.subject).toBe("Votre code d'inscription Gatehouse");
    expect(email.text).toContain('Il expire dans 1 minute.');

    // Names every plain object has are languages it does not have, too.
    for (const tag of ['de', 'xx-YY', '', '*', 'constructor', '__proto__', 'toString-US', 'hasOwnProperty', 'valueOf']) {
      expect(codeMessage(tag, { code: '123456', minutes: 10, purpose: 'login', channel: 'sms' }).text).toBe(
        'Your Gatehouse code is 123456. It expires in 10 minutes.',
      );
    }
  });
});
