import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AgentEvent } from '../domain/index.js';
import { endsInsidePrivateKey, redactDeep, redactKeysAcross } from './redact.js';

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
 * How long records are held while a private key block is open across them: past this many
 * records or bytes the block is taken to run to the end of what is held, and all of it is cut.
 */
export const KEY_HOLD_LIMITS = { records: 200, bytes: 64 * 1024 };

/** A record waiting for the end of a private key block, with the time it arrived. */
interface HeldRecord {
  at: string;
  event: AgentEvent;
}

/**
 * Streams an attempt's agent events to a JSONL file, secrets redacted before anything is
 * written. Output arrives line by line, one record per line, so a private key printed by a
 * command spans several records: from a record that opens a key block (a BEGIN … PRIVATE KEY
 * without its END) the records are held until the END arrives, the cap is reached or the
 * transcript is flushed, and the block is cut from them as a whole. The file is capped: the
 * first `headBytes` go to disk as they come (so a follower sees them live); past that only the
 * last `tailBytes` are kept, in memory, and written at `flush` after a line that says how much
 * was left out. So 50 MB of agent output neither fills the disk nor the engine's memory.
 * `write` waits while the file stream is full, which slows a chatty agent's event stream
 * instead of buffering it without bound.
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
  /** Records held while a private key block is open across them. */
  private held: HeldRecord[] = [];
  private heldBytes = 0;
  private insideKey = false;

  constructor(
    readonly path: string,
    private readonly limits: TranscriptLimits = DEFAULT_TRANSCRIPT_LIMITS,
    /** Secret values to mask wherever they appear (the keys Gaffer knows). */
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
    const at = new Date().toISOString();
    const text = streamedText(event);
    if (!this.insideKey && (text === undefined || !endsInsidePrivateKey(text))) {
      return this.record(at, event);
    }
    this.held.push({ at, event });
    this.heldBytes += Buffer.byteLength(text ?? '');
    if (text !== undefined) this.insideKey = endsInsidePrivateKey(text, this.insideKey);
    if (
      !this.insideKey ||
      this.held.length >= KEY_HOLD_LIMITS.records ||
      this.heldBytes >= KEY_HOLD_LIMITS.bytes
    ) {
      await this.release();
    }
  }

  /** Records what is held, with the key block cut across its records (to the end, if it is still open). */
  private async release(): Promise<void> {
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    this.insideKey = false;
    const streamed = held.filter((h) => streamedText(h.event) !== undefined);
    const cut = redactKeysAcross(streamed.map((h) => streamedText(h.event) ?? ''));
    const texts = new Map(streamed.map((h, i) => [h, cut[i]]));
    for (const h of held) {
      if (!texts.has(h)) {
        await this.record(h.at, h.event);
        continue;
      }
      const text = texts.get(h);
      // A record wholly inside the block has nothing left to keep.
      if (text !== undefined) await this.record(h.at, withText(h.event, text));
    }
  }

  private async record(at: string, event: AgentEvent): Promise<void> {
    const line = JSON.stringify({ at, event: redactDeep(event, this.secrets) }) + '\n';
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
    await this.release();
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

/** The text of a record that carries streamed output (a line of a command's output, a piece of the agent's text). */
function streamedText(event: AgentEvent): string | undefined {
  return event.type === 'output' || event.type === 'text' ? event.text : undefined;
}

function withText(event: AgentEvent, text: string): AgentEvent {
  return event.type === 'output' || event.type === 'text' ? { ...event, text } : event;
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
