import { describe, expect, it } from 'vitest';
import { isLocalMachineHost, isLoopbackIpLiteral, isLoopbackRedirectHost } from './loopback.js';

// Each host as the URL parser leaves it: `127.1` is spelled out, IPv6 keeps its brackets.
const hosts = ['127.0.0.1', '127.1', '[::1]', 'localhost', '127.0.0.2', '127.255.0.1', '128.0.0.1', '127.0.0.1.example.com'];
const hostnameOf = (host: string) => new URL(`http://${host}:8080/cb`).hostname;

/** Which of `hosts` a rule takes. */
const taken = (rule: (hostname: string) => boolean) => hosts.filter((host) => rule(hostnameOf(host)));

describe('loopback hosts', () => {
  it('a redirect URI whose port may vary names one of the two IP literals (RFC 8252 section 7.3)', () => {
    expect(taken(isLoopbackIpLiteral)).toEqual(['127.0.0.1', '127.1', '[::1]']);
  });

  it('a redirect URI may use http on those and on localhost, and nowhere else', () => {
    expect(taken(isLoopbackRedirectHost)).toEqual(['127.0.0.1', '127.1', '[::1]', 'localhost']);
  });

  it('an upstream is this machine anywhere in 127.0.0.0/8', () => {
    expect(taken(isLocalMachineHost)).toEqual(['127.0.0.1', '127.1', '[::1]', 'localhost', '127.0.0.2', '127.255.0.1']);
  });
});
