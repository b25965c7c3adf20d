import { describe, expect, it } from 'vitest';
import { codexFailure, describeCrash, describeTurnFailure } from './codex-failure.js';

const context = {
  model: 'gpt-5.5',
  providerName: 'local',
  baseUrl: 'http://127.0.0.1:9/v1',
  keyVar: 'LOCAL_KEY',
};

describe('describeTurnFailure', () => {
  it.each([
    ['exceeded retry limit, last status: 429 Too Many Requests', 'rate-limiting'],
    ['unexpected status 401 Unauthorized: Incorrect API key provided', 'check the API key in LOCAL_KEY'],
    ['The model `gpt-9` does not exist', 'check agents.codex.model'],
    ['We’re currently experiencing high demand, which may cause temporary errors.', 'retry later'],
    ['stream disconnected before completion: stream closed before response.completed', 'broke off'],
    [
      'error sending request for url (http://127.0.0.1:9/v1/responses)',
      'cannot reach the provider at http://127.0.0.1:9/v1',
    ],
    [
      'unexpected status 502 Bad Gateway: gaffer sandbox: 127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9, url: http://127.0.0.1:9/v1/responses',
      'cannot reach the provider at http://127.0.0.1:9/v1',
    ],
    [
      'unexpected status 403 Forbidden: gaffer sandbox: api.example.com:443 is not in the allowlist.',
      "Gaffer's sandbox refused the connection",
    ],
  ])('explains %j', (message, hint) => {
    const described = describeTurnFailure(message, context);
    expect(described).toContain(
      `codex turn failed: ${message} (model gpt-5.5 provider local at http://127.0.0.1:9/v1)`,
    );
    expect(described).toContain(hint);
  });

  it('passes unknown failures through without a made-up hint', () => {
    expect(describeTurnFailure('something odd', {})).toBe('codex turn failed: something odd');
  });
});

describe('describeCrash', () => {
  it('keeps the exit status and the end of stderr, without codex chatter', () => {
    const error = new Error(
      'Codex Exec exited with code 1: Reading prompt from stdin...\nError loading config.toml: bad value\nin `model`\n',
    );
    expect(describeCrash(error, undefined, {})).toBe(
      'codex exited unexpectedly (code 1): Error loading config.toml: bad value\nin `model`',
    );
  });

  it('prefers the last stream error codex reported', () => {
    expect(describeCrash(new Error('Codex Exec exited with code 1: '), 'quota exceeded', {})).toMatch(
      /^codex turn failed: quota exceeded — the provider is rate-limiting/,
    );
  });

  it('reports other errors as they are', () => {
    expect(describeCrash(new Error('spawn /x/codex ENOENT'), undefined, {})).toBe(
      'codex failed: spawn /x/codex ENOENT',
    );
  });
});

describe('codexFailure', () => {
  it.each([
    ['exceeded retry limit, last status: 429 Too Many Requests', 'rate_limited', true],
    ['unexpected status 401 Unauthorized: Incorrect API key provided', 'auth', false],
    ['The model `gpt-9` does not exist', 'config', false],
    ['no rollout found for thread id 123', 'config', false],
    ['unexpected status 503 Service Unavailable', 'server_error', true],
    ['stream disconnected before completion', 'server_error', true],
    ['error sending request for url (http://127.0.0.1:9/v1/responses)', 'server_error', true],
    ['403 Forbidden: gaffer sandbox: api.example.com:443 is not in the allowlist.', 'config', false],
    ['spawn /x/codex ENOENT', 'binary_missing', false],
    ['something odd', 'crashed', true],
  ] as const)('types %j as %s', (text, kind, retryable) => {
    expect(codexFailure(text, `codex: ${text}`, context)).toMatchObject({
      kind,
      retryable,
      message: `codex: ${text}`,
    });
  });

  it('gives credential and config failures a hint', () => {
    expect(codexFailure('401 Unauthorized', 'x', context).hint).toBe(
      'check the API key in LOCAL_KEY (or run codex login)',
    );
    expect(codexFailure('429', 'x', context).hint).toBeUndefined();
  });
});
