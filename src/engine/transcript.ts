import { mkdir, appendFile, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AgentEvent } from '../domain/index.js';
import { redactSecrets } from './redact.js';

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

  constructor(readonly path: string) {
    this.chain = mkdir(dirname(path), { recursive: true }).then(() => undefined);
  }

  write(event: AgentEvent): void {
    const line = redactSecrets(JSON.stringify({ at: new Date().toISOString(), event })) + '\n';
    this.chain = this.chain.then(() => appendFile(this.path, line, 'utf8'));
  }

  /** Resolves once every line written so far is on disk. */
  flush(): Promise<void> {
    return this.chain;
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
