import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactStateRecords } from './redact-state.js';

const KEY_LINES = ['MIIEowIBAAKCAQEAr2j3vQ8Qm1dYb0x7Tq9cQw', 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA'];
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${KEY_LINES.join('\n')}\n-----END RSA PRIVATE KEY-----`;

describe('redacting an agent CLI’s session records', () => {
  it('cuts printed keys and known values from every JSON line and keeps each line valid JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gaffer-redact-state-'));
    mkdirSync(join(dir, 'projects', 'x'), { recursive: true });
    const file = join(dir, 'projects', 'x', 'session.jsonl');
    const lines = [
      JSON.stringify({ type: 'user', content: [{ type: 'tool_result', content: `${PEM}\nok` }] }),
      JSON.stringify({
        type: 'assistant',
        text: 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY',
      }),
      JSON.stringify({ type: 'assistant', text: 'the token is tok-0123456789abcdef' }),
      'not json: postgres://app:hunter2hunter2@db.internal/app',
      '',
    ];
    writeFileSync(file, lines.join('\n'));
    await redactStateRecords(dir, ['tok-0123456789abcdef'], 0);
    const text = readFileSync(file, 'utf8');
    for (const secret of [
      ...KEY_LINES,
      'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY',
      'tok-0123456789abcdef',
      'hunter2hunter2',
    ])
      expect(text).not.toContain(secret);
    const [first, second, third] = text.split('\n');
    expect(JSON.parse(first ?? '')).toMatchObject({ type: 'user' });
    expect(JSON.parse(second ?? '')).toMatchObject({ type: 'assistant' });
    expect(JSON.parse(third ?? '')).toMatchObject({ text: 'the token is [REDACTED]' });
  });

  it('leaves records older than the session alone, and files that are not records', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gaffer-redact-state-'));
    const old = join(dir, 'old.jsonl');
    const other = join(dir, 'notes.txt');
    writeFileSync(old, JSON.stringify({ text: 'tok-0123456789abcdef' }));
    writeFileSync(other, 'tok-0123456789abcdef');
    utimesSync(old, new Date(1_000_000), new Date(1_000_000));
    await redactStateRecords(dir, ['tok-0123456789abcdef'], Date.now() - 60_000);
    expect(readFileSync(old, 'utf8')).toContain('tok-0123456789abcdef');
    expect(readFileSync(other, 'utf8')).toContain('tok-0123456789abcdef');
  });
});
