import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentEvent } from '../domain/index.js';
import { knownSecretValues } from './secrets.js';
import { KEY_HOLD_LIMITS, readTranscript, TranscriptWriter } from './transcript.js';

const limits = { headBytes: 16 * 1024, tailBytes: 4 * 1024 };

describe('TranscriptWriter', () => {
  it('keeps the head and the tail of a huge transcript, and says how much it left out', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gaffer-transcript-')), 'attempts', 'a.jsonl');
    const writer = new TranscriptWriter(path, limits);
    const filler = 'x'.repeat(200);
    for (let i = 0; i < 5000; i++) await writer.write({ type: 'text', text: `line ${i} ${filler}` });
    await writer.flush();

    // About a megabyte went in; the file holds the head, the note and the tail.
    expect(statSync(path).size).toBeLessThan(limits.headBytes + limits.tailBytes + 1024);
    const lines = await readTranscript(path);
    const texts = lines.map((l) => (l.event.type === 'text' ? l.event.text : ''));
    expect(texts[0]).toMatch(/^line 0 /);
    expect(texts.at(-1)).toMatch(/^line 4999 /);
    const note = texts.find((t) => t.startsWith('[gaffer:'));
    expect(note).toMatch(/bytes in \d+ lines of this transcript were left out/);
    const kept = texts.filter((t) => t.startsWith('line ')).map((t) => Number(t.split(' ')[1]));
    // In order, no line twice, and the gap is exactly where the note says.
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(new Set(kept).size).toBe(kept.length);
    const omitted = Number(/in (\d+) lines/.exec(note ?? '')?.[1]);
    expect(kept.length + omitted).toBe(5000);
  });

  it('writes a small transcript whole, with secrets redacted', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gaffer-transcript-')), 'b.jsonl');
    const writer = new TranscriptWriter(path, limits);
    await writer.write({ type: 'text', text: 'key sk-ant-abcdefghijklmnopqrstuvwx' });
    await writer.write({ type: 'tool_call', name: 'Bash', input: { command: 'ls' } });
    await writer.flush();
    const lines = await readTranscript(path);
    expect(lines.map((l) => l.event)).toEqual([
      { type: 'text', text: 'key sk-ant-[REDACTED]' },
      { type: 'tool_call', name: 'Bash', input: { command: 'ls' } },
    ]);
  });
});

describe('TranscriptWriter and the agent’s own keys', () => {
  it('masks a key by its value, whatever its shape', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gaffer-transcript-')), 'c.jsonl');
    const key = 'local-provider-7f3a9c2e1b';
    const writer = new TranscriptWriter(path, limits, [key]);
    await writer.write({ type: 'tool_result', output: `env: MY_PROVIDER_KEY=${key}` });
    await writer.flush();
    const [line] = await readTranscript(path);
    expect(line?.event).toEqual({ type: 'tool_result', output: 'env: MY_PROVIDER_KEY=[REDACTED]' });
  });
});

