import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact.js';

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
