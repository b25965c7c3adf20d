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
 * How many bytes of records are gathered before they go to the file in one write. A smaller
 * batch goes out once the current burst of events has been handled (at the next turn of the
 * event loop), so a follower still sees output as it comes.
 */
export const BATCH_BYTES = 64 * 1024;
/** How much may wait in the file stream before `write` waits for it to drain. */
export const MAX_PENDING_BYTES = 1024 * 1024;

let lastMillis = NaN;
let lastStamp = '';

/** The time as ISO text, formatted once per millisecond: a chatty agent prints many lines in one. */
function timestamp(): string {
  const now = Date.now();
  if (now !== lastMillis) [lastMillis, lastStamp] = [now, new Date(now).toISOString()];
  return lastStamp;
}

/** What `write` returns when there is nothing to wait for: one promise, not one per event. */
const DONE: Promise<void> = Promise.resolve();

/**
 * Streams an attempt's agent events to a JSONL file, secrets redacted before anything is
 * written. The file is opened once, when the writer is made, and written through that one
 * handle until `flush` closes it; records are gathered into batches of {@link BATCH_BYTES}.
 * Output arrives line by line, one record per line, so a private key printed by a command
 * spans several records: from a record that opens a key block (a BEGIN … PRIVATE KEY without
 * its END) the records are held until the END arrives, the cap is reached or the transcript is
 * flushed, and the block is cut from them as a whole. The file is capped: the first
 * `headBytes` go to disk as they come (so a follower sees them live); past that only the last
 * `tailBytes` are kept, in memory, and written at `flush` after a line that says how much was
 * left out. So 50 MB of agent output neither fills the disk nor the engine's memory: what the
 * writer holds ({@link bufferedBytes}) stays below the tail, one batch, the held key records
 * and {@link MAX_PENDING_BYTES}, however long the agent talks. `write` waits only while more
 * than that is pending in the file stream; every other event is handled synchronously, since
 * an engine that yields per event lets a chatty agent's unread events pile up in memory.
 */
export class TranscriptWriter {
  private readonly ready: Promise<void>;
  private stream: WriteStream | undefined;
  /** The first write error; later writes are skipped and `flush` reports it. */
  private error: Error | undefined;
  private headWritten = 0;
  /** Head records not yet handed to the stream. */
  private batch: string[] = [];
  private batchBytes = 0;
  private batchScheduled = false;
  private draining: Promise<void> | undefined;
  private readonly tail: TailRing;
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
    this.tail = new TailRing(limits.tailBytes);
    this.ready = mkdir(dirname(path), { recursive: true })
      .then(async () => {
        const stream = createWriteStream(path, { flags: 'a' });
        stream.on('error', (error) => void (this.error ??= error));
        await once(stream, 'open');
        this.stream = stream;
        this.writeBatch();
      })
      .catch((error: Error) => void (this.error ??= error));
  }

  /** Resolves once the file is open (or could not be): every later record goes through that handle. */
  opened(): Promise<void> {
    return this.ready;
  }

  /**
   * Bytes the writer holds in memory: records not yet written, the kept tail, records held for
   * a key block. Bounded by the limits, not by how much was written.
   */
  get bufferedBytes(): number {
    return this.batchBytes + this.tail.bytes + this.heldBytes + (this.stream?.writableLength ?? 0);
  }

  /** Records `event`; the promise is settled at once unless the file has fallen far behind. */
  write(event: AgentEvent): Promise<void> {
    const at = timestamp();
    const text = streamedText(event);
    if (!this.insideKey && (text === undefined || !endsInsidePrivateKey(text))) {
      this.record(at, event);
      return this.backpressure();
    }
    this.held.push({ at, event });
    this.heldBytes += Buffer.byteLength(text ?? '');
    if (text !== undefined) this.insideKey = endsInsidePrivateKey(text, this.insideKey);
    if (
      !this.insideKey ||
      this.held.length >= KEY_HOLD_LIMITS.records ||
      this.heldBytes >= KEY_HOLD_LIMITS.bytes
    ) {
      this.release();
    }
    return this.backpressure();
  }

  /** Records what is held, with the key block cut across its records (to the end, if it is still open). */
  private release(): void {
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    this.insideKey = false;
    const streamed = held.filter((h) => streamedText(h.event) !== undefined);
    const cut = redactKeysAcross(streamed.map((h) => streamedText(h.event) ?? ''));
    const texts = new Map(streamed.map((h, i) => [h, cut[i]]));
    for (const h of held) {
      if (!texts.has(h)) {
        this.record(h.at, h.event);
        continue;
      }
      const text = texts.get(h);
      // A record wholly inside the block has nothing left to keep.
      if (text !== undefined) this.record(h.at, withText(h.event, text));
    }
  }

  private record(at: string, event: AgentEvent): void {
    const line = JSON.stringify({ at, event: redactDeep(event, this.secrets) }) + '\n';
    // Once a line has gone to the tail, every later one does, so the file keeps their order.
    if (this.tail.bytes === 0 && this.tail.omittedLines === 0) {
      const bytes = Buffer.byteLength(line);
      if (this.headWritten + bytes <= this.limits.headBytes) {
        this.headWritten += bytes;
        this.batch.push(line);
        this.batchBytes += bytes;
        return;
      }
    }
    this.tail.push(line);
  }

  /** Sends a full batch now and a partial one at the next turn; waits only for a stream far behind. */
  private backpressure(): Promise<void> {
    if (this.batchBytes >= BATCH_BYTES) this.writeBatch();
    else if (this.batchBytes > 0 && !this.batchScheduled) {
      this.batchScheduled = true;
      setImmediate(() => {
        this.batchScheduled = false;
        this.writeBatch();
      });
    }
    if (this.error) return DONE;
    if (this.stream === undefined) return this.batchBytes >= MAX_PENDING_BYTES ? this.ready : DONE;
    if (this.stream.writableLength <= MAX_PENDING_BYTES) return DONE;
    const stream = this.stream;
    this.draining ??= once(stream, 'drain').then(
      () => void (this.draining = undefined),
      (error: Error) => void (this.error ??= error),
    );
    return this.draining;
  }

  /** Hands the gathered records to the stream in one write (once it is open). */
  private writeBatch(): void {
    if (this.batch.length === 0) return;
    if (this.error) {
      this.batch = [];
      this.batchBytes = 0;
      return;
    }
    if (this.stream === undefined) return;
    this.stream.write(this.batch.join(''));
    this.batch = [];
    this.batchBytes = 0;
  }

  /** Writes the kept tail, closes the file and rejects with the first write error, if any. */
  async flush(): Promise<void> {
    this.release();
    await this.ready;
    const { omittedBytes, omittedLines } = this.tail;
    if (omittedLines > 0) {
      const note: AgentEvent = {
        type: 'text',
        text: `[gaffer: ${omittedBytes} bytes in ${omittedLines} lines of this transcript were left out here; its first ${this.limits.headBytes} and last ${this.limits.tailBytes} bytes are kept]`,
      };
      this.batch.push(JSON.stringify({ at: new Date().toISOString(), event: note }) + '\n');
    }
    this.batch.push(this.tail.take());
    this.writeBatch();
    const stream = this.stream;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
    if (this.error) throw this.error;
  }
}

