import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTranscript, TranscriptWriter } from './transcript.js';

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
