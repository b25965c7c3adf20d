import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AgentEvent } from '../domain/index.js';
import { redactDeep } from './redact.js';

export interface TranscriptLine {
  at: string;
  event: AgentEvent;
}

/** How much of one attempt's transcript is kept: its start and its end. */
export interface TranscriptLimits {
  headBytes: number;
  tailBytes: number;
}

/** 4 MiB from the start and 1 MiB from the end: enough to follow an attempt, bounded on disk and in memory. */
export const DEFAULT_TRANSCRIPT_LIMITS: TranscriptLimits = {
  headBytes: 4 * 1024 * 1024,
  tailBytes: 1024 * 1024,
};

/**
 * Streams an attempt's agent events to a JSONL file, secrets redacted before anything is
 * written. The file is capped: the first `headBytes` go to disk as they come (so a follower sees
 * them live); past that only the last `tailBytes` are kept, in memory, and written at `flush`
 * after a line that says how much was left out. So 50 MB of agent output neither fills the disk
 * nor the engine's memory. `write` waits while the file stream is full, which slows a chatty
 * agent's event stream instead of buffering it without bound.
 */
export class TranscriptWriter {
  private readonly ready: Promise<WriteStream | undefined>;
  /** The first write error; later writes are skipped and `flush` reports it. */
  private error: Error | undefined;
  private headWritten = 0;
  private readonly tail: string[] = [];
  private tailBytes = 0;
  private omittedBytes = 0;
  private omittedLines = 0;

  constructor(
    readonly path: string,
    private readonly limits: TranscriptLimits = DEFAULT_TRANSCRIPT_LIMITS,
    /** Secret values to mask wherever they appear (the agent's own keys). */
    private readonly secrets: readonly string[] = [],
  ) {
    this.ready = mkdir(dirname(path), { recursive: true }).then(
      () => {
        const stream = createWriteStream(path, { flags: 'a' });
        stream.on('error', (error) => void (this.error ??= error));
        return stream;
      },
      (error: Error) => void (this.error ??= error),
    );
  }

  async write(event: AgentEvent): Promise<void> {
    const line =
      JSON.stringify({ at: new Date().toISOString(), event: redactDeep(event, this.secrets) }) + '\n';
    const bytes = Buffer.byteLength(line);
    if (
      this.omittedLines === 0 &&
      this.tail.length === 0 &&
      this.headWritten + bytes <= this.limits.headBytes
    ) {
      this.headWritten += bytes;
      return this.append(line);
    }
    this.tail.push(line);
    this.tailBytes += bytes;
    while (this.tailBytes > this.limits.tailBytes && this.tail.length > 0) {
      const dropped = this.tail.shift() ?? '';
      this.tailBytes -= Buffer.byteLength(dropped);
      this.omittedBytes += Buffer.byteLength(dropped);
      this.omittedLines += 1;
    }
  }

  /** Writes the kept tail, closes the file and rejects with the first write error, if any. */
  async flush(): Promise<void> {
    if (this.omittedLines > 0) {
      const note: AgentEvent = {
        type: 'text',
        text: `[gaffer: ${this.omittedBytes} bytes in ${this.omittedLines} lines of this transcript were left out here; its first ${this.limits.headBytes} and last ${this.limits.tailBytes} bytes are kept]`,
      };
      await this.append(JSON.stringify({ at: new Date().toISOString(), event: note }) + '\n');
    }
    for (const line of this.tail.splice(0)) await this.append(line);
    this.tailBytes = 0;
    const stream = await this.ready;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
    if (this.error) throw this.error;
  }

  private async append(line: string): Promise<void> {
    const stream = await this.ready;
    if (!stream || this.error) return;
    if (!stream.write(line)) await once(stream, 'drain').catch((error: Error) => void (this.error ??= error));
  }
}

/** Reads a transcript back; a missing file is an empty transcript. Lines cut short by a crash are skipped. */
export async function readTranscript(path: string): Promise<TranscriptLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const lines: TranscriptLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    try {
      lines.push(JSON.parse(raw) as TranscriptLine);
    } catch {
      // a partial last line from a killed process
    }
  }
  return lines;
}
