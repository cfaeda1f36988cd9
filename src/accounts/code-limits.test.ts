import { describe, expect, it } from 'vitest';
import { defaultCodeLimits, judge, type PastCode, type Send } from './code-limits.js';

const now = Date.parse('2031-05-01T12:00:00Z');
const limits = defaultCodeLimits;

const send = (over: Partial<Send> = {}): Send => ({
  destination: 'owner@example.com',
  channel: 'email',
  network: '192.0.2.1',
  proved: false,
  captchaSolved: false,
  ...over,
});

/** A code sent `minutesAgo` minutes ago, still waiting to be entered unless said. */
const past = (minutesAgo: number, over: Partial<PastCode> = {}): PastCode => ({
  destination: 'owner@example.com',
  channel: 'email',
  network: '198.51.100.1',
  proved: false,
  createdAt: now - minutesAgo * 60_000,
  resendAfter: now - minutesAgo * 60_000 + 60_000,
  entered: false,
  ...over,
});

const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));

describe('judge', () => {
  it('sends a first email code without a captcha', () => {
    expect(judge(send(), [], limits, now)).toEqual({ kind: 'send' });
  });

  it("asks the owner for a captcha, never refuses them, over strangers' codes", () => {
    const strangers = times(50, (i) => past(2 + i / 60, { network: `198.51.100.${i}` }));
    expect(judge(send(), strangers, limits, now)).toEqual({ kind: 'captcha', reason: 'destination' });
    expect(judge(send({ captchaSolved: true }), strangers, limits, now)).toEqual({ kind: 'send' });
    expect(judge(send({ proved: true }), strangers, limits, now)).toEqual({ kind: 'send' });
  });

  it('keeps the cool-down to the network that asked', () => {
    const waiting = [past(0.5, { network: '198.51.100.9' })];
    expect(judge(send(), waiting, limits, now).kind).toBe('send');
    expect(judge(send({ network: '198.51.100.9' }), waiting, limits, now)).toEqual({
      kind: 'refuse',
      limit: 'cooldown',
      retryAfterSeconds: 30,
    });
  });

  it('does not count entered email codes, and counts every SMS one', () => {
    const entered = times(30, (i) => past(1 + i, { network: '192.0.2.1', entered: true }));
    expect(judge(send(), entered, limits, now)).toEqual({ kind: 'send' });
    const texts = times(5, (i) => past(1 + i, { destination: '+447911123456', channel: 'sms', entered: true }));
    expect(judge(send({ destination: '+447911123456', channel: 'sms', captchaSolved: true }), texts, limits, now)).toMatchObject({
      kind: 'refuse',
      limit: 'destination',
    });
  });

  it('keeps apart the SMS budgets of proved and unproved browsers', () => {
    const texts = times(5, (i) => past(1 + i, { destination: '+447911123456', channel: 'sms' }));
    const sms = send({ destination: '+447911123456', channel: 'sms', captchaSolved: true });
    expect(judge(sms, texts, limits, now).kind).toBe('refuse');
    expect(judge({ ...sms, proved: true }, texts, limits, now)).toEqual({ kind: 'send' });
  });

  it('always asks for the captcha before an SMS or WhatsApp code', () => {
    for (const channel of ['sms', 'whatsapp'] as const) {
      expect(judge(send({ channel, destination: '+447911123456', proved: true }), [], limits, now)).toEqual({
        kind: 'captcha',
        reason: 'channel',
      });
    }
  });

  it('refuses a network over its ceiling until the oldest counted code leaves the window', () => {
    const sprayed = times(20, (i) => past(50 - i, { destination: `x${i}@example.com`, network: '192.0.2.1' }));
    expect(judge(send({ captchaSolved: true }), sprayed, limits, now)).toEqual({
      kind: 'refuse',
      limit: 'network',
      retryAfterSeconds: 600,
    });
  });

  it('says the latest time when several limits hold', () => {
    const sprayed = times(20, (i) => past(1, { destination: `x${i}@example.com`, network: '192.0.2.1' }));
    const cooling = past(0.5, { network: '192.0.2.1' });
    expect(judge(send({ captchaSolved: true }), [...sprayed, cooling], limits, now)).toEqual({
      kind: 'refuse',
      limit: 'network',
      retryAfterSeconds: 3540,
    });
  });

  it('forgets codes older than the window', () => {
    const old = times(40, (i) => past(61 + i, { network: '192.0.2.1' }));
    expect(judge(send(), old, limits, now)).toEqual({ kind: 'send' });
  });

  it('applies no per-network limit when the network is unknown', () => {
    const others = times(30, (i) => past(1 + i, { destination: `x${i}@example.com`, network: null }));
    expect(judge(send({ network: null }), others, limits, now)).toEqual({ kind: 'send' });
  });
});