/**
 * The last `capacity` bytes of whole lines, kept in one buffer allocated once. Lines kept as
 * strings would each live until a megabyte more output has come, long enough to be moved to
 * the old generation and collected there: with many chatty agents that garbage, not what is
 * kept, made up most of the engine's memory.
 */
const SCRATCH_BYTES = 64 * 1024;

class TailRing {
  private ring: Buffer | undefined;
  /** Where the oldest kept line starts in `ring`. */
  private start = 0;
  /** Bytes kept. */
  bytes = 0;
  /** The byte length of each kept line, oldest first from `first`. */
  private lengths: number[] = [];
  private first = 0;
  /** Where a line is encoded before it is copied in (a long one gets a buffer of its own). */
  private scratch: Buffer | undefined;
  omittedBytes = 0;
  omittedLines = 0;

  constructor(private readonly capacity: number) {}

  /** Keeps `line`, dropping the oldest lines it has no room for (and itself, if it alone is too long). */
  push(line: string): void {
    // UTF-8 takes at most three bytes per UTF-16 unit.
    const encoded =
      line.length * 3 <= SCRATCH_BYTES
        ? (this.scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES))
        : Buffer.from(line);
    const bytes = encoded === this.scratch ? encoded.write(line) : encoded.length;
    if (bytes > this.capacity) {
      this.omittedBytes += this.bytes + bytes;
      this.omittedLines += this.lengths.length - this.first + 1;
      this.start = this.bytes = this.first = 0;
      this.lengths = [];
      return;
    }
    while (this.bytes + bytes > this.capacity) this.dropOldest();
    const ring = (this.ring ??= Buffer.allocUnsafe(this.capacity));
    const at = (this.start + this.bytes) % this.capacity;
    const before = Math.min(bytes, this.capacity - at);
    encoded.copy(ring, at, 0, before);
    if (before < bytes) encoded.copy(ring, 0, before, bytes);
    this.bytes += bytes;
    this.lengths.push(bytes);
  }

  private dropOldest(): void {
    const bytes = this.lengths[this.first] ?? this.bytes;
    this.first += 1;
    this.start = (this.start + bytes) % this.capacity;
    this.bytes -= bytes;
    this.omittedBytes += bytes;
    this.omittedLines += 1;
    // Forget the dropped lengths now and then instead of shift(), which is O(n) per line.
    if (this.first > 1024 && this.first * 2 > this.lengths.length) {
      this.lengths = this.lengths.slice(this.first);
      this.first = 0;
    }
  }

  /** The kept lines as one text (a character across the ring's end decoded whole); empties the ring. */
  take(): string {
    const { ring, start, bytes } = this;
    this.start = this.bytes = this.first = 0;
    this.lengths = [];
    if (ring === undefined || bytes === 0) return '';
    const end = start + bytes;
    if (end <= this.capacity) return ring.toString('utf8', start, end);
    return Buffer.concat([ring.subarray(start), ring.subarray(0, end - this.capacity)]).toString('utf8');
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