describe('TranscriptWriter and secrets spread over several records', () => {
  const body = [
    'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
    'QyNTUxOQAAACDx0kq4Ygqm9GcXQKkqkG1fJ2Q3v8fYk3nP6ZsM0Q9T7wAAAJg3k2kXN5Np',
    'FwAAAAtzc2gtZWQyNTUxOQAAACDx0kq4Ygqm9GcXQKkqkG1fJ2Q3v8fYk3nP6ZsM0Q9T7w',
  ];
  const output = (text: string) => ({ type: 'output', stream: 'stdout', text }) as const;

  async function transcriptOf(events: AgentEvent[], secrets: readonly string[] = []) {
    const path = join(mkdtempSync(join(tmpdir(), 'gaffer-transcript-')), 'k.jsonl');
    const writer = new TranscriptWriter(path, limits, secrets);
    for (const event of events) await writer.write(event);
    await writer.flush();
    return { raw: readFileSync(path, 'utf8'), events: (await readTranscript(path)).map((l) => l.event) };
  }

  it('cuts a private key that arrives as one output event per line, and keeps what surrounds it', async () => {
    const { raw, events } = await transcriptOf([
      output('$ cat ~/.ssh/id_ed25519'),
      output('-----BEGIN OPENSSH PRIVATE KEY-----'),
      ...body.map(output),
      { type: 'tool_call', name: 'Bash', input: { command: 'ls' } },
      output('-----END OPENSSH PRIVATE KEY-----'),
      output('done'),
    ]);
    for (const line of body) expect(raw).not.toContain(line.slice(0, 20));
    expect(events).toEqual([
      output('$ cat ~/.ssh/id_ed25519'),
      output('[REDACTED]'),
      { type: 'tool_call', name: 'Bash', input: { command: 'ls' } },
      output('done'),
    ]);
  });

  it('cuts a key whose END never comes, up to the end of the transcript', async () => {
    const { raw, events } = await transcriptOf([
      { type: 'text', text: 'Here is the key:\n-----BEGIN RSA PRIVATE KEY-----' },
      ...body.map((text) => ({ type: 'text', text }) as const),
    ]);
    for (const line of body) expect(raw).not.toContain(line.slice(0, 20));
    expect(events).toEqual([{ type: 'text', text: 'Here is the key:\n[REDACTED]' }]);
  });

  it('stops holding at the cap, so a BEGIN without END cannot swallow the rest of the transcript', async () => {
    const lines = Array.from({ length: KEY_HOLD_LIMITS.records + 5 }, (_, i) => output(`noise ${i}`));
    const { events } = await transcriptOf([
      output('-----BEGIN PRIVATE KEY-----'),
      ...lines,
      output('later work'),
    ]);
    expect(events[0]).toEqual(output('[REDACTED]'));
    // What was held is cut with the block; what came after the cap is recorded.
    expect(events).not.toContainEqual(output('noise 0'));
    expect(events.at(-1)).toEqual(output('later work'));
  });

  it('redacts cloud keys, URL passwords, glued tokens and the known values of secret variables', async () => {
    const env = { MY_SERVICE_PASSWORD: 'correct-horse-battery-staple', HOME: '/home/me' };
    const { raw } = await transcriptOf(
      [
        output('AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'),
        output('aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY'),
        output('remote: https://deploy:s3cr3t-pa55@git.example.com/o/r.git'),
        { type: 'text', text: 'found xyzghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6 in config' },
        { type: 'tool_result', output: 'connecting as admin with correct-horse-battery-staple' },
      ],
      knownSecretValues(env),
    );
    for (const secret of [
      'wJalrXUtnFEMI',
      'je7MtGbClwBF',
      's3cr3t-pa55',
      'A1b2C3d4E5f6',
      'correct-horse-battery-staple',
    ]) {
      expect(raw).not.toContain(secret);
    }
    expect(raw).toContain('https://deploy:[REDACTED]@git.example.com');
    expect(raw).toContain('xyzghp_[REDACTED]');
    expect(raw).toContain('connecting as admin with [REDACTED]');
  });
});

describe('TranscriptWriter and long streams', () => {
  const output = (text: string) => ({ type: 'output', stream: 'stdout', text }) as const;
  const tempPath = (name: string) => join(mkdtempSync(join(tmpdir(), 'gaffer-transcript-')), name);

  it('writes every record, head and tail, through the one file handle it opened', async () => {
    const path = tempPath('a.jsonl');
    const writer = new TranscriptWriter(path, limits);
    await writer.opened();
    // Moved away once open: a writer that opened the path again for a record would recreate it.
    const moved = `${path}.moved`;
    renameSync(path, moved);
    for (let i = 0; i < 2000; i++) await writer.write(output(`line ${i}`));
    await writer.flush();
    expect(existsSync(path)).toBe(false);
    const texts = (await readTranscript(moved)).map((l) => (l.event.type === 'output' ? l.event.text : ''));
    expect(texts[0]).toBe('line 0');
    expect(texts.at(-1)).toBe('line 1999');
  });

  it('holds no more than its head and tail in memory, however many lines go through it', async () => {
    const small = { headBytes: 64 * 1024, tailBytes: 64 * 1024 };
    const writer = new TranscriptWriter(tempPath('b.jsonl'), small);
    let most = 0;
    // About 14 MB of records, over 200 times what the writer may hold.
    for (let i = 0; i < 200_000; i++) {
      await writer.write(output(`line ${i}: compiling src/module-${i % 97}.ts ok`));
      most = Math.max(most, writer.bufferedBytes);
    }
    await writer.flush();
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(small.headBytes + small.tailBytes);
  });

  it('keeps a tail of multi-byte text whole where it wraps around its buffer', async () => {
    const path = tempPath('c.jsonl');
    const writer = new TranscriptWriter(path, { headBytes: 1024, tailBytes: 1000 });
    // Lines of 2-, 3- and 4-byte characters whose sizes do not divide the tail's.
    const texts = Array.from({ length: 500 }, (_, i) => `${i} ${'é'.repeat(i % 7)}${'€'.repeat(i % 5)}😀`);
    for (const text of texts) await writer.write(output(text));
    await writer.flush();
    const kept = (await readTranscript(path)).map((l) =>
      l.event.type === 'output' || l.event.type === 'text' ? l.event.text : '',
    );
    const tail = kept.slice(kept.findIndex((t) => t.startsWith('[gaffer:')) + 1);
    expect(tail.length).toBeGreaterThan(3);
    expect(tail).toEqual(texts.slice(-tail.length));
    expect(statSync(path).size).toBeLessThan(1024 + 1000 + 512);
  });
});
