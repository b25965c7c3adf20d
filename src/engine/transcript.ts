import { mkdir, appendFile, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AgentEvent } from '../domain/index.js';
import { redactDeep } from './redact.js';

export interface TranscriptLine {
  at: string;
  event: AgentEvent;
}

/**
 * Appends an attempt's agent events to a JSONL file, secrets redacted before anything is
 * written. Writes are chained so lines keep their order without blocking the agent.
 */
export class TranscriptWriter {
  private chain: Promise<void>;
  /** The first write error; later writes are skipped and `flush` reports it. */
  private error: Error | undefined;

  constructor(readonly path: string) {
    this.chain = mkdir(dirname(path), { recursive: true }).then(
      () => undefined,
      (error: Error) => void (this.error ??= error),
    );
  }

  write(event: AgentEvent): void {
    const line = JSON.stringify({ at: new Date().toISOString(), event: redactDeep(event) }) + '\n';
    this.chain = this.chain.then(async () => {
      if (this.error) return;
      try {
        await appendFile(this.path, line, 'utf8');
      } catch (error) {
        this.error = error as Error;
      }
    });
  }

  /** Resolves once every line written so far is on disk; rejects with the first write error. */
  async flush(): Promise<void> {
    await this.chain;
    if (this.error) throw this.error;
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
