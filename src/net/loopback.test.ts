import { describe, expect, it } from 'vitest';
import { isLocalMachineHost, isLoopbackIpLiteral, isLoopbackRedirectHost } from './loopback.js';

const hostnameOf = (url: string) => new URL(url).hostname;

describe('loopback hosts', () => {
  it('takes only the two IP literals for a redirect URI whose port may vary (RFC 8252 section 7.3)', () => {
    expect(isLoopbackIpLiteral(hostnameOf('http://127.0.0.1:5000/cb'))).toBe(true);
    expect(isLoopbackIpLiteral(hostnameOf('http://[::1]:5000/cb'))).toBe(true);
    expect(isLoopbackIpLiteral(hostnameOf('http://127.1/cb'))).toBe(true);
    expect(isLoopbackIpLiteral(hostnameOf('http://localhost:5000/cb'))).toBe(false);
    expect(isLoopbackIpLiteral(hostnameOf('http://127.0.0.2/cb'))).toBe(false);
  });

  it('lets a redirect URI use http on localhost too, and nowhere else', () => {
    expect(isLoopbackRedirectHost('localhost')).toBe(true);
    expect(isLoopbackRedirectHost('127.0.0.1')).toBe(true);
    expect(isLoopbackRedirectHost('[::1]')).toBe(true);
    expect(isLoopbackRedirectHost('127.0.0.2')).toBe(false);
    expect(isLoopbackRedirectHost('localhost.example.com')).toBe(false);
  });

  it('counts the whole of 127.0.0.0/8 as this machine for an upstream', () => {
    expect(isLocalMachineHost(hostnameOf('http://127.0.0.2:8080'))).toBe(true);
    expect(isLocalMachineHost(hostnameOf('http://127.255.0.1'))).toBe(true);
    expect(isLocalMachineHost(hostnameOf('http://localhost:8080'))).toBe(true);
    expect(isLocalMachineHost(hostnameOf('http://[::1]:8080'))).toBe(true);
    expect(isLocalMachineHost(hostnameOf('http://128.0.0.1'))).toBe(false);
    expect(isLocalMachineHost(hostnameOf('http://127.0.0.1.example.com'))).toBe(false);
  });
});
