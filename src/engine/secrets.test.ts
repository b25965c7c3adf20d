import { describe, expect, it } from 'vitest';
import { configuredKeyValues, knownSecretValues } from './secrets.js';

describe('knownSecretValues', () => {
  it('takes the values of variables whose names look secret', () => {
    const values = knownSecretValues({
      MY_SERVICE_PASSWORD: 'correct-horse-battery',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      GITHUB_TOKEN: 'ghp_abcdefghijklmnopqrstuvwxyz0123',
      STRIPE_KEY: 'rk_test_51Habcdefgh',
      X_AUTH: 'opaque-auth-value',
      HOME: '/home/someone',
      GIT_AUTHOR_NAME: 'Jane Developer',
      XDG_SESSION_TYPE: 'wayland-session',
      KEYMAP: 'us-international',
    });
    expect(values.sort()).toEqual(
      [
        'correct-horse-battery',
        'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        'ghp_abcdefghijklmnopqrstuvwxyz0123',
        'rk_test_51Habcdefgh',
        'opaque-auth-value',
      ].sort(),
    );
  });

  it('takes the password of a URL with credentials, whatever the variable is called, also decoded', () => {
    const values = knownSecretValues({
      DATABASE_URL: 'postgres://app:s3cr%40t-pass@db:5432/app',
      UPSTREAM: 'see https://bot:hunter2hunter2@git.example/o/r',
      PLAIN_URL: 'https://example.com/x',
    });
    expect(values.sort()).toEqual(['hunter2hunter2', 's3cr%40t-pass', 's3cr@t-pass'].sort());
  });

  it('adds the configured keys, leaves out values too short to mask, and puts the longest first', () => {
    const values = knownSecretValues({ TOKENIZERS_PARALLELISM: 'false', API_KEY: 'abcdefgh' }, [
      'abcdefgh-longer',
      'short',
    ]);
    expect(values).toEqual(['abcdefgh-longer', 'abcdefgh']);
  });

  it('leaves out variables that point at a secret rather than hold one', () => {
    expect(
      knownSecretValues({
        SSH_AUTH_SOCK: '/tmp/ssh-XXXX/agent.123',
        GITHUB_TOKEN_FILE: '/run/secrets/github-token',
        GOOGLE_APPLICATION_CREDENTIALS: '/home/me/.config/gcloud/key.json',
      }),
    ).toEqual([]);
  });
});

describe('configuredKeyValues', () => {
  it('reads the variables named by api_key_env and a provider’s env_key, whatever they are called', () => {
    const env = { LOCAL_LLM: 'local-provider-7f3a9c2e1b', GATEWAY: 'gateway-key-1234', OTHER: 'x' };
    expect(configuredKeyValues({ api_key_env: 'LOCAL_LLM', provider: { env_key: 'GATEWAY' } }, env)).toEqual([
      'local-provider-7f3a9c2e1b',
      'gateway-key-1234',
    ]);
    expect(configuredKeyValues({ api_key_env: 'MISSING' }, env)).toEqual([]);
  });
});
