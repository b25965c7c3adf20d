import { describe, expect, it } from 'vitest';
import { verifierEnv } from './child-env.js';

describe('verifierEnv', () => {
  it('keeps the user’s environment but not the store’s URL, secrets by name, or URLs with credentials', () => {
    const env = verifierEnv({
      PATH: '/usr/bin',
      NODE_ENV: 'test',
      GAFFER_DB: 'postgres://gaffer@db/gaffer',
      GITHUB_TOKEN: 'ghp_x',
      REDIS_URL: 'redis://default:hunter2@cache:6379',
      PUBLIC_URL: 'https://example.invalid/app',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      NODE_ENV: 'test',
      PUBLIC_URL: 'https://example.invalid/app',
      CI: 'true',
    });
  });
});
