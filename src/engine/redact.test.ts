import { describe, expect, it } from 'vitest';
import { redactDeep, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it.each([
    ['key sk-ant-api03-abcdefghijklmnopqrstu', 'key sk-ant-[REDACTED]'],
    ['OPENAI sk-proj-ABCDEFGHIJKLMNOPQRSTUV', 'OPENAI sk-proj-[REDACTED]'],
    ['token ghp_abcdefghijklmnopqrstuvwxyz0123', 'token ghp_[REDACTED]'],
    ['aws AKIAABCDEFGHIJKLMNOP here', 'aws AKIA[REDACTED] here'],
    ['{"api_key": "abcd1234efgh5678"}', '{"api_key": "[REDACTED]"}'],
    ['Authorization: Bearer abcdefghijklmnop', 'Authorization: Bearer [REDACTED]'],
  ])('redacts %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('redacts a whole private key block', () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----';
    expect(redactSecrets(`before\n${key}\nafter`)).toBe('before\n[REDACTED]\nafter');
  });

  it('leaves ordinary text alone', () => {
    const text = 'wrote src/skip.ts; tokens used: 120';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('redactDeep', () => {
  it('redacts strings anywhere in an event, so JSON quoting cannot hide or break them', () => {
    const event = {
      type: 'tool_call',
      input: {
        command: 'curl -H "Authorization: Bearer abcdef123456" https://x',
        body: '{"password": "hunter2hunter2"}',
      },
    };
    const line = JSON.stringify(redactDeep(event));
    expect(JSON.parse(line)).toEqual({
      type: 'tool_call',
      input: {
        command: 'curl -H "Authorization: Bearer [REDACTED]" https://x',
        body: '{"password": "[REDACTED]"}',
      },
    });
  });

  it('stops a key=value secret at an escaped newline', () => {
    expect(redactSecrets('TOKEN=abcdefgh1234\\nnext')).toBe('TOKEN=[REDACTED]\\nnext');
  });
});
