import { describe, expect, it } from 'vitest';
import { PRESETS, readOidcUser } from './presets.js';

describe('presets read each provider’s user API', () => {
  it('GitHub: the numeric id as a string, login as the username', () => {
    expect(PRESETS.github.readUser({ login: 'octocat', id: 583231, name: 'The Octocat', site_admin: false })).toEqual({
      id: '583231',
      username: 'octocat',
      details: { name: 'The Octocat' },
    });
    expect(PRESETS.github.readUser({ login: 'ghost', id: 10137, name: null })?.details).toEqual({});
  });

  it('Discord: the snowflake id, the unique username, global_name for display', () => {
    expect(
      PRESETS.discord.readUser({ id: '80351110224678912', username: 'nelly', discriminator: '0', global_name: 'Nelly' }),
    ).toEqual({
      id: '80351110224678912',
      username: 'nelly',
      details: { name: 'Nelly' },
    });
  });

  it('X: the user under data', () => {
    expect(PRESETS.twitter.readUser({ data: { id: '2244994945', name: 'X Dev', username: 'TwitterDev' } })).toEqual({
      id: '2244994945',
      username: 'TwitterDev',
      details: { name: 'X Dev' },
    });
  });

  it.each([
    ['github', { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' }],
    ['github', { login: 'x', id: 1.5 }],
    ['github', { login: '', id: 3 }],
    ['discord', { message: '401: Unauthorized', code: 0 }],
    ['discord', { id: 12, username: 'n' }],
    ['twitter', { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' }],
    ['twitter', { errors: [{ message: 'x' }] }],
    ['twitter', null],
    ['twitter', ['data']],
  ] as const)('%s: an answer that names nobody is no user', (kind, body) => {
    expect(PRESETS[kind].readUser(body)).toBeUndefined();
  });

  it('OIDC: sub as the id; preferred_username, else name, else email, else sub as the name', () => {
    expect(readOidcUser({ sub: 's1', preferred_username: 'p', name: 'N', email: 'e@x' })).toMatchObject({
      id: 's1',
      username: 'p',
    });
    expect(readOidcUser({ sub: 's1', name: 'N', email: 'e@x' })?.username).toBe('N');
    expect(readOidcUser({ sub: 's1', email: 'e@x' })?.username).toBe('e@x');
    expect(readOidcUser({ sub: 's1' })?.username).toBe('s1');
    expect(readOidcUser({ preferred_username: 'p' })).toBeUndefined();
  });
});
