import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { SecretBox } from '../crypto/encryption.js';
import { systemActor } from '../events/actor.js';
import { ATTEMPT_TTL_SECONDS, SocialLinks } from './social-links.js';

let clock = Date.parse('2031-03-01T10:00:00Z');
const box = new SecretBox(['a-system-secret-of-at-least-32-characters']);
const links = (env: Record<string, string> = {}) =>
  new SocialLinks({
    config: loadConfig({ LOG_LEVEL: 'silent', ...env }),
    box,
    // Linking itself is LinkedIdentities' (tested there); these tests stop before it.
    identities: { link: () => Promise.reject(new Error('not reached')), list: async () => [] },
    telegramLogins: { spend: async () => true },
    now: () => clock,
  });
const github = { CONNECTOR_GITHUB_CLIENT_ID: 'gh-client' };
const callback = 'https://id.example/ui/account/identities/github/callback';

describe('SocialLinks', () => {
  it('seals an attempt that opens only for its account, its kind, and for a while', async () => {
    const service = links(github);
    const { url, sealed } = await service.start('github', 'account-1', '/ui/consent?x=1', callback);
    expect(new URL(url).searchParams.get('redirect_uri')).toBe(callback);
    expect(service.recall('github', sealed, 'account-1')).toMatchObject({ accountId: 'account-1', returnTo: '/ui/consent?x=1' });
    expect(service.recall('github', sealed, 'account-2')).toBeUndefined();
    expect(service.recall('discord', sealed, 'account-1')).toBeUndefined();
    expect(service.recall('github', `${sealed.slice(0, -2)}xx`, 'account-1')).toBeUndefined();
    expect(service.recall('github', 'not sealed at all', 'account-1')).toBeUndefined();
    clock += (ATTEMPT_TTL_SECONDS + 1) * 1000;
    expect(service.recall('github', sealed, 'account-1')).toBeUndefined();
  });

  it('refuses what this server does not offer, and a callback without its attempt', async () => {
    await expect(links().start('discord', 'account-1', undefined, callback)).rejects.toMatchObject({
      error: 'not_available',
      status: 404,
    });
    await expect(links().startTelegram('account-1', undefined)).rejects.toMatchObject({ error: 'not_available' });
    const lost = links(github).finish(systemActor(), 'github', undefined, new URLSearchParams(), callback);
    await expect(lost).rejects.toMatchObject({ error: 'invalid_state', status: 400 });
  });

  it('says a refusal at the provider in its own code, with what the provider said only in debug', async () => {
    const service = links(github);
    const { sealed } = await service.start('github', 'account-1', undefined, callback);
    const attempt = service.recall('github', sealed, 'account-1');
    const denied = new URLSearchParams({
      error: 'access_denied',
      error_description: 'the user said no',
      state: attempt?.state ?? '',
    });
    await expect(service.finish(systemActor(), 'github', attempt, denied, callback)).rejects.toMatchObject({
      error: 'access_denied',
      status: 403,
      debug: 'the user said no',
      description: expect.stringContaining('nothing was linked'),
    });
  });
});
