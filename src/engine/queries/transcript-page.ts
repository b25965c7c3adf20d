import { createReadStream } from 'node:fs';
import type { AgentEvent } from '../../domain/index.js';
import type { TranscriptLine } from '../transcript.js';

/** A page of an attempt's transcript: lines `[from, next)` of the `total` it has now. */
export interface TranscriptPage {
  lines: TranscriptLine[];
  /** The `from` of the next page. */
  next: number;
  /** The lines the transcript has now (a live one grows). */
  total: number;
}

const NEWLINE = 0x0a;

/** Space, tab, carriage return: what a blank line may hold. */
const isBlankByte = (byte: number | undefined) => byte === 0x20 || byte === 0x09 || byte === 0x0d;

/**
 * Lines `[from, from + limit)` of the transcript at `path`, and how many it has, read in one pass
 * without holding or parsing the rest: a transcript may be tens of megabytes, and parsing all of
 * it for every page blocked the event loop for seconds. Lines are found by scanning the raw bytes
 * for newlines (no decoding); only lines inside the page are decoded and parsed. Blank lines
 * are not lines, nor is a last one without its newline: a live writer is halfway through it (it
 * writes each record with its newline), or a killed one left it cut short.
 *
 * A complete line that does not parse (a crash mid-write, then more appended) keeps its index,
 * since nothing outside the page is parsed, and inside the page it comes as a note saying so:
 * dropping it would make `lines.length` disagree with `next`, and clients page on with it.
 * A missing file is an empty transcript.
 */
export async function readTranscriptPage(path: string, from: number, limit: number): Promise<TranscriptPage> {
  const scan = new PageScan(from, from + limit);
  try {
    for await (const chunk of createReadStream(path)) scan.push(chunk as Buffer);
  } catch {
    return { lines: [], next: from, total: 0 };
  }
  return { lines: scan.lines, next: Math.max(from, Math.min(scan.count, from + limit)), total: scan.count };
}

/** The state of one pass over a transcript's bytes. */
class PageScan {
  readonly lines: TranscriptLine[] = [];
  /** Lines complete so far: the index of the line being read. */
  count = 0;
  /** The pieces of the line being read that earlier chunks held (the rest is in the current chunk). */
  private carried: Buffer[] = [];
  /** Whether the line being read has anything but blanks so far. */
  private filled = false;

  constructor(
    private readonly from: number,
    private readonly until: number,
  ) {}

  private get inPage(): boolean {
    return this.count >= this.from && this.count < this.until;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      const stop = newline < 0 ? chunk.length : newline;
      // A transcript line starts with `{`: this looks at one byte of it, not all of them.
      if (!this.filled) {
        let at = start;
        while (at < stop && isBlankByte(chunk[at])) at += 1;
        this.filled = at < stop;
      }
      if (newline < 0) {
        // Only a line of the page is kept across chunks: a long one outside it costs nothing.
        if (this.inPage && start < chunk.length) this.carried.push(chunk.subarray(start));
        return;
      }
      if (this.filled) this.complete(chunk.subarray(start, newline));
      this.carried = [];
      this.filled = false;
      start = newline + 1;
    }
  }

  private complete(tail: Buffer): void {
    if (this.inPage) {
      const raw = this.carried.length === 0 ? tail : Buffer.concat([...this.carried, tail]);
      this.lines.push(parseLine(raw) ?? unreadableLine(this.count, this.lines.at(-1)?.at ?? ''));
    }
    this.count += 1;
  }
}

function parseLine(raw: Buffer): TranscriptLine | undefined {
  try {
    return JSON.parse(raw.toString('utf8')) as TranscriptLine;
  } catch {
    return undefined;
  }
}

/** What stands in for a line that is not JSON, at the time of the line before it (when known). */
function unreadableLine(index: number, at: string): TranscriptLine {
  const event: AgentEvent = {
    type: 'text',
    text: `[gaffer: line ${index} of this transcript could not be read (cut short by a crash?) and is left out]`,
  };
  return { at, event };
}
